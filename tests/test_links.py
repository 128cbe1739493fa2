"""Link resolution, table driven: every row is a line written in one page of a
small knowledge base, with the page (and heading) it must resolve to or the
exact diagnostic it must produce.

The knowledge base holds English and Korean titles and aliases, a title
written in decomposed Unicode (NFD), a file whose name is NFD on disk (as
macOS writes it), pages in subfolders, an alias shared by two pages, and a
title that differs only in case from another page's alias.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest

from kb.check.links import NameIndex, find_heading
from kb.config import load_config
from kb.pipeline import CheckResult, run_check
from tests.conftest import page, run_kb, write_kb

SOURCE = "content/notes/links.md"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


PAGES: dict[str, str] = {
    "content/index.md": page("home", "Home", "# Home\n\nSee [[Machine Learning]].\n"),
    "content/machine-learning.md": page(
        "ml-001", "Machine Learning",
        "# Machine Learning\n\n## Overview\n\nLearning from data. ^para-1\n\n## Training Loop\n\n## 손실 함수\n\n"
        "## The `fit` loop\n\n## learning_rate schedule\n\n## Overview\n",
        "aliases: [ML]\n",
    ),
    "content/concepts/parameter.md": page(
        "wiki-2026-0508-parameter", "파라미터",
        "# 파라미터\n\n## 정의\n\n## 학습 가능한 파라미터\n",
        "aliases: [Model Parameter, 매개변수]\n",
    ),
    # Title and heading written decomposed, as some editors on macOS save them.
    "content/concepts/gradient-descent.md": page("gd", nfd("경사 하강법"), nfd("# 경사 하강법\n\n## 변형 알고리즘\n")),
    # A file whose name itself is NFD on disk.
    nfd("content/concepts/학습률.md"): page("learning-rate", "Learning Rate", "## Schedules\n"),
    "content/deep/nested/transformer.md": page(
        "tf-2017", "Transformer", "## Self Attention\n\n## Positional Encoding {#pos-enc}\n", "aliases: [ATTENTION]\n",
    ),
    "content/attention-mechanism.md": page("attn", "Attention", "## Scaled Dot Product\n"),
    "content/deep/layer norm.md": page("layer-norm", "Layer Normalization", "## Why\n"),
    # Two pages share the alias "Optimizer" (Adam lists it second).
    "content/optimizers/adam.md": page("adam", "Adam", "", "aliases: [Adam Optimizer, Optimizer]\n"),
    "content/optimizers/sgd.md": page("sgd", "SGD", "", "aliases: [Optimizer]\n"),
}

ML = "content/machine-learning.md"
PARAM = "content/concepts/parameter.md"
GD = "content/concepts/gradient-descent.md"
LR = nfd("content/concepts/학습률.md")
TF = "content/deep/nested/transformer.md"
ATTN = "content/attention-mechanism.md"
LN = "content/deep/layer norm.md"


@dataclass(frozen=True)
class Case:
    """One row: what the page says, and what kb must make of it.

    ``target``/``heading``: the page (source path) and heading anchor the link
    resolves to; ``error``: the diagnostic, as printed after ``path:line:col: ``;
    neither: the text is not a link at all.
    """

    name: str
    text: str  # may span lines (a table); the link is on the last line
    target: str | None = None
    heading: str | None = None
    error: str | None = None


CASES = [
    # Wikilinks by title, label, heading
    Case("title", "See [[Machine Learning]] first.", ML),
    Case("title with label", "[[Machine Learning|the field]]", ML),
    Case("title and heading by text", "[[Machine Learning#Training Loop]]", ML, "training-loop"),
    Case("heading by folded text", "[[Machine Learning#training loop]]", ML, "training-loop"),
    Case("heading by slug", "[[Machine Learning#training-loop]]", ML, "training-loop"),
    Case("heading and label", "[[Machine Learning#Overview|overview]]", ML, "overview"),
    Case("second heading of the same name", "[[Machine Learning#overview_1]]", ML, "overview_1"),
    Case("heading path names the last heading", "[[Machine Learning#Overview#Training Loop]]", ML, "training-loop"),
    Case("heading with inline code, by text", "[[Machine Learning#The fit loop]]", ML, "the-fit-loop"),
    Case("heading with an underscore, by slug", "[[Machine Learning#learning_rate-schedule]]", ML, "learning_rate-schedule"),
    Case("block reference", "[[Machine Learning#^para-1]]", ML),
    Case("block reference to no block", "[[Machine Learning#^para-2]]",
         error="error[link.anchor]: [[Machine Learning#^para-2]] names no block ^para-2 of content/machine-learning.md; "
               "did you mean ^para-1?"),
    Case("custom heading id", "[[Transformer#pos-enc]]", TF, "pos-enc"),
    Case("same-page heading", "[[#Local Heading]]", SOURCE, "local-heading"),
    Case("same-page heading by slug", "[[#local-heading]]", SOURCE, "local-heading"),
    # Other names: alias, id, file name, path
    Case("alias", "[[ML]]", ML),
    Case("alias and heading", "[[ML#Overview]]", ML, "overview"),
    Case("id", "[[ml-001]]", ML),
    Case("id of a subfolder page", "[[tf-2017]]", TF),
    Case("file name", "[[transformer]]", TF),
    Case("file name with a space", "[[layer norm]]", LN),
    Case("folder/file", "[[deep/nested/transformer]]", TF),
    Case("folder/file folded", "[[Deep/Nested/Transformer]]", TF),
    # Folding: case, and space, - and _ alike
    Case("case folded", "[[machine learning]]", ML),
    Case("hyphen for space", "[[Machine-Learning]]", ML),
    Case("underscore and upper case", "[[MACHINE_LEARNING]]", ML),
    Case("runs of separators", "[[machine -_ learning]]", ML),
    Case("folded file name", "[[Layer-Norm]]", LN),
    # Exact wins over folded: "Attention" is a title, "ATTENTION" another page's alias
    Case("exact title beats folded alias", "[[Attention]]", ATTN),
    Case("exact alias beats folded title", "[[ATTENTION]]", TF),
    Case(
        "folded only: both pages", "[[attention]]",
        error='error[link.ambiguous]: [[attention]] names two pages: content/attention-mechanism.md (title "Attention") '
              'and content/deep/nested/transformer.md (alias "ATTENTION")',
    ),
    # Korean
    Case("Korean title", "한국어 문장 [[파라미터]] 끝", PARAM),
    Case("Korean alias", "[[매개변수]]", PARAM),
    Case("Korean alias with label", "[[매개변수|파라미터 설명]]", PARAM),
    Case("Korean heading by text", "[[파라미터#학습 가능한 파라미터]]", PARAM, "학습-가능한-파라미터"),
    Case("Korean heading by slug", "[[매개변수#학습-가능한-파라미터]]", PARAM, "학습-가능한-파라미터"),
    Case("Korean heading on an English page", "[[Machine Learning#손실 함수]]", ML, "손실-함수"),
    Case("Korean same-page heading", "[[#로컬 제목]]", SOURCE, "로컬-제목"),
    Case("NFC link to an NFD title", "[[경사 하강법]]", GD),
    Case("NFC link to an NFD heading", "[[경사 하강법#변형 알고리즘]]", GD, "변형-알고리즘"),
    Case("NFC link to an NFD file name", "[[학습률]]", LR),
    # Tables: \| separates target and label without ending the cell
    Case("table cell", "| Link | Note |\n|---|---|\n| [[Machine Learning\\|ML]] | the field |", ML),
    Case("table cell with heading", "| Link |\n|---|\n| [[ML#Training Loop\\|loop]] |", ML, "training-loop"),
    # Embeds are links too
    Case("embed", "![[Machine Learning]]", ML),
    Case("embed of a section", "![[ML#Overview]]", ML, "overview"),
    # Markdown links: paths relative to the page
    Case("markdown link", "[ML](../machine-learning.md)", ML),
    Case("markdown link with slug", "[attention](../deep/nested/transformer.md#self-attention)", TF, "self-attention"),
    Case("markdown link to an underscore heading", "[x](../machine-learning.md#learning_rate-schedule)", ML, "learning_rate-schedule"),
    Case("markdown link to a code heading", "[x](../machine-learning.md#the-fit-loop)", ML, "the-fit-loop"),
    Case("markdown link from the content root", "[x](/deep/nested/transformer.md)", TF),
    Case("markdown link with a title", '[x](../machine-learning.md "Machine Learning")', ML),
    Case("markdown link with a query", "[x](../machine-learning.md?plain=1#overview)", ML, "overview"),
    Case("markdown link to a local heading", "[up](#local-heading)", SOURCE, "local-heading"),
    Case("markdown link to a Korean local heading", "[위로](#로컬-제목)", SOURCE, "로컬-제목"),
    Case("URL-encoded space", "[x](../deep/layer%20norm.md#why)", LN, "why"),
    Case("path in angle brackets", "[x](<../deep/layer norm.md>)", LN),
    Case("URL-encoded Korean to an NFD file name", "[x](../concepts/%ED%95%99%EC%8A%B5%EB%A5%A0.md)", LR),
    Case("NFC Korean path to an NFD file name", "[x](../concepts/학습률.md#schedules)", LR, "schedules"),
    Case("reference definition", "[ml]: ../machine-learning.md", ML),
    # Not links to pages: ignored
    Case("external URL", "[site](https://example.com/page.md)"),
    Case("protocol-relative URL", "[cdn](//cdn.example.com/page.md)"),
    Case("mail", "[mail](mailto:someone@example.com)"),
    Case("autolink", "<https://example.com/page.md>"),
    Case("image", "![diagram](../img/diagram.png)"),
    Case("image with a page-like name", "![x](../machine-lerning.md)"),
    Case("link to an asset", "[data](../data/table.csv)"),
    Case("inline code", "`[[Machin Learning]]` and `[x](../missing.md)`"),
    # Errors
    Case("unresolved with did-you-mean", "Read [[Machin Learning]].",
         error="error[link.unresolved]: [[Machin Learning]] names no page; did you mean [[Machine Learning]]?"),
    Case("unresolved Korean with did-you-mean", "[[매개벼수]]",
         error="error[link.unresolved]: [[매개벼수]] names no page; did you mean [[매개변수]]?"),
    Case("unresolved without a close name", "[[Quantum Zebra Farming]]",
         error="error[link.unresolved]: [[Quantum Zebra Farming]] names no page"),
    Case("empty", "[[]]", error="error[link.unresolved]: [[]] is an empty link"),
    Case("ambiguous alias lists both pages with the alias", "[[Optimizer]]",
         error='error[link.ambiguous]: [[Optimizer]] names two pages: content/optimizers/adam.md (alias "Optimizer") '
               'and content/optimizers/sgd.md (alias "Optimizer")'),
    Case("missing heading with did-you-mean", "[[Machine Learning#Trainig Loop]]",
         error="error[link.anchor]: [[Machine Learning#Trainig Loop]] names no heading of content/machine-learning.md; "
               "did you mean [[Machine Learning#Training Loop]]?"),
    Case("missing Korean heading with did-you-mean", "[[파라미터#학습 가능한 파라메터]]",
         error="error[link.anchor]: [[파라미터#학습 가능한 파라메터]] names no heading of content/concepts/parameter.md; "
               "did you mean [[파라미터#학습 가능한 파라미터]]?"),
    Case("missing same-page heading", "[[#Local Headng]]",
         error="error[link.anchor]: [[#Local Headng]] names no heading of this page; did you mean [[#Local Heading]]?"),
    Case("missing heading of a markdown link", "[a](../deep/nested/transformer.md#self-atention)",
         error="error[link.anchor]: [a](../deep/nested/transformer.md#self-atention) names no heading of "
               "content/deep/nested/transformer.md; did you mean #self-attention?"),
    Case("missing local slug", "[up](#local-headin)",
         error="error[link.anchor]: [up](#local-headin) names no heading of this page; did you mean #local-heading?"),
    Case("markdown link to a misspelt file", "[x](../machine-lerning.md)",
         error="error[link.unresolved]: [x](../machine-lerning.md) names no page (there is no machine-lerning.md); "
               "did you mean ../machine-learning.md?"),
    Case("markdown link to nothing alike", "[x](../missing.md)",
         error="error[link.unresolved]: [x](../missing.md) names no page (there is no missing.md)"),
    Case("markdown link out of the content folder", "[x](../../README.md)",
         error="error[link.unresolved]: [x](../../README.md) points outside the content folder"),
    Case("escaped pipe does not hide an error", "| [[Machin Learning\\|x]] |",
         error="error[link.unresolved]: [[Machin Learning]] names no page; did you mean [[Machine Learning]]?"),
]

HEADER = "# Link Table\n\n## Local Heading\n\n## 로컬 제목\n"


def _source_page() -> tuple[str, dict[str, int]]:
    """The page holding every row, and the line of each row's link."""
    lines = page("links-page", "Link Table", HEADER).split("\n")
    if lines[-1] == "":
        lines.pop()
    where: dict[str, int] = {}
    for case in CASES:
        lines.append("")
        lines.extend(case.text.split("\n"))
        where[case.name] = len(lines)
    return "\n".join(lines) + "\n", where


