"""Figure functions of the compute pages: FLOPs per token, fine-grained and shared
experts, and attention variants (content/sizing/ and content/concepts/).

Everything is read off the real models' tensors and configurations:

- the parts of a mixture-of-experts model (shared experts, dense feed-forward
  layers, routers, one routed expert) by module path and tensor shape;
- the attention term of a token's FLOPs, from the heads and head widths the
  attention module multiplies (sliding-window layers attend to their window);
- attention parameters of one layer, from the layer's own module, and of a
  hypothetical layer built with transformers' ``LlamaAttention``.

Two counterfactual models live here as well: Llama 3.1 8B with its key-value
heads changed to 32 (multi-head attention) and to 1 (multi-query attention),
for the attention-variants page to compare with the real grouped-query model.
"""

from __future__ import annotations

import math
from typing import Any

from torch import nn

from kb.runtime import RegistryError, build_transformers, figure, model
from kb.runtime.builtin_figures import active_params, expert_params, moe_shape, params
from kb.runtime.flop_figures import decode_flops, flops_per_token, forward_flops
from kb.runtime.inference_figures import kv_cache_memory, kv_cache_per_token

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
# Reading a transformers decoder: its layers, attention and feed-forward modules
# ---------------------------------------------------------------------------


def _config(model: nn.Module) -> Any:
    config = getattr(model, "config", None)
    if config is None:
        raise RegistryError("the model has no transformers configuration")
    return config.get_text_config() if hasattr(config, "get_text_config") else config


def _layers(model: nn.Module) -> list[nn.Module]:
    """The decoder layers: ``model.layers`` (Llama, Mixtral, DeepSeek, ...) or ``transformer.h`` (GPT-2)."""
    for path in ("model.layers", "transformer.h", "layers", "h"):
        node: Any = model
        for part in path.split("."):
            node = getattr(node, part, None)
            if node is None:
                break
        if isinstance(node, nn.ModuleList):
            return list(node)
    raise RegistryError("cannot find the decoder layers (model.layers or transformer.h)")


def _attention(layer: nn.Module) -> nn.Module:
    return _child(layer, ("self_attn", "attn", "attention"), "the layer has no attention module (self_attn or attn)")


def _feed_forward(layer: nn.Module) -> nn.Module:
    return _child(layer, ("mlp", "block_sparse_moe", "feed_forward"), "the layer has no feed-forward module (mlp)")


def _child(layer: nn.Module, names: tuple[str, ...], missing: str) -> nn.Module:
    """The first of ``names`` that is a submodule of ``layer`` (model families name them differently)."""
    for name in names:
        module = getattr(layer, name, None)
        if isinstance(module, nn.Module):
            return module
    raise RegistryError(missing)


def _count(module: nn.Module) -> int:
    return sum(int(p.numel()) for p in module.parameters())


def _has_experts(layer: nn.Module) -> bool:
    return any("experts" in name.split(".") for name, _ in _feed_forward(layer).named_parameters())


def _moe_layers(model: nn.Module) -> list[nn.Module]:
    layers = [layer for layer in _layers(model) if _has_experts(layer)]
    if not layers:
        raise RegistryError("the model has no routed experts")
    return layers


def _under(module: nn.Module, component: str) -> int:
    """Parameters of ``module`` whose path has ``component`` as one of its parts."""
    return sum(int(p.numel()) for name, p in module.named_parameters() if component in name.split("."))


# ---------------------------------------------------------------------------
# Mixture of experts: the parts
# ---------------------------------------------------------------------------


@figure(unit="number")
def moe_layer_count(model: nn.Module) -> int:
    """Layers whose feed-forward block holds routed experts."""
    return len(_moe_layers(model))


@figure(unit="number")
def dense_layer_count(model: nn.Module) -> int:
    """Layers whose feed-forward block is an ordinary dense one (no routed experts)."""
    return sum(1 for layer in _layers(model) if not _has_experts(layer))


@figure(unit="parameters")
def dense_ffn_params(model: nn.Module) -> int:
    """Parameters of the dense feed-forward blocks of the layers that have no routed experts
    (DeepSeek-V3's first three layers, Kimi K2's first)."""
    return sum(_count(_feed_forward(layer)) for layer in _layers(model) if not _has_experts(layer))


@figure(unit="parameters")
def shared_expert_params(model: nn.Module) -> int:
    """Parameters of the shared experts (module ``shared_experts``) in all layers: every token uses them."""
    return sum(_under(_feed_forward(layer), "shared_experts") for layer in _layers(model))


