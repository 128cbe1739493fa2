"""The verification ledger: every figure and executed block with its state.

Written as ``kb-ledger.json`` for CI and other tools, and as a sortable
table on the site."""

from __future__ import annotations

import html
import json
from typing import Any

from kb.figures.block import Block
from kb.figures.compute import Computed
from kb.figures.figure import Figure
from kb.figures.pins import in_full
from kb.model import LEDGER_STATES, State
from kb.site.verification import block_anchors, figure_anchors, ledger_row_id


def ledger(computed: Computed | None) -> dict[str, Any]:
    """The ledger as the contract's JSON: a summary and one item per figure or block."""
    items: list[dict[str, Any]] = []
    env = computed.environment if computed else {}
    anchors = _anchors(computed)
    versions: dict[str, str] = {k: env[k] for k in ("torch", "transformers", "python") if k in env}
    cited = []
    for figure in computed.figures if computed else []:
        if figure.state is State.CITED and figure.call is not None:
            cited.append({"page": figure.page.source, "line": figure.expression.line, "column": figure.expression.column,
                          "value": str(figure.call.args[0]), "source": figure.source})
        else:
            items.append({**_figure_item(figure, versions), "anchor": anchors[id(figure)]})
    for block in computed.blocks if computed else []:
        items.append({**_block_item(block, versions), "anchor": anchors[id(block)]})
    items.sort(key=lambda i: (i["page"], i["line"], i["column"]))
    summary = {state.value: sum(1 for i in items if i["state"] == state) for state in LEDGER_STATES}
    cited.sort(key=lambda i: (i["page"], i["line"], i["column"]))
    return {"summary": summary, "items": items, "cited": cited}


def _anchors(computed: Computed | None) -> dict[int, str]:
    """Every figure's and block's anchor on its page (``fig-N``, ``block-N``), by ``id()``."""
    figures: dict[str, list[Figure]] = {}
    blocks: dict[str, list[Block]] = {}
    for figure in computed.figures if computed else []:
        figures.setdefault(figure.page.source, []).append(figure)
    for block in computed.blocks if computed else []:
        blocks.setdefault(block.page.source, []).append(block)
    anchors: dict[int, str] = {}
    for found in figures.values():
        anchors.update(figure_anchors(found))
    for done in blocks.values():
        anchors.update(block_anchors(done))
    return anchors


def _figure_item(figure: Figure, versions: dict[str, str]) -> dict[str, Any]:
    return {
        "page": figure.page.source, "line": figure.expression.line, "column": figure.expression.column,
        "kind": "figure",
        "expression": figure.call.text() if figure.call else figure.expression.text,
        "expect": figure.pin.text if figure.pin else None,
        "value": figure.value, "state": figure.state, "error": figure.error,
        "provenance": {**versions, "function": figure.call.function} if figure.call else versions,
    }


def _block_item(block: Block, versions: dict[str, str]) -> dict[str, Any]:
    return {
        "page": block.page.source, "line": block.code.line, "column": 1, "kind": "block",
        "expression": block.code.content,
        "expect": block.expected.content if block.expected else None,
        "value": block.stdout, "state": block.state, "error": block.error,
        "provenance": versions,
    }


