"""Changing text safely: spans of lines replaced in place, and files replaced
whole or not at all.

Every file kb writes goes through ``write_atomically`` (pages that ``kb fix``
re-pins, pages ``kb new`` creates, cache entries, ``kb graph -o``): a reader
sees the old content or the new, never half of it, and a failure leaves no
temporary file behind. Every in-line replacement (a stale pin rewritten, a
figure or wikilink rendered for the site) goes through ``replace_spans``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Span:
    """Characters ``[start, end)`` of one line (1-based line, 0-based columns), to be replaced by ``text``."""

    line: int
    start: int
    end: int
    text: str


def replace_spans(lines: list[str], spans: Iterable[Span], first_line: int = 1) -> list[str]:
    """``lines`` with every span applied (``lines[0]`` is line ``first_line``). Spans of one
    line are applied right to left, so each keeps the columns it was found at; spans
    outside ``lines`` are ignored."""
    out = list(lines)
    by_line: dict[int, list[Span]] = {}
    for span in spans:
        by_line.setdefault(span.line, []).append(span)
    for number, on_line in by_line.items():
        index = number - first_line
        if not 0 <= index < len(out):
            continue
        text = out[index]
        for span in sorted(on_line, key=lambda s: (s.start, s.end), reverse=True):
            text = text[: span.start] + span.text + text[span.end :]
        out[index] = text
    return out


def write_atomically(path: Path, text: str | bytes, *, exclusive: bool = False) -> None:
    """Write ``text`` (UTF-8, line endings as given; or bytes as they are) to ``path`` in one step.

    An existing file keeps its permissions; a new one gets the usual ones (the
    umask's). With ``exclusive`` an existing file is never replaced: the write
    raises FileExistsError and changes nothing."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    mode = path.stat().st_mode & 0o7777 if not exclusive and path.exists() else 0o666
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(text if isinstance(text, bytes) else text.encode("utf-8"))
        if mode != 0o666:
            os.chmod(temporary, mode)  # os.open applied the umask to it
        if exclusive:
            os.link(temporary, path)  # fails if path exists: nothing is replaced
        else:
            os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
