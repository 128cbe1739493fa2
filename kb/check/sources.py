"""Sources and citations: a page's ``raw_sources`` entries with an ``id`` are
cited in its prose as ``[@id]`` or ``[@a; @b]``. A citation must name an
entry of the same page (``source.unknown``, with a "did you mean"), and no
two entries of a page may share an id (``source.duplicate``)."""

from __future__ import annotations

import difflib

from kb.diagnostics import Diagnostics
from kb.model import Page


def check_citations(page: Page, diags: Diagnostics) -> None:
    """Report duplicate source ids and citations that name no source of the page."""
    if not page.usable:
        return
    keys: dict[str, int] = {}
    for source in page.meta.sources:
        if source.key is None:
            continue
        if source.key in keys and page.front_matter is not None:
            line, column = page.front_matter.position("raw_sources", source.index, "id")
            diags.add(page.source, line, column, "source.duplicate",
                      f'source id "{source.key}" is given twice (raw_sources[{keys[source.key]}] and raw_sources[{source.index}]); '
                      "a citation must name one source")
            continue
        keys[source.key] = source.index
    for citation in page.citations:
        for key in citation.keys:
            if key in keys:
                continue
            close = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.6)
            if close:
                hint = f"; did you mean @{close[0]}?"
            elif keys:
                hint = f"; this page's sources are {', '.join('@' + k for k in keys)}"
            else:
                hint = "; give the source an id in raw_sources (- {id: " + key + ", title: ..., url: ...})"
            diags.add(page.source, citation.line, citation.column, "source.unknown",
                      f"{citation.raw} cites @{key}, which names no source of this page{hint}")
