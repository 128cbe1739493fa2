"""Figure functions of the training pages: what a training step keeps in memory.

Four groups, each the arithmetic one page states in words:

- how many bytes per trainable parameter a mixed-precision stack keeps, by what
  it stores (the ZeRO paper's minimum, the Hugging Face accounting, both
  gradient copies);
- optimizer state: Adam, SGD with momentum, 8-bit Adam's block-wise states,
  Adafactor's factored second moment, and ZeRO's per-GPU model states;
- activations kept for the backward pass: Korthikanti et al.'s per-layer
  formula with and without recomputation, and the output layer's logits;
- LoRA on GPT-3's attention matrices, with a separate rank for each of the
  query, key, value and output projections, as the LoRA paper's tables use.

Every function works on a model the knowledge base builds (on the meta device)
or on numbers a page states, so each figure can be pinned and checked.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from torch import nn

from kb.runtime import RegistryError, figure

# ---------------------------------------------------------------------------
# Bytes per trainable parameter in mixed precision, by what a stack keeps
# ---------------------------------------------------------------------------

_LAYOUT_PARTS = ("weights16", "master", "grads16", "grads32", "states")

# (16-bit weights, fp32 master weights, 16-bit gradients, fp32 gradients, Adam's two fp32 states)
LAYOUTS: dict[str, tuple[int, int, int, int, int]] = {
    "zero": (2, 4, 2, 0, 8),  # Rajbhandari et al. 2020, section 3.1: 16 bytes, the textbook minimum
    "hf-mixed-adamw": (2, 4, 0, 4, 8),  # transformers' "Model training anatomy": 6 + 4 + 8 = 18 bytes
    "both-gradients": (2, 4, 2, 4, 8),  # 16-bit gradients kept beside their fp32 copy until the step: 20 bytes
    "autocast": (0, 4, 0, 4, 8),  # torch.autocast: fp32 weights and gradients, 16-bit compute only
}


def _layout(layout: str) -> tuple[int, int, int, int, int]:
    if layout not in LAYOUTS:
        raise RegistryError(f"unknown layout {layout}; layouts are {', '.join(LAYOUTS)}")
    return LAYOUTS[layout]


@figure(unit="bytes")
def layout_bytes(layout: str, part: str | None = None) -> int:
    """Bytes per trainable parameter that a mixed-precision layout keeps (or one part of it).

    Parts: weights16, master, grads16, grads32, states. Layouts: zero (16), hf-mixed-adamw (18),
    both-gradients (20), autocast (16, before autocast's cached 16-bit weight copies)."""
    sizes = _layout(layout)
    if part is None:
        return sum(sizes)
    if part not in _LAYOUT_PARTS:
        raise RegistryError(f"unknown part {part}; parts are {', '.join(_LAYOUT_PARTS)}")
    return sizes[_LAYOUT_PARTS.index(part)]


@figure(unit="bytes")
def layout_memory(model: nn.Module, layout: str) -> int:
    """Model-state bytes of a whole model trained in a mixed-precision layout, activations aside.

    Trainable parameters take the layout's bytes; frozen ones their weights only (16-bit where
    the layout keeps 16-bit weights, else fp32)."""
    sizes = _layout(layout)
    trainable = sum(int(p.numel()) for p in model.parameters() if p.requires_grad)
    frozen = sum(int(p.numel()) for p in model.parameters() if not p.requires_grad)
    return trainable * sum(sizes) + frozen * (sizes[0] or sizes[1])


# ---------------------------------------------------------------------------
# Optimizer state
# ---------------------------------------------------------------------------

OPTIMIZERS = ("adam", "sgd-momentum", "sgd", "adam-8bit", "momentum-8bit", "adafactor")


def _state_elements_8bit(n: int, states: int, block: int, min_8bit_size: int) -> Fraction:
    """Bytes of ``states`` 8-bit states of an n-element tensor: one byte per element per state and
    an fp32 absolute maximum per block; tensors below ``min_8bit_size`` keep fp32 states."""
    if n < min_8bit_size:
        return Fraction(4 * states * n)
    return Fraction(states * (n + 4 * math.ceil(n / block)))


def _adafactor_bytes(shape: tuple[int, ...]) -> int:
    """fp32 bytes of Adafactor's second moment for one tensor, as torch.optim.Adafactor keeps it:
    a row and a column vector for each matrix (factored over the last two dimensions), the full
    vector for a one-dimensional tensor. No first moment."""
    if len(shape) < 2:
        return 4 * math.prod(shape)
    rows = math.prod(shape[:-1])
    cols = math.prod(shape[:-2]) * shape[-1]
    return 4 * (rows + cols)


@figure(unit="bytes")
def state_bytes_per_parameter(optimizer: str, block: int = 2048) -> float:
    """Optimizer-state bytes per parameter of a large tensor, by optimizer.

    Adam 8, SGD with momentum 4, plain SGD 0, 8-bit Adam 2 plus two fp32 block maxima per
    ``block`` elements, 8-bit momentum 1 plus one."""
    per = {"adam": 8, "sgd-momentum": 4, "sgd": 0}
    if optimizer in per:
        return per[optimizer]
    if block <= 0:
        raise RegistryError("block must be positive")
    if optimizer == "adam-8bit":
        return 2 + 8 / block
    if optimizer == "momentum-8bit":
        return 1 + 4 / block
    raise RegistryError(f"{optimizer} has no per-parameter size (Adafactor depends on each tensor's shape); "
                        f"optimizers are {', '.join(OPTIMIZERS)}")


@figure(unit="bytes")
def optimizer_state_memory(model: nn.Module, optimizer: str = "adam", block: int = 2048, min_8bit_size: int = 0) -> int:
    """Optimizer-state bytes for a model's trainable parameters (step counters left out).

    adam: m and v in fp32; sgd-momentum: one fp32 buffer; sgd: none; adam-8bit and momentum-8bit:
    8-bit states with an fp32 maximum per block of ``block`` elements (Dettmers et al. 2021 use 2048,
    bitsandbytes 256 and fp32 states for tensors under ``min_8bit_size``, 4096 by default);
    adafactor: torch.optim.Adafactor's factored second moment."""
    total = Fraction(0)
    for p in model.parameters():
        if not p.requires_grad:
            continue
        n = int(p.numel())
        if optimizer == "adafactor":
            total += _adafactor_bytes(tuple(int(d) for d in p.shape))
        elif optimizer == "adam-8bit":
            total += _state_elements_8bit(n, 2, block, min_8bit_size)
        elif optimizer == "momentum-8bit":
            total += _state_elements_8bit(n, 1, block, min_8bit_size)
        else:
            total += Fraction(state_bytes_per_parameter(optimizer)) * n
    return round(total)


@figure(unit="number")
def optimizer_state_ratio(model: nn.Module, optimizer: str, baseline: str = "adam", block: int = 2048) -> float:
    """One optimizer's state as a fraction of another's (Adam's by default) on the same model."""
    return optimizer_state_memory(model, optimizer, block) / optimizer_state_memory(model, baseline, block)


# ---------------------------------------------------------------------------
# ZeRO: per-GPU model states with N_d data-parallel GPUs (Rajbhandari et al. 2020, section 5)
# ---------------------------------------------------------------------------


def _zero_bytes(psi: Fraction, stage: int, gpus: int, k: int) -> Fraction:
    """Per-GPU bytes of model states: 2 (16-bit weights) + 2 (16-bit gradients) + K (optimizer
    states, 12 for mixed-precision Adam) per parameter, the parts sharded by the stage."""
    if gpus < 1:
        raise RegistryError("gpus must be at least 1")
    if stage == 0:
        return (4 + k) * psi
    if stage == 1:
        return 4 * psi + k * psi / gpus
    if stage == 2:
        return 2 * psi + (2 + k) * psi / gpus
    if stage == 3:
        return (4 + k) * psi / gpus
    raise RegistryError(f"stage must be 0 (plain data parallelism), 1, 2 or 3, got {stage}")


@figure(unit="bytes")
def zero_memory(model: nn.Module, stage: int, gpus: int, k: int = 12) -> int:
    """Per-GPU model-state bytes of a model trained with a ZeRO stage on ``gpus`` data-parallel GPUs.

    Stage 0 is plain data parallelism. (2 + 2 + K) x parameters: 16-bit weights, 16-bit gradients
    and K bytes of optimizer state (12 for mixed-precision Adam), sharded by stage. Activations and
    buffers not included."""
    psi = Fraction(sum(int(p.numel()) for p in model.parameters()))
    return round(_zero_bytes(psi, stage, gpus, k))


@figure(unit="bytes")
def zero_memory_for(parameters: float, stage: int, gpus: int, k: int = 12) -> int:
    """The same per-GPU model-state bytes for a stated parameter count (the ZeRO paper's 7.5B example)."""
    return round(_zero_bytes(Fraction(str(parameters)), stage, gpus, k))


@figure(unit="number")
def zero_reduction(stage: int, gpus: int, k: int = 12) -> float:
    """How many times less model-state memory each GPU holds at a ZeRO stage than with plain data parallelism."""
    return float(_zero_bytes(Fraction(1), 0, gpus, k) / _zero_bytes(Fraction(1), stage, gpus, k))


# ---------------------------------------------------------------------------
# Activations kept for the backward pass (Korthikanti et al. 2022, section 4)
# ---------------------------------------------------------------------------

RECOMPUTE = ("none", "selective", "full")


def _shape(model: nn.Module) -> tuple[int, int, int]:
    """(hidden size, attention heads, layers) from a transformers model's configuration."""
    config: Any = getattr(model, "config", None)
    if config is None:
        raise RegistryError("activation figures need a transformers model with a configuration")
    config = getattr(config, "text_config", None) or config
    try:
        return int(config.hidden_size), int(config.num_attention_heads), int(config.num_hidden_layers)
    except AttributeError as error:
        raise RegistryError(f"the configuration lacks {error}") from error


def _layer_bytes(tokens: int, batch: int, hidden: int, heads: int, recompute: str, mask_bytes: int = 1) -> int:
    """Bytes one transformer layer keeps for backward, 16-bit activations.

    none: 16 values of s*b*h in 16 bits (32 bytes), two dropout masks of s*b*h, and per head the
    softmax output and the dropout output (16 bits each) and a dropout mask of s*s*b:
    s*b*h*(32 + 2m) + a*s*s*b*(4 + m), with m = 1 the paper's sbh(34 + 5as/h);
    selective: the attention core recomputed, s*b*h*(32 + 2m); full: the layer's input, 2*s*b*h."""
    if tokens <= 0 or batch <= 0:
        raise RegistryError("tokens and batch must be positive")
    sbh = tokens * batch * hidden
    if recompute == "none":
        return sbh * (32 + 2 * mask_bytes) + heads * tokens * tokens * batch * (4 + mask_bytes)
    if recompute == "selective":
        return sbh * (32 + 2 * mask_bytes)
    if recompute == "full":
        return 2 * sbh
    raise RegistryError(f"recompute must be one of {', '.join(RECOMPUTE)}, got {recompute}")


@figure(unit="bytes")
def layer_activation_bytes(model: nn.Module, tokens: int, batch: int = 1, recompute: str = "none") -> int:
    """Activation bytes one transformer layer keeps for backward, by Korthikanti et al.'s formula.

    With the model's width h and heads a: s*b*h*(34 + 5*a*s/h) without recomputation ("none"),
    34*s*b*h with selective recomputation, 2*s*b*h with full recomputation."""
    hidden, heads, _ = _shape(model)
    return _layer_bytes(tokens, batch, hidden, heads, recompute)


@figure(unit="bytes")
def activation_bytes(model: nn.Module, tokens: int, batch: int = 1, recompute: str = "none") -> int:
    """Activation bytes of all transformer layers, by Korthikanti et al.'s per-layer formula.

    Embeddings, the output layer and the one layer rebuilt at a time during a checkpointed
    backward pass are not included."""
    _, _, layers = _shape(model)
    return layers * layer_activation_bytes(model, tokens, batch, recompute)


@figure(unit="bytes")
def activation_bytes_for(tokens: int, batch: int, hidden: int, heads: int, layers: int = 1,
                         recompute: str = "none", mask_bytes: int = 1) -> int:
    """Activation bytes of ``layers`` layers of a stated shape, by Korthikanti et al.'s formula.

    ``mask_bytes`` 2 for PyTorch's CPU dropout, which keeps its mask in the activation's dtype
    instead of one byte."""
    return layers * _layer_bytes(tokens, batch, hidden, heads, recompute, mask_bytes)


@figure(unit="number")
def activation_coefficient(model: nn.Module, tokens: int) -> float:
    """The bracket of Korthikanti et al.'s formula, 34 + 5*a*s/h: a layer's activation bytes per s*b*h."""
    hidden, heads, _ = _shape(model)
    return 34 + 5 * heads * tokens / hidden


@figure(unit="number")
def attention_activation_share(model: nn.Module, tokens: int) -> float:
    """Share of a layer's activations that are the attention scores (the 5*a*s/h term)."""
    hidden, heads, _ = _shape(model)
    quadratic = 5 * heads * tokens / hidden
    return quadratic / (34 + quadratic)


@figure(unit="bytes")
def logits_bytes(model: nn.Module, tokens: int, batch: int = 1, dtype_bytes: int = 4) -> int:
    """Bytes of the output layer's logits: tokens x batch x vocabulary, in fp32 by default.

    The loss usually upcasts the logits to fp32; the per-layer formula leaves them out."""
    config: Any = getattr(model, "config", None)
    vocab = getattr(getattr(config, "text_config", None) or config, "vocab_size", None)
    if not vocab:
        raise RegistryError("logits_bytes needs a model whose configuration has a vocab_size")
    return int(tokens) * int(batch) * int(vocab) * int(dtype_bytes)


# ---------------------------------------------------------------------------
# LoRA on the attention projections, one rank per matrix (Hu et al. 2021, tables 4 to 6)
# ---------------------------------------------------------------------------


def _attention_shapes(model: nn.Module) -> list[dict[str, tuple[int, int]]]:
    """(fan-in, fan-out) of the query, key, value and output projections of every layer, for GPT-2's
    layout (a fused c_attn and c_proj, Conv1D weights stored in x out) and Llama's (q/k/v/o_proj)."""
    layers: list[dict[str, tuple[int, int]]] = []
    for name, module in model.named_modules():
        if name.endswith("attn.c_attn"):
            fan_in, fused = (int(d) for d in module.weight.shape)
            proj = tuple(model.get_submodule(name[: -len("c_attn")] + "c_proj").weight.shape)  # type: ignore[arg-type]
            part = (fan_in, fused // 3)
            layers.append({"q": part, "k": part, "v": part, "o": (int(proj[0]), int(proj[1]))})
        elif name.endswith("self_attn") and hasattr(module, "q_proj"):
            layers.append({key: (int(getattr(module, f"{key}_proj").weight.shape[1]),
                                 int(getattr(module, f"{key}_proj").weight.shape[0])) for key in "qkvo"})
    if not layers:
        raise RegistryError("no attention layer in GPT-2's or Llama's layout")
    return layers


@figure(unit="parameters")
def lora_attention_params(model: nn.Module, q: int = 0, k: int = 0, v: int = 0, o: int = 0) -> int:
    """LoRA parameters with a rank for each of the query, key, value and output projections.

    Every layer's projections; rank 0 leaves that matrix unadapted; rank x (fan-in + fan-out)
    per adapted matrix."""
    ranks = {"q": q, "k": k, "v": v, "o": o}
    if any(r < 0 for r in ranks.values()) or not any(ranks.values()):
        raise RegistryError("give each rank as a non-negative integer, at least one of them positive")
    return sum(r * (shapes[key][0] + shapes[key][1]) for shapes in _attention_shapes(model) for key, r in ranks.items())


@figure(unit="number")
def lora_attention_reduction(model: nn.Module, q: int = 0, k: int = 0, v: int = 0, o: int = 0) -> float:
    """How many times fewer parameters train with these attention adapters than in full fine-tuning."""
    return sum(int(p.numel()) for p in model.parameters()) / lora_attention_params(model, q, k, v, o)
