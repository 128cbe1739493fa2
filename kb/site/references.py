"""Numbered references, as an encyclopedia shows them: each ``[@key]`` of a page
becomes a marker [1], [2]... in the order sources are first cited (a cited fact
whose source is a keyed entry counts as a citation too), linking to the
page's References; each reference links back to every place that cites it."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from kb.figures.figure import Figure
from kb.model import Citation, Page, Source, State
from kb.textedit import Span

REFERENCES_ID = "kb-references"


@dataclass
class References:
    """A page's citations, numbered."""

    page: Page
    numbers: dict[str, int] = field(default_factory=dict)  # key -> its number, by first citation
    uses: dict[str, int] = field(default_factory=dict)  # key -> how often it is cited
    spans: list[Span] = field(default_factory=list)  # where each [@...] stands, and its markers

    def cite(self, key: str) -> str:
        """The marker of one more citation of ``key``: ``<sup>[n]</sup>`` linking to the reference."""
        if key not in self.numbers:
            self.numbers[key] = len(self.numbers) + 1
        self.uses[key] = self.uses.get(key, 0) + 1
        anchor = html.escape(key, quote=True)
        return (f'<sup class="kb-cite" id="kb-cite-{anchor}-{self.uses[key]}">'
                f'<a href="#kb-ref-{anchor}">[{self.numbers[key]}]</a></sup>')


def number_citations(page: Page, figures: list[Figure], cited_figure_html: dict[int, str]) -> References:
    """Number the page's citations in reading order. ``cited_figure_html`` maps ``id(figure)`` of a
    cited fact to its HTML, which gets the marker of its source when that source has a key."""
    refs = References(page)
    keys = {s.key for s in page.meta.sources if s.key}
    events: list[tuple[int, int, Citation | Figure]] = [(c.line, c.column, c) for c in page.citations]
    events += [(f.expression.line, f.expression.column, f) for f in figures
               if f.state is State.CITED and f.source in keys]
    for line, column, what in sorted(events, key=lambda e: (e[0], e[1])):
        if isinstance(what, Figure):
            assert what.source is not None
            cited_figure_html[id(what)] += refs.cite(what.source)
            continue
        markers = "".join(refs.cite(key) if key in keys else
                          f'<sup class="kb-cite kb-cite-unknown" title="no source @{html.escape(key)}">[?]</sup>'
                          for key in what.keys)
        refs.spans.append(Span(line, column - 1, column - 1 + len(what.raw), markers))
    return refs


def references_html(refs: References) -> str:
    """The References list: cited sources numbered, each with links back to its citations; then
    the sources the page lists without citing them."""
    by_key = {s.key: s for s in refs.page.meta.sources if s.key}
    cited = sorted(refs.numbers, key=refs.numbers.__getitem__)
    parts = []
    if cited:
        items = []
        for key in cited:
            anchor = html.escape(key, quote=True)
            backs = " ".join(f'<a href="#kb-cite-{anchor}-{k}" title="back to citation {k}">'
                             f'{chr(ord("a") + k - 1) if refs.uses[key] > 1 and k <= 26 else "^"}</a>'
                             for k in range(1, refs.uses[key] + 1))
            items.append(f'<li id="kb-ref-{anchor}"><span class="kb-backrefs">↑ {backs}</span> {_entry(by_key[key])}</li>')
        parts.append('<ol class="kb-references">' + "".join(items) + "</ol>")
    others = [s for s in refs.page.meta.sources if s.key not in refs.numbers]
    if others:
        heading = '<p class="kb-also">Also consulted:</p>' if cited else ""
        parts.append(heading + '<ul class="kb-references kb-uncited">' + "".join(f"<li>{_entry(s)}</li>" for s in others) + "</ul>")
    return "\n".join(parts)


def _entry(source: Source) -> str:
    """A source as a reader reads it: authors, the title (linked), publisher, date, note."""
    if source.text is not None:
        return html.escape(source.text)
    title = html.escape(source.title or source.key or source.url or "")
    if source.url:
        title = f'<a href="{html.escape(source.url, quote=True)}">{title}</a>'
    parts = [html.escape(", ".join(source.authors)) if source.authors else None, f"<cite>{title}</cite>",
             html.escape(source.publisher) if source.publisher else None, html.escape(source.date) if source.date else None]
    text = ", ".join(p for p in parts if p)
    return text + (f". {html.escape(source.note)}" if source.note else "")
