"""Diagnostics: what kb reports about a knowledge base, and where.

Every problem kb finds becomes a :class:`Diagnostic` that names a file, a
1-based line and column, a severity and a code such as ``link.unresolved``.
The codes and their meaning are declared once in :data:`CODES`; the
reference in ``REFERENCE.md`` is tested against this table.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field


class Severity(enum.Enum):
    """How bad a diagnostic is. Errors fail a check; warnings only with --strict."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Code:
    """A diagnostic code with its fixed severity and a one-line meaning."""

    name: str
    severity: Severity
    summary: str


def _codes(*rows: tuple[str, Severity, str]) -> dict[str, Code]:
    return {name: Code(name, severity, summary) for name, severity, summary in rows}


E, W = Severity.ERROR, Severity.WARNING

CODES: dict[str, Code] = _codes(
    # Reading files
    ("page.unreadable", E, "the file cannot be read"),
    ("page.binary", E, "the file holds binary data, not text"),
    ("page.encoding", E, "the file is not valid UTF-8"),
    ("page.too_large", E, "the file is larger than the configured limit"),
    # Front matter, one page at a time
    ("frontmatter.missing", E, "the page has no front matter"),
    ("frontmatter.unclosed", E, "the front matter is opened with --- but never closed"),
    ("frontmatter.yaml", E, "the front matter is not valid YAML"),
    ("frontmatter.not_mapping", E, "the front matter is not a mapping of keys to values"),
    ("frontmatter.duplicate_key", E, "a key appears twice in one mapping"),
    ("frontmatter.too_complex", E, "the front matter expands to too many values or nests too deep"),
    ("frontmatter.required", E, "a required field is missing"),
    ("frontmatter.type", E, "a value has the wrong type, is out of range or not allowed"),
    ("frontmatter.date", E, "a date is not real, lies in the future or is out of order"),
    ("frontmatter.unknown_key", W, "a key the schema does not declare"),
    # Front matter, across pages
    ("frontmatter.duplicate_id", E, "two pages have the same id"),
    ("frontmatter.reference", E, "canonical_id or duplicate_of names no page"),
    ("frontmatter.cycle", E, "canonical_id / duplicate_of references form a cycle"),
    ("frontmatter.name_collision", E, "a title or alias names two different pages"),
    ("frontmatter.name_folded", W, "two names differ only in case, spacing, - or _"),
    # Links
    ("link.unresolved", E, "a link names no page"),
    ("link.ambiguous", E, "a link names more than one page"),
    ("link.shortest_path", W, "a link names several pages by file name; the one with the shortest path is taken"),
    ("link.anchor", E, "a link names a heading or block (^id) that the target page does not have"),
    ("link.extension", W, "a wikilink names a page with its .md, which is not needed"),
    # Figures and executed code
    ("figure.stale", E, "a figure's computed value does not satisfy its pin"),
    ("figure.failed", E, "a figure could not be computed"),
    ("figure.syntax", E, "a {{ ... }} is not one call of a figure function"),
    ("figure.sandbox", E, "a {{ ... }} reaches for something the sandbox refuses"),
    ("figure.unknown", E, "a figure names a function or model that is not registered"),
    ("figure.citation", E, "a cited fact names a source that is not in the page's raw_sources"),
    ("figure.unaccounted", W, "a quantity in prose is neither a figure nor a cited fact"),
    ("figure.pin", E, "a pin (expect=...) cannot be read or does not fit the figure's unit"),
    ("block.stale", E, "an executed block's output differs from its pinned output"),
    ("block.failed", E, "an executed block raised, crashed or ran past its timeout"),
    ("block.wrote_sources", E, "an executed block tried to write into the knowledge base (which stays as it was)"),
    ("cache.unwritable", W, "the cache cannot be written; the check goes on without it"),
    ("macros.failed", E, "the knowledge base's macros/ package cannot be imported"),
    ("macros.empty", E, "pages name models, but the knowledge base registers none"),
    # Sources and freshness
    ("source.unknown", E, "a citation [@id] names no source of the page"),
    ("source.duplicate", E, "two sources of a page have the same id"),
    ("review.overdue", W, "the page is past the review interval of its trust level"),
    # The concept graph
    ("graph.orphan", W, "no other page links to this page"),
    ("graph.dead_end", W, "this page links to no other page"),
    ("graph.cycle", E, "prerequisites form a cycle"),
    ("graph.harder_prerequisite", W, "a prerequisite is rated harder than the page that needs it"),
    # The site (kb build and the MkDocs plugin)
    ("site.home", W, "the content folder has no home page"),
    ("site.search", W, "the site has no search plugin"),
    ("site.theme", W, "the theme is not Material, which kb's pages are made for"),
    # Configuration (exit status 2)
    ("config.missing", E, "no mkdocs.yml was found"),
    ("config.invalid", E, "mkdocs.yml or a kb option in it is invalid"),
    ("config.schema", E, "site_config/schema.yml is invalid"),
)

@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at one place. Orders by place, so reports read top to bottom."""

    path: str
    line: int
    column: int
    code: str
    message: str = field(compare=False)

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown diagnostic code {self.code!r}")

    @property
    def severity(self) -> Severity:
        return CODES[self.code].severity

    def as_text(self) -> str:
        """The one-line form ``path:line:col: severity[code]: message``: always one line, so a
        message that spans lines (an exception's, say) has its line breaks written as ``\\n``."""
        message = self.message.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
        return f"{self.path}:{self.line}:{self.column}: {self.severity.value}[{self.code}]: {message}"

    def as_dict(self) -> dict[str, object]:
        """The JSON form, with the keys the contract names."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
        }


class Diagnostics:
    """The diagnostics of one run, in the order they were found."""

    def __init__(self) -> None:
        self._items: list[Diagnostic] = []

    def add(self, path: str, line: int, column: int, code: str, message: str) -> None:
        """Record a diagnostic at a place."""
        self._items.append(Diagnostic(path, max(line, 1), max(column, 1), code, message))

    def sorted(self) -> list[Diagnostic]:
        """All diagnostics, ordered by file, line and column."""
        return sorted(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self._items)
