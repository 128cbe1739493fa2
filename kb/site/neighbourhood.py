"""A topic page's neighbourhood: the pages linked with it either way, drawn as a small graph
at the end of the page (the page between what links to it and what it links to)."""

from __future__ import annotations

import html
from typing import Protocol

import networkx as nx

from kb.model import Page
from kb.pipeline import CheckResult
from kb.site.urls import relative_url


class SiteIndex(Protocol):
    """What of ``kb.site.topic.SiteIndex`` a neighbourhood reads."""

    result: CheckResult
    degrees: dict[str, int]
    by_source: dict[str, Page]

    def url(self, page: Page) -> str: ...


def neighbours(page: Page, site: SiteIndex, limit: int = 16) -> list[Page]:
    """The pages linked with ``page`` either way, best connected first (at most ``limit``)."""
    graph = site.result.graph
    if not site.degrees:
        site.degrees = dict(graph.degree())
    nodes = (set(graph.successors(page.source)) | set(graph.predecessors(page.source))) - {page.source}
    ranked = sorted(nodes, key=lambda n: (-site.degrees.get(n, 0), n))[:limit]
    return [site.by_source[n] for n in ranked if n in site.by_source]


def neighbourhood_svg(page: Page, neighbours: list[Page], site: SiteIndex) -> str:
    """The page between the pages that link to it (left) and the pages it links to (right), every
    title in full, edges drawn as on the concept graph: solid for a link, dashed with an arrow for a
    prerequisite, dotted for related. Each node links to its page."""
    graph = site.result.graph
    here = site.url(page)
    incoming = [p for p in neighbours if not graph.has_edge(page.source, p.source)]
    outgoing = [p for p in neighbours if graph.has_edge(page.source, p.source)]
    row, top = 30, 24
    height = max(len(incoming), len(outgoing), 1) * row + 2 * top
    width, left_x, right_x, cx, cy = 760, 300, 460, 380, height / 2
    parts = [f'<svg class="kb-neighbourhood" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 {width} {height:.0f}" role="img" '
             f'aria-label="{html.escape(page.title)}: {len(incoming)} pages link here, it links to {len(outgoing)}">',
             '<defs><marker id="kb-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="kb-arrow"/></marker></defs>']
    for column, x, anchor, dx in ((incoming, left_x, "end", -12), (outgoing, right_x, "start", 12)):
        offset = cy - (len(column) - 1) * row / 2
        for index, other in enumerate(column):
            y = offset + index * row
            kind = _strongest_kind(graph, page.source, other.source)
            arrow = ' marker-end="url(#kb-arrow)"' if kind == "prerequisite" else ""
            # a prerequisite arrow points at the page to read first, as on the concept graph
            x1, y1, x2, y2 = (cx, cy, x, y) if graph.has_edge(page.source, other.source) else (x, y, cx, cy)
            parts.append(f'<line class="kb-edge kb-edge-{kind}" x1="{x1}" y1="{y1:.1f}" x2="{x2}" y2="{y2:.1f}"{arrow}/>')
            href = html.escape(relative_url(site.url(other), here))
            # xlink:href, not href: Material's instant navigation rewrites every [href] it finds,
            # and an SVG link's href cannot be assigned
            parts.append(f'<a xlink:href="{href}"><circle class="kb-node" cx="{x}" cy="{y:.1f}" r="6"/>'
                         f'<text x="{x + dx}" y="{y + 4:.1f}" text-anchor="{anchor}">{html.escape(other.title)}</text></a>')
    parts.append(f'<circle class="kb-node kb-node-self" cx="{cx}" cy="{cy:.1f}" r="10"/>')
    parts.append("</svg>")
    return "".join(parts)


_KIND_ORDER = ("prerequisite", "related", "canonical", "duplicate", "link")


def _strongest_kind(graph: nx.MultiDiGraph, a: str, b: str) -> str:
    """The edge kind the drawing shows between two pages: a prerequisite over a related page over a link."""
    kinds: set[str] = set()
    for s, t in ((a, b), (b, a)):
        data = graph.get_edge_data(s, t) or {}
        kinds.update(str(k) for k in data)
    return next((k for k in _KIND_ORDER if k in kinds), "link")
