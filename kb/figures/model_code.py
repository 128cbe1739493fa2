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
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

# A parenthesised import is looked for within a few thousand characters: an unclosed one must not
# send every later match to the end of the text.
_FROM_IMPORT = re.compile(r"^[ \t]*from[ \t]+transformers[ \t]+import[ \t]+(\([^)]{0,4000}\)|[^\n#]*)", re.MULTILINE)
_ATTRIBUTE = re.compile(r"\btransformers\.([A-Z]\w*)")
_CLASS_NAME = re.compile(r"[A-Z]\w*")
_MOST = 200  # a head start, not an inventory
_LONGEST = 100  # characters: no transformers class is longer; the names travel on a command line


def named_model_classes(root: Path, pages_code: Iterable[str]) -> list[str]:
    """The transformers class names worth importing once, sorted: those ``macros/`` (under
    ``root``) names, which every worker loads, and those the code of two or more pages names
    (``pages_code``: one text per page). A class only one page names would be imported once
    either way, and in the zygote it would hold up every worker instead of one."""
    macros_text = []
    for path in sorted((root / "macros").rglob("*.py")) if (root / "macros").is_dir() else []:
        try:
            macros_text.append(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:  # the worker reports what it cannot import
            continue
    names = _names("\n".join(macros_text))
    pages_naming: Counter[str] = Counter()
    for code in pages_code:
        pages_naming.update(_names(code))
    names.update(name for name, pages in pages_naming.items() if pages >= 2)
    return sorted(names)[:_MOST]


def _names(text: str) -> set[str]:
    names: set[str] = set()
    if "transformers" not in text:
        return names
    for imported in _FROM_IMPORT.findall(text):
        names.update(_CLASS_NAME.findall(re.sub(r"\bas\s+\w+", "", imported)))
    names.update(_ATTRIBUTE.findall(text))
    return {name for name in names if len(name) <= _LONGEST}