def _column(line: str) -> int:
    """Where the link on a line starts (the ``!`` of an embed included)."""
    index = line.index("[")
    return index if index and line[index - 1] == "!" else index + 1


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> tuple[CheckResult, dict[str, int], Path]:
    text, where = _source_page()
    root = write_kb(tmp_path_factory.mktemp("links") / "kb", {**PAGES, SOURCE: text})
    return run_check(load_config(str(root / "mkdocs.yml"))), where, root


def test_case_names_are_unique() -> None:
    assert len({case.name for case in CASES}) == len(CASES)


def test_fixture_really_holds_decomposed_text(checked: tuple[CheckResult, dict[str, int], Path]) -> None:
    """The NFD rows test something only if the files really are NFD."""
    _, _, root = checked
    raw = (root / GD).read_text(encoding="utf-8")
    assert nfd("경사 하강법") in raw and "경사 하강법" not in raw
    names = [p.name for p in (root / "content" / "concepts").iterdir()]
    assert nfd("학습률.md") in names and "학습률.md" not in names


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_link(case: Case, checked: tuple[CheckResult, dict[str, int], Path]) -> None:
    result, where, _ = checked
    line = where[case.name]
    written = case.text.split("\n")[-1]
    edges = [e for e in result.edges if e.source.source == SOURCE and e.link.line == line]
    diagnostics = [d.as_text() for d in result.diagnostics.sorted() if d.path == SOURCE and d.line == line]
    if case.error is not None:
        assert edges == []
        assert diagnostics == [f"{SOURCE}:{line}:{_column(written)}: {case.error}"]
    elif case.target is not None:
        assert diagnostics == []
        assert len(edges) == 1, edges
        edge = edges[0]
        assert edge.source.source == SOURCE
        assert edge.target.source == case.target
        assert (edge.link.line, edge.link.column) == (line, _column(written))
        if case.heading is not None:
            assert edge.link.anchor is not None
            found = find_heading(edge.target.headings, edge.link.anchor.split("#")[-1])
            assert found is not None and found.anchor == case.heading
    else:
        assert edges == [] and diagnostics == []
        assert [link for link in result.pages[_page_index(result, SOURCE)].links if link.line == line] == []


