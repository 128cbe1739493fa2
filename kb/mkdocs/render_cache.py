"""Pages' Markdown rendered once: a build converts only the pages whose Markdown changed.

Converting Markdown is the largest part of a build. What MkDocs makes of a
page's Markdown (its HTML, table of contents, title and anchors) depends on the
Markdown kb hands it, the page's place, every file's address (relative links
are resolved against them), the Markdown extensions and their settings, and
the versions of the libraries doing it; the key of a stored rendering is all of
these. A build with a stored rendering under the same key puts it in place
instead of converting; the output is the same bytes (``tests/test_render_cache``
checks against clean builds). A conversion that logged anything (a link MkDocs
could not resolve, say) is not stored, so its message comes again next time.
Entries live in the figure cache's folder, under ``pages/``, and share its
tolerance: a corrupt entry is a miss.
"""

from __future__ import annotations

import contextlib
import logging
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from kb.figures.cache import Cache, digest, installed_version
from kb.memory import KeptInMemory

_LIBRARIES = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "pygments", "jieba", "kb")


_KEPT: KeptInMemory[Path, dict[str, Any]] = KeptInMemory()  # by folder: entries, under ``kb serve``


def kept_in_memory() -> contextlib.AbstractContextManager[None]:
    """Within the block (``kb serve``: one process, a build per save), builds keep the page
    store's entries in memory as well, so a rebuild reads none of them back from files."""
    return _KEPT.keeping()


