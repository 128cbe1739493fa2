"""The data kb works on: pages, their front matter (raw, with positions, and
typed as ``PageMeta``), headings, links and code, and the names of the
verdicts kb reaches about figures, blocks and edges.

Distinct types keep a page's id, its path in the repository and a link's
target from being mixed up. This module imports nothing of kb: every stage
can use it.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NewType

PageId = NewType("PageId", str)
SourcePath = NewType("SourcePath", str)  # repository-relative, posix, e.g. content/a/b.md
DocPath = NewType("DocPath", str)  # relative to the content folder, e.g. a/b.md


YamlPath = tuple[str | int, ...]  # keys and list indexes from the top of a YAML document
Position = tuple[int, int]  # 1-based line and column in the page file


class State(enum.StrEnum):
    """What kb concluded about a figure or an executed block."""

    VERIFIED = "verified"  # the computed value satisfies the page's pin
    STALE = "stale"  # it does not
    UNPINNED = "unpinned"  # computed, with nothing pinned to compare
    FAILED = "failed"  # could not be computed or run
    CITED = "cited"  # a figure that states a fact with its source; nothing is computed


# The states the verification ledger counts (a cited fact is listed apart).
LEDGER_STATES = (State.VERIFIED, State.STALE, State.FAILED, State.UNPINNED)


class EdgeKind(enum.StrEnum):
    """Why one page of the concept graph points to another."""

    LINK = "link"  # a resolved link in the body
    CANONICAL = "canonical"  # canonical_id names the other page
    DUPLICATE = "duplicate"  # duplicate_of names it
    PREREQUISITE = "prerequisite"  # prerequisites names it: read it first
    RELATED = "related"  # related names it


@dataclass(frozen=True)
class Heading:
    """A Markdown heading and the anchor it gets on the site."""

    level: int
    text: str
    anchor: str
    line: int


@dataclass(frozen=True)
class Link:
    """A link written in a page body: ``[[target#heading|label]]`` or ``[label](target.md#anchor)``."""

    kind: str  # "wiki" or "markdown"
    target: str  # page name (wiki) or relative path (markdown); "" for a link within the page
    anchor: str | None
    label: str | None
    raw: str
    line: int
    column: int


@dataclass(frozen=True)
class Quantity:
    """A number with a magnitude or unit written in prose ("175B", "16 GB", "12%"), and its line's prose."""

    text: str
    line: int
    column: int
    prose: str  # the line with code, figures and link targets blanked
    before: str = ""  # the paragraph's previous line, likewise (a name may wrap onto this line)


@dataclass(frozen=True)
class Citation:
    """``[@key]`` or ``[@a; @b]`` in prose: the sources a claim rests on, where it is written."""

    keys: tuple[str, ...]
    raw: str
    line: int
    column: int


@dataclass(frozen=True)
class Reading:
    """What a reader reads on a page, counted: words of prose, lines of code, rows of tables."""

    words: int = 0
    code_lines: int = 0
    table_rows: int = 0

    # A reader's pace: prose at 230 words a minute, code at 5 seconds a line, a table row in 3 seconds.
    WORDS_PER_MINUTE = 230
    SECONDS_PER_CODE_LINE = 5
    SECONDS_PER_TABLE_ROW = 3

    @property
    def minutes(self) -> int:
        """Minutes to read the page, rounded up, at least one."""
        seconds = (self.words * 60 / self.WORDS_PER_MINUTE + self.code_lines * self.SECONDS_PER_CODE_LINE
                   + self.table_rows * self.SECONDS_PER_TABLE_ROW)
        return max(1, math.ceil(seconds / 60))


@dataclass(frozen=True)
class Expression:
    """A ``{{ ... }}`` written in prose: the text between the braces and where ``{{`` stands."""

    text: str
    line: int
    column: int
    closed: bool = True


@dataclass(frozen=True)
class CodeBlock:
    """A fenced code block: its info string and content (its indentation removed), with the
    lines of its opening and closing fences and the indentation they stand at (inside a list
    item or an admonition)."""

    info: str
    content: str
    line: int
    end_line: int
    indent: str = ""


@dataclass
class FrontMatter:
    """A page's front matter as written: the parsed value and where each part of it stands."""

    value: Any
    positions: dict[YamlPath, Position]
    first_line: int  # line of the opening ---
    end_line: int  # line of the closing ---

    @property
    def data(self) -> dict[str, Any]:
        """The front matter as a mapping (empty when it is not one)."""
        return self.value if isinstance(self.value, dict) else {}

    def position(self, *path: str | int) -> Position:
        """Where a field (or its nearest enclosing value) stands; the opening line if absent."""
        full: YamlPath = tuple(path)
        while full and full not in self.positions:
            full = full[:-1]
        return self.positions.get(full, (self.first_line, 1)) if full else (self.first_line, 1)


@dataclass(frozen=True)
class ChangelogEntry:
    """One row of a page's changelog."""

    date: dt.date | None
    change: str


@dataclass(frozen=True)
class Source:
    """One entry of a page's raw_sources: a keyed reference, or a citation written as one string."""

    index: int  # its place in raw_sources
    key: str | None = None  # the id prose cites it by, [@key]
    title: str | None = None
    url: str | None = None
    date: str | None = None
    authors: tuple[str, ...] = ()
    publisher: str | None = None
    note: str | None = None
    text: str | None = None  # a source written as one string

    def words(self) -> str:
        """Everything the entry says, as one string (a cited fact may name it by any of it)."""
        parts = [self.text, self.key, ", ".join(self.authors) or None, self.title, self.publisher, self.date, self.url, self.note]
        return " ".join(part for part in parts if part)

    @classmethod
    def read(cls, index: int, entry: Any) -> Source | None:
        """A raw_sources entry as written: a string, or a mapping (None for anything else)."""
        if isinstance(entry, str):
            return cls(index, text=entry)
        if not isinstance(entry, dict):
            return None
        authors = entry.get("authors")
        date = entry.get("date")
        return cls(index, key=_string(entry.get("id")), title=_string(entry.get("title")), url=_string(entry.get("url")),
                   date=date.isoformat() if isinstance(date, dt.date) else str(date) if isinstance(date, (str, int)) else None,
                   authors=(authors,) if isinstance(authors, str) else _strings(authors),
                   publisher=_string(entry.get("publisher")), note=_string(entry.get("note")))


class Difficulty(enum.IntEnum):
    """How much a page asks of its reader; the learning path puts easier pages first where it may."""

    BEGINNER = 1
    INTERMEDIATE = 2
    ADVANCED = 3

    @classmethod
    def read(cls, value: Any) -> Difficulty | None:
        return cls.__members__.get(value.upper()) if isinstance(value, str) else None

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class PageMeta:
    """The front-matter fields kb itself interprets, read once with their types.

    A value of the wrong type is left out here (the schema reports it), so the
    stages that use these fields need not check types again. Everything else
    a page's front matter holds stays in ``raw``."""

    id: PageId | None = None
    id_derived: bool = False  # the id is the page's path, for a schema that does not require one
    title: str | None = None  # as written; None when absent or blank
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    category: str | None = None
    status: str | None = None
    trust: str | None = None  # source_trust_level
    confidence: float | None = None  # confidence_score
    verification: str | None = None  # verification_status
    last_reinforced: dt.date | None = None
    changelog: tuple[ChangelogEntry, ...] = ()
    sources: tuple[Source, ...] = ()  # raw_sources
    prerequisites: tuple[str, ...] = ()  # names of pages, as a wikilink names them
    related: tuple[str, ...] = ()
    difficulty: Difficulty | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def read(cls, data: Mapping[str, Any]) -> PageMeta:
        """The typed fields of a front-matter mapping."""
        changelog = data.get("changelog")
        return cls(
            id=PageId(data["id"]) if _text(data.get("id")) else None,
            title=data["title"] if _text(data.get("title")) else None,
            aliases=(data["aliases"],) if _text(data.get("aliases")) else _strings(data.get("aliases")),
            tags=_tags(data.get("tags")),
            category=_string(data.get("category")),
            status=_string(data.get("status")),
            trust=_string(data.get("source_trust_level")),
            confidence=_number(data.get("confidence_score")),
            verification=_string(data.get("verification_status")),
            last_reinforced=_date(data.get("last_reinforced")),
            changelog=tuple(ChangelogEntry(_date(e.get("date")), str(e.get("change", "")))
                            for e in changelog if isinstance(e, dict)) if isinstance(changelog, list) else (),
            sources=tuple(s for i, e in enumerate(data["raw_sources"]) if (s := Source.read(i, e)) is not None)
            if isinstance(data.get("raw_sources"), list) else (),
            prerequisites=_names(data.get("prerequisites")),
            related=_names(data.get("related")),
            difficulty=Difficulty.read(data.get("difficulty")),
            raw=data,
        )


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if _text(v)) if isinstance(value, list) else ()


def _names(value: Any) -> tuple[str, ...]:
    """Names of pages: a list of them, or one as a string."""
    return (value,) if _text(value) else _strings(value)


def _tags(value: Any) -> tuple[str, ...]:
    """Tags as a list, or as Obsidian also writes them: one string, separated by commas or spaces."""
    if isinstance(value, str):
        return tuple(tag for tag in re.split(r"[,\s]+", value) if tag)
    return tuple(t.strip() for t in _strings(value))


def _number(value: Any) -> float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _date(value: Any) -> dt.date | None:
    """A date as YAML reads it, or as a quoted ISO date (which the schema accepts too)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return value if isinstance(value, dt.date) else None


@dataclass
class Page:
    """One Markdown file of the knowledge base."""

    source: SourcePath
    doc_path: DocPath
    text: str  # decoded, without BOM, with \n line endings
    front_matter: FrontMatter | None
    body_line: int  # file line on which the body starts
    headings: list[Heading] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    code_blocks: list[CodeBlock] = field(default_factory=list)
    expressions: list[Expression] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    block_ids: dict[str, tuple[int, int]] = field(default_factory=dict)  # ^id markers: id -> (line, 0-based column of the id)
    citations: list[Citation] = field(default_factory=list)
    reading: Reading = field(default_factory=Reading)
    usable: bool = True  # False when front matter is broken beyond checking
    meta: PageMeta = field(default_factory=PageMeta)  # typed front matter (empty when missing or broken)

    @property
    def id(self) -> PageId | None:
        return self.meta.id

    @property
    def title(self) -> str:
        """The title a reader sees: the front matter's, else the file name."""
        return self.meta.title.strip() if self.meta.title else self.stem

    @property
    def stem(self) -> str:
        name = self.doc_path.rsplit("/", 1)[-1]
        return name[:-3] if name.endswith(".md") else name

    @property
    def aliases(self) -> list[str]:
        return list(self.meta.aliases)
