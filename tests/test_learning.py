"""The learning structure: prerequisites and related pages resolved like links,
cycles and harder prerequisites reported, a learning path in a valid order,
reading time and generality computed, numbered references checked, and pages
overdue for review listed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kb.check.learning import Relation, learning_path
from kb.check.markdown import scan
from kb.config import load_config
from kb.model import Difficulty, DocPath, EdgeKind, Link, Page, PageMeta, Reading, SourcePath
from kb.pipeline import run_check
from tests.bad_input.rows import expect
from tests.conftest import page, run_kb

QUIET = "site_name: t\ndocs_dir: content\nplugins:\n  - kb:\n      warn_orphans: false\n      warn_dead_ends: false\n"


def learning_page(id: str, title: str, extra: str = "", body: str = "") -> str:
    return page(id, title, body or f"# {title}\n", extra)


# ---------------------------------------------------------------------------
# Diagnostics, with their exact text and place

STRUCTURE = {
    "content/a.md": learning_page("a", "Alpha", "difficulty: beginner\nprerequisites: [Beta, Gama]\nrelated: Gamma\n"),
    "content/b.md": learning_page("b", "Beta", "difficulty: advanced\nprerequisites: [Gamma]\n"),
    "content/c.md": learning_page("c", "Gamma", "prerequisites: Alpha\n"),
    "content/d.md": learning_page("d", "Delta", "prerequisites: [Delta]\n"),
}
STRUCTURE_LINES = expect(
    "content/a.md:5:17: error[graph.cycle]: prerequisites form a cycle: content/a.md → content/b.md → content/c.md → "
    "content/a.md; a page cannot come before itself",
    "content/a.md:5:17: warning[graph.harder_prerequisite]: [[Beta]] is advanced, harder than this beginner page that needs it first",
    "content/a.md:5:23: error[link.unresolved]: [[Gama]] names no page; did you mean [[Gamma]]?",
    "content/d.md:4:17: error[graph.cycle]: prerequisites form a cycle: content/d.md → content/d.md; a page cannot come before itself",
)


def test_prerequisite_diagnostics(kb) -> None:  # type: ignore[no-untyped-def]
    root: Path = kb(STRUCTURE, mkdocs=QUIET)
    run = run_kb(root, "check")
    assert (run.status, run.lines) == (1, STRUCTURE_LINES)


def test_relations_are_typed_edges_with_generality_in_kb_graph(kb) -> None:  # type: ignore[no-untyped-def]
    root: Path = kb({
        "content/a.md": learning_page("a", "Alpha", "related: [Beta]\n"),
        "content/b.md": learning_page("b", "Beta", "prerequisites: [Alpha]\n", "Uses [[Alpha]].\n"),
        "content/c.md": learning_page("c", "Gamma", "prerequisites: [Alpha, Beta]\n"),
    }, mkdocs=QUIET)
    graph = json.loads(run_kb(root, "graph").stdout)
    edges = {(e["source"], e["target"], e["type"]) for e in graph["links"]}
    assert edges == {("content/a.md", "content/b.md", "related"), ("content/b.md", "content/a.md", "prerequisite"),
                     ("content/b.md", "content/a.md", "link"), ("content/c.md", "content/a.md", "prerequisite"),
                     ("content/c.md", "content/b.md", "prerequisite")}
    general = {n["key"]: n["generality"] for n in graph["nodes"]}
    assert general["content/a.md"] == general["content/b.md"] == 1000  # each points to the other; both are needed by Gamma
    assert 0 < general["content/c.md"] < 1000  # nothing points to Gamma
    assert json.loads(run_kb(root, "graph").stdout) == graph  # deterministic


SOURCES = learning_page("s", "Sources", (
    "raw_sources:\n"
    "  - {id: kaplan2020, title: Scaling laws, url: 'https://arxiv.org/abs/2001.08361', date: 2020-01-23}\n"
    "  - {id: hoffmann2022, title: Compute-optimal training}\n"
    "  - {id: kaplan2020, title: Again}\n"
    "  - A string source\n"
), "Six FLOPs [@kaplan2020]; twenty tokens [@hofman2022; @kaplan2020]; ignored `[@code]`; [@nobody].\n")
SOURCE_LINES = expect(
    'content/a.md:7:6: error[source.duplicate]: source id "kaplan2020" is given twice (raw_sources[0] and raw_sources[2]); '
    "a citation must name one source",
    "content/a.md:10:40: error[source.unknown]: [@hofman2022; @kaplan2020] cites @hofman2022, which names no source of this page; "
    "did you mean @hoffmann2022?",
    "content/a.md:10:87: error[source.unknown]: [@nobody] cites @nobody, which names no source of this page; "
    "this page's sources are @kaplan2020, @hoffmann2022",
)


def test_citations_must_name_sources_of_their_page(kb) -> None:  # type: ignore[no-untyped-def]
    run = run_kb(kb({"content/a.md": SOURCES}, mkdocs=QUIET), "check")
    assert (run.status, run.lines) == (1, SOURCE_LINES)


TODAY = dt.date.today()
OLD, OLDER = (TODAY - dt.date(2020, 1, 31)).days, (TODAY - dt.date(2020, 1, 1)).days
OVERDUE = expect(
    f"content/old.md:6:1: warning[review.overdue]: last reinforced 2020-01-01; its review was due 2020-01-31, {OLD} days ago "
    "(pages of trust D are reviewed every 30 days)",
    f"content/older.md:5:1: warning[review.overdue]: last reinforced 2019-01-01; its review was due 2020-01-01, {OLDER} days "
    "ago (pages of trust A are reviewed every 365 days)",
)


def test_pages_past_their_review_are_warned_about_and_listed(kb) -> None:  # type: ignore[no-untyped-def]
    root: Path = kb({
        "content/old.md": learning_page("old", "Old", "source_trust_level: D\nconfidence_score: 0.4\nlast_reinforced: 2020-01-01\n"),
        "content/older.md": learning_page("older", "Older", "source_trust_level: A\nlast_reinforced: 2019-01-01\n"),
        "content/fresh.md": learning_page("fresh", "Fresh", f"source_trust_level: D\nlast_reinforced: {dt.date.today()}\n"),
    }, mkdocs=QUIET)
    old, older = OLD, OLDER
    run = run_kb(root, "check")
    assert run.lines == OVERDUE
    listed = run_kb(root, "review")
    assert listed.lines == [f"{older:>5} days overdue  trust A  confidence -  content/older.md  Older",
                            f"{old:>5} days overdue  trust D  confidence 0.40  content/old.md  Old"]
    as_json = json.loads(run_kb(root, "review", "--format", "json").stdout)
    assert [(r["page"], r["days_overdue"], r["interval"]) for r in as_json] == [("content/older.md", older, 365), ("content/old.md", old, 30)]


def test_review_intervals_come_from_the_schema(kb) -> None:  # type: ignore[no-untyped-def]
    root: Path = kb({"content/a.md": learning_page("a", "A", "source_trust_level: D\nlast_reinforced: 2020-01-01\n")}, mkdocs=QUIET)
    (root / "site_config/schema.yml").write_text((root / "site_config/schema.yml").read_text() + "review_intervals: {D: 100000}\n")
    assert run_kb(root, "check").lines == []


# ---------------------------------------------------------------------------
# The learning path


def _page(name: str, difficulty: Difficulty | None) -> Page:
    built = Page(SourcePath(f"content/{name}.md"), DocPath(f"{name}.md"), "", None, 1)
    built.meta = PageMeta(title=name, difficulty=difficulty)
    return built


def _needs(source: Page, target: Page) -> Relation:
    return Relation(source, target, EdgeKind.PREREQUISITE, Link("wiki", target.title, None, None, "", 1, 1))


@st.composite
def dags(draw: st.DrawFn) -> tuple[list[Page], list[Relation]]:
    count = draw(st.integers(1, 12))
    pages = [_page(f"p{i:02d}", draw(st.sampled_from([None, *Difficulty]))) for i in range(count)]
    relations = [_needs(pages[i], pages[j]) for i in range(count) for j in range(i)
                 if draw(st.booleans()) and draw(st.booleans())]
    order = draw(st.permutations(pages))
    return list(order), relations


@settings(max_examples=200, deadline=None, derandomize=True)
@given(dags())
def test_the_learning_path_puts_prerequisites_first_and_else_the_easier(graph: tuple[list[Page], list[Relation]]) -> None:
    pages, relations = graph
    path = learning_path(pages, relations)
    place = {p.source: i for i, p in enumerate(path)}
    assert sorted(place) == sorted(p.source for p in pages)
    for relation in relations:
        assert place[relation.target.source] < place[relation.source.source]
    assert learning_path(list(reversed(pages)), relations) == path  # the order of the input does not matter
    # Each page is the easiest (then first by title) of those whose prerequisites are all placed.
    placed: set[str] = set()
    for chosen in path:
        free = [p for p in pages if p.source not in placed
                and all(r.target.source in placed for r in relations if r.source is p)]
        assert chosen is min(free, key=lambda p: (p.meta.difficulty or 4, p.title.casefold(), p.source))
        placed.add(chosen.source)


def test_a_cycle_leaves_every_page_on_the_path(kb) -> None:  # type: ignore[no-untyped-def]
    result = run_check(load_config(str(kb(STRUCTURE, mkdocs=QUIET) / "mkdocs.yml")))
    path = learning_path(result.pages, result.relations)
    assert sorted(p.source for p in path) == sorted(p.source for p in result.pages)


# ---------------------------------------------------------------------------
# Reading time


def test_reading_time_counts_prose_code_and_tables() -> None:
    body = ("# Title\n\n" + "word " * 460 + "\n\n| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * 20 + "\n```python\n" + "x = 1\n" * 24 + "```\n")
    reading = scan(body.split("\n")).reading
    assert reading == Reading(words=461, code_lines=24, table_rows=21)
    assert reading.minutes == 6  # 461 words at 230 a minute, 24 code lines at 5 s, 21 rows at 3 s: 5.05 minutes, rounded up
