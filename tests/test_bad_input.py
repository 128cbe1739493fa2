"""Bad input, table driven: every row feeds kb one kind of broken (or tricky)
content or configuration and states the exact diagnostics ``kb check``
prints, ``path:line:col: severity[code]: message``, and its exit status.

Exit status: 1 when the content has errors, 2 when the configuration is
wrong, 0 for warnings only (1 with ``--strict``). Most rows use a
configuration without the graph warnings (orphans, dead ends), which have
rows of their own. Every diagnostic code kb declares is expected by at least
one test here (see ``test_every_code_is_covered``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kb.cli import main
from kb.config import OPTIONS
from kb.diagnostics import CODES
from kb.yamlpos import MAX_DEPTH
from tests.conftest import MKDOCS, Run, page, run_kb

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


# ---------------------------------------------------------------------------
# Files that cannot be read as Markdown

HUGE = fm("id: huge\ntitle: Huge\n", "x" * 10_000_000)

READING = [
    case("page-too-large", {"content/huge.md": HUGE},
         ["content/huge.md:1:1: error[page.too_large]: page is 10.0 MB; the limit is 5.0 MB (kb option max_page_bytes)"], 1),
    case("page-too-large-option", {"content/a.md": fm("id: a\ntitle: A\n", "y" * 3000)},
         ["content/a.md:1:1: error[page.too_large]: page is 3,023 bytes; the limit is 2,000 bytes (kb option max_page_bytes)"], 1,
         mkdocs=QUIET + "      max_page_bytes: 2000\n"),
    case("binary-nul-byte", {"content/a.md": b"---\nid: a\ntitle: A\n---\nab\x00cd\n"},
         ["content/a.md:5:3: error[page.binary]: file holds binary data (a NUL byte at offset 25), not Markdown"], 1),
    case("png-named-md", {"content/image.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"},
         ["content/image.md:3:1: error[page.binary]: file holds binary data (a NUL byte at offset 8), not Markdown"], 1),
    case("utf16-le-bom", {"content/a.md": "---\nid: a\ntitle: A\n---\n".encode("utf-16")},
         ["content/a.md:1:1: error[page.encoding]: file is UTF-16; save it as UTF-8"], 1),
    case("utf16-be-bom", {"content/a.md": b"\xfe\xff" + "---\nid: a\n".encode("utf-16-be")},
         ["content/a.md:1:1: error[page.encoding]: file is UTF-16; save it as UTF-8"], 1),
    case("invalid-utf8-in-body", {"content/a.md": "---\nid: a\ntitle: A\n---\nhallo wörld ".encode() + b"\xff!\n"},
         ["content/a.md:5:13: error[page.encoding]: not valid UTF-8: byte 0xff cannot be decoded"], 1),
    case("invalid-utf8-after-korean", {"content/a.md": "---\nid: a\ntitle: 한국 ".encode() + b"\xc3(\n---\n"},
         ["content/a.md:3:11: error[page.encoding]: not valid UTF-8: byte 0xc3 cannot be decoded"], 1),
    case("latin1-page-is-still-checked",
         {"content/a.md": b"---\nid: a\ntitle: Caf\xe9\n---\nSee [[Nowhere]].\n"},
         ["content/a.md:3:11: error[page.encoding]: not valid UTF-8: byte 0xe9 cannot be decoded",
          "content/a.md:5:5: error[link.unresolved]: [[Nowhere]] names no page"], 1),
]


@pytest.mark.parametrize("row", READING)
def test_files_that_are_not_markdown(kb: KbFactory, row: Case) -> None:
    check(kb, row)


UNREADABLE = expect("content/gone.md:1:1: error[page.unreadable]: cannot read the file: No such file or directory")


def test_dangling_symlink_is_unreadable(kb: KbFactory) -> None:
    root = kb({"content/a.md": page("a", "A")})
    (root / "content" / "gone.md").symlink_to(root / "content" / "missing-target.md")
    (root / "content" / "folder.md").mkdir()  # a folder named .md is no page
    run = run_kb(root, "check")
    assert run.lines == UNREADABLE
    assert run.status == 1


# ---------------------------------------------------------------------------
# Front matter that is not valid YAML, or not a mapping

LAUGHS = "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 10)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)

YAML = [
    case("unclosed-flow-list", {"content/a.md": fm("id: a\ntitle: A\naliases: [x, y\n")},
         ["content/a.md:5:1: error[frontmatter.yaml]: invalid YAML: did not find expected ',' or ']' "
          "(while parsing a flow sequence that starts on line 4)"], 1),
    case("bad-indentation", {"content/a.md": fm("id: a\ntitle: A\ntech_stack:\n  language: python\n framework: torch\n")},
         ["content/a.md:6:2: error[frontmatter.yaml]: invalid YAML: did not find expected key "
          "(while parsing a block mapping that starts on line 2)"], 1),
    case("tab-indents-a-key", {"content/a.md": fm("id: a\ntitle: A\ntech_stack:\n\tlanguage: python\n")},
         ["content/a.md:5:1: error[frontmatter.yaml]: invalid YAML: found character that cannot start any token "
          "(while scanning for the next token that starts on line 5); a tab cannot indent YAML, use spaces"], 1),
    case("tab-indents-a-list-item", {"content/a.md": fm("id: a\ntitle: A\naliases:\n- x\n\t- y\n")},
         ["content/a.md:6:1: error[frontmatter.yaml]: invalid YAML: found a tab character that violates indentation "
          "(while scanning a plain scalar that starts on line 5)"], 1),
    case("a-b-c", {"content/a.md": fm("id: a\ntitle: a: b: c\n")},
         ["content/a.md:3:9: error[frontmatter.yaml]: invalid YAML: mapping values are not allowed in this context"], 1),
    case("a-b-c-after-korean", {"content/a.md": fm("id: a\ntitle: 한국어: b\n")},
         ["content/a.md:3:11: error[frontmatter.yaml]: invalid YAML: mapping values are not allowed in this context"], 1),
    case("undefined-alias", {"content/a.md": fm("id: a\ntitle: *nope\n")},
         ["content/a.md:3:8: error[frontmatter.yaml]: invalid YAML: found undefined alias"], 1),
    case("yaml-directive", {"content/a.md": fm("%YAML 1.1\nid: a\n")},
         ["content/a.md:3:1: error[frontmatter.yaml]: invalid YAML: did not find expected <document start>"], 1),
    case("merge-key", {"content/a.md": fm("id: a\nbase: &b {title: A}\n<<: *b\n")},
         ["content/a.md:1:1: error[frontmatter.required]: title is required",
          "content/a.md:3:1: warning[frontmatter.unknown_key]: unknown key base",
          "content/a.md:4:1: error[frontmatter.yaml]: invalid YAML: merge keys (<<) are not supported in front matter"], 1),
    case("key-that-is-a-list", {"content/a.md": fm("id: a\ntitle: A\n? [x]\n: y\n")},
         ["content/a.md:4:3: error[frontmatter.yaml]: invalid YAML: a key must be a plain value"], 1),
    case("front-matter-is-a-list", {"content/a.md": fm("- id: a\n- title: A\n")},
         ["content/a.md:2:1: error[frontmatter.not_mapping]: front matter must be a mapping of keys to values, got a list"], 1),
    case("front-matter-is-a-scalar", {"content/a.md": fm("just a sentence\n")},
         ["content/a.md:2:1: error[frontmatter.not_mapping]: front matter must be a mapping of keys to values, "
          "got a single value"], 1),
    case("unclosed-front-matter", {"content/a.md": "---\nid: a\ntitle: A\n\nSee [[Nowhere]].\n"},
         ["content/a.md:1:1: error[frontmatter.unclosed]: front matter opened with --- on line 1 is never closed with ---",
          "content/a.md:5:5: error[link.unresolved]: [[Nowhere]] names no page"], 1),
    case("only-an-opening-fence", {"content/a.md": "---\n"},
         ["content/a.md:1:1: error[frontmatter.unclosed]: front matter opened with --- on line 1 is never closed with ---"], 1),
    case("empty-front-matter", {"content/a.md": "---\n---\nBody.\n"},
         ["content/a.md:1:1: error[frontmatter.required]: id is required",
          "content/a.md:1:1: error[frontmatter.required]: title is required"], 1),
    case("no-front-matter", {"content/a.md": "# Hello\n\nText.\n"},
         ["content/a.md:1:1: error[frontmatter.missing]: page has no front matter; id and title are required"], 1),
    case("empty-file", {"content/a.md": ""},
         ["content/a.md:1:1: error[frontmatter.missing]: page has no front matter; id and title are required"], 1),
    case("duplicate-key", {"content/a.md": fm("id: a\ntitle: A\nid: b\n")},
         ["content/a.md:4:1: error[frontmatter.duplicate_key]: id is given twice; the first is on line 2"], 1),
    case("duplicate-nested-key", {"content/a.md": fm("id: a\ntitle: A\ntech_stack:\n  language: py\n  language: rust\n")},
         ["content/a.md:6:3: error[frontmatter.duplicate_key]: language is given twice; the first is on line 5"], 1),
    case("python-object-tag", {"content/a.md": fm("id: a\ntitle: !!python/object:os.system {}\n")},
         ["content/a.md:3:1: error[frontmatter.type]: title must be a non-empty string, got a mapping",
          "content/a.md:3:8: error[frontmatter.yaml]: invalid YAML: tag !!python/object:os.system is not allowed in front matter"],
         1),
    case("python-apply-tag", {"content/a.md": fm("id: a\ntitle: A\ntags: !!python/object/apply:os.system [ls]\n")},
         ["content/a.md:4:7: error[frontmatter.yaml]: invalid YAML: tag !!python/object/apply:os.system "
          "is not allowed in front matter"], 1),
    case("python-name-tag", {"content/a.md": fm("id: a\ntitle: A\ncategory: !!python/name:os.system\n")},
         ["content/a.md:4:11: error[frontmatter.yaml]: invalid YAML: tag !!python/name:os.system is not allowed in front matter"],
         1),
    case("custom-tag", {"content/a.md": fm("id: a\ntitle: !secret A\n")},
         ["content/a.md:3:8: error[frontmatter.yaml]: invalid YAML: tag !secret is not allowed in front matter"], 1),
    case("custom-tag-on-a-key", {"content/a.md": fm("id: a\ntitle: A\n!k key: v\n")},
         ["content/a.md:4:1: error[frontmatter.yaml]: invalid YAML: tag !k is not allowed in front matter"], 1),
    case("billion-laughs", {"content/a.md": fm("id: a\ntitle: A\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + LAUGHS)},
         ["content/a.md:7:1: error[frontmatter.too_complex]: front matter expands to more than 10,000 values "
          "(YAML aliases that repeat each other?)"], 1),
    case("nested-flow-lists", {"content/a.md": fm("id: a\ntitle: A\ntech_stack: " + "[" * 100 + "]" * 100 + "\n")},
         [f"content/a.md:4:{13 + MAX_DEPTH}: error[frontmatter.too_complex]: front matter nests deeper than 64 levels"], 1),
    case("nested-flow-lists-100000", {"content/a.md": fm("id: a\ntitle: A\ntech_stack: " + "[" * 100_000 + "]" * 100_000 + "\n")},
         [f"content/a.md:4:{13 + MAX_DEPTH}: error[frontmatter.too_complex]: front matter nests deeper than 64 levels"], 1),
    case("nested-block-lists-100000", {"content/a.md": fm("- " * 100_000 + "x\n")},
         [f"content/a.md:2:{2 * (MAX_DEPTH + 1) + 1}: error[frontmatter.too_complex]: front matter nests deeper than 64 levels"], 1),
    case("nested-block-mappings",
         {"content/a.md": fm("id: a\ntitle: A\n" + "".join("  " * i + f"k{i}:\n" for i in range(70)) + "  " * 70 + "x: 1\n")},
         ["content/a.md:69:131: error[frontmatter.too_complex]: front matter nests deeper than 64 levels"], 1),
]


@pytest.mark.parametrize("row", YAML)
def test_front_matter_that_is_not_valid_yaml(kb: KbFactory, row: Case) -> None:
    check(kb, row)


# ---------------------------------------------------------------------------
# Values of the wrong type, out of range or not allowed


def one(id: str, extra: str, lines: list[str], status: int = 1) -> object:
    """A single page ``a`` whose front matter has id and title, then ``extra`` from line 4."""
    return case(id, {"content/a.md": fm("id: a\ntitle: A\n" + extra)}, lines, status)


TYPES = [
    case("title-is-a-number", {"content/a.md": fm("id: a\ntitle: 1984\n")},
         ["content/a.md:3:1: error[frontmatter.type]: title must be a non-empty string, got 1984 "
          "(put it in quotes to make it text)"], 1),
    case("title-is-a-bool", {"content/a.md": fm("id: a\ntitle: yes\n")},
         ["content/a.md:3:1: error[frontmatter.type]: title must be a non-empty string, got true "
          "(put it in quotes to make it text)"], 1),
    case("title-is-a-date", {"content/a.md": fm("id: a\ntitle: 2024-01-01\n")},
         ["content/a.md:3:1: error[frontmatter.type]: title must be a non-empty string, got 2024-01-01 "
          "(put it in quotes to make it text)"], 1),
    case("title-is-null", {"content/a.md": fm("id: a\ntitle:\n")},
         ["content/a.md:3:1: error[frontmatter.type]: title must be a non-empty string, got nothing (null)"], 1),
    case("title-is-blank", {"content/a.md": fm("id: a\ntitle: '  '\n")},
         ['content/a.md:3:1: error[frontmatter.type]: title must be a non-empty string, got "  "'], 1),
    case("id-is-a-number", {"content/a.md": fm("id: 42\ntitle: A\n")},
         [r"content/a.md:2:1: error[frontmatter.type]: id must be a string matching ^\w[\w.-]*$, got 42 "
          "(put it in quotes to make it text)"], 1),
    case("id-with-a-space", {"content/a.md": fm("id: my page\ntitle: A\n")},
         [r'content/a.md:2:1: error[frontmatter.type]: id must be a string matching ^\w[\w.-]*$, got "my page"'], 1),
    case("id-and-title-missing", {"content/a.md": fm("category: x\n")},
         ["content/a.md:1:1: error[frontmatter.required]: id is required",
          "content/a.md:1:1: error[frontmatter.required]: title is required"], 1),
    one("aliases-is-a-string", "aliases: Model Parameter\n",
        ['content/a.md:4:1: error[frontmatter.type]: aliases must be a list of strings, got "Model Parameter"']),
    one("alias-items-number-and-empty", "aliases: [x, 3, '']\n",
        ["content/a.md:4:14: error[frontmatter.type]: aliases[1] must be a non-empty string, got 3 "
         "(put it in quotes to make it text)",
         'content/a.md:4:17: error[frontmatter.type]: aliases[2] must be a non-empty string, got ""']),
    one("tags-with-space-and-hash", "tags: [ok, 'has space', '#hash']\n",
        [r'content/a.md:4:12: error[frontmatter.type]: tags[1] must be a non-empty string matching ^[^\s#]+$, got "has space"',
         r'content/a.md:4:25: error[frontmatter.type]: tags[2] must be a non-empty string matching ^[^\s#]+$, got "#hash"']),
    one("tags-is-a-set", "tags: !!set {a, b}\n",
        ["content/a.md:4:1: error[frontmatter.type]: tags must be a list of strings, got a mapping"]),
    one("tech-stack-is-a-list", "tech_stack: [python, torch]\n",
        ["content/a.md:4:1: error[frontmatter.type]: tech_stack must be a mapping, got a list"]),
    one("tech-stack-value-is-a-number", "tech_stack:\n  language: 3\n",
        ["content/a.md:5:3: error[frontmatter.type]: tech_stack.language must be a string, got 3 "
         "(put it in quotes to make it text)"]),
    one("changelog-is-a-mapping", "changelog: {date: 2024-01-01, change: x}\n",
        ["content/a.md:4:1: error[frontmatter.type]: changelog must be a list, got a mapping"]),
    one("changelog-entry-is-a-string", "changelog:\n  - 2024-03-01 fixed\n",
        ['content/a.md:5:5: error[frontmatter.type]: changelog[0] must be a mapping, got "2024-03-01 fixed"']),
    one("raw-source-is-a-number", "raw_sources: [a, {id: b}, 3]\n",
        ["content/a.md:4:27: error[frontmatter.type]: raw_sources[2] must be a string or a mapping, got 3 "
         "(put it in quotes to make it text)"]),
    one("confidence-is-a-bool", "confidence_score: true\n",
        ["content/a.md:4:1: error[frontmatter.type]: confidence_score must be a number in [0, 1], got true"]),
    one("confidence-is-a-word", "confidence_score: high\n",
        ['content/a.md:4:1: error[frontmatter.type]: confidence_score must be a number in [0, 1], got "high"']),
    one("confidence-is-quoted", "confidence_score: '0.5'\n",
        ['content/a.md:4:1: error[frontmatter.type]: confidence_score must be a number in [0, 1], got "0.5"']),
    one("confidence-1.5", "confidence_score: 1.5\n",
        ["content/a.md:4:1: error[frontmatter.type]: confidence_score must be a number in [0, 1], got 1.5"]),
    one("confidence-minus-0.1", "confidence_score: -0.1\n",
        ["content/a.md:4:1: error[frontmatter.type]: confidence_score must be a number in [0, 1], got -0.1"]),
    one("confidence-nan", "confidence_score: .nan\n",
        ["content/a.md:4:1: error[frontmatter.type]: confidence_score must be a number in [0, 1], got nan"]),
    one("confidence-inf", "confidence_score: .inf\n",
        ["content/a.md:4:1: error[frontmatter.type]: confidence_score must be a number in [0, 1], got inf"]),
    one("confidence-bad-int-tag", "confidence_score: !!int high\n",
        ['content/a.md:4:1: error[frontmatter.type]: confidence_score must be a number in [0, 1], got high']),
    one("trust-level-E", "source_trust_level: E\n",
        ['content/a.md:4:1: error[frontmatter.type]: source_trust_level must be one of A, B, C, D, got "E"']),
    one("trust-level-lower-case", "source_trust_level: a\n",
        ['content/a.md:4:1: error[frontmatter.type]: source_trust_level must be one of A, B, C, D, got "a"']),
    one("status-unknown", "status: published\n",
        ["content/a.md:4:1: error[frontmatter.type]: status must be one of draft, review, verified, deprecated, archived, "
         'got "published"']),
    one("verification-status-yes", "verification_status: yes\n",
        ["content/a.md:4:1: error[frontmatter.type]: verification_status must be one of pending, partial, applied, failed, "
         "got true (put it in quotes to make it text)"]),
    one("github-commit-HEAD", "github_commit: HEAD\n",
        ["content/a.md:4:1: error[frontmatter.type]: github_commit must be a string matching "
         '^(pending|none|[0-9a-f]{7,40})$, got "HEAD"']),
    one("github-commit-too-short", "github_commit: abc12\n",
        ["content/a.md:4:1: error[frontmatter.type]: github_commit must be a string matching "
         '^(pending|none|[0-9a-f]{7,40})$, got "abc12"']),
    one("reference-fields-wrong-types", "duplicate_of: 3\ncanonical_id: [a]\n",
        ["content/a.md:4:1: error[frontmatter.type]: duplicate_of must be a string, got 3 (put it in quotes to make it text)",
         "content/a.md:5:1: error[frontmatter.type]: canonical_id must be a string, got a list"]),
    case("every-problem-of-a-page", {"content/a.md": fm(
        "id: a b\ntitle: 7\nstatus: done\nconfidence_score: 2\nsource_trust_level: Z\nconfidance: 1\n"
        "changelog:\n  - {date: 2026-02-30}\n")},
        [r'content/a.md:2:1: error[frontmatter.type]: id must be a string matching ^\w[\w.-]*$, got "a b"',
         "content/a.md:3:1: error[frontmatter.type]: title must be a non-empty string, got 7 (put it in quotes to make it text)",
         'content/a.md:4:1: error[frontmatter.type]: status must be one of draft, review, verified, deprecated, archived, '
         'got "done"',
         "content/a.md:5:1: error[frontmatter.type]: confidence_score must be a number in [0, 1], got 2",
         'content/a.md:6:1: error[frontmatter.type]: source_trust_level must be one of A, B, C, D, got "Z"',
         "content/a.md:7:1: warning[frontmatter.unknown_key]: unknown key confidance",
         "content/a.md:9:5: error[frontmatter.required]: changelog[0].change is required",
         "content/a.md:9:6: error[frontmatter.date]: changelog[0].date must be a real date, got 2026-02-30"], 1),
]


@pytest.mark.parametrize("row", TYPES)
def test_values_of_the_wrong_type(kb: KbFactory, row: Case) -> None:
    check(kb, row)


# ---------------------------------------------------------------------------
# Dates, changelog entries and unknown keys

DATES = [
    one("february-30", "last_reinforced: 2026-02-30\n",
        ["content/a.md:4:1: error[frontmatter.date]: last_reinforced must be a real date, got 2026-02-30"]),
    one("month-13", "last_reinforced: 2026-13-01\n",
        ["content/a.md:4:1: error[frontmatter.date]: last_reinforced must be a real date, got 2026-13-01"]),
    one("date-is-a-word", "last_reinforced: yesterday\n",
        ['content/a.md:4:1: error[frontmatter.type]: last_reinforced must be a date (YYYY-MM-DD), got "yesterday"']),
    one("future-last-reinforced", "last_reinforced: 2999-01-01\n",
        ["content/a.md:4:1: error[frontmatter.date]: last_reinforced 2999-01-01 is in the future (today is {today})"]),
    one("future-changelog-date", "changelog:\n  - {date: 2999-01-01, change: x}\n",
        ["content/a.md:5:6: error[frontmatter.date]: changelog[0].date 2999-01-01 is in the future (today is {today})"]),
    one("changelog-february-30", "changelog:\n  - {date: 2026-02-30, change: x}\n",
        ["content/a.md:5:6: error[frontmatter.date]: changelog[0].date must be a real date, got 2026-02-30"]),
    one("last-reinforced-before-changelog",
        "last_reinforced: 2024-01-01\nchangelog:\n  - {date: 2024-03-01, change: x}\n  - {date: 2024-02-01, change: y}\n",
        ["content/a.md:4:1: error[frontmatter.date]: last_reinforced 2024-01-01 is before the newest changelog entry "
         "(2024-03-01, line 6)"]),
    one("changelog-entries-missing-date-or-change", "changelog:\n  - {date: 2024-03-01}\n  - {change: y}\n  - {}\n",
        ["content/a.md:5:5: error[frontmatter.required]: changelog[0].change is required",
         "content/a.md:6:5: error[frontmatter.required]: changelog[1].date is required",
         "content/a.md:7:5: error[frontmatter.required]: changelog[2].date is required",
         "content/a.md:7:5: error[frontmatter.required]: changelog[2].change is required"]),
    one("changelog-change-empty", "changelog:\n  - {date: 2024-03-01, change: ''}\n",
        ['content/a.md:5:24: error[frontmatter.type]: changelog[0].change must be a non-empty string, got ""']),
    one("unknown-top-level-keys", "confidance_score: 0.5\nfoo: 1\n1: x\n",
        ["content/a.md:4:1: warning[frontmatter.unknown_key]: unknown key confidance_score; did you mean confidence_score?",
         "content/a.md:5:1: warning[frontmatter.unknown_key]: unknown key foo",
         "content/a.md:6:1: warning[frontmatter.unknown_key]: unknown key 1"], 0),
    case("unknown-key-fails-with-strict", {"content/a.md": fm("id: a\ntitle: A\nconfidance_score: 0.5\n")},
         ["content/a.md:4:1: warning[frontmatter.unknown_key]: unknown key confidance_score; did you mean confidence_score?"], 1,
         args=("--strict",)),
    one("unknown-keys-in-changelog-entry", "changelog:\n  - {date: 2024-03-01, change: x, author: me, chnage: y}\n",
        ["content/a.md:5:35: warning[frontmatter.unknown_key]: unknown key changelog[0].author",
         "content/a.md:5:47: warning[frontmatter.unknown_key]: unknown key changelog[0].chnage; did you mean change?"], 0),
]


@pytest.mark.parametrize("row", DATES)
def test_dates_changelog_and_unknown_keys(kb: KbFactory, row: Case) -> None:
    check(kb, row)


# ---------------------------------------------------------------------------
# Rules across pages: ids, references, names

A = page("a", "Alpha")
B = page("b", "Beta")

CROSS = [
    case("duplicate-id", {"content/a.md": A, "content/b.md": page("a", "Beta")},
         ['content/b.md:2:1: error[frontmatter.duplicate_id]: id "a" is already used by content/a.md:2'], 1),
    case("duplicate-id-three-times", {"content/a.md": A, "content/b.md": page("a", "Beta"), "content/c/d.md": page("a", "Gamma")},
         ['content/b.md:2:1: error[frontmatter.duplicate_id]: id "a" is already used by content/a.md:2',
          'content/c/d.md:2:1: error[frontmatter.duplicate_id]: id "a" is already used by content/a.md:2'], 1),
    case("canonical-id-names-no-page", {"content/a.md": page("a", "Alpha", extra="canonical_id: alpah\n"),
                                        "content/alpha.md": page("alpha", "Alpha Two")},
         ['content/a.md:4:1: error[frontmatter.reference]: canonical_id "alpah" names no page; did you mean "alpha"?'], 1),
    case("canonical-id-nothing-close", {"content/a.md": page("a", "Alpha", extra="canonical_id: zzzzzz\n")},
         ['content/a.md:4:1: error[frontmatter.reference]: canonical_id "zzzzzz" names no page'], 1),
    case("duplicate-of-names-no-page", {"content/a.md": page("a", "Alpha", extra="duplicate_of: bb\n"), "content/b.md": B},
         ['content/a.md:4:1: error[frontmatter.reference]: duplicate_of "bb" names no page; did you mean "b"?'], 1),
    case("duplicate-of-itself", {"content/a.md": page("a", "Alpha", extra="duplicate_of: a\n")},
         ["content/a.md:4:1: error[frontmatter.cycle]: duplicate_of names this page itself"], 1),
    case("canonical-id-itself-is-fine", {"content/a.md": page("a", "Alpha", extra="canonical_id: a\nduplicate_of: none\n")},
         [], 0),
    case("cycle-of-two", {"content/a.md": page("a", "Alpha", extra="canonical_id: b\n"),
                          "content/b.md": page("b", "Beta", extra="canonical_id: a\n")},
         ["content/a.md:4:1: error[frontmatter.cycle]: canonical_id forms a cycle: a -> b -> a"], 1),
    case("cycle-of-two-mixed-fields", {"content/a.md": page("a", "Alpha", extra="duplicate_of: b\n"),
                                       "content/b.md": page("b", "Beta", extra="canonical_id: a\n")},
         ["content/a.md:4:1: error[frontmatter.cycle]: canonical_id and duplicate_of form a cycle: a -> b -> a"], 1),
    case("cycle-of-three", {"content/a.md": page("a", "Alpha", extra="duplicate_of: b\n"),
                            "content/b.md": page("b", "Beta", extra="duplicate_of: c\n"),
                            "content/c.md": page("c", "Gamma", extra="duplicate_of: a\n")},
         ["content/a.md:4:1: error[frontmatter.cycle]: duplicate_of forms a cycle: a -> b -> c -> a"], 1),
    case("title-names-two-pages", {"content/a.md": A, "content/b.md": page("b", "Alpha")},
         ['content/b.md:3:1: error[frontmatter.name_collision]: title "Alpha" names two pages: content/a.md:3 (title) '
          "and content/b.md:3 (title)"], 1),
    case("alias-names-two-pages", {"content/a.md": page("a", "Alpha", extra="aliases: [First]\n"),
                                   "content/b.md": page("b", "Beta", extra="aliases: [Second, First]\n")},
         ['content/b.md:4:19: error[frontmatter.name_collision]: alias "First" names two pages: content/a.md:4 (alias) '
          "and content/b.md:4 (alias)"], 1),
    case("alias-is-another-title", {"content/a.md": A, "content/b.md": page("b", "Beta", extra="aliases: [Alpha]\n")},
         ['content/b.md:4:11: error[frontmatter.name_collision]: alias "Alpha" names two pages: content/a.md:3 (title) '
          "and content/b.md:4 (alias)"], 1),
    case("titles-differ-only-by-case-and-dash",
         {"content/a.md": page("a", "Machine Learning"), "content/b.md": page("b", "machine-learning")},
         ['content/b.md:3:1: warning[frontmatter.name_folded]: title "machine-learning" differs from title "Machine Learning" '
          "of content/a.md:3 only in case, spaces, - or _; a link that matches neither exactly will be ambiguous"], 0),
    case("alias-differs-only-by-underscore",
         {"content/a.md": page("a", "Machine Learning"), "content/b.md": page("b", "Beta", extra="aliases: [Machine_learning]\n")},
         ['content/b.md:4:11: warning[frontmatter.name_folded]: alias "Machine_learning" differs from title "Machine Learning" '
          "of content/a.md:3 only in case, spaces, - or _; a link that matches neither exactly will be ambiguous"], 0),
    case("page-own-names-may-fold-alike", {"content/a.md": page("a", "Alpha", extra="aliases: [X, X, alpha]\n")}, [], 0),
]


@pytest.mark.parametrize("row", CROSS)
def test_rules_across_pages(kb: KbFactory, row: Case) -> None:
    check(kb, row)


# ---------------------------------------------------------------------------
# Links

BETA = page("b", "Beta", "# Introduction\n\n## Details\n")

LINKS = [
    case("wikilink-with-hint", {"content/a.md": page("a", "Alpha", "See [[Betta]].\n"), "content/b.md": BETA},
         ["content/a.md:5:5: error[link.unresolved]: [[Betta]] names no page; did you mean [[Beta]]?"], 1),
    case("wikilink-without-hint", {"content/a.md": page("a", "Alpha", "See [[Quantum Gravity]].\n"), "content/b.md": BETA},
         ["content/a.md:5:5: error[link.unresolved]: [[Quantum Gravity]] names no page"], 1),
    case("wikilink-with-label", {"content/a.md": page("a", "Alpha", "x\n\nSee [[Betta|the beta]] and [[Beta|ok]].\n"),
                                 "content/b.md": BETA},
         ["content/a.md:7:5: error[link.unresolved]: [[Betta]] names no page; did you mean [[Beta]]?"], 1),
    case("wikilink-folding-keeps-separators", {"content/a.md": page("a", "Alpha", "[[BETA]] [[be_ta]]\n"), "content/b.md": BETA},
         ["content/a.md:5:10: error[link.unresolved]: [[be_ta]] names no page; did you mean [[Beta]]?"], 1),
    case("wikilink-korean-typo", {"content/a.md": page("a", "기계 학습", "한국어 문장 [[신경먕]]\n"),
                                  "content/b.md": page("b", "신경망")},
         ["content/a.md:5:8: error[link.unresolved]: [[신경먕]] names no page; did you mean [[신경망]]?"], 1),
    case("ambiguous-folded-titles", {"content/a.md": page("a", "Alpha", "[[machine learning]]\n"),
                                     "content/m1.md": page("m1", "Machine Learning"),
                                     "content/m2.md": page("m2", "Machine-Learning")},
         ['content/a.md:5:1: error[link.ambiguous]: [[machine learning]] names two pages: content/m1.md (title "Machine Learning") '
          'and content/m2.md (title "Machine-Learning")',
          'content/m2.md:3:1: warning[frontmatter.name_folded]: title "Machine-Learning" differs from title "Machine Learning" '
          "of content/m1.md:3 only in case, spaces, - or _; a link that matches neither exactly will be ambiguous"], 1),
    case("ambiguous-shared-alias", {"content/a.md": page("a", "Alpha", "[[Shared]]\n"),
                                    "content/m1.md": page("m1", "One", extra="aliases: [Shared]\n"),
                                    "content/m2.md": page("m2", "Two", extra="aliases: [Shared]\n")},
         ['content/a.md:5:1: error[link.ambiguous]: [[Shared]] names two pages: content/m1.md (alias "Shared") '
          'and content/m2.md (alias "Shared")',
          'content/m2.md:4:11: error[frontmatter.name_collision]: alias "Shared" names two pages: content/m1.md:4 (alias) '
          "and content/m2.md:4 (alias)"], 1),
    case("ambiguous-file-name", {"content/a.md": page("a", "Alpha", "[[x]]\n"),
                                 "content/one/x.md": page("x1", "One"), "content/two/x.md": page("x2", "Two")},
         ['content/a.md:5:1: error[link.ambiguous]: [[x]] names two pages: content/one/x.md (file name "x") '
          'and content/two/x.md (file name "x")'], 1),
    case("anchor-of-wikilink-with-hint", {"content/a.md": page("a", "Alpha", "[[Beta#Introdution]]\n"), "content/b.md": BETA},
         ["content/a.md:5:1: error[link.anchor]: [[Beta#Introdution]] names no heading of content/b.md; "
          "did you mean [[Beta#Introduction]]?"], 1),
    case("anchor-of-wikilink-without-hint", {"content/a.md": page("a", "Alpha", "[[Beta#Zebra]]\n"), "content/b.md": BETA},
         ["content/a.md:5:1: error[link.anchor]: [[Beta#Zebra]] names no heading of content/b.md"], 1),
    case("anchor-of-wikilink-to-this-page", {"content/a.md": page("a", "Alpha", "# Top\n\n[[#Bottom]]\n")},
         ["content/a.md:7:1: error[link.anchor]: [[#Bottom]] names no heading of this page"], 1),
    case("anchor-of-markdown-link", {"content/a.md": page("a", "Alpha", "[b](b.md#detials)\n"), "content/b.md": BETA},
         ["content/a.md:5:1: error[link.anchor]: [b](b.md#detials) names no heading of content/b.md; did you mean #details?"], 1),
    case("anchor-of-markdown-link-to-this-page", {"content/a.md": page("a", "Alpha", "# Top\n[x](#nope)\n")},
         ["content/a.md:6:1: error[link.anchor]: [x](#nope) names no heading of this page; did you mean #top?"], 1),
    case("markdown-link-to-missing-file", {"content/a.md": page("a", "Alpha", "[b](bet.md)\n"), "content/beta.md": BETA},
         ["content/a.md:5:1: error[link.unresolved]: [b](bet.md) names no page (there is no bet.md); did you mean beta.md?"], 1),
    case("markdown-link-nothing-close", {"content/a.md": page("a", "Alpha", "[zz](sub/zzzz.md)\n"), "content/b.md": BETA},
         ["content/a.md:5:1: error[link.unresolved]: [zz](sub/zzzz.md) names no page (there is no sub/zzzz.md)"], 1),
    case("markdown-link-outside-content", {"content/a.md": page("a", "Alpha", "[up](../README.md)\n")},
         ["content/a.md:5:1: error[link.unresolved]: [up](../README.md) points outside the content folder"], 1),
    case("markdown-link-far-outside", {"content/sub/a.md": page("a", "Alpha", "[up](../../etc/passwd.md)\n")},
         ["content/sub/a.md:5:1: error[link.unresolved]: [up](../../etc/passwd.md) points outside the content folder"], 1),
    case("empty-wikilinks", {"content/a.md": page("a", "Alpha", "x [[]] y [[ ]] [[|lab]] [[#]]\n")},
         ["content/a.md:5:3: error[link.unresolved]: [[]] is an empty link",
          "content/a.md:5:10: error[link.unresolved]: [[ ]] is an empty link",
          "content/a.md:5:16: error[link.unresolved]: [[|lab]] is an empty link",
          "content/a.md:5:25: error[link.unresolved]: [[#]] is an empty link"], 1),
    case("links-in-code-and-comments-are-not-links", {"content/a.md": page("a", "Alpha",
         "```\n[[Nope1]] [x](nope.md)\n```\n\n~~~md\n[[Nope2]]\n~~~\n\nInline `[[Nope3]]` and ``[[Nope4]]`` and `{{ nope }}`.\n\n"
         "<!-- [[Nope5]] -->\n<!--\n[[Nope6]] [y](gone.md#x)\n-->\n\n    [[Nope7]]\n\nText [[Beta]] <!-- [[Nope8]] --> [[Beta#Details]].\n"),
         "content/b.md": BETA}, [], 0),
]


@pytest.mark.parametrize("row", LINKS)
def test_links(kb: KbFactory, row: Case) -> None:
    check(kb, row)


# ---------------------------------------------------------------------------
# Pages that look odd but are fine, and the graph warnings

GRAPH = "site_name: test\ndocs_dir: content\n"  # the graph warnings on, as by default


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


CLEAN = [
    case("bom-and-crlf", {
        "content/a.md": "\ufeff" + crlf(page("a", "Alpha", "# Heading\n\nSee [[Beta#Details]].\n", "aliases: [Eh]\n")),
        "content/b.md": crlf(page("b", "Beta", "## Details\n\n[[Alpha#Heading]] and [[Eh]].\n")),
    }, [], 0, mkdocs=GRAPH, args=("--strict",)),
    case("korean-pages", {
        "content/기계-학습.md": page("ko-1", "기계 학습", "# 개요\n\n[[신경망#구조]] 과 [[신경_망|신경 망]].\n", "aliases: [머신러닝]\n"),
        "content/신경망.md": page("ko-2", unicodedata.normalize("NFD", "신경망"),
                                 "## 구조\n\n[[머신러닝]], [[기계_학습#개요]], [개요](기계-학습.md#개요).\n", "aliases: [신경 망]\n"),
    }, [], 0, mkdocs=GRAPH, args=("--strict",)),
    case("orphan-and-dead-end-warnings", {"content/a.md": page("a", "Alpha", "[[Beta]]\n"), "content/b.md": B},
         ["content/a.md:1:1: warning[graph.orphan]: no other page links here",
          "content/b.md:1:1: warning[graph.dead_end]: this page links to no other page"], 0, mkdocs=GRAPH),
    case("orphan-and-dead-end-with-strict", {"content/a.md": page("a", "Alpha", "[[Beta]]\n"), "content/b.md": B},
         ["content/a.md:1:1: warning[graph.orphan]: no other page links here",
          "content/b.md:1:1: warning[graph.dead_end]: this page links to no other page"], 1, mkdocs=GRAPH, args=("--strict",)),
    case("home-page-is-no-orphan", {"content/index.md": page("home", "Home", "[[Alpha]]\n"),
                                    "content/a.md": page("a", "Alpha", "[[Home]]\n")}, [], 0, mkdocs=GRAPH, args=("--strict",)),
]


@pytest.mark.parametrize("row", CLEAN)
def test_odd_but_fine_pages_and_graph_warnings(kb: KbFactory, row: Case) -> None:
    check(kb, row)


# ---------------------------------------------------------------------------
# Configuration errors: exit status 2

PAGES = {"content/a.md": page("a", "Alpha")}


def options(text: str) -> str:
    """mkdocs.yml whose kb plugin has these options (the first on line 5)."""
    return "site_name: test\ndocs_dir: content\nplugins:\n  - kb:\n" + "".join(f"      {line}\n" for line in text.splitlines())


CONFIG = [
    case("unknown-option-with-hint", PAGES,
         ["mkdocs.yml:5:7: error[config.invalid]: unknown kb option warn_orphan; did you mean warn_orphans?"], 2,
         mkdocs=options("warn_orphan: false")),
    case("unknown-option-without-hint", PAGES,
         [f"mkdocs.yml:6:7: error[config.invalid]: unknown kb option colour; kb knows {', '.join(OPTIONS)}"], 2,
         mkdocs=options("home: index.md\ncolour: red")),
    case("option-of-wrong-type", PAGES,
         ['mkdocs.yml:5:7: error[config.invalid]: kb option max_page_bytes must be an integer, got "lots"'], 2,
         mkdocs=options("max_page_bytes: lots")),
    case("bool-option-given-a-string", PAGES,
         ['mkdocs.yml:5:7: error[config.invalid]: kb option warn_orphans must be true or false, got "no"'], 2,
         mkdocs=options("warn_orphans: 'no'")),
    case("number-option-given-a-bool", PAGES,
         ["mkdocs.yml:5:7: error[config.invalid]: kb option max_page_bytes must be an integer, got true",
          'mkdocs.yml:6:7: error[config.invalid]: kb option tolerance must be a number, got "5%"'], 2,
         mkdocs=options("max_page_bytes: true\ntolerance: 5%")),
    case("options-not-a-mapping", PAGES,
         ["mkdocs.yml:4:9: error[config.invalid]: the kb plugin's options must be a mapping"], 2,
         mkdocs="site_name: test\ndocs_dir: content\nplugins:\n  - kb: [a]\n"),
    case("plugins-as-a-mapping", PAGES,
         ["mkdocs.yml:5:5: error[config.invalid]: unknown kb option warn_orphanz; did you mean warn_orphans?"], 2,
         mkdocs="site_name: test\ndocs_dir: content\nplugins:\n  kb:\n    warn_orphanz: false\n"),
    case("docs-dir-missing", PAGES,
         ["mkdocs.yml:2:1: error[config.invalid]: docs_dir pages is not a folder"], 2,
         mkdocs="site_name: test\ndocs_dir: pages\n"),
    case("docs-dir-default-missing", PAGES,
         ["mkdocs.yml:1:1: error[config.invalid]: docs_dir docs is not a folder"], 2, mkdocs="site_name: test\n"),
    case("mkdocs-yml-invalid-yaml", PAGES,
         ["mkdocs.yml:3:1: error[config.invalid]: invalid YAML: expected ',' or ']', but got '<stream end>'"], 2,
         mkdocs="site_name: test\ndocs_dir: [content\n"),
    case("mkdocs-yml-nests-too-deep", PAGES, ["mkdocs.yml:1:1: error[config.invalid]: cannot read mkdocs.yml: it nests too deep"], 2,
         mkdocs="site_name: test\ndocs_dir: content\nx: " + "[" * 5000 + "]" * 5000 + "\n"),
    case("mkdocs-yml-is-a-list", PAGES, ["mkdocs.yml:1:1: error[config.invalid]: mkdocs.yml must be a mapping"], 2,
         mkdocs="- site_name\n"),
    case("mkdocs-tags-are-tolerated", PAGES, [], 0,
         mkdocs="site_name: !ENV [NAME, test]\ndocs_dir: content\nmarkdown_extensions:\n  - toc:\n"
                "      slugify: !!python/name:kb.names.toc_slugify\n"),
]

SCHEMAS = [
    ("schema-invalid-yaml", "fields:\n  id: [string\n",
     ["site_config/schema.yml:3:1: error[config.schema]: invalid YAML: did not find expected ',' or ']' "
      "(while parsing a flow sequence that starts on line 2)"]),
    ("schema-without-fields", "- a\n",
     ["site_config/schema.yml:1:1: error[config.schema]: the schema must have a mapping 'fields'"]),
    ("schema-unknown-type", "fields:\n  id:\n    type: text\n",
     ["site_config/schema.yml:3:5: error[config.schema]: field id: unknown type text; "
      "types are string, number, integer, boolean, date, list, mapping"]),
    ("schema-unknown-rule", "fields:\n  id:\n    type: string\n    requird: true\n",
     ["site_config/schema.yml:4:5: error[config.schema]: field id: unknown rule requird; did you mean required?"]),
    ("schema-bad-pattern", "fields:\n  id:\n    pattern: '[a-'\n",
     ["site_config/schema.yml:3:5: error[config.schema]: field id: pattern is not a regular expression: "
      "unterminated character set at position 0"]),
    ("schema-bound-not-a-number", "fields:\n  n:\n    type: number\n    min: zero\n",
     ["site_config/schema.yml:4:5: error[config.schema]: field n: min must be a number"]),
    ("schema-spec-is-a-number", "fields:\n  n: 3\n",
     ["site_config/schema.yml:2:3: error[config.schema]: field n must be a mapping or a type name"]),
    ("schema-duplicate-field", "fields:\n  id: string\n  id: number\n",
     ["site_config/schema.yml:3:3: error[config.schema]: id is given twice; the first is on line 2"]),
    ("schema-bad-reference-and-flags", "fields:\n  id: string\n  c:\n    reference: pages\n    keyword: 3\n    required: 'no'\n",
     ["site_config/schema.yml:4:5: error[config.schema]: field c: reference must be page",
      "site_config/schema.yml:5:5: error[config.schema]: field c: keyword must be a string",
      "site_config/schema.yml:6:5: error[config.schema]: field c: required must be true or false"]),
    ("schema-nests-too-deep", "fields:\n  x: " + "[" * 5000 + "]" * 5000 + "\n",
     [f"site_config/schema.yml:2:{5 + MAX_DEPTH}: error[config.schema]: front matter nests deeper than 64 levels"]),
]

CONFIG += [
    case(id, {**PAGES, "site_config/schema.yml": schema}, lines, 2) for id, schema, lines in SCHEMAS
]


@pytest.mark.parametrize("row", CONFIG)
def test_configuration_errors(kb: KbFactory, row: Case) -> None:
    schema = row.files.get("site_config/schema.yml")
    root = kb({k: v for k, v in row.files.items() if k != "site_config/schema.yml"}, row.mkdocs)
    if schema is not None:  # the fixture copies the real schema; this row replaces it
        (root / "site_config" / "schema.yml").write_text(str(schema), encoding="utf-8")
    run = run_kb(root, "check")
    assert run.lines == row.lines
    assert run.status == row.status


MISSING_CONFIG = expect("nowhere/mkdocs.yml:1:1: error[config.missing]: nowhere/mkdocs.yml does not exist")
NO_CONFIG_HERE = expect(
    "mkdocs.yml:1:1: error[config.missing]: no mkdocs.yml in this folder; run kb where it is or pass --config-file PATH")


def test_config_file_that_does_not_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = run_kb_argv("check", "--config-file", "nowhere/mkdocs.yml")
    assert (run.lines, run.status) == (MISSING_CONFIG, 2)
    as_json = run_kb_argv("check", "--format", "json", "--config-file", "nowhere/mkdocs.yml")
    assert as_json.status == 2
    assert [d["code"] for d in json.loads(as_json.stdout)] == ["config.missing"]


def test_no_config_in_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = run_kb_argv("check")
    assert (run.lines, run.status) == (NO_CONFIG_HERE, 2)


def test_schema_file_that_does_not_exist(kb: KbFactory) -> None:
    root = kb(PAGES, options("schema: nope.yml"))
    run = run_kb(root, "check")
    assert run.lines == ["nope.yml:1:1: error[config.schema]: cannot read the schema: it does not exist"]
    assert run.status == 2


def run_kb_argv(*argv: str) -> Run:
    """Run kb in this process with exactly these arguments (no --config-file added)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return Run(status, out.getvalue(), err.getvalue())


