"""What a topic page's rendering reads, as a key: kb's part of a page (its Markdown and
the HTML placed after its headings, ``kb.site.topic``) can then be stored and reused
by a build in which none of it changed.

A topic page shows its own text and, of the rest of the knowledge base, only what
the check found out about every page: titles, names, front matter, headings, links
and how they resolve, block ids, the learning structure and
generality (both follow from these), and every figure's and block's result. None
of that moves when a sentence changes in one page, so an edit of prose makes only
that page's key change; an edit that changes any of it (a link, a title, a
prerequisite) changes every page's key, which is right, since a page may show it
(backlinks, neighbourhoods, generality). The key also holds kb's own code, its
options, the schema and the date (reviews fall due as the calendar moves).
"""

from __future__ import annotations

import hashlib

from kb.figures.cache import digest
from kb.fingerprint import kb_fingerprint
from kb.model import Page
from kb.pipeline import CheckResult


def site_facts(result: CheckResult, directory_urls: bool) -> str:
    """A digest of everything any topic page may show of other pages, and of the settings."""
    sha = hashlib.sha256()
    sha.update(repr((kb_fingerprint(), result.schema.source, result.config.options, result.today, directory_urls)).encode())
    for page in result.pages:
        sha.update(repr((
            page.source, page.doc_path, page.usable, page.title, page.meta.id, page.meta.raw,
            [(h.level, h.text, h.anchor) for h in page.headings],
            [(link.kind, link.target, link.anchor, link.label) for link in page.links],
            sorted(page.block_ids),
        )).encode())
    for edge in result.edges:
        sha.update(repr((edge.source.source, edge.target.source, edge.link.kind, edge.link.target, edge.link.anchor)).encode())
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


def page_key(facts: str, page: Page) -> str:
    """The key of kb's part of ``page``: the site's facts and the page's own text."""
    return digest(facts, "topic", page.source, page.doc_path, page.text)
