"""Nothing a page contains can hang kb, crash it, or change the knowledge base:
hostile figures are read in milliseconds and refused at their place; a bad
value spoils only its own diagnostic; blocks run wherever Markdown puts a
fenced block, in a fresh folder with an allow-listed environment, and all
they start ends with them; the knowledge base stays byte for byte as it was."""

from __future__ import annotations

import time
from pathlib import Path

from tests.bad_input.rows import expect
from tests.conftest import page, run_kb

QUIET = "site_name: t\ndocs_dir: content\nplugins:\n  - kb:\n      warn_orphans: false\n      warn_dead_ends: false\n"


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".kb-cache" not in p.parts}


# ---------------------------------------------------------------------------
# Figures: read, never evaluated; bounded


FIGURES = page("figs", "Figures", (
    'Hang {{ 9**9**9**9 }} and {{ "a" * 10**10 }}.\n'
    'Digits {{ params("nn.Linear(2, 2)", x=10**100) }} and {{ params("nn.Linear(2, 2)", expect="1e99999") }}.\n'
    'Long pin {{ params("nn.Linear(2, 2)", expect="99999999999999999999999999999999999") }}.\n'
    'Arithmetic {{ params("nn.Linear(768, 4 * 768)", expect="2,362,368") }} and {{ params("nn.Linear(2, 10**40)") }}.\n'
    "Long {{ params(" + "1 + " * 2000 + "1) }}.\n"
))
FIGURE_LINES = expect(
    'content/a.md:5:6: error[figure.syntax]: {{ 9**9**9**9 }} must be one call of a figure function, such as params("resnet50")',
    'content/a.md:5:27: error[figure.syntax]: {{ "a" * 10**10 }} must be one call of a figure function, such as params("resnet50")',
    'content/a.md:6:8: error[figure.syntax]: {{ params("nn.Linear(2, 2)", x=10**100) }} cannot be read: 10 ** 100 has more than 30 digits',
    'content/a.md:6:55: error[figure.pin]: the pin "1e99999" needs an exponent between -60 and 60',
    'content/a.md:7:10: error[figure.pin]: the pin "99999999999999999999999999999999999" has more than 30 digits',
    'content/a.md:8:76: error[figure.failed]: params("nn.Linear(2, 10**40)") failed: nn.Linear(2, 10**40): 10 ** 40 has more '
    "than 30 digits",
    "content/a.md:9:6: error[figure.syntax]: {{ params(1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 ... }} "
    "is 8,009 characters long; a figure is one call of at most 4,000",
)


def test_hostile_figures_are_refused_at_their_place_in_moments(kb) -> None:  # type: ignore[no-untyped-def]
    root: Path = kb({"content/a.md": FIGURES, "content/b.md": page("b", "B", "[[Nowhere]]\n")}, mkdocs=QUIET)
    started = time.monotonic()
    run = run_kb(root, "check")
    assert time.monotonic() - started < 60  # one worker start at most; nothing of the page is evaluated by kb
    assert run.lines == [*FIGURE_LINES, "content/b.md:5:1: error[link.unresolved]: [[Nowhere]] names no page"]


# ---------------------------------------------------------------------------
# One bad value: its own diagnostic, the report complete


UNWRITABLE = expect("cache:1:1: warning[cache.unwritable]: cannot write the cache folder cache (Not a directory); this check "
                    "went on without it, so the next one computes everything again (the kb option cache_dir names the folder)")
REFUSED = expect("content/w.md:7:1: error[block.wrote_sources]: the code tried to write into the knowledge base: "
                 "content/w.md; a page's code runs in a fresh temporary folder and must write there")


def test_a_cache_that_cannot_be_written_is_a_warning_and_the_check_goes_on(kb) -> None:  # type: ignore[no-untyped-def]
    root: Path = kb({"content/a.md": page("a", "A", '{{ params("nn.Linear(2, 2)", expect="6") }}\n')},
                    mkdocs=QUIET + "      cache_dir: cache\n")
    (root / "cache").write_text("a file where the cache folder should be\n", encoding="utf-8")
    run = run_kb(root, "check")
    assert run.status == 0
    assert run.lines == UNWRITABLE
    assert run_kb(root, "check").status == 0  # and the next check too: nothing was cached, nothing broke


def test_a_cache_entry_that_is_a_folder_is_a_miss(kb) -> None:  # type: ignore[no-untyped-def]
    root: Path = kb({"content/a.md": page("a", "A", '{{ params("nn.Linear(2, 2)", expect="6") }}\n')}, mkdocs=QUIET)
    assert run_kb(root, "check").status == 0
    for entry in (root / ".kb-cache").rglob("*.json"):
        entry.unlink()
        entry.mkdir()
    run = run_kb(root, "check")
    assert (run.status, run.lines) == (0, [])


def test_fix_fixes_what_it_can_read_and_names_what_it_cannot(kb) -> None:  # type: ignore[no-untyped-def]
    stale = '{{ params("nn.Linear(2, 2)", expect="7") }}\n'
    root: Path = kb({"content/a.md": page("a", "A", stale),
                     "content/b.md": page("b", "B", stale).encode() + b"caf\xe9\n"}, mkdocs=QUIET)
    run = run_kb(root, "fix")
    assert "kb fix: cannot fix content/b.md: it is not valid UTF-8, and kb writes back only what it read exactly" in run.stderr
    assert 'expect="6"' in (root / "content/a.md").read_text(encoding="utf-8")
    assert (root / "content/b.md").read_bytes().endswith(b'expect="7") }}\ncaf\xe9\n')
    assert run.status == 1  # b.md is still stale, and not UTF-8


