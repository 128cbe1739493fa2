"""The shipped knowledge base speaks to readers: no page, changelog, source
list, code block or pinned output names this repository's internals (the
source folder and its files, the macros package, kb's helpers) or uses one
of kb's figure functions as a word, and no reader-facing code calls kb."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import kb.runtime.builtin_figures
import kb.runtime.flop_figures
import kb.runtime.inference_figures  # noqa: F401  (registers the built-in figures)
import macros  # noqa: F401  (registers the knowledge base's own)
from kb.runtime import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "content").rglob("*.md"))

# Words a reader of the site has never seen. "random seed", torch.manual_seed(...),
# seed=... and f(seed) in code are about random numbers and stay allowed.
INTERNAL = {
    "the source folder": re.compile(r"(?<!random )(?<!fixed )(?<!\()\bseeds?\b(?!\s*[=(),])", re.IGNORECASE),
    "source file names": re.compile(r"\b\d{3}_[0-9a-f]{16}\b"),
    "the source documents": re.compile(r"\bsource documents?\b", re.IGNORECASE),
    "the macros package": re.compile(r"\bmacros\b", re.IGNORECASE),
    "kb's model builder": re.compile(r"\bbuild_model\b|\bbuild_transformers\b"),
    "kb's runtime": re.compile(r"\bkb\.(runtime|figures|check|site)\b|\bfrom kb\b|\bimport kb\b"),
    "kb's registry": re.compile(r"\bregistry\b|\bREGISTRY\b"),
}
FIGURE = re.compile(r"\{\{.*?\}\}", re.DOTALL)
FENCE = re.compile(r"^(\s*)(```|~~~).*?^\1\2\s*$", re.DOTALL | re.MULTILINE)


def findings(text: str, functions: set[str]) -> list[str]:
    """What in a page's text names kb's internals: ``line: what (the words)``."""
    found = []
    without_figures = FIGURE.sub(lambda m: " " * len(m.group()), text)
    for what, pattern in INTERNAL.items():
        for match in pattern.finditer(without_figures):
            found.append(f"{_line(text, match.start())}: {what} ({match.group()})")
    prose = FENCE.sub(lambda m: "\n" * m.group().count("\n"), without_figures)
    names = "|".join(sorted(functions))
    named = re.compile(rf"`({names})`|\b({names})\(")
    for match in named.finditer(prose):
        found.append(f"{_line(prose, match.start())}: a figure function of kb ({match.group()})")
    return found


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


FUNCTIONS = set(REGISTRY.figures)


@pytest.mark.parametrize(("text", "what"), [
    ("Created from seed 001's table", "the source folder"),
    ('changelog: [{change: "Corrected: the Seed note says 110M"}]', "the source folder"),
    ("see 001_a7ca4dc797ebfbba.txt", "source file names"),
    ("as the source documents say", "the source documents"),
    ("defined in `macros/sizing.py`", "the macros package"),
    ("```python exec\nfrom macros.sizing import x\n```", "the macros package"),
    ("```python exec\nm = build_model('gpt2')\n```", "kb's model builder"),
    ("```python\nfrom kb.runtime import figure\n```", "kb's runtime"),
    ("the model registry", "kb's registry"),
    ("so `training_flops` uses active parameters", "a figure function of kb"),
    ("count it with active_params(model)", "a figure function of kb"),
])
def test_each_kind_of_internal_word_is_found(text: str, what: str) -> None:
    assert any(what in finding for finding in findings(text, FUNCTIONS)), findings(text, FUNCTIONS)


@pytest.mark.parametrize("text", [
    "Fix the random seed for a repeatable run.",
    "```python exec\ntorch.manual_seed(0)\ngenerator = torch.Generator().manual_seed(seed)\n```",
    'It has {{ params("gpt2", expect="124.4M") }} parameters.',
    "```python exec\ndef params(model):\n    return sum(p.numel() for p in model.parameters())\n```",
])
def test_what_readers_may_see_is_not_flagged(text: str) -> None:
    assert findings(text, FUNCTIONS) == []


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_pages_use_reader_facing_words_only(page: Path) -> None:
    assert findings(page.read_text(encoding="utf-8"), FUNCTIONS) == []
