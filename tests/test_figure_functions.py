"""Built-in figure functions against values computed independently: hand
formulas for layers, published counts for reference models, and real runs
(Adam's state, a FLOP counter, an MoE forward and backward pass) on small models.

Each pitfall of COUNTING.md has a test here, named after it.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

import macros  # noqa: F401  (registers the model zoo)
from kb.runtime import builtin_figures as f
from kb.runtime.registry import REGISTRY, Registry, RegistryError, build_transformers


def count(function: str, model: str, **kwargs: object) -> int | float:
    result: int | float = REGISTRY.compute(function, [model], dict(kwargs))
    return result


# Hand formulas for single layers -------------------------------------------------

@pytest.mark.parametrize(("expression", "formula"), [
    ("nn.Linear(768, 3072)", 768 * 3072 + 3072),
    ("nn.Linear(768, 3072, bias=False)", 768 * 3072),
    ("nn.Conv2d(64, 128, 3)", 3 * 3 * 64 * 128 + 128),
    ("nn.Conv2d(64, 128, (3, 5), bias=False)", 3 * 5 * 64 * 128),
    ("nn.Embedding(50257, 768)", 50257 * 768),
    ("nn.LayerNorm(768)", 2 * 768),
    ("nn.BatchNorm2d(64)", 2 * 64),
    ("nn.MultiheadAttention(768, 12)", 4 * 768 * 768 + 4 * 768),
    ("nn.Sequential(nn.Linear(768, 3072), nn.GELU(), nn.Linear(3072, 768))", 2 * 768 * 3072 + 768 + 3072),
    ("nn.LSTM(100, 200)", 4 * (200 * 100 + 200 * 200 + 2 * 200)),
    ("nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))", 235_146),
])
def test_layer_counts_match_hand_formulas(expression: str, formula: int) -> None:
    assert count("params", expression) == formula


def test_module_expressions_refuse_anything_but_nn_modules() -> None:
    for bad in ('nn.Linear(2, 3).__class__', '__import__("os")', "nn.functional.relu(1)", "nn.Linear(2, x)"):
        with pytest.raises(Exception, match=r"allowed|not a module|not valid"):
            count("params", bad if bad.startswith("nn.") else "nn." + bad)


# Published counts of reference models ----------------------------------------------

@pytest.mark.parametrize(("model", "published"), [
    ("lenet5", 61_706),  # the common PyTorch LeNet-5 (pitfall 12: the 1998 paper says about 60,000)
    ("alexnet", 61_100_840),  # torchvision's documentation
    ("vgg16", 138_357_544),  # torchvision's documentation
    ("resnet50", 25_557_032),  # torchvision's documentation
    ("bert-base", 109_482_240),
    ("bert-large", 335_141_888),
    ("gpt2", 124_439_808),  # pitfall 1: tied embeddings counted once
    ("gpt2-xl", 1_557_611_200),
    ("llama-3.1-405b", 405_853_388_800),
    ("mixtral-8x7b", 46_702_792_704),
    ("mixtral-8x22b", 140_620_634_112),  # pitfall 12: the v0.1 vocabulary of 32,000
])
def test_reference_models_have_their_published_counts(model: str, published: int) -> None:
    assert count("params", model) == published


# COUNTING.md, pitfall by pitfall ---------------------------------------------------

def test_pitfall_1_shared_tensors_count_once_even_on_meta() -> None:
    with torch.device("meta"):
        shared = nn.Linear(10, 10)
        model = nn.Sequential(shared, nn.ReLU(), shared)
        assert all(p.data_ptr() == 0 for p in model.parameters())  # why data_ptr() cannot deduplicate
    assert f.params(model) == 110
    gpt2 = REGISTRY.build("gpt2")
    assert gpt2.lm_head.weight is gpt2.transformer.wte.weight


def test_pitfall_2_a_broken_tie_is_refused() -> None:
    from transformers import GPT2Config, GPT2LMHeadModel

    class Untied(GPT2LMHeadModel):  # a model that loses its tie, as init_empty_weights does
        def tie_weights(self, *args: object, **kwargs: object) -> None:
            return None

        def _tie_embedding_weights(self, *args: object, **kwargs: object) -> None:
            return None

    small = GPT2Config(n_layer=1, n_embd=8, n_head=2, vocab_size=16, n_positions=8)
    layer = 2 * 8 + (8 * 24 + 24) + (8 * 8 + 8) + 2 * 8 + (8 * 32 + 32) + (32 * 8 + 8)
    assert f.params(build_transformers(GPT2LMHeadModel, small)) == 16 * 8 + 8 * 8 + layer + 2 * 8  # head tied: 0
    model = Untied(small)
    if model.lm_head.weight is not model.transformer.wte.weight:
        with pytest.raises(RegistryError, match="ties word embeddings"):
            build_transformers(Untied, small)


def test_pitfall_3_the_model_includes_its_language_model_head() -> None:
    from transformers import LlamaConfig, LlamaForCausalLM, LlamaModel

    llama3_8b = LlamaConfig(vocab_size=128256, hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
                            num_attention_heads=32, num_key_value_heads=8, tie_word_embeddings=False)
    with_head = f.params(build_transformers(LlamaForCausalLM, llama3_8b))
    base = f.params(build_transformers(LlamaModel, llama3_8b))
    assert (with_head, base) == (8_030_261_248, 7_504_924_672)
    assert count("params", "llama-3.1-405b") - f.params(REGISTRY.build("llama-3.1-405b").model) == 128256 * 16384


def test_pitfall_4_buffers_are_not_parameters() -> None:
    assert count("buffer_elements", "resnet50") == 53_173
    assert count("params", "nn.BatchNorm2d(64)") == 128
    assert count("buffer_elements", "nn.BatchNorm2d(64)") == 64 + 64 + 1


def test_pitfall_5_non_embedding_names_its_convention() -> None:
    gpt2 = 124_439_808
    assert count("embedding_params", "gpt2") == 50257 * 768 + 1024 * 768
    assert count("non_embedding_params", "gpt2") == gpt2 - 50257 * 768 - 1024 * 768
    # an untied head is kept, as transformers' exclude_embeddings keeps it
    llama = count("non_embedding_params", "llama-3.1-405b")
    assert llama == 405_853_388_800 - 128256 * 16384


def test_pitfall_6_moe_active_parameters_from_fused_experts() -> None:
    total, active = count("params", "mixtral-8x7b"), count("active_params", "mixtral-8x7b")
    routed = count("expert_params", "mixtral-8x7b")
    assert routed == 32 * 8 * 3 * 4096 * 14336
    assert active == total - routed * 6 // 8 == 12_879_925_248
    assert count("active_params", "mixtral-8x22b") == 39_152_031_744
    assert count("active_params", "gpt2") == 124_439_808  # a dense model: everything is active


def test_pitfall_6_a_real_moe_pass_touches_exactly_the_active_weights() -> None:
    from transformers import MixtralConfig, MixtralForCausalLM

    config = MixtralConfig(vocab_size=64, hidden_size=16, intermediate_size=24, num_hidden_layers=2,
                           num_attention_heads=2, num_key_value_heads=1, num_local_experts=4, num_experts_per_tok=2)
    torch.manual_seed(0)
    model = MixtralForCausalLM(config)
    model(torch.tensor([[5]])).logits.sum().backward()  # one token, forward and backward
    touched = 0
    for name, parameter in model.named_parameters():
        if "experts" not in name.split("."):
            touched += parameter.numel()  # the convention: every shared weight is active
            continue
        assert parameter.grad is not None
        used = [e for e in range(config.num_local_experts) if parameter.grad[e].abs().sum() > 0]
        assert len(used) == config.num_experts_per_tok
        touched += len(used) * parameter[0].numel()
    assert touched == f.active_params(model)


def test_pitfall_7_and_9_training_flops_are_6nd_with_active_n_without_lookups() -> None:
    tokens = 2 * 10**12
    # GPT-2: the 1,024 x 768 position table is a lookup; the tied token table is also the head's product
    assert count("training_flops", "gpt2", tokens=tokens) == 6 * (124_439_808 - 1024 * 768) * tokens
    # Mixtral: the input table (32,000 x 4,096) is a lookup; its untied head multiplies
    assert count("training_flops", "mixtral-8x7b", tokens=tokens) == 6 * (12_879_925_248 - 32000 * 4096) * tokens
    assert REGISTRY.figures["training_flops"].unit == "FLOPs"


def test_pitfall_7_6nd_agrees_with_a_flop_counter_on_a_small_model() -> None:
    from transformers import GPT2Config, GPT2LMHeadModel

    config = GPT2Config(n_layer=2, n_embd=64, n_head=4, vocab_size=128, n_positions=32)
    torch.manual_seed(0)
    model = GPT2LMHeadModel(config)
    sequence = 16
    ids = torch.randint(0, 128, (1, sequence))
    with FlopCounterMode(display=False) as counter:
        model(ids).logits.sum().backward()
    measured = counter.get_total_flops()
    rule = f.training_flops(model, sequence)
    # 6ND leaves out attention's S^2 terms and charges biases as if multiplied: a few percent apart
    assert abs(measured - rule) / measured < 0.05, (measured, rule)


def test_pitfall_10_training_memory_per_recipe() -> None:
    n = 124_439_808
    assert count("training_memory", "gpt2", recipe="fp32-adam") == 16 * n
    assert count("training_memory", "gpt2", recipe="mixed-adam") == 16 * n
    assert count("training_memory", "gpt2", recipe="bf16-adam") == 12 * n
    assert count("param_memory", "gpt2", dtype="bf16") == 2 * n
    with pytest.raises(RegistryError, match="unknown recipe"):
        count("training_memory", "gpt2", recipe="adam")


def test_pitfall_10_memory_formula_matches_a_real_adam_step() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    for p in model[0].parameters():
        p.requires_grad = False  # frozen: no gradient, no optimizer state
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad])
    model(torch.randn(4, 64)).sum().backward()
    optimizer.step()
    weights = sum(p.nbytes for p in model.parameters())
    grads = sum(p.grad.nbytes for p in model.parameters() if p.grad is not None)
    states = sum(s[k].nbytes for s in optimizer.state.values() for k in ("exp_avg", "exp_avg_sq"))
    assert weights + grads + states == f.training_memory(model, "fp32-adam")
    assert states == 8 * f.trainable_params(model)


def test_pitfall_11_trainable_and_total_are_both_reported() -> None:
    with torch.device("meta"):
        model = nn.Sequential(nn.Linear(100, 100), nn.Linear(100, 10))
    model[0].requires_grad_(False)
    assert (f.params(model), f.trainable_params(model), f.frozen_params(model)) == (11_110, 1_010, 10_100)
    assert f.trainable_fraction(model) == pytest.approx(1_010 / 11_110)


def test_pitfall_12_configurations_cite_their_variant() -> None:
    assert "32,768" in REGISTRY.models["mixtral-8x22b"].source
    assert "60,000" in REGISTRY.models["lenet5"].source


def test_registry_refuses_twice_registered_names_and_unknown_models() -> None:
    registry = Registry()
    registry.model("m")(lambda: nn.Linear(1, 1))
    with pytest.raises(RegistryError, match="registered twice"):
        registry.model("m")(lambda: nn.Linear(1, 1))
    with pytest.raises(RegistryError, match='did you mean "resnet50"'):
        REGISTRY.build("resnet5")


def test_a_model_built_on_meta_skips_the_initialisers_a_meta_tensor_has_no_values_for(monkeypatch: pytest.MonkeyPatch) -> None:
    initialised: list[str] = []

    def noting(tensor: torch.Tensor, *args: object, **kwargs: object) -> torch.Tensor:
        initialised.append(str(tensor.device))
        return tensor

    monkeypatch.setattr(nn.init, "kaiming_uniform_", noting)
    registry = Registry()

    @registry.model("a linear layer and a table made on the CPU")
    def layers() -> nn.Module:
        table = torch.empty(2, 2, device="cpu")
        nn.init.kaiming_uniform_(table)  # a value the constructor would use: initialised as ever
        return nn.Linear(4, 4)

    module = registry.build("a linear layer and a table made on the CPU")
    nn.Linear(2, 2, device="meta")  # outside a build: PyTorch's initialiser as before
    assert (module.weight.is_meta, initialised, nn.init.kaiming_uniform_) == (True, ["cpu", "meta"], noting)


def test_the_figures_worker_walks_a_kept_module_once_and_a_page_session_every_time() -> None:
    from kb.runtime.inference_figures import weight_memory
    from kb.runtime.remembered import remembering

    with torch.device("meta"):
        model = nn.Sequential(nn.Linear(64, 32), nn.Linear(32, 16))
    with remembering():  # the figures' worker: its modules are the registry's kept builds
        first = (f.params(model), weight_memory(model, "int8"), f.active_params(model))
        model.append(nn.Linear(16, 16, device="meta"))  # a figure function may not do this
        again = (f.params(model), weight_memory(model, "int8"), f.active_params(model))
    # a page's code may change a module between two figures: outside the worker, nothing is remembered
    assert (first, again, f.params(model)) == ((2608, 2752, 2608), (2608, 2752, 2608), 2880)
