"""Models and figure functions for the pages on model sizes through history, today's
open-weight models and the exact decoder formula.

The models are published variants the other modules do not register: the two
middle sizes of GPT-2, GPT-3 175B with an untied output head (the paper does not
say whether its head is tied), and Megatron-Turing NLG 530B built GPT-style from
its paper's table. The figure functions compute a decoder's parameter count from
its configuration alone, by the per-layer formula, so that the count can be
compared with the tensors of the transformers model.
"""

from __future__ import annotations

import math
from typing import Any

from torch import nn

from kb.runtime import RegistryError, build_model, build_transformers, figure, model
from kb.runtime.builtin_figures import embedding_params, params

# ---------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------


@model("gpt2-medium", names=["GPT-2 medium", "GPT-2 Medium"], source="Radford et al. 2019, table 2, the second GPT-2 size: "
       "24 layers, width 1,024 (16 heads of 64), vocabulary 50,257, 1,024 positions, output head tied to the token "
       "embedding; released by OpenAI as the 355M checkpoint; transformers GPT2LMHeadModel")
def gpt2_medium() -> nn.Module:
    """GPT-2 medium with its tied language-model head."""
    from transformers import GPT2Config, GPT2LMHeadModel

    return build_transformers(GPT2LMHeadModel, GPT2Config(n_embd=1024, n_layer=24, n_head=16))


@model("gpt2-large", names=["GPT-2 large", "GPT-2 Large"], source="Radford et al. 2019, table 2, the third GPT-2 size: "
       "36 layers, width 1,280 (20 heads of 64), vocabulary 50,257, 1,024 positions, tied head; released by OpenAI as "
       "the 774M checkpoint; transformers GPT2LMHeadModel")
def gpt2_large() -> nn.Module:
    """GPT-2 large with its tied language-model head."""
    from transformers import GPT2Config, GPT2LMHeadModel

    return build_transformers(GPT2LMHeadModel, GPT2Config(n_embd=1280, n_layer=36, n_head=20))


@model("gpt3-175b-untied", source="Brown et al. 2020, table 2.1, GPT-3 175B (96 layers, d_model 12,288, 96 heads, "
       "context 2,048, vocabulary 50,257) with an output head separate from the token embedding: the paper does "
       "not say whether the head is tied, so both variants are built; transformers GPT2LMHeadModel")
def gpt3_175b_untied() -> nn.Module:
    """GPT-3 175B in GPT-2's architecture, its output head a separate matrix."""
    from transformers import GPT2Config, GPT2LMHeadModel

    config = GPT2Config(n_embd=12288, n_layer=96, n_head=96, n_positions=2048, tie_word_embeddings=False)
    return build_transformers(GPT2LMHeadModel, config)


@model("mt-nlg-530b", names=["Megatron-Turing NLG 530B", "MT-NLG 530B", "MT-NLG"], source="Smith et al. 2022, Using "
       "DeepSpeed and Megatron to Train Megatron-Turing NLG 530B, section 3: 105 layers, hidden 20,480, 128 heads, "
       "sequence length 2,048, GPT-2's tokenizer (vocabulary 50,257); a GPT-style decoder with learned positions "
       "and an output head tied to the embedding, as Megatron-LM builds GPT models; transformers GPT2LMHeadModel")
def mt_nlg_530b() -> nn.Module:
    """Megatron-Turing NLG 530B as a GPT-style decoder from its paper's table."""
    from transformers import GPT2Config, GPT2LMHeadModel

    config = GPT2Config(n_embd=20480, n_layer=105, n_head=128, n_positions=2048)
    return build_transformers(GPT2LMHeadModel, config)


# ---------------------------------------------------------------------------
# The exact decoder formula, from a configuration alone
# ---------------------------------------------------------------------------

_SUPPORTED = ("llama", "mixtral", "qwen3_moe", "gpt_oss", "gemma3_text", "deepseek_v3")


def _config(module: nn.Module) -> Any:
    config = getattr(module, "config", None)
    kind = getattr(config, "model_type", None)
    if kind not in _SUPPORTED:
        raise RegistryError(f"the decoder formula covers {', '.join(_SUPPORTED)} configurations, not {kind}")
    return config


