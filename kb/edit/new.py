"""``kb new "Title"``: a page in the house format that passes ``kb check`` as written.

The house format is the author's own: a one-line summary, the core, patterns,
decision criteria, the page's place in the graph, anti-patterns,
verification, and the changelog (kept in the front matter; the site shows it
as a table).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Container
from pathlib import Path

from kb.check.names import slugify
from kb.textedit import write_atomically

TEMPLATE = """\
---
id: {id}
title: {title}
category: {category}
status: draft
canonical_id: self
aliases: []
duplicate_of: none
source_trust_level: D
confidence_score: 0.5
verification_status: pending
tags: []
raw_sources: []
last_reinforced: {today}
github_commit: pending
tech_stack:
  language: python
  framework: pytorch
changelog:
  - {{date: {today}, change: Created}}
---

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


def render_page(title: str, category: str, today: dt.date, taken_ids: Container[str] = ()) -> str:
    """The text of a new page; its id is made unique among ``taken_ids``
    (the same title in another folder, created the same day, gets ``-2``)."""
    stem = page_file_name(title)[:-3]
    page_id = base = f"wiki-{today:%Y-%m%d}-{stem}"
    number = 1
    while page_id in taken_ids:
        number += 1
        page_id = f"{base}-{number}"
    return TEMPLATE.format(
        id=page_id,
        title=json.dumps(title, ensure_ascii=False),
        category=json.dumps(category, ensure_ascii=False),
        heading=title.replace("\n", " "),
        today=today.isoformat(),
    )


def write_new_page(target: Path, text: str, shown: str | None = None) -> None:
    """Write ``text`` to ``target`` atomically, never replacing an existing file
    (``shown``: how a message names the target)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_atomically(target, text, exclusive=True)  # no overwrite, no half-written file
    except FileExistsError:
        raise NewPageError(f"{shown or target} already exists") from None