@figure(unit="parameters")
def router_params(model: nn.Module) -> int:
    """Parameters of the routers of all MoE layers: what the feed-forward block holds outside its
    routed and shared experts (a linear layer scoring every expert, and gpt-oss's bias)."""
    total = 0
    for layer in _moe_layers(model):
        block = _feed_forward(layer)
        total += sum(int(p.numel()) for name, p in block.named_parameters()
                     if not {"experts", "shared_experts"} & set(name.split(".")))
    return total


@figure(unit="parameters")
def expert_bias_params(model: nn.Module) -> int:
    """Bias parameters inside the routed experts (gpt-oss's experts have biases; most have none)."""
    return sum(int(p.numel()) for name, p in model.named_parameters()
               if "experts" in name.split(".") and "bias" in name.split(".")[-1])


@figure(unit="parameters")
def one_expert_params(model: nn.Module) -> int:
    """One routed expert in one layer: the routed-expert parameters of the first MoE layer / E."""
    e, _ = moe_shape(model, None, 1)
    per_layer = _under(_feed_forward(_moe_layers(model)[0]), "experts")
    if per_layer % e:
        raise RegistryError(f"expert parameters of one layer ({per_layer}) are not a multiple of {e}")
    return per_layer // e


@figure(unit="number")
def expert_width(model: nn.Module) -> int:
    """The hidden width of one routed expert, read off its fused gate-and-up tensor:
    elements per expert / (2 x model width)."""
    hidden = int(_config(model).hidden_size)
    e, _ = moe_shape(model, None, 1)
    for name, p in _feed_forward(_moe_layers(model)[0]).named_parameters():
        if name.split(".")[-1] == "gate_up_proj":
            return int(p.numel()) // e // (2 * hidden)
    raise RegistryError("the experts have no fused gate_up_proj tensor")


@figure(unit="parameters")
def routed_active_params(model: nn.Module) -> int:
    """Routed-expert parameters one token uses: k / E x all routed-expert parameters."""
    e, k = moe_shape(model, None, None)
    return expert_params(model) * k // e


@figure(unit="number")
def active_fraction(model: nn.Module, embedding: bool = True) -> float:
    """Active parameters as a fraction of all parameters (pin it as a percentage)."""
    return active_params(model, embedding=embedding) / params(model)


@figure(unit="number")
def total_per_active(model: nn.Module) -> float:
    """How many stored parameters there are per parameter a token uses: total / active."""
    return params(model) / active_params(model)


@figure(unit="number")
def expert_combinations(model: nn.Module, grouped: bool = True) -> int:
    """How many different sets of k experts the router of one MoE layer can choose. With group-limited
    routing (DeepSeek-V3: 8 groups, a token's experts drawn from at most 4 of them) only the sets
    that touch at most ``topk_group`` groups count (``grouped=False``: C(E, k), the limit ignored)."""
    e, k = moe_shape(model, None, None)
    config = _config(model)
    groups = int(getattr(config, "n_group", None) or 1)
    allowed = int(getattr(config, "topk_group", None) or groups)
    if not grouped or groups <= 1 or allowed >= groups:
        return math.comb(e, k)
    size = e // groups

    def touching_exactly(j: int) -> int:  # k-sets within j given groups that touch all j of them
        return sum((-1) ** i * math.comb(j, i) * math.comb((j - i) * size, k) for i in range(j + 1))

    return sum(math.comb(groups, j) * touching_exactly(j) for j in range(1, allowed + 1))


# ---------------------------------------------------------------------------
# Attention: parameters of one layer
# ---------------------------------------------------------------------------


@figure(unit="parameters")
def attention_layer_params(model: nn.Module, layer: int = 0) -> int:
    """Parameters of one layer's attention module (projections, their biases and any norms inside it)."""
    layers = _layers(model)
    if not 0 <= layer < len(layers):
        raise RegistryError(f"layer must be between 0 and {len(layers) - 1}, got {layer}")
    return _count(_attention(layers[layer]))


@figure(unit="parameters")
def attention_params_all(model: nn.Module) -> int:
    """Parameters of the attention modules of all layers."""
    return sum(_count(_attention(layer)) for layer in _layers(model))


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
        return _count(LlamaAttention(config, layer_idx=0))


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
    config = _config(model)
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
