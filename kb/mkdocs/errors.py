"""How kb stops MkDocs: with its own exit status and one clear reason.

MkDocs turns a plugin's ``PluginError`` into "Aborted with a BuildError!"
and exit status 1, and lets anything else out as a traceback. ``KbStop`` is
not a ``BuildError``: MkDocs passes it on untouched, and its command line
prints the reason and exits with the status kb chose, so ``mkdocs build``
fails exactly as ``kb build`` does.
"""

from __future__ import annotations

from mkdocs.exceptions import MkDocsException

from kb.report import ExitStatus


class KbStop(MkDocsException):
    """Stop the build with ``status`` (click exits with ``exit_code``)."""

    status = ExitStatus.USAGE


class _UsageStop(KbStop):
    status = ExitStatus.USAGE
    exit_code = int(ExitStatus.USAGE)


class _ContentStop(KbStop):
    status = ExitStatus.CONTENT
    exit_code = int(ExitStatus.CONTENT)


def stop(message: str, status: ExitStatus) -> KbStop:
    """The exception that stops MkDocs with ``status``: ExitStatus.USAGE for the configuration
    or the environment, ExitStatus.CONTENT for errors in the pages."""
    return _ContentStop(message) if status is ExitStatus.CONTENT else _UsageStop(message)
