"""A topic page as the site shows it: a header of badges (trust, confidence,
status, verification, difficulty, reading time, generality) with what to read
first and what the page leads to; the body with its figures, executed blocks,
wikilinks and numbered citations rendered; and at the end its changelog,
related topics, references, backlinks and neighbourhood. Everything from
front matter is escaped."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from kb.check.graph import backlinks
from kb.check.links import Edge, find_heading
from kb.check.sitepaths import LEDGER_PAGE, tag_path
from kb.figures.block import Block
from kb.figures.figure import Figure
from kb.model import Link, Page, PageId
from kb.pipeline import CheckResult
from kb.site.late_values import generality_marker
from kb.site.learning import Learning, page_learning_html
from kb.site.neighbourhood import neighbourhood_svg, neighbours
from kb.site.references import REFERENCES_ID, References, number_citations, references_html
from kb.site.render import block_output_markdown, figure_html, figure_span
from kb.site.urls import md_link, md_text, page_url, relative_url
from kb.site.verification import PageState, block_anchors, figure_anchors, ledger_row_id, page_states, site_summary
from kb.textedit import Span, replace_spans

TRUST_WORDS = {
    "A": "primary sources: papers, official documentation, reference code",
    "B": "reliable secondary sources",
    "C": "informal sources, partly checked",
    "D": "unverified",
}
_FENCE_INFO = re.compile(r"^(\s*)(`{3,}|~{3,})\s*(.*)$")


@dataclass
class SiteIndex:
    """What every page's rendering needs to know about the others."""

    result: CheckResult
    directory_urls: bool = True
    edges_by_link: dict[tuple[str, int, int], Edge] = field(default_factory=dict)
    by_source: dict[str, Page] = field(default_factory=dict)
    by_doc_path: dict[str, Page] = field(default_factory=dict)
    figures_by_page: dict[str, list[Figure]] = field(default_factory=dict)
    blocks_by_page: dict[str, list[Block]] = field(default_factory=dict)
    learning: Learning | None = None
    states: dict[str, PageState] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)  # a page's source -> its site URL
    degrees: dict[str, int] = field(default_factory=dict)  # a node's links, either way (filled when first needed)
    _references: dict[str, tuple[References, dict[int, str]]] = field(default_factory=dict)

    @classmethod
    def build(cls, result: CheckResult, directory_urls: bool = True) -> SiteIndex:
        index = cls(result, directory_urls, learning=Learning.of(result))
        index.by_source = {p.source: p for p in result.pages}
        index.by_doc_path = {p.doc_path: p for p in result.pages}
        index.urls = {p.source: page_url(p.doc_path, directory_urls) for p in result.pages}
        for edge in result.edges:
            index.edges_by_link[(edge.source.source, edge.link.line, edge.link.column)] = edge
        computed = result.computed
        for figure in computed.figures if computed else []:
            index.figures_by_page.setdefault(figure.page.source, []).append(figure)
        for block in computed.blocks if computed else []:
            index.blocks_by_page.setdefault(block.page.source, []).append(block)
        index.states = page_states(computed)
        return index

    def url(self, page: Page) -> str:
        known = self.urls.get(page.source)
        return known if known is not None else page_url(page.doc_path, self.directory_urls)

    def ledger_href(self, page: Page, anchor: str) -> str:
        """From a page to the ledger row of one of its figures or blocks."""
        ledger = page_url(LEDGER_PAGE, self.directory_urls)
        return f"{relative_url(ledger, self.url(page))}#{ledger_row_id(page.source, anchor)}"

    def references(self, page: Page) -> tuple[References, dict[int, str]]:
        """A page's numbered citations, and the HTML of its figures (cited facts with their markers)."""
        if page.source not in self._references:
            figures = self.figures_by_page.get(page.source, [])
            anchors = figure_anchors(figures)
            shown = {id(f): figure_html(f, anchors[id(f)], self.ledger_href(page, anchors[id(f)])) for f in figures}
            self._references[page.source] = (number_citations(page, figures, shown), shown)
        return self._references[page.source]


# Sections filled in after Markdown has run (see ``page_extras``): they are plain HTML,
# cost Markdown nothing, and stay out of the search index.
CHANGELOG_ID, BACKLINKS_ID, NEIGHBOURHOOD_ID = "kb-changelog", "kb-backlinks", "kb-neighbourhood"
RELATED_ID = "kb-related"
_CHANGELOG_HEADING = re.compile(r"^##\s+(?:\S+\s+)?changelog\s*$", re.IGNORECASE)


