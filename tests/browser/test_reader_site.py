"""The site as readers use it, in Chromium: on a desktop, a phone and in the dark
scheme, by pointer, touch and keyboard. Each test names the defect it guards
against; each failed on the site before the fix.

The shipped site is served at the address it was built for, so Material's
instant navigation and link previews run as they would once published."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import open_tab, screenshot
from tests.conftest import REPO, page, run_kb, write_kb

TOPIC = "sizing/mixture-of-experts/"
PAGE_TYPES = {"home": "", "topic": TOPIC, "graph": "concept-graph/", "ledger": "verification-ledger/",
              "tag": "tags/mixture-of-experts/", "learning-path": "learning-path/"}
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
MKDOCS = "site_name: t\ndocs_dir: content\ntheme:\n  name: material\nplugins:\n  - search\n  - kb\n"


def brightness(css_colour: str) -> float:
    """0 (black) to 255 (white), from an ``rgb(...)`` or ``rgba(...)`` string."""
    parts = [float(p) for p in css_colour[css_colour.index("(") + 1 : css_colour.index(")")].split(",")[:3]]
    return 0.299 * parts[0] + 0.587 * parts[1] + 0.114 * parts[2]


def graph_ready(tab: Any) -> None:
    tab.wait_for_function("window.kbGraph && window.kbGraph.nodes().length > 0")


def node_point(tab: Any, label: str) -> dict[str, float]:
    """Where a node of the graph is drawn, in page coordinates."""
    box = tab.locator("#kb-graph").bounding_box()
    point = tab.evaluate("""label => { const n = window.kbGraph.nodes().filter(n => n.data('label') === label)[0];
        const p = n.renderedPosition(); return {x: p.x, y: p.y}; }""", label)
    return {"x": box["x"] + point["x"], "y": box["y"] + point["y"]}


def outside(tab: Any, base: str) -> list[str]:
    return [url for url in tab.requests if not url.startswith(base) and not url.startswith(("data:", "blob:"))]


def search(tab: Any, query: str) -> list[str]:
    """Type a query into Material's search and return the titles of the results."""
    tab.locator("label.md-search__icon, .md-search__input").first.click()
    field = tab.locator(".md-search__input")
    field.fill(query)
    field.dispatch_event("keyup")
    tab.wait_for_function("document.querySelector('.md-search-result__meta').textContent.match(/match|No matching/)")
    return [t.strip() for t in tab.locator(".md-search-result__item > a article h1").all_inner_texts()]


# The concept graph ------------------------------------------------------------------------


def test_graph_labels_read_in_dark_mode(browser: Any, shipped_base: str) -> None:
    """Material's colours (hsla with var()) were handed to the graph as they were; it rejected
    them and drew labels black on the dark background."""
    tab = open_tab(browser, color_scheme="dark")
    tab.goto(shipped_base + "concept-graph/")
    graph_ready(tab)
    label = tab.evaluate("window.kbGraph.nodes('.major')[0].style('color')")
    background = tab.evaluate("getComputedStyle(document.body).backgroundColor")
    assert brightness(label) > 180 and brightness(background) < 60, (label, background)
    screenshot(tab, "graph-dark.png")
    assert tab.errors == []


def test_graph_is_sharp_on_high_density_screens(browser: Any, shipped_base: str) -> None:
    """The graph was drawn at one canvas pixel per CSS pixel, blurry on a 2x screen."""
    tab = open_tab(browser, device_scale_factor=2)
    tab.goto(shipped_base + "concept-graph/")
    graph_ready(tab)
    ratio = tab.evaluate("(() => { const c = document.querySelector('#kb-graph canvas'); return c.width / c.clientWidth; })()")
    assert ratio == pytest.approx(2, rel=0.01)