def _head_dim(c: Any) -> int:
    return int(getattr(c, "head_dim", None) or c.hidden_size // c.num_attention_heads)


def _attention(c: Any) -> int:
    """One layer's attention: projections, their biases, query/key norms, sinks; or latent attention."""
    d, heads = c.hidden_size, c.num_attention_heads
    if c.model_type == "deepseek_v3":
        qk = c.qk_nope_head_dim + c.qk_rope_head_dim
        # with a query rank: q_a, its norm and q_b; without: one projection
        query = d * c.q_lora_rank + c.q_lora_rank + c.q_lora_rank * heads * qk if c.q_lora_rank else d * heads * qk
        key_value = d * (c.kv_lora_rank + c.qk_rope_head_dim) + c.kv_lora_rank  # kv_a with the rotary key, its norm
        key_value += c.kv_lora_rank * heads * (c.qk_nope_head_dim + c.v_head_dim)  # kv_b
        return int(query + key_value + heads * c.v_head_dim * d)  # o
    h = _head_dim(c)
    kv = c.num_key_value_heads
    weights = d * heads * h + 2 * d * kv * h + heads * h * d
    biases = (heads * h + 2 * kv * h + d) if getattr(c, "attention_bias", False) else 0
    qk_norms = 2 * h if c.model_type in ("qwen3_moe", "gemma3_text") else 0
    sinks = heads if c.model_type == "gpt_oss" else 0
    return int(weights + biases + qk_norms + sinks)


def _dense_ffn(c: Any) -> int:
    """A gated feed-forward layer (gate, up, down), no biases."""
    return int(3 * c.hidden_size * c.intermediate_size)


def _experts(c: Any) -> tuple[int, int]:
    """(routed experts E, width of one expert) of an MoE configuration."""
    e = getattr(c, "num_local_experts", None) or getattr(c, "num_experts", None) or getattr(c, "n_routed_experts", None)
    width = getattr(c, "moe_intermediate_size", None) or c.intermediate_size
    if not e:
        raise RegistryError("the configuration names no number of experts")
    return int(e), int(width)


def _routed_experts(c: Any) -> int:
    """One MoE layer's routed experts: E gated experts (with biases in gpt-oss)."""
    d = c.hidden_size
    e, f = _experts(c)
    per_expert = 3 * d * f + ((2 * f + d) if c.model_type == "gpt_oss" else 0)
    return int(e * per_expert)


def _moe_ffn(c: Any) -> int:
    """One MoE layer's feed-forward: router, routed experts and shared experts."""
    d = c.hidden_size
    e, f = _experts(c)
    router = e * d + (e if c.model_type == "gpt_oss" else 0)
    shared = 3 * d * f * getattr(c, "n_shared_experts", 0) if c.model_type == "deepseek_v3" else 0
    return int(router + _routed_experts(c) + shared)


def _layer_kinds(c: Any) -> tuple[int, int]:
    """(dense layers, MoE layers)."""
    layers = c.num_hidden_layers
    if c.model_type in ("llama", "gemma3_text"):
        return layers, 0
    if c.model_type == "deepseek_v3":
        return c.first_k_dense_replace, layers - c.first_k_dense_replace
    if c.model_type == "qwen3_moe":
        moe = sum(1 for i in range(layers) if i not in (c.mlp_only_layers or []) and (i + 1) % c.decoder_sparse_step == 0)
        return layers - moe, moe
    return 0, layers


def _norms(c: Any) -> int:
    """One layer's norms over the residual stream (scales only: RMSNorm)."""
    return int((4 if c.model_type == "gemma3_text" else 2) * c.hidden_size)


def _parts(c: Any) -> dict[str, int]:
    dense, moe = _layer_kinds(c)
    embedding = c.vocab_size * c.hidden_size
    head = 0 if getattr(c, "tie_word_embeddings", False) else embedding
    attention, norms = _attention(c), _norms(c)
    dense_ffn = _dense_ffn(c) if dense else 0
    moe_ffn = _moe_ffn(c) if moe else 0
    layers = c.num_hidden_layers
    parts = {
        "embedding": embedding,
        "head": head,
        "final_norm": c.hidden_size,
        "attention_layer": attention,
        "norms_layer": norms,
        "dense_ffn_layer": dense_ffn,
        "moe_ffn_layer": moe_ffn,
        "routed_experts_layer": _routed_experts(c) if moe else 0,
        "dense_layer": attention + norms + dense_ffn if dense else 0,
        "moe_layer": attention + norms + moe_ffn if moe else 0,
        "attention": layers * attention,
        "ffn": dense * dense_ffn + moe * moe_ffn,
        "norms": layers * norms + c.hidden_size,
    }
    parts["layers"] = dense * parts["dense_layer"] + moe * parts["moe_layer"]
    parts["total"] = embedding + head + c.hidden_size + parts["layers"]
    return parts


@figure(unit="parameters")
def decoder_formula(model: nn.Module, part: str = "total") -> int:
    """A decoder's parameters computed from its configuration by the per-layer formula (never by
    counting tensors): V d embedding, untied V d head, final norm, and per layer the attention
    (grouped-query with optional biases, query/key norms and sinks, or multi-head latent attention),
    a gated dense or mixture-of-experts feed-forward (router, routed and shared experts) and the norms.
    ``part`` picks one term: embedding, head, final_norm, attention_layer, norms_layer, dense_ffn_layer,
    moe_ffn_layer, routed_experts_layer, dense_layer, moe_layer, attention, ffn, norms, layers, total."""
    parts = _parts(_config(model))
    if part not in parts:
        raise RegistryError(f"unknown part {part}; parts are {', '.join(parts)}")
    return parts[part]


@figure(unit="parameters")
def decoder_formula_gap(model: nn.Module) -> int:
    """The transformers model's parameter count minus the decoder formula's (0 when the formula is exact)."""
    return params(model) - decoder_formula(model)


@figure(unit="parameters")
def decoder_formula_active(model: nn.Module, embedding: bool = True) -> int:
    """Active parameters by the formula: total - (E - k) / E x routed experts of every MoE layer;
    ``embedding=False`` leaves out the input embedding (a tied head is kept: it is a product)."""
    c = _config(model)
    parts = _parts(c)
    _, moe = _layer_kinds(c)
    active = parts["total"]
    if moe:
        e, _ = _experts(c)
        k = c.num_experts_per_tok
        active -= moe * parts["routed_experts_layer"] * (e - k) // e
    if not embedding:
        active -= parts["embedding"] if parts["head"] else 0
    return active


@figure(unit="parameters")
def rough_formula_term(model: nn.Module, term: str) -> int:
    """What the rough formula L (4 d^2 + 2 d d_ff) + V d misses for a dense modern decoder, one term
    at a time, from the configuration: "attention" (real attention minus 4 d^2, summed over layers:
    negative with grouped-query attention), "ffn" (a gated FFN's third matrix), "norms" (every
    norm's scale), "head" (an untied output head). The four terms add up to the real count minus
    the rough formula."""
    c = _config(model)
    if _layer_kinds(c)[1]:
        raise RegistryError("the rough formula has no single d_ff for a mixture-of-experts model")
    parts = _parts(c)
    layers, d = c.num_hidden_layers, c.hidden_size
    terms = {
        "attention": layers * (parts["attention_layer"] - 4 * d * d),
        "ffn": layers * (parts["dense_ffn_layer"] - 2 * d * c.intermediate_size),
        "norms": parts["norms"],
        "head": parts["head"],
    }
    if term not in terms:
        raise RegistryError(f"unknown term {term}; terms are {', '.join(terms)}")
    return int(terms[term])


# ---------------------------------------------------------------------------
# Shares and ratios
# ---------------------------------------------------------------------------


def _untied_head(module: nn.Module) -> int:
    get_head = getattr(module, "get_output_embeddings", None)
    head = get_head() if get_head else None
    weight = getattr(head, "weight", None)
    if weight is None:
        return 0
    tied = any(weight is m.weight for m in module.modules() if isinstance(m, nn.Embedding))
    return 0 if tied else int(weight.numel())


@figure(unit="number")
def vocabulary_share(model: nn.Module, head: bool = True) -> float:
    """The share of all parameters in the vocabulary matrices: the input embedding table, plus the
    output head when it is a separate (untied) matrix and ``head`` is true. Pin it as a percentage."""
    return (embedding_params(model) + (_untied_head(model) if head else 0)) / params(model)


@figure(unit="number")
def times_larger(model: nn.Module, smaller: str) -> float:
    """How many times more parameters a model has than a smaller registered model."""
    return params(model) / params(build_model(smaller))


@figure(unit="number")
def growth_per_year(model: nn.Module, smaller: str, years: float) -> float:
    """The yearly growth factor between two registered models released ``years`` apart:
    (params(model) / params(smaller)) ** (1 / years)."""
    if years <= 0:
        raise RegistryError("years must be positive")
    return math.exp(math.log(times_larger(model, smaller)) / years)
