"""Models of the page "Parameter sharing and weight tying" (content/techniques/).

GPT-2 small with its output head untied from the token embedding (what tying
saves), and ALBERT-base with and without its cross-layer sharing. All are
transformers' reference classes built from their configurations on the meta
device, with no weights and no download.
"""

from __future__ import annotations

from torch import nn

from kb.runtime import RegistryError, build_transformers, model


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
