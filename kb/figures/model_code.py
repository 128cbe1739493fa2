"""Which transformers classes a knowledge base's code names, so the zygote can import their code once.

Importing a model family's code (``transformers.models.llama.modeling_llama``)
takes a tenth of a second or so; every page's session that builds a Llama
would otherwise pay it again in its own process. The names are read from the
text of ``macros/`` and of the pages' ``python exec`` blocks, without running
anything: a name imported as ``from transformers import LlamaForCausalLM``
or used as ``transformers.LlamaConfig``. What the zygote does with them is
only a head start: a name it does not know, or whose code fails to import,
is left for the page's own import to report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

_FROM_IMPORT = re.compile(r"^\s*from\s+transformers\s+import\s+(\([^)]*\)|[^\n#]*)", re.MULTILINE)
_ATTRIBUTE = re.compile(r"\btransformers\.([A-Z]\w*)")
_CLASS_NAME = re.compile(r"[A-Z]\w*")
_MOST = 200  # a head start, not an inventory


def named_model_classes(root: Path, codes: Iterable[str]) -> list[str]:
    """The transformers class names that ``macros/`` (under ``root``) and ``codes`` name, sorted."""
    texts = list(codes)
    for path in sorted((root / "macros").rglob("*.py")) if (root / "macros").is_dir() else []:
        try:
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:  # the worker reports what it cannot import
            continue
    names: set[str] = set()
    for text in texts:
        if "transformers" not in text:
            continue
        for imported in _FROM_IMPORT.findall(text):
            names.update(_CLASS_NAME.findall(re.sub(r"\bas\s+\w+", "", imported)))
        names.update(_ATTRIBUTE.findall(text))
    return sorted(names)[:_MOST]
