"""The site's learning structure: the learning path, what to read before a page
and what it leads to, related topics with their generality, and the review
queue. The order and the measures come from ``kb.check.learning``,
``kb.check.graph.generality`` and ``kb.check.review``; here they become pages
and HTML."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import networkx as nx

from kb.check.graph import generality
from kb.check.learning import leads_to, learning_path, prerequisites_by_page, read_first
from kb.check.review import Review, reviews
from kb.check.sitepaths import LEARNING_PATH, REVIEW_PAGE
from kb.model import EdgeKind, Page
from kb.pipeline import CheckResult
from kb.site.urls import md_link, md_text

NOT_SEARCHED = "---\nsearch:\n  exclude: true\n---\n\n"
RELATED_LIMIT = 8


@dataclass
class Learning:
    """The learning structure of a checked knowledge base."""

    result: CheckResult
    path: list[Page] = field(default_factory=list)
    position: dict[str, int] = field(default_factory=dict)  # source -> 1-based place on the path
    generality: dict[str, int] = field(default_factory=dict)
    _usable: dict[str, Page] = field(default_factory=dict)
    _named: dict[str, list[Page]] = field(default_factory=dict)
    _related: dict[str, list[tuple[Page, bool]]] = field(default_factory=dict)
    _needs: dict[str, list[Page]] = field(default_factory=dict)  # source -> its direct prerequisites
    _needed_by: dict[str, list[Page]] = field(default_factory=dict)  # source -> pages naming it as one

    @classmethod
    def of(cls, result: CheckResult) -> Learning:
        pages = [p for p in result.pages if p.usable]
        learning = cls(result, learning_path(pages, result.relations, result.config.options.home))
        learning.position = {p.source: i for i, p in enumerate(learning.path, start=1)}
        learning.generality = generality(result.graph)
        learning._needs, learning._needed_by = prerequisites_by_page(result.relations)
        return learning

    def neighbours(self, page: Page) -> tuple[Page | None, Page | None]:
        """The pages before and after ``page`` on the learning path."""
        place = self.position.get(page.source)
        if place is None:
            return None, None
        return (self.path[place - 2] if place > 1 else None, self.path[place] if place < len(self.path) else None)

    def prerequisites(self, page: Page) -> list[Page]:
        """The pages ``page`` names as prerequisites, in its order (repeats kept)."""
        return self._needs.get(page.source, [])

    def read_first(self, page: Page) -> list[Page]:
        return read_first(page, self._needs, self.position)

    def leads_to(self, page: Page) -> list[Page]:
        return leads_to(page, self._needed_by, self.position)

    def related(self, page: Page) -> list[tuple[Page, bool]]:
        """Related topics: the page's own ``related`` first, then the pages closest to it in the
        graph (fewest steps over edges of any kind), more general first among equally close;
        each with whether the page names it itself. Worked out once per page."""
        if not self._usable:  # the indexes every page's related topics are drawn from
            self._usable = {p.source: p for p in self.result.pages if p.usable}
            for relation in self.result.relations:
                if relation.kind is EdgeKind.RELATED and relation.target is not relation.source:
                    self._named.setdefault(relation.source.source, []).append(relation.target)
        if page.source not in self._related:
            self._related[page.source] = self._closest(page)
        return self._related[page.source]

    def _closest(self, page: Page) -> list[tuple[Page, bool]]:
        chosen: list[tuple[Page, bool]] = [(p, True) for p in _unique(self._named.get(page.source, []))]
        taken: set[str] = {p.source for p, _ in chosen} | {page.source}
        by_source = self._usable
        for ring in _rings(self.result.graph, page.source):
            for source in sorted(ring - taken, key=lambda s: (-self.generality.get(s, 0), by_source[s].title.casefold()
                                                               if s in by_source else s)):
                if len(chosen) >= RELATED_LIMIT:
                    return chosen
                if source in by_source:
                    chosen.append((by_source[source], False))
                    taken.add(source)
        return chosen


def _unique(pages: list[Page]) -> list[Page]:
    """Pages in their order, each once."""
    seen: dict[str, Page] = {}
    for page in pages:
        seen.setdefault(page.source, page)
    return list(seen.values())


def _rings(graph: nx.MultiDiGraph, start: str, depth: int = 3) -> Iterator[set[str]]:
    """The nodes one step from ``start`` over edges either way, then two steps, up to
    ``depth``; each ring is worked out only when the one before it did not give enough."""
    if start not in graph:
        return
    seen, frontier = {start}, [start]
    for _ in range(depth):
        ring: set[str] = set()
        for node in frontier:
            ring.update(n for n in graph.successors(node) if n not in seen)
            ring.update(n for n in graph.predecessors(node) if n not in seen)
        if not ring:
            return
        seen |= ring
        yield ring
        frontier = sorted(ring)


def learning_path_page(learning: Learning) -> str:
    """``learning-path/``: every page in an order that puts what a page needs before it."""
    lines = [NOT_SEARCHED + "# Learning path", "",
             "Every page of this knowledge base in one reading order: each page comes after the pages it "
             "names as prerequisites; where the order is free, easier pages come first. Reading times are "
             "computed from each page's prose, code and tables.", "",
             '<div class="kb-path" markdown="1">', ""]
    for number, page in enumerate(learning.path, start=1):
        needs = learning.prerequisites(page)
        after = (" · after " + ", ".join(md_link(p.title, LEARNING_PATH, p.doc_path) for p in _unique(needs))
                 if needs else "")
        difficulty = f" · {page.meta.difficulty}" if page.meta.difficulty else ""
        lines.append(f"{number}. {md_link(page.title, LEARNING_PATH, page.doc_path)}{difficulty} · "
                     f"{page.reading.minutes} min{after}")
    return "\n".join([*lines, "", "</div>", ""])


def review_page(result: CheckResult, upcoming_days: int = 30) -> str:
    """``review/``: the pages past their review, most overdue first, and those due soon."""
    found = reviews([p for p in result.pages if p.usable], result.schema.review_intervals, result.today)
    overdue = [r for r in found if r.overdue]
    soon = sorted((r for r in found if -upcoming_days <= r.days_overdue <= 0), key=lambda r: r.due)
    intervals = ", ".join(f"{level} every {days} days" for level, days in result.schema.review_intervals.items())
    lines = [NOT_SEARCHED + "# Review queue", "",
             f"A page is checked against its sources again within the interval of its trust level ({intervals}), "
             f"counted from its last review. As of {result.today.isoformat()}:", ""]
    if overdue:
        lines += ["## Overdue", "", *_review_table(overdue, "days overdue", lambda r: r.days_overdue)]
    else:
        lines += ["No page is overdue for review.", ""]
    if soon:
        lines += [f"## Due in the next {upcoming_days} days", "", *_review_table(soon, "due", lambda r: r.due.isoformat())]
    return "\n".join(lines) + "\n"


def _review_table(found: list[Review], last: str, value: Callable[[Review], object]) -> list[str]:
    rows = ["| Page | Trust | Confidence | Last reviewed | " + last.capitalize() + " |", "| --- | --- | ---: | --- | ---: |"]
    for review in found:
        page = review.page
        confidence = f"{page.meta.confidence:.2f}" if page.meta.confidence is not None else ""
        rows.append(f"| {md_link(page.title, REVIEW_PAGE, page.doc_path)} | {md_text(page.meta.trust or '')} | {confidence} | "
                    f"{review.reinforced.isoformat()} | {value(review)} |")
    return [*rows, ""]


def page_learning_html(page: Page, learning: Learning, url_of: dict[str, str], here: str) -> str:
    """Under a page's title: what to read first and what the page leads to."""
    from kb.site.urls import relative_url

    def links(pages: list[Page]) -> str:
        return ", ".join(f'<a href="{html.escape(relative_url(url_of[p.source], here))}">{html.escape(p.title)}</a>'
                         for p in pages)

    parts = []
    first, after = learning.read_first(page), learning.leads_to(page)
    if first:
        parts.append(f'<p class="kb-read-first"><strong>Read first:</strong> {links(first)}</p>')
    if after:
        parts.append(f'<p class="kb-leads-to"><strong>Leads to:</strong> {links(after)}</p>')
    return ('<div class="kb-learning" data-search-exclude>' + "".join(parts) + "</div>") if parts else ""
