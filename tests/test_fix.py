"""kb fix: stale pins rewritten in their own style; every other byte kept."""

from __future__ import annotations

from pathlib import Path

from kb.edit.fix import Edit, apply
from tests.conftest import run_kb

QUIET = "site_name: t\ndocs_dir: content\nplugins:\n  - kb:\n      warn_orphans: false\n      warn_dead_ends: false\n"

CORRECT = (
    "\ufeff---\r\nid: a\r\ntitle: A\r\n---\r\n"
    "| Layer | Parameters |\r\n|---|---|\r\n"
    '| Dense | {{ params("nn.Linear(768, 3072)", expect="2,362,368") }} |\r\n'
    '| Conv | {{ params("nn.Conv2d(64, 128, 3)", expect=\'73.9K\') }} |\r\n'
    'Two on a line: {{ params("nn.Embedding(50257, 768)", expect="38.6M") }} and {{ params("nn.LayerNorm(768)", expect="~1.5K") }}.\r\n'
    'Memory {{ param_memory("nn.Linear(768, 3072)", dtype="fp32", expect="9.45 MB") }}.\r\n'
    "\r\n```python exec\r\nprint('one')\r\nprint('two')\r\n```\r\n\r\n```output\r\none\r\ntwo\r\n```\r\n"
)
BROKEN = (
    CORRECT.replace('"2,362,368"', '"2,362,369"').replace("'73.9K'", "'80.0K'").replace('"38.6M"', '"40.1M"')
    .replace('"~1.5K"', '"~1.1K"').replace('"9.45 MB"', '"9.50 MB"').replace("one\r\ntwo\r\n```\r\n", "one\r\n```\r\n")
)


def test_fix_restores_every_pin_and_nothing_else(kb) -> None:  # type: ignore[no-untyped-def]
    root: Path = kb({"content/a.md": BROKEN}, mkdocs=QUIET)
    path = root / "content/a.md"
    before = run_kb(root, "check")
    assert before.status == 1
    assert [line.split(": ")[1] for line in before.lines] == ["error[figure.stale]"] * 5 + ["error[block.stale]"]
    dry = run_kb(root, "fix", "--dry-run")
    assert dry.status == 0
    assert path.read_bytes() == BROKEN.encode()  # a dry run writes nothing
    assert '-| Dense | {{ params("nn.Linear(768, 3072)", expect="2,362,369") }} |' in dry.stdout
    assert '+| Dense | {{ params("nn.Linear(768, 3072)", expect="2,362,368") }} |' in dry.stdout
    fixed = run_kb(root, "fix")
    assert (fixed.status, fixed.lines) == (0, [])
    assert path.read_bytes() == CORRECT.encode()  # byte for byte, BOM and CRLF included
    assert run_kb(root, "check").status == 0


def test_fix_keeps_an_approximate_pin_approximate(kb) -> None:  # type: ignore[no-untyped-def]
    text = '---\nid: a\ntitle: A\n---\nAbout {{ params("nn.Linear(768, 3072)", expect="~3M") }}.\n'
    root: Path = kb({"content/a.md": text}, mkdocs=QUIET)
    assert run_kb(root, "fix").status == 0
    assert (root / "content/a.md").read_text() == text.replace('"~3M"', '"~2.4M"')


def test_apply_keeps_line_endings_and_inserts_into_empty_blocks() -> None:
    text = "a\r\nb\r\n```output\r\n```\r\nz"
    assert apply(text, [Edit(2, 2, ("B",))]) == "a\r\nB\r\n```output\r\n```\r\nz"
    assert apply(text, [Edit(4, 3, ("x", "y"))]) == "a\r\nb\r\n```output\r\nx\r\ny\r\n```\r\nz"
    assert apply("p\nq\nr\n", [Edit(2, 2, ())]) == "p\nr\n"


def test_fix_can_be_limited_to_some_files(kb) -> None:  # type: ignore[no-untyped-def]
    stale = '---\nid: {0}\ntitle: {0}\n---\n{{{{ params("nn.Linear(2, 2)", expect="7") }}}}\n'
    root: Path = kb({"content/a.md": stale.format("a"), "content/sub/b.md": stale.format("b")}, mkdocs=QUIET)
    assert run_kb(root, "fix", str(root / "content/sub")).status == 1  # a.md is still stale
    assert 'expect="6"' in (root / "content/sub/b.md").read_text()
    assert 'expect="7"' in (root / "content/a.md").read_text()


def test_fix_refuses_paths_it_cannot_fix_and_changes_nothing(kb) -> None:  # type: ignore[no-untyped-def]
    stale = '---\nid: a\ntitle: A\n---\n{{ params("nn.Linear(2, 2)", expect="7") }}\n'
    root: Path = kb({"content/a.md": stale}, mkdocs=QUIET)
    missing = run_kb(root, "fix", str(root / "content/no-such-page.md"))
    assert (missing.status, missing.stderr) == (2, f"kb: {root / 'content/no-such-page.md'} does not exist\n")
    outside = run_kb(root, "fix", str(root / "mkdocs.yml"))
    assert (outside.status, outside.stderr) == (2, f"kb: {root / 'mkdocs.yml'} is not in the content folder (content)\n")
    assert (root / "content/a.md").read_text() == stale