def test_graph_on_a_phone_has_labels_and_a_first_tap_shows_the_neighbourhood(browser: Any, shipped_base: str) -> None:
    """On a phone the graph had no labels, and a tap opened the page at once, so the
    neighbourhood a pointer sees on hover could not be seen."""
    tab = open_tab(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2)
    tab.goto(shipped_base + "concept-graph/")
    graph_ready(tab)
    labelled = tab.evaluate("window.kbGraph.nodes().filter(n => n.style('label') !== '').length")
    assert labelled >= 5
    start = tab.url
    tab.evaluate("window.scrollTo(0, document.getElementById('kb-graph-info').getBoundingClientRect().top + window.scrollY)")
    point = node_point(tab, "Parameter")
    canvas = tab.locator("#kb-graph").bounding_box()
    assert 0 < point["y"] < 844, point  # on the screen, where a finger can reach it
    tab.touchscreen.tap(point["x"], point["y"])
    tab.wait_for_function("document.getElementById('kb-graph-info').textContent.includes('tap again to open')")
    assert tab.url == start
    assert tab.locator("#kb-graph").bounding_box() == canvas  # the line naming the page does not push the graph down
    assert tab.evaluate("window.kbGraph.nodes('.near').length") > 1
    screenshot(tab, "graph-phone-neighbourhood.png")
    tab.wait_for_timeout(600)  # a second tap, not a double tap
    tab.touchscreen.tap(point["x"], point["y"])
    tab.wait_for_url("**/concepts/parameter/")


def test_graph_has_a_legend_a_labelled_find_box_that_knows_aliases_and_refits(page: Any, shipped_base: str) -> None:
    """No legend for colours, sizes or dashes; the find box had no label and ignored aliases;
    a filter left the view where it was; the hovered page's name sat below the fold."""
    page.goto(shipped_base + "concept-graph/")
    graph_ready(page)
    legend = page.locator(".kb-legend").inner_text()
    for words in ("trust A", "size: generality", "prerequisite", "related", "figures that do not hold"):
        assert words in legend
    info, canvas = page.locator("#kb-graph-info").bounding_box(), page.locator("#kb-graph").bounding_box()
    assert info["y"] < canvas["y"] < 900
    find = page.get_by_label("Find")
    find.fill("전문가 혼합")  # a Korean alias of "Mixture of experts"
    page.wait_for_function("document.getElementById('kb-graph-count').textContent.startsWith('1 of')")
    shown = page.evaluate("window.kbGraph.nodes().filter(n => n.visible()).map(n => n.data('label'))")
    assert shown == ["Mixture of experts"]
    find.fill("")
    before = page.evaluate("window.kbGraph.zoom()")
    page.select_option("#kb-filter-generality", "500")
    page.wait_for_function(f"window.kbGraph.zoom() !== {before}")
    # Which nodes are drawn is read from their computed display, not cytoscape's cached visible().
    kept = page.evaluate("window.kbGraph.nodes().filter(n => n.style('display') !== 'none').map(n => n.data('generality'))")
    general = page.evaluate("window.kbGraph.nodes().filter(n => n.data('generality') >= 500).length")
    assert len(kept) == general >= 3 and min(kept) >= 500
    assert page.locator("#kb-graph-count").inner_text() == f"{general} of 28 pages"
    outside_view = page.evaluate("""(() => { const cy = window.kbGraph, w = cy.width(), h = cy.height();
        return cy.nodes().filter(n => n.style('display') !== 'none').filter(n => { const p = n.renderedPosition(); return p.x < 0 || p.x > w || p.y < 0 || p.y > h; })
            .map(n => [n.data('label'), n.renderedPosition(), w, h]); })()""")
    assert outside_view == []


# Provenance of figures --------------------------------------------------------------------


