"""Numbered references in a real browser: a marker leads to its reference, the
reference's back-link returns to the citation, and the learning path links on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.conftest import screenshot
from tests.conftest import run_kb, write_kb
from tests.test_site_build import LEARNING, MKDOCS


def in_view(tab: Any, selector: str) -> bool:
    return bool(tab.locator(selector).evaluate(
        "e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; }"))


def test_a_marker_reaches_its_reference_and_the_back_link_returns(page: Any, serve: Any, tmp_path: Path) -> None:
    root = write_kb(tmp_path / "kb", LEARNING, mkdocs=MKDOCS)
    assert run_kb(root, "build").status == 0
    base = serve(root / "site")
    page.goto(base + "parameter/")
    marker = page.locator("#kb-cite-kaplan2020-1 a")
    assert marker.inner_text() == "[2]"
    marker.click()
    page.wait_for_function("location.hash === '#kb-ref-kaplan2020'")
    assert in_view(page, "#kb-ref-kaplan2020")
    assert "Scaling Laws for Neural Language Models" in page.locator("#kb-ref-kaplan2020").inner_text()
    screenshot(page, "references.png")
    page.locator("#kb-ref-kaplan2020 .kb-backrefs a").nth(1).click()  # the second citation
    page.wait_for_function("location.hash === '#kb-cite-kaplan2020-2'")
    assert in_view(page, "#kb-cite-kaplan2020-2")
    page.goto(base + "learning-path/")
    page.locator(".kb-path a", has_text="Scaling").first.click()
    page.wait_for_url("**/scaling/")
    assert page.locator(".kb-read-first a").inner_text() == "Parameter"
