"""The MkDocs plugin ``kb``: a thin adapter from MkDocs events to kb.

- ``on_config``: kb's configuration from the plugin's typed options and
  MkDocs' own settings; the Markdown extensions, CSS and JavaScript the
  site needs (``kb.site.assets``); no web fonts, no CDN;
- ``on_files``: check the knowledge base (or take the check ``kb build`` has
  just made), log every diagnostic (so MkDocs' ``--strict`` fails on any),
  and add the files ``kb.site.assemble`` says the site holds;
- ``on_page_markdown`` / ``on_page_context``: a topic page as
  ``kb.site.topic`` renders it;
- ``on_post_build``: under ``mkdocs build``, errors in the pages fail the
  build (exit status 1) as they fail ``kb build``; configuration and
  environment problems stop it with exit status 2 (``KbStop``).

What any page or file says is decided in ``kb.site``; nothing here.
"""

from __future__ import annotations

import contextlib
import gc
import html
import logging
import posixpath
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page as MkDocsPage

from kb.check.parsed import kept_in_memory as parsed_pages_kept
from kb.config import ConfigError, KbConfig
from kb.diagnostics import Diagnostic, Severity
from kb.figures.compute import kept_in_memory as figure_results_kept
from kb.mkdocs.compiled import CompiledTemplates
from kb.mkdocs.config import KbPluginConfig
from kb.mkdocs.errors import stop
from kb.mkdocs.output_cache import OutputCache, drawn
from kb.mkdocs.output_cache import usable as output_cache_usable
from kb.mkdocs.render_cache import RenderCache
from kb.mkdocs.render_cache import kept_in_memory as stored_pages_kept
from kb.mkdocs.topic_store import StoredTopics
from kb.mkdocs.writes import only_changed_writes, writing_only_changes
from kb.pipeline import CheckResult, run_check
from kb.report import ExitStatus, exit_status
from kb.site import assets
from kb.site.assemble import site_files
from kb.site.checks import site_diagnostics
from kb.site.generated import navigation
from kb.site.late_values import LateValues
from kb.site.sitemap import write_sitemap
from kb.site.topic import SiteIndex, insert_after_headings

log = logging.getLogger("mkdocs.plugins.kb")

# The check that ``kb build`` made before starting MkDocs, so the build does not repeat it;
# kb build then decides the outcome itself.
_CHECKED: ContextVar[CheckResult | None] = ContextVar("kb_checked", default=None)


@contextlib.contextmanager
def checked(result: CheckResult) -> Iterator[None]:
    """While MkDocs builds inside this block, the plugin uses ``result`` instead of checking
    again, and leaves the exit status to the caller."""
    token = _CHECKED.set(result)
    try:
        yield
    finally:
        _CHECKED.reset(token)


