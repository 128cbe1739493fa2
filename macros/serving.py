"""Figure functions for serving a model: quantised weights, the key-value cache and
what fits in an accelerator's memory (number formats are in ``number_formats``).

They build on kb's built-in serving figures (``weight_memory``,
``kv_cache_memory``, ``bits_per_weight``) and keep their conventions: bytes
are bytes (a page pins them in GB, 10^9 bytes, or GiB, 2^30 bytes, and says
which); a quantised scheme stores the linear layers and routed experts with
their scales and keeps everything else in bf16; the KV cache keeps
``window - 1`` tokens on a sliding-window layer and the latent on a
multi-head latent attention layer. Activations and the serving framework's
own buffers are never included: a memory budget passed here is an upper
bound on what the weights and the cache may use.
"""

from __future__ import annotations

import math

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