# ---------------------------------------------------------------------------
# Blocks: wherever Markdown puts them; apart from the knowledge base


CONTAINERS = page("c", "Containers", (
    "1. In a list:\n\n"
    "    ```python exec\n    print('from a list')\n    ```\n\n"
    "    ```output\n    from a list\n    ```\n\n"
    '!!! note "In an admonition"\n\n'
    "    ```Python Exec\n    for i in range(2):\n        print(i)\n    ```\n\n"
    "    ```output\n    0\n    2\n    ```\n\n"
    '??? tip "In details"\n\n'
    "    ```python exec\n    import sys, warnings\n    warnings.warn('careful')\n    print('to stderr', file=sys.stderr)\n"
    "    print('to stdout')\n    ```\n\n"
    "    ```output\n    to stdout\n    ```\n\n"
    '=== "In a tab"\n\n'
    "    ```python exec\n    raise ValueError('first line\\n::error file=x::a second line')\n    ```\n"
))
CONTAINER_LINES = expect(
    'content/c.md:22:1: error[block.stale]: the output of the block at line 17 differs from the pinned output: '
    'line 2 is "1", the page says "2"',
    "content/c.md:43:1: error[block.failed]: ValueError: first line\\n::error file=x::a second line",
)


def test_blocks_run_in_lists_admonitions_details_and_tabs(kb) -> None:  # type: ignore[no-untyped-def]
    root: Path = kb({"content/c.md": CONTAINERS}, mkdocs=QUIET)
    run = run_kb(root, "check")
    assert run.lines == CONTAINER_LINES  # one line per diagnostic; stderr and warnings are not the output
    assert len(run.stdout.splitlines()) == 2


SESSION = page("s", "Sandbox", (
    "```python exec\nimport os\n"
    "print(os.path.basename(os.getcwd()).startswith('kb-session-'), 'KB_TEST_SECRET' in os.environ)\n```\n\n"
    "```output\nTrue False\n```\n\n"
    "```python exec\nimport subprocess\n"
    "print(subprocess.Popen(['sleep', '300'], start_new_session=True).pid)  # a new session: out of kb's process group\n```\n"
))


def test_a_session_runs_apart_and_all_it_starts_ends_with_it(kb, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from kb.config import load_config
    from kb.pipeline import run_check

    monkeypatch.setenv("KB_TEST_SECRET", "hunter2")
    root: Path = kb({"content/s.md": SESSION}, mkdocs=QUIET)
    result = run_check(load_config(str(root / "mkdocs.yml")), compute=True)
    assert [d.as_text() for d in result.diagnostics] == []
    assert result.computed is not None
    pid = int(result.computed.blocks[1].stdout or "0")
    assert pid > 0 and not _alive(pid)


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie waiting for its parent does not)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except FileNotFoundError:
        return False


def test_code_that_writes_into_the_knowledge_base_leaves_it_as_it_was(kb, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "kb"
    writes = page("w", "Writes", (
        "```python exec\nimport pathlib\n"
        f"pathlib.Path({str(root)!r}, 'content', 'w.md').write_text('overwritten')\n```\n\n"
        "```python exec\nimport subprocess\n"
        f"subprocess.run('echo more >> {root}/content/other.md; echo new > {root}/content/new.md', shell=True, check=True)\n```\n"
    ))
    kb({"content/w.md": writes, "content/other.md": page("o", "Other", "Text.\n")}, mkdocs=QUIET)
    before = files(root)
    run = run_kb(root, "check")
    assert files(root) == before
    assert run.status == 1
    put_back, refused = run.lines
    assert [refused] == REFUSED
    assert put_back.startswith("content/w.md:5:1: error[block.wrote_sources]: while this page's code ran, the knowledge "
                               "base changed: content/new.md appeared; kb moved it to .kb-cache/changed-by-code/")
    assert "content/other.md changed; kb put it back (what the code left is in .kb-cache/changed-by-code/" in put_back
    kept = sorted(p.relative_to(root / ".kb-cache/changed-by-code").as_posix().split("/", 1)[1]
                  for p in (root / ".kb-cache/changed-by-code").rglob("*.md"))
    assert kept == ["content/new.md", "content/other.md"]


# ---------------------------------------------------------------------------
# Links as Obsidian resolves them


LINKS = page("l", "Links", (
    "## `move`\n\n"
    "Loss falls as a power law. ^key-claim\n\n"
    "See [[#`move`|move]], [[m#^claim]], [[m#^nope]], [[m.md]], [[sub/n.md]] and [[sub/n]].\n"
))
LINK_LINES = expect(
    "content/l.md:9:37: error[link.anchor]: [[m#^nope]] names no block ^nope of content/m.md",
    "content/l.md:9:50: warning[link.extension]: [[m.md]] names content/m.md; write it without .md: [[m]]",
    "content/l.md:9:60: warning[link.extension]: [[sub/n.md]] names content/sub/n.md; write it without .md: [[sub/n]]",
)


def test_block_references_and_file_names_resolve_as_in_obsidian(kb) -> None:  # type: ignore[no-untyped-def]
    root: Path = kb({"content/l.md": LINKS, "content/m.md": page("m", "M", "A claim. ^claim\n\nBack to [[l#^key-claim]].\n"),
                     "content/sub/n.md": page("n", "N", "[[l]]\n")}, mkdocs=QUIET)
    run = run_kb(root, "check")
    assert run.lines == LINK_LINES
