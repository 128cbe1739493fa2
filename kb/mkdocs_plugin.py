"""The MkDocs plugin ``kb``: a thin adapter from MkDocs events to kb's core.

- ``on_config``: read kb's own configuration, add the Markdown extensions
  and the site's CSS and JavaScript;
- ``on_files``: check the knowledge base once per build (figures and blocks
  through the cache), log every diagnostic (so ``--strict`` fails on any),
  and add the generated pages and data files;
- ``on_page_markdown``: render a topic page (badges, figures, blocks, links);
- ``on_post_build``: nothing left to do but report.
"""

from __future__ import annotations

import html
import logging
from typing import Any

from mkdocs.config import config_options as options
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page as MkDocsPage

from kb import sitepaths
from kb.check import CheckResult, run_check
from kb.config import OPTIONS, ConfigError, KbConfig, load_config
from kb.diagnostics import Diagnostic, Severity
from kb.web import assets, generated
from kb.web.graphdata import graph_json
from kb.web.ledger import ledger, ledger_json, ledger_page
from kb.web.topic import SiteIndex, insert_after_headings, page_extras, render_topic
from kb.web.urls import page_url

log = logging.getLogger("mkdocs.plugins.kb")

MARKDOWN_EXTENSIONS: dict[str, dict[str, Any]] = {
    "toc": {"permalink": True, "slugify": None},  # slugify filled in below: kb's, so anchors match kb check
    "attr_list": {},
    "md_in_html": {},
    "admonition": {},
    "tables": {},
    "pymdownx.details": {},
    "pymdownx.superfences": {},
}


def _scheme() -> tuple[tuple[str, Any], ...]:
    scheme = []
    for name, option in OPTIONS.items():
        kind: Any = (int, float) if option.kind is float else option.kind
        scheme.append((name, options.Type(kind, default=option.default)))
    return tuple(scheme)


class KbPlugin(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    """Checks the knowledge base and renders its pages, figures and generated pages."""

    config_scheme = _scheme()

    def __init__(self) -> None:
        self.kb: KbConfig | None = None
        self.result: CheckResult | None = None
        self.site: SiteIndex | None = None
        self.diagnostics: list[Diagnostic] = []

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        from kb.names import toc_slugify

        try:
            self.kb = load_config(config.config_file_path)
        except ConfigError as error:
            raise PluginError("\n".join(d.as_text() for d in error.diagnostics)) from None
        for name, settings in MARKDOWN_EXTENSIONS.items():
            if name not in config.markdown_extensions:
                config.markdown_extensions.append(name)
            merged = {**settings, **config.mdx_configs.get(name, {})}
            if name == "toc":
                merged["slugify"] = toc_slugify
            if merged:
                config.mdx_configs[name] = merged
        config.extra_css.append(assets.CSS)
        config.extra_javascript.append(assets.JS)
        for extra in assets.own_extras(self.kb.root):
            (config.extra_css if extra.endswith(".css") else config.extra_javascript).append(extra)
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        assert self.kb is not None
        try:
            self.result = result = run_check(self.kb, compute=True)
        except ConfigError as error:
            raise PluginError("\n".join(d.as_text() for d in error.diagnostics)) from None
        self.site = site = SiteIndex.build(result, config.use_directory_urls)
        self.diagnostics = _stale_first(result.diagnostics.sorted())
        for diagnostic in self.diagnostics:
            (log.error if diagnostic.severity is Severity.ERROR else log.warning)(diagnostic.as_text())
        authored = {f.src_uri for f in files.documentation_pages()}
        pages = [p for p in result.pages if p.usable]
        extra: dict[str, str] = {}
        extra.update(generated.category_pages(pages, authored))
        extra.update(generated.tag_pages(pages))
        extra[sitepaths.GRAPH_PAGE] = generated.graph_page()
        urls: dict[str, str] = {p.source: site.url(p) for p in result.pages}
        titles: dict[str, tuple[str, str]] = {p.source: (p.title, site.url(p)) for p in result.pages}
        data = ledger(result.computed)
        ledger_url = page_url(sitepaths.LEDGER_PAGE, config.use_directory_urls)
        extra[sitepaths.LEDGER_PAGE] = ledger_page(data, titles, ledger_url)
        for src_uri, content in sorted(extra.items()):
            if src_uri in authored:
                log.info("kb: %s is written by hand; the generated one is not used", src_uri)
                continue
            files.append(File.generated(config, src_uri, content=content))
        files.append(File.generated(config, "kb-ledger.json", content=ledger_json(data)))
        files.append(File.generated(config, "kb-graph.json", content=graph_json(result.graph, result.pages, urls)))
        try:
            site_assets = assets.files(self.kb.root)
        except assets.MissingAsset as missing:
            raise PluginError(f"kb: {missing}") from None
        for src_uri, path in site_assets.items():
            files.append(File.generated(config, src_uri, abs_src_path=str(path)))
        if config.nav is None:
            categories = sorted({p.doc_path.rsplit("/", 1)[0] for p in pages if "/" in p.doc_path})
            config.nav = generated.navigation(pages, categories, self.kb.home)
        return files

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        """Rebuild when the knowledge base's code or schema changes, not only its pages."""
        assert self.kb is not None
        for folder in ("macros", "site_config"):
            if (self.kb.root / folder).is_dir():
                server.watch(str(self.kb.root / folder))
        return server

    def on_page_markdown(self, markdown: str, page: MkDocsPage, config: MkDocsConfig, files: Files) -> str:
        assert self.result is not None and self.site is not None
        kb_page = self.site.by_doc_path.get(page.file.src_uri)
        if kb_page is None or not kb_page.usable:
            return markdown
        # Material reads some front-matter keys itself (status shows an icon in the navigation);
        # kb renders its own, so the theme sees only the title, escaped: templates print it as it is.
        page.meta.clear()
        page.meta["title"] = html.escape(kb_page.title)
        return render_topic(kb_page, self.site)

    def on_page_context(self, context: Any, page: MkDocsPage, config: MkDocsConfig, nav: Any) -> Any:
        """Add backlinks, changelog and neighbourhood after the search plugin has indexed the page."""
        assert self.site is not None
        kb_page = self.site.by_doc_path.get(page.file.src_uri)
        if kb_page is not None and kb_page.usable and page.content is not None:
            page.content = insert_after_headings(page.content, page_extras(kb_page, self.site))
        return context


def _stale_first(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Stale figures and blocks lead the report: they are what a build exists to catch."""
    return sorted(diagnostics, key=lambda d: (d.code not in ("figure.stale", "block.stale"), d))


def exit_status(plugin: KbPlugin, strict: bool) -> int:
    """0 nothing wrong, 1 content errors (or warnings when strict), as ``kb check``."""
    if any(d.severity is Severity.ERROR for d in plugin.diagnostics):
        return 1
    return 1 if strict and plugin.diagnostics else 0


def find_plugin(config: MkDocsConfig) -> KbPlugin | None:
    """The kb plugin instance of a loaded MkDocs configuration."""
    for plugin in config.plugins.values():
        if isinstance(plugin, KbPlugin):
            return plugin
    return None
