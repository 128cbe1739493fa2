"""``kb build`` and ``kb serve``: MkDocs driven from kb, with kb's diagnostics
printed like ``kb check`` prints them and kb's exit status."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from kb.config import KbConfig


class _Diagnostics(logging.Handler):
    """kb's diagnostics as plain lines on standard output; MkDocs' own warnings (and, when
    serving, its news: where it serves, what it rebuilt) on standard error."""

    def __init__(self, news: bool = False) -> None:
        super().__init__()
        self.news = news

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.name == "mkdocs.plugins.kb" and record.levelno >= logging.WARNING:
            print(message, file=sys.stdout, flush=True)
        elif record.levelno >= logging.WARNING:
            print(f"mkdocs: {record.levelname.lower()}: {message}", file=sys.stderr, flush=True)
        elif self.news and record.levelno >= logging.INFO and not record.name.startswith("mkdocs.plugins"):
            print(f"mkdocs: {message}", file=sys.stderr, flush=True)


def _setup_logging(news: bool = False) -> logging.Handler:
    handler = _Diagnostics(news)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return handler


def _source_date(root: Path) -> None:
    """Reproducible output: MkDocs dates its sitemap by SOURCE_DATE_EPOCH; use the last commit's time."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        return
    try:
        stamp = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        stamp = ""
    os.environ["SOURCE_DATE_EPOCH"] = stamp if stamp.isdigit() else "0"


def build_site(config: KbConfig, strict: bool = False, site_dir: str | None = None) -> int:
    """Build the site; returns kb's exit status (0, 1 for content problems, 2 for configuration)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config as load_mkdocs
    from mkdocs.exceptions import Abort, ConfigurationError, PluginError

    from kb.mkdocs_plugin import exit_status, find_plugin
    from kb.report import summary

    _source_date(config.root)
    handler = _setup_logging()
    try:
        overrides = {"site_dir": site_dir} if site_dir else {}
        mkdocs_config = load_mkdocs(config_file=str(config.config_file), strict=strict, **overrides)
        plugin = find_plugin(mkdocs_config)
        if plugin is None:
            print(f"kb: {config.config_file.name} does not list the kb plugin under plugins:", file=sys.stderr)
            return 2
        try:
            build(mkdocs_config)
        except Abort:
            if not plugin.diagnostics:  # MkDocs' own warnings failed the strict build
                return 1
        result = plugin.result
        pages = len(result.pages) if result else 0
        links = len(result.edges) if result else 0
        print(summary(plugin.diagnostics, pages, links), file=sys.stderr)
        status = exit_status(plugin, strict)
        if status == 0:
            print(f"kb: site written to {mkdocs_config.site_dir}", file=sys.stderr)
        return status
    except ConfigurationError as error:
        print(f"kb: {config.config_file.name}: {error}", file=sys.stderr)
        return 2
    except PluginError as error:  # e.g. the graph library is not installed
        print(str(error), file=sys.stderr)
        return 2
    finally:
        logging.getLogger("mkdocs").removeHandler(handler)


def serve_site(config: KbConfig, dev_addr: str) -> int:
    """Serve with live reload until interrupted."""
    from mkdocs.commands.serve import serve

    _setup_logging(news=True)
    try:
        serve(config_file=str(config.config_file), dev_addr=dev_addr, livereload=True)
    except KeyboardInterrupt:
        return 0
    return 0