# ---------------------------------------------------------------------------
# Figures, executed code and macros (these start a worker process)

FIGURES_PAGE = page("a", "Alpha", (
    'Stale {{ params("nn.Linear(768, 3072)", expect="2,000,000") }}.\n'
    'Failed {{ params("nn.Linear(-1, 3)") }}.\n'
    'Syntax {{ params("nn.Linear(2, 3)" }}.\n'
    'Unclosed {{ params("nn.Linear(2, 3)")\n'
    "Sandbox {{ ''.__class__ }}.\n"
    'Unknown {{ parms("nn.Linear(2, 3)") }} and {{ params("resnet5") }}.\n'
    'Pin {{ params("nn.Linear(2, 3)", expect="lots") }} {{ params("nn.Linear(2, 3)", expect="9 GB") }}.\n'
    'Good {{ params("nn.Linear(2, 3)", expect="9") }}, in code `{{ nope }}`.\n'
    "\n```python exec\nprint(1 + 1)\n```\n\n```output\n3\n```\n"
    "\n```python exec\nx = 1\nraise ValueError('boom')\n```\n"
))

FIGURES = expect(
    'content/a.md:5:7: error[figure.stale]: params("nn.Linear(768, 3072)") is 2,362,368 (2.362M); the page says 2,000,000',
    'content/a.md:6:8: error[figure.failed]: params("nn.Linear(-1, 3)") failed: cannot build nn.Linear(-1, 3): '
    "Trying to create tensor with negative dimension -1: [3, -1]",
    'content/a.md:7:8: error[figure.syntax]: {{ params("nn.Linear(2, 3)" }} is not a valid expression: '
    "unexpected end of template, expected ','.",
    "content/a.md:8:10: error[figure.syntax]: {{ is not closed by }} on the same line",
    "content/a.md:9:9: error[figure.sandbox]: {{ ''.__class__ }} is refused by the sandbox: "
    "access to attribute '__class__' of 'str' object is unsafe.",
    "content/a.md:10:9: error[figure.unknown]: parms is not a figure function; did you mean params?",
    'content/a.md:10:44: error[figure.unknown]: params("resnet5"): no model "resnet5" is registered',
    'content/a.md:11:5: error[figure.pin]: cannot read the pin "lots"; write a number such as "25,557,032", "25.6M", '
    '"1.6 TB", "3.15e23", "0.12%" or "~2.4M"',
    'content/a.md:11:52: error[figure.pin]: params("nn.Linear(2, 3)") counts parameters; the pin "9 GB" is in bytes',
    'content/a.md:18:1: error[block.stale]: the output of the block at line 14 differs from the pinned output: '
    'line 1 is "2", the page says "3"',
    "content/a.md:24:1: error[block.failed]: ValueError: boom",
)


