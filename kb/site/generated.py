"""Pages the site adds: one index per category folder, one page per tag, the
concept graph and the ledger; and the small navigation that keeps the build
linear in the number of pages (Material renders the whole navigation into
every page, so a navigation listing every page costs the square)."""

from __future__ import annotations

import html
import posixpath
from collections import defaultdict
from typing import Any

from kb.check.sitepaths import GRAPH_PAGE, LEARNING_PATH, LEDGER_PAGE, REVIEW_PAGE, TAGS_PAGE, tag_path
from kb.model import Page
from kb.site.urls import md_link, md_text
from kb.site.verification import PageState

# Generated listings stay out of the search index: a search should find topics, not lists of them.
NOT_SEARCHED = "---\nsearch:\n  exclude: true\n---\n\n"


def folder_title(folder: str) -> str:
    """``10_Wiki/topics`` -> ``Topics``; ``concepts`` -> ``Concepts``."""
    name = posixpath.basename(folder).lstrip("0123456789_- ")
    return (name or folder).replace("_", " ").replace("-", " ").strip().capitalize()


def _badges(page: Page, states: dict[str, PageState]) -> str:
    """A listing's badges for a page: trust, status, and whether its numbers hold."""
    trust, status = page.meta.trust, page.meta.status
    parts = []
    if trust is not None:
        parts.append(f'<span class="kb-badge kb-trust kb-trust-{html.escape(trust.lower())}">trust {html.escape(trust)}</span>')
    if status is not None:
        parts.append(f'<span class="kb-badge kb-status">{html.escape(status)}</span>')
    verification = states.get(page.source, PageState()).badge()
    if verification:
        parts.append(verification)
    return " ".join(parts)


def category_pages(pages: list[Page], authored: set[str], states: dict[str, PageState]) -> dict[str, str]:
    """An index page for every folder that holds pages and has no index.md of its own."""
    folders: dict[str, list[Page]] = defaultdict(list)
    for page in pages:
        folder = posixpath.dirname(page.doc_path)
        while folder:
            folders[folder]
            folder = posixpath.dirname(folder)
        folders[posixpath.dirname(page.doc_path)].append(page)
    generated = {}
    for folder in sorted(folders):
        if not folder:
            continue
        target = f"{folder}/index.md"
        if target in authored:
            continue
        children = sorted({f for f in folders if f and posixpath.dirname(f) == folder})
        lines = [NOT_SEARCHED + f"# {md_text(folder_title(folder))}", ""]
        if children:
            lines += ["## Sections", ""]
            lines += [f"- {md_link(folder_title(c), target, c + '/index.md')}" for c in children] + [""]
        members = sorted((p for p in folders[folder] if posixpath.basename(p.doc_path) != "index.md"), key=lambda p: p.title.casefold())
        if members:
            lines += ["## Pages", "", '<div class="kb-listing" markdown="1">', ""]
            lines += [f"- {md_link(p.title, target, p.doc_path)} {_badges(p, states)}" for p in members]
            lines += ["", "</div>", ""]
        generated[target] = "\n".join(lines)
    return generated


def tag_pages(pages: list[Page], states: dict[str, PageState]) -> dict[str, str]:
    """``tags/index.md`` with every tag, and ``tags/<tag>.md`` listing its pages."""
    by_tag: dict[str, list[Page]] = defaultdict(list)
    for page in pages:
        for tag in page.meta.tags:
            by_tag[tag].append(page)
    generated = {}
    index = [NOT_SEARCHED + "# Tags", "", '<div class="kb-tags" markdown="1">', ""]
    for tag in sorted(by_tag, key=str.casefold):
        target = tag_path(tag)
        members = sorted(by_tag[tag], key=lambda p: p.title.casefold())
        index.append(f"- {md_link(tag, TAGS_PAGE, target)} ({len(members)})")
        lines = [NOT_SEARCHED + f"# Tag: {md_text(tag)}", "", f"{len(members)} page{'s' if len(members) != 1 else ''} carry this tag.", ""]
        lines += [f"- {md_link(p.title, target, p.doc_path)} {_badges(p, states)}" for p in members]
        generated[target] = "\n".join(lines) + "\n"
    generated[TAGS_PAGE] = "\n".join([*index, "", "</div>", ""])
    return generated


def graph_page() -> str:
    """The concept-graph page: a canvas the graph script fills from kb-graph.json, with its legend."""
    return "\n".join([
        "---", "hide: [toc]", "search:", "  exclude: true", "---", "",
        "# Concept graph", "",
        "Every page is a node, sized by its generality (how central the concept is, from 0 to 1000) and "
        "coloured by the trust level of its sources. Drag to pan, scroll or pinch to zoom. Point at a node, "
        "or tap it once, to see its neighbours; click it, or tap it again, to open the page.", "",
        '<div class="kb-graph-controls" data-search-exclude>',
        '<label>Tag <select id="kb-filter-tag"><option value="">all</option></select></label>',
        '<label>Trust <select id="kb-filter-trust"><option value="">all</option></select></label>',
        '<label>Status <select id="kb-filter-status"><option value="">all</option></select></label>',
        '<label>Difficulty <select id="kb-filter-difficulty"><option value="">all</option></select></label>',
        '<label>Generality <select id="kb-filter-generality"><option value="0">any</option><option value="250">250 or more</option>'
        '<option value="500">500 or more</option><option value="750">750 or more</option></select></label>',
        '<label>Find <input type="search" id="kb-graph-find" placeholder="title or alias"></label>',
        '<span id="kb-graph-count" aria-live="polite"></span>',
        "</div>",
        '<div id="kb-graph-info" class="kb-graph-info" aria-live="polite">&nbsp;</div>',
        '<div id="kb-graph" class="kb-graph" data-src="../kb-graph.json" data-library="../assets/kb/cytoscape.min.js" '
        'role="img" aria-label="The concept graph: every page and the links between them"></div>',
        GRAPH_LEGEND, "",
    ])


GRAPH_LEGEND = (
    '<div class="kb-legend" data-search-exclude><strong>Legend</strong>'
    '<span><i class="kb-dot kb-dot-a"></i>trust A</span><span><i class="kb-dot kb-dot-b"></i>trust B or C</span>'
    '<span><i class="kb-dot kb-dot-d"></i>trust D</span><span><i class="kb-dot kb-dot-stale"></i>figures that do not hold</span>'
    '<span><i class="kb-dot kb-dot-small"></i><i class="kb-dot kb-dot-large"></i>size: generality</span>'
    '<span><i class="kb-line kb-line-link"></i>link</span><span><i class="kb-line kb-line-prerequisite"></i>prerequisite</span>'
    '<span><i class="kb-line kb-line-related"></i>related</span><span><i class="kb-line kb-line-canonical"></i>canonical or duplicate</span>'
    "</div>"
)


def navigation(pages: list[Page], home: str) -> list[Any]:
    """A navigation that does not grow with the number of pages: home, categories, tags, graph, ledger."""
    nav: list[Any] = []
    if any(p.doc_path == home for p in pages):
        nav.append({"Home": home})
    top = sorted({p.doc_path.split("/")[0] for p in pages if "/" in p.doc_path})
    if top:
        nav.append({"Topics": [{folder_title(c): f"{c}/index.md"} for c in top]})
    nav += [{"Learning path": LEARNING_PATH}, {"Concept graph": GRAPH_PAGE}, {"Verification ledger": LEDGER_PAGE},
            {"Review queue": REVIEW_PAGE}, {"Tags": TAGS_PAGE}]
    return nav
