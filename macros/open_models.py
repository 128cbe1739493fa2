"""Open-weight language models of 2024 and 2025, built from their published
configurations with transformers' reference classes on the meta device
(no weights, no download). Each source names the configuration file and
the publisher's own statement of the model's size."""

from __future__ import annotations

from typing import Any

from torch import nn

from kb.runtime import build_transformers, model


def _llama_31(hidden: int, intermediate: int, layers: int, heads: int) -> nn.Module:
    """A Llama 3.1 model: 128,256-token vocabulary, 8 key-value heads, an untied output head."""
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=128256, hidden_size=hidden, intermediate_size=intermediate, num_hidden_layers=layers,
                         num_attention_heads=heads, num_key_value_heads=8, max_position_embeddings=131072,
                         tie_word_embeddings=False)
    return build_transformers(LlamaForCausalLM, config)


@model("llama-3.1-8b", names=["Llama 3.1 8B", "Llama-3.1-8B"], source="Meta, Llama 3.1 8B config.json and the "
       "llama-models model list: 32 layers, hidden 4,096, 32 heads, 8 key-value heads, feed-forward 14,336, "
       "vocabulary 128,256, untied head; transformers LlamaForCausalLM")
def llama_31_8b() -> nn.Module:
    """Llama 3.1 8B with its language-model head."""
    return _llama_31(hidden=4096, intermediate=14336, layers=32, heads=32)


@model("llama-3.1-70b", names=["Llama 3.1 70B", "Llama-3.1-70B"], source="Meta, Llama 3.1 70B config.json and the "
       "llama-models model list: 80 layers, hidden 8,192, 64 heads, 8 key-value heads, feed-forward 28,672, "
       "vocabulary 128,256, untied head; transformers LlamaForCausalLM")
def llama_31_70b() -> nn.Module:
    """Llama 3.1 70B with its language-model head."""
    return _llama_31(hidden=8192, intermediate=28672, layers=80, heads=64)


def _deepseek_v3_family(vocab: int, dense_layers: int, experts: int, heads: int, groups: int, top_groups: int) -> nn.Module:
    """DeepSeek-V3's architecture: 61 layers of width 7,168 with multi-head latent attention (query rank
    1,536, key-value rank 512, head dimensions 128 + 64 rotary, values 128), the first ``dense_layers``
    with a dense feed-forward of 18,432, the rest with ``experts`` routed experts of width 2,048, one
    shared expert and 8 experts per token. The multi-token-prediction module is not part of it."""
    from transformers import DeepseekV3Config, DeepseekV3ForCausalLM

    config = DeepseekV3Config(vocab_size=vocab, hidden_size=7168, intermediate_size=18432, moe_intermediate_size=2048,
                              num_hidden_layers=61, first_k_dense_replace=dense_layers, n_routed_experts=experts,
                              n_shared_experts=1, num_experts_per_tok=8, n_group=groups, topk_group=top_groups,
                              num_attention_heads=heads, num_key_value_heads=heads, q_lora_rank=1536, kv_lora_rank=512,
                              qk_nope_head_dim=128, qk_rope_head_dim=64, v_head_dim=128, max_position_embeddings=163840,
                              tie_word_embeddings=False)
    return build_transformers(DeepseekV3ForCausalLM, config)


@model("deepseek-v3", names=["DeepSeek-V3", "DeepSeek V3"], source="DeepSeek-AI, DeepSeek-V3 config.json "
       "(inference/configs/config_671B.json): 61 layers (3 dense), hidden 7,168, 128 heads, multi-head latent "
       "attention with key-value rank 512, 256 routed experts of width 2,048, 1 shared, 8 per token, vocabulary "
       "129,280, untied head; the README's 671B total and 37B activated exclude the 14B multi-token-prediction "
       "module; transformers DeepseekV3ForCausalLM")
def deepseek_v3() -> nn.Module:
    """DeepSeek-V3 (also the architecture of DeepSeek-R1) without its multi-token-prediction module."""
    return _deepseek_v3_family(vocab=129280, dense_layers=3, experts=256, heads=128, groups=8, top_groups=4)


@model("kimi-k2", names=["Kimi K2", "Kimi-K2"], source="Moonshot AI, Kimi K2 README (61 layers, 1 dense, hidden "
       "7,168, 64 heads, 384 experts of width 2,048, 8 per token, 1 shared; 1T total, 32B activated) and its "
       "config.json (vocabulary 163,840, key-value rank 512, one router group); DeepSeek-V3's architecture, "
       "transformers DeepseekV3ForCausalLM")
def kimi_k2() -> nn.Module:
    """Kimi K2: DeepSeek-V3's architecture with 384 experts, 64 heads and one dense layer."""
    return _deepseek_v3_family(vocab=163840, dense_layers=1, experts=384, heads=64, groups=1, top_groups=1)


