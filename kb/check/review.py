"""Freshness: a page must be checked against its sources again within the review
interval of its trust level (declared in the schema: by default A 365, B 180,
C 90 and D 30 days). Past that, its ``last_reinforced`` is overdue
(``review.overdue``), and the page is listed by ``kb review`` and on the
site's review queue, most overdue first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kb.diagnostics import Diagnostics
from kb.model import Page


@dataclass(frozen=True)
class Review:
    """When a page is due for review, and how far past it that is (negative: not yet due)."""

    page: Page
    reinforced: dt.date
    interval: int  # days
    due: dt.date
    days_overdue: int

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


def reviews(pages: list[Page], intervals: dict[str, int], today: dt.date) -> list[Review]:
    """Every page that has a last_reinforced date and a trust level with an interval,
    most overdue first (then by path)."""
    found = []
    for page in pages:
        reinforced, trust = page.meta.last_reinforced, page.meta.trust
        if not page.usable or reinforced is None or trust not in intervals:
            continue
        interval = intervals[trust]
        due = reinforced + dt.timedelta(days=interval)
        found.append(Review(page, reinforced, interval, due, (today - due).days))
    return sorted(found, key=lambda r: (-r.days_overdue, r.page.source))


def report_overdue(found: list[Review], diags: Diagnostics) -> None:
    """A ``review.overdue`` warning for every page past its review."""
    for review in found:
        if not review.overdue:
            continue
        page = review.page
        line, column = page.front_matter.position("last_reinforced") if page.front_matter else (1, 1)
        days = f"{review.days_overdue} day{'' if review.days_overdue == 1 else 's'}"
        diags.add(page.source, line, column, "review.overdue",
                  f"last reinforced {review.reinforced.isoformat()}; its review was due {review.due.isoformat()}, {days} ago "
                  f"(pages of trust {page.meta.trust} are reviewed every {review.interval} days)")