def render_topic(page: Page, site: SiteIndex) -> str:
    """The Markdown MkDocs renders for a page."""
    lines = page.text.split("\n")
    body = lines[page.body_line - 1 :]
    body = _render_spans(page, body, site)
    body = _render_blocks(page, body, site.blocks_by_page.get(page.source, []))
    h1 = next((h for h in page.headings if h.level == 1), None)
    header = [header_html(page, site), "", *_duplicate_notice(page, site)]
    if page.doc_path == site.result.config.options.home:
        ledger = relative_url(page_url(LEDGER_PAGE, site.directory_urls), site.url(page))
        header += [site_summary(site.states, ledger), ""]
    assert site.learning is not None
    learning = page_learning_html(page, site.learning, site.urls, site.url(page))
    if learning:
        header += [learning, ""]
    if h1 is not None and h1.line >= page.body_line:
        at = h1.line - page.body_line + 1
        body = [*body[:at], "", *header, *body[at:]]
    else:
        body = [f"# {md_text(page.title)}", "", *header, *body]
    body = _mark_changelog(page, body)
    if site.learning.related(page):
        body += ["", f"## Related topics {{#{RELATED_ID}}}", ""]
    if page.meta.sources:
        body += ["", f"## References {{#{REFERENCES_ID}}}", ""]
    body += ["", f"## Linked from {{#{BACKLINKS_ID}}}", ""]
    if neighbours(page, site):
        body += [f"## Neighbourhood {{#{NEIGHBOURHOOD_ID}}}", ""]
    return "\n".join(body) + "\n"


def page_extras(page: Page, site: SiteIndex) -> dict[str, str]:
    """HTML to place right after the headings ``render_topic`` marked, by heading id."""
    extras = {BACKLINKS_ID: _backlinks_html(page, site)}
    changelog = _changelog_html(page)
    if changelog:
        extras[CHANGELOG_ID] = changelog
    related = _related_html(page, site)
    if related:
        extras[RELATED_ID] = related
    if page.meta.sources:
        extras[REFERENCES_ID] = references_html(site.references(page)[0])
    nearby = neighbours(page, site)
    if nearby:
        extras[NEIGHBOURHOOD_ID] = neighbourhood_svg(page, nearby, site)
    return extras


def insert_after_headings(content: str, extras: dict[str, str]) -> str:
    """Put each piece of HTML right after the heading with its id."""
    for anchor, extra in extras.items():
        at = content.find(f'id="{anchor}"')
        end = content.find("</h2>", at) if at >= 0 else -1
        if end >= 0:
            content = content[: end + 5] + "\n" + extra + content[end + 5 :]
    return content


def header_html(page: Page, site: SiteIndex) -> str:
    """The badges under the title: trust, confidence, status, verification, and the aliases."""
    meta = page.meta
    badges = []
    trust = meta.trust
    if trust is not None:
        badges.append(_badge(f"trust {trust}", f"kb-trust kb-trust-{trust.lower()}",
                             f"Source trust level {trust}: {TRUST_WORDS.get(trust, '')}"))
    confidence = meta.confidence
    if confidence is not None:
        level = "high" if confidence >= 0.8 else "medium" if confidence >= 0.5 else "low"
        badges.append(_badge(f"confidence {confidence:.2f}", f"kb-confidence kb-confidence-{level}",
                             "The author's confidence in this page, from 0 to 1"))
    status = meta.status
    if status is not None:
        badges.append(_badge(status, f"kb-status kb-status-{_css(status)}", "Editorial status of the page"))
    badges.append(_verification_badge(page, site))
    if meta.difficulty is not None:
        badges.append(_badge(str(meta.difficulty), f"kb-difficulty kb-difficulty-{meta.difficulty}", "How much the page asks of its reader"))
    minutes = page.reading.minutes
    badges.append(_badge(f"{minutes} min read", "kb-reading",
                         f"Computed from the page: {page.reading.words:,} words, {page.reading.code_lines} lines of code, "
                         f"{page.reading.table_rows} table rows"))
    assert site.learning is not None
    if page.source in site.learning.generality:
        badges.append(_badge("generality", "kb-generality",
                             "How central the concept is in this knowledge base's graph, from 0 (narrow) to 1000 (the most general)",
                             late=generality_marker(page.source)))
    # The badges are about the page, not its subject: search leaves them out (Material reads the attribute).
    parts = [f'<div class="kb-header" data-kb-page="{html.escape(page.source)}">',
             f'<div class="kb-badges" data-search-exclude>{" ".join(badges)}</div>']
    if page.aliases:
        aliases = ", ".join(f'<span class="kb-alias"{_lang(a)}>{html.escape(a)}</span>' for a in page.aliases)
        parts.append(f'<div class="kb-aliases">Also known as: {aliases}</div>')
    if page.meta.tags:
        here = site.url(page)
        tags = " ".join(f'<a class="kb-tag" href="{html.escape(relative_url(page_url(tag_path(t), site.directory_urls), here))}">'
                        f"#{html.escape(t)}</a>" for t in page.meta.tags)
        parts.append(f'<div class="kb-tags-line" data-search-exclude><span class="kb-visually-hidden">Tags: </span>{tags}</div>')
    parts.append("</div>")
    return "\n".join(parts)


