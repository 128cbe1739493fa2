"""kb build: a strict build fails on a stale figure naming its page and line;
the site holds the generated pages and data; two builds write the same bytes."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, page, run_kb

MKDOCS = "site_name: t\ndocs_dir: content\ntheme:\n  name: material\nplugins:\n  - search\n  - kb\n"
STALE = 'Dense: {{ params("nn.Linear(768, 3072)", expect="2.5M") }}. See [[B]].\n'


def files_of(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(site.rglob("*")) if p.is_file()}


def test_a_strict_build_fails_on_a_stale_figure_naming_page_and_line(kb) -> None:  # type: ignore[no-untyped-def]
    root: Path = kb({"content/a.md": page("a", "A", STALE), "content/b.md": page("b", "B", "See [[A]].\n")}, mkdocs=MKDOCS)
    stale = 'content/a.md:5:8: error[figure.stale]: params("nn.Linear(768, 3072)") is 2,362,368 (2.362M); the page says 2.5M'
    strict = run_kb(root, "build", "--strict")
    assert strict.status == 1
    assert strict.lines[0] == stale
    relaxed = run_kb(root, "build")  # the page is still built, with the stale value marked
    assert relaxed.status == 1
    html = (root / "site/a/index.html").read_text(encoding="utf-8")
    assert 'class="kb-figure kb-stale"' in html and ">2.4M</span>" in html
    plain = subprocess.run([str(Path(sys.executable).with_name("mkdocs")), "build", "--strict", "-q"],
                           cwd=root, capture_output=True, text=True)
    assert plain.returncode != 0  # plain MkDocs with the kb plugin fails the same way
    assert stale in plain.stderr


def test_the_site_has_its_generated_pages_and_data(kb) -> None:  # type: ignore[no-untyped-def]
    root: Path = kb({
        "content/index.md": page("home", "Home", "Start at [[B]].\n"),
        "content/topics/a.md": page("a", "<b>A</b>", 'N = {{ params("nn.Linear(2, 3)", expect="9") }}. [[B]]\n', "tags: [x, y]\n"),
        "content/topics/b.md": page("b", "B", "[[<b>A</b>]]\n", "tags: [x]\nduplicate_of: a\n"),
    }, mkdocs=MKDOCS)
    assert run_kb(root, "build", "--strict").status == 0
    site = root / "site"
    ledger = json.loads((site / "kb-ledger.json").read_text())
    assert ledger["summary"] == {"verified": 1, "stale": 0, "failed": 0, "unpinned": 0}
    item = ledger["items"][0]
    assert {k: item[k] for k in ("page", "line", "column", "kind", "expression", "expect", "value", "state")} == {
        "page": "content/topics/a.md", "line": 6, "column": 5, "kind": "figure",
        "expression": 'params("nn.Linear(2, 3)")', "expect": "9", "value": 9, "state": "verified"}
    assert item["provenance"]["torch"].startswith("2.13.0")
    graph = json.loads((site / "kb-graph.json").read_text())
    assert sorted(n["label"] for n in graph["nodes"]) == ["<b>A</b>", "B", "Home"]
    assert {(e["source"], e["target"], e["type"]) for e in graph["edges"]} == {("content/index.md", "content/topics/b.md", "link"),
        ("content/topics/a.md", "content/topics/b.md", "link"), ("content/topics/b.md", "content/topics/a.md", "link"),
        ("content/topics/b.md", "content/topics/a.md", "duplicate")}
    category = (site / "topics/index.html").read_text()
    assert "&lt;b&gt;A&lt;/b&gt;" in category and "<b>A</b>" not in category
    assert (site / "tags/x/index.html").is_file() and (site / "tags/y/index.html").is_file()
    duplicate = (site / "topics/b/index.html").read_text()
    assert "Duplicate page" in duplicate and 'href="../a/"' in duplicate
    for name in ("concept-graph/index.html", "verification-ledger/index.html", "assets/kb/cytoscape.min.js", "assets/kb/kb.js", "assets/kb/kb-graph.js"):
        assert (site / name).is_file(), name


def test_two_builds_of_the_same_commit_are_identical(tmp_path: Path) -> None:
    from kb.config import load_config
    from kb.mkdocs.build import build_site

    config = load_config(str(REPO / "mkdocs.yml"))
    first, second = tmp_path / "one", tmp_path / "two"
    assert build_site(config, strict=True, site_dir=str(first)) == 0
    assert build_site(config, strict=True, site_dir=str(second)) == 0
    assert files_of(first) == files_of(second)


LEARNING = {
    "content/index.md": page("home", "Home", "Start with [[Parameter]].\n"),
    "content/parameter.md": page("parameter", "Parameter", (
        "Weights are learned from data [@goodfellow2016]. Compute is {{ cited(\"6ND\", source=\"kaplan2020\") }} "
        "[@kaplan2020; @goodfellow2016].\n\nSee [[Scaling]].\n"), (
        "difficulty: beginner\nrelated: [Scaling]\nsource_trust_level: D\nlast_reinforced: 2020-01-01\nraw_sources:\n"
        "  - {id: goodfellow2016, title: Deep Learning, authors: [Ian Goodfellow, Yoshua Bengio, Aaron Courville], date: 2016}\n"
        "  - {id: kaplan2020, title: Scaling Laws for Neural Language Models, url: 'https://arxiv.org/abs/2001.08361'}\n"
        "  - A note without a key\n")),
    "content/scaling.md": page("scaling", "Scaling", "Needs [[Parameter]].\n", "difficulty: advanced\nprerequisites: [Parameter]\n"),
}


def test_the_site_shows_the_learning_structure_and_numbered_references(kb) -> None:  # type: ignore[no-untyped-def]
    root: Path = kb(LEARNING, mkdocs=MKDOCS)
    assert run_kb(root, "build").status == 0  # an overdue review is a warning
    site = root / "site"
    path = (site / "learning-path/index.html").read_text(encoding="utf-8")
    assert [title for title in ("Home", "Parameter", "Scaling") if f">{title}</a>" in path] == ["Home", "Parameter", "Scaling"]
    assert path.index(">Home</a>") < path.index(">Parameter</a>") < path.index(">Scaling</a>")
    assert "advanced · 1 min · after" in path
    review = (site / "review/index.html").read_text(encoding="utf-8")
    assert ">Parameter</a></td>" in review and "<td>D</td>" in review
    scaling = (site / "scaling/index.html").read_text(encoding="utf-8")
    assert '<p class="kb-read-first"><strong>Read first:</strong> <a href="../parameter/">Parameter</a></p>' in scaling
    assert ">advanced</span>" in scaling and "min read</span>" in scaling and ">generality " in scaling
    parameter = (site / "parameter/index.html").read_text(encoding="utf-8")
    assert '<p class="kb-leads-to"><strong>Leads to:</strong> <a href="../scaling/">Scaling</a></p>' in parameter
    markers = re.findall(r'<sup class="kb-cite" id="kb-cite-([\w-]+)"><a href="#kb-ref-([\w]+)">\[(\d)\]</a></sup>', parameter)
    assert markers == [("goodfellow2016-1", "goodfellow2016", "1"), ("kaplan2020-1", "kaplan2020", "2"),
                       ("kaplan2020-2", "kaplan2020", "2"), ("goodfellow2016-2", "goodfellow2016", "1")]
    references = parameter[parameter.index('id="kb-references"'):]
    assert references.index('id="kb-ref-goodfellow2016"') < references.index('id="kb-ref-kaplan2020"')
    assert '<a href="#kb-cite-kaplan2020-1" title="back to citation 1">a</a>' in references
    assert '<a href="https://arxiv.org/abs/2001.08361">Scaling Laws for Neural Language Models</a>' in references
    assert "Also consulted:</p><ul" in references and "<li>A note without a key</li>" in references
    related = parameter[parameter.index('id="kb-related"'):parameter.index('id="kb-references"')]
    assert '<a href="../scaling/">Scaling</a> <span class="kb-generality-value" title="generality">' in related
    graph = json.loads((site / "kb-graph.json").read_text())
    assert {n["label"]: n["difficulty"] for n in graph["nodes"]} == {"Home": None, "Parameter": "beginner", "Scaling": "advanced"}
    assert max(n["generality"] for n in graph["nodes"]) == 1000
