"""The front-matter schema: declared once in ``site_config/schema.yml``,
checked for every page, with every problem reported.

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
from pathlib import Path
from typing import Any

from kb.check import yamlpos
from kb.check.yamlpos import InvalidScalar
from kb.diagnostics import Diagnostic, Diagnostics
from kb.model import FrontMatter, Page, YamlPath

TYPES = ("string", "number", "integer", "boolean", "date", "list", "mapping")
SPEC_KEYS = frozenset({
    "type", "required", "allowed", "min", "max", "pattern", "items", "fields", "values",
    "not_future", "not_before", "reference", "keyword", "description", "nonempty",
})


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

    def expected(self) -> str:
        """How a message names what the value must be: "a number in [0, 1]"."""
        if self.allowed is not None:
            return "one of " + ", ".join(str(a) for a in self.allowed)
        names = [_TYPE_PHRASES[t] for t in self.types]
        phrase = " or ".join(names)
        if self.types == ("list",) and self.items is not None and self.items.fields is None:
            phrase = "a list of " + " or ".join(_PLURALS[t] for t in self.items.types)
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
    "date": "a date (YYYY-MM-DD)", "list": "a list", "mapping": "a mapping",
}
_PLURALS = {
    "string": "strings", "number": "numbers", "integer": "integers", "boolean": "booleans",
    "date": "dates", "list": "lists", "mapping": "mappings",
}


@dataclass
class Schema:
    """The declared front matter: the top-level fields of a page."""

    fields: dict[str, Spec]
    path: str = "site_config/schema.yml"
    references: list[str] = field(default_factory=list)

    @property
    def required(self) -> list[str]:
        return [name for name, spec in self.fields.items() if spec.required]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# ---------------------------------------------------------------------------
# Reading schema.yml


def load_schema(path: Path, shown_as: str) -> tuple[Schema | None, list[Diagnostic]]:
    """Read and check the schema file; returns the schema or the problems with it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = "it does not exist" if isinstance(error, FileNotFoundError) else getattr(error, "strerror", None) or str(error)
        return None, [Diagnostic(shown_as, 1, 1, "config.schema", f"cannot read the schema: {reason}")]
    located = yamlpos.parse(text)
    problems = [Diagnostic(shown_as, p.line, p.column, "config.schema", p.message) for p in located.problems]
    if problems:
        return None, problems
    root = located.value
    if not isinstance(root, dict) or not isinstance(root.get("fields"), dict):
        return None, [Diagnostic(shown_as, 1, 1, "config.schema", "the schema must have a mapping 'fields'")]
    reader = _SpecReader(located, shown_as)
    fields = {name: reader.spec(raw, ("fields", name)) for name, raw in root["fields"].items()}
    if reader.problems:
        return None, reader.problems
    references = [name for name, spec in fields.items() if spec.reference]
    return Schema(fields, shown_as, references), []


class _SpecReader:
    """Turns the YAML of one field spec into a Spec, collecting problems."""

    def __init__(self, located: yamlpos.Located, shown_as: str) -> None:
        self.located = located
        self.shown_as = shown_as
        self.problems: list[Diagnostic] = []

    def fail(self, path: YamlPath, message: str) -> None:
        line, column = self.located.position(path)
        self.problems.append(Diagnostic(self.shown_as, line, column, "config.schema", message))

    def spec(self, raw: Any, path: YamlPath) -> Spec:
        name = ".".join(str(p) for p in path[1:])
        if isinstance(raw, (str, list)):  # shorthand: `title: string`, `items: [string, mapping]`
            raw = {"type": raw}
        if not isinstance(raw, dict):
            self.fail(path, f"field {name} must be a mapping or a type name")
            return Spec(("string",))
        for key in raw:
            if key not in SPEC_KEYS:
                close = difflib.get_close_matches(key, SPEC_KEYS, n=1)
                self.fail((*path, key), f"field {name}: unknown rule {key}" + (f"; did you mean {close[0]}?" if close else ""))
        types = raw.get("type", "string")
        types = tuple(types) if isinstance(types, list) else (types,)
        for t in types:
            if t not in TYPES:
                self.fail((*path, "type"), f"field {name}: unknown type {t}; types are {', '.join(TYPES)}")
        for flag in ("required", "nonempty", "not_future"):
            if flag in raw and not isinstance(raw[flag], bool):
                self.fail((*path, flag), f"field {name}: {flag} must be true or false")
        if "reference" in raw and raw["reference"] != "page":
            self.fail((*path, "reference"), f"field {name}: reference must be page")
        if "keyword" in raw and not isinstance(raw["keyword"], str):
            self.fail((*path, "keyword"), f"field {name}: keyword must be a string")
        spec = Spec(types, required=bool(raw.get("required")), nonempty=bool(raw.get("nonempty")),
                    not_future=bool(raw.get("not_future")), reference=raw.get("reference") == "page",
                    keyword=raw.get("keyword"), description=str(raw.get("description", "")))
        if "allowed" in raw:
            spec.allowed = tuple(raw["allowed"]) if isinstance(raw["allowed"], list) else None
            if spec.allowed is None:
                self.fail((*path, "allowed"), f"field {name}: allowed must be a list")
        for bound, attr in (("min", "minimum"), ("max", "maximum")):
            if bound in raw:
                if isinstance(raw[bound], (int, float)) and not isinstance(raw[bound], bool):
                    setattr(spec, attr, float(raw[bound]))
                else:
                    self.fail((*path, bound), f"field {name}: {bound} must be a number")
        if "pattern" in raw:
            try:
                spec.pattern = re.compile(str(raw["pattern"]))
            except re.error as error:
                self.fail((*path, "pattern"), f"field {name}: pattern is not a regular expression: {error}")
        if "items" in raw:
            spec.items = self.spec(raw["items"], (*path, "items"))
        if "values" in raw:
            spec.values = self.spec(raw["values"], (*path, "values"))
        if "fields" in raw:
            if isinstance(raw["fields"], dict):
                spec.fields = {k: self.spec(v, (*path, "fields", k)) for k, v in raw["fields"].items()}
            else:
                self.fail((*path, "fields"), f"field {name}: fields must be a mapping")
        if "not_before" in raw:
            target = str(raw["not_before"]).split(".")
            if len(target) != 2:
                self.fail((*path, "not_before"), f"field {name}: not_before must look like list_field.date_field")
            else:
                spec.not_before = (target[0], target[1])
        return spec


# ---------------------------------------------------------------------------
# Checking one page


def validate_page(page: Page, schema: Schema, today: dt.date, diags: Diagnostics) -> None:
    """Check a page's front matter against the schema; report every problem."""
    if page.front_matter is None:
        if page.usable:
            required = " and ".join(schema.required) or "nothing"
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
