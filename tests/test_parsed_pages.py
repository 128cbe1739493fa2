"""Pages parsed once: a check parses only pages whose text changed since the last one, and
reports exactly what a check without kept pages reports, whatever the file holds."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from kb.check import load
from kb.check.parsed import ParsedPages, kept_in_memory
from kb.config import load_config
from kb.pipeline import run_check
from tests.conftest import page

QUIET = "site_name: t\ndocs_dir: content\nplugins:\n  - kb:\n      warn_orphans: false\n      warn_dead_ends: false\n"
FILES = {
    "content/a.md": page("a", "A", "# A\n\nSee [[B]] and [[Nowhere]].\n"),
    "content/b.md": page("b", "B", "# B\n\nBack to [[A]].\n"),
    "content/broken.md": "---\nid: broken\ntitle: [unclosed\n---\n# Broken\n",
}


def diagnostics(root: Path) -> list[str]:
    return [d.as_text() for d in run_check(load_config(str(root / "mkdocs.yml")), compute=True).diagnostics.sorted()]


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sources parsed from text in this test."""
    parsed: list[str] = []
    parse_page = load.parse_page

    def counting(text: str, source: str, doc_path: str, diags: object) -> object:
        parsed.append(source)
        return parse_page(text, source, doc_path, diags)  # type: ignore[arg-type]

    monkeypatch.setattr(load, "parse_page", counting)
    return parsed


def test_a_second_check_parses_only_the_page_that_changed_and_reports_the_same(kb, parses: list[str]) -> None:  # type: ignore[no-untyped-def]
    root: Path = kb(FILES, mkdocs=QUIET)
    first = diagnostics(root)
    assert sorted(parses) == ["content/a.md", "content/b.md", "content/broken.md"]
    assert "content/broken.md:4:1: error[frontmatter.yaml]" in " ".join(first) and any("Nowhere" in line for line in first)
    parses.clear()
    assert diagnostics(root) == first  # the broken page's parse diagnostics come back from the kept pages
    assert parses == []
    (root / "content/b.md").write_text(page("b", "B", "# B\n\nBack to [[A]] and [[Elsewhere]].\n"), encoding="utf-8")
    changed = diagnostics(root)
    assert parses == ["content/b.md"]
    assert any("Elsewhere" in line for line in changed)
    (root / ".kb-cache/parsed.pickle").unlink()
    parses.clear()
    assert diagnostics(root) == changed and len(parses) == 3


@pytest.mark.parametrize("damage", ["truncated", "garbage", "folder", "other kb", "wrong shape"])
def test_a_damaged_or_foreign_file_of_parsed_pages_is_a_miss(kb, parses: list[str], damage: str) -> None:  # type: ignore[no-untyped-def]
    root: Path = kb(FILES, mkdocs=QUIET)
    first = diagnostics(root)
    kept = root / ".kb-cache/parsed.pickle"
    if damage == "truncated":
        kept.write_bytes(kept.read_bytes()[:100])
    elif damage == "garbage":
        kept.write_bytes(b"\x00\xff not a pickle")
    elif damage == "folder":
        kept.unlink()
        kept.mkdir()
    elif damage == "other kb":
        stored = pickle.loads(kept.read_bytes())
        kept.write_bytes(pickle.dumps({**stored, "kb": "another version of kb"}))
    else:
        kept.write_bytes(pickle.dumps({"kb": pickle.loads(kept.read_bytes())["kb"], "pages": {"a": [1, 2]}}))
    parses.clear()
    assert diagnostics(root) == first
    assert len(parses) == 3


def test_pages_kept_in_memory_are_not_read_back_from_the_file(kb, parses: list[str]) -> None:  # type: ignore[no-untyped-def]
    root: Path = kb(FILES, mkdocs=QUIET)
    with kept_in_memory():
        first = diagnostics(root)
        (root / ".kb-cache/parsed.pickle").write_bytes(b"damaged while serving")
        parses.clear()
        assert diagnostics(root) == first and parses == []
    assert ParsedPages.open(root / ".kb-cache/parsed.pickle").entries == {}  # outside the block, the file again


def test_the_facts_topic_pages_are_keyed_by_are_the_same_in_every_process(kb) -> None:  # type: ignore[no-untyped-def]
    root: Path = kb(FILES, mkdocs=QUIET)
    script = ("import sys; from kb.config import load_config; from kb.pipeline import run_check; "
              "from kb.site.page_inputs import site_facts; "
              f"print(site_facts(run_check(load_config({str(root / 'mkdocs.yml')!r}), compute=True), True))")
    digests = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
               for _ in range(2)}
    assert len(digests) == 1 and len(digests.pop().strip()) == 64


def test_the_schema_check_is_kept_per_schema_and_date(kb, parses: list[str], monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from kb import pipeline

    checks: list[dt.date] = []
    validate_page = pipeline.validate_page

    def counting(page: object, schema: object, today: dt.date, diags: object) -> None:
        checks.append(today)
        validate_page(page, schema, today, diags)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "validate_page", counting)
    root: Path = kb({"content/a.md": page("a", "A", "# A\n", extra="confidence_score: high\nlast_reinforced: 2026-06-01\n")},
                    mkdocs=QUIET)
    config = load_config(str(root / "mkdocs.yml"))

    def found(today: dt.date) -> list[str]:
        return [f"{d.code} {d.message}" for d in run_check(config, today=today, compute=True).diagnostics.sorted()]

    before = found(dt.date(2026, 7, 1))
    assert [line.split()[0] for line in before] == ["frontmatter.type"]
    assert found(dt.date(2026, 7, 1)) == before
    assert checks == [dt.date(2026, 7, 1)]  # the second check's diagnostics came from the kept pages
    earlier = found(dt.date(2026, 5, 1))  # the page's review date is now in the future
    assert any("future" in line for line in earlier) and earlier != before
    assert len(checks) == 2
    schema = root / "site_config/schema.yml"  # the house schema: now with a field every page must have
    schema.write_text(schema.read_text(encoding="utf-8").replace("fields:\n", "fields:\n  owner: {type: string, required: true}\n", 1),
                      encoding="utf-8")
    assert any("owner" in line for line in found(dt.date(2026, 7, 1)))
    assert len(parses) == 1  # the page itself was parsed once


def test_figure_expressions_are_read_once_across_checks_with_the_same_diagnostics(kb, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from kb.figures import expression

    body = '# A\n\n{{ params("nn.Linear(2, 2)", expect="6") }} and {{ params( }} and {{ nothere(1) }}.\n'
    root: Path = kb({"content/a.md": page("a", "A", body)}, mkdocs=QUIET)
    read: list[str] = []
    original = expression._read

    def counting(text: str, names: list[str]) -> expression.Call:
        read.append(text)
        return original(text, names)

    monkeypatch.setattr(expression, "_read", counting)
    monkeypatch.setattr(expression, "_READINGS", {})  # as in a new process
    first = diagnostics(root)
    assert len(read) == 3 and any("figure.syntax" in line for line in first) and any("figure.unknown" in line for line in first)
    monkeypatch.setattr(expression, "_READINGS", {})
    assert diagnostics(root) == first and len(read) == 3  # read back from the kept readings, errors too
    (root / ".kb-cache/expressions.pickle").write_bytes(b"\x80\x05 truncated")
    monkeypatch.setattr(expression, "_READINGS", {})
    assert diagnostics(root) == first and len(read) == 6
