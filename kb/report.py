"""Reporting a run: diagnostics as text for people, JSON for tools or
annotations for GitHub; the closing summary line; and the exit status, which
``kb check``, ``kb build``, ``kb serve`` and the other commands all take from
``exit_status``."""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable

from kb.diagnostics import Diagnostic, Severity

FORMATS = ("text", "json", "github")


def render(diagnostics: list[Diagnostic], fmt: str) -> str:
    """All diagnostics in one of FORMATS, ready to print (may be empty)."""
    if fmt == "json":
        return json.dumps([d.as_dict() for d in diagnostics], ensure_ascii=False, indent=1)
    if fmt == "github":
        return "\n".join(_github(d) for d in diagnostics)
    return "\n".join(d.as_text() for d in diagnostics)


def _github(d: Diagnostic) -> str:
    # Workflow commands need %, CR and LF escaped in the message, and also , and : in properties.
    def prop(value: str) -> str:
        return _escape(value).replace(":", "%3A").replace(",", "%2C")

    level = "error" if d.severity is Severity.ERROR else "warning"
    return f"::{level} file={prop(d.path)},line={d.line},col={d.column},title={prop(d.code)}::{_escape(d.message)}"


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def summary(diagnostics: list[Diagnostic], pages: int, links: int) -> str:
    """One line for the end of a run: ``12 pages, 40 links: 1 error, 2 warnings``."""
    errors = sum(1 for d in diagnostics if d.severity is Severity.ERROR)
    warnings = len(diagnostics) - errors
    found = "no problems" if not diagnostics else f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
    return f"kb: {_plural(pages, 'page')}, {_plural(links, 'link')}: {found}"


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


class ExitStatus(enum.IntEnum):
    """What kb's exit status says."""

    OK = 0  # nothing wrong
    CONTENT = 1  # the content has errors (or warnings, when strict)
    USAGE = 2  # the command, the configuration or the environment is wrong


def exit_status(diagnostics: Iterable[Diagnostic], strict: bool = False) -> ExitStatus:
    """The status of a run that found these diagnostics: any error fails it, and any
    warning too when ``strict``. Configuration problems never get this far: they
    stop a run with ExitStatus.USAGE."""
    found = list(diagnostics)
    if any(d.severity is Severity.ERROR for d in found) or (strict and found):
        return ExitStatus.CONTENT
    return ExitStatus.OK
