"""Models and figure functions for the sizing pages (counting parameters, model size
through history, mixture of experts, training memory).

The models here are the published variants that the registered ones in
``vision.py`` and ``language.py`` are not: LeNet-5 and AlexNet exactly as their
papers built them, BERT with its pre-training heads, and a tiny Mixtral small
enough to run on a CPU. The figure functions compute what those pages state in
words: the rough whole-transformer formula L (4 d^2 + 2 d d_ff) + V d
and how far it is from a real model, the shared and per-expert parts of an MoE model,
the bytes of each part of a training recipe, and the KV cache.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from kb.runtime import RegistryError, build_transformers, figure, model
from kb.runtime.builtin_figures import DTYPE_BYTES, RECIPES, expert_params, moe_shape, params

from .language import build_mixtral_8x22b

# ---------------------------------------------------------------------------
# LeNet-5 as the 1998 paper builds it
# ---------------------------------------------------------------------------

# Table I of LeCun et al. 1998: which of S2's six maps each of C3's sixteen maps reads.
C3_CONNECTIONS: list[tuple[int, ...]] = [
    (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (0, 4, 5), (0, 1, 5),
    (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (0, 3, 4, 5), (0, 1, 4, 5), (0, 1, 2, 5),
    (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
]


class Subsampling(nn.Module):
    """S2/S4 of the paper: the sum of each 2x2 block, times a trainable coefficient, plus a
    trainable bias, per feature map (two parameters per map), then a sigmoid-like squashing."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.coefficient = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        summed = F.avg_pool2d(x, 2) * 4
        return torch.tanh(summed * self.coefficient[:, None, None] + self.bias[:, None, None])