@model("qwen3-235b-a22b", names=["Qwen3-235B-A22B", "Qwen3 235B"], source="Qwen team, Qwen3-235B-A22B config.json "
       "and the Qwen3 technical report, table 2: 94 layers, hidden 4,096, 64 query heads and 4 key-value heads of "
       "128, 128 experts of width 1,536 in every layer, 8 per token, no shared expert, vocabulary 151,936, untied "
       "head; transformers Qwen3MoeForCausalLM")
def qwen3_235b_a22b() -> nn.Module:
    """Qwen3-235B-A22B with its language-model head."""
    from transformers import Qwen3MoeConfig, Qwen3MoeForCausalLM

    # head_dim is not a declared field of the configuration class, but its attention reads it
    undeclared: dict[str, Any] = {"head_dim": 128}
    config = Qwen3MoeConfig(vocab_size=151936, hidden_size=4096, intermediate_size=12288, moe_intermediate_size=1536,
                            num_hidden_layers=94, num_attention_heads=64, num_key_value_heads=4, **undeclared,
                            num_experts=128, num_experts_per_tok=8, decoder_sparse_step=1, mlp_only_layers=[],
                            norm_topk_prob=True, max_position_embeddings=40960, tie_word_embeddings=False)
    return build_transformers(Qwen3MoeForCausalLM, config)


def _gpt_oss(layers: int, experts: int) -> nn.Module:
    """gpt-oss: width 2,880, 64 query heads and 8 key-value heads of 64, attention alternating between
    a 128-token sliding window and the full context, ``experts`` experts of width 2,880, 4 per token."""
    from transformers import GptOssConfig, GptOssForCausalLM

    config = GptOssConfig(vocab_size=201088, hidden_size=2880, intermediate_size=2880, num_hidden_layers=layers,
                          num_attention_heads=64, num_key_value_heads=8, head_dim=64, num_local_experts=experts,
                          num_experts_per_tok=4, sliding_window=128, max_position_embeddings=131072,
                          tie_word_embeddings=False)
    return build_transformers(GptOssForCausalLM, config)


@model("gpt-oss-120b", names=["gpt-oss-120b", "gpt-oss-120B"], source="OpenAI, gpt-oss model code and config.json: "
       "36 layers, hidden 2,880, 64 heads of 64, 8 key-value heads, sliding window of 128 on alternate layers, "
       "128 experts, 4 per token, vocabulary 201,088, untied head; the README states 117B total and 5.1B active; "
       "transformers GptOssForCausalLM")
def gpt_oss_120b() -> nn.Module:
    """gpt-oss-120b with its language-model head."""
    return _gpt_oss(layers=36, experts=128)


@model("gpt-oss-20b", names=["gpt-oss-20b", "gpt-oss-20B"], source="OpenAI, gpt-oss-20b config.json: as gpt-oss-120b "
       "with 24 layers and 32 experts; the README states 21B total and 3.6B active; transformers GptOssForCausalLM")
def gpt_oss_20b() -> nn.Module:
    """gpt-oss-20b with its language-model head."""
    return _gpt_oss(layers=24, experts=32)


@model("gemma-3-1b", names=["Gemma 3 1B"], source="Google DeepMind, Gemma 3 1B config.json: 26 layers, hidden 1,152, "
       "4 query heads and 1 key-value head of 256, feed-forward 6,912, five 512-token sliding-window layers to "
       "every global one, vocabulary 262,144, output head tied to the embedding; transformers Gemma3ForCausalLM")
def gemma_3_1b() -> nn.Module:
    """Gemma 3 1B, a text-only model, with its tied head."""
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    config = Gemma3TextConfig(vocab_size=262144, hidden_size=1152, intermediate_size=6912, num_hidden_layers=26,
                              num_attention_heads=4, num_key_value_heads=1, head_dim=256, sliding_window=512,
                              query_pre_attn_scalar=256, max_position_embeddings=32768, tie_word_embeddings=True)
    return build_transformers(Gemma3ForCausalLM, config)


@model("gemma-3-27b-text", names=["Gemma 3 27B"], source="Google DeepMind, Gemma 3 27B config.json, its text "
       "configuration: 62 layers, hidden 5,376, 32 query heads and 16 key-value heads of 128, feed-forward "
       "21,504, five 1,024-token sliding-window layers to every global one, vocabulary 262,208, tied head; "
       "the language model alone, without the vision encoder; transformers Gemma3ForCausalLM")
def gemma_3_27b_text() -> nn.Module:
    """Gemma 3 27B's language model (its image encoder and projector left out), with its tied head."""
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    config = Gemma3TextConfig(vocab_size=262208, hidden_size=5376, intermediate_size=21504, num_hidden_layers=62,
                              num_attention_heads=32, num_key_value_heads=16, head_dim=128, sliding_window=1024,
                              query_pre_attn_scalar=168, max_position_embeddings=131072, tie_word_embeddings=True)
    return build_transformers(Gemma3ForCausalLM, config)
