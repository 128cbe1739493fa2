"""Executed blocks: one session per page, output pins, and code that raises,
hangs, crashes or allocates without bound failing its block, never kb."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import page, run_kb

QUIET = "site_name: t\ndocs_dir: content\nplugins:\n  - kb:\n      warn_orphans: false\n      warn_dead_ends: false\n      exec_timeout: 4\n      exec_memory_mb: 512\n"


def exec_block(code: str, output: str | None = None) -> str:
    text = f"```python exec\n{code}\n```\n"
    return text + (f"\n```output\n{output}\n```\n" if output is not None else "")


def test_blocks_share_a_session_and_pin_their_output(kb) -> None:  # type: ignore[no-untyped-def]
    body = "\n".join([
        exec_block("x = 6 * 7\nprint(x)", "42"),
        exec_block("import os\nos.write(1, b'from C level\\n')\nprint(x + 1)", "from C level\n43"),
        exec_block("print('no pin')"),
        exec_block("m = build_model('nn.Linear(768, 3072)')\nprint(sum(p.numel() for p in m.parameters()))", "2362368"),
    ])
    root: Path = kb({"content/a.md": page("a", "A", body)}, mkdocs=QUIET)
    run = run_kb(root, "check")
    assert (run.status, run.lines) == (0, []), run.stdout


def test_a_stale_output_names_the_first_difference(kb) -> None:  # type: ignore[no-untyped-def]
    body = exec_block("print('one')\nprint('two')", "one\nthree")
    root: Path = kb({"content/a.md": page("a", "A", body)}, mkdocs=QUIET)
    run = run_kb(root, "check")
    assert run.status == 1
    assert run.lines == ['content/a.md:10:1: error[block.stale]: the output of the block at line 5 differs '
                         'from the pinned output: line 2 is "two", the page says "three"']


def test_failures_point_at_page_lines_and_never_stop_kb(kb) -> None:  # type: ignore[no-untyped-def]
    raising = "def f():\n    return 1 / 0\n\nf()"
    body = "\n".join([
        exec_block(raising),  # lines 5-10
        exec_block("print(undefined_name)"),  # 12-14
        exec_block("if True print('x')"),  # 16-18
        exec_block("raise SystemExit(3)"),  # 20-22
        exec_block("x = bytearray(8 * 2**30)"),  # 24-26: more than the 512 MiB allowed
        exec_block("print('still alive')", "still alive"),  # 28-30 and its output
    ])
    root: Path = kb({"content/a.md": page("a", "A", body)}, mkdocs=QUIET)
    run = run_kb(root, "check")
    assert run.status == 1
    assert run.lines == [
        "content/a.md:7:1: error[block.failed]: ZeroDivisionError: division by zero (line 7 in f)",
        "content/a.md:13:1: error[block.failed]: NameError: name 'undefined_name' is not defined",
        "content/a.md:17:1: error[block.failed]: SyntaxError: invalid syntax",
        "content/a.md:21:1: error[block.failed]: SystemExit: 3",
        "content/a.md:25:1: error[block.failed]: MemoryError",
    ]


def test_a_hang_or_a_crash_fails_its_block_and_ends_the_session(kb) -> None:  # type: ignore[no-untyped-def]
    hang = page("hang", "Hang", exec_block("while True:\n    pass") + "\n" + exec_block("print('after')"))
    exits = page("exits", "Exits", exec_block("import os\nos._exit(7)"))
    segfault = page("segfault", "Segfault", exec_block("import ctypes\nctypes.string_at(0)"))
    root: Path = kb({"content/hang.md": hang, "content/exits.md": exits, "content/segfault.md": segfault}, mkdocs=QUIET)
    run = run_kb(root, "check")
    assert run.status == 1
    assert run.lines == [
        "content/exits.md:5:1: error[block.failed]: the block ended the Python process (exit status 7)",
        "content/hang.md:5:1: error[block.failed]: the block ran past its timeout of 4 s and was stopped",
        "content/hang.md:10:1: error[block.failed]: not run: the session ended at line 5",
        "content/segfault.md:5:1: error[block.failed]: the block crashed the Python process (signal SIGSEGV)",
    ]


def test_plain_python_blocks_are_shown_not_run(kb) -> None:  # type: ignore[no-untyped-def]
    body = "```python\nraise RuntimeError('not run')\n```\n"
    root: Path = kb({"content/a.md": page("a", "A", body)}, mkdocs=QUIET)
    run = run_kb(root, "check")
    assert (run.status, run.lines) == (0, [])
