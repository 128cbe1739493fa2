"""The front-matter schema (read by ``schema_file``), checked for every page,
with every problem reported.

A field spec says what a value must be (``type``, ``allowed``, ``min``,
``max``, ``pattern``, nested ``items``/``fields``/``values``), whether it is
``required``, and for dates whether it may lie in the future
(``not_future``) or before another date of the page (``not_before``).
``reference: page`` marks a field whose value is another page's id, with a
``keyword`` (``self``, ``none``) that means "no other page".
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from kb.check.yamlpos import InvalidScalar
from kb.diagnostics import Diagnostics
from kb.model import FrontMatter, Page, YamlPath

TYPES = ("string", "number", "integer", "boolean", "date", "list", "mapping", "null")
SPEC_KEYS = frozenset({
    "type", "required", "allowed", "min", "max", "pattern", "items", "fields", "values",
    "not_future", "not_before", "reference", "keyword", "description", "nonempty", "default",
})
NO_DEFAULT = object()  # a spec without ``default``: kb new does not write the field


@dataclass
class Spec:
    """What one value of the front matter must be."""

    types: tuple[str, ...]
    required: bool = False
    nonempty: bool = False
    allowed: tuple[Any, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: re.Pattern[str] | None = None
    items: Spec | None = None
    fields: dict[str, Spec] | None = None
    values: Spec | None = None
    not_future: bool = False
    not_before: tuple[str, str] | None = None  # (list field, date field of its items)
    reference: bool = False
    keyword: str | None = None
    description: str = ""
    default: Any = NO_DEFAULT  # what kb new writes; "today" in a date means the day it runs

    def expected(self) -> str:
        """How a message names what the value must be: "a number in [0, 1]"."""
        if self.allowed is not None:
            return "one of " + ", ".join(str(a) for a in self.allowed)
        names = [_TYPE_PHRASES[t] for t in self.types]
        if "list" in self.types and self.items is not None and self.items.fields is None:
            names[self.types.index("list")] = "a list of " + " or ".join(_PLURALS[t] for t in self.items.types)
        phrase = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        if self.minimum is not None and self.maximum is not None:
            phrase += f" in [{_number(self.minimum)}, {_number(self.maximum)}]"
        elif self.minimum is not None:
            phrase += f" of at least {_number(self.minimum)}"
        elif self.maximum is not None:
            phrase += f" of at most {_number(self.maximum)}"
        if self.pattern is not None:
            phrase += f" matching {self.pattern.pattern}"
        if self.nonempty:
            phrase = "a non-empty " + phrase.removeprefix("a ")
        return phrase


_TYPE_PHRASES = {
    "string": "a string", "number": "a number", "integer": "an integer", "boolean": "true or false",
    "date": "a date (YYYY-MM-DD)", "list": "a list", "mapping": "a mapping", "null": "nothing",
}
_PLURALS = {
    "string": "strings", "number": "numbers", "integer": "integers", "boolean": "booleans",
    "date": "dates", "list": "lists", "mapping": "mappings", "null": "nothings",
}


@dataclass
class Schema:
    """The declared front matter: the top-level fields of a page."""

    fields: dict[str, Spec]
    path: str = "site_config/schema.yml"  # as diagnostics name it
    references: list[str] = field(default_factory=list)
    review_intervals: dict[str, int] = field(default_factory=dict)  # days, by source_trust_level
    source: str = ""  # a digest of the files it was read from: the same files, the same schema

    @property
    def required(self) -> list[str]:
        return [name for name, spec in self.fields.items() if spec.required]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# ---------------------------------------------------------------------------
# Checking one page


def validate_page(page: Page, schema: Schema, today: dt.date, diags: Diagnostics) -> None:
    """Check a page's front matter against the schema; report every problem."""
    if page.front_matter is None:
        if page.usable and schema.required:
            required = " and ".join(schema.required)
            diags.add(page.source, 1, 1, "frontmatter.missing",
                      f"page has no front matter; {required} {'is' if len(schema.required) == 1 else 'are'} required")
        return
    if not page.usable:
        return
    checker = _PageChecker(page.source, page.front_matter, today, diags)
    data = page.front_matter.data
    checker.mapping(schema.fields, data, ())
    for name, spec in schema.fields.items():
        if spec.not_before is not None and isinstance(data.get(name), dt.date):
            checker.not_before(name, spec.not_before, data)


