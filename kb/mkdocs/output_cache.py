"""Finished pages stored: a build fills the theme's template only for pages whose inputs changed.

After its Markdown (``kb.mkdocs.render_cache``), the next largest part of a
build is the theme's template, which draws each page with the whole site's
navigation. What a page's HTML depends on is known: its content and table of
contents as kb finished them, its address, title and front matter, its
neighbours and ancestors, the navigation (every entry's title and address),
the site's settings (mkdocs.yml, the theme and its options, every plugin's
settings, any template overrides) and the versions of the libraries. A page
whose key is stored is written from the store through a one-line template
instead; otherwise the theme draws it and the result is stored. Under
``kb build`` and ``kb serve``, a page whose file in the site already holds what
its key stores (the file is as the last build left it: same size and
modification time) is not even read: the file is left as it is.

Only for sites whose plugins are kb and Material's search: another plugin may
change a page's context or output in ways kb cannot see, and then every page
is drawn by the theme as usual.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page

from kb.figures.cache import digest
from kb.kept import read_kept, write_kept
from kb.mkdocs.render_cache import PageStore, stable, toc_tokens
from kb.mkdocs.writes import leave_as_is

STORED_TEMPLATE = "kb-stored-page.html"
_LEFT_AS_IT_IS = "<!-- kb: this file already holds the page -->"  # what the template gives for such a page; never written
_KNOWN_PLUGINS = {"kb", "search", "material/search"}
_SITE_SETTINGS = ("site_name", "site_url", "site_description", "site_author", "copyright", "repo_url", "repo_name",
                  "edit_uri", "extra", "extra_css", "extra_javascript", "use_directory_urls", "docs_dir")


def usable(config: MkDocsConfig) -> bool:
    """Whether finished pages can be stored for this site (only kb and search as plugins)."""
    return set(config.plugins) <= _KNOWN_PLUGINS


class OutputCache:
    """Finished pages of one build, stored by what they depend on."""

    def __init__(self, store: PageStore, base: str, config: MkDocsConfig, nav: Any, env: jinja2.Environment,
                 toc_key: Callable[[Page], str] = lambda page: repr(toc_tokens(page.toc)),
                 late: Callable[[str], str] = lambda content: "") -> None:
        self.cache = store
        self._toc_key = toc_key  # a page's table of contents as text (the render cache keeps it)
        self._late = late  # the numbers put into a page's content as its file is written (kb.site.late_values)
        self.drawn = 0  # pages the theme drew in this build
        self.reused = 0  # pages written from the store
        self.in_place = 0  # of those, pages whose file already held them (not read, not written)
        self._pending: dict[str, str] = {}  # page URL -> key, for pages the theme draws
        self._stored: dict[str, str] = {}  # page URL -> stored HTML, for pages written from the store
        self._keys: dict[str, str] = {}  # a page's file in the site -> its key, in this build
        self._site_dir = os.path.abspath(config.site_dir)
        self._written = _read_written(store.directory / "site.pickle", self._site_dir)
        overrides = _override_files(config)
        self._site = digest(
            base, "output", stable({name: getattr(config, name, None) for name in _SITE_SETTINGS}),
            config.theme.name, stable(dict(config.theme.items())),
            stable({name: dict(plugin.config) for name, plugin in config.plugins.items()}),
            Path(config.config_file_path).read_bytes() if config.config_file_path else b"",
            [(str(path), path.read_bytes()) for path in overrides],
            # templates of one's own may print the build date; the theme's do not
            os.environ.get("SOURCE_DATE_EPOCH") if any(b"build_date" in p.read_bytes() for p in overrides) else None,
            _nav(nav),
        )
        loader = env.loader
        assert loader is not None
        env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({STORED_TEMPLATE: "{{ kb_stored_page | safe }}"}), loader])

    def look_up(self, page: Page, content: str) -> None:
        """Before the theme draws anything: if ``page`` with this finished content is stored,
        have it written by the one-line template."""
        key = digest(  # the small parts as their repr, which is as exact and much cheaper to hash
            self._site, page.url, page.title, content, self._toc_key(page), repr(stable(dict(page.meta))),
            repr((_link(page.previous_page), _link(page.next_page), [_link(p) for p in page.ancestors],
                  page.canonical_url, page.edit_url, page.is_homepage)),
        )
        destination = page.file.abs_dest_path
        late = self._late(content)
        self._keys[destination] = digest(key, late) if late else key  # what the file holds: the page and its numbers
        if _holds(destination, self._written.get(destination), self._keys[destination]) and leave_as_is(destination):
            page.meta["template"] = STORED_TEMPLATE
            self._stored[page.url] = _LEFT_AS_IT_IS
            self.cache.used.add(key)  # the entry stays: the file may be removed, the store not
            self.reused += 1
            self.in_place += 1
            return
        stored = self.cache.get_text(key)
        if stored is not None:
            page.meta["template"] = STORED_TEMPLATE  # MkDocs picks the template before any plugin sees the page
            self._stored[page.url] = stored
            self.reused += 1
        else:
            self._pending[page.url] = key

    def fill(self, context: dict[str, Any], page: Page) -> None:
        """Give the one-line template the stored page to write."""
        if page.url in self._stored:
            context["kb_stored_page"] = self._stored.pop(page.url)

    def store(self, page: Page, output: str) -> None:
        """The theme drew ``page``: keep the result for the next build."""
        key = self._pending.pop(page.url, None)
        if key is not None:
            self.drawn += 1
            self.cache.put_text(key, output)


    def remember_written(self) -> None:
        """Once the site is written: note each page file's key, size and modification time,
        so the next build can tell which files already hold their pages."""
        written: dict[str, tuple[str, int, int]] = {}
        for destination, key in self._keys.items():
            with contextlib.suppress(OSError):
                facts = os.stat(destination)
                written[destination] = (key, facts.st_size, facts.st_mtime_ns)
        if written != self._written:
            write_kept(self.cache.directory / "site.pickle", {"site": self._site_dir, "files": written})


def drawn(page: Page) -> bool:
    """Whether the theme draws ``page`` in this build (False: written from the store or left as it is)."""
    return page.meta.get("template") != STORED_TEMPLATE


def _read_written(file: Path, site_dir: str) -> dict[str, tuple[str, int, int]]:
    """What the last build noted of the page files in ``site_dir`` (nothing for another site folder)."""
    noted = read_kept(file)
    files = noted.get("files")
    if noted.get("site") != site_dir or not isinstance(files, dict):
        return {}
    return {path: entry for path, entry in files.items()
            if isinstance(path, str) and isinstance(entry, tuple) and len(entry) == 3}


def _holds(path: str, noted: tuple[str, int, int] | None, key: str) -> bool:
    """Whether the file at ``path`` is as the last build left it, holding the page stored under ``key``."""
    if noted is None or noted[0] != key:
        return False
    try:
        facts = os.stat(path)
    except OSError:
        return False
    return (facts.st_size, facts.st_mtime_ns) == noted[1:]


def _link(page: Any) -> Any:
    return None if page is None else [type(page).__name__, getattr(page, "title", None), getattr(page, "url", None)]


def _nav(nav: Any) -> list[Any]:
    """The navigation as data: every entry's kind, title and address, nested."""
    def item(entry: Any) -> list[Any]:
        return [*_link(entry), [item(child) for child in (getattr(entry, "children", None) or [])]]

    return [item(entry) for entry in nav.items]


def _override_files(config: MkDocsConfig) -> list[Path]:
    """Template files of the site's own (a theme ``custom_dir``), which versions do not cover."""
    custom = config.theme.custom_dir
    if not custom or not Path(custom).is_dir():
        return []
    return sorted(p for p in Path(custom).rglob("*") if p.is_file())
