"""Models and figures of the page "Parameter sharing and weight tying".

GPT-2 small with its output head untied from the token embedding (what tying
saves), Llama 3.2 1B (a small Llama that ties, where Llama 3.1 does not), and
ALBERT-base with and without its cross-layer sharing. All are transformers'
reference classes built from their configurations on the meta device, with no
weights and no download. The figures measure the output head of a language
model and what tying it to the input embedding saves, for tied and untied
models alike.
"""

from __future__ import annotations

from torch import nn

from kb.runtime import RegistryError, build_transformers, figure, model
from kb.runtime.builtin_figures import params


@model("gpt2-untied", names=["GPT-2 small untied"], source="Radford et al. 2019, GPT-2 small (12 layers, width 768, "
       "vocabulary 50,257, 1,024 positions) with tie_word_embeddings=False: the output head gets its own "
       "50,257 x 768 matrix; transformers GPT2LMHeadModel")
def gpt2_untied() -> nn.Module:
    """GPT-2 small whose language-model head is a separate matrix (not the published model)."""
    from transformers import GPT2Config, GPT2LMHeadModel

    net = build_transformers(GPT2LMHeadModel, GPT2Config(tie_word_embeddings=False))
    if net.get_submodule("lm_head").weight is net.get_submodule("transformer.wte").weight:
        raise RegistryError("gpt2-untied: the head is still tied to the token embedding")
    return net


@model("albert-base", names=["ALBERT-base", "ALBERT base"], source="Lan et al. 2019 (ALBERT), table 1, ALBERT-base: "
       "12 layers, hidden 768, 12 heads, feed-forward 3,072, factorized embedding of 128, vocabulary 30,000, "
       "all layers sharing one set of parameters (num_hidden_groups=1); transformers AlbertModel")
def albert_base() -> nn.Module:
    """ALBERT-base: one transformer layer's parameters shared by all 12 layers."""
    return _albert_base(groups=1)


@model("albert-base-unshared", source="ALBERT-base's configuration (Lan et al. 2019) with num_hidden_groups=12, "
       "so each of the 12 layers has its own parameters: the same network without cross-layer sharing; "
       "transformers AlbertModel")
def albert_base_unshared() -> nn.Module:
    """ALBERT-base's architecture with cross-layer sharing turned off."""
    return _albert_base(groups=12)


def _albert_base(groups: int) -> nn.Module:
    """ALBERT-base's published configuration with ``groups`` distinct sets of layer parameters."""
    from transformers import AlbertConfig, AlbertModel

    config = AlbertConfig(embedding_size=128, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                          intermediate_size=3072, num_hidden_groups=groups)
    return build_transformers(AlbertModel, config)


@model("llama-3.2-1b", names=["Llama 3.2 1B"], source="Meta, Llama-3.2-1B config.json: 16 layers, hidden 2,048, "
       "32 query heads and 8 key-value heads of 64, feed-forward 8,192, vocabulary 128,256, output head tied to "
       "the token embedding (tie_word_embeddings true); the model card states 1.23B parameters; transformers "
       "LlamaForCausalLM")
def llama_32_1b() -> nn.Module:
    """Llama 3.2 1B with its tied language-model head."""
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=128256, hidden_size=2048, intermediate_size=8192, num_hidden_layers=16,
                         num_attention_heads=32, num_key_value_heads=8, head_dim=64, max_position_embeddings=131072,
                         tie_word_embeddings=True)
    return build_transformers(LlamaForCausalLM, config)


# ---------------------------------------------------------------------------
# What tying the output head to the input embedding saves


def _head(model: nn.Module) -> tuple[nn.Parameter, bool]:
    """The output head's weight of a transformers language model, and whether it is the input embedding's."""
    get_in = getattr(model, "get_input_embeddings", None)
    get_out = getattr(model, "get_output_embeddings", None)
    if get_in is None or get_out is None or get_out() is None:
        raise RegistryError("the model is not a language model with an input embedding and an output head")
    head, embedding = get_out().weight, get_in().weight
    return head, head is embedding


@figure(unit="parameters")
def head_matrix_params(model: nn.Module) -> int:
    """Parameters of a language model's output head matrix (vocabulary x width), tied or not."""
    head, _ = _head(model)
    return int(head.numel())


@figure(unit="parameters")
def untied_params(model: nn.Module) -> int:
    """Parameters the model has with an output head of its own: a tied model plus its head matrix;
    an untied model as it is."""
    head, tied = _head(model)
    return params(model) + (int(head.numel()) if tied else 0)


@figure(unit="number")
def tie_saving(model: nn.Module) -> float:
    """The share of the untied model's parameters that tying the head to the input embedding removes:
    head matrix / untied parameters. For a tied model, what the tie saves; for an untied one, what it
    would save."""
    head, _ = _head(model)
    return int(head.numel()) / untied_params(model)


@figure(unit="number")
def params_ratio(model: nn.Module, other: str) -> float:
    """How many times as many parameters ``model`` has as the registered model ``other``
    (ALBERT-base without and with its cross-layer sharing, for example)."""
    from kb.runtime import build_model

    return params(model) / params(build_model(other))