def test_bad_figures_and_blocks(kb: KbFactory) -> None:
    root = kb({"content/a.md": FIGURES_PAGE})
    run = run_kb(root, "check")
    assert run.lines == FIGURES
    assert run.status == 1


CITED = expect(
    'content/a.md:7:10: error[figure.citation]: cited("~1.8T", source="a blog"): "a blog" is not among this page\'s raw_sources',
    'content/a.md:8:10: warning[figure.unaccounted]: "175B" is a quantity that is neither a figure nor a cited fact; '
    'compute it with a figure or write {{ cited("175B", source="...") }}',
    'content/a.md:8:38: warning[figure.unaccounted]: "16 GB" is a quantity that is neither a figure nor a cited fact; '
    'compute it with a figure or write {{ cited("16 GB", source="...") }}',
)


def test_cited_facts_and_unaccounted_quantities(kb: KbFactory) -> None:
    body = ('A size: {{ cited("~1.8T", source="SemiAnalysis") }}.\n'
            'Another: {{ cited("~1.8T", source="a blog") }}.\n'
            "A model: 175B parameters, trained in 16 GB, in 8x7B style; 1024 × 1024 and 2020 are fine.\n")
    root = kb({"content/a.md": page("a", "Alpha", body, 'raw_sources: ["SemiAnalysis (2023), an estimate"]\n')}, QUIET)
    run = run_kb(root, "check")
    assert run.lines == CITED
    assert run.status == 1


