"""``kb build`` and ``kb serve``: MkDocs driven from kb, with kb's diagnostics
printed like ``kb check`` prints them and kb's exit status. ``kb build``
checks first and hands the result to the plugin (``checked``), so the
knowledge base is checked once per build."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from kb.config import KbConfig
from kb.report import ExitStatus, exit_status, summary


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
    """Check the knowledge base, then build its site with MkDocs; returns kb's exit status
    (``kb.report.exit_status`` of the check; 2 when MkDocs cannot start). Raises ConfigError
    for a broken kb configuration, as ``kb check`` does."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config as load_mkdocs
    from mkdocs.exceptions import Abort, ConfigurationError, PluginError

    from kb.mkdocs.plugin import checked, uses_kb
    from kb.pipeline import run_check

    _source_date(config.root)
    handler = _setup_logging()
    try:
        overrides = {"site_dir": site_dir} if site_dir else {}
        mkdocs_config = load_mkdocs(config_file=str(config.config_file), strict=strict, **overrides)
        if not uses_kb(mkdocs_config):
            print(f"kb: {config.config_file.name} does not list the kb plugin under plugins:", file=sys.stderr)
            return ExitStatus.USAGE
        result = run_check(config, compute=True)
        diagnostics = result.diagnostics.sorted()
        try:
            with checked(result):
                build(mkdocs_config)
        except Abort:
            if not diagnostics:  # MkDocs' own warnings failed the strict build
                return ExitStatus.CONTENT
        print(summary(diagnostics, len(result.pages), len(result.edges)), file=sys.stderr)
        status = exit_status(diagnostics, strict)
        if status is ExitStatus.OK:
            print(f"kb: site written to {mkdocs_config.site_dir}", file=sys.stderr)
        return status
    except ConfigurationError as error:
        print(f"kb: {config.config_file.name}: {error}", file=sys.stderr)
        return ExitStatus.USAGE
    except PluginError as error:  # e.g. the graph library is not installed
        print(str(error), file=sys.stderr)
        return ExitStatus.USAGE
    finally:
        logging.getLogger("mkdocs").removeHandler(handler)


def serve_site(config: KbConfig, dev_addr: str) -> int:
    """Serve with live reload until interrupted."""
    from mkdocs.commands.serve import serve

    _setup_logging(news=True)
    try:
        serve(config_file=str(config.config_file), dev_addr=dev_addr, livereload=True)
    except KeyboardInterrupt:
        return ExitStatus.OK
    return ExitStatus.OK
