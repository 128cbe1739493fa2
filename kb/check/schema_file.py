"""Reading a knowledge base's front-matter schema.

kb ships a default schema (``default_schema.yml``: the house format's fields
and Obsidian's properties, none required). A knowledge base's own
``site_config/schema.yml`` (the ``schema`` option) replaces it, or, with
``extends: default``, adds fields to it and changes the rules of its fields
key by key::

    extends: default
    fields:
      id: {required: true}        # the default's id, now required
      owner: {type: string}       # a field of this knowledge base's own

Every problem in the file is reported at its line, all at once.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import re
from pathlib import Path
from typing import Any

from kb.check import yamlpos
from kb.check.schema import NO_DEFAULT, SPEC_KEYS, TYPES, Schema, Spec
from kb.diagnostics import Diagnostic
from kb.model import YamlPath

DEFAULT_SCHEMA = Path(__file__).resolve().parent / "default_schema.yml"
DEFAULT_NAME = "kb's default schema"
TOP_KEYS = ("extends", "fields", "review_intervals")


def load_schema(path: Path | None, shown_as: str) -> tuple[Schema | None, list[Diagnostic]]:
    """The schema in force: the file at ``path`` (extending kb's default or replacing it), or
    kb's default schema when ``path`` is None. Returns the schema or every problem with it."""
    schema, problems = _load(path, shown_as)
    if schema is not None:
        sha = hashlib.sha256(DEFAULT_SCHEMA.read_bytes())
        with contextlib.suppress(OSError):  # read a moment ago; if it is gone now, the digest says so
            sha.update(path.read_bytes() if path is not None else b"")
        schema.source = sha.hexdigest()
    return schema, problems


def _load(path: Path | None, shown_as: str) -> tuple[Schema | None, list[Diagnostic]]:
    default = _read(DEFAULT_SCHEMA, DEFAULT_NAME)
    assert isinstance(default, yamlpos.Located), default  # kb's own file; a test reads it
    if path is None:
        return _build(default, DEFAULT_NAME, default.value["fields"], default.value.get("review_intervals"))
    located = _read(path, shown_as)
    if not isinstance(located, yamlpos.Located):
        return None, located
    root = located.value
    if not isinstance(root, dict) or not isinstance(root.get("fields"), dict):
        return None, [Diagnostic(shown_as, 1, 1, "config.schema", "the schema must have a mapping 'fields'")]
    problems = []
    for key in root:
        if key not in TOP_KEYS:
            line, column = located.position((key,))
            problems.append(Diagnostic(shown_as, line, column, "config.schema",
                                       f"unknown key {key}; a schema has {' and '.join(TOP_KEYS)}"))
    extends = root.get("extends")
    if extends is not None and extends != "default":
        line, column = located.position(("extends",))
        problems.append(Diagnostic(shown_as, line, column, "config.schema",
                                   f"extends must be default (kb's default schema), got {extends!r}"))
    if problems:
        return None, problems
    fields = root["fields"]
    intervals = root.get("review_intervals")
    if extends == "default":
        fields = {**default.value["fields"], **{name: _merge(default.value["fields"].get(name), raw) for name, raw in fields.items()}}
        intervals = _merge(default.value.get("review_intervals"), intervals) if intervals is not None else default.value.get("review_intervals")
    return _build(located, shown_as, fields, intervals)


def _read(path: Path, shown_as: str) -> yamlpos.Located | list[Diagnostic]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = "it does not exist" if isinstance(error, FileNotFoundError) else getattr(error, "strerror", None) or str(error)
        return [Diagnostic(shown_as, 1, 1, "config.schema", f"cannot read the schema: {reason}")]
    located = yamlpos.parse(text)
    problems = [Diagnostic(shown_as, p.line, p.column, "config.schema", p.message) for p in located.problems]
    return problems or located


def _merge(default: Any, own: Any) -> Any:
    """A field's spec in an extending schema: its own rules over the default's, key by key."""
    if not isinstance(default, dict) or not isinstance(own, dict):
        return own
    return {**default, **own}


def _build(located: yamlpos.Located, shown_as: str, fields: dict[str, Any],
           intervals: Any = None) -> tuple[Schema | None, list[Diagnostic]]:
    reader = _SpecReader(located, shown_as)
    specs = {name: reader.spec(raw, ("fields", name)) for name, raw in fields.items()}
    review = reader.intervals(intervals)
    if reader.problems:
        return None, reader.problems
    references = [name for name, spec in specs.items() if spec.reference]
    return Schema(specs, shown_as, references, review), []


class _SpecReader:
    """Turns the YAML of one field spec into a Spec, collecting problems."""

    def intervals(self, raw: Any) -> dict[str, int]:
        """review_intervals: days (a positive integer) by trust level."""
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.fail(("review_intervals",), "review_intervals must map trust levels to days, such as {A: 365, D: 30}")
            return {}
        found = {}
        for level, days in raw.items():
            if isinstance(days, int) and not isinstance(days, bool) and days > 0:
                found[str(level)] = days
            else:
                self.fail(("review_intervals", level), f"review_intervals.{level} must be a number of days above 0, got {days!r}")
        return found

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
                    keyword=raw.get("keyword"), description=str(raw.get("description", "")),
                    default=raw.get("default", NO_DEFAULT))
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


