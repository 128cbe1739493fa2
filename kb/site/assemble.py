"""Everything the site adds to the author's pages, as plain data: generated
pages and data files as text, assets as files to copy, each under the path
it takes in the site. A renderer (the MkDocs plugin today) only has to put
them in place."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kb.check import sitepaths
from kb.pipeline import CheckResult
from kb.site import assets, generated
from kb.site.graphdata import graph_json
from kb.site.learning import Learning, learning_path_page, review_page
from kb.site.ledger import ledger, ledger_json, ledger_page
from kb.site.urls import page_url
from kb.site.verification import page_states

LEDGER_DATA = "kb-ledger.json"
GRAPH_DATA = "kb-graph.json"


@dataclass(frozen=True)
class SiteFiles:
    """The files kb adds to a site, by site path (relative to the site's root)."""

    texts: dict[str, str] = field(default_factory=dict)  # generated Markdown pages and JSON data
    copies: dict[str, Path] = field(default_factory=dict)  # CSS, JavaScript and the graph library
    hand_written: tuple[str, ...] = ()  # generated pages left out because the author wrote their own


def site_files(result: CheckResult, authored: set[str], directory_urls: bool = True,
               learning: Learning | None = None) -> SiteFiles:
    """The generated pages (category indexes, tags, the concept graph, the ledger), the data
    files and the assets of a checked knowledge base; ``authored`` are the content paths the
    author wrote, which a generated page never replaces. Raises assets.MissingAsset when a
    front-end library is not installed."""
    pages = [p for p in result.pages if p.usable]
    learning = learning or Learning.of(result)
    pages_md: dict[str, str] = {}
    states = page_states(result.computed)
    pages_md.update(generated.category_pages(pages, authored, states))
    pages_md.update(generated.tag_pages(pages, states))
    pages_md[sitepaths.GRAPH_PAGE] = generated.graph_page()
    pages_md[sitepaths.LEARNING_PATH] = learning_path_page(learning)
    pages_md[sitepaths.REVIEW_PAGE] = review_page(result)
    data = ledger(result.computed)
    titles: dict[str, tuple[str, str]] = {p.source: (p.title, page_url(p.doc_path, directory_urls)) for p in result.pages}
    pages_md[sitepaths.LEDGER_PAGE] = ledger_page(data, titles, page_url(sitepaths.LEDGER_PAGE, directory_urls))
    texts = {path: text for path, text in sorted(pages_md.items()) if path not in authored}
    texts[LEDGER_DATA] = ledger_json(data)
    urls: dict[str, str] = {source: url for source, (_, url) in titles.items()}
    texts[GRAPH_DATA] = graph_json(result.graph, result.pages, urls, learning.generality, states)
    hand_written = tuple(path for path in sorted(pages_md) if path in authored)
    return SiteFiles(texts, assets.files(result.config.root), hand_written)
