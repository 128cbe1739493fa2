"""The transformers classes a knowledge base's code names, read from its text without running it."""

from __future__ import annotations

from pathlib import Path

from kb.figures.model_code import named_model_classes


def test_names_come_from_imports_and_attributes_in_macros_and_in_two_pages_code(tmp_path: Path) -> None:
    (tmp_path / "macros" / "zoo").mkdir(parents=True)
    (tmp_path / "macros" / "zoo" / "llama.py").write_text(
        "def build():\n    from transformers import (LlamaConfig,  # the published shape\n"
        "                              LlamaForCausalLM as Causal)\n    return Causal(LlamaConfig())\n")
    (tmp_path / "macros" / "notes.txt").write_text("from transformers import NotPython\n")
    pages = ["import transformers\nmodel = transformers.GPT2LMHeadModel(transformers.GPT2Config())",
             "from transformers import pipeline, BertModel, GPT2LMHeadModel  # a function and classes",
             "print('no transformers here: from transformers import Nothing')"]
    # BertModel and GPT2Config are named by one page each: importing them in that page costs the same
    assert named_model_classes(tmp_path, pages) == ["GPT2LMHeadModel", "LlamaConfig", "LlamaForCausalLM"]


def test_a_knowledge_base_without_macros_or_transformers_names_nothing(tmp_path: Path) -> None:
    assert named_model_classes(tmp_path, ["import torch\nprint(torch.zeros(2))"] * 2) == []


def test_a_name_longer_than_any_class_is_not_passed_on(tmp_path: Path) -> None:
    (tmp_path / "macros").mkdir()
    (tmp_path / "macros" / "__init__.py").write_text(f"from transformers import GPT2Config, A{'x' * 200_000}\n")
    assert named_model_classes(tmp_path, []) == ["GPT2Config"]


def test_an_unclosed_parenthesis_does_not_hide_the_imports_after_it(tmp_path: Path) -> None:
    code = "from transformers import (\n" * 2_000 + "x = 1\n" * 1_000 + "from transformers import LlamaConfig\n"
    assert named_model_classes(tmp_path, [code, code]) == ["LlamaConfig"]
