"""Built-in figures for serving a model: the key-value cache, weights stored
in a quantised format, and the two together.

Conventions, each stated where it is used:

- GB figures are bytes; a page pins them in decimal units (1 GB = 10^9 bytes)
  or binary ones (1 GiB = 2^30 bytes), and says which;
- the KV cache holds what the next token attends to: every past token on a
  full-attention layer, the last ``window - 1`` on a sliding-window layer
  (the new token itself is the window's last place), and for multi-head
  latent attention the compressed latent and the shared rotary key, as
  DeepSeek's inference code and transformers cache them;
- a quantised scheme stores the weights of the linear layers (and of the
  routed experts) in its format, with its scales, and keeps everything
  else (embeddings, the output head, norms, biases) in ``keep``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from torch import nn

from kb.runtime.builtin_figures import DTYPE_BYTES, params, routed_expert_path
from kb.runtime.errors import RegistryError
from kb.runtime.registry import figure
from kb.runtime.remembered import remembered


@dataclass(frozen=True)
class Scheme:
    """How a weight format stores a matrix: ``bits`` per element, plus ``scale_bits`` for
    each group of elements that shares a scale. ``group`` elements along the input dimension
    share one (0: a whole row, the output channel); ``block`` > 0 instead gives square
    ``block x block`` tiles one scale each."""

    bits: float
    scale_bits: float = 0
    group: int = 0
    block: int = 0
    note: str = ""

    def matrix_bits(self, rows: int, columns: int) -> float:
        """Bits of one ``rows x columns`` weight matrix (rows: outputs, columns: inputs)."""
        if not self.scale_bits:
            scales = 0
        elif self.block:
            scales = math.ceil(rows / self.block) * math.ceil(columns / self.block)
        elif self.group:
            scales = rows * math.ceil(columns / self.group)
        else:
            scales = rows
        return rows * columns * self.bits + scales * self.scale_bits


SCHEMES: dict[str, Scheme] = {
    "fp32": Scheme(32), "bf16": Scheme(16), "fp16": Scheme(16),
    "int8": Scheme(8, scale_bits=16, note="one bf16 scale per output channel"),
    "fp8": Scheme(8, scale_bits=32, block=128, note="an fp32 scale per 128 x 128 tile, as DeepSeek-V3 stores its weights"),
    "int4": Scheme(4, scale_bits=20, group=128, note="groups of 128 inputs with a 16-bit scale and a 4-bit zero point (GPTQ, AWQ)"),
    "nf4": Scheme(4, scale_bits=8 + 32 / 256, group=64,
                  note="blocks of 64 with an 8-bit scale, itself scaled in fp32 per 256 blocks (QLoRA's double quantisation)"),
    "mxfp4": Scheme(4, scale_bits=8, group=32, note="OCP microscaling: blocks of 32 with a shared 8-bit power-of-two scale"),
}


@figure(unit="number")
def bits_per_weight(scheme: str, inputs: int = 4096, outputs: int = 4096) -> float:
    """Bits one weight takes in a storage scheme, its scales included, for an ``outputs x inputs``
    matrix (the default 4096 x 4096 divides by every group and block size)."""
    chosen = _scheme(scheme)
    return chosen.matrix_bits(outputs, inputs) / (outputs * inputs)


@figure(unit="bytes")
def weight_memory(model: nn.Module, scheme: str = "bf16", keep: str = "bf16", only: str = "linear") -> int:
    """Bytes of the weights stored in ``scheme`` (see SCHEMES), scales included. ``only``: which
    weights the scheme stores: ``linear`` (every linear layer and routed expert but the output head)
    or ``experts`` (the routed experts alone, as gpt-oss ships); the rest stays in ``keep``."""
    chosen, kept = _scheme(scheme), _scheme(keep)
    if only not in ("linear", "experts"):
        raise RegistryError(f'only must be "linear" or "experts", got {only}')
    if kept.scale_bits:
        raise RegistryError(f"keep must be a plain format (fp32, bf16, fp16), got {keep}")
    bits = 0.0
    stored = 0
    for rows, columns, count in quantisable_matrices(model, experts_only=only == "experts"):
        bits += chosen.matrix_bits(rows, columns) * count
        stored += rows * columns * count
    bits += (params(model) - stored) * kept.bits
    return math.ceil(bits / 8)


@figure(unit="bytes")
def kv_cache_memory(model: nn.Module, tokens: int, batch: int = 1, dtype: str = "bf16", latent: bool = True) -> int:
    """Bytes of the key-value cache after ``tokens`` tokens in each of ``batch`` sequences.
    Multi-head latent attention caches its latent (``latent=False``: the per-head keys and values
    it expands to, what a cache without the latent trick would hold)."""
    if tokens < 0 or batch < 1:
        raise RegistryError(f"tokens must be 0 or more and batch 1 or more, got {tokens} and {batch}")
    per_token = kv_cache_per_token_elements(model, latent)
    config = _config(model)
    window = getattr(config, "sliding_window", None)
    total = 0
    for layer, elements in enumerate(per_token):
        kept = min(tokens, window - 1) if window and _is_sliding(config, layer) else tokens
        total += elements * kept
    return math.ceil(total * batch * _dtype_bytes(dtype))


@figure(unit="bytes")
def kv_cache_per_token(model: nn.Module, dtype: str = "bf16", latent: bool = True) -> int:
    """Bytes one token adds to the cache on every layer (sliding windows not yet full)."""
    return math.ceil(sum(kv_cache_per_token_elements(model, latent)) * _dtype_bytes(dtype))


@figure(unit="bytes")
def inference_memory(model: nn.Module, tokens: int = 0, batch: int = 1, scheme: str = "bf16",
                     cache: str = "bf16", only: str = "linear") -> int:
    """Weights in ``scheme`` plus the KV cache of ``batch`` sequences of ``tokens`` tokens in
    ``cache`` dtype. Activations and the framework's own buffers are not included."""
    weights = weight_memory(model, scheme, "bf16", only)
    return weights + (kv_cache_memory(model, tokens, batch, cache) if tokens else 0)


