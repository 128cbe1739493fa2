"""The learning structure: what to read first, what is related, in what order.

A page's ``prerequisites`` and ``related`` name other pages exactly as
wikilinks do (same resolution, same diagnostics) and become typed edges of
the concept graph. Prerequisites must not form a cycle (``graph.cycle``), and
a prerequisite should not be harder than the page that needs it
(``graph.harder_prerequisite``). The learning path orders every page so that
its prerequisites come before it; where the order is free, easier pages come
first, then by title.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import networkx as nx

from kb.check.links import NameIndex, resolve_wiki
from kb.diagnostics import Diagnostics
from kb.model import Difficulty, EdgeKind, Link, Page

RELATION_FIELDS = {"prerequisites": EdgeKind.PREREQUISITE, "related": EdgeKind.RELATED}


@dataclass(frozen=True)
class Relation:
    """A page's prerequisite or related page, as its front matter names it."""

    source: Page
    target: Page
    kind: EdgeKind
    link: Link  # the name as written, where it stands in the front matter


def resolve_relations(pages: list[Page], index: NameIndex, diags: Diagnostics) -> list[Relation]:
    """Resolve every page's prerequisites and related pages, reporting names that find no page."""
    relations = []
    for page in pages:
        if page.front_matter is None or not page.usable:
            continue
        for field, kind in RELATION_FIELDS.items():
            names = page.meta.prerequisites if kind is EdgeKind.PREREQUISITE else page.meta.related
            written = page.meta.raw.get(field)
            for index_in_list, name in enumerate(names):
                where = (field, index_in_list) if isinstance(written, list) else (field,)
                line, column = page.front_matter.position(*where)
                link = Link("wiki", name.strip(), None, None, f"[[{name.strip()}]]", line, column)
                target = resolve_wiki(page, link, index, diags)
                if target is not None:
                    relations.append(Relation(page, target, kind, link))
    return relations


def check_prerequisites(relations: list[Relation], diags: Diagnostics) -> None:
    """Prerequisites that form a cycle (``graph.cycle``), and ones harder than the page that needs them."""
    needs: nx.DiGraph = nx.DiGraph()
    first_link: dict[tuple[str, str], Relation] = {}
    for relation in relations:
        if relation.kind is not EdgeKind.PREREQUISITE:
            continue
        key = (relation.source.source, relation.target.source)
        first_link.setdefault(key, relation)
        needs.add_edge(*key)
        harder = relation.target.meta.difficulty
        own = relation.source.meta.difficulty
        if harder is not None and own is not None and harder > own:
            diags.add(relation.source.source, relation.link.line, relation.link.column, "graph.harder_prerequisite",
                      f"{relation.link.raw} is {harder}, harder than this {own} page that needs it first")
    for component in nx.strongly_connected_components(needs):
        members = sorted(component)
        if len(members) == 1 and not needs.has_edge(members[0], members[0]):
            continue
        cycle = _cycle_through(needs, members[0], component)
        relation = first_link[(cycle[0], cycle[1])]
        others = [m for m in members if m not in cycle]
        more = f" (and {', '.join(others)} depend on each other with them)" if others else ""
        diags.add(relation.source.source, relation.link.line, relation.link.column, "graph.cycle",
                  f"prerequisites form a cycle: {' → '.join(cycle)}{more}; a page cannot come before itself")


def _cycle_through(graph: nx.DiGraph, start: str, component: set[str]) -> list[str]:
    """A cycle through ``start``: its first successor in the component, then the shortest way back."""
    inside = graph.subgraph(component)
    successor = min(inside.successors(start))
    return [start, *nx.shortest_path(inside, successor, start)]


def learning_path(pages: list[Page], relations: list[Relation], home: str | None = None) -> list[Page]:
    """Every page, prerequisites first; where the order is free, the home page (``home``, a path in
    the content folder) first, then by difficulty (unrated last), then title. Pages caught in a
    prerequisite cycle follow the rest, in the same order."""
    def key(page: Page) -> tuple[bool, int, str, str]:
        return (page.doc_path != home, page.meta.difficulty or Difficulty.ADVANCED + 1, page.title.casefold(), page.source)

    by_source: dict[str, Page] = {p.source: p for p in pages}
    waiting: dict[str, set[str]] = {p.source: set() for p in pages}
    unlocks: dict[str, list[str]] = {p.source: [] for p in pages}
    for relation in relations:
        needed, needing = relation.target.source, relation.source.source
        if relation.kind is EdgeKind.PREREQUISITE and needed != needing and needed not in waiting[needing]:
            waiting[needing].add(needed)
            unlocks[needed].append(needing)
    ready = [(key(by_source[s]), s) for s, needs in waiting.items() if not needs]
    heapq.heapify(ready)
    order: list[Page] = []
    while ready:
        _, source = heapq.heappop(ready)
        order.append(by_source[source])
        for follower in unlocks[source]:
            waiting[follower].discard(source)
            if not waiting[follower]:
                heapq.heappush(ready, (key(by_source[follower]), follower))
    placed = {p.source for p in order}
    return order + sorted((p for p in pages if p.source not in placed), key=key)


def prerequisites_by_page(relations: list[Relation]) -> tuple[dict[str, list[Page]], dict[str, list[Page]]]:
    """Each page's direct prerequisites, and the pages that name each page as one (by source)."""
    needs: dict[str, list[Page]] = {}
    needed_by: dict[str, list[Page]] = {}
    for relation in relations:
        if relation.kind is EdgeKind.PREREQUISITE:
            needs.setdefault(relation.source.source, []).append(relation.target)
            needed_by.setdefault(relation.target.source, []).append(relation.source)
    return needs, needed_by


def read_first(page: Page, needs: dict[str, list[Page]], position: dict[str, int]) -> list[Page]:
    """The page's prerequisites and theirs, all the way down, in learning-path order
    (``position``: each page's place on the path; pages not on it are left out)."""
    seen: dict[str, Page] = {}
    todo = list(needs.get(page.source, []))
    while todo:
        needed = todo.pop()
        if needed.source not in seen and needed is not page:
            seen[needed.source] = needed
            todo.extend(needs.get(needed.source, []))
    return sorted((p for s, p in seen.items() if s in position), key=lambda p: position[p.source])


def leads_to(page: Page, needed_by: dict[str, list[Page]], position: dict[str, int]) -> list[Page]:
    """The pages that name this one as a prerequisite, in learning-path order."""
    followers = {p.source: p for p in needed_by.get(page.source, []) if p.source != page.source}
    return sorted((p for s, p in followers.items() if s in position), key=lambda p: position[p.source])
