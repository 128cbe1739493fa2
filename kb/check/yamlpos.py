"""YAML with positions: parse front matter into plain values plus a map of
where each value stands in the file.

PyYAML's composer gives every node a start mark; kb builds the Python values
itself from those nodes so that it can (a) remember the line and column of
every key and list item, (b) refuse duplicate keys, which PyYAML silently
overwrites, (c) bound how far aliases expand, so a "billion laughs" document
becomes a diagnostic instead of a memory blow-up, and (d) keep a date that
does not exist (2026-02-30) as a recognisable value instead of raising.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, ClassVar

import yaml

from kb.model import Position, YamlPath

try:  # libyaml is about ten times faster; fall back to pure Python if absent.
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class _Loader(_BaseLoader):
    """The safe loader with a memo of implicit tag resolution: front matters
    repeat the same keys and values, and resolving a scalar's tag is the one
    step of parsing that runs in Python."""

    _memo: ClassVar[dict[tuple[type, str, tuple[bool, bool]], str]] = {}

    def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        if kind is not yaml.ScalarNode or len(value) > 64:
            return super().resolve(kind, value, implicit)  # type: ignore[no-any-return,no-untyped-call]
        key = (kind, value, implicit)
        tag = self._memo.get(key)
        if tag is None:
            if len(self._memo) > 100_000:
                self._memo.clear()
            tag = self._memo[key] = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
        return tag


MAX_VALUES = 10_000
MAX_DEPTH = 64
# libyaml's composer recurses in C, once per level of nesting: some ten thousand
# levels overflow the stack and kill the process. Every level needs one of these
# characters, so a text with few of them is composed at once; any other is first
# streamed as events, which stops at the first node deeper than MAX_DEPTH.
_NESTING_CHARS = "[{-?:"
_SAFE_NESTING = 1_000

_SCALARS = yaml.constructor.SafeConstructor.yaml_constructors
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STANDARD_PREFIX = "tag:yaml.org,2002:"


@dataclass(frozen=True)
class InvalidScalar:
    """A scalar YAML recognised by shape (a date, say) but could not build."""

    text: str
    tag: str
    reported: bool = False  # its tag is not allowed, and a problem says so already

    def __str__(self) -> str:
        return self.text


@dataclass
class YamlProblem:
    """A problem found while reading YAML, with its place and diagnostic code."""

    line: int
    column: int
    code: str
    message: str


@dataclass
class Located:
    """Parsed YAML: the plain value and the position of every part of it."""

    value: Any
    positions: dict[YamlPath, Position] = field(default_factory=dict)
    problems: list[YamlProblem] = field(default_factory=list)

    def position(self, path: YamlPath) -> Position:
        """The position of ``path``, or of its nearest ancestor that has one."""
        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path, (1, 1))


class _TooComplex(Exception):
    """Raised when a document expands past MAX_VALUES or nests past MAX_DEPTH, at a place."""

    def __init__(self, message: str, place: Position) -> None:
        super().__init__(message)
        self.place = place


def _too_deep(text: str) -> Position | None:
    """Where (0-based) a node lies deeper than MAX_DEPTH, found without composing (see _SAFE_NESTING)."""
    if sum(text.count(char) for char in _NESTING_CHARS) <= _SAFE_NESTING:
        return None
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.NodeEvent) and depth > MAX_DEPTH:
            mark = event.start_mark
            return (mark.line, mark.column) if mark else (0, 0)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


def _depth_message() -> str:
    return f"front matter nests deeper than {MAX_DEPTH} levels"


def _shown_tag(tag: str) -> str:
    """A tag as an author writes it: ``!!python/object:x``, ``!custom``."""
    return "!!" + tag.removeprefix(_STANDARD_PREFIX) if tag.startswith(_STANDARD_PREFIX) else tag


def parse(text: str, first_line: int = 1) -> Located:
    """Parse one YAML document; positions are shifted so that line 1 of
    ``text`` is ``first_line`` of the file.

    Never raises for bad input: syntax errors and structural problems are
    returned in ``problems`` with the value set to ``None``.
    """
    offset = first_line - 1
    try:
        deep = _too_deep(text)
        if deep is not None:
            place = (deep[0] + 1 + offset, deep[1] + 1)
            return Located(None, problems=[YamlProblem(*place, "frontmatter.too_complex", _depth_message())])
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1 + offset, mark.column + 1) if mark else (first_line, 1)
        detail = error.problem or "invalid YAML"
        if error.context:
            context_mark = error.context_mark
            started = f" that starts on line {context_mark.line + 1 + offset}" if context_mark and context_mark is not mark else ""
            detail = f"{detail} ({error.context}{started})"
        if mark and _char_at(text, mark.line, mark.column) == "\t" and "tab" not in detail:
            detail += "; a tab cannot indent YAML, use spaces"
        return Located(None, problems=[YamlProblem(line, column, "frontmatter.yaml", f"invalid YAML: {detail}")])
    except yaml.YAMLError as error:  # a non-marked error, e.g. a reader error
        message = f"invalid YAML: {error}"
        return Located(None, problems=[YamlProblem(first_line, 1, "frontmatter.yaml", message)])
    located = Located(None)
    if node is None:
        return located
    builder = _Builder(located, offset)
    try:
        located.value = builder.build(node, (), 0)
    except _TooComplex as error:
        located.value = None
        located.problems.append(YamlProblem(*error.place, "frontmatter.too_complex", str(error)))
    return located


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n")
    return lines[line][column] if line < len(lines) and column < len(lines[line]) else ""


class _Builder:
    """Turns composed nodes into Python values, recording positions."""

    def __init__(self, located: Located, offset: int) -> None:
        self.located = located
        self.offset = offset
        self.count = 0
        self.refused: set[int] = set()  # nodes whose tag was reported (an alias repeats a node)

    def _place(self, node: yaml.Node) -> Position:
        return node.start_mark.line + 1 + self.offset, node.start_mark.column + 1

    def build(self, node: yaml.Node, path: YamlPath, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise _TooComplex(
                f"front matter expands to more than {MAX_VALUES:,} values "
                "(YAML aliases that repeat each other?)",
                self.located.position(path[:1]),  # the top-level key whose value got too big
            )
        if depth > MAX_DEPTH:
            raise _TooComplex(_depth_message(), self._place(node))
        self.located.positions.setdefault(path, self._place(node))
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _SCALARS:
            self._refuse_tag(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: YamlPath, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            line, column = self._place(key_node)
            if isinstance(key, InvalidScalar) and key.reported:
                continue
            if key is None or isinstance(key, InvalidScalar) or not isinstance(key, (str, int, float, bool, dt.date)):
                self.located.problems.append(
                    YamlProblem(line, column, "frontmatter.yaml", "invalid YAML: a key must be a plain value")
                )
                continue
            key = str(key) if not isinstance(key, str) else key
            if key in result:
                first = self.located.positions[(*path, key)]
                self.located.problems.append(
                    YamlProblem(line, column, "frontmatter.duplicate_key",
                                f"{key} is given twice; the first is on line {first[0]}")
                )
                continue
            self.located.positions[(*path, key)] = (line, column)
            result[key] = self.build(value_node, (*path, key), depth + 1)
        return result

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag == _STR_TAG:  # most values; skip the constructor's machinery
            return node.value
        construct = _SCALARS.get(node.tag)
        if construct is None:
            self._refuse_tag(node)
            return InvalidScalar(str(node.value), node.tag, reported=True)
        try:
            return construct(_CONSTRUCTOR, node)
        except (ValueError, OverflowError, TypeError, yaml.YAMLError):
            return InvalidScalar(str(node.value), node.tag)

    def _refuse_tag(self, node: yaml.Node) -> None:
        if id(node) in self.refused:
            return
        self.refused.add(id(node))
        if node.tag == _MERGE_TAG:
            message = "invalid YAML: merge keys (<<) are not supported in front matter"
        else:
            message = f"invalid YAML: tag {_shown_tag(node.tag)} is not allowed in front matter"
        self.located.problems.append(YamlProblem(*self._place(node), "frontmatter.yaml", message))
