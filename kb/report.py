"""Printing diagnostics: text for people, JSON for tools, annotations for GitHub."""

from __future__ import annotations

import json

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
