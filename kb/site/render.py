"""Figures and executed blocks rendered into a page's Markdown, for the site.

Each ``{{ ... }}`` is replaced by an HTML ``<span>`` that shows the value
(the pin when it holds, the computed value in the pin's style when stale)
and carries its provenance for the site to show on hover. Everything that
comes from the page or a computation is HTML-escaped.
"""

from __future__ import annotations

import difflib
import html
import json

from kb.figures import pins
from kb.figures.block import Block
from kb.figures.figure import Figure
from kb.model import State
from kb.textedit import Span

STATE_WORDS = {
    State.VERIFIED: "verified: the computed value satisfies the page's pin",
    State.STALE: "STALE: the computed value does not satisfy the page's pin",
    State.UNPINNED: "computed, not pinned",
    State.FAILED: "could not be computed",
    State.CITED: "cited, not computed",
}


def provenance_text(figure: Figure) -> str:
    """One line for a tooltip: what was computed, the value, the verdict and the library versions."""
    if figure.call is None:
        return f"{{{{ {figure.expression.text} }}}}: {figure.error or 'not a figure'}"
    if figure.state is State.CITED:
        return f"A cited fact, not computed · source: {figure.source}"
    parts = [f"{figure.call.text()} = {pins.in_full(figure.value) if figure.value is not None else '?'}"]
    if figure.pin is not None:
        parts.append(f"page says {figure.pin.text}")
    parts.append(STATE_WORDS[figure.state])
    if figure.error:
        parts.append(figure.error)
    prov = figure.provenance
    if prov:
        parts.append(f"torch {prov['torch']}, transformers {prov['transformers']}, Python {prov['python']}")
    return " · ".join(parts)


def figure_html(figure: Figure, anchor: str | None = None, ledger_href: str | None = None) -> str:
    """The ``<span>`` that stands for a figure on the site: focusable, with its provenance for the
    site's popover and for assistive technology (``data-kb-about``), its anchor (``fig-N``) and the
    address of its row in the ledger."""
    shown = figure.display if figure.state is not State.FAILED else "⚠ not computed"
    data = {
        "expression": figure.call.text() if figure.call else figure.expression.text,
        "value": figure.value,
        "pin": figure.pin.text if figure.pin else None,
        "state": figure.state,
        **{k: v for k, v in figure.provenance.items() if k in ("torch", "transformers", "python")},
    }
    ident = f' id="{html.escape(anchor)}"' if anchor else ""
    ledger = f' data-kb-ledger="{html.escape(ledger_href)}"' if ledger_href else ""
    return (
        f'<span class="kb-figure kb-{figure.state}"{ident} tabindex="0" role="button" '
        f'data-kb-about="{html.escape(provenance_text(figure))}"{ledger} '
        f"data-kb-figure='{html.escape(json.dumps(data, ensure_ascii=False), quote=True)}'>"
        f"{html.escape(shown)}</span>"
    )


def figure_span(figure: Figure, line: str, markup: str | None = None) -> Span:
    """Where a figure's ``{{ ... }}`` stands on its line (``line`` is that line's text), with its
    HTML (``markup``, or the figure's own)."""
    start = figure.expression.column - 1
    end = line.find("}}", start)
    return Span(figure.expression.line, start, len(line) if end < 0 else end + 2, markup or figure_html(figure))


def block_output_markdown(block: Block, anchor: str | None = None) -> str:
    """What the site shows under an executed block: its output (or why there is none), what it
    wrote to standard error beside it, and for a stale block how its output differs from the pin."""
    ident = f' id="{html.escape(anchor)}"' if anchor else ""
    if block.error is not None:
        shown = f'<div class="kb-output kb-failed"{ident}><pre tabindex="0">{html.escape(block.error)}</pre></div>'
    else:  # tabindex: a long line scrolls, and a keyboard must be able to scroll it
        shown = f'<div class="kb-output kb-{block.state}"{ident}><pre tabindex="0">{html.escape(block.stdout or "")}</pre></div>'
    if block.state is State.STALE and block.expected is not None:
        shown += "\n" + output_difference(block.expected.content, block.stdout or "")
    if block.stderr.strip():
        shown += f'\n<div class="kb-stderr"><pre tabindex="0">{html.escape(block.stderr.rstrip())}</pre></div>'
    return shown


def output_difference(pinned: str, printed: str) -> str:
    """The lines a stale block's output changed against its pin: ``-`` what the page pins,
    ``+`` what the code printed (trailing spaces and blank lines do not count, as in the check)."""
    before = [line.rstrip() for line in pinned.strip("\n").split("\n")]
    after = [line.rstrip() for line in printed.strip("\n").split("\n")]
    rows = []
    for line in difflib.unified_diff(before, after, "the page pins", "the code printed", n=1, lineterm=""):
        kind = {"-": "kb-diff-pin", "+": "kb-diff-out", "@": "kb-diff-hunk"}.get(line[:1], "kb-diff-same")
        if line.startswith(("---", "+++")):
            kind = "kb-diff-file"
        rows.append(f'<span class="{kind}">{html.escape(line)}</span>')
    return ('<div class="kb-output-diff"><p>How the output differs from what the page pins '
            '(<span class="kb-diff-pin">-</span> pinned, <span class="kb-diff-out">+</span> printed):</p>'
            f'<pre tabindex="0">{chr(10).join(rows)}</pre></div>')
