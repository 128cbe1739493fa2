"""kb's built-in figure functions, registered like any knowledge base's own.

Every figure is computed from the module itself, never from a formula over
a configuration, and each one names its convention:

- parameters are counted once per tensor object (``named_parameters`` keeps
  tied and shared tensors once), buffers are never parameters;
- MoE-active parameters follow total - (E - k) / E x routed-expert
  parameters, with experts found by name and shape, not module type;
- memory is bytes per parameter for a named training recipe;
- training FLOPs are 6 x N x D with N the active parameters a token multiplies:
  embedding tables are lookups and cost nothing (FLOPs, not MACs).
"""

from __future__ import annotations

from typing import Any

from torch import nn

from kb.runtime.errors import RegistryError
from kb.runtime.registry import figure
from kb.runtime.remembered import remembered

# Bytes per element of a stored tensor.
DTYPE_BYTES: dict[str, float] = {
    "fp64": 8, "float64": 8, "fp32": 4, "float32": 4, "tf32": 4,
    "fp16": 2, "float16": 2, "bf16": 2, "bfloat16": 2,
    "fp8": 1, "int8": 1, "int4": 0.5, "nf4": 0.5,
}

# Bytes per trainable parameter: (weights, gradients, optimizer state, fp32 master copy).
# Frozen parameters keep only their weights: no gradient, no optimizer state.
RECIPES: dict[str, tuple[int, int, int, int]] = {
    "fp32-adam": (4, 4, 8, 0),  # fp32 weights and grads, Adam m and v in fp32
    "mixed-adam": (2, 2, 8, 4),  # ZeRO paper: fp16/bf16 weights and grads, fp32 master, m, v
    "bf16-adam": (2, 2, 8, 0),  # bf16 weights and grads, fp32 Adam states, no master copy
    "fp32-sgd-momentum": (4, 4, 4, 0),
    "fp32-sgd": (4, 4, 0, 0),
}


@figure(unit="parameters")
def params(model: nn.Module) -> int:
    """All parameters; a tensor shared by several modules counts once; buffers excluded."""
    return remembered(model, ("params",), lambda: sum(int(p.numel()) for p in model.parameters()))


@figure(unit="parameters")
def trainable_params(model: nn.Module) -> int:
    """Parameters that training updates (``requires_grad``)."""
    return sum(int(p.numel()) for p in model.parameters() if p.requires_grad)


@figure(unit="parameters")
def frozen_params(model: nn.Module) -> int:
    """Parameters that training leaves alone (``requires_grad`` off)."""
    return sum(int(p.numel()) for p in model.parameters() if not p.requires_grad)


@figure(unit="number")
def trainable_fraction(model: nn.Module) -> float:
    """Trainable parameters as a fraction of all parameters (pin it as a percentage)."""
    total = params(model)
    return trainable_params(model) / total if total else 0.0


@figure(unit="number")
def buffer_elements(model: nn.Module) -> int:
    """Elements of the buffers (BatchNorm statistics, rotary inv_freq): saved state, not parameters."""
    return sum(int(b.numel()) for b in model.buffers())


@figure(unit="parameters")
def embedding_params(model: nn.Module) -> int:
    """Parameters of ``nn.Embedding`` modules (token and position tables), each tensor once."""
    seen: dict[int, int] = {}
    for module in model.modules():
        if isinstance(module, nn.Embedding):
            seen[id(module.weight)] = int(module.weight.numel())
    return sum(seen.values())


@figure(unit="parameters")
def non_embedding_params(model: nn.Module) -> int:
    """All parameters but the embedding tables. Convention: an untied output head is
    kept (as in transformers' ``exclude_embeddings``); a tied one is the embedding itself."""
    return params(model) - embedding_params(model)


def moe_shape(model: nn.Module, experts: int | None, top_k: int | None) -> tuple[int, int]:
    """The number of routed experts E and experts per token k, from the arguments or the model's config."""
    config = getattr(model, "config", None)
    e = experts or getattr(config, "num_local_experts", None) or getattr(config, "num_experts", None)
    k = top_k or getattr(config, "num_experts_per_tok", None)
    if not e or not k:
        raise RegistryError("cannot tell the number of experts and experts per token; pass experts= and top_k=")
    if not 0 < k <= e:
        raise RegistryError(f"top_k must be between 1 and experts ({e}), got {k}")
    return int(e), int(k)