def kv_cache_per_token_elements(model: nn.Module, latent: bool = True) -> list[int]:
    """Elements one token adds to the cache, per layer (a layer without attention adds none)."""
    config = _config(model)
    layers = int(config.num_hidden_layers)
    kv_lora_rank = getattr(config, "kv_lora_rank", None)
    if kv_lora_rank:
        if latent:
            return [int(kv_lora_rank + config.qk_rope_head_dim)] * layers
        heads = int(config.num_key_value_heads or config.num_attention_heads)
        key = config.qk_nope_head_dim + config.qk_rope_head_dim
        return [int(heads * (key + config.v_head_dim))] * layers
    heads = int(config.num_attention_heads)
    kv_heads = int(getattr(config, "num_key_value_heads", None) or heads)
    head_dim = int(getattr(config, "head_dim", None) or config.hidden_size // heads)
    return [2 * kv_heads * head_dim] * layers


def quantisable_matrices(model: nn.Module, experts_only: bool) -> tuple[tuple[int, int, int], ...]:
    """(rows, columns, how many) of every matrix a quantised format stores: linear weights but
    the output head's, and routed experts' fused tensors read as one matrix per expert."""
    return remembered(model, ("quantisable matrices", experts_only), lambda: _matrices(model, experts_only))


def _matrices(model: nn.Module, experts_only: bool) -> tuple[tuple[int, int, int], ...]:
    get_head = getattr(model, "get_output_embeddings", None)
    head = get_head() if get_head else None
    matrices = []
    seen: set[int] = set()
    for name, module in model.named_modules():
        if "experts" in name.split(".")[-1:]:
            transposed = bool(getattr(module, "is_transposed", False))
            for tensor in module.parameters(recurse=False):
                if tensor.dim() == 3 and id(tensor) not in seen:
                    seen.add(id(tensor))
                    count, first, second = (int(size) for size in tensor.shape)
                    rows, columns = (second, first) if transposed else (first, second)
                    matrices.append((rows, columns, count))
        elif isinstance(module, nn.Linear) and module is not head:
            routed = routed_expert_path(name)
            if id(module.weight) not in seen and (routed or not experts_only):
                seen.add(id(module.weight))
                matrices.append((module.out_features, module.in_features, 1))
    return tuple(matrices)


def _is_sliding(config: Any, layer: int) -> bool:
    """Whether a layer attends over a sliding window: transformers' ``layer_types`` when the
    configuration lists them, otherwise every layer when it sets a window."""
    layer_types = getattr(config, "layer_types", None)
    if layer_types:
        return bool(layer_types[layer] == "sliding_attention")
    return bool(getattr(config, "use_sliding_window", True))


def _config(model: nn.Module) -> Any:
    config = getattr(model, "config", None)
    if config is None or not hasattr(config, "num_hidden_layers"):
        raise RegistryError("the KV cache needs a transformers language model with a configuration")
    return config.get_text_config() if hasattr(config, "get_text_config") else config


def _scheme(name: str) -> Scheme:
    if name not in SCHEMES:
        raise RegistryError(f"unknown storage scheme {name}; schemes are {', '.join(SCHEMES)}")
    return SCHEMES[name]


def _dtype_bytes(dtype: str) -> float:
    if dtype not in DTYPE_BYTES:
        raise RegistryError(f"unknown dtype {dtype}; known: {', '.join(DTYPE_BYTES)}")
    return DTYPE_BYTES[dtype]