class PageStore(Cache):
    """The stored renderings, search entries and finished pages of the pages/ folder. Each
    build keeps only what it used: a page edited a hundred times under ``kb serve`` leaves
    one set of entries, not a hundred. Like the parsed pages and the compiled templates
    beside them, entries are trusted as the knowledge base's own files are."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.used: set[str] = set()
        self.memory: dict[str, Any] | None = _KEPT.setdefault(directory, {})

    def get(self, key: str) -> dict[str, Any] | None:
        found = self._remembered(key)
        return found if isinstance(found, dict) else self._remember(key, self._unpickled(key))

    def put(self, key: str, payload: dict[str, Any]) -> None:
        """Entries are pickled, not JSON: a build reads thousands, and unpickling a page's
        HTML copies it where decoding JSON reads it character by character."""
        self._remember(key, payload)
        self._write(key, "pickle", pickle.dumps(payload, pickle.HIGHEST_PROTOCOL))

    def _unpickled(self, key: str) -> dict[str, Any] | None:
        body = self._read(key, "pickle")
        try:
            payload = pickle.loads(body) if body is not None else None
        except Exception:  # bytes that passed the checksum but are no pickle of ours: a miss
            payload = None
        return payload if isinstance(payload, dict) else None

    def get_text(self, key: str) -> str | None:
        found = self._remembered(key)
        return found if isinstance(found, str) else self._remember(key, super().get_text(key))

    def put_text(self, key: str, text: str) -> None:
        self._remember(key, text)
        super().put_text(key, text)

    def _remembered(self, key: str) -> Any:
        self.used.add(key)
        return self.memory.get(key) if self.memory is not None else None

    def _remember(self, key: str, payload: Any) -> Any:
        self.used.add(key)
        if self.memory is not None and payload is not None:
            self.memory[key] = payload
        return payload

    def prune(self) -> None:
        """Remove every entry this build did not use (call once the whole site is built)."""
        for entry in self.directory.glob("*/*.json"):
            if entry.stem not in self.used:
                with contextlib.suppress(OSError):
                    entry.unlink()
        if self.memory is not None:
            for key in [key for key in self.memory if key not in self.used]:
                del self.memory[key]


class RenderCache:
    """Stored renderings for one build (one set of files and one configuration)."""

    def __init__(self, folder: Path, config: MkDocsConfig, files: Files) -> None:
        self.cache = PageStore(folder / "pages")
        self.rendered = 0  # pages converted by this build
        self.reused = 0  # pages whose stored rendering was put in place
        self._tocs: dict[str, tuple[Any, str]] = {}  # page URL -> (its table of contents, as text)
        self.base = digest(
            {name: installed_version(name) for name in _LIBRARIES},
            stable(config["markdown_extensions"]), stable(config["mdx_configs"] or {}),
            config.use_directory_urls, repr(config.validation), logging.getLogger("mkdocs").getEffectiveLevel(),
            sorted((f.src_uri, f.dest_uri, f.url, f.inclusion.name) for f in files),
        )

    def toc_key(self, page: Page) -> str:
        """The page's table of contents as text, for keys: kept from its rendering while the page
        still has the table it was rendered with (a plugin may replace it)."""
        known = self._tocs.get(page.url)
        return known[1] if known is not None and known[0] is page.toc else repr(toc_tokens(page.toc))

    def install(self, page: Page) -> None:
        """Make the page's next ``render`` reuse a stored rendering of the same Markdown, or
        store the one it makes."""
        convert = page.render

        def render(config: MkDocsConfig, files: Files) -> None:
            key = digest(self.base, page.file.src_uri, page.markdown)
            stored = self.cache.get(key)
            if stored is not None and _restore(page, stored, files):
                self.reused += 1
                self._tocs[page.url] = (page.toc, repr(stored["toc"]))
                return
            with _Logged() as logged:
                convert(config, files)
            self.rendered += 1
            made = _stored(page)
            self._tocs[page.url] = (page.toc, repr(made["toc"]))
            if not logged.records:
                self.cache.put(key, made)

        page.render = render  # type: ignore[method-assign]


    def cache_search_entries(self, plugins: Any, drawn: Callable[[Page], bool] = lambda page: True) -> None:
        """Let Material's search plugin, if the site has it, reuse the entries it made for a
        page whose rendering, address, title and front matter are unchanged (reading them
        out of the page's HTML is the next largest part of a build after Markdown). A page
        the theme will not draw (``drawn`` says) has its content dropped once indexed: the
        plugin would otherwise rewrite the whole of it for the template."""
        search = next((p for p in plugins.values() if type(p).__module__ == "material.plugins.search.plugin"), None)
        index = getattr(search, "search_index", None)
        if index is None or not hasattr(index, "entries"):
            return
        add = index.add_entry_from_context
        settings = digest(stable(dict(index.config)))

        def add_entry_from_context(page: Page) -> None:
            meta = {name: value for name, value in page.meta.items() if name != "template"}  # set by kb's output cache
            key = digest(self.base, "search", settings, page.url, page.title, repr(stable(meta)),
                         page.content, self.toc_key(page))
            stored = self.cache.get(key)
            if stored is not None and isinstance(stored.get("entries"), list):
                index.entries.extend(stored["entries"])
            else:
                first = len(index.entries)
                add(page)
                self.cache.put(key, {"entries": index.entries[first:]})
            if not drawn(page):
                page.content = ""

        index.add_entry_from_context = add_entry_from_context


def _stored(page: Page) -> dict[str, Any]:
    links = page.links_to_anchors
    return {
        "content": page.content,
        "toc": toc_tokens(page.toc),
        "title": page._title_from_render,
        "anchors": sorted(page.present_anchor_ids or ()),
        "links_to_anchors": None if links is None else {file.src_uri: dict(anchors) for file, anchors in links.items()},
    }


def _restore(page: Page, stored: dict[str, Any], files: Files) -> bool:
    """Put a stored rendering in place; False (nothing changed) if it does not fit."""
    links = stored.get("links_to_anchors")
    restored_links = None
    if links is not None:
        restored_links = {}
        for src_uri, anchors in links.items():
            target = files.src_uris.get(src_uri)  # a stored src_uri is POSIX: no path parsing per link
            if target is None:
                return False
            restored_links[target] = dict(anchors)
    page.content = stored["content"]
    page.toc = get_toc(stored["toc"])
    page._title_from_render = stored["title"]
    page.present_anchor_ids = set(stored["anchors"])
    page.links_to_anchors = restored_links
    return True


def toc_tokens(toc: Any) -> list[dict[str, Any]]:
    """A table of contents as the tokens ``get_toc`` builds it from."""
    return [{"level": item.level, "id": item.id, "name": item.title, "children": toc_tokens(item.children)} for item in toc]


def stable(value: Any) -> Any:
    """Settings as data that is the same from one run to the next: a function (a slugify
    setting, say) by its qualified name, not by its address in memory."""
    if isinstance(value, dict):
        return {str(key): stable(item) for key, item in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [stable(item) for item in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if callable(value):
        return f"{getattr(value, '__module__', '?')}.{getattr(value, '__qualname__', type(value).__qualname__)}"
    return repr(value)


class _Logged(logging.Handler):
    """Collects what MkDocs and Markdown log while one page is converted."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __enter__(self) -> _Logged:
        for name in ("mkdocs", "MARKDOWN"):
            logging.getLogger(name).addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        for name in ("mkdocs", "MARKDOWN"):
            logging.getLogger(name).removeHandler(self)