def routed_expert_path(name: str) -> bool:
    """Whether a parameter's or module's dotted name runs through a component named ``experts``:
    how kb tells routed experts (shared experts are named otherwise in every family it counts)."""
    return "experts" in name.split(".")


def _routed_expert_params(model: nn.Module, experts: int) -> int:
    """Parameters under a module path component named ``experts``: fused 3-D tensors with a
    leading dimension E (transformers 5.x) or one module per expert. Shared experts are not routed."""
    return remembered(model, ("routed experts", experts), lambda: _count_routed(model, experts))


def _count_routed(model: nn.Module, experts: int) -> int:
    total = 0
    for name, parameter in model.named_parameters():
        if not routed_expert_path(name):
            continue
        parts = name.split(".")
        after = parts[parts.index("experts") + 1 :]
        fused = bool(after) and not after[0].isdigit()
        if fused and parameter.shape[0] != experts:
            raise RegistryError(f"{name} has leading dimension {parameter.shape[0]}, not the {experts} experts")
        total += int(parameter.numel())
    return total


def has_routed_experts(model: nn.Module) -> bool:
    """Whether a parameter lies under a module path component named ``experts``."""
    return remembered(model, ("has routed experts",),
                      lambda: any(routed_expert_path(name) for name, _ in model.named_parameters()))


@figure(unit="parameters")
def expert_params(model: nn.Module, experts: int | None = None) -> int:
    """Parameters of the routed experts, all of them."""
    e = experts or moe_shape(model, experts, 1)[0]
    return _routed_expert_params(model, e)


@figure(unit="parameters")
def active_params(model: nn.Module, experts: int | None = None, top_k: int | None = None, embedding: bool = True) -> int:
    """Parameters used for one token: total - (E - k) / E x routed-expert parameters. A dense model: all.
    ``embedding=False`` leaves out the input embedding tables, a lookup rather than a product (a table
    tied to the output head stays: the head multiplies by it), as OpenAI and DeepSeek count."""
    total = params(model)
    if has_routed_experts(model):
        e, k = moe_shape(model, experts, top_k)
        routed = _routed_expert_params(model, e)
        idle, remainder = divmod(routed * (e - k), e)
        if remainder:
            raise RegistryError(f"routed expert parameters ({routed}) are not a multiple of {e} experts")
        total -= idle
    return total if embedding else total - embedding_params(model) + _tied_head_params(model)


def _tied_head_params(model: nn.Module) -> int:
    """The output head's parameters when they are an embedding table's (a tied head), else 0."""
    get_head = getattr(model, "get_output_embeddings", None)
    head = get_head() if get_head else None
    weight = getattr(head, "weight", None)
    tied = weight is not None and any(
        weight is module.weight for module in model.modules() if isinstance(module, nn.Embedding))
    return int(weight.numel()) if tied and weight is not None else 0


@figure(unit="bytes")
def param_memory(model: nn.Module, dtype: str = "bf16") -> int:
    """Bytes to hold the parameters in ``dtype`` (buffers and activations not included)."""
    return _bytes(params(model), dtype)


@figure(unit="bytes")
def training_memory(model: nn.Module, recipe: str = "mixed-adam") -> int:
    """Bytes of weights, gradients, optimizer state and master weights under a training recipe
    (see RECIPES); frozen parameters hold weights only. Activations are not included."""
    if recipe not in RECIPES:
        raise RegistryError(f"unknown recipe {recipe}; recipes are {', '.join(RECIPES)}")
    weights, grads, state, master = RECIPES[recipe]
    trainable = trainable_params(model)
    frozen = params(model) - trainable
    return trainable * (weights + grads + state + master) + frozen * weights


@figure(unit="FLOPs")
def training_flops(model: nn.Module, tokens: float) -> int:
    """6 x N x D training FLOPs (forward 2, backward 4 per parameter and token), N the active
    parameters a token multiplies (``active_params(embedding=False)``: an embedding lookup costs
    nothing). Ignores the attention term that grows with sequence length."""
    if tokens <= 0:
        raise RegistryError(f"tokens must be positive, got {tokens}")
    return 6 * active_params(model, embedding=False) * int(tokens)


def _bytes(count: int, dtype: str) -> int:
    if dtype not in DTYPE_BYTES:
        raise RegistryError(f"unknown dtype {dtype}; known: {', '.join(DTYPE_BYTES)}")
    size: Any = count * DTYPE_BYTES[dtype]
    return int(size)
