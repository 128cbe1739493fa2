"""Figure functions for mixture-of-experts models (content/sizing/mixture-of-experts.md and
fine-grained-and-shared-experts.md): the parts of a model read by module path and tensor
shape: shared experts, dense feed-forward layers, routers, one routed expert."""

from __future__ import annotations

import math

from torch import nn

from kb.runtime import RegistryError, figure
from kb.runtime.builtin_figures import active_params, expert_params, moe_shape, params
from macros.decoder import count_params, decoder_layers, feed_forward_module, text_config


def _has_experts(layer: nn.Module) -> bool:
    return any("experts" in name.split(".") for name, _ in feed_forward_module(layer).named_parameters())


def _moe_layers(model: nn.Module) -> list[nn.Module]:
    layers = [layer for layer in decoder_layers(model) if _has_experts(layer)]
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
    return sum(1 for layer in decoder_layers(model) if not _has_experts(layer))


@figure(unit="parameters")
def dense_ffn_params(model: nn.Module) -> int:
    """Parameters of the dense feed-forward blocks of the layers that have no routed experts
    (DeepSeek-V3's first three layers, Kimi K2's first)."""
    return sum(count_params(feed_forward_module(layer)) for layer in decoder_layers(model) if not _has_experts(layer))


@figure(unit="parameters")
def shared_expert_params(model: nn.Module) -> int:
    """Parameters of the shared experts (module ``shared_experts``) in all layers: every token uses them."""
    return sum(_under(feed_forward_module(layer), "shared_experts") for layer in decoder_layers(model))


@figure(unit="parameters")
def router_params(model: nn.Module) -> int:
    """Parameters of the routers of all MoE layers: what the feed-forward block holds outside its
    routed and shared experts (a linear layer scoring every expert, and gpt-oss's bias)."""
    total = 0
    for layer in _moe_layers(model):
        block = feed_forward_module(layer)
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
    per_layer = _under(feed_forward_module(_moe_layers(model)[0]), "experts")
    if per_layer % e:
        raise RegistryError(f"expert parameters of one layer ({per_layer}) are not a multiple of {e}")
    return per_layer // e


@figure(unit="number")
def expert_width(model: nn.Module) -> int:
    """The hidden width of one routed expert, read off its fused gate-and-up tensor:
    elements per expert / (2 x model width)."""
    hidden = int(text_config(model).hidden_size)
    e, _ = moe_shape(model, None, 1)
    for name, p in feed_forward_module(_moe_layers(model)[0]).named_parameters():
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
    config = text_config(model)
    groups = int(getattr(config, "n_group", None) or 1)
    allowed = int(getattr(config, "topk_group", None) or groups)
    if not grouped or groups <= 1 or allowed >= groups:
        return math.comb(e, k)
    size = e // groups

    def touching_exactly(j: int) -> int:  # k-sets within j given groups that touch all j of them
        return sum((-1) ** i * math.comb(j, i) * math.comb((j - i) * size, k) for i in range(j + 1))

    return sum(math.comb(groups, j) * touching_exactly(j) for j in range(1, allowed + 1))