def _page_index(result: CheckResult, source: str) -> int:
    return next(i for i, p in enumerate(result.pages) if p.source == source)


def test_every_diagnostic_of_the_table_page_is_a_row(checked: tuple[CheckResult, dict[str, int], Path]) -> None:
    """Nothing else on the page is reported: no stray link, no wrong line."""
    result, where, _ = checked
    error_lines = {where[case.name] for case in CASES if case.error}
    on_page = [d for d in result.diagnostics.sorted() if d.path == SOURCE]
    assert [d.code for d in on_page if d.line not in error_lines] == ["graph.orphan"]
    assert {d.line for d in on_page if d.line in error_lines} == error_lines


def test_the_other_pages_are_reported_as_designed(checked: tuple[CheckResult, dict[str, int], Path]) -> None:
    """The fixture itself: the shared alias and the case-only clash are what they claim to be."""
    result, _, _ = checked
    others = [d for d in result.diagnostics.sorted() if d.path != SOURCE and not d.code.startswith("graph.")]
    assert [d.as_text() for d in others] == [
        'content/deep/nested/transformer.md:4:11: warning[frontmatter.name_folded]: alias "ATTENTION" differs from '
        'title "Attention" of content/attention-mechanism.md:3 only in case, spaces, - or _; '
        "a link that matches neither exactly will be ambiguous",
        'content/optimizers/sgd.md:4:11: error[frontmatter.name_collision]: alias "Optimizer" names two pages: '
        "content/optimizers/adam.md:4 (alias) and content/optimizers/sgd.md:4 (alias)",
    ]