MACROS = expect("macros/__init__.py:1:1: error[macros.failed]: macros/ cannot be imported: RuntimeError: broken macros")


def test_macros_that_cannot_be_imported(kb: KbFactory) -> None:
    root = kb({"content/a.md": page("a", "Alpha", '{{ params("nn.Linear(2, 3)", expect="9") }}\n'),
               "macros/__init__.py": "raise RuntimeError('broken macros')\n"})
    run = run_kb(root, "check")
    assert run.lines == MACROS
    assert run.status == 1


# ---------------------------------------------------------------------------
# The installed console script on a knowledge base full of bad pages

MANY = {
    "content/index.md": page("home", "Home", "[[Alpha]] [[Betta]] [[#Nowhere]] [x](../out.md) [[]]\n"),
    "content/a.md": page("a", "Alpha", "[[Home]]\n", "confidance_score: 0.5\ncanonical_id: nobody\n"),
    "content/dup.md": page("a", "Alpha", extra="duplicate_of: dup\n"),
    "content/huge.md": HUGE,
    "content/binary.md": b"\x00\x01\x02",
    "content/utf16.md": page("u", "U").encode("utf-16"),
    "content/latin1.md": b"---\nid: l\ntitle: Caf\xe9\n---\n",
    "content/laughs.md": fm("id: laughs\ntitle: Laughs\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + LAUGHS),
    "content/deep.md": fm("id: deep\ntitle: Deep\nx: " + "[" * 200_000 + "]" * 200_000 + "\n"),
    "content/deep-block.md": fm("- " * 200_000 + "x\n"),
    "content/spaces.md": page("spaces", "Spaces", "# x" + " " * 200_000 + "y {" + "#a" * 100_000 + "\n"),
    "content/tags.md": fm("id: tags\ntitle: !!python/object:os.system {}\n<<: {a: 1}\n"),
    "content/yaml.md": fm("id: y\ntitle: a: b: c\n"),
    "content/list.md": fm("- a\n"),
    "content/unclosed.md": "---\nid: unclosed\n",
    "content/none.md": "Just text.\n",
    "content/dupkey.md": fm("id: k\ntitle: K\nid: k2\n"),
    "content/types.md": fm("id: t\ntitle: T\nconfidence_score: .nan\nlast_reinforced: 2026-02-30\n"
                           "changelog:\n  - {date: 2999-01-01}\n"),
    "content/cycle1.md": page("c1", "C1", extra="duplicate_of: c2\n"),
    "content/cycle2.md": page("c2", "C2", extra="duplicate_of: c1\n"),
    "content/fold.md": page("fold", "alpha"),
    "content/shared1.md": page("s1", "S1", "[[Shared]]\n", "aliases: [Shared]\n"),
    "content/shared2.md": page("s2", "S2", extra="aliases: [Shared]\n"),
}
MANY_CODES = {
    "page.too_large", "page.binary", "page.encoding", "frontmatter.yaml", "frontmatter.not_mapping",
    "frontmatter.unclosed", "frontmatter.missing", "frontmatter.duplicate_key", "frontmatter.too_complex",
    "frontmatter.required", "frontmatter.type", "frontmatter.date", "frontmatter.unknown_key",
    "frontmatter.duplicate_id", "frontmatter.reference", "frontmatter.cycle", "frontmatter.name_collision",
    "frontmatter.name_folded", "link.unresolved", "link.ambiguous", "link.anchor", "graph.orphan", "graph.dead_end",
}


def test_console_script_survives_a_knowledge_base_of_bad_pages(kb: KbFactory) -> None:
    root = kb(MANY, MKDOCS)
    script = Path(sys.executable).with_name("kb")
    assert script.is_file(), f"the console script is not installed next to {sys.executable}"
    env = {**os.environ, "KB_DEBUG": "1"}  # an internal error would raise, with its traceback
    done = subprocess.run([str(script), "check"], cwd=root, capture_output=True, text=True, timeout=300, env=env)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    assert done.returncode == 1, done.stderr
    codes = set(re.findall(r"^\S+:\d+:\d+: (?:error|warning)\[([a-z_.]+)\]", done.stdout, re.MULTILINE))
    assert codes == MANY_CODES
    # a heading with 200,000 spaces is no problem, nor slow (it once took hours)
    assert [line for line in done.stdout.splitlines() if line.startswith("content/spaces.md")] == [
        "content/spaces.md:1:1: warning[graph.dead_end]: this page links to no other page",
        "content/spaces.md:1:1: warning[graph.orphan]: no other page links here",
    ]
    assert done.stderr.startswith("kb: 20 pages, ")


# ---------------------------------------------------------------------------
# Output formats


def test_json_and_github_formats(kb: KbFactory) -> None:
    root = kb({"content/a.md": page("a", "Alpha", "See [[Betta]], a 100%, here.\n", "confidance_score: 0.5\n"),
               "content/b.md": page("b", "Beta", "[[Alpha]]\n")}, QUIET)
    text = run_kb(root, "check")
    as_json = run_kb(root, "check", "--format", "json")
    assert as_json.status == text.status == 1
    items = json.loads(as_json.stdout)
    assert isinstance(items, list)
    assert items == [
        {"path": "content/a.md", "line": 4, "column": 1, "severity": "warning", "code": "frontmatter.unknown_key",
         "message": "unknown key confidance_score; did you mean confidence_score?"},
        {"path": "content/a.md", "line": 6, "column": 5, "severity": "error", "code": "link.unresolved",
         "message": "[[Betta]] names no page; did you mean [[Beta]]?"},
        {"path": "content/a.md", "line": 6, "column": 18, "severity": "warning", "code": "figure.unaccounted",
         "message": '"100%" is a quantity that is neither a figure nor a cited fact; compute it with a figure '
                    'or write {{ cited("100%", source="...") }}'},
    ]
    assert [f"{d['path']}:{d['line']}:{d['column']}: {d['severity']}[{d['code']}]: {d['message']}" for d in items] == text.lines
    github = run_kb(root, "check", "--format", "github")
    assert github.status == 1
    assert github.lines == [
        "::warning file=content/a.md,line=4,col=1,title=frontmatter.unknown_key::"
        "unknown key confidance_score; did you mean confidence_score?",
        "::error file=content/a.md,line=6,col=5,title=link.unresolved::[[Betta]] names no page; did you mean [[Beta]]?",
        '::warning file=content/a.md,line=6,col=18,title=figure.unaccounted::"100%25" is a quantity that is neither a '
        'figure nor a cited fact; compute it with a figure or write {{ cited("100%25", source="...") }}',
    ]


def test_json_format_of_a_clean_knowledge_base_is_an_empty_list(kb: KbFactory) -> None:
    root = kb({"content/a.md": page("a", "Alpha")})
    run = run_kb(root, "check", "--format", "json")
    assert (json.loads(run.stdout), run.status) == ([], 0)


def test_github_format_escapes_what_workflow_commands_need(kb: KbFactory) -> None:
    root = kb({"content/a,b:c.md": page("a", "Alpha", "[[100% sure]]\n")})
    run = run_kb(root, "check", "--format", "github")
    assert run.lines == ["::error file=content/a%2Cb%3Ac.md,line=5,col=1,title=link.unresolved::[[100%25 sure]] names no page"]


# ---------------------------------------------------------------------------
# Coverage of the codes


def test_every_code_is_covered() -> None:
    assert sorted(set(CODES) - EXPECTED_CODES) == []
    assert sorted(EXPECTED_CODES - set(CODES)) == []
    assert MANY_CODES <= EXPECTED_CODES


def test_there_are_at_least_35_kinds_of_bad_input() -> None:
    rows = [*READING, *YAML, *TYPES, *DATES, *CROSS, *LINKS, *CLEAN, *CONFIG]
    assert len(rows) >= 35
