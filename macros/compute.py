"""Figure functions of the compute pages: FLOPs per token and attention variants
(content/sizing/ and content/concepts/); mixture-of-experts parts are in ``experts``.

Everything is read off the real models' tensors and configurations:

- the attention term of a token's FLOPs, from the heads and head widths the
  attention module multiplies (sliding-window layers attend to their window);
- attention parameters of one layer, from the layer's own module, and of a
  hypothetical layer built with transformers' ``LlamaAttention``.

Two counterfactual models live here as well: Llama 3.1 8B with its key-value
heads changed to 32 (multi-head attention) and to 1 (multi-query attention),
for the attention-variants page to compare with the real grouped-query model.
"""

from __future__ import annotations

from typing import Any

from torch import nn

from kb.runtime import RegistryError, build_transformers, figure, model
from kb.runtime.builtin_figures import active_params, params
from kb.runtime.flop_figures import decode_flops, flops_per_token, forward_flops
from kb.runtime.inference_figures import kv_cache_memory, kv_cache_per_token
from macros.decoder import attention_module, count_params, decoder_layers, text_config

# ---------------------------------------------------------------------------
# Counterfactual models: Llama 3.1 8B with other key-value head counts
# ---------------------------------------------------------------------------


def _llama_8b_with_kv_heads(kv_heads: int) -> nn.Module:
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=128256, hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
                         num_attention_heads=32, num_key_value_heads=kv_heads, max_position_embeddings=131072,
                         tie_word_embeddings=False)
    return build_transformers(LlamaForCausalLM, config)


@model("llama-3.1-8b-mha", source="Not a released model: Llama 3.1 8B's configuration (32 layers, hidden 4,096, "
       "32 heads of 128, feed-forward 14,336, vocabulary 128,256) with 32 key-value heads instead of 8, i.e. "
       "multi-head attention; transformers LlamaForCausalLM")
def llama_31_8b_mha() -> nn.Module:
    """Llama 3.1 8B as it would be with multi-head attention (one key-value head per query head)."""
    return _llama_8b_with_kv_heads(32)


@model("llama-3.1-8b-mqa", source="Not a released model: Llama 3.1 8B's configuration with a single key-value "
       "head shared by all 32 query heads, i.e. multi-query attention; transformers LlamaForCausalLM")
def llama_31_8b_mqa() -> nn.Module:
    """Llama 3.1 8B as it would be with multi-query attention (one key-value head for all query heads)."""
    return _llama_8b_with_kv_heads(1)


# ---------------------------------------------------------------------------
# Attention: parameters of one layer
# ---------------------------------------------------------------------------


@figure(unit="parameters")
def attention_layer_params(model: nn.Module, layer: int = 0) -> int:
    """Parameters of one layer's attention module (projections, their biases and any norms inside it)."""
    layers = decoder_layers(model)
    if not 0 <= layer < len(layers):
        raise RegistryError(f"layer must be between 0 and {len(layers) - 1}, got {layer}")
    return count_params(attention_module(layers[layer]))


@figure(unit="parameters")
def attention_params_all(model: nn.Module) -> int:
    """Parameters of the attention modules of all layers."""
    return sum(count_params(attention_module(layer)) for layer in decoder_layers(model))


