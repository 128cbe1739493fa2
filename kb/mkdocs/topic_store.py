"""kb's part of each topic page, stored: a build in which a page's inputs did not change
(``kb.site.page_inputs``: the site's facts, the page's text and its view of the graph) takes its Markdown and the HTML after its headings from the
store instead of rendering them. Entries share the page store and its tolerance."""

from __future__ import annotations

from typing import Any

from kb.mkdocs.render_cache import PageStore
from kb.model import Page
from kb.site.page_inputs import graph_view, page_key, site_facts
from kb.site.topic import SiteIndex, page_extras, render_topic


class StoredTopics:
    """Topic pages' Markdown and extras for one build."""

    def __init__(self, store: PageStore, site: SiteIndex) -> None:
        self.store = store
        self.site = site
        self.facts = site_facts(site.result, site.directory_urls)
        self.rendered = 0  # pages kb rendered in this build
        self.reused = 0  # pages whose stored part was used
        self._extras: dict[str, dict[str, str]] = {}

    def markdown(self, page: Page) -> str:
        """The Markdown MkDocs converts for ``page`` (``render_topic``'s)."""
        key = page_key(self.facts, page, graph_view(page, self.site))
        stored = self.store.get(key)
        if stored is not None and _valid(stored):
            self.reused += 1
            self._extras[page.source] = stored["extras"]
            return str(stored["markdown"])
        markdown, extras = render_topic(page, self.site), page_extras(page, self.site)
        self.rendered += 1
        self.store.put(key, {"markdown": markdown, "extras": extras})
        self._extras[page.source] = extras
        return markdown

    def extras(self, page: Page) -> dict[str, str]:
        """The HTML to place after the page's headings (``page_extras``'s)."""
        found = self._extras.get(page.source)
        return found if found is not None else page_extras(page, self.site)


def _valid(stored: dict[str, Any]) -> bool:
    extras = stored.get("extras")
    return (isinstance(stored.get("markdown"), str) and isinstance(extras, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in extras.items()))
