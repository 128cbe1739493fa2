"""Language models: transformers' reference classes built from published
configurations on the meta device (no weights, no download). Each
configuration cites where its numbers come from."""

from __future__ import annotations

from torch import nn

from kb.runtime import build_transformers, model


@model("bert-base", names=["BERT-Base", "BERT-base", "BERT base"], source="Devlin et al. 2019, BERT-Base: 12 layers, hidden 768, 12 heads, "
       "feed-forward 3072, vocabulary 30,522, 512 positions; transformers BertModel (encoder and pooler)")
def bert_base() -> nn.Module:
    """BERT-Base, the encoder with its pooler, as published (no task head)."""
    from transformers import BertConfig, BertModel

    return build_transformers(BertModel, BertConfig())


@model("bert-large", names=["BERT-Large", "BERT-large", "BERT large"], source="Devlin et al. 2019, BERT-Large: 24 layers, hidden 1024, 16 heads, "
       "feed-forward 4096; transformers BertModel")
def bert_large() -> nn.Module:
    """BERT-Large, the encoder with its pooler."""
    from transformers import BertConfig, BertModel

    config = BertConfig(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16, intermediate_size=4096)
    return build_transformers(BertModel, config)


@model("gpt2", names=["GPT-2 small", "GPT-2"], source="Radford et al. 2019, GPT-2 small: 12 layers, width 768, 12 heads, vocabulary "
       "50,257, 1,024 positions, output head tied to the token embedding; transformers GPT2LMHeadModel")
def gpt2() -> nn.Module:
    """GPT-2 small with its (tied) language-model head."""
    from transformers import GPT2Config, GPT2LMHeadModel

    return build_transformers(GPT2LMHeadModel, GPT2Config())


@model("gpt2-xl", names=["GPT-2 XL"], source="Radford et al. 2019, GPT-2 XL: 48 layers, width 1,600, 25 heads; transformers GPT2LMHeadModel")
def gpt2_xl() -> nn.Module:
    """GPT-2 XL (the 1.5B model) with its tied head."""
    from transformers import GPT2Config, GPT2LMHeadModel

    return build_transformers(GPT2LMHeadModel, GPT2Config(n_embd=1600, n_layer=48, n_head=25))


@model("gpt3-175b", names=["GPT-3 175B", "GPT-3"], source="Brown et al. 2020, table 2.1, GPT-3 175B: 96 layers, d_model 12,288, 96 heads "
       "of 128, context 2,048, GPT-2's vocabulary of 50,257 and architecture (dense attention; the paper's "
       "alternating sparse bands change no parameter count); built as transformers GPT2LMHeadModel")
def gpt3_175b() -> nn.Module:
    """GPT-3 175B in GPT-2's architecture, from the paper's table."""
    from transformers import GPT2Config, GPT2LMHeadModel

    config = GPT2Config(n_embd=12288, n_layer=96, n_head=96, n_positions=2048)
    return build_transformers(GPT2LMHeadModel, config)


@model("llama-3.1-405b", names=["Llama 3.1 405B", "LLaMA 3.1 405B", "Llama-3.1-405B"], source="Meta Llama 3.1 405B config.json: 126 layers, hidden 16,384, 128 heads, "
       "8 key-value heads, feed-forward 53,248, vocabulary 128,256, untied head; transformers LlamaForCausalLM")
def llama_31_405b() -> nn.Module:
    """Llama 3.1 405B with its language-model head."""
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=128256, hidden_size=16384, intermediate_size=53248, num_hidden_layers=126,
                         num_attention_heads=128, num_key_value_heads=8, max_position_embeddings=131072,
                         tie_word_embeddings=False)
    return build_transformers(LlamaForCausalLM, config)


@model("mixtral-8x7b", names=["Mixtral 8x7B", "Mixtral-8x7B"], source="Mistral AI, Mixtral-8x7B-v0.1 config.json: 32 layers, hidden 4,096, 32 heads, "
       "8 key-value heads, feed-forward 14,336, 8 experts, 2 per token, vocabulary 32,000; transformers MixtralForCausalLM")
def mixtral_8x7b() -> nn.Module:
    """Mixtral 8x7B with its language-model head."""
    from transformers import MixtralConfig, MixtralForCausalLM

    config = MixtralConfig(vocab_size=32000, hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
                           num_attention_heads=32, num_key_value_heads=8, num_local_experts=8, num_experts_per_tok=2)
    return build_transformers(MixtralForCausalLM, config)


@model("mixtral-8x22b", names=["Mixtral 8x22B", "Mixtral-8x22B"], source="Mistral AI, Mixtral-8x22B-v0.1 config.json: 56 layers, hidden 6,144, 48 heads, "
       "8 key-value heads, feed-forward 16,384, 8 experts, 2 per token, vocabulary 32,000 (the v0.3 and "
       "instruct releases use 32,768); transformers MixtralForCausalLM")
def mixtral_8x22b() -> nn.Module:
    """Mixtral 8x22B (v0.1 vocabulary) with its language-model head."""
    return build_mixtral_8x22b(vocab_size=32000)


def build_mixtral_8x22b(vocab_size: int) -> nn.Module:
    """Mixtral 8x22B's published configuration, with the vocabulary of one of its releases."""
    from transformers import MixtralConfig, MixtralForCausalLM

    config = MixtralConfig(vocab_size=vocab_size, hidden_size=6144, intermediate_size=16384, num_hidden_layers=56,
                           num_attention_heads=48, num_key_value_heads=8, num_local_experts=8, num_experts_per_tok=2,
                           max_position_embeddings=65536)
    return build_transformers(MixtralForCausalLM, config)
