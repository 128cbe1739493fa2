"""Figures rendered for the site carry their provenance and escape everything;
the progress bar shows on a terminal and stays quiet in CI."""

from __future__ import annotations

import io
import posixpath
import random
from pathlib import Path

import pytest

from kb.config import load_config
from kb.figures.progress import Progress
from kb.pipeline import run_check
from kb.site.topic import SiteIndex, render_topic
from tests.conftest import page

QUIET = "site_name: t\ndocs_dir: content\nplugins:\n  - kb:\n      warn_orphans: false\n      warn_dead_ends: false\n"


def test_figures_render_as_spans_with_provenance(kb) -> None:  # type: ignore[no-untyped-def]
    body = ('Dense {{ params("nn.Linear(768, 3072)", expect="2.4M") }}, stale {{ params("nn.Linear(768, 3072)", expect="3M") }},\n'
            'odd {{ params("nn.Linear(2, 2)", expect="<b>") }}.\n')
    root: Path = kb({"content/a.md": page("a", "A", body)}, mkdocs=QUIET)
    result = run_check(load_config(str(root / "mkdocs.yml")), compute=True)
    assert result.computed is not None
    rendered = render_topic(result.pages[0], SiteIndex.build(result)).split("\n")
    dense = next(i for i, line in enumerate(rendered) if line.startswith("Dense "))
    verified, stale = rendered[dense].split(", stale ")
    assert verified.startswith('Dense <span class="kb-figure kb-verified" id="fig-1" tabindex="0" role="button" '
                               'data-kb-about="params(&quot;nn.Linear(768, 3072)&quot;) = 2,362,368 · page says 2.4M · verified')
    assert 'data-kb-ledger="../verification-ledger/#row-content-a-fig-1"' in verified
    assert "torch 2.13.0" in verified and verified.endswith(">2.4M</span>")
    assert stale.startswith('<span class="kb-figure kb-stale" id="fig-2"') and stale.endswith(">2M</span>,")
    assert "<b>" not in rendered[dense + 1] and "&lt;b&gt;" in rendered[dense + 1]


def test_progress_draws_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    bar = Progress(4, stream=stream, enabled=True)
    bar.step('computing params("gpt2")')
    bar.advance()
    bar.close()
    assert '[....................] 0/4 computing params("gpt2")' in stream.getvalue()
    monkeypatch.setenv("CI", "true")
    quiet = io.StringIO()
    quiet.isatty = lambda: True  # type: ignore[method-assign]
    bar = Progress(4, stream=quiet)
    bar.step("x")
    bar.close()
    assert quiet.getvalue() == ""


def test_relative_links_match_posixpath_relpath_without_touching_the_file_system() -> None:
    from kb.site.urls import _relpath

    rng = random.Random(0)
    segments = ["a", "b", "c", "index.html", ".", ".."]
    for _ in range(20000):
        target = "/".join(rng.choice(segments) for _ in range(rng.randint(0, 4))) or "."
        start = "/".join(rng.choice(segments) for _ in range(rng.randint(0, 4))) or "."
        assert _relpath(target, start) == posixpath.relpath(target, start), (target, start)
