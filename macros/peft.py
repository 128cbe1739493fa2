"""Figure functions of the page "Parameter-efficient fine-tuning and LoRA" (content/techniques/).

LoRA's own counts are ``lora_params`` and ``lora_reduction`` in macros/figures.py;
these add the share of the adapted model that trains, and the counts of the
other methods the page compares: bias-only tuning (BitFit), bottleneck
adapters (Houlsby et al.) and prefix tuning (Li and Liang).
"""

from __future__ import annotations

from torch import nn

from kb.runtime import RegistryError, figure
from kb.runtime.builtin_figures import params

from .figures import lora_params
from .scaling import _layers_and_width


@figure(unit="number")
def lora_fraction(model: nn.Module, rank: int, targets: list[str], fused: int = 1, adapted: int = 1) -> float:
    """Trainable share of the model once LoRA is added: LoRA parameters / (base + LoRA parameters),
    the base frozen (pin it as a percentage)."""
    added = lora_params(model, rank, targets, fused, adapted)
    return added / (params(model) + added)


@figure(unit="parameters")
def bias_params(model: nn.Module) -> int:
    """Parameters whose name ends in "bias" (linear, convolution and normalization biases):
    what BitFit trains, the task head aside."""
    return sum(int(p.numel()) for name, p in model.named_parameters() if name.split(".")[-1] == "bias")


@figure(unit="number")
def bias_fraction(model: nn.Module) -> float:
    """Bias parameters as a fraction of all parameters (pin it as a percentage)."""
    return bias_params(model) / params(model)


@figure(unit="parameters")
def adapter_params(model: nn.Module, bottleneck: int, per_layer: int = 2) -> int:
    """Houlsby-style bottleneck adapters: per adapter a down-projection (width x m + m) and an
    up-projection (m x width + width); ``per_layer`` adapters in every transformer layer."""
    if bottleneck <= 0 or per_layer <= 0:
        raise RegistryError("bottleneck and per_layer must be positive")
    layers, width = _layers_and_width(model)
    return layers * per_layer * (2 * width * bottleneck + width + bottleneck)


@figure(unit="number")
def adapter_fraction(model: nn.Module, bottleneck: int, per_layer: int = 2) -> float:
    """Adapter parameters / (base + adapter parameters), the base frozen."""
    added = adapter_params(model, bottleneck, per_layer)
    return added / (params(model) + added)


@figure(unit="parameters")
def prefix_params(model: nn.Module, length: int) -> int:
    """Prefix tuning after training: a key and a value vector of the model's width for each of
    ``length`` prefix positions in every layer (the reparametrizing MLP used while training is dropped)."""
    if length <= 0:
        raise RegistryError("length must be positive")
    layers, width = _layers_and_width(model)
    return layers * 2 * int(length) * width


@figure(unit="number")
def prefix_fraction(model: nn.Module, length: int) -> float:
    """Prefix parameters / (base + prefix parameters)."""
    added = prefix_params(model, length)
    return added / (params(model) + added)
