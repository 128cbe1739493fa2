"""``kb fix``: rewrite stale pins to the computed values, touching nothing else.

A figure's ``expect="..."`` gets the computed value in the pin's own style
(``"110M"`` becomes ``"109M"``, ``"~2.4M"`` stays approximate); an ``output``
block gets what its code printed. Every other byte of the file stays as it
was, including a BOM and CRLF line endings; files are replaced atomically.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from kb.figures import pins
from kb.figures.block import Block, normalize
from kb.figures.figure import Figure
from kb.model import State
from kb.textedit import Span, replace_spans

_EXPECT = re.compile(r"""\bexpect\s*=\s*(?P<quote>["'])(?P<pin>(?:\\.|(?!(?P=quote)).)*)(?P=quote)""")
_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")


@dataclass(frozen=True)
class Edit:
    """Replace ``old`` lines [first, last] (1-based, inclusive) of a file with ``new`` lines."""

    first: int
    last: int
    new: tuple[str, ...]


def pin_span(figure: Figure, lines: list[str]) -> Span | None:
    """Where a stale figure's pin stands and what it should say, or None if it cannot be found."""
    if figure.pin is None or figure.value is None or figure.expression.line > len(lines):
        return None
    line = lines[figure.expression.line - 1]
    start = figure.expression.column - 1
    end = line.find("}}", start)
    match = _EXPECT.search(line[start : end if end >= 0 else len(line)])
    if match is None:
        return None
    return Span(figure.expression.line, start + match.start("pin"), start + match.end("pin"), pins.rewrite(figure.pin, figure.value))


def line_edits(spans: list[Span], lines: list[str]) -> list[Edit]:
    """One edit per line, with every span of that line applied."""
    changed = replace_spans(lines, spans)
    return [Edit(number, number, (changed[number - 1],)) for number in sorted({span.line for span in spans})]


def block_edit(block: Block) -> Edit | None:
    """The edit that replaces a stale output block's content with what the code printed."""
    if block.expected is None or block.stdout is None:
        return None
    first, last = block.expected.line + 1, block.expected.end_line - 1
    printed = normalize(block.stdout)
    return Edit(first, last, tuple(printed.split("\n")) if printed else ())


def apply(text: str, edits: list[Edit]) -> str:
    """Apply edits to a file's text, keeping its BOM and line endings as they are."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    parts = _LINE_BREAK.split(text[len(bom) :])
    rows = [[parts[i], parts[i + 1] if i + 1 < len(parts) else ""] for i in range(0, len(parts), 2)]
    breaks = parts[1::2]
    newline = max(set(breaks), key=breaks.count) if breaks else "\n"
    for edit in sorted(edits, key=lambda e: e.first, reverse=True):
        start, stop = edit.first - 1, edit.last  # rows[start:stop] are replaced; empty when inserting
        new_rows = [[line, newline] for line in edit.new]
        if new_rows and stop > start:
            new_rows[-1][1] = rows[stop - 1][1]  # the last line keeps its own line ending
        rows[start:stop] = new_rows
    return bom + "".join(line + brk for line, brk in rows)


@dataclass
class Plan:
    """What ``kb fix`` would do: each file's text now and fixed, and the files it cannot fix, with why."""

    changes: dict[Path, tuple[str, str]]
    unfixable: dict[Path, str]


def plan(figures: list[Figure], blocks: list[Block], root: Path) -> Plan:
    """For every file with a stale pin: its text now and its text fixed (or why it cannot be)."""
    stale: dict[str, tuple[list[Figure], list[Block]]] = {}
    for figure in figures:
        if figure.state is State.STALE:
            stale.setdefault(figure.page.source, ([], []))[0].append(figure)
    for block in blocks:
        if block.state is State.STALE:
            stale.setdefault(block.page.source, ([], []))[1].append(block)
    changes = {}
    unfixable = {}
    for source, (stale_figures, stale_blocks) in sorted(stale.items()):
        path = root / source
        try:
            with open(path, encoding="utf-8", newline="") as stream:
                before = stream.read()
        except UnicodeDecodeError:
            unfixable[path] = "it is not valid UTF-8, and kb writes back only what it read exactly (see page.encoding)"
            continue
        except OSError as error:
            unfixable[path] = f"it cannot be read: {error.strerror or error}"
            continue
        lines = _LINE_BREAK.split(before.removeprefix("\ufeff"))[0::2]
        spans = [s for s in (pin_span(f, lines) for f in stale_figures) if s is not None]
        edits = line_edits(spans, lines) + [e for e in (block_edit(b) for b in stale_blocks) if e is not None]
        after = apply(before, edits)
        if after != before:
            changes[path] = (before, after)
    return Plan(changes, unfixable)


def diff(path: str, before: str, after: str) -> str:
    """A unified diff of one file's change."""
    return "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True), f"a/{path}", f"b/{path}"))
