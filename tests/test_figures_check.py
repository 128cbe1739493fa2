"""Figures in pages, end to end: verified, stale, unpinned, and every way a
figure can be written wrong, each with its exact diagnostic."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kb.figures.expression import ExpressionError, read_call
from tests.conftest import REPO, page, run_kb

QUIET = "site_name: t\ndocs_dir: content\nplugins:\n  - kb:\n      warn_orphans: false\n      warn_dead_ends: false\n"


def with_macros(root: Path) -> Path:
    shutil.copytree(REPO / "macros", root / "macros", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_the_contracts_stale_figure_message(kb) -> None:  # type: ignore[no-untyped-def]
    body = "\n" * 7 + 'See {{ params("bert-base", expect="110M") }} parameters.\n'  # line 12, column 5, as in the contract
    root = with_macros(kb({"content/parameter.md": page("parameter", "Parameter", body)}, mkdocs=QUIET))
    run = run_kb(root, "check")
    assert run.status == 1
    assert run.lines == ['content/parameter.md:12:5: error[figure.stale]: params("bert-base") is 109,482,240 (109.5M); the page says 110M']


def test_figures_in_prose_and_tables(kb) -> None:  # type: ignore[no-untyped-def]
    body = """\
| Layer | Example | Parameters |
|---|---|---|
| Dense | 768 → 3072 | {{ params("nn.Linear(768, 3072)", expect="2,362,368") }} |
| Conv2D 3×3 | 64 → 128 | {{ params("nn.Conv2d(64, 128, 3)", expect="73,856") }} |

Exact {{ params("nn.Embedding(50257, 768)", expect="38,597,376") }}, rounded {{ params("nn.Embedding(50257, 768)", expect="38.6M") }},
approximate {{ params("nn.Embedding(50257, 768)", expect="~40M") }}, bytes {{ param_memory("nn.Embedding(50257, 768)", dtype="fp32", expect="154.4 MB") }},
percentage {{ trainable_fraction("nn.Linear(10, 10)", expect="100%") }}, unpinned {{ params("nn.LayerNorm(768)") }}.

Not figures: `{{ params("nn.Linear(1, 1)", expect="0") }}` and

