"""Figure functions of the page "Scaling laws and compute" (content/sizing/).

The built-in ``training_flops`` is the 6 x N x D rule with N the active
parameters a token is multiplied by (the input embedding tables, a lookup, left
out; a tied output head kept). These add what the rule leaves out or what a page
compares it with:
the attention-score term that grows with sequence length, 6 x N x D over *all*
parameters of a mixture of experts, and the compute-optimal token budget of
Hoffmann et al. (about 20 tokens per parameter).
"""

from __future__ import annotations

from torch import nn

from kb.runtime import RegistryError, figure
from kb.runtime.builtin_figures import params


def _layers_and_width(model: nn.Module) -> tuple[int, int]:
    """Layers and model width of a transformers model, from its configuration."""
    config = getattr(model, "config", None)
    layers = getattr(config, "n_layer", None) or getattr(config, "num_hidden_layers", None)
    width = getattr(config, "n_embd", None) or getattr(config, "hidden_size", None)
    if not layers or not width:
        raise RegistryError("the model has no transformers configuration with its layers and width")
    return int(layers), int(width)


@figure(unit="FLOPs")
def attention_score_flops(model: nn.Module, tokens: float, seq_len: int) -> int:
    """Training FLOPs (forward and backward) of the two S x S products of attention (Q K^T and
    the weighted sum of V), which 6 x N x D leaves out: 12 x layers x S x width per token,
    counted in full as dense matrix products (torch's FlopCounterMode counts them so)."""
    if tokens <= 0 or seq_len <= 0:
        raise RegistryError("tokens and seq_len must be positive")
    layers, width = _layers_and_width(model)
    return 12 * layers * int(seq_len) * width * int(tokens)


@figure(unit="number")
def attention_share(model: nn.Module, seq_len: int) -> float:
    """The attention-score term as a fraction of 6 x N with N *all* parameters:
    (12 x layers x S x width) / (6 x N), both products counted in full (no causal halving)."""
    layers, width = _layers_and_width(model)
    return 12 * layers * int(seq_len) * width / (6 * params(model))


@figure(unit="FLOPs")
def training_flops_all_params(model: nn.Module, tokens: float) -> int:
    """6 x N x D with N *all* parameters, embeddings and idle experts included (what 6ND would
    wrongly give for a mixture of experts)."""
    if tokens <= 0:
        raise RegistryError(f"tokens must be positive, got {tokens}")
    return 6 * params(model) * int(tokens)


@figure(unit="number")
def compute_optimal_tokens(model: nn.Module, tokens_per_parameter: float = 20) -> float:
    """Training tokens for a compute-optimal run of this model's size in Hoffmann et al.'s
    rule of thumb: about 20 tokens per parameter."""
    return params(model) * tokens_per_parameter