class KbPlugin(BasePlugin[KbPluginConfig]):  # type: ignore[no-untyped-call]
    """Checks the knowledge base and renders its pages, figures and generated pages."""

    def __init__(self) -> None:
        self.kb: KbConfig | None = None
        self.site: SiteIndex | None = None
        self.command: str | None = None  # "build" or "serve" when MkDocs' own command line runs
        self.reported: list[Diagnostic] = []
        self.site_problems: list[Diagnostic] = []
        self.categories: dict[str, MkDocsPage] = {}
        self.files: Files | None = None
        self.render_cache: RenderCache | None = None
        self.topics: StoredTopics | None = None
        self.output_cache: OutputCache | None = None
        self.nav: Any = None
        self.late = LateValues({})  # numbers put in as each page is written (kb.site.late_values)
        self.finished: dict[str, str | None] = {}  # page URL -> its finished content (see on_env)
        self.dirty = False
        self._serving = contextlib.ExitStack()  # what mkdocs serve keeps in memory until it stops
        self._writes = contextlib.ExitStack()  # only changed files written, for one build
        self._collecting = True  # whether the cyclic collector ran before the pages were read (see on_nav)

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """MkDocs keeps a plugin with this event for the whole of ``mkdocs serve``: what the
        checks parsed and the builds stored stays in memory between rebuilds, as under kb serve."""
        self.command, self.dirty = command, dirty
        if command == "serve":
            self._serving.enter_context(parsed_pages_kept())
            self._serving.enter_context(stored_pages_kept())
            self._serving.enter_context(figure_results_kept())

    def on_shutdown(self) -> None:
        self._serving.close()

    def on_pre_build(self, config: MkDocsConfig) -> None:
        """Under MkDocs' own build and serve too, only files whose bytes change are written (kb
        build and kb serve see to it themselves); not for a dirty build, which writes only some."""
        if not self.dirty and not writing_only_changes():
            self._writes.enter_context(only_changed_writes(config.site_dir))

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        config_file = Path(config.config_file_path).resolve()
        self.kb = KbConfig(config_file.parent, config_file, Path(config.docs_dir).resolve(), self.config.options())
        self.site_problems = site_diagnostics(self.kb, str(config.theme.name), list(config.plugins))
        offline(config)
        for name, settings in assets.MARKDOWN_EXTENSIONS.items():
            if name not in config.markdown_extensions:
                config.markdown_extensions.append(name)
            merged = {**settings, **config.mdx_configs.get(name, {})}
            if name == "toc":
                merged["slugify"] = settings["slugify"]  # kb's anchors, whatever mkdocs.yml says
            if merged:
                config.mdx_configs[name] = merged
        config.extra_css.extend(assets.stylesheets(self.kb.root))
        config.extra_javascript.extend(assets.scripts(self.kb.root))
        if config.theme.name == "material":
            features = config.theme.get("features") or []
            config.theme["features"] = [*features, *(f for f in assets.MATERIAL_FEATURES if f not in features)]
        return config

    def on_nav(self, nav: Any, config: MkDocsConfig, files: Files) -> Any:
        """Where each topic page sits: the category page of its folder (kb's navigation lists
        categories, not pages), so the theme's breadcrumbs and navigation can show it."""
        self.categories = {page.file.src_uri: page for page in nav.pages}
        self.files = files
        self.nav = nav
        self.output_cache = None
        assert self.kb is not None
        self.render_cache = RenderCache(self.kb.cache_dir, config, files)
        self.render_cache.cache_search_entries(config.plugins, drawn)
        assert self.site is not None
        self.topics = StoredTopics(self.render_cache.cache, self.site)
        # From here to on_env every page is read and converted, and all of them stay alive: the
        # cyclic collector is paused meanwhile. Its full passes over every page grew faster than
        # the pages did (0.36 s of an unchanged build of 5,000 pages, 0.04 s of 1,000).
        self._collecting = gc.isenabled()
        gc.disable()
        return nav

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        assert self.kb is not None
        result = _CHECKED.get()
        if result is None or result.config.config_file != self.kb.config_file:
            try:
                result = run_check(self.kb, compute=True)
            except ConfigError as error:
                raise stop("\n".join(d.as_text() for d in error.diagnostics), ExitStatus.USAGE) from None
        self.site = SiteIndex.build(result, config.use_directory_urls)
        self.late = LateValues(self.site.learning.generality if self.site.learning else {})
        diagnostics = report_order(result.diagnostics.sorted() + self.site_problems)
        for diagnostic in diagnostics:
            (log.error if diagnostic.severity is Severity.ERROR else log.warning)(diagnostic.as_text())
        self.reported = diagnostics
        authored = {f.src_uri for f in files.documentation_pages()}
        try:
            added = site_files(result, authored, config.use_directory_urls, self.site.learning)
        except assets.MissingAsset as missing:
            raise stop(f"kb: {missing}", ExitStatus.USAGE) from None
        for src_uri in added.hand_written:
            log.info("kb: %s is written by hand; the generated one is not used", src_uri)
        for src_uri, content in added.texts.items():
            files.append(File.generated(config, src_uri, content=content))
        for src_uri, path in added.copies.items():
            files.append(File.generated(config, src_uri, abs_src_path=str(path)))
        if config.nav is None:
            config.nav = navigation([p for p in result.pages if p.usable], self.kb.options.home)
            # kb's navigation lists categories, not pages (their index pages list the pages)
            config.validation.nav.omitted_files = logging.DEBUG
        return files

    def on_post_build(self, config: MkDocsConfig) -> None:
        """Under ``mkdocs build``, once the site is written: errors fail the build, and warnings
        fail a strict one (even with -q, which hides warnings from MkDocs' own count), as under
        ``kb build``."""
        gc.unfreeze()  # this build's pages (and its check's) may go: under kb serve, the next build replaces them
        try:
            self._after_build(config)
        finally:
            self._writes.close()  # every file is written: what the build did not produce goes

    def _after_build(self, config: MkDocsConfig) -> None:
        if not config.site_url and self.files is not None:
            # Material's instant navigation finds the site's pages in sitemap.xml, which MkDocs
            # leaves empty without a site_url: list them by their paths instead.
            urls = [f.page.url for f in self.files.documentation_pages() if f.page is not None]
            write_sitemap(Path(config.site_dir), urls)
        if self.render_cache is not None:
            pages = len(self.files.documentation_pages()) if self.files is not None else -1
            if self.render_cache.rendered + self.render_cache.reused == pages:  # every page seen (not a dirty build)
                self.render_cache.cache.prune()
            if self.output_cache is not None:
                self.output_cache.remember_written()
            if self.topics is not None:
                self.topics.remember_keys()
            cache = self.output_cache
            drawn = (f"{cache.drawn} drawn by the theme, {cache.reused} stored ({cache.in_place} already in place)"
                     if cache else "all drawn")
            topics = f"{self.topics.rendered} rendered by kb, {self.topics.reused} stored" if self.topics else "none"
            log.debug(f"kb: pages converted from Markdown: {self.render_cache.rendered}, stored: {self.render_cache.reused}; "
                      f"finished pages: {drawn}; topic pages: {topics}")
        if self.command != "build" or _CHECKED.get() is not None:
            return
        status = exit_status(self.reported, config.strict)
        if status is not ExitStatus.OK:
            errors = sum(1 for d in self.reported if d.severity is Severity.ERROR)
            found = f"{errors} error{'' if errors == 1 else 's'}" if errors else "warnings, and the build is strict"
            raise stop(f"kb: {found} (listed above); the site in {config.site_dir} shows the problems marked", status)

    def on_build_error(self, error: Exception) -> None:
        """A site folder that cannot be written is the environment's problem: exit status 2, with the reason."""
        gc.unfreeze()  # under kb serve, the next build must be able to collect this one
        self._collect_again()
        self._writes.close()
        if isinstance(error, OSError):
            raise stop(f"kb: cannot write the site: {error}", ExitStatus.USAGE) from error

    def _collect_again(self) -> None:
        if self._collecting:
            gc.enable()

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        """Rebuild when the knowledge base's code or schema changes, not only its pages."""
        assert self.kb is not None
        for folder in ("macros", "site_config"):
            if (self.kb.root / folder).is_dir():
                server.watch(str(self.kb.root / folder))
        return server

    def on_page_read_source(self, page: MkDocsPage, config: MkDocsConfig) -> str | None:
        """A topic page is rendered from kb's own reading of it (``on_page_markdown``): MkDocs
        need not read it and parse its front matter again."""
        kb_page = self.site.by_doc_path.get(page.file.src_uri) if self.site is not None else None
        return "" if kb_page is not None and kb_page.usable else None

    def on_page_markdown(self, markdown: str, page: MkDocsPage, config: MkDocsConfig, files: Files) -> str:
        assert self.site is not None
        if self.render_cache is not None:
            self.render_cache.install(page)
        kb_page = self.site.by_doc_path.get(page.file.src_uri)
        if kb_page is None or not kb_page.usable:
            return markdown
        # Material reads some front-matter keys itself (status shows an icon in the navigation);
        # kb renders its own, so the theme sees only the title, escaped: templates print it as it is.
        page.meta.clear()
        page.meta["title"] = html.escape(kb_page.title)
        if page.parent is None and page.file.src_uri not in self.categories:
            page.parent = self._category_of(page.file.src_uri)
        assert self.topics is not None
        return self.topics.markdown(kb_page)

    def _category_of(self, src_uri: str) -> Any:
        """The navigation's page for the nearest folder above ``src_uri`` that has one."""
        folder = posixpath.dirname(src_uri)
        while folder:
            found = self.categories.get(f"{folder}/index.md")
            if found is not None:
                return found
            folder = posixpath.dirname(folder)
        return None

    def on_env(self, env: Any, config: MkDocsConfig, files: Files) -> Any:
        """Every page is converted and titled now, so each page's finished content and the
        navigation are known: finished pages can be looked up before the theme draws them
        (where the site's plugins allow it, see ``kb.mkdocs.output_cache``)."""
        if self.kb is not None and env.bytecode_cache is None:
            env.bytecode_cache = CompiledTemplates(self.kb.cache_dir / "templates")
        self.finished = {}
        pages = [f.page for f in files.documentation_pages() if f.page is not None and f.page.content is not None]
        for page in pages:
            self.finished[page.url] = self._finish(page)
        if self.kb is not None and self.render_cache is not None and output_cache_usable(config):
            self.output_cache = OutputCache(self.render_cache.cache, self.render_cache.base, config, self.nav, env,
                                            self.render_cache.toc_key, self.late.shown)
            for page in pages:
                self.output_cache.look_up(page, self.finished[page.url] or page.content or "")
        # Every page's content and table of contents stay alive until the site is written: the
        # cyclic collector need not scan them again and again while pages are drawn (see on_post_build).
        gc.freeze()
        self._collect_again()
        return env

    def _finish(self, page: MkDocsPage) -> str | None:
        """A topic page's content with backlinks, changelog and neighbourhood (added after the
        search plugin has indexed the page, see ``on_page_context``), and its previous and next
        pages along the learning path, for the theme's footer. None for other pages."""
        assert self.site is not None
        kb_page = self.site.by_doc_path.get(page.file.src_uri)
        if kb_page is None or not kb_page.usable or page.content is None:
            return None
        before, after = self.site.learning.neighbours(kb_page) if self.site.learning else (None, None)
        page.previous_page = self._page(before) or page.previous_page
        page.next_page = self._page(after) or page.next_page
        assert self.topics is not None
        return insert_after_headings(page.content, self.topics.extras(kb_page))

    def on_post_page(self, output: str, page: MkDocsPage, config: MkDocsConfig) -> str:
        """The page as drawn is stored; its file gets the numbers that move with every link."""
        if self.output_cache is not None:
            self.output_cache.store(page, output)
        return self.late.fill(output)

    def on_page_context(self, context: Any, page: MkDocsPage, config: MkDocsConfig, nav: Any) -> Any:
        """The page's finished content, now that the search plugin has indexed what its author wrote."""
        finished = self.finished.pop(page.url) if page.url in self.finished else self._finish(page)
        if finished is not None:
            page.content = finished
        if self.output_cache is not None:
            self.output_cache.fill(context, page)
        return context

    def _page(self, kb_page: Any) -> Any:
        found = self.files.src_uris.get(kb_page.doc_path) if kb_page is not None and self.files else None  # already POSIX
        return found.page if found is not None else None


def offline(config: MkDocsConfig) -> None:
    """Nothing from the internet: Material's Google Fonts and the default theme's highlight.js CDN off."""
    if config.theme.name == "material":
        config.theme["font"] = False
    elif "highlightjs" in config.theme:
        config.theme["highlightjs"] = False


def report_order(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Stale figures and blocks lead the report: they are what a build exists to catch."""
    return sorted(diagnostics, key=lambda d: (d.code not in ("figure.stale", "block.stale"), d))


def uses_kb(config: MkDocsConfig) -> bool:
    """Whether a loaded MkDocs configuration lists the kb plugin."""
    return any(isinstance(plugin, KbPlugin) for plugin in config.plugins.values())
