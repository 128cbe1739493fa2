"""The shape of a bad-input row, and the registry of the codes the rows expect."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import Run, run_kb

KbFactory = Callable[..., Path]

# A configuration without the graph warnings, for rows about something else.
QUIET = "site_name: test\ndocs_dir: content\nplugins:\n  - kb:\n      warn_orphans: false\n      warn_dead_ends: false\n"

# Every code some expectation in this file names; checked against CODES at the end.
EXPECTED_CODES: set[str] = set()
_CODE = re.compile(r"^[^:]+:\d+:\d+: (?:error|warning)\[([a-z_]+\.[a-z_]+)\]: ")


def expect(*lines: str) -> list[str]:
    """Expected diagnostic lines; their codes are recorded in EXPECTED_CODES."""
    for line in lines:
        match = _CODE.match(line)
        assert match, f"not a diagnostic line: {line!r}"
        EXPECTED_CODES.add(match.group(1))
    return list(lines)


def fm(yaml: str, body: str = "") -> str:
    """A page whose front matter is ``yaml`` as written (line 2 is its first line)."""
    return f"---\n{yaml}---\n{body}"


@dataclass
class Case:
    """One row: the files of a knowledge base, what ``kb check`` prints and returns."""

    id: str
    files: dict[str, str | bytes]
    lines: list[str]
    status: int
    mkdocs: str = QUIET
    args: tuple[str, ...] = field(default=())


def case(id: str, files: dict[str, str | bytes], lines: list[str], status: int,
         mkdocs: str = QUIET, args: tuple[str, ...] = ()) -> object:
    """A pytest param with a readable id; ``lines`` may name ``{today}``."""
    return pytest.param(Case(id, files, expect(*lines), status, mkdocs, args), id=id)


def check(kb: KbFactory, row: Case) -> Run:
    root = kb(row.files, row.mkdocs)
    run = run_kb(root, "check", *row.args)
    today = dt.date.today().isoformat()
    assert run.lines == [line.replace("{today}", today) for line in row.lines], run.stderr
    assert run.status == row.status, run.stdout
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr
    return run


