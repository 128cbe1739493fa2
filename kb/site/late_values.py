"""Numbers a page shows that move with every link anywhere, put in as the page is written.

A page's generality, and that of each of its related topics, is its PageRank
in the whole concept graph: one new link on one page moves it on nearly every
page. Printed into each page's HTML, that one link would have every page
converted and drawn by the theme again. So kb's part of a page prints a marker
where such a number goes; everything a build stores of a page holds the
markers, and the numbers are put in last, as the page's file is written. A new
link then redraws only the pages whose own text changed; the others are only
written again with their new numbers.
"""

from __future__ import annotations

import hashlib
import re

_OPENING = "<!--kb-generality:"
_MARKER = re.compile(r"<!--kb-generality:([0-9a-f]{16})-->")


def generality_marker(source: str) -> str:
    """Where the generality of the page at ``source`` goes (an HTML comment, so Markdown and
    the theme carry it as it is)."""
    return f"{_OPENING}{_name(source)}-->"


class LateValues:
    """The numbers of one build, by marker."""

    def __init__(self, generality: dict[str, int]) -> None:
        self._values = {_name(source): str(value) for source, value in generality.items()}

    def fill(self, html: str) -> str:
        """``html`` with every marker replaced by its number (0 for a page the build does not know)."""
        if _OPENING not in html:
            return html
        return _MARKER.sub(lambda found: self._values.get(found.group(1), "0"), html)

    def shown(self, html: str) -> str:
        """The numbers the markers in ``html`` stand for, in order: what a page's file holds
        beyond the stored page."""
        if _OPENING not in html:
            return ""
        return " ".join(self._values.get(name, "0") for name in _MARKER.findall(html))


def _name(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()[:16]
