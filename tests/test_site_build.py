"""kb build: a strict build fails on a stale figure naming its page and line;
the site holds the generated pages and data; two builds write the same bytes."""

from __future__ import annotations

import hashlib
import json
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
    for name in ("concept-graph/index.html", "verification-ledger/index.html", "assets/kb/cytoscape.min.js", "assets/kb/kb.js"):
        assert (site / name).is_file(), name


def test_two_builds_of_the_same_commit_are_identical(tmp_path: Path) -> None:
    from kb.config import load_config
    from kb.mkdocs.build import build_site

    config = load_config(str(REPO / "mkdocs.yml"))
    first, second = tmp_path / "one", tmp_path / "two"
    assert build_site(config, strict=True, site_dir=str(first)) == 0
    assert build_site(config, strict=True, site_dir=str(second)) == 0
    assert files_of(first) == files_of(second)
