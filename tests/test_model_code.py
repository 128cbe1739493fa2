"""The transformers classes a knowledge base's code names, read from its text without running it."""

from __future__ import annotations

from pathlib import Path

from kb.figures.model_code import named_model_classes


def test_names_come_from_imports_and_attributes_in_macros_and_pages_code(tmp_path: Path) -> None:
    (tmp_path / "macros" / "zoo").mkdir(parents=True)
    (tmp_path / "macros" / "zoo" / "llama.py").write_text(
        "def build():\n    from transformers import (LlamaConfig,  # the published shape\n"
        "                              LlamaForCausalLM as Causal)\n    return Causal(LlamaConfig())\n")
    (tmp_path / "macros" / "notes.txt").write_text("from transformers import NotPython\n")
    blocks = ["import transformers\nmodel = transformers.GPT2LMHeadModel(transformers.GPT2Config())",
              "from transformers import pipeline, BertModel  # a function and a class",
              "print('no transformers here: from transformers import Nothing')"]
    assert named_model_classes(tmp_path, blocks) == [
        "BertModel", "GPT2Config", "GPT2LMHeadModel", "LlamaConfig", "LlamaForCausalLM"]


def test_a_knowledge_base_without_macros_or_transformers_names_nothing(tmp_path: Path) -> None:
    assert named_model_classes(tmp_path, ["import torch\nprint(torch.zeros(2))"]) == []
