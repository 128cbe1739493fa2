"""Figure functions of the page "Parameter-efficient fine-tuning and LoRA".

LoRA's own counts are ``lora_params`` and ``lora_reduction`` (in ``figures.py``),
and LoRA with a separate rank per attention matrix is ``lora_attention_params``
(in ``training.py``). This module adds the share of the adapted model that
trains, and the counts of the other methods the page compares: bias-only
tuning (BitFit), bottleneck adapters (Houlsby et al.) and prefix tuning
(Li and Liang). The first line of each docstring is the figure's one-line
description, so it is a whole sentence.
"""

from __future__ import annotations

from torch import nn

from kb.runtime import RegistryError, figure
from kb.runtime.builtin_figures import params

from .figures import lora_params
from .scaling import _layers_and_width


@figure(unit="number")
def lora_fraction(model: nn.Module, rank: int, targets: list[str], fused: int = 1, adapted: int = 1) -> float:
    """Share of the adapted model's parameters that LoRA trains, the base frozen.

    LoRA parameters / (base + LoRA parameters); pin it as a percentage."""
    added = lora_params(model, rank, targets, fused, adapted)
    return added / (params(model) + added)


@figure(unit="parameters")
def bias_params(model: nn.Module) -> int:
    """Bias parameters of a model: what BitFit trains, the task head aside.

    Every parameter whose name ends in "bias": linear, convolution and normalization biases."""
    return sum(int(p.numel()) for name, p in model.named_parameters() if name.split(".")[-1] == "bias")


@figure(unit="number")
def bias_fraction(model: nn.Module) -> float:
    """Bias parameters as a fraction of all parameters; pin it as a percentage."""
    return bias_params(model) / params(model)


@figure(unit="parameters")
def adapter_params(model: nn.Module, bottleneck: int, per_layer: int = 2) -> int:
    """Parameters of Houlsby-style bottleneck adapters added to every transformer layer.

    Each adapter is a down-projection (width x m + m) and an up-projection (m x width + width),
    with m the bottleneck; ``per_layer`` adapters per layer (two: after attention and after the MLP)."""
    if bottleneck <= 0 or per_layer <= 0:
        raise RegistryError("bottleneck and per_layer must be positive")
    layers, width = _layers_and_width(model)
    return layers * per_layer * (2 * width * bottleneck + width + bottleneck)


@figure(unit="number")
def adapter_fraction(model: nn.Module, bottleneck: int, per_layer: int = 2) -> float:
    """Share of the adapted model's parameters that the adapters make up, the base frozen.

    Adapter parameters / (base + adapter parameters); pin it as a percentage."""
    added = adapter_params(model, bottleneck, per_layer)
    return added / (params(model) + added)


@figure(unit="parameters")
def prefix_params(model: nn.Module, length: int) -> int:
    """Parameters of prefix tuning after training: a key and a value vector per prefix position and layer.

    Each vector has the model's width; ``length`` positions in every layer. The reparametrizing MLP
    used while training is dropped and not counted."""
    if length <= 0:
        raise RegistryError("length must be positive")
    layers, width = _layers_and_width(model)
    return layers * 2 * int(length) * width


@figure(unit="number")
def prefix_fraction(model: nn.Module, length: int) -> float:
    """Share of the adapted model's parameters that the prefix makes up, the base frozen.

    Prefix parameters / (base + prefix parameters); pin it as a percentage."""
    added = prefix_params(model, length)
    return added / (params(model) + added)