```
{{ not_a_figure() }}
```
"""
    root: Path = kb({"content/a.md": page("a", "A", body)}, mkdocs=QUIET)
    run = run_kb(root, "check")
    assert (run.status, run.lines) == (0, []), run.stdout


BAD = [
    ('params("nn.Linear(768, 3072)", expect="2.3M")', "figure.stale",
     'params("nn.Linear(768, 3072)") is 2,362,368 (2.362M); the page says 2.3M'),
    ('params("nn.Linear(768, 3072)", expect="~2.6M")', "figure.stale",
     'params("nn.Linear(768, 3072)") is 2,362,368 (2.362M); the page says ~2.6M'),
    ('paramz("nn.Linear(2, 2)")', "figure.unknown", "paramz is not a figure function; did you mean params?"),
    ('params("resnet")', "figure.unknown", 'params("resnet"): no model "resnet" is registered'),
    ('params("nn.Linear(2)")', "figure.failed",
     "params(\"nn.Linear(2)\") failed: cannot build nn.Linear(2): Linear.__init__() missing 1 required positional argument: 'out_features'"),
    ('params("nn.Linear(2, 2)", expect="two")', "figure.pin",
     'cannot read the pin "two"; write a number such as "25,557,032", "25.6M", "1.6 TB", "3.15e23", "0.12%" or "~2.4M"'),
    ('params("nn.Linear(2, 2)", expect="6 GB")', "figure.pin", 'params("nn.Linear(2, 2)") counts parameters; the pin "6 GB" is in bytes'),
    ('param_memory("nn.Linear(2, 2)", expect="6M")', "figure.pin",
     'param_memory("nn.Linear(2, 2)") counts bytes; the pin "6M" needs a byte unit (GB, GiB, ...) or a plain number'),
    ("''.__class__.__mro__", "figure.sandbox",
     "{{ ''.__class__.__mro__ }} is refused by the sandbox: a figure may not reach for an attribute (__mro__)"),
    ("params.__globals__", "figure.sandbox",
     "{{ params.__globals__ }} is refused by the sandbox: a figure may not reach for an attribute (__globals__)"),
    ("cycler.__init__.__globals__.os", "figure.sandbox",
     "{{ cycler.__init__.__globals__.os }} is refused by the sandbox: a figure may not reach for an attribute (os)"),
    ('params("nn.Linear(2, 2)"', "figure.syntax",
     "{{ params(\"nn.Linear(2, 2)\" }} is not a valid expression: unexpected end of template, expected ','."),
    ("1 + 2", "figure.syntax", '{{ 1 + 2 }} must be one call of a figure function, such as params("resnet50")'),
    ('params(params("nn.Linear(2, 2)"))', "figure.syntax", "params() takes plain values, not another figure"),
]


@pytest.mark.parametrize(("expression", "code", "message"), BAD, ids=[b[1] + ":" + b[0][:30] for b in BAD])
def test_bad_figures(kb, expression: str, code: str, message: str) -> None:  # type: ignore[no-untyped-def]
    root: Path = kb({"content/a.md": page("a", "A", "x {{ " + expression + " }} y\n")}, mkdocs=QUIET)
    run = run_kb(root, "check")
    assert run.status == 1
    assert len(run.lines) == 1, run.lines
    assert run.lines[0].startswith(f"content/a.md:5:3: error[{code}]: {message}"), run.lines[0]


def test_an_unclosed_figure(kb) -> None:  # type: ignore[no-untyped-def]
    root: Path = kb({"content/a.md": page("a", "A", 'text {{ params("nn.Linear(2, 2)")\n')}, mkdocs=QUIET)
    assert run_kb(root, "check").lines == ["content/a.md:5:6: error[figure.syntax]: {{ is not closed by }} on the same line"]


def test_broken_macros_are_reported(kb) -> None:  # type: ignore[no-untyped-def]
    root: Path = kb({"content/a.md": page("a", "A", 'x {{ params("nn.Linear(2, 2)") }}\n'),
                     "macros/__init__.py": "import not_a_module_anywhere\n"}, mkdocs=QUIET)
    run = run_kb(root, "check")
    assert run.status == 1
    assert run.lines == ["macros/__init__.py:1:1: error[macros.failed]: macros/ cannot be imported: "
                         "ModuleNotFoundError: No module named 'not_a_module_anywhere'"]


@pytest.mark.parametrize("escape", [
    "''.__class__.__mro__[1].__subclasses__()",
    "params.__globals__['os']",
    "params.__call__.__self__",
    "self.__init__.__globals__",
    "lipsum.__globals__",
    "range(10**10)",
    "config.items()",
    "request.application",
])
def test_the_sandbox_exposes_only_figure_functions(escape: str) -> None:
    with pytest.raises(ExpressionError) as refused:
        read_call(escape, ["params"])
    assert refused.value.code in ("figure.sandbox", "figure.unknown")


def test_a_broken_macros_module_is_reported_at_its_line(kb) -> None:  # type: ignore[no-untyped-def]
    root: Path = kb({"content/a.md": page("a", "A", 'x {{ params("nn.Linear(2, 2)") }}\n'),
                     "macros/__init__.py": "from macros import zoo  # noqa\n",
                     "macros/zoo.py": "import torch\n\ndef broken(:\n    pass\n",
                     "macros/other.py": ""}, mkdocs=QUIET)
    assert run_kb(root, "check").lines == [
        "macros/zoo.py:3:1: error[macros.failed]: macros/ cannot be imported: SyntaxError: invalid syntax"]
    (root / "macros/zoo.py").write_text("import torch\n\nraise ValueError('no such layer')\n")
    assert run_kb(root, "check").lines == [
        "macros/zoo.py:3:1: error[macros.failed]: macros/ cannot be imported: ValueError: no such layer"]


def test_cited_facts_need_their_source_and_bare_quantities_are_warned_about(kb) -> None:  # type: ignore[no-untyped-def]
    body = (
        "GPT-4 is rumoured at {{ cited(\"~1.8T\", source=\"SemiAnalysis\") }} parameters; "
        "{{ cited(\"25\", source=\"nowhere\") }}.\n"
        "GPT-3 has 175B parameters and Llama 3.1 405B needs 810 GB; Mixtral 8x7B routes to 2 of 8 experts.\n"
        "`175B` in code and {{ params(\"nn.Linear(2, 2)\", expect=\"6\") }} are fine; so are 2020 and 768 × 3072.\n"
        "| Model | Size |\n|---|---|\n| BERT-Base | 110 million |\n"
    )
    extra = 'raw_sources:\n  - "SemiAnalysis (2023), GPT-4 architecture, unofficial estimate"\n'
    root = with_macros(kb({"content/a.md": page("a", "A", body, extra)}, mkdocs=QUIET))
    run = run_kb(root, "check")
    assert run.lines == [
        'content/a.md:7:78: error[figure.citation]: cited("25", source="nowhere"): "nowhere" is not among this page\'s raw_sources',
        'content/a.md:8:11: warning[figure.unaccounted]: "175B" is a quantity that is neither a figure nor a cited fact; '
        'compute it with a figure or write {{ cited("175B", source="...") }}',
        'content/a.md:8:52: warning[figure.unaccounted]: "810 GB" is a quantity that is neither a figure nor a cited fact; '
        'compute it with a figure or write {{ cited("810 GB", source="...") }}',
        'content/a.md:12:15: warning[figure.unaccounted]: "110 million" is a quantity that is neither a figure nor a cited '
        'fact; compute it with a figure or write {{ cited("110 million", source="...") }}',
    ]


def test_a_model_name_that_wraps_onto_the_next_line_is_not_a_quantity(kb) -> None:  # type: ignore[no-untyped-def]
    body = "The largest dense model here is Llama\n3.1 405B; a 405B model needs space.\n"
    root = with_macros(kb({"content/a.md": page("a", "A", body)}, mkdocs=QUIET))
    assert [line.split(": ", 2)[1] + " " + line.split('"')[1] for line in run_kb(root, "check").lines] == [
        "warning[figure.unaccounted] 405B"]
    assert run_kb(root, "check").lines[0].startswith("content/a.md:6:13:")


def test_macros_that_hang_on_import_fail_after_the_figure_timeout(kb) -> None:  # type: ignore[no-untyped-def]
    mkdocs = QUIET + "      figure_timeout: 8\n"
    root: Path = kb({"content/a.md": page("a", "A", 'x {{ params("nn.Linear(2, 2)") }}\n'),
                     "macros/__init__.py": "while True:\n    pass\n"}, mkdocs=mkdocs)
    run = run_kb(root, "check")
    assert run.status == 1
    assert run.lines == ["macros/__init__.py:1:1: error[macros.failed]: importing macros/ ran past its timeout of 8 s and was stopped"]


def test_a_page_whose_front_matter_is_broken_reports_that_not_each_citation(kb) -> None:  # type: ignore[no-untyped-def]
    text = '---\nid: a\ntitle: [A\nraw_sources: ["Kaplan et al. 2020"]\n---\nC = {{ cited("6ND", source="Kaplan") }}.\n'
    root: Path = kb({"content/a.md": text}, mkdocs=QUIET)
    run = run_kb(root, "check")
    assert [line.split(": ")[1] for line in run.lines] == ["error[frontmatter.yaml]"]