def ledger_json(data: dict[str, Any]) -> str:
    """The JSON file's text: stable key order, so two builds write the same bytes."""
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def ledger_page(data: dict[str, Any], page_urls: dict[str, tuple[str, str]], here: str) -> str:
    """The ledger page's Markdown: a summary and a sortable table (sorting by kb-ledger.js)."""
    from kb.site.urls import relative_url

    summary = data["summary"]
    total = sum(summary.values())
    versions: dict[str, str] = next((i["provenance"] for i in data["items"]), {})
    computed_with = ", ".join(f"{k} {versions[k]}" for k in ("torch", "transformers", "python") if k in versions)
    lines = [
        "---", "hide: [toc, navigation]", "search:", "  exclude: true", "---", "",
        "# Verification ledger", "",
        "Every number on this site that is computed, and every code block that is run, with what the "
        "page says and what the computation gave. A *stale* entry fails the build.", "",
        '<div class="kb-ledger-summary">',
        *[f'<button type="button" class="kb-badge kb-state-{s}" data-kb-state="{s}" title="Show only the {s} entries">'
          f"{summary[s]} {s}</button>" for s in LEDGER_STATES],
        f'<span class="kb-ledger-total">{total} in all</span>',
        "</div>", "",
        '<p>Also as <a href="' + html.escape(relative_url("kb-ledger.json", here)) + '">kb-ledger.json</a>. '
        + (f"Computed with {html.escape(computed_with)}. " if computed_with else "")
        + "Filter by state or page, or click a column heading to sort.</p>", "",
        '<div class="kb-ledger-filters" data-search-exclude>',
        '<label>State <select id="kb-ledger-state"><option value="">all</option>'
        + "".join(f'<option value="{s}">{s}</option>' for s in LEDGER_STATES) + "</select></label>",
        '<label>Page <select id="kb-ledger-page"><option value="">all</option>'
        + "".join(f'<option value="{html.escape(source)}">{html.escape(page_urls.get(source, (source, ""))[0])}</option>'
                  for source in sorted({i["page"] for i in data["items"]}, key=lambda s: page_urls.get(s, (s, ""))[0].casefold()))
        + "</select></label>",
        '<span id="kb-ledger-count" aria-live="polite"></span>',
        "</div>", "",
        # a region of its own, reachable by keyboard, where a narrow screen scrolls the table sideways
        '<div class="kb-ledger-scroll" tabindex="0" role="region" aria-label="Every figure and block">'
        '<table class="kb-ledger" data-kb-sortable><thead><tr>'
        "<th>Page</th><th>Line</th><th>Kind</th><th>Expression</th><th>Page says</th><th>Computed</th>"
        "<th>State</th></tr></thead><tbody>",
    ]
    for item in data["items"]:
        title, url = page_urls.get(item["page"], (item["page"], ""))
        value = item["value"]
        shown = in_full(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else (value or "")
        if item["error"]:
            shown = f"{shown} {item['error']}".strip()
        expression = item["expression"] if item["kind"] == "figure" else item["expression"].strip().split("\n")[0] + " …"
        anchor = item.get("anchor", "")
        target = relative_url(url, here) + (f"#{anchor}" if anchor else "")
        row = f' id="{ledger_row_id(item["page"], anchor)}"' if anchor else ""
        lines.append(
            f'<tr class="kb-row-{item["state"]}"{row} data-state="{item["state"]}" data-page="{html.escape(item["page"])}">'
            f'<td><a href="{html.escape(target)}">{html.escape(title)}</a></td>'
            f'<td data-sort="{item["line"]:08d}">{item["line"]}</td><td>{item["kind"]}</td>'
            f"<td><code>{html.escape(expression)}</code></td>"
            f"<td>{_cell(item['expect'] or '', item['kind'])}</td>"
            f'<td data-sort="{html.escape(_sort_key(value))}">{_cell(str(shown), item["kind"])}</td>'
            f'<td><span class="kb-badge kb-state-{item["state"]}">{item["state"]}</span></td></tr>'
        )
    lines += ["</tbody></table></div>", ""]
    if data.get("cited"):
        lines += ["## Cited facts", "",
                  "Numbers that no model can compute (a rumoured size, a date), stated with their source.", "",
                  '<div class="kb-ledger-scroll" tabindex="0" role="region" aria-label="Cited facts">'
                  '<table class="kb-ledger" data-kb-sortable><thead><tr><th>Page</th><th>Line</th><th>Fact</th>'
                  "<th>Source</th></tr></thead><tbody>"]
        for item in data["cited"]:
            title, url = page_urls.get(item["page"], (item["page"], ""))
            lines.append(f'<tr><td><a href="{html.escape(relative_url(url, here))}">{html.escape(title)}</a></td>'
                         f'<td data-sort="{item["line"]:08d}">{item["line"]}</td><td>{html.escape(item["value"])}</td>'
                         f"<td>{html.escape(item['source'] or '')}</td></tr>")
        lines += ["</tbody></table></div>", ""]
    return "\n".join(lines)


def _cell(text: str, kind: str) -> str:
    """A value as a table cell: a block's output keeps its lines, in a box that scrolls."""
    if kind == "block":
        return f'<pre class="kb-cell">{html.escape(text.strip())}</pre>'
    return html.escape(text)


def _sort_key(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{float(value):030.6f}"
    return str(value or "")