_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")


def _lang(text: str) -> str:
    """``lang="ko"`` for Korean text, so screen readers and fonts treat it as Korean."""
    return ' lang="ko"' if _HANGUL.search(text) else ""


def _verification_badge(page: Page, site: SiteIndex) -> str:
    state = site.states.get(page.source, PageState())
    declared = page.meta.verification
    declared_text = f"; declared {declared}" if declared is not None else ""
    if not state.total:
        return _badge("no computed figures", "kb-verification kb-verification-none",
                      f"This page states no computed figure or executed block{declared_text}")
    if state.broken:
        return _badge(f"{state.broken} stale or failed", "kb-verification kb-verification-stale",
                      f"{state.broken} of {state.total} figures and blocks do not hold{declared_text}")
    return _badge(f"{state.verified}/{state.total} verified", "kb-verification kb-verification-ok",
                  f"{state.verified} figures and blocks verified, {state.total - state.verified} computed without a pin{declared_text}")


def _badge(text: str, classes: str, title: str, late: str = "") -> str:
    """A badge; ``late``: a marker whose number follows the text (``kb.site.late_values``)."""
    shown = f"{html.escape(text)} {late}" if late else html.escape(text)
    return f'<span class="kb-badge {classes}" title="{html.escape(title)}">{shown}</span>'


def _css(text: str) -> str:
    return re.sub(r"[^a-z0-9-]", "-", text.lower())


def _duplicate_notice(page: Page, site: SiteIndex) -> list[str]:
    lines = []
    for name, words in (("duplicate_of", "duplicates"), ("canonical_id", "is covered canonically by")):
        value = page.meta.raw.get(name)
        target = site.result.by_id.get(PageId(value)) if isinstance(value, str) else None
        if target is not None and target is not page:
            lines += ['!!! warning "Duplicate page"' if words == "duplicates" else '!!! info "Canonical page"',
                      f"    This page {words} {md_link(target.title, page.doc_path, target.doc_path)}; "
                      "read that page first.", ""]
    return lines[:3] if lines else []


def _render_spans(page: Page, body: list[str], site: SiteIndex) -> list[str]:
    """Figures and wikilinks, replaced in place."""
    first = page.body_line
    references, figure_markup = site.references(page)
    spans: list[Span] = list(references.spans)
    for figure in site.figures_by_page.get(page.source, []):
        index = figure.expression.line - first
        if 0 <= index < len(body):
            spans.append(figure_span(figure, body[index], figure_markup[id(figure)]))
    for link in page.links:
        if link.kind != "wiki":
            continue
        edge = site.edges_by_link.get((page.source, link.line, link.column))
        start = link.column - 1
        spans.append(Span(link.line, start, start + len(link.raw), _wikilink(page, link, edge)))
    for block_id, (line, column) in page.block_ids.items():  # "text ^id": Obsidian hides the marker; links land here
        index = line - first
        if 0 <= index < len(body):
            spans.append(Span(line, column - 1, len(body[index]), f'<span id="^{html.escape(block_id)}"></span>'))
    return replace_spans(body, spans, first)


