"""``kb new "Title"``: a page that passes ``kb check`` as written.

Its front matter has the fields of the schema in force, in the schema's
order: the id and title, the ``--category`` folder when the schema has a
``category`` field, and every field the schema gives a ``default``. Its body
is the house format: a one-line summary, the core, patterns, decision
criteria, the page's place in the graph, anti-patterns, verification, and the
changelog (kept in the front matter; the site shows it as a table).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Container
from pathlib import Path
from typing import Any

from kb.check.names import slugify
from kb.check.schema import NO_DEFAULT, Schema
from kb.textedit import write_atomically

BODY = """\
# {heading}

## One-line summary

<!-- One sentence a reader can keep: what this is, and the one distinction that matters. -->
*Not written yet.*

## Core

<!-- The facts, each with its source in raw_sources; numbers as figures, e.g. params("nn.Linear(768, 3072)"). -->
*Not written yet.*

## Patterns

<!-- Code that shows the idea; a `python exec` block runs at build time. -->
*Not written yet.*

## Decision criteria

<!-- A table: situation, what to do. -->
*Not written yet.*

## Graph

<!-- Parent, variants, applications and neighbours as [[wikilinks]]. -->
*Not linked yet.*

## Anti-patterns

*Not written yet.*

## Verification

<!-- What was checked against which source, and what is still open. -->
*Not verified yet.*

## Changelog

<!-- Kept in the front matter's changelog; the site renders it here as a table. -->
"""


MAX_NAME_BYTES = 120


class NewPageError(Exception):
    """The page cannot be created (exit status 2); the message says why."""


def page_file_name(title: str) -> str:
    """The file name for a title: its slug plus ``.md``."""
    slug = slugify(title).strip("-")
    if not slug:
        raise NewPageError(f'cannot make a file name from the title "{title}"; use letters or digits')
    while len(slug.encode()) > MAX_NAME_BYTES:  # file systems allow 255 bytes per name
        slug = slug[:-1]
    return f"{slug.rstrip('-')}.md"


def render_page(title: str, category: str, today: dt.date, schema: Schema, taken_ids: Container[str] = ()) -> str:
    """The text of a new page; its id is made unique among ``taken_ids``
    (the same title in another folder, created the same day, gets ``-2``)."""
    stem = page_file_name(title)[:-3]
    page_id = base = f"wiki-{today:%Y-%m%d}-{stem}"
    number = 1
    while page_id in taken_ids:
        number += 1
        page_id = f"{base}-{number}"
    written = {"id": page_id, "title": title, "category": category}
    lines = ["---"]
    for name, spec in schema.fields.items():
        if name in written:
            value = written[name]
        elif spec.default is not NO_DEFAULT:
            value = _today(spec.default, today)
        elif spec.required:
            raise NewPageError(f"the schema requires {name} but gives it no default; add `default:` to its rules in {schema.path}")
        else:
            continue
        lines.append(_field(name, value))
    lines.append("---")
    return "\n".join(lines) + "\n\n" + BODY.format(heading=title.replace("\n", " "))


def _today(value: Any, today: dt.date) -> Any:
    """A default with every ``today`` (the date kb new runs) put in."""
    if value == "today":
        return today
    if isinstance(value, list):
        return [_today(v, today) for v in value]
    if isinstance(value, dict):
        return {k: _today(v, today) for k, v in value.items()}
    return value


def _field(name: str, value: Any) -> str:
    """One top-level field as YAML: a mapping in block style, anything else on one line."""
    if isinstance(value, dict) and value:
        return f"{name}:" + "".join(f"\n  {_field(k, v)}" for k, v in value.items())
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return f"{name}:" + "".join(f"\n  - {_flow(v)}" for v in value)
    return f"{name}: {_flow(value)}"


_PLAIN = re.compile(r"[A-Za-z0-9_][\w.-]*")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "none", "~", "y", "n"}


def _flow(value: Any) -> str:
    """A value in YAML's flow style; text that YAML would read as something else is quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float, dt.date)):
        return value.isoformat() if isinstance(value, dt.date) else repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    text = str(value)
    plain = _PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS and not _looks_numeric(text)
    return text if plain else json.dumps(text, ensure_ascii=False)


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text))
    return True


def write_new_page(target: Path, text: str, shown: str | None = None) -> None:
    """Write ``text`` to ``target`` atomically, never replacing an existing file
    (``shown``: how a message names the target)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_atomically(target, text, exclusive=True)  # no overwrite, no half-written file
    except FileExistsError:
        raise NewPageError(f"{shown or target} already exists") from None