def test_provenance_stays_on_a_phone_screen_and_closes_on_escape(browser: Any, shipped_base: str) -> None:
    """The tooltip ran off the right edge of a phone and could not be closed."""
    tab = open_tab(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    tab.goto(shipped_base + TOPIC)
    figures = tab.locator(".kb-figure")
    rightmost = max(range(min(figures.count(), 40)), key=lambda i: figures.nth(i).bounding_box()["x"])
    figure = figures.nth(rightmost)
    figure.scroll_into_view_if_needed()
    figure.tap()
    popover = tab.locator("#kb-popover")
    popover.wait_for(state="visible")
    box = popover.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert box["y"] >= 0 and box["y"] + box["height"] <= 844, box
    screenshot(tab, "provenance-phone.png")
    tab.keyboard.press("Escape")
    popover.wait_for(state="hidden")


def test_keyboard_alone_reaches_and_reads_a_figure_and_its_ledger_row(page: Any, shipped_base: str) -> None:
    """Figures were tab stops with no role or name, their provenance reachable by pointer only
    (the title was removed), with no way to the ledger and no anchor to land on."""
    page.goto(shipped_base + TOPIC)
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('kb-figure')"):
            break
    focused = page.evaluate("""(() => { const f = document.activeElement;
        const about = document.getElementById(f.getAttribute('aria-describedby'));
        return {role: f.getAttribute('role'), name: f.textContent.trim(), about: about ? about.textContent : '',
                expanded: f.getAttribute('aria-expanded'), id: f.id}; })()""")
    assert focused["role"] == "button" and focused["name"] and focused["id"].startswith("fig-")
    assert "torch" in focused["about"] and "=" in focused["about"]
    assert focused["expanded"] == "true"
    popover = page.locator("#kb-popover")
    assert popover.is_visible() and focused["about"] in popover.inner_text()
    page.keyboard.press("Tab")  # into the popover: its link to the ledger
    assert page.evaluate("document.activeElement.textContent") == "See it in the verification ledger"
    page.keyboard.press("Enter")
    page.wait_for_url("**/verification-ledger/#row-*")
    row = page.url.split("#")[1]
    page.locator(f"tr#{row}").wait_for(state="visible")
    back = page.locator(f"tr#{row} td a").first.get_attribute("href")
    assert back is not None and back.endswith("#" + focused["id"])


def test_a_pointer_can_move_into_the_provenance_and_follow_its_link(page: Any, shipped_base: str) -> None:
    """The tooltip ignored the pointer (and vanished on the way to it), so nothing in it could be clicked."""
    page.goto(shipped_base + TOPIC)
    figure = page.locator(".kb-figure:not(.kb-cited)").first
    figure.hover()
    link = page.locator("#kb-popover a")
    link.wait_for(state="visible")
    box = link.bounding_box()
    page.mouse.move(box["x"] + 5, box["y"] + box["height"] / 2, steps=8)
    page.wait_for_timeout(400)  # longer than the popover's grace period
    assert link.is_visible()
    link.click()
    page.wait_for_url("**/verification-ledger/#row-*")


def test_every_figure_and_block_has_a_unique_anchor_its_ledger_row_links_to(page: Any, shipped_base: str) -> None:
    page.goto(shipped_base + TOPIC)
    ids = page.evaluate("Array.from(document.querySelectorAll('.kb-figure:not(.kb-cited), .kb-output')).map(e => e.id)")
    assert all(ids) and len(ids) == len(set(ids))
    page.goto(shipped_base + "verification-ledger/")
    links = page.evaluate("""Array.from(document.querySelectorAll('tr[data-page="content/sizing/mixture-of-experts.md"] td:first-child a'))
        .map(a => a.getAttribute('href').split('#')[1])""")
    assert sorted(links) == sorted(i for i in ids)


# Verification state everywhere ----------------------------------------------------------------


@pytest.fixture(scope="module")
def stale_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A knowledge base with one page whose figure and block do not hold."""
    root = tmp_path_factory.mktemp("stale")
    write_kb(root, {
        "content/index.md": page("home", "Home", "Start with [[Alpha]] and [[Beta]].\n"),
        "content/notes/alpha.md": page("alpha", "Alpha", (
            'A layer has {{ params("nn.Linear(2, 3)", expect="10") }} parameters.\n\n'
            "```python exec\nprint('one')\nprint('two')\n```\n\n```output\none\nthree\n```\n\nSee [[Beta]].\n"),
            "tags: [shared]\n"),
        "content/notes/beta.md": page("beta", "Beta", 'It has {{ params("nn.Linear(2, 3)", expect="9") }}. See [[Alpha]].\n',
                                      "tags: [shared]\n"),
    }, mkdocs=MKDOCS)
    assert run_kb(root, "build").status == 1  # the site is written, and the build fails
    return root / "site"


def test_stale_shows_in_listings_the_graph_the_home_page_and_the_ledger(page: Any, serve: Any, stale_site: Path) -> None:
    """Category and tag lists and the graph showed a page with stale figures as verified; the
    ledger's states did not filter."""
    base = serve(stale_site)
    page.goto(base + "notes/")
    assert "2 stale" in page.locator(".md-content li", has_text="Alpha").inner_text()
    assert "1/1 verified" in page.locator(".md-content li", has_text="Beta").inner_text()
    page.goto(base + "tags/shared/")
    assert "2 stale" in page.locator(".md-content li", has_text="Alpha").inner_text()
    page.goto(base)
    assert "2 of 3 computed figures and code blocks do not hold" in page.locator(".kb-site-summary").inner_text()
    graph = json.loads((stale_site / "kb-graph.json").read_text(encoding="utf-8"))
    assert {n["label"]: n["state"] for n in graph["nodes"]} == {"Home": "none", "Alpha": "stale", "Beta": "verified"}
    page.goto(base + "concept-graph/")
    graph_ready(page)
    assert page.evaluate("window.kbGraph.nodes('[state = \"stale\"]')[0].style('border-width')") == "4px"
    page.goto(base + "verification-ledger/")
    page.select_option("#kb-ledger-state", "stale")
    assert page.locator("table.kb-ledger tbody tr:visible").count() == 2
    assert page.locator("#kb-ledger-count").inner_text() == "2 of 3 shown"
    page.select_option("#kb-ledger-state", "")
    page.select_option("#kb-ledger-page", "content/notes/beta.md")
    assert page.locator("table.kb-ledger tbody tr:visible").count() == 1
    page.select_option("#kb-ledger-page", "")
    page.locator(".kb-ledger-summary button", has_text="verified").click()  # a state's badge filters too
    assert page.locator("#kb-ledger-count").inner_text() == "1 of 3 shown"


def test_a_stale_block_shows_how_its_output_differs_from_the_pin(page: Any, serve: Any, stale_site: Path) -> None:
    base = serve(stale_site)
    page.goto(base + "notes/alpha/")
    difference = page.locator(".kb-output-diff pre")
    assert difference.locator(".kb-diff-pin").all_inner_texts() == ["-three"]
    assert difference.locator(".kb-diff-out").all_inner_texts() == ["+two"]
    screenshot(page, "stale-block.png")


# Search -----------------------------------------------------------------------------------------


def test_search_finds_inflected_english_and_korean_and_skips_the_badges(page: Any, shipped_base: str) -> None:
    """Without the English stemmer plurals found nothing; the badge line was indexed, so "trust"
    matched every page and previews began with badges; a page hit landed with nothing marked."""
    page.goto(shipped_base)
    page.wait_for_timeout(1000)  # the search index loads in a worker
    assert "Optimizer memory" in search(page, "optimizers")
    assert "Mixture of experts" in search(page, "전문가")
    trust = search(page, "trust")
    assert len(trust) < 10, trust
    previews = page.locator(".md-search-result__item article").all_inner_texts()
    assert previews and not any("confidence 0." in preview or "min read" in preview for preview in previews)
    search(page, "memories")
    page.locator(".md-search-result__item > a").first.click()
    page.wait_for_url("**/?h=*")
    marks = page.locator("article mark").all_inner_texts()
    assert marks and all(m.lower().startswith("memor") for m in marks)


# Wayfinding ---------------------------------------------------------------------------------------


def test_a_topic_page_shows_where_it_is_its_tags_and_what_comes_before_and_after(page: Any, shipped_base: str) -> None:
    """No breadcrumbs, no marker of the category in the navigation, no previous or next, no tags."""
    page.goto(shipped_base + TOPIC)
    assert page.locator(".md-path__link").all_inner_texts()[-1].strip() == "Sizing"
    current = page.locator('.md-nav--primary a[aria-current="location"]')
    assert current.inner_text().strip() == "Sizing"
    tags = page.locator(".kb-tags-line a")
    assert "#mixture-of-experts" in tags.all_inner_texts()
    path = page.evaluate("fetch('../../learning-path/').then(r => r.text())")
    titles = [line.split('">')[1].split("</a>")[0] for line in path.split("\n") if line.startswith("<li><a")]
    here = titles.index("Mixture of experts")
    assert page.locator(".md-footer__link--prev .md-footer__title").inner_text().strip().endswith(titles[here - 1])
    assert page.locator(".md-footer__link--next .md-footer__title").inner_text().strip().endswith(titles[here + 1])
    page.locator(".kb-tags-line a", has_text="#mixture-of-experts").click()
    page.wait_for_url("**/tags/mixture-of-experts/")


def test_an_internal_link_shows_a_preview_and_opens_without_a_reload(page: Any, shipped_base: str) -> None:
    """Quartz and Obsidian Publish preview a linked page on hover; kb's site did not."""
    page.goto(shipped_base + TOPIC)
    page.evaluate("window.kbMarker = 'still here'")
    link = page.locator(".md-content a[data-preview]").first
    title = link.inner_text()
    link.hover()
    preview = page.locator(".md-tooltip2--active")
    preview.wait_for(state="visible")
    assert preview.locator(".kb-badges").count() == 0 or not preview.locator(".kb-badges").first.is_visible()
    screenshot(page, "link-preview.png")
    link.click()
    page.wait_for_function(f"!location.pathname.endsWith({json.dumps('/' + TOPIC)})")
    page.wait_for_function(f"document.querySelector('h1').textContent.includes({json.dumps(title.split(' › ')[0].split('#')[0])})")
    assert page.evaluate("window.kbMarker") == "still here"  # instant navigation: no reload
    page.wait_for_function("document.querySelectorAll('.kb-figure[data-kb-ready]').length === document.querySelectorAll('.kb-figure').length")


# Details ------------------------------------------------------------------------------------------


def test_changelog_neighbourhood_ledger_and_korean_text_are_legible(page: Any, shipped_base: str) -> None:
    """The changelog broke its dates; the neighbourhood truncated and overlapped its labels;
    the ledger's last column was off screen; Korean aliases had no lang."""
    page.goto(shipped_base + TOPIC)
    date = page.locator("table.kb-changelog tbody td").first
    assert date.evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap"
    lines = date.evaluate("e => { const r = document.createRange(); r.selectNodeContents(e); return r.getClientRects().length; }")
    assert lines == 1  # the date on one line
    labels = page.locator("svg.kb-neighbourhood text")
    texts = labels.all_text_contents()
    assert texts and not any(t.endswith("…") for t in texts)
    frame = page.locator("svg.kb-neighbourhood").bounding_box()
    boxes = [labels.nth(i).bounding_box() for i in range(labels.count())]
    for box in boxes:  # every label whole, inside the drawing
        assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"], (box, frame)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            overlap = min(a["x"] + a["width"], b["x"] + b["width"]) > max(a["x"], b["x"]) and \
                min(a["y"] + a["height"], b["y"] + b["height"]) > max(a["y"], b["y"])
            assert not overlap, (a, b)
    korean = page.locator(".kb-alias", has_text="전문가 혼합")
    assert korean.get_attribute("lang") == "ko"
    page.goto(shipped_base + "verification-ledger/")
    last = page.locator("table.kb-ledger thead th").last.bounding_box()
    assert last["x"] + last["width"] <= 1280


# Accessibility, console and network, screenshots -------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", list(PAGE_TYPES))
def test_no_serious_accessibility_violations(browser: Any, shipped_base: str, kind: str, scheme: str) -> None:
    tab = open_tab(browser, color_scheme=scheme)
    tab.goto(shipped_base + PAGE_TYPES[kind])
    if kind == "graph":
        graph_ready(tab)
    tab.add_script_tag(path=str(AXE))
    violations = tab.evaluate("""axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
        .then(r => r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')))""")
    assert violations == []
    assert tab.errors == []
    tab.context.close()


@pytest.mark.parametrize("device", ["desktop", "phone", "dark"])
def test_every_page_type_loads_cleanly_and_is_photographed(browser: Any, shipped_base: str, device: str) -> None:
    options: dict[str, Any] = {"desktop": {}, "dark": {"color_scheme": "dark"},
                               "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}}[device]
    tab = open_tab(browser, **options)
    for kind, path in PAGE_TYPES.items():
        tab.goto(shipped_base + path)
        if kind == "graph":
            graph_ready(tab)
        tab.wait_for_timeout(300)
        screenshot(tab, f"{kind}-{device}.png")
    assert tab.errors == []
    assert outside(tab, shipped_base) == []
    tab.context.close()
