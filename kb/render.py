"""Figures and executed blocks rendered into a page's Markdown, for the site.

Each ``{{ ... }}`` is replaced by an HTML ``<span>`` that shows the value
(the pin when it holds, the computed value in the pin's style when stale)
and carries its provenance for the site to show on hover. Everything that
comes from the page or a computation is HTML-escaped.
"""

from __future__ import annotations

import html
import json
from collections import defaultdict

from kb import pins
from kb.blocks import Block
from kb.figures import Figure

STATE_WORDS = {
    "verified": "verified: the computed value satisfies the page's pin",
    "stale": "STALE: the computed value does not satisfy the page's pin",
    "unpinned": "computed, not pinned",
    "failed": "could not be computed",
    "cited": "cited, not computed",
}


def provenance_text(figure: Figure) -> str:
    """One line for a tooltip: what was computed, the value, the verdict and the library versions."""
    if figure.call is None:
        return f"{{{{ {figure.expression.text} }}}}: {figure.error or 'not a figure'}"
    if figure.state == "cited":
        return f"A cited fact, not computed · source: {figure.source}"
    parts = [f"{figure.call.text()} = {pins.exact(figure.value) if figure.value is not None else '?'}"]
    if figure.pin is not None:
        parts.append(f"page says {figure.pin.text}")
    parts.append(STATE_WORDS[figure.state])
    if figure.error:
        parts.append(figure.error)
    prov = figure.provenance
    if prov:
        parts.append(f"torch {prov['torch']}, transformers {prov['transformers']}, Python {prov['python']}")
    return " · ".join(parts)


def figure_html(figure: Figure) -> str:
    """The ``<span>`` that stands for a figure on the site."""
    shown = figure.display if figure.state != "failed" else "⚠ not computed"
    data = {
        "expression": figure.call.text() if figure.call else figure.expression.text,
        "value": figure.value,
        "pin": figure.pin.text if figure.pin else None,
        "state": figure.state,
        **{k: v for k, v in figure.provenance.items() if k in ("torch", "transformers", "python")},
    }
    return (
        f'<span class="kb-figure kb-{figure.state}" tabindex="0" '
        f'title="{html.escape(provenance_text(figure))}" '
        f"data-kb-figure='{html.escape(json.dumps(data, ensure_ascii=False), quote=True)}'>"
        f"{html.escape(shown)}</span>"
    )


Span = tuple[int, int, str]  # replace columns [start, end) (0-based) of a line with this text


def figure_span(figure: Figure, line: str) -> Span:
    """Where a figure's ``{{ ... }}`` stands on its line, and its HTML."""
    start = figure.expression.column - 1
    end = line.find("}}", start)
    return start, len(line) if end < 0 else end + 2, figure_html(figure)


def replace_spans(lines: list[str], first_line: int, spans: dict[int, list[Span]]) -> list[str]:
    """Apply spans to lines (file line ``first_line`` is ``lines[0]``), right to left on each line."""
    out = list(lines)
    for number, replacements in spans.items():
        index = number - first_line
        if not 0 <= index < len(out):
            continue
        text = out[index]
        for start, end, replacement in sorted(replacements, reverse=True):
            text = text[:start] + replacement + text[end:]
        out[index] = text
    return out


def render_figures(lines: list[str], first_line: int, figures: list[Figure]) -> list[str]:
    """Replace each figure's ``{{ ... }}`` in ``lines`` by its HTML."""
    spans: dict[int, list[Span]] = defaultdict(list)
    for figure in figures:
        index = figure.expression.line - first_line
        if 0 <= index < len(lines):
            spans[figure.expression.line].append(figure_span(figure, lines[index]))
    return replace_spans(lines, first_line, spans)


def block_output_markdown(block: Block) -> str:
    """What the site shows under an executed block: its output, or why there is none."""
    if block.error is not None:
        return f'<div class="kb-output kb-failed"><pre>{html.escape(block.error)}</pre></div>'
    classes = f"kb-output kb-{block.state}"
    return f'<div class="{classes}"><pre>{html.escape(block.stdout or "")}</pre></div>'
