"""kb's part of each topic page, stored: a build in which a page's inputs did not change
(``kb.site.page_inputs``: the site's facts, the page's text and its view of the graph) takes
its Markdown and the HTML after its headings from the store instead of rendering them.
Entries share the page store and its tolerance.

Working out a page's view of the graph (its neighbours, its related topics) for every page
of a large site costs more than the rest of an unchanged build's look-ups; while neither the
site's facts nor the graph changed, no page's view did. So each build notes, per page, the
key it used under a shorter key without the view (``topics.pickle``), and the next build
takes the key from there when that shorter key is the same.
"""

from __future__ import annotations

from typing import Any

from kb.figures.cache import digest
from kb.kept import read_kept, write_kept
from kb.mkdocs.render_cache import PageStore
from kb.model import Page
from kb.site.page_inputs import graph_digest, graph_view, page_key, site_facts
from kb.site.topic import SiteIndex, page_extras, render_topic


class StoredTopics:
    """Topic pages' Markdown and extras for one build."""

    def __init__(self, store: PageStore, site: SiteIndex) -> None:
        self.store = store
        self.site = site
        self.facts = site_facts(site.result, site.directory_urls)
        self.graph = graph_digest(site.result)
        self.rendered = 0  # pages kb rendered in this build
        self.reused = 0  # pages whose stored part was used
        self._extras: dict[str, dict[str, str]] = {}
        self._noted_file = store.directory / "topics.pickle"
        noted = read_kept(self._noted_file).get("keys")
        self._noted: dict[str, tuple[str, str]] = noted if isinstance(noted, dict) else {}
        self._keys: dict[str, tuple[str, str]] = {}  # page source -> (key without its view, key), this build

    def markdown(self, page: Page) -> str:
        """The Markdown MkDocs converts for ``page`` (``render_topic``'s)."""
        key = self._key(page)
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

    def remember_keys(self) -> None:
        """Once the site is built: note the keys this build used, for the next one."""
        if self._keys != self._noted:
            write_kept(self._noted_file, {"keys": self._keys})

    def _key(self, page: Page) -> str:
        short = digest(self.facts, self.graph, "topic", page.source, page.doc_path, page.text)
        noted = self._noted.get(page.source)
        if isinstance(noted, tuple) and len(noted) == 2 and noted[0] == short and isinstance(noted[1], str):
            key = noted[1]
        else:
            key = page_key(self.facts, page, graph_view(page, self.site))
        self._keys[page.source] = (short, key)
        return key


def _valid(stored: dict[str, Any]) -> bool:
    extras = stored.get("extras")
    return (isinstance(stored.get("markdown"), str) and isinstance(extras, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in extras.items()))
