"""The shipped knowledge base checks clean, and kb reports a broken link in the contract's form."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import REPO, page, run_kb


def test_shipped_knowledge_base_is_clean() -> None:
    run = run_kb(REPO, "check", "--strict")
    assert run.status == 0, run.stdout
    assert run.lines == []
    assert "no problems" in run.stderr


def test_broken_link_is_reported_with_place_and_hint(kb) -> None:  # type: ignore[no-untyped-def]
    root: Path = kb({
        "content/mixtral.md": page("mixtral", "Mixtral", "[[Parameter]]\n"),
        "content/parameter.md": page("parameter", "Parameter", "line one\n\nSee [[Mixtrl]].\n"),
    })
    run = run_kb(root, "check")
    assert run.status == 1
    assert run.lines == [
        "content/mixtral.md:1:1: warning[graph.orphan]: no other page links here",
        "content/parameter.md:1:1: warning[graph.dead_end]: this page links to no other page",
        "content/parameter.md:7:5: error[link.unresolved]: [[Mixtrl]] names no page; did you mean [[Mixtral]]?",
    ]
