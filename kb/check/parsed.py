"""Pages parsed once: a check keeps what it parsed (each page's structure and the
diagnostics parsing gave, and what checking its front matter against the schema
found) under ``.kb-cache/parsed.pickle``, keyed by each file's place and text and by
kb's own code (the schema check also by the schema and the date), so the next
check parses only pages whose text changed. Parsing and the schema check are most
of what a check spends on an unchanged page.

Like the rest of the cache folder (which also holds the theme's compiled
templates), the file is trusted as the knowledge base's own code is; anything
in it that cannot be read is a miss, and a folder that cannot be written is
skipped. ``kb serve`` keeps the pages in memory between its rebuilds.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kb.diagnostics import Diagnostic, Diagnostics
from kb.kept import read_kept, write_kept
from kb.memory import KeptInMemory
from kb.model import Page

_Key = tuple[str, str, str]  # source, doc path, digest of the text
_Entry = tuple[Page, list[Diagnostic]]
_KEPT: KeptInMemory[Path, ParsedPages] = KeptInMemory()  # by file, under ``kb serve`` (see ``kept_in_memory``)


class ParsedPages:
    """The parsed pages of the last check of one knowledge base."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.entries: dict[_Key, _Entry] = {}
        self.used: set[_Key] = set()
        self.checked: dict[tuple[_Key, str], list[Diagnostic]] = {}  # by page and schema: what the check found
        self.checked_used: set[tuple[_Key, str]] = set()
        self.changed = False
        self._keys: dict[str, _Key] = {}  # source -> its key in this check

    @classmethod
    def open(cls, file: Path) -> ParsedPages:
        """The parsed pages kept in ``file`` (none if it is missing, corrupt or from another kb);
        while ``kept_in_memory``, those of the last check of this process."""
        known = _KEPT.get(file)
        if known is None:
            known = _KEPT.remember(file, cls(file))
            known.entries, known.checked = _read(file)
        known.used, known.checked_used, known._keys = set(), set(), {}
        known.changed = False
        return known

    def parse(self, text: str, source: str, doc_path: str, diags: Diagnostics,
              parse: Callable[[str, Any, Any, Diagnostics], Page]) -> Page:
        """``parse(text, source, doc_path, diags)``, or what it gave for the same text before:
        a copy of the page (the check sets fields of its own on it) and the same diagnostics."""
        key = (source, doc_path, hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())
        self.used.add(key)
        self._keys[source] = key
        entry = self.entries.get(key)
        if entry is None:
            found = Diagnostics()
            page = parse(text, source, doc_path, found)
            entry = self.entries[key] = (copy.copy(page), list(found))
            self.changed = True
        else:
            page = copy.copy(entry[0])
        for diagnostic in entry[1]:
            diags.add(diagnostic.path, diagnostic.line, diagnostic.column, diagnostic.code, diagnostic.message)
        return page

    def check(self, page: Page, schema: str, diags: Diagnostics, check: Callable[[Diagnostics], None]) -> None:
        """``check(diags)`` for a page parsed by ``parse``, or the diagnostics it gave for the same
        text under the same ``schema`` (a key of the schema and anything else it reads)."""
        page_key = self._keys.get(page.source)
        if page_key is None:
            check(diags)
            return
        key = (page_key, schema)
        self.checked_used.add(key)
        found = self.checked.get(key)
        if found is None:
            fresh = Diagnostics()
            check(fresh)
            found = self.checked[key] = list(fresh)
            self.changed = True
        for diagnostic in found:
            diags.add(diagnostic.path, diagnostic.line, diagnostic.column, diagnostic.code, diagnostic.message)

    def save(self) -> None:
        """Keep what this check used (and only that); nothing if nothing changed or the folder
        cannot be written."""
        if set(self.entries) != self.used or set(self.checked) != self.checked_used:
            self.entries = {key: entry for key, entry in self.entries.items() if key in self.used}
            self.checked = {key: found for key, found in self.checked.items() if key in self.checked_used}
            self.changed = True
        if not self.changed:
            return
        if write_kept(self.file, {"pages": self.entries, "checked": self.checked}):
            self.changed = False


def kept_in_memory() -> contextlib.AbstractContextManager[None]:
    """Within the block (``kb serve``: one process, a check per save), checks keep their
    parsed pages in memory instead of reading them back from the file each time."""
    return _KEPT.keeping()


def _read(file: Path) -> tuple[dict[_Key, _Entry], dict[tuple[_Key, str], list[Diagnostic]]]:
    kept = read_kept(file)
    stored_pages, stored_checks = kept.get("pages"), kept.get("checked")
    if not isinstance(stored_pages, dict) or not isinstance(stored_checks, dict):
        return {}, {}
    pages = {key: entry for key, entry in stored_pages.items() if _sound(key, entry)}
    checked = {key: found for key, found in stored_checks.items()
               if isinstance(key, tuple) and len(key) == 2 and key[0] in pages and isinstance(key[1], str)
               and isinstance(found, list) and all(isinstance(d, Diagnostic) for d in found)}
    return pages, checked


def _sound(key: Any, entry: Any) -> bool:
    return (isinstance(key, tuple) and len(key) == 3 and all(isinstance(part, str) for part in key)
            and isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], Page)
            and isinstance(entry[1], list) and all(isinstance(d, Diagnostic) for d in entry[1]))
