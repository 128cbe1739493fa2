"""Front-matter values of the wrong type, out of range or not allowed; dates, changelogs and unknown keys."""

from __future__ import annotations

import pytest

from tests.bad_input.rows import Case, KbFactory, case, check, fm

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
    one("aliases-is-a-number", "aliases: 42\n",
        ["content/a.md:4:1: error[frontmatter.type]: aliases must be a list of strings, a string or nothing, got 42 "
         "(put it in quotes to make it text)"]),
    one("alias-items-number-and-empty", "aliases: [x, 3, '']\n",
        ["content/a.md:4:14: error[frontmatter.type]: aliases[1] must be a non-empty string, got 3 "
         "(put it in quotes to make it text)",
         'content/a.md:4:17: error[frontmatter.type]: aliases[2] must be a non-empty string, got ""']),
    one("tags-with-space-and-hash", "tags: [ok, 'has space', '#hash']\n",
        [r'content/a.md:4:12: error[frontmatter.type]: tags[1] must be a non-empty string matching ^[^\s#]+$, got "has space"',
         r'content/a.md:4:25: error[frontmatter.type]: tags[2] must be a non-empty string matching ^[^\s#]+$, got "#hash"']),
    one("tags-is-a-set", "tags: !!set {a, b}\n",
        ["content/a.md:4:1: error[frontmatter.type]: tags must be a list of strings, a string or nothing, got a mapping"]),
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
