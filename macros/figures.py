"""Figure functions of this knowledge base, beyond kb's built-ins.

Each computes its number from a model or from the arithmetic a page states,
so the page can pin it and the build checks it."""

from __future__ import annotations

from decimal import Decimal

from torch import nn

from kb.runtime import RegistryError, figure
from kb.runtime.builtin_figures import DTYPE_BYTES, RECIPES, params


@figure(unit="bytes")
def bytes_per_parameter(recipe: str = "mixed-adam") -> int:
    """Bytes each trainable parameter needs under a training recipe (weights, gradients,
    optimizer state, master copy), activations aside."""
    if recipe not in RECIPES:
        raise RegistryError(f"unknown recipe {recipe}; recipes are {', '.join(RECIPES)}")
    return sum(RECIPES[recipe])


@figure(unit="bytes")
def dtype_bytes(dtype: str) -> float:
    """Bytes per element of a dtype (fp32 4, bf16 2, int8 1, int4 0.5)."""
    if dtype not in DTYPE_BYTES:
        raise RegistryError(f"unknown dtype {dtype}")
    return DTYPE_BYTES[dtype]


@figure(unit="bytes")
def memory_for(parameters: float, bytes_each: float) -> int:
    """Bytes for a stated number of parameters at a stated number of bytes each
    (for models the knowledge base cannot build, such as a generic 7B model)."""
    return round(Decimal(str(parameters)) * Decimal(str(bytes_each)))


@figure(unit="FLOPs")
def flops_6nd(parameters: float, tokens: float) -> int:
    """6 x N x D for a stated N and D, when no model of that size is registered."""
    return round(6 * Decimal(str(parameters)) * Decimal(str(tokens)))


@figure(unit="number")
def tokens_per_parameter(tokens: float, parameters: float) -> float:
    """Training tokens per parameter (Chinchilla's compute-optimal ratio is about 20)."""
    return tokens / parameters


@figure(unit="number")
def ratio(numerator: float, denominator: float) -> float:
    """A ratio of two stated numbers (for comparisons a page makes in words)."""
    return numerator / denominator


def _adapted(model: nn.Module, targets: list[str], fused: int) -> list[tuple[int, int]]:
    """(fan-in, fan-out) of every weight LoRA adapts: linear layers whose name ends with a target.
    ``fused``: a projection computing several outputs at once (GPT-2's c_attn holds q, k and v)."""
    shapes = []
    for name, module in model.named_modules():
        if not any(name == t or name.endswith("." + t) for t in targets):
            continue
        weight = getattr(module, "weight", None)
        if weight is None or weight.dim() != 2:
            raise RegistryError(f"{name} has no two-dimensional weight to adapt")
        fan_in, fan_out = (weight.shape[1], weight.shape[0]) if isinstance(module, nn.Linear) else (weight.shape[0], weight.shape[1])
        shapes.append((int(fan_in), int(fan_out) // fused))
    if not shapes:
        raise RegistryError(f"no layer of the model is named {', '.join(targets)}")
    return shapes


@figure(unit="parameters")
def lora_params(model: nn.Module, rank: int, targets: list[str], fused: int = 1, adapted: int = 1) -> int:
    """Trainable parameters LoRA adds: rank x (fan-in + fan-out) per adapted matrix. With a fused
    projection (``fused`` outputs in one layer), ``adapted`` of its parts get an adapter each."""
    return sum(rank * (fan_in + fan_out) * adapted for fan_in, fan_out in _adapted(model, targets, fused))


@figure(unit="number")
def lora_reduction(model: nn.Module, rank: int, targets: list[str], fused: int = 1, adapted: int = 1) -> float:
    """How many times fewer parameters train with LoRA than with full fine-tuning."""
    return params(model) / lora_params(model, rank, targets, fused, adapted)
