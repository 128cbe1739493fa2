"""Figure functions for serving a model: number formats, quantised weights,
the key-value cache and what fits in an accelerator's memory.

They build on kb's built-in serving figures (``weight_memory``,
``kv_cache_memory``, ``bits_per_weight``) and keep their conventions: bytes
are bytes (a page pins them in GB, 10^9 bytes, or GiB, 2^30 bytes, and says
which); a quantised scheme stores the linear layers and routed experts with
their scales and keeps everything else in bf16; the KV cache keeps
``window - 1`` tokens on a sliding-window layer and the latent on a
multi-head latent attention layer. Activations and the serving framework's
own buffers are never included: a memory budget passed here is an upper
bound on what the weights and the cache may use.

Number formats are described by their bit fields; wherever torch has the
dtype, the range and precision come from ``torch.finfo`` / ``torch.iinfo``
and the bit fields are checked against them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from kb.runtime import RegistryError, figure
from kb.runtime.builtin_figures import DTYPE_BYTES, params
from kb.runtime.inference_figures import (
    SCHEMES,
    kv_cache_memory,
    kv_cache_per_token_elements,
    quantisable_matrices,
    weight_memory,
)

# --------------------------------------------------------------------------------------
# Number formats
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NumberFormat:
    """A number format's bit fields. ``dtype``: the torch dtype, where torch has one (its
    ``finfo``/``iinfo`` then gives range and precision). Floats without a torch dtype give
    ``bias`` and ``max_value`` from their specification; integers have ``mantissa`` 0."""

    sign: int
    exponent: int  # floats: exponent bits
    mantissa: int  # floats: stored fraction bits; integers and tables: the bits after the sign
    kind: str  # "float", "int" or "table" (a lookup of 2^bits values, nf4)
    dtype: str | None = None
    bias: int = 0
    max_value: float = 0.0
    storage_bits: int = 0  # bits a stored element takes when it differs from the fields (tf32: 32)

    @property
    def bits(self) -> int:
        return self.sign + self.exponent + self.mantissa


FORMATS: dict[str, NumberFormat] = {
    "fp32": NumberFormat(1, 8, 23, "float", dtype="float32"),
    # TF32 is a tensor-core mode for fp32 tensors: fp32's 8 exponent bits, fp16's 10 mantissa bits,
    # stored in 32 bits. Its largest value is (2 - 2^-10) x 2^127.
    "tf32": NumberFormat(1, 8, 10, "float", bias=127, max_value=(2 - 2**-10) * 2.0**127, storage_bits=32),
    "bf16": NumberFormat(1, 8, 7, "float", dtype="bfloat16"),
    "fp16": NumberFormat(1, 5, 10, "float", dtype="float16"),
    "fp8-e4m3": NumberFormat(1, 4, 3, "float", dtype="float8_e4m3fn"),
    "fp8-e5m2": NumberFormat(1, 5, 2, "float", dtype="float8_e5m2"),
    # OCP microscaling: FP4 E2M1 elements (no infinities or NaN, largest 1.5 x 2^2 = 6) and the
    # E8M0 shared scale, a bare power of two from 2^-127 to 2^127
    "fp4-e2m1": NumberFormat(1, 2, 1, "float", bias=1, max_value=6.0),
    "e8m0": NumberFormat(0, 8, 0, "float", dtype="float8_e8m0fnu"),
    "int8": NumberFormat(1, 0, 7, "int", dtype="int8"),
    "int4": NumberFormat(1, 0, 3, "int"),
    "nf4": NumberFormat(0, 0, 4, "table"),
}
FORMATS["mxfp4"] = FORMATS["fp4-e2m1"]  # the element of an MXFP4 block

# QLoRA's 4-bit NormalFloat: quantiles of a standard normal, asymmetric so that zero is exact
# (bitsandbytes' create_normal_map with offset 0.9677083).
_NF4_OFFSET = 0.9677083


def nf4_levels() -> torch.Tensor:
    """The 16 values of NF4, normalised to [-1, 1], computed as QLoRA defines them."""
    positive = torch.special.ndtri(torch.linspace(_NF4_OFFSET, 0.5, 9, dtype=torch.float64)[:-1])
    negative = -torch.special.ndtri(torch.linspace(_NF4_OFFSET, 0.5, 8, dtype=torch.float64)[:-1])
    levels = torch.cat([positive, torch.zeros(1, dtype=torch.float64), negative]).sort().values
    return levels / levels.abs().max()


def _format(name: str) -> NumberFormat:
    if name not in FORMATS:
        raise RegistryError(f"unknown number format {name}; formats are {', '.join(FORMATS)}")
    chosen = FORMATS[name]
    if chosen.dtype is not None:  # the bit fields must agree with torch's own description
        dtype = getattr(torch, chosen.dtype)
        if chosen.kind == "int":
            info = torch.iinfo(dtype)
            ok = info.bits == chosen.bits
        else:
            finfo = torch.finfo(dtype)
            ok = finfo.bits == chosen.bits and finfo.eps == 2.0 ** -chosen.mantissa
        if not ok:
            raise RegistryError(f"{name}: the bit fields disagree with torch's {chosen.dtype}")
    return chosen


@figure(unit="number")
def number_format_bits(fmt: str, field: str = "total") -> int:
    """Bits of a number format: ``total``; ``sign``; for a float ``exponent`` and ``mantissa`` (the
    stored fraction bits); for an integer or a table ``value`` (the bits after the sign); or
    ``storage`` (bits one element occupies in memory: tf32 is held in 32)."""
    chosen = _format(fmt)
    fields = {"total": chosen.bits, "sign": chosen.sign, "storage": chosen.storage_bits or chosen.bits}
    if chosen.kind == "float":
        fields |= {"exponent": chosen.exponent, "mantissa": chosen.mantissa}
    else:
        fields |= {"value": chosen.bits - chosen.sign}
    if field not in fields:
        raise RegistryError(f"{fmt} has no field {field}; it has {', '.join(fields)}")
    return fields[field]


@figure(unit="bytes")
def number_format_bytes(fmt: str) -> float:
    """Bytes one element occupies in memory, without any scale (a 4-bit element: half a byte)."""
    return number_format_bits(fmt, "storage") / 8


@figure(unit="number")
def number_format_max(fmt: str) -> float:
    """The largest finite value (torch.finfo/iinfo where torch has the dtype; NF4: the top
    level of its normalised table, 1)."""
    chosen = _format(fmt)
    if chosen.kind == "table":
        return float(nf4_levels().max())
    if chosen.kind == "int":
        return float(torch.iinfo(getattr(torch, chosen.dtype)).max) if chosen.dtype else float(2 ** (chosen.bits - 1) - 1)
    if chosen.dtype:
        return float(torch.finfo(getattr(torch, chosen.dtype)).max)
    return chosen.max_value


@figure(unit="number")
def number_format_min(fmt: str) -> float:
    """The most negative value (0 for an unsigned format)."""
    chosen = _format(fmt)
    if chosen.kind == "table":
        return float(nf4_levels().min())
    if chosen.kind == "int":
        return float(torch.iinfo(getattr(torch, chosen.dtype)).min) if chosen.dtype else float(-(2 ** (chosen.bits - 1)))
    return -number_format_max(fmt) if chosen.sign else float(torch.finfo(getattr(torch, str(chosen.dtype))).min)


@figure(unit="number")
def number_format_smallest_normal(fmt: str) -> float:
    """The smallest positive normal value (torch.finfo's ``smallest_normal``); for an integer, 1;
    for NF4 the smallest positive level."""
    chosen = _format(fmt)
    if chosen.kind == "table":
        levels = nf4_levels()
        return float(levels[levels > 0].min())
    if chosen.kind == "int":
        return 1.0
    if chosen.dtype:
        return float(torch.finfo(getattr(torch, chosen.dtype)).smallest_normal)
    return 2.0 ** (1 - chosen.bias)


@figure(unit="number")
def number_format_smallest_subnormal(fmt: str) -> float:
    """The smallest positive value at all: the smallest normal times epsilon, where the format has
    subnormals (all the floats here but E8M0, which has no mantissa, and TF32, whose subnormal
    handling NVIDIA does not specify: both refused)."""
    chosen = _format(fmt)
    if chosen.kind != "float" or chosen.mantissa == 0 or chosen.storage_bits:
        raise RegistryError(f"{fmt} has no subnormal values to report")
    return number_format_smallest_normal(fmt) * number_format_epsilon(fmt)


@figure(unit="number")
def number_format_epsilon(fmt: str) -> float:
    """Machine epsilon: the gap between 1 and the next larger value, 2^-mantissa bits
    (torch.finfo's ``eps``). Relative rounding error is at most half of it. Integers: 1."""
    chosen = _format(fmt)
    if chosen.kind == "float":
        return float(torch.finfo(getattr(torch, chosen.dtype)).eps) if chosen.dtype else 2.0 ** -chosen.mantissa
    if chosen.kind == "int":
        return 1.0
    raise RegistryError(f"{fmt} is a table of levels, not evenly spaced: it has no epsilon")


@figure(unit="number")
def number_format_decimal_digits(fmt: str) -> float:
    """Significant decimal digits a float keeps: (mantissa bits + 1) x log10(2)."""
    chosen = _format(fmt)
    if chosen.kind != "float":
        raise RegistryError(f"{fmt} is not a floating-point format")
    return (chosen.mantissa + 1) * math.log10(2)


@figure(unit="number")
def number_format_levels(fmt: str) -> int:
    """Distinct values the format can represent (+0 and -0 counted once; infinities and NaN not)."""
    chosen = _format(fmt)
    if chosen.bits > 8:
        raise RegistryError(f"{fmt} has too many values to list; this counts formats of 8 bits or fewer")
    if chosen.kind == "table":
        return len(set(nf4_levels().tolist()))
    if chosen.kind == "int":
        return int(2**chosen.bits)
    if chosen.dtype:
        codes = torch.arange(256, dtype=torch.uint8).view(getattr(torch, chosen.dtype)).float()
        return len({v for v in codes.tolist() if math.isfinite(v)})
    if fmt in ("fp4-e2m1", "mxfp4"):
        return len(set(_e2m1_values()))
    raise RegistryError(f"cannot list the values of {fmt}")


def _e2m1_values() -> list[float]:
    """Every FP4 E2M1 value, decoded from its 16 codes (sign, 2 exponent bits with bias 1, 1 mantissa)."""
    values = []
    for code in range(16):
        sign = -1.0 if code & 0b1000 else 1.0
        exponent, mantissa = (code >> 1) & 0b11, code & 0b1
        magnitude = mantissa * 0.5 if exponent == 0 else (1 + mantissa / 2) * 2.0 ** (exponent - 1)
        values.append(sign * magnitude + 0.0)
    return values


_PREFIXES = {"KiB": 1, "MiB": 2, "GiB": 3, "TiB": 4, "PiB": 5}


@figure(unit="number")
def binary_unit_excess(unit: str = "GiB") -> float:
    """How much larger a binary unit is than its decimal namesake: GiB / GB - 1 = 2^30 / 10^9 - 1
    (pin it as a percentage)."""
    if unit not in _PREFIXES:
        raise RegistryError(f"unit must be one of {', '.join(_PREFIXES)}, got {unit}")
    power = _PREFIXES[unit]
    return float(2 ** (10 * power) / 10 ** (3 * power) - 1)


# --------------------------------------------------------------------------------------
# Quantised weights
# --------------------------------------------------------------------------------------


def _stored_and_kept(model: nn.Module, only: str) -> tuple[int, int]:
    if only not in ("linear", "experts"):
        raise RegistryError(f'only must be "linear" or "experts", got {only}')
    stored = sum(rows * columns * count for rows, columns, count in quantisable_matrices(model, only == "experts"))
    return stored, params(model) - stored


@figure(unit="parameters")
def quantised_params(model: nn.Module, only: str = "linear") -> int:
    """Parameters a quantised scheme stores in its format: the linear layers and routed experts but
    the output head (``only="experts"``: the routed experts alone)."""
    return _stored_and_kept(model, only)[0]


@figure(unit="parameters")
def unquantised_params(model: nn.Module, only: str = "linear") -> int:
    """Parameters a quantised scheme leaves in 16 bits: embeddings, the output head, norms, biases,
    routers (and, with ``only="experts"``, everything but the routed experts)."""
    return _stored_and_kept(model, only)[1]


@figure(unit="number")
def quantised_share(model: nn.Module, only: str = "linear") -> float:
    """The fraction of all parameters a quantised scheme stores in its format (pin as a percentage)."""
    stored, kept = _stored_and_kept(model, only)
    return stored / (stored + kept)


@figure(unit="bytes")
def scale_memory(model: nn.Module, scheme: str, only: str = "linear") -> int:
    """Bytes of a scheme's scales (and zero points) alone, over every matrix it stores."""
    if scheme not in SCHEMES:
        raise RegistryError(f"unknown storage scheme {scheme}; schemes are {', '.join(SCHEMES)}")
    chosen = SCHEMES[scheme]
    bits = sum((chosen.matrix_bits(rows, columns) - rows * columns * chosen.bits) * count
               for rows, columns, count in quantisable_matrices(model, only == "experts"))
    return math.ceil(bits / 8)


@figure(unit="number")
def weight_memory_ratio(model: nn.Module, scheme: str, baseline: str = "bf16", only: str = "linear") -> float:
    """Weights stored in ``scheme`` as a fraction of the same weights in ``baseline``."""
    return weight_memory(model, scheme, "bf16", only) / weight_memory(model, baseline, "bf16", only)


@figure(unit="number")
def bits_with_scales(bits: float, scale_bits: float, group: int) -> float:
    """Bits per weight of ``bits``-bit elements sharing one ``scale_bits``-bit scale per ``group``
    elements (for formats outside the named schemes, such as NF4 without double quantisation)."""
    if group < 1:
        raise RegistryError(f"group must be 1 or more, got {group}")
    return bits + scale_bits / group


# --------------------------------------------------------------------------------------
# The key-value cache
# --------------------------------------------------------------------------------------

def _cache_bytes(dtype: str) -> float:
    if dtype not in DTYPE_BYTES:
        raise RegistryError(f"unknown dtype {dtype}; known: {', '.join(DTYPE_BYTES)}")
    return DTYPE_BYTES[dtype]


def _text_config(model: nn.Module):  # type: ignore[no-untyped-def]
    config = getattr(model, "config", None)
    if config is None or not hasattr(config, "num_hidden_layers"):
        raise RegistryError("the KV cache needs a transformers language model with a configuration")
    return config.get_text_config() if hasattr(config, "get_text_config") else config


@figure(unit="number")
def kv_cache_elements_per_token(model: nn.Module, latent: bool = True) -> int:
    """Numbers one token adds to the cache over all layers (multiply by bytes per element)."""
    return sum(kv_cache_per_token_elements(model, latent))


@figure(unit="bytes")
def kv_cache_per_token_without_gqa(model: nn.Module, dtype: str = "bf16") -> int:
    """What one token would add to the cache if every query head had its own keys and values
    (multi-head attention with the same heads): 2 x layers x query heads x head dimension x bytes."""
    config = _text_config(model)
    if getattr(config, "kv_lora_rank", None):
        raise RegistryError("latent attention: use kv_cache_per_token(..., latent=False) for the expanded heads")
    heads = int(config.num_attention_heads)
    head_dim = int(getattr(config, "head_dim", None) or config.hidden_size // heads)
    return math.ceil(2 * int(config.num_hidden_layers) * heads * head_dim * _cache_bytes(dtype))


@figure(unit="bytes")
def kv_cache_without_windows(model: nn.Module, tokens: int, batch: int = 1, dtype: str = "bf16") -> int:
    """The cache if every layer attended over the whole context (sliding windows ignored)."""
    return math.ceil(sum(kv_cache_per_token_elements(model)) * tokens * batch * _cache_bytes(dtype))


@figure(unit="number")
def kv_cache_reduction(model: nn.Module, versus: str, tokens: int = 0) -> float:
    """How many times smaller the real cache is than the alternative: ``heads`` (a key and value
    per query head), ``expanded`` (latent attention's per-head keys and values) or ``windows``
    (full attention on every layer, at ``tokens`` tokens)."""
    if versus == "heads":
        return kv_cache_per_token_without_gqa(model) / (sum(kv_cache_per_token_elements(model)) * 2)
    if versus == "expanded":
        if not getattr(_text_config(model), "kv_lora_rank", None):
            raise RegistryError("expanded compares latent attention with its heads; this model has no latent")
        return sum(kv_cache_per_token_elements(model, latent=False)) / sum(kv_cache_per_token_elements(model))
    if versus == "windows":
        if tokens < 1:
            raise RegistryError("windows needs tokens=")
        return kv_cache_without_windows(model, tokens) / kv_cache_memory(model, tokens)
    raise RegistryError(f'versus must be "heads", "expanded" or "windows", got {versus}')


@figure(unit="number")
def attention_layers(model: nn.Module, kind: str = "sliding") -> int:
    """Layers of a kind: ``sliding`` (a sliding window) or ``full`` (the whole context)."""
    config = _text_config(model)
    layers = int(config.num_hidden_layers)
    window = getattr(config, "sliding_window", None)
    types = getattr(config, "layer_types", None)
    if types:
        sliding = sum(1 for t in types[:layers] if t == "sliding_attention")
    else:
        sliding = layers if window and getattr(config, "use_sliding_window", True) else 0
    if kind not in ("sliding", "full"):
        raise RegistryError(f'kind must be "sliding" or "full", got {kind}')
    return sliding if kind == "sliding" else layers - sliding


@figure(unit="number")
def kv_cache_to_weights(model: nn.Module, tokens: int, batch: int = 1, scheme: str = "bf16", cache: str = "bf16",
                        only: str = "linear") -> float:
    """The KV cache of ``batch`` sequences of ``tokens`` tokens as a multiple of the weights."""
    return kv_cache_memory(model, tokens, batch, cache) / weight_memory(model, scheme, "bf16", only)


# --------------------------------------------------------------------------------------
# What fits in an accelerator's memory
# --------------------------------------------------------------------------------------


def _budget(memory: float, utilisation: float) -> float:
    if memory <= 0 or not 0 < utilisation <= 1:
        raise RegistryError(f"memory must be positive and utilisation in (0, 1], got {memory} and {utilisation}")
    return memory * utilisation


@figure(unit="bytes")
def memory_left_for_cache(model: nn.Module, memory: float, scheme: str = "bf16", only: str = "linear",
                          utilisation: float = 1.0) -> int:
    """Bytes of a memory budget (``memory`` x ``utilisation``) left once the weights are loaded;
    negative when the weights alone do not fit. Activations are not subtracted."""
    return math.floor(_budget(memory, utilisation)) - weight_memory(model, scheme, "bf16", only)


@figure(unit="number")
def sequences_that_fit(model: nn.Module, memory: float, tokens: int, scheme: str = "bf16", cache: str = "bf16",
                       only: str = "linear", utilisation: float = 1.0) -> int:
    """How many sequences of ``tokens`` tokens each can keep their KV cache next to the weights in
    ``memory`` bytes (x ``utilisation``, the share a serving framework may use). 0 when the weights
    alone do not fit. Activations and workspace are not counted, so this is an upper bound."""
    if tokens < 1:
        raise RegistryError(f"tokens must be 1 or more, got {tokens}")
    left = memory_left_for_cache(model, memory, scheme, only, utilisation)
    if left <= 0:
        return 0
    return left // kv_cache_memory(model, tokens, 1, cache)


@figure(unit="number")
def longest_context_that_fits(model: nn.Module, memory: float, scheme: str = "bf16", cache: str = "bf16",
                              batch: int = 1, only: str = "linear", utilisation: float = 1.0) -> int:
    """The most tokens each of ``batch`` sequences can hold in the KV cache next to the weights (0
    when the weights alone do not fit). Activations are not counted."""
    left = memory_left_for_cache(model, memory, scheme, only, utilisation)
    if left <= 0:
        return 0
    low, high = 0, 1
    while kv_cache_memory(model, high, batch, cache) <= left:
        low, high = high, high * 2
        if high > 2**40:
            raise RegistryError("the cache stops growing (every layer has a window): no longest context")
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if kv_cache_memory(model, middle, batch, cache) <= left else (low, middle)
    return low


@figure(unit="number")
def gpus_for_weights(model: nn.Module, memory: float, scheme: str = "bf16", only: str = "linear") -> int:
    """The fewest devices of ``memory`` bytes each whose memory adds up to the weights alone (no KV
    cache, no activations, perfect splitting): a lower bound on a deployment."""
    return math.ceil(weight_memory(model, scheme, "bf16", only) / _budget(memory, 1.0))
