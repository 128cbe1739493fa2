"""The concept graph: nodes with page metadata, typed edges, backlinks, shape
warnings, and the exports of ``kb graph``."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from kb.check.graph import backlinks
from kb.config import load_config
from kb.model import Page
from kb.pipeline import CheckResult, run_check
from tests.conftest import MKDOCS, page, run_kb, write_kb

PARAMETER_META = """\
category: 10_Wiki/Topics
status: verified
canonical_id: self
aliases: [Model Parameter, 파라미터]
duplicate_of: none
source_trust_level: A
confidence_score: 0.95
verification_status: applied
tags: [parameter, ml-fundamentals]
last_reinforced: 2026-05-10
changelog:
  - {date: 2026-05-10, change: Phase 1}
"""

PAGES: dict[str, str | bytes] = {
    "content/index.md": page("home", "Home", "# Home\n\nStart with [[Parameter]].\n"),
    "content/concepts/parameter.md": page(
        "wiki-2026-0508-parameter", "Parameter",
        "# Parameter\n\nA [[Weight]] is one kind.\n\nAgain: [[weight|weights]].\n\nSee [[#Parameter]] above.\n",
        PARAMETER_META,
    ),
    "content/concepts/weight.md": page(
        "weight", "Weight", "Part of a [[Parameter]]; a [[Bias]] is another.\n",
        "source_trust_level: B\nconfidence_score: 1\n",
    ),
    "content/concepts/bias.md": page("bias", "Bias", "# Bias\n\nOnly [[#Bias]] here.\n", "source_trust_level: C\n"),
    # A duplicate: points to its canonical page with typed edges, no body link.
    "content/concepts/weights.md": page("weights", "Weights (old)", "Merged.\n", "canonical_id: weight\nduplicate_of: weight\n"),
    "content/lonely.md": page("lonely", "Lonely", "Nobody links here, and this links nowhere.\n"),
}

P, W, B, WS, HOME, LONELY = (
    "content/concepts/parameter.md", "content/concepts/weight.md", "content/concepts/bias.md",
    "content/concepts/weights.md", "content/index.md", "content/lonely.md",
)


def line_of(source: str, text: str) -> int:
    """The file line on which ``text`` first appears in a page of PAGES."""
    written = PAGES[source]
    assert isinstance(written, str)
    return next(i for i, line in enumerate(written.split("\n"), 1) if text in line)


EXPECTED_EDGES = {
    (HOME, P, "link", 1, line_of(HOME, "[[Parameter]]")),
    (P, W, "link", 2, line_of(P, "[[Weight]]")),  # written twice: one edge, count 2, first line
    (W, P, "link", 1, line_of(W, "[[Parameter]]")),
    (W, B, "link", 1, line_of(W, "[[Bias]]")),
    (WS, W, "canonical", 1, line_of(WS, "canonical_id")),
    (WS, W, "duplicate", 1, line_of(WS, "duplicate_of")),
}


def edge_rows(graph: nx.MultiDiGraph) -> set[tuple[str, str, str, int, int]]:
    return {(s, t, data["type"], data["count"], data["line"]) for s, t, data in graph.edges(data=True)}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_kb(tmp_path / "kb", dict(PAGES))


@pytest.fixture
def result(root: Path) -> CheckResult:
    return run_check(load_config(str(root / "mkdocs.yml")))


def test_nodes_carry_page_metadata(result: CheckResult) -> None:
    graph = result.graph
    assert sorted(graph.nodes) == sorted(PAGES)
    assert graph.nodes[P] == {
        "path": P,
        "doc_path": "concepts/parameter.md",
        "title": "Parameter",
        "id": "wiki-2026-0508-parameter",
        "category": "10_Wiki/Topics",
        "status": "verified",
        "source_trust_level": "A",
        "confidence_score": 0.95,
        "verification_status": "applied",
        "aliases": ["Model Parameter", "파라미터"],
        "tags": ["parameter", "ml-fundamentals"],
        "last_reinforced": "2026-05-10",
    }
    assert graph.nodes[W] == {
        "path": W, "doc_path": "concepts/weight.md", "title": "Weight", "id": "weight",
        "source_trust_level": "B", "confidence_score": 1,
    }


def test_typed_edges_and_counts(result: CheckResult) -> None:
    assert edge_rows(result.graph) == EXPECTED_EDGES
    assert set(result.graph[WS][W]) == {"canonical", "duplicate"}  # edge keys are the types
    assert not result.graph.has_edge(P, P) and not result.graph.has_edge(B, B)  # links within a page are no edge


def test_edges_of_the_check_are_every_resolved_link(result: CheckResult) -> None:
    """result.edges keeps each link (self links too); the graph merges them."""
    from_parameter = [(e.target.source, e.link.raw, e.link.line) for e in result.edges if e.source.source == P]
    assert from_parameter == [
        (W, "[[Weight]]", line_of(P, "[[Weight]]")),
        (W, "[[weight|weights]]", line_of(P, "[[weight|weights]]")),
        (P, "[[#Parameter]]", line_of(P, "[[#Parameter]]")),
    ]


def test_backlinks(result: CheckResult) -> None:
    by_source: dict[str, Page] = {p.source: p for p in result.pages}
    assert backlinks(result.graph, by_source[P]) == [W, HOME]  # sorted by path
    assert backlinks(result.graph, by_source[W]) == [P]  # the duplicate's canonical edge is no backlink
    assert backlinks(result.graph, by_source[B]) == [W]
    assert backlinks(result.graph, by_source[HOME]) == []
    assert backlinks(result.graph, by_source[LONELY]) == []


def test_orphans_and_dead_ends(result: CheckResult) -> None:
    """index.md (the home page) is linked by nobody and is no orphan; a page that
    only links to itself is a dead end; typed edges count as links."""
    assert [d.as_text() for d in result.diagnostics.sorted()] == [
        "content/concepts/bias.md:1:1: warning[graph.dead_end]: this page links to no other page",
        "content/concepts/weights.md:1:1: warning[graph.orphan]: no other page links here",
        "content/lonely.md:1:1: warning[graph.dead_end]: this page links to no other page",
        "content/lonely.md:1:1: warning[graph.orphan]: no other page links here",
    ]


def _mkdocs(options: str) -> str:
    return f"site_name: test\ndocs_dir: content\nplugins:\n  - kb:\n{options}"


@pytest.mark.parametrize(
    ("options", "codes"),
    [
        ("      warn_orphans: false\n", ["graph.dead_end", "graph.dead_end"]),
        ("      warn_dead_ends: false\n", ["graph.orphan", "graph.orphan"]),
        ("      warn_orphans: false\n      warn_dead_ends: false\n", []),
    ],
    ids=["no orphans", "no dead ends", "neither"],
)
def test_options_turn_the_warnings_off(tmp_path: Path, options: str, codes: list[str]) -> None:
    root = write_kb(tmp_path / "kb", dict(PAGES), _mkdocs(options))
    diagnostics = run_check(load_config(str(root / "mkdocs.yml"))).diagnostics.sorted()
    assert [d.code for d in diagnostics] == codes
    run = run_kb(root, "check", "--strict")
    assert run.status == (1 if codes else 0)


def test_home_option_moves_the_exemption(tmp_path: Path) -> None:
    pages: dict[str, str | bytes] = {**PAGES, "content/start.md": page("start", "Start", "[[Home]]\n")}
    root = write_kb(tmp_path / "kb", pages, _mkdocs("      home: start.md\n"))
    orphans = [d.path for d in run_check(load_config(str(root / "mkdocs.yml"))).diagnostics if d.code == "graph.orphan"]
    assert sorted(orphans) == [WS, LONELY]  # start.md is exempt, index.md is now linked from it
    pages_2: dict[str, str | bytes] = {**PAGES, "content/start.md": page("start", "Start", "Nothing.\n")}
    root = write_kb(tmp_path / "kb2", pages_2, _mkdocs("      home: start.md\n"))
    orphans = [d.path for d in run_check(load_config(str(root / "mkdocs.yml"))).diagnostics if d.code == "graph.orphan"]
    assert sorted(orphans) == [WS, HOME, LONELY]


def test_a_single_page_is_neither_orphan_nor_dead_end(kb) -> None:  # type: ignore[no-untyped-def]
    root = kb({"content/only.md": page("only", "Only", "Alone.\n")})
    run = run_kb(root, "check", "--strict")
    assert (run.status, run.lines) == (0, [])


# ---------------------------------------------------------------------------
# kb graph


def test_graph_json(root: Path) -> None:
    run = run_kb(root, "graph", "--format", "json")
    assert run.status == 0
    assert run.stderr == "kb: 6 pages, 7 links: 0 errors, 4 warnings\n"
    assert "파라미터" in run.stdout  # not \\u-escaped
    data = json.loads(run.stdout)
    assert data["directed"] is True
    nodes = {node["key"]: node for node in data["nodes"]}
    assert sorted(nodes) == sorted(PAGES)
    assert nodes[P]["aliases"] == ["Model Parameter", "파라미터"]
    assert (nodes[P]["title"], nodes[P]["id"], nodes[P]["source_trust_level"]) == ("Parameter", "wiki-2026-0508-parameter", "A")
    assert nodes[P]["last_reinforced"] == "2026-05-10"
    assert nodes[B] == {"key": B, "path": B, "doc_path": "concepts/bias.md", "title": "Bias", "id": "bias", "source_trust_level": "C",
                        "generality": nodes[B]["generality"]}
    assert max(n["generality"] for n in data["nodes"]) == 1000 and all(0 <= n["generality"] <= 1000 for n in data["nodes"])
    assert {(e["source"], e["target"], e["type"], e["count"], e["line"]) for e in data["links"]} == EXPECTED_EDGES
    assert len(data["links"]) == len(EXPECTED_EDGES)
    assert [n["key"] for n in data["nodes"]] == sorted(PAGES)  # stable order
    # It is networkx node-link data.
    graph = nx.node_link_graph(data, name="key", edges="links")
    assert graph.is_directed() and graph.number_of_edges() == len(EXPECTED_EDGES)
    assert graph.nodes[W]["confidence_score"] == 1


def test_graph_json_is_the_default_and_stable(root: Path) -> None:
    first, second = run_kb(root, "graph"), run_kb(root, "graph")
    assert first.stdout == second.stdout == run_kb(root, "graph", "--format", "json").stdout


def test_graph_graphml(root: Path) -> None:
    run = run_kb(root, "graph", "--format", "graphml")
    assert run.status == 0
    graph = nx.read_graphml(io.BytesIO(run.stdout.encode("utf-8")))
    assert graph.is_directed() and graph.is_multigraph()
    assert sorted(graph.nodes) == sorted(PAGES)
    assert {(s, t, d["type"], d["count"], d["line"]) for s, t, d in graph.edges(data=True)} == EXPECTED_EDGES
    assert sorted(graph[WS][W]) == ["canonical", "duplicate"]
    node = graph.nodes[P]
    assert (node["title"], node["id"], node["source_trust_level"], node["confidence_score"]) == (
        "Parameter", "wiki-2026-0508-parameter", "A", 0.95)
    assert json.loads(node["aliases"]) == ["Model Parameter", "파라미터"]  # lists travel as JSON text
    assert json.loads(node["tags"]) == ["parameter", "ml-fundamentals"]
    assert graph.nodes[W]["confidence_score"] == 1.0 and isinstance(graph.nodes[W]["confidence_score"], float)


def test_graphml_declares_each_attribute_once(root: Path) -> None:
    """confidence_score is 1 on one page and 0.95 on another: one double attribute, not two keys."""
    run = run_kb(root, "graph", "--format", "graphml")
    keys = ET.fromstring(run.stdout).findall("{http://graphml.graphdrawing.org/xmlns}key")
    declared = [(k.get("for"), k.get("attr.name")) for k in keys]
    assert len(declared) == len(set(declared))
    types = {k.get("attr.name"): k.get("attr.type") for k in keys}
    assert types["confidence_score"] == "double"
    assert types["count"] == types["line"] == "long"


def test_graph_to_a_file(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "graph.graphml"
    run = run_kb(root, "graph", "--format", "graphml", "-o", str(out))
    assert run.status == 0 and run.stdout == ""
    assert edge_rows(nx.read_graphml(out)) == EXPECTED_EDGES
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary left
    json_out = tmp_path / "graph.json"
    run = run_kb(root, "graph", "--output", str(json_out))
    assert run.status == 0 and run.stdout == ""
    assert json_out.read_text(encoding="utf-8") == run_kb(root, "graph").stdout


def test_graph_with_errors_is_still_printed_and_fails(tmp_path: Path) -> None:
    pages: dict[str, str | bytes] = {**PAGES, "content/lonely.md": page("lonely", "Lonely", "See [[Weigth]].\n")}
    root = write_kb(tmp_path / "kb", pages, MKDOCS)
    run = run_kb(root, "graph")
    assert run.status == 1
    assert sorted(n["key"] for n in json.loads(run.stdout)["nodes"]) == sorted(pages)
    assert run.stderr.splitlines() == [
        "content/lonely.md:5:5: error[link.unresolved]: [[Weigth]] names no page; did you mean [[Weight]]?",
        "kb: 6 pages, 7 links: 1 error, 4 warnings",
    ]


def test_graph_to_a_file_in_a_missing_folder(root: Path, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "graph.json"
    run = run_kb(root, "graph", "-o", str(target))
    assert run.status == 2
    assert run.stderr == f"kb: cannot write {target}: No such file or directory\n"
    assert not target.parent.exists()