def test_every_resolved_row_is_an_edge_of_the_graph(checked: tuple[CheckResult, dict[str, int], Path]) -> None:
    result, _, _ = checked
    targets = {case.target for case in CASES if case.target and case.target != SOURCE}
    linked = {t for s, t, kind in result.graph.out_edges(SOURCE, keys=True) if kind == "link"}
    assert linked == targets
    assert not result.graph.has_edge(SOURCE, SOURCE)  # links within the page are no graph edge


def test_lookup_prefers_exact_names() -> None:
    """NameIndex directly: exact first, folded only when nothing matches exactly."""
    from kb.check.load import parse_page
    from kb.diagnostics import Diagnostics
    from kb.model import DocPath, SourcePath

    pages = [
        parse_page(page("a", "Attention", "", "aliases: [attn]\n"), SourcePath("content/a.md"), DocPath("a.md"), Diagnostics()),
        parse_page(page("b", "Transformer", "", "aliases: [ATTENTION]\n"), SourcePath("content/b.md"), DocPath("b.md"), Diagnostics()),
    ]
    index = NameIndex(pages)
    assert [(m.page.source, m.kind, m.name) for m in index.lookup("Attention")] == [("content/a.md", "title", "Attention")]
    assert [(m.page.source, m.kind, m.name) for m in index.lookup("ATTENTION")] == [("content/b.md", "alias", "ATTENTION")]
    assert sorted(m.page.source for m in index.lookup("attention")) == ["content/a.md", "content/b.md"]
    assert [m.kind for m in index.lookup("ATTN")] == ["alias"]
    assert index.lookup("nothing like it") == []
    assert index.suggest("Atention") == "Attention"