class PartialConvolution(nn.Module):
    """C3 of the paper: each output map has its own 5x5 kernels over a subset of the input maps."""

    def __init__(self) -> None:
        super().__init__()
        self.maps = nn.ModuleList(nn.Conv2d(len(inputs), 1, 5) for inputs in C3_CONNECTIONS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([conv(x[:, list(inputs)]) for conv, inputs in zip(self.maps, C3_CONNECTIONS, strict=True)], 1)


class EuclideanRBF(nn.Module):
    """The paper's output layer: ten RBF units over F6's 84 outputs, whose parameter vectors
    were chosen by hand (stylised 7x12 bitmaps of the digits) and kept fixed: frozen here."""

    def __init__(self) -> None:
        super().__init__()
        self.centres = nn.Parameter(torch.zeros(10, 84), requires_grad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return ((x[:, None, :] - self.centres[None]) ** 2).sum(-1)


@model("lenet5-1998", names=["LeNet-5 (1998)"], source="LeCun, Bottou, Bengio, Haffner 1998, Gradient-Based Learning Applied "
       "to Document Recognition, section II.B: C1 6 maps 5x5; S2 and S4 one coefficient and one bias per map; C3 16 maps "
       "over the subsets of table I; C5 120 maps 5x5; F6 84 units; ten Euclidean RBF outputs with fixed vectors")
def lenet5_1998() -> nn.Module:
    """LeNet-5 layer for layer as in the 1998 paper (its RBF output vectors fixed, so frozen)."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), Subsampling(6),  # C1, S2
        PartialConvolution(), Subsampling(16),  # C3, S4
        nn.Conv2d(16, 120, 5), nn.Tanh(), nn.Flatten(),  # C5
        nn.Linear(120, 84), nn.Tanh(),  # F6
        EuclideanRBF(),  # output
    )


# ---------------------------------------------------------------------------
# AlexNet as the 2012 paper builds it (two GPUs)
# ---------------------------------------------------------------------------


@model("alexnet-2012", names=["AlexNet (2012)"], source="Krizhevsky, Sutskever, Hinton 2012, ImageNet Classification with Deep "
       "Convolutional Neural Networks, section 3.5 and figure 2: 96, 256, 384, 384, 256 kernels; the second, fourth and "
       "fifth convolutions see only the maps on their own GPU (groups=2); dense layers 4096, 4096, 1000")
def alexnet_2012() -> nn.Module:
    """AlexNet with the paper's two-GPU split written as grouped convolutions."""
    return nn.Sequential(
        nn.Conv2d(3, 96, 11, stride=4), nn.ReLU(), nn.LocalResponseNorm(5, 1e-4, 0.75, 2), nn.MaxPool2d(3, 2),
        nn.Conv2d(96, 256, 5, padding=2, groups=2), nn.ReLU(), nn.LocalResponseNorm(5, 1e-4, 0.75, 2), nn.MaxPool2d(3, 2),
        nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, 3, padding=1, groups=2), nn.ReLU(),
        nn.Conv2d(384, 256, 3, padding=1, groups=2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Flatten(),
        nn.Dropout(0.5), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(),
        nn.Dropout(0.5), nn.Linear(4096, 4096), nn.ReLU(),
        nn.Linear(4096, 1000),
    )


# ---------------------------------------------------------------------------
# BERT with its pre-training heads
# ---------------------------------------------------------------------------


@model("bert-base-pretraining", source="Devlin et al. 2019, BERT-Base with the two pre-training heads (masked-LM transform and "
       "output bias, its decoder tied to the word embeddings; next-sentence classifier); transformers BertForPreTraining")
def bert_base_pretraining() -> nn.Module:
    """BERT-Base as pre-trained: encoder, pooler and both pre-training heads."""
    from transformers import BertConfig, BertForPreTraining

    return build_transformers(BertForPreTraining, BertConfig())


@model("bert-large-pretraining", source="Devlin et al. 2019, BERT-Large (24 layers, hidden 1024, 16 heads, feed-forward 4096) "
       "with both pre-training heads; transformers BertForPreTraining")
def bert_large_pretraining() -> nn.Module:
    """BERT-Large as pre-trained, with both pre-training heads."""
    from transformers import BertConfig, BertForPreTraining

    config = BertConfig(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16, intermediate_size=4096)
    return build_transformers(BertForPreTraining, config)



# ---------------------------------------------------------------------------
# Mixtral 8x22B with the larger vocabulary of its later releases
# ---------------------------------------------------------------------------


@model("mixtral-8x22b-v0.3", names=["Mixtral 8x22B v0.3"], source="Mistral AI, Mixtral-8x22B-v0.3 and Mixtral-8x22B-Instruct-v0.1 "
       "config.json: as Mixtral-8x22B-v0.1 (56 layers, hidden 6,144, 48 heads, 8 key-value heads, feed-forward 16,384, "
       "8 experts, 2 per token) with a vocabulary of 32,768; transformers MixtralForCausalLM")
def mixtral_8x22b_v03() -> nn.Module:
    """Mixtral 8x22B with the 32,768-token vocabulary of the v0.3 and instruct releases."""
    return build_mixtral_8x22b(vocab_size=32768)


# ---------------------------------------------------------------------------
# A tiny Mixtral: the real transformers class, small enough for a CPU
# ---------------------------------------------------------------------------


def tiny_mixtral_config() -> Any:
    """Mixtral's architecture at toy size: 2 layers, width 64, 8 experts of width 128, 2 per token."""
    from transformers import MixtralConfig

    return MixtralConfig(vocab_size=1000, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, num_local_experts=8, num_experts_per_tok=2,
                         max_position_embeddings=128)


@model("tiny-mixtral", source="transformers MixtralForCausalLM with a toy configuration (2 layers, hidden 64, 4 heads, 2 "
       "key-value heads, 8 experts of feed-forward width 128, 2 per token, vocabulary 1,000)")
def tiny_mixtral() -> nn.Module:
    """Mixtral 8x7B's architecture shrunk to a few hundred thousand parameters."""
    from transformers import MixtralForCausalLM

    return build_transformers(MixtralForCausalLM, tiny_mixtral_config())


# ---------------------------------------------------------------------------
# Figure functions
# ---------------------------------------------------------------------------


@figure(unit="parameters")
def transformer_estimate(layers: int, d_model: int, d_ff: int, vocab: int) -> int:
    """The rough whole-transformer formula L x (4 d^2 + 2 d d_ff) + V d: attention and feed-forward
    weight matrices plus one embedding table; no biases, norms, position tables or untied head."""
    return layers * (4 * d_model**2 + 2 * d_model * d_ff) + vocab * d_model


@figure(unit="parameters")
def estimate_gap(model: nn.Module, layers: int, d_model: int, d_ff: int, vocab: int) -> int:
    """A real model's parameters minus the rough formula's estimate (negative: the formula overshoots)."""
    return params(model) - transformer_estimate(layers, d_model, d_ff, vocab)


@figure(unit="number")
def estimate_gap_fraction(model: nn.Module, layers: int, d_model: int, d_ff: int, vocab: int) -> float:
    """How far the rough formula is from the real count, as a fraction of the real count."""
    return estimate_gap(model, layers, d_model, d_ff, vocab) / params(model)


@figure(unit="parameters")
def shared_params(model: nn.Module) -> int:
    """Parameters outside the routed experts (attention, norms, routers, embeddings, head): every token uses them."""
    return params(model) - expert_params(model)


@figure(unit="parameters")
def params_per_expert(model: nn.Module) -> int:
    """One routed expert's parameters summed over all layers: routed-expert parameters / E."""
    e, _ = moe_shape(model, None, 1)
    routed = expert_params(model)
    if routed % e:
        raise RegistryError(f"routed expert parameters ({routed}) are not a multiple of {e} experts")
    return routed // e


@figure(unit="parameters")
def single_expert_model_params(model: nn.Module) -> int:
    """The dense model that the "7B" of "8x7B" names: the shared parameters plus one expert per layer."""
    return shared_params(model) + params_per_expert(model)


@figure(unit="parameters")
def idle_expert_params(model: nn.Module) -> int:
    """Routed-expert parameters a token does not use: (E - k) / E x routed-expert parameters."""
    e, k = moe_shape(model, None, None)
    return expert_params(model) * (e - k) // e


@figure(unit="number")
def orders_of_magnitude(model: nn.Module, smaller: str) -> float:
    """How many powers of ten separate a model's parameter count from a smaller registered model's:
    log10(params(model) / params(smaller))."""
    from kb.runtime import build_model

    return math.log10(params(model) / params(build_model(smaller)))


@figure(unit="number")
def stated_orders_of_magnitude(larger: float, smaller: float) -> float:
    """log10(larger / smaller) for two stated counts (one of them, such as GPT-4's, not computable)."""
    return math.log10(larger / smaller)


_PARTS = ("weights", "gradients", "optimizer", "master")


@figure(unit="bytes")
def recipe_bytes(recipe: str, part: str) -> int:
    """Bytes per trainable parameter of one part of a training recipe: weights, gradients,
    optimizer (state) or master (the fp32 copy of mixed precision)."""
    if recipe not in RECIPES:
        raise RegistryError(f"unknown recipe {recipe}; recipes are {', '.join(RECIPES)}")
    if part not in _PARTS:
        raise RegistryError(f"unknown part {part}; parts are {', '.join(_PARTS)}")
    return RECIPES[recipe][_PARTS.index(part)]


@figure(unit="number")
def memory_multiple(recipe: str, dtype: str, part: str | None = None) -> float:
    """Training bytes per parameter under a recipe (or of one part of it: weights, gradients,
    optimizer, master), as a multiple of the weight's own bytes in dtype (the "x4 with
    optimizer" rule of thumb, made explicit)."""
    if recipe not in RECIPES:
        raise RegistryError(f"unknown recipe {recipe}; recipes are {', '.join(RECIPES)}")
    if dtype not in DTYPE_BYTES:
        raise RegistryError(f"unknown dtype {dtype}")
    size = sum(RECIPES[recipe]) if part is None else recipe_bytes(recipe, part)
    return size / DTYPE_BYTES[dtype]


@figure(unit="bytes")
def optimizer_memory(model: nn.Module, recipe: str = "mixed-adam") -> int:
    """Bytes of optimizer state alone (Adam's m and v, or SGD's momentum) for the trainable parameters."""
    if recipe not in RECIPES:
        raise RegistryError(f"unknown recipe {recipe}; recipes are {', '.join(RECIPES)}")
    trainable = sum(int(p.numel()) for p in model.parameters() if p.requires_grad)
    return trainable * RECIPES[recipe][2]


@figure(unit="bytes")
def kv_cache_bytes(model: nn.Module, tokens: int, dtype: str = "bf16") -> int:
    """Bytes of the key-value cache for ``tokens`` tokens of context (one sequence): keys and values
    of every layer and key-value head, 2 x layers x kv_heads x head_dim x bytes per token."""
    config = getattr(model, "config", None)
    if config is None or dtype not in DTYPE_BYTES:
        raise RegistryError("kv_cache_bytes needs a transformers model and a known dtype")
    layers = config.num_hidden_layers
    heads = config.num_attention_heads
    kv_heads = getattr(config, "num_key_value_heads", None) or heads
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // heads
    return int(2 * layers * kv_heads * head_dim * DTYPE_BYTES[dtype] * tokens)