class _PageChecker:
    def __init__(self, source: str, fm: FrontMatter, today: dt.date, diags: Diagnostics) -> None:
        self.source = source
        self.fm = fm
        self.today = today
        self.diags = diags

    def report(self, path: YamlPath, code: str, message: str) -> None:
        line, column = self.fm.position(*path)
        self.diags.add(self.source, line, column, code, message)

    def mapping(self, fields: dict[str, Spec], data: dict[str, Any], path: YamlPath) -> None:
        for name, spec in fields.items():
            if name not in data:
                if spec.required:
                    self.report(path, "frontmatter.required", f"{_name((*path, name))} is required")
                continue
            self.value(spec, data[name], (*path, name))
        for key in data:
            if key not in fields:
                close = difflib.get_close_matches(key, fields, n=1, cutoff=0.75)
                hint = f"; did you mean {close[0]}?" if close else ""
                self.report((*path, key), "frontmatter.unknown_key", f"unknown key {_name((*path, key))}{hint}")

    def value(self, spec: Spec, value: Any, path: YamlPath) -> None:
        if isinstance(value, InvalidScalar) and value.reported:  # a refused tag, reported where it stands
            return
        if isinstance(value, InvalidScalar) and "date" in spec.types and value.tag.endswith(":timestamp"):
            self.report(path, "frontmatter.date", f"{_name(path)} must be a real date, got {value.text}")
            return
        kind = next((t for t in spec.types if _is(t, value)), None)
        if kind is None:
            self.report(path, "frontmatter.type",
                        f"{_name(path)} must be {spec.expected()}, got {_show(value)}{_quote_hint(spec, value)}")
            return
        if kind == "date":
            self.date(spec, _as_date(value), path)
        elif not _within(spec, value):
            self.report(path, "frontmatter.type", f"{_name(path)} must be {spec.expected()}, got {_show(value)}")
        elif kind == "list" and spec.items is not None:
            for index, item in enumerate(value):
                self.value(spec.items, item, (*path, index))
        elif kind == "mapping":
            if spec.fields is not None:
                self.mapping(spec.fields, value, path)
            elif spec.values is not None:
                for key, item in value.items():
                    self.value(spec.values, item, (*path, key))

    def date(self, spec: Spec, value: dt.date, path: YamlPath) -> None:
        if spec.not_future and value > self.today:
            self.report(path, "frontmatter.date",
                        f"{_name(path)} {value.isoformat()} is in the future (today is {self.today.isoformat()})")

    def not_before(self, name: str, rule: tuple[str, str], meta: dict[str, Any]) -> None:
        list_field, date_field = rule
        entries = meta.get(list_field)
        if not isinstance(entries, list):
            return
        dated = [(_as_date(e[date_field]), i) for i, e in enumerate(entries)
                 if isinstance(e, dict) and _is("date", e.get(date_field))]
        if not dated:
            return
        newest, index = max(dated)
        value = _as_date(meta[name])
        if value < newest:
            line, _ = self.fm.position(list_field, index, date_field)
            self.report((name,), "frontmatter.date",
                        f"{name} {value.isoformat()} is before the newest {list_field} entry "
                        f"({newest.isoformat()}, line {line})")


def _is(kind: str, value: Any) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "date":
        return isinstance(value, dt.date) or (isinstance(value, str) and _parse_date(value) is not None)
    if kind == "list":
        return isinstance(value, list)
    if kind == "null":
        return value is None
    return isinstance(value, dict)


def _parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    parsed = _parse_date(str(value))
    assert parsed is not None  # callers check _is("date", value) first
    return parsed


def _within(spec: Spec, value: Any) -> bool:
    if spec.allowed is not None and value not in spec.allowed:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if spec.minimum is not None and value < spec.minimum:
            return False
        if spec.maximum is not None and value > spec.maximum:
            return False
        if value != value:  # NaN is no number in any range
            return spec.minimum is None and spec.maximum is None
    if isinstance(value, str):
        if spec.nonempty and not value.strip():
            return False
        if spec.pattern is not None and not spec.pattern.search(value):
            return False
    return True


def _name(path: YamlPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _show(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return json.dumps(shown, ensure_ascii=False)
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return str(value)


def _quote_hint(spec: Spec, value: Any) -> str:
    """YAML turns `title: 1984` into a number; say how to keep it text."""
    if "string" in spec.types and isinstance(value, (int, float, bool, dt.date)) and value is not None:
        return " (put it in quotes to make it text)"
    return ""
