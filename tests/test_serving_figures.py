"""The serving and compute figures (KV cache, quantised weights, inference
memory, measured FLOPs) against values computed some other way: the bytes of
a real transformers cache after a real forward pass, real tensors in the
stored formats, published checkpoint sizes and torchvision's published
multiply-accumulate counts, and the 2N-plus-attention formula."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from torch import nn

import kb.runtime.flop_figures  # noqa: F401  (registers the figures)
import macros  # noqa: F401  (registers the model zoo)
from kb.runtime import REGISTRY, RegistryError
from kb.runtime.inference_figures import kv_cache_memory, weight_memory
from kb.runtime.remembered import remembering


def count(function: str, model: str, **kwargs: object) -> Any:
    return REGISTRY.compute(function, [model], dict(kwargs))


def tiny_models() -> dict[str, nn.Module]:
    """Small real models of every attention layout the cache figure knows, with random weights."""
    import transformers as t

    configs: dict[str, tuple[Any, Any]] = {
        "multi-head (GPT-2)": (t.GPT2LMHeadModel, t.GPT2Config(n_layer=2, n_embd=32, n_head=4, vocab_size=100,
                                                              n_positions=64, bos_token_id=0, eos_token_id=0)),
        "grouped-query (Llama)": (t.LlamaForCausalLM, t.LlamaConfig(
            num_hidden_layers=2, hidden_size=32, intermediate_size=64, num_attention_heads=4, num_key_value_heads=2,
            vocab_size=100)),
        "sliding window on every layer (Mistral)": (t.MistralForCausalLM, t.MistralConfig(
            num_hidden_layers=2, hidden_size=32, intermediate_size=64, num_attention_heads=4, num_key_value_heads=2,
            vocab_size=100, sliding_window=8)),
        "alternating windows (gpt-oss)": (t.GptOssForCausalLM, t.GptOssConfig(
            num_hidden_layers=4, hidden_size=64, intermediate_size=32, num_attention_heads=4, num_key_value_heads=2,
            head_dim=16, num_local_experts=4, vocab_size=100, sliding_window=8)),
        "five local to one global (Gemma 3)": (t.Gemma3ForCausalLM, t.Gemma3TextConfig(
            num_hidden_layers=7, hidden_size=32, intermediate_size=64, num_attention_heads=4, num_key_value_heads=1,
            head_dim=16, vocab_size=100, sliding_window=6)),
        "latent attention (DeepSeek-V3)": (t.DeepseekV3ForCausalLM, t.DeepseekV3Config(
            num_hidden_layers=2, first_k_dense_replace=1, hidden_size=64, intermediate_size=96,
            moe_intermediate_size=32, n_routed_experts=4, num_experts_per_tok=2, n_group=1, topk_group=1,
            num_attention_heads=4, num_key_value_heads=4, q_lora_rank=32, kv_lora_rank=16, qk_nope_head_dim=8,
            qk_rope_head_dim=4, v_head_dim=8, vocab_size=100)),
    }
    torch.manual_seed(0)
    return {name: cls(config).eval() for name, (cls, config) in configs.items()}


TINY = tiny_models()


@pytest.mark.parametrize("layout", list(TINY))
@pytest.mark.parametrize("tokens", [5, 20])
def test_kv_cache_is_the_bytes_of_a_real_cache(layout: str, tokens: int) -> None:
    model = TINY[layout]
    ids = torch.randint(0, 100, (2, tokens))
    with torch.no_grad():
        cache = model(input_ids=ids, use_cache=True).past_key_values
    real = sum(layer.keys.nbytes + layer.values.nbytes for layer in cache.layers)
    assert kv_cache_memory(model, tokens, batch=2, dtype="fp32") == real


def test_latent_attention_caches_the_latent_not_the_heads() -> None:
    # DeepSeek-V2's formula: (d_c + d_h^R) elements per token and layer, whatever the head count
    assert count("kv_cache_per_token", "deepseek-v3") == (512 + 64) * 61 * 2 == 70_272
    assert count("kv_cache_per_token", "kimi-k2") == 70_272
    # expanded, 128 heads would each keep a 192-wide key and a 128-wide value
    assert count("kv_cache_per_token", "deepseek-v3", latent=False) == 128 * (192 + 128) * 61 * 2


def test_kv_cache_of_grouped_query_models_by_hand() -> None:
    # 2 (keys and values) x layers x key-value heads x head dimension x 2 bytes (bf16)
    assert count("kv_cache_per_token", "llama-3.1-8b") == 2 * 32 * 8 * 128 * 2 == 131_072
    assert count("kv_cache_per_token", "llama-3.1-70b") == 2 * 80 * 8 * 128 * 2
    assert count("kv_cache_per_token", "gpt2") == 2 * 12 * 12 * 64 * 2
    # gpt-oss: 18 of 36 layers keep at most 127 tokens
    tokens = 100_000
    assert count("kv_cache_memory", "gpt-oss-120b", tokens=tokens) == 2 * 8 * 64 * 2 * (18 * tokens + 18 * 127)
    assert count("kv_cache_memory", "llama-3.1-8b", tokens=1000, batch=4, dtype="fp8") == 2 * 32 * 8 * 128 * 1000 * 4


def _quantised_bytes(model: nn.Module, quantise: Any) -> int:
    """Bytes of real tensors: every linear weight but the head passed through ``quantise``,
    everything else in bf16."""
    head = model.get_output_embeddings()  # type: ignore[operator]
    stored = 0
    quantised = set()
    for module in model.modules():
        if isinstance(module, nn.Linear) and module is not head:
            stored += sum(t.nbytes for t in quantise(module.weight.detach()))
            quantised.add(id(module.weight))
    rest = [p for p in model.parameters() if id(p) not in quantised]
    return stored + sum(p.detach().to(torch.bfloat16).nbytes for p in rest)


def _int8_per_channel(weight: torch.Tensor) -> list[torch.Tensor]:
    scale = weight.abs().amax(dim=1, keepdim=True).to(torch.bfloat16) / 127
    return [torch.round(weight / scale.float()).to(torch.int8), scale]


def _fp8_blocks(weight: torch.Tensor) -> list[torch.Tensor]:
    rows, columns = weight.shape
    tiles = -(-rows // 128), -(-columns // 128)
    return [weight.to(torch.float8_e4m3fn), torch.ones(tiles, dtype=torch.float32)]


def test_quantised_weights_are_the_bytes_of_real_tensors() -> None:
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(num_hidden_layers=2, hidden_size=256, intermediate_size=320, num_attention_heads=4,
                         num_key_value_heads=2, vocab_size=300, tie_word_embeddings=False)
    model = LlamaForCausalLM(config)
    assert weight_memory(model, "int8") == _quantised_bytes(model, _int8_per_channel)
    assert weight_memory(model, "fp8") == _quantised_bytes(model, _fp8_blocks)
    assert weight_memory(model, "bf16") == sum(p.to(torch.bfloat16).nbytes for p in model.parameters())


def test_mxfp4_experts_match_the_published_gpt_oss_checkpoints() -> None:
    # OpenAI's model card: 60.8 GiB and 12.8 GiB, MXFP4 experts and everything else in bf16
    assert round(count("weight_memory", "gpt-oss-120b", scheme="mxfp4", only="experts") / 2**30, 1) == 60.8
    assert round(count("weight_memory", "gpt-oss-20b", scheme="mxfp4", only="experts") / 2**30, 1) == 12.8


def test_bits_per_weight_include_the_scales() -> None:
    assert count("bits_per_weight", "nf4") == 4 + 8 / 64 + 32 / (64 * 256)  # QLoRA's 4.127 bits
    assert count("bits_per_weight", "mxfp4") == 4.25
    assert count("bits_per_weight", "int4") == 4 + 20 / 128
    assert count("bits_per_weight", "bf16") == 16
    with pytest.raises(RegistryError, match="unknown storage scheme q3; schemes are fp32, bf16"):
        count("bits_per_weight", "q3")


def test_inference_memory_is_weights_plus_cache() -> None:
    weights = count("weight_memory", "llama-3.1-70b", scheme="int4")
    cache = count("kv_cache_memory", "llama-3.1-70b", tokens=8192, batch=8)
    assert count("inference_memory", "llama-3.1-70b", scheme="int4", tokens=8192, batch=8) == weights + cache
    assert count("inference_memory", "llama-3.1-8b") == 2 * 8_030_261_248


def test_open_model_counts_match_their_publishers() -> None:
    billions = {name: count("params", name) / 1e9 for name in
                ("llama-3.1-8b", "llama-3.1-70b", "deepseek-v3", "qwen3-235b-a22b", "gpt-oss-120b", "gpt-oss-20b")}
    assert {name: round(value) for name, value in billions.items()} == {
        "llama-3.1-8b": 8, "llama-3.1-70b": 71, "deepseek-v3": 671, "qwen3-235b-a22b": 235,
        "gpt-oss-120b": 117, "gpt-oss-20b": 21}
    assert round(count("params", "kimi-k2") / 1e12, 2) == 1.03  # "1T"
    assert count("params", "gemma-3-1b") == 999_885_952  # "1B"
    # Active counts: OpenAI leaves out the input embedding (5.1B, 3.6B), Qwen keeps it (22B)
    assert round(count("active_params", "gpt-oss-120b", embedding=False) / 1e9, 1) == 5.1
    assert round(count("active_params", "gpt-oss-20b", embedding=False) / 1e9, 1) == 3.6
    assert round(count("active_params", "qwen3-235b-a22b") / 1e9) == 22
    assert round(count("active_params", "deepseek-v3", embedding=False) / 1e9) == 37


def test_forward_flops_are_2n_plus_the_attention_term() -> None:
    tokens, width, layers, vocab = 128, 768, 12, 50257
    model = REGISTRY.build("gpt2")
    matrices = sum(p.numel() for name, p in model.named_parameters() if p.dim() == 2 and "wte" not in name and "wpe" not in name)
    # every weight matrix and the tied head, twice per token; QK^T and AV over all 128 x 128 pairs
    expected = 2 * tokens * (matrices + vocab * width) + 2 * 2 * tokens * tokens * width * layers
    assert count("forward_flops", "gpt2", tokens=tokens) == expected == 32_228_179_968


def test_decode_flops_charge_one_token_against_the_whole_context() -> None:
    context, width, layers = 1024, 4096, 32
    model = REGISTRY.build("llama-3.1-8b")
    matrices = sum(p.numel() for name, p in model.named_parameters() if p.dim() == 2 and "embed_tokens" not in name)
    norms = sum(p.numel() for p in model.parameters() if p.dim() == 1)
    # the 2N rule charges every parameter but the lookup table, norms too
    assert count("flops_per_token", "llama-3.1-8b") == 2 * (matrices + norms)
    # queries of 32 heads x 128 meet 1,025 keys and values (the context and the new token)
    assert count("decode_flops", "llama-3.1-8b", context=context) == 2 * matrices + 2 * 2 * width * (context + 1) * layers


@pytest.mark.parametrize(("model", "image", "published_gmacs"), [
    ("alexnet", 224, 0.714), ("vgg16", 224, 15.47), ("resnet50", 224, 4.089), ("efficientnet-b7", 600, 37.746),
])
def test_vision_flops_are_twice_torchvision_published_macs(model: str, image: int, published_gmacs: float) -> None:
    flops = count("forward_flops", model, image=image)
    assert round(flops / 2e9, len(str(published_gmacs).split(".")[1])) == published_gmacs


def test_forward_flops_refuse_routed_experts() -> None:
    message = ("cannot count FLOPs by running a mixture-of-experts model on shapes alone: which experts a token "
               "visits depends on the router's output; use flops_per_token, which charges the active parameters")
    for figure in ("forward_flops", "decode_flops"):
        with pytest.raises(RegistryError) as error:
            count(figure, "mixtral-8x7b", **({"tokens": 8} if figure == "forward_flops" else {"context": 8}))
        assert str(error.value) == message


def test_forward_flops_need_an_input_shape() -> None:
    with pytest.raises(RegistryError, match="needs tokens= for a language model or image= for a vision model"):
        count("forward_flops", "gpt2")
    with pytest.raises(RegistryError, match="not both"):
        count("forward_flops", "resnet50", tokens=4, image=224)
    with pytest.raises(RegistryError, match="cannot run on shapes alone"):
        count("forward_flops", "resnet50", image=4)  # too small for its pooling layers


def test_the_figures_worker_traces_a_pass_once_per_module_and_a_session_every_time(monkeypatch: pytest.MonkeyPatch) -> None:
    from kb.runtime import flop_figures

    traced = []
    real = flop_figures._count
    monkeypatch.setattr(flop_figures, "_count", lambda *a, **k: traced.append(1) or real(*a, **k))
    gpt2 = REGISTRY.build("gpt2")
    with remembering():
        first = [count("forward_flops", "gpt2", tokens=8), count("forward_flops", "gpt2", tokens=8)]
        other = count("forward_flops", "gpt2", tokens=9)
    assert (first[0] == first[1] != other, len(traced)) == (True, 2)
    # A page's code may change a module it was given; outside the figures' worker nothing is remembered.
    block = gpt2.get_submodule("transformer.h.0")
    saved = block.mlp
    try:
        block.mlp = nn.Identity()
        changed = count("forward_flops", "gpt2", tokens=8)
    finally:
        block.mlp = saved
    assert (changed < first[0], len(traced)) == (True, 3)


def test_language_and_vision_models_are_counted_on_meta_tensors_without_fake_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    from torch._subclasses import fake_tensor

    def unavailable(*args: object, **kwargs: object) -> None:
        raise AssertionError("fake tensors were used")

    monkeypatch.setattr(fake_tensor, "FakeTensorMode", unavailable)
    # GPT-2 and Llama prefill into an empty cache (meta tensors cannot answer transformers' check of the
    # position ids for packed sequences, which it skips only for fake ones); the decode fills its cache on meta
    assert count("forward_flops", "gpt2", tokens=128) == 32_228_179_968
    assert count("decode_flops", "llama-3.1-8b", context=7) > count("decode_flops", "llama-3.1-8b", context=6)
    assert round(count("forward_flops", "resnet50", image=224) / 2e9, 3) == 4.089


class BranchesOnValues(nn.Module):
    """A model that, like transformers' mask code, looks at its input's values unless it is being traced."""

    def __init__(self) -> None:
        super().__init__()
        self.embedding = nn.Embedding(10, 16)
        self.head = nn.Linear(16, 10, bias=False)

    def forward(self, input_ids: torch.Tensor, use_cache: bool = False) -> torch.Tensor:
        from transformers.utils.import_utils import is_tracing

        if not is_tracing(input_ids) and bool((input_ids < 0).any()):
            raise ValueError("negative token ids")
        return self.head(self.embedding(input_ids))


def test_a_model_that_needs_more_than_shapes_is_counted_again_on_fake_tensors() -> None:
    with torch.device("meta"):
        model = BranchesOnValues()
    from kb.runtime.flop_figures import forward_flops

    # meta tensors cannot say whether an id is negative; fake tensors take the traced path
    assert forward_flops(model, tokens=5) == 2 * 5 * 16 * 10


class SeesModuleHooks(nn.Module):
    """A layer that notes how many hooks PyTorch runs around every module call while it runs."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(8, 4, bias=False)
        self.hooks_seen: list[int] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        from torch.nn.modules import module

        self.hooks_seen.append(len(module._global_forward_pre_hooks) + len(module._global_forward_hooks))
        return self.linear(x)


def test_flops_are_counted_as_pytorch_counts_them_without_following_every_module_call() -> None:
    from torch.utils.flop_counter import FlopCounterMode

    from kb.runtime.flop_figures import _count

    with torch.device("meta"):
        model = SeesModuleHooks()
    reference = FlopCounterMode(display=False)
    with reference, torch.no_grad():
        model(torch.zeros(3, 8, device="meta"))
    # the counter kb uses counts the same 2 x 3 x 8 x 4, with no hook around each module call
    assert (_count(lambda meta: model(meta(torch.zeros(3, 8)))), reference.get_total_flops()) == (192, 192)
    assert model.hooks_seen[0] > 0 and model.hooks_seen[1] == 0
