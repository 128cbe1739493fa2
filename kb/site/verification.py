"""How far each page's numbers hold, in one place, for every part of the site
that shows it: the page's own badge, category and tag listings, the concept
graph, the home page's summary and the ledger's anchors.

Figures and blocks are numbered per page in reading order (``fig-1``,
``block-1``); those numbers are the anchors the page gives them and the
ledger links to, so they do not change unless the page's figures do."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from kb.figures.block import Block
from kb.figures.compute import Computed
from kb.figures.figure import Figure
from kb.model import State


@dataclass(frozen=True)
class PageState:
    """The computed figures and executed blocks of one page, by state (cited facts apart)."""

    verified: int = 0
    stale: int = 0
    failed: int = 0
    unpinned: int = 0

    @property
    def total(self) -> int:
        return self.verified + self.stale + self.failed + self.unpinned

    @property
    def broken(self) -> int:
        return self.stale + self.failed

    @property
    def word(self) -> str:
        """``stale`` when anything does not hold, ``verified`` when everything checked holds, else ``none``."""
        if self.broken:
            return "stale"
        return "verified" if self.total else "none"

    def badge(self) -> str:
        """A small badge for listings: ``12/12 verified`` or ``2 stale``."""
        if self.broken:
            return (f'<span class="kb-badge kb-verification-stale" title="{self.broken} of {self.total} figures and '
                    f'blocks do not hold">{self.broken} stale</span>')
        if not self.total:
            return ""
        return (f'<span class="kb-badge kb-verification-ok" title="{self.verified} of {self.total} figures and blocks '
                f'verified">{self.verified}/{self.total} verified</span>')


def page_states(computed: Computed | None) -> dict[str, PageState]:
    """Each page's state, by page source."""
    counts: dict[str, dict[str, int]] = {}
    items: list[Figure | Block] = [*(computed.figures if computed else []), *(computed.blocks if computed else [])]
    for item in items:
        if item.state is State.CITED:
            continue
        page = counts.setdefault(item.page.source, {})
        page[item.state.value] = page.get(item.state.value, 0) + 1
    return {source: PageState(**states) for source, states in counts.items()}


def figure_anchors(figures: list[Figure]) -> dict[int, str]:
    """``id(figure)`` -> ``fig-N``, numbered in reading order on their page."""
    ordered = sorted(figures, key=lambda f: (f.expression.line, f.expression.column))
    return {id(f): f"fig-{n}" for n, f in enumerate(ordered, start=1)}


def block_anchors(blocks: list[Block]) -> dict[int, str]:
    """``id(block)`` -> ``block-N``, numbered in reading order on their page."""
    return {id(b): f"block-{n}" for n, b in enumerate(sorted(blocks, key=lambda b: b.code.line), start=1)}


def ledger_row_id(source: str, anchor: str) -> str:
    """The id of a figure's or block's row in the ledger: the page's path and its anchor."""
    stem = source[:-3] if source.endswith(".md") else source
    return "row-" + re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-").lower() + "-" + anchor


def site_summary(states: dict[str, PageState], ledger_href: str) -> str:
    """One line for the home page: how many numbers the site checks and whether all hold."""
    total = sum(s.total for s in states.values())
    broken = sum(s.broken for s in states.values())
    verified = sum(s.verified for s in states.values())
    pages = sum(1 for s in states.values() if s.total)
    link = f'<a href="{html.escape(ledger_href)}">verification ledger</a>'
    if broken:
        stale_pages = sum(1 for s in states.values() if s.broken)
        return (f'<p class="kb-site-summary kb-site-stale"><strong>{broken} of {total} computed figures and code blocks '
                f"do not hold</strong>, on {stale_pages} page{'s' if stale_pages != 1 else ''}; see the {link}.</p>")
    return (f'<p class="kb-site-summary kb-site-ok"><strong>{verified} of {total} computed figures and code blocks '
            f"verified</strong> on {pages} pages when this site was built; every one is listed in the {link}.</p>")
