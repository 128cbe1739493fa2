"""The data a check works on: pages, their front matter, headings and links.

Distinct types keep a page's id, its path in the repository and a link's
target from being mixed up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NewType

from kb.yamlpos import Located, Path, Position

PageId = NewType("PageId", str)
SourcePath = NewType("SourcePath", str)  # repository-relative, posix, e.g. content/a/b.md
DocPath = NewType("DocPath", str)  # relative to the content folder, e.g. a/b.md


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
class Expression:
    """A ``{{ ... }}`` written in prose: the text between the braces and where ``{{`` stands."""

    text: str
    line: int
    column: int
    closed: bool = True


@dataclass(frozen=True)
class CodeBlock:
    """A fenced code block: its info string and content, with the line of its opening fence."""

    info: str
    content: str
    line: int
    end_line: int


@dataclass
class FrontMatter:
    """A page's front matter: values with their positions."""

    located: Located
    first_line: int  # line of the opening ---
    end_line: int  # line of the closing ---

    @property
    def data(self) -> dict[str, Any]:
        value = self.located.value
        return value if isinstance(value, dict) else {}

    def position(self, *path: str | int) -> Position:
        """Where a field (or its nearest enclosing value) stands; the opening line if absent."""
        full: Path = tuple(path)
        if full and full in self.located.positions:
            return self.located.positions[full]
        while full and full not in self.located.positions:
            full = full[:-1]
        return self.located.positions.get(full, (self.first_line, 1)) if full else (self.first_line, 1)


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
    usable: bool = True  # False when front matter is broken beyond checking

    @property
    def meta(self) -> dict[str, Any]:
        """The front matter as a dict (empty when missing or broken)."""
        return self.front_matter.data if self.front_matter else {}

    @property
    def id(self) -> PageId | None:
        value = self.meta.get("id")
        return PageId(value) if isinstance(value, str) and value else None

    @property
    def title(self) -> str:
        value = self.meta.get("title")
        if isinstance(value, str) and value.strip():
            return value.strip()
        return self.stem

    @property
    def stem(self) -> str:
        name = self.doc_path.rsplit("/", 1)[-1]
        return name[:-3] if name.endswith(".md") else name

    @property
    def aliases(self) -> list[str]:
        value = self.meta.get("aliases")
        return [a for a in value if isinstance(a, str) and a.strip()] if isinstance(value, list) else []

    def body(self) -> str:
        """The text after the front matter."""
        lines = self.text.split("\n")
        return "\n".join(lines[self.body_line - 1 :])