def test_path_suggestion_ignores_the_common_md_suffix(kb) -> None:  # type: ignore[no-untyped-def]
    """"missing.md" is not like "sgd.md" just because both end in ".md"; "sdg.md" is."""
    root = kb({
        "content/index.md": page("home", "Home", "[x](sgd.md)\n"),
        "content/sgd.md": page("sgd", "SGD", "[a](missing.md)\n\n[b](sdg.md)\n"),
    })
    run = run_kb(root, "check")
    assert run.status == 1
    assert run.lines == [
        "content/sgd.md:1:1: warning[graph.dead_end]: this page links to no other page",
        "content/sgd.md:5:1: error[link.unresolved]: [a](missing.md) names no page (there is no missing.md)",
        "content/sgd.md:7:1: error[link.unresolved]: [b](sdg.md) names no page (there is no sdg.md); did you mean sgd.md?",
    ]


def test_wikilinks_to_attachments_need_the_file_not_a_page(kb) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import page, run_kb

    root = kb({
        "content/a.md": page("a", "A", "![[diagram.png]] [[img/diagram.png]] [[paper.pdf]] [[B]]\n"),
        "content/b.md": page("b", "B", "[[A]] [[GPT-3.5]]\n"),
        "content/img/diagram.png": b"\x89PNG",
    })
    run = run_kb(root, "check")
    assert run.lines == [
        "content/a.md:5:38: error[link.unresolved]: [[paper.pdf]] names no page and no file in the content folder",
        "content/b.md:5:7: error[link.unresolved]: [[GPT-3.5]] names no page",
    ]


def test_links_to_the_pages_the_site_generates_check(kb) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import page, run_kb

    body = "[graph](concept-graph.md) [ledger](verification-ledger.md) [tags](tags/index.md) [t](tags/ml.md) [c](sub/index.md) [no](nowhere.md)\n"
    root = kb({"content/a.md": page("a", "A", body, "tags: [ml]\n"), "content/sub/b.md": page("b", "B", "[[A]]\n")})
    assert [line for line in run_kb(root, "check").lines if "link." in line] == [
        "content/a.md:6:116: error[link.unresolved]: [no](nowhere.md) names no page (there is no nowhere.md)"]
