"""Rules across pages: unique ids, references between pages, and names
(titles and aliases) that must each name one page only."""

from __future__ import annotations

import difflib
import itertools
from collections import defaultdict
from dataclasses import dataclass

import networkx as nx

from kb.check.names import exact, fold
from kb.check.schema import Schema
from kb.diagnostics import Diagnostics
from kb.model import Page, PageId


def check_ids(pages: list[Page], diags: Diagnostics) -> dict[PageId, Page]:
    """Report ids used twice; return the map of id to (first) page."""
    by_id: dict[PageId, Page] = {}
    for page in sorted(pages, key=lambda p: p.meta.id_derived):  # written ids first: they win over paths
        page_id = page.id
        if page_id is None:
            continue
        first = by_id.get(page_id)
        if first is None:
            by_id[page_id] = page
            continue
        if page.meta.id_derived:
            continue  # a path that happens to equal another page's id: that page keeps it
        line, column = page.front_matter.position("id") if page.front_matter else (1, 1)
        other_line = first.front_matter.position("id")[0] if first.front_matter else 1
        diags.add(page.source, line, column, "frontmatter.duplicate_id",
                  f'id "{page_id}" is already used by {first.source}:{other_line}')
    return by_id


def check_references(pages: list[Page], by_id: dict[PageId, Page], schema: Schema, diags: Diagnostics) -> None:
    """Check that reference fields (canonical_id, duplicate_of) name pages and form no cycle."""
    graph: nx.DiGraph = nx.DiGraph()
    for page in pages:
        if page.id is None:
            continue
        for name in schema.references:
            value = page.meta.raw.get(name)  # the schema says which fields name pages
            keyword = schema.fields[name].keyword
            if not isinstance(value, str) or value == keyword or value == "":
                continue
            line, column = page.front_matter.position(name) if page.front_matter else (1, 1)
            if value not in by_id:
                close = difflib.get_close_matches(value, list(by_id), n=1)
                hint = f'; did you mean "{close[0]}"?' if close else ""
                diags.add(page.source, line, column, "frontmatter.reference", f'{name} "{value}" names no page{hint}')
                continue
            if value == page.id:
                if name == "canonical_id":  # a page is its own canonical page: same as `self`
                    continue
                diags.add(page.source, line, column, "frontmatter.cycle", f"{name} names this page itself")
                continue
            graph.add_edge(page.id, PageId(value), field=name)
    for component in nx.strongly_connected_components(graph):
        if len(component) < 2:
            continue
        members = sorted((by_id[m] for m in component), key=lambda p: p.source)
        start = members[0]
        assert start.id is not None
        cycle = _walk_cycle(graph, start.id, component)
        fields = sorted({graph.edges[a, b]["field"] for a, b in itertools.pairwise(cycle)})
        line, column = start.front_matter.position(graph.edges[cycle[0], cycle[1]]["field"]) if start.front_matter else (1, 1)
        diags.add(start.source, line, column, "frontmatter.cycle",
                  f"{' and '.join(fields)} {'form' if len(fields) > 1 else 'forms'} a cycle: {' -> '.join(cycle)}")


def _walk_cycle(graph: nx.DiGraph, start: PageId, component: set[PageId]) -> list[PageId]:
    """A cycle through ``start``: its first successor in the component, then the shortest way back."""
    inside = graph.subgraph(component)
    successor = min(inside.successors(start))
    return [start, *nx.shortest_path(inside, successor, start)]


@dataclass(frozen=True)
class _NameUse:
    page: Page
    kind: str  # "title" or "alias"
    text: str
    line: int
    column: int


def check_names(pages: list[Page], diags: Diagnostics) -> None:
    """A title or alias must name one page; names that differ only by folding are warned about."""
    by_exact: dict[str, list[_NameUse]] = defaultdict(list)
    by_folded: dict[str, list[_NameUse]] = defaultdict(list)
    for page in pages:
        for use in _name_uses(page):
            by_exact[exact(use.text)].append(use)
            by_folded[fold(use.text)].append(use)
    for uses in by_exact.values():
        first = uses[0]
        for use in uses[1:]:
            if use.page is first.page:
                continue
            diags.add(use.page.source, use.line, use.column, "frontmatter.name_collision",
                      f'{use.kind} "{use.text}" names two pages: {first.page.source}:{first.line} '
                      f"({first.kind}) and {use.page.source}:{use.line} ({use.kind})")
    for uses in by_folded.values():
        first = uses[0]
        for use in uses[1:]:
            if use.page is first.page or exact(use.text) == exact(first.text):
                continue
            diags.add(use.page.source, use.line, use.column, "frontmatter.name_folded",
                      f'{use.kind} "{use.text}" differs from {first.kind} "{first.text}" of '
                      f"{first.page.source}:{first.line} only in case, spaces, - or _; "
                      "a link that matches neither exactly will be ambiguous")


def _name_uses(page: Page) -> list[_NameUse]:
    fm = page.front_matter
    if fm is None or not page.usable:
        return []
    uses = []
    title = page.meta.title
    if title is not None:
        uses.append(_NameUse(page, "title", title.strip(), *fm.position("title")))
    seen = {exact(title)} if title is not None else set()
    written = page.meta.raw.get("aliases")
    for index, alias in enumerate(written if isinstance(written, list) else []):  # the index gives the position
        if alias in page.meta.aliases and exact(alias) not in seen:
            seen.add(exact(alias))
            uses.append(_NameUse(page, "alias", alias.strip(), *fm.position("aliases", index)))
    return uses
