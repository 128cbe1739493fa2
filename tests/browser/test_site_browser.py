"""The built site in a real browser: badges, backlinks, provenance on hover,
the concept graph, Korean search, escaping, and no request outside the site."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kb.config import load_config
from kb.mkdocs.build import build_site
from tests.browser.conftest import copy_shipped, screenshot
from tests.conftest import REPO


def heading(tab: Any) -> str:
    """The page's H1 without its permalink sign."""
    return str(tab.locator("h1").first.evaluate("e => e.childNodes[0].textContent")).strip()


def outside(tab: Any, base: str) -> list[str]:
    return [url for url in tab.requests if not url.startswith(base) and not url.startswith(("data:", "blob:"))]


def test_a_topic_page_shows_badges_backlinks_and_provenance(page: Any, serve: Any, shipped_site: Path) -> None:
    base = serve(shipped_site)
    page.goto(base + "concepts/parameter/")
    header = page.locator(".kb-header")
    assert header.locator(".kb-trust").inner_text() == "trust A"
    assert header.locator(".kb-confidence").inner_text() == "confidence 0.95"
    assert header.locator(".kb-status").inner_text() == "verified"
    assert "verified" in header.locator(".kb-verification").inner_text()
    assert "파라미터" in header.locator(".kb-aliases").inner_text()
    backlinks = page.locator(".kb-backlinks a").all_inner_texts()
    assert "Hyperparameter" in backlinks
    source = (REPO / "content/concepts/parameter.md").read_text(encoding="utf-8").split("---")[1]
    changelog = yaml.safe_load(source)["changelog"]
    rows = page.locator("table.kb-changelog tbody tr")
    assert rows.count() == len(changelog)
    assert rows.first.locator("td").all_inner_texts() == [changelog[0]["date"].isoformat(), changelog[0]["change"]]
    assert page.locator("svg.kb-neighbourhood a").count() >= 2
    figure = page.locator(".kb-figure", has_text="2,362,368").first
    figure.hover()
    tooltip = page.locator("#kb-popover")
    tooltip.wait_for(state="visible")
    text = tooltip.inner_text()
    assert 'params("nn.Linear(768, 3072)") = 2,362,368' in text and "torch 2.13.0" in text and "transformers" in text
    output = page.locator(".kb-output.kb-verified pre").first
    assert output.inner_text().strip() == "(203530, 2570)"
    screenshot(page, "topic-page.png")
    page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
    screenshot(page, "topic-page-dark.png")
    assert outside(page, base) == []


def test_the_graph_page_draws_nodes_and_a_click_opens_the_page(page: Any, serve: Any, shipped_site: Path) -> None:
    base = serve(shipped_site)
    page.goto(base + "concept-graph/")
    page.wait_for_function("window.kbGraph && window.kbGraph.nodes().length > 0")
    count = page.evaluate("window.kbGraph.nodes().length")
    assert count == page.evaluate("fetch('../kb-graph.json').then(r => r.json()).then(d => d.nodes.length)")
    painted = page.evaluate("""() => {
        const canvas = document.querySelector('#kb-graph canvas[data-id="layer2-node"]') || document.querySelectorAll('#kb-graph canvas')[2];
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0; for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) n++; } return n; }""")
    assert painted > 100  # pixels drawn on the node layer
    screenshot(page, "graph-page.png")
    trusted = page.evaluate("fetch('../kb-graph.json').then(r => r.json()).then(d => d.nodes.filter(n => n.trust === 'A').length)")
    page.select_option("#kb-filter-trust", "A")
    assert page.locator("#kb-graph-count").inner_text() == f"{trusted} of {count} pages"
    assert page.evaluate("window.kbGraph.nodes('.hidden').length") == count - trusted
    page.select_option("#kb-filter-trust", "")
    box = page.locator("#kb-graph").bounding_box()
    target = page.evaluate("""() => { const n = window.kbGraph.nodes().filter(n => n.data('label') === 'Hyperparameter')[0];
        const p = n.renderedPosition(); return {x: p.x, y: p.y, url: n.data('url')}; }""")
    page.mouse.move(box["x"] + target["x"], box["y"] + target["y"])
    page.wait_for_function("document.getElementById('kb-graph-info').textContent.includes('Hyperparameter')")
    page.mouse.click(box["x"] + target["x"], box["y"] + target["y"])
    page.wait_for_url("**/" + target["url"])
    assert heading(page) == "Hyperparameter"
    assert outside(page, base) == []


def test_a_korean_search_term_finds_its_page(page: Any, serve: Any, shipped_site: Path) -> None:
    base = serve(shipped_site)
    page.goto(base)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator(".md-search__input").fill("하이퍼파라미터")
    page.locator(".md-search__input").press("End")  # Material searches on key events
    result = page.locator(".md-search-result__item").first
    result.wait_for(state="visible", timeout=15000)
    titles = page.locator(".md-search-result__item h1").all_inner_texts()
    assert "Hyperparameter" in titles
    assert outside(page, base) == []


def test_front_matter_text_is_shown_as_text_everywhere(page: Any, serve: Any, tmp_path: Path) -> None:
    root = copy_shipped(tmp_path / "kb")
    evil = "<img src=x onerror=alert(1)>"
    (root / "content/concepts/evil.md").write_text(
        f'---\nid: evil\ntitle: "{evil}"\naliases: ["<script>alert(2)</script>"]\ntags: [x]\n---\n\n'
        "Links to [[Parameter]].\n", encoding="utf-8")
    parameter = root / "content/concepts/parameter.md"
    parameter.write_text(parameter.read_text(encoding="utf-8").replace("- Contrast: [[Hyperparameter]]",
                         "- Contrast: [[Hyperparameter]] and [[<img src=x onerror=alert(1)>]]"), encoding="utf-8")
    site = tmp_path / "site"
    assert build_site(load_config(str(root / "mkdocs.yml")), site_dir=str(site)) == 0
    base = serve(site)
    for path in ("concepts/evil/", "concepts/parameter/", "concept-graph/", "verification-ledger/", "tags/x/", "concepts/"):
        page.goto(base + path)
        page.wait_for_timeout(300)
    page.goto(base + "concepts/evil/")
    assert heading(page) == evil
    assert "<script>alert(2)</script>" in page.locator(".kb-aliases").inner_text()
    page.goto(base + "concepts/parameter/")
    assert evil in page.locator(".kb-backlinks").inner_text()
    assert page.dialogs == []
    assert page.locator("img[src=x]").count() == 0