def _wikilink(page: Page, link: Link, edge: Edge | None) -> str:
    """``[[Title#Heading|label]]`` as a Markdown link (or a marked dead one); the label as written."""
    label = link.label or (f"{link.target} › {link.anchor}" if link.anchor and link.target else link.anchor or link.target)
    if edge is None:
        return f'<span class="kb-broken-link" title="This link names no page">{html.escape(label)}</span>'
    if link.anchor and link.anchor.startswith("^"):
        anchor: str | None = link.anchor  # a block's marker, which the target page carries as an id
    else:
        heading = find_heading(edge.target.headings, link.anchor.split("#")[-1]) if link.anchor else None
        anchor = heading.anchor if heading else None
    if edge.target is page and anchor:
        return f"[{md_text(label)}](#{anchor})"
    # data-preview: Material shows the linked page in a popup on hover (its instant previews)
    return md_link(label, page.doc_path, edge.target.doc_path, anchor) + "{ data-preview }"


def _render_blocks(page: Page, body: list[str], blocks: list[Block]) -> list[str]:
    """``python exec`` fences become plain ``python``; the output follows, replacing the pin."""
    first = page.body_line
    out = list(body)
    anchors = block_anchors(blocks)
    for block in sorted(blocks, key=lambda b: b.code.line, reverse=True):
        start = block.code.line - first
        end = block.code.end_line - first
        if not (0 <= start < len(out) and 0 <= end < len(out)):
            continue
        match = _FENCE_INFO.match(out[start])
        if match:
            out[start] = f"{match.group(1)}{match.group(2)}python"
        output = ["", block_output_markdown(block, anchors[id(block)]), ""]
        # Inside a list item or an admonition, the output stands at the block's indentation.
        output = [block.code.indent + line if line else line for piece in output for line in piece.split("\n")]
        if block.expected is not None:
            pin_start, pin_end = block.expected.line - first, block.expected.end_line - first
            out[pin_start : pin_end + 1] = []
        out[end + 1 : end + 1] = output
    return out


def _mark_changelog(page: Page, body: list[str]) -> list[str]:
    """Give the page's Changelog heading kb's id (adding the heading if the page has none);
    the table comes from the front matter, so what the heading held is dropped unless it is prose."""
    if not page.meta.changelog:
        return body
    for index, line in enumerate(body):
        if _CHANGELOG_HEADING.match(line.strip()):
            return [*body[:index], f"{line.rstrip()} {{#{CHANGELOG_ID}}}", *body[index + 1 :]]
    return [*body, "", f"## Changelog {{#{CHANGELOG_ID}}}", ""]


def _changelog_html(page: Page) -> str:
    if not page.meta.changelog:
        return ""
    rows = []
    for entry in page.meta.changelog:
        shown = entry.date.isoformat() if entry.date else ""
        rows.append(f"<tr><td>{html.escape(shown)}</td><td>{html.escape(entry.change)}</td></tr>")
    return ('<table class="kb-changelog"><thead><tr><th>Date</th><th>Change</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>")


NEARBY = ' <span class="kb-nearby">nearby in the graph</span>'


def _related_html(page: Page, site: SiteIndex) -> str:
    """Related topics: the page's own first, then the closest in the graph, each with its generality."""
    assert site.learning is not None
    related = site.learning.related(page)
    if not related:
        return ""
    here = site.url(page)
    items = "".join(
        f'<li><a href="{html.escape(relative_url(site.url(p), here))}">{html.escape(p.title)}</a> '
        f'<span class="kb-generality-value" title="generality">{generality_marker(p.source)}</span>'
        f"{'' if named else NEARBY}</li>"
        for p, named in related)
    return f'<ul class="kb-related">{items}</ul>'


def _backlinks_html(page: Page, site: SiteIndex) -> str:
    by_source: dict[str, Page] = site.by_source
    sources = [by_source[s] for s in backlinks(site.result.graph, page) if s in by_source]
    if not sources:
        return '<p class="kb-backlinks kb-none">No page links here yet.</p>'
    here = site.url(page)
    items = "".join(f'<li><a href="{html.escape(relative_url(site.url(p), here))}">{html.escape(p.title)}</a></li>'
                    for p in sorted(sources, key=lambda p: p.title.casefold()))
    return f'<ul class="kb-backlinks">{items}</ul>'
