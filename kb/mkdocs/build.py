"""``kb build`` and ``kb serve``: MkDocs driven from kb, with kb's diagnostics
printed like ``kb check`` prints them and kb's exit status. ``kb build``
checks first and hands the result to the plugin (``checked``), so the
knowledge base is checked once per build."""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def build_site(config: KbConfig, strict: bool = False, site_dir: str | None = None, site_url: str | None = None) -> int:
    """Check the knowledge base, then build its site with MkDocs (into ``site_dir`` and for
    ``site_url`` when given, instead of mkdocs.yml's); returns kb's exit status:
    ``exit_status`` of everything the check and the site's configuration found, or
    ExitStatus.USAGE (with the reason printed) when MkDocs, the theme, the site folder or an
    asset fails. Says "site written" only when MkDocs wrote the site. Raises ConfigError for a
    broken kb configuration, as ``kb check`` does."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config as load_mkdocs
    from mkdocs.exceptions import Abort, ConfigurationError

    from kb.mkdocs.errors import KbStop
    from kb.mkdocs.plugin import checked, uses_kb
    from kb.mkdocs.writes import only_changed_writes
    from kb.pipeline import run_check
    from kb.site.checks import site_diagnostics

    _source_date(config.root)
    handler = _setup_logging()
    name = config.config_file.name
    try:
        try:
            overrides = {key: value for key, value in (("site_dir", site_dir), ("site_url", site_url)) if value}
            mkdocs_config = load_mkdocs(config_file=str(config.config_file), strict=strict, **overrides)
        except (Abort, ConfigurationError) as error:  # MkDocs has logged what is wrong
            print(f"kb: {name}: MkDocs cannot use this configuration ({error})", file=sys.stderr)
            return ExitStatus.USAGE
        if not uses_kb(mkdocs_config):
            print(f"kb: {name} does not list the kb plugin under plugins:", file=sys.stderr)
            return ExitStatus.USAGE
        result = run_check(config, compute=True)
        site_problems = site_diagnostics(config, str(mkdocs_config.theme.name), list(mkdocs_config.plugins))
        diagnostics = sorted([*result.diagnostics, *site_problems])
        try:
            with checked(result), only_changed_writes(mkdocs_config.site_dir):
                build(mkdocs_config)
        except KbStop as stopped:
            print(str(stopped), file=sys.stderr)
            return stopped.status
        except Abort as aborted:
            if "strict mode" in str(aborted):  # warnings, kb's or MkDocs' own, failed the strict build
                print(summary(diagnostics, len(result.pages), len(result.edges)), file=sys.stderr)
                print(f"kb: site written to {mkdocs_config.site_dir}; --strict fails on the warnings above", file=sys.stderr)
                return ExitStatus.CONTENT
            print(f"kb: MkDocs stopped: {aborted}", file=sys.stderr)  # what failed is logged above
            return ExitStatus.USAGE
        except OSError as error:
            print(f"kb: cannot write the site to {mkdocs_config.site_dir}: {error.strerror or error}", file=sys.stderr)
            return ExitStatus.USAGE
        except Exception as error:  # a theme's template, an extension: MkDocs' side of the build
            if os.environ.get("KB_DEBUG"):
                raise
            print(f"kb: MkDocs failed to build the site: {type(error).__name__}: {error}", file=sys.stderr)
            return ExitStatus.USAGE
        print(summary(diagnostics, len(result.pages), len(result.edges)), file=sys.stderr)
        print(f"kb: site written to {mkdocs_config.site_dir}", file=sys.stderr)
        return exit_status(diagnostics, strict)
    finally:
        logging.getLogger("mkdocs").removeHandler(handler)


def serve_site(config: KbConfig, dev_addr: str) -> int:
    """Serve with live reload until interrupted. Errors in the pages are shown as the build
    shows them and do not stop the server; a configuration or environment problem does (2)."""
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import Abort, ConfigurationError

    from kb.check.parsed import kept_in_memory as parsed_pages_kept
    from kb.figures.compute import kept_in_memory as figure_results_kept
    from kb.mkdocs.errors import KbStop
    from kb.mkdocs.render_cache import kept_in_memory as stored_pages_kept

    _setup_logging(news=True)
    try:
        with _rebuilds_write_only_changes(), _saves_noticed_quickly(), parsed_pages_kept(), stored_pages_kept(), \
                figure_results_kept():
            serve(config_file=str(config.config_file), dev_addr=dev_addr, livereload=True)
    except KeyboardInterrupt:
        return ExitStatus.OK
    except KbStop as stopped:
        print(str(stopped), file=sys.stderr)
        return stopped.status
    except (Abort, ConfigurationError, OSError) as error:
        print(f"kb: cannot serve the site: {error}", file=sys.stderr)
        return ExitStatus.USAGE
    return ExitStatus.OK


@contextlib.contextmanager
def _rebuilds_write_only_changes() -> Iterator[None]:
    """Every build ``kb serve`` makes (the first and each after a save) writes only the files
    whose bytes change, as ``kb build`` does, so a save rewrites a few files, not the site."""
    import mkdocs.commands.serve as serve_command

    from kb.mkdocs.writes import only_changed_writes

    build = getattr(serve_command, "build")  # noqa: B009 - MkDocs imports it there; not exported

    def build_writing_changes(config: Any, **options: Any) -> None:
        with only_changed_writes(config.site_dir):
            build(config, **options)

    setattr(serve_command, "build", build_writing_changes)  # noqa: B010
    try:
        yield
    finally:
        setattr(serve_command, "build", build)  # noqa: B010


# How often the server looks for saved files. MkDocs looks every half second, which an author
# waits for on every save. Looking at a thousand files' modification times takes a few
# milliseconds: every quarter second costs an idle server about 4% of one core (every tenth,
# 9%). Polling, as MkDocs does, because it sees saves on any file system and editor.
POLLING_SECONDS = 0.25
# How long the server waits for the changes it saw to stop before it rebuilds. MkDocs waits a
# tenth of a second; but a poll reports everything that changed since the last one at once (an
# editor's save through a temporary file and a rename included), so a few hundredths suffice.
QUIET_SECONDS = 0.02


@contextlib.contextmanager
def _saves_noticed_quickly() -> Iterator[None]:
    """MkDocs' live-reload server, looking for saved files every ``POLLING_SECONDS`` and
    rebuilding ``QUIET_SECONDS`` after the changes it saw."""
    import mkdocs.commands.serve as serve_command

    server = getattr(serve_command, "LiveReloadServer")  # noqa: B009 - imported there, not exported

    def quick_server(*args: Any, **options: Any) -> Any:
        made = server(*args, **{"polling_interval": POLLING_SECONDS, **options})
        made.build_delay = QUIET_SECONDS
        return made

    setattr(serve_command, "LiveReloadServer", quick_server)  # noqa: B010
    try:
        yield
    finally:
        setattr(serve_command, "LiveReloadServer", server)  # noqa: B010
