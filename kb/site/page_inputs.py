"""What a topic page's rendering reads, as a key: kb's part of a page (its Markdown and
the HTML placed after its headings, ``kb.site.topic``) can then be stored and reused
by a build in which none of it changed.

A topic page shows its own text and, of the rest of the knowledge base, two
kinds of things. What the check found out about every page (titles, names,
front matter, headings, block ids, relations and the learning path that
follows from them, every figure's and block's result) is one digest for the
whole site (``site_facts``): a new title or heading may show on any page, so
it renders every page again. What the links make of the graph is read per
page (``graph_view``): the links either way between the page and others
(its backlinks and neighbourhood drawing), which neighbours it draws and
which related topics it lists, in their order. A new link thus renders the
two pages it joins and the pages whose neighbours or related topics it
reorders, not all of them; the generality every page prints moves with it,
but is put in as the page is written (``kb.site.late_values``). An edit of
prose renders only its own page. The key also holds kb's own code, its
options, the schema and the date (reviews fall due as the calendar moves).
"""

from __future__ import annotations

import hashlib

from kb.figures.cache import digest
from kb.fingerprint import kb_fingerprint
from kb.model import Page
from kb.pipeline import CheckResult
from kb.site.neighbourhood import neighbours
from kb.site.topic import SiteIndex


def site_facts(result: CheckResult, directory_urls: bool) -> str:
    """A digest of everything any topic page may show of other pages, and of the settings."""
    sha = hashlib.sha256()
    sha.update(repr((kb_fingerprint(), result.schema.source, result.config.options, result.today, directory_urls)).encode())
    for page in result.pages:
        sha.update(repr((
            page.source, page.doc_path, page.usable, page.title, page.meta.id, page.meta.raw,
            [(h.level, h.text, h.anchor) for h in page.headings],
            sorted(page.block_ids),
        )).encode())
    for relation in result.relations:
        sha.update(repr((relation.source.source, relation.target.source, relation.kind)).encode())
    computed = result.computed
    for figure in computed.figures if computed else []:
        sha.update(repr((figure.page.source, figure.expression.text, figure.display, figure.value, figure.error,
                         figure.state, figure.source, figure.unknown_model, figure.provenance)).encode())
    for block in computed.blocks if computed else []:
        sha.update(repr((block.page.source, block.code.content, block.stdout, block.stderr, block.error,
                         block.error_line, block.wrote, block.put_back, block.state)).encode())
    return sha.hexdigest()


def graph_digest(result: CheckResult) -> str:
    """A digest of the graph's edges, in the graph's own order: while it and the site's facts
    stay the same, so does every page's ``graph_view``."""
    return hashlib.sha256(repr(list(result.graph.edges(keys=True))).encode()).hexdigest()


def graph_view(page: Page, site: SiteIndex) -> str:
    """What of the links between other pages ``page`` shows: its own edges either way, the
    neighbours it draws and the related topics it lists."""
    graph = site.result.graph
    incoming = sorted((source, str(kind)) for source, _, kind in graph.in_edges(page.source, keys=True))
    outgoing = sorted((target, str(kind)) for _, target, kind in graph.out_edges(page.source, keys=True))
    assert site.learning is not None
    related = [(other.source, named) for other, named in site.learning.related(page)]
    return repr((incoming, outgoing, [other.source for other in neighbours(page, site)], related))


def page_key(facts: str, page: Page, view: str) -> str:
    """The key of kb's part of ``page``: the site's facts, the page's own text and its view of the graph."""
    return digest(facts, "topic", page.source, page.doc_path, page.text, view)