@figure(unit="parameters")
def llama_attention_params(hidden: int, heads: int, kv_heads: int, head_dim: int = 0, bias: bool = False) -> int:
    """Parameters of transformers' ``LlamaAttention`` built on the meta device with these heads:
    a query projection for ``heads`` heads, key and value projections for ``kv_heads`` heads and an
    output projection (``head_dim`` defaults to hidden / heads)."""
    import torch
    from transformers import LlamaConfig
    from transformers.models.llama.modeling_llama import LlamaAttention

    if heads % kv_heads:
        raise RegistryError(f"the query heads ({heads}) must be a multiple of the key-value heads ({kv_heads})")
    config = LlamaConfig(hidden_size=hidden, num_attention_heads=heads, num_key_value_heads=kv_heads,
                         head_dim=head_dim or hidden // heads, attention_bias=bias)
    with torch.device("meta"):
        return count_params(LlamaAttention(config, layer_idx=0))


@figure(unit="number")
def kv_cache_ratio(model: nn.Module, other: str, dtype: str = "bf16") -> float:
    """How many times more cache one token takes in ``other`` (a registered model) than in this model."""
    from kb.runtime import build_model

    return kv_cache_per_token(build_model(other), dtype) / kv_cache_per_token(model, dtype)


@figure(unit="bytes")
def kv_cache_all_global(model: nn.Module, tokens: int, batch: int = 1, dtype: str = "bf16") -> int:
    """The KV cache the model would hold if every layer attended to the whole context (its
    sliding windows ignored): bytes per token x tokens x batch."""
    return kv_cache_per_token(model, dtype) * int(tokens) * int(batch)


# ---------------------------------------------------------------------------
# FLOPs: the attention term, prefill and decode
# ---------------------------------------------------------------------------


def _head_dims(config: Any, latent: bool) -> tuple[int, int, int]:
    """(query heads, query-key width, value width) per head and key, as the attention products see them.

    Multi-head latent attention: with ``latent`` (DeepSeek's inference code, which caches the latent) the
    up-projection is absorbed into the query and the output, so every head scores the cached latent and
    rotary key (rank + rotary width) and sums the latents (rank); without it, the heads' expanded keys
    (no-rope + rotary width) and values."""
    heads = int(getattr(config, "num_attention_heads", None) or config.n_head)
    rank = getattr(config, "kv_lora_rank", None)
    if rank:
        if latent:
            return heads, int(rank + config.qk_rope_head_dim), int(rank)
        return heads, int(config.qk_nope_head_dim + config.qk_rope_head_dim), int(config.v_head_dim)
    hidden = int(getattr(config, "hidden_size", None) or config.n_embd)
    head_dim = int(getattr(config, "head_dim", None) or hidden // heads)
    return heads, head_dim, head_dim


def _windows(config: Any, layers: int) -> list[int | None]:
    """Each layer's sliding window (None: the full context), as transformers reads the configuration."""
    window = getattr(config, "sliding_window", None)
    if not window:
        return [None] * layers
    types = getattr(config, "layer_types", None)
    if types:
        return [int(window) if kind == "sliding_attention" else None for kind in types]
    return [int(window) if getattr(config, "use_sliding_window", True) else None] * layers


def _attention_shape(model: nn.Module, latent: bool = True) -> tuple[int, int, int, list[int | None]]:
    config = text_config(model)
    heads, qk, v = _head_dims(config, latent)
    layers = int(getattr(config, "num_hidden_layers", None) or config.n_layer)
    return heads, qk, v, _windows(config, layers)


@figure(unit="FLOPs")
def attention_flops_per_token(model: nn.Module, keys: int, latent: bool = True) -> int:
    """FLOPs of the two attention products for one query token that attends to ``keys`` tokens
    (itself included): per layer 2 x keys x heads x (query-key width + value width), i.e.
    2 x 2 x keys x attention width when both widths are equal; a sliding-window layer attends
    to at most its window. Not in 2N: no parameter stands for these products. For multi-head
    latent attention see ``_head_dims`` (``latent=False``: the expanded heads)."""
    if keys < 1:
        raise RegistryError(f"keys must be 1 or more, got {keys}")
    heads, qk, v, windows = _attention_shape(model, latent)
    return sum(2 * min(keys, w or keys) * heads * (qk + v) for w in windows)


@figure(unit="FLOPs")
def decode_flops_estimate(model: nn.Module, context: int, latent: bool = True) -> int:
    """FLOPs to generate one token after ``context`` cached tokens, for any model, mixture of
    experts included: 2 x active parameters (input embedding left out) plus the attention over
    context + 1 keys."""
    return flops_per_token(model) + attention_flops_per_token(model, context + 1, latent)


@figure(unit="number")
def decode_attention_share(model: nn.Module, context: int, latent: bool = True) -> float:
    """The attention term's share of the FLOPs of one decoded token after ``context`` cached tokens."""
    return attention_flops_per_token(model, context + 1, latent) / decode_flops_estimate(model, context, latent)


@figure(unit="FLOPs")
def prefill_flops_per_token(model: nn.Module, tokens: int) -> float:
    """Measured FLOPs of a prefill of ``tokens`` tokens (forward_flops), divided by the tokens."""
    return forward_flops(model, tokens=tokens) / tokens


@figure(unit="FLOPs")
def masked_attention_flops(model: nn.Module, tokens: int) -> int:
    """FLOPs that a prefill counted over every query-key pair spends on pairs a causal mask (or a
    sliding window) throws away: what a kernel that skips masked blocks does not compute."""
    heads, qk, v, windows = _attention_shape(model, latent=False)  # a prefill runs the expanded heads
    total = 0
    for window in windows:
        w = window or tokens
        needed = sum(min(i, w) for i in range(1, tokens + 1)) if window else tokens * (tokens + 1) // 2
        total += 2 * (tokens * tokens - needed) * heads * (qk + v)
    return total


@figure(unit="FLOPs")
def causal_prefill_flops(model: nn.Module, tokens: int) -> int:
    """The measured prefill (forward_flops) less the masked query-key pairs: what a causal-aware
    attention kernel computes."""
    return forward_flops(model, tokens=tokens) - masked_attention_flops(model, tokens)


def _weight_bytes(model: nn.Module) -> int:
    """bf16 bytes of the weights a token is multiplied by (the input embedding is a lookup of one row)."""
    return 2 * active_params(model, embedding=False)


@figure(unit="number")
def decode_intensity(model: nn.Module, context: int, batch: int = 1) -> float:
    """FLOPs per byte of one decoding step: measured decode FLOPs of ``batch`` sequences after
    ``context`` tokens, over the bytes that must at least be read once: the bf16 weights that multiply
    (input embedding aside) and the bf16 KV cache. Activations and re-reads are ignored, so real
    traffic is higher and the real intensity lower."""
    flops = decode_flops(model, context, batch)
    return flops / (_weight_bytes(model) + kv_cache_memory(model, context, batch))


@figure(unit="number")
def prefill_intensity(model: nn.Module, tokens: int, batch: int = 1) -> float:
    """FLOPs per byte of a prefill: measured forward FLOPs over the bf16 weights (read once) and the
    KV cache written, with the same floor on the bytes as ``decode_intensity``."""
    flops = forward_flops(model, tokens=tokens, batch=batch)
    return flops / (_weight_bytes(model) + kv_cache_memory(model, tokens, batch))


@figure(unit="number")
def flops_per_published_mac(model: nn.Module, image: int, macs: float) -> float:
    """The measured forward FLOPs of one ``image`` x ``image`` image divided by a published count of
    multiply-accumulates (torchvision's "GFLOPS" column): 2 when the publisher counted MACs."""
    return forward_flops(model, image=image) / macs


@figure(unit="number")
def flops_per_parameter(model: nn.Module, image: int) -> float:
    """Measured forward FLOPs of one ``image`` x ``image`` image per parameter: a convolution reuses
    each weight at every position of its output, so the ratio is far above the 2 of a token."""
    return forward_flops(model, image=image) / params(model)


@figure(unit="FLOPs")
def training_flops_charging_embedding(model: nn.Module, tokens: float) -> int:
    """6 x N x D with N the active parameters *including* the input embedding table: what charging
    the embedding lookup as if it were a matrix product gives (an overcount, shown for comparison)."""
    if tokens <= 0:
        raise RegistryError(f"tokens must be positive, got {tokens}")
    return 6 * active_params(model) * int(tokens)


@figure(unit="number")
def all_to_active_compute(model: nn.Module) -> float:
    """How many times too large 6 x N x D comes out when N is all parameters instead of the active
    parameters without the input embedding (the N training FLOPs use)."""
    return params(model) / active_params(model, embedding=False)


@figure(unit="number")
def kv_cache_latent_saving(model: nn.Module, dtype: str = "bf16") -> float:
    """For multi-head latent attention: how many times more cache a token would take with every
    head's keys and values expanded than with the latent and the rotary key."""
    return kv_cache_per_token(model, dtype, latent=False) / kv_cache_per_token(model, dtype, latent=True)
