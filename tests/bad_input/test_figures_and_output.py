"""Bad figures, blocks and macros; the console script on many bad pages; the output formats."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.bad_input.rows import QUIET, KbFactory, expect, fm
from tests.bad_input.test_files_and_yaml import HUGE, LAUGHS
from tests.conftest import MKDOCS, page, run_kb

# ---------------------------------------------------------------------------
# Figures, executed code and macros (these start a worker process)

FIGURES_PAGE = page("a", "Alpha", (
    'Stale {{ params("nn.Linear(768, 3072)", expect="2,000,000") }}.\n'
    'Failed {{ params("nn.Linear(-1, 3)") }}.\n'
    'Syntax {{ params("nn.Linear(2, 3)" }}.\n'
    'Unclosed {{ params("nn.Linear(2, 3)")\n'
    "Sandbox {{ ''.__class__ }}.\n"
    'Unknown {{ parms("nn.Linear(2, 3)") }} and {{ params("resnet5") }}.\n'
    'Pin {{ params("nn.Linear(2, 3)", expect="lots") }} {{ params("nn.Linear(2, 3)", expect="9 GB") }}.\n'
    'Good {{ params("nn.Linear(2, 3)", expect="9") }}, in code `{{ nope }}`.\n'
    "\n```python exec\nprint(1 + 1)\n```\n\n```output\n3\n```\n"
    "\n```python exec\nx = 1\nraise ValueError('boom')\n```\n"
))

FIGURES = expect(
    'content/a.md:5:7: error[figure.stale]: params("nn.Linear(768, 3072)") is 2,362,368 (2.362M); the page says 2,000,000',
    'content/a.md:6:8: error[figure.failed]: params("nn.Linear(-1, 3)") failed: cannot build nn.Linear(-1, 3): '
    "Trying to create tensor with negative dimension -1: [3, -1]",
    'content/a.md:7:8: error[figure.syntax]: {{ params("nn.Linear(2, 3)" }} is not a valid expression: '
    "unexpected end of template, expected ','.",
    "content/a.md:8:10: error[figure.syntax]: {{ is not closed by }} on the same line",
    "content/a.md:9:9: error[figure.sandbox]: {{ ''.__class__ }} is refused by the sandbox: "
    "a figure may not reach for an attribute (__class__)",
    "content/a.md:10:9: error[figure.unknown]: parms is not a figure function; did you mean params?",
    'content/a.md:10:44: error[figure.unknown]: params("resnet5"): no model "resnet5" is registered',
    'content/a.md:11:5: error[figure.pin]: cannot read the pin "lots"; write a number such as "25,557,032", "25.6M", '
    '"1.6 TB", "3.15e23", "0.12%" or "~2.4M"',
    'content/a.md:11:52: error[figure.pin]: params("nn.Linear(2, 3)") counts parameters; the pin "9 GB" is in bytes',
    'content/a.md:18:1: error[block.stale]: the output of the block at line 14 differs from the pinned output: '
    'line 1 is "2", the page says "3"',
    "content/a.md:24:1: error[block.failed]: ValueError: boom",
)


def test_bad_figures_and_blocks(kb: KbFactory) -> None:
    root = kb({"content/a.md": FIGURES_PAGE})
    run = run_kb(root, "check")
    assert run.lines == FIGURES
    assert run.status == 1


CITED = expect(
    'content/a.md:7:10: error[figure.citation]: cited("~1.8T", source="a blog"): "a blog" is not among this page\'s raw_sources',
    'content/a.md:8:10: warning[figure.unaccounted]: "175B" is a quantity that is neither a figure nor a cited fact; '
    'compute it with a figure or write {{ cited("175B", source="...") }}',
    'content/a.md:8:38: warning[figure.unaccounted]: "16 GB" is a quantity that is neither a figure nor a cited fact; '
    'compute it with a figure or write {{ cited("16 GB", source="...") }}',
)


def test_cited_facts_and_unaccounted_quantities(kb: KbFactory) -> None:
    body = ('A size: {{ cited("~1.8T", source="SemiAnalysis") }}.\n'
            'Another: {{ cited("~1.8T", source="a blog") }}.\n'
            "A model: 175B parameters, trained in 16 GB, in 8x7B style; 1024 × 1024 and 2020 are fine.\n")
    root = kb({"content/a.md": page("a", "Alpha", body, 'raw_sources: ["SemiAnalysis (2023), an estimate"]\n')}, QUIET)
    run = run_kb(root, "check")
    assert run.lines == CITED
    assert run.status == 1


MACROS = expect("macros/__init__.py:1:1: error[macros.failed]: macros/ cannot be imported: RuntimeError: broken macros")


def test_macros_that_cannot_be_imported(kb: KbFactory) -> None:
    root = kb({"content/a.md": page("a", "Alpha", '{{ params("nn.Linear(2, 3)", expect="9") }}\n'),
               "macros/__init__.py": "raise RuntimeError('broken macros')\n"})
    run = run_kb(root, "check")
    assert run.lines == MACROS
    assert run.status == 1


MODELS = "from torch import nn\nfrom kb.runtime import model\n\n@model('mlp')\ndef mlp() -> nn.Module:\n    return nn.Linear(2, 3)\n"
USES_MLP = page("a", "Alpha", 'It has {{ params("mlp", expect="9") }}.\n')
EMPTY_MACROS = expect(
    'content/a.md:5:8: error[figure.unknown]: params("mlp"): no model "mlp" is registered',
    'macros/__init__.py:1:1: error[macros.empty]: macros/ registers no model, yet pages name models '
    '(content/a.md:5 names "mlp"); register them with @model and, in macros/__init__.py, import the modules '
    "that do (from . import models)")
def test_macros_that_register_nothing_say_what_to_do(kb: KbFactory) -> None:
    root = kb({"content/a.md": USES_MLP, "macros/__init__.py": '"""Forgets to import models.py."""\n', "macros/models.py": MODELS})
    run = run_kb(root, "check")
    assert (run.lines, run.status) == (EMPTY_MACROS, 1)


def test_macros_without_init_are_imported_module_by_module(kb: KbFactory) -> None:
    root = kb({"content/a.md": USES_MLP, "macros/models.py": MODELS})
    run = run_kb(root, "check")
    assert (run.lines, run.status) == ([], 0)


def test_macros_import_each_other_by_name_or_relatively_and_register_once(kb: KbFactory) -> None:
    init = "from . import models\nfrom macros import models as by_name\nassert by_name is models\n"
    block = "```python exec\nimport macros.models\nprint(build_model('mlp'))\n```\n"
    root = kb({"content/a.md": USES_MLP + block, "macros/__init__.py": init, "macros/models.py": MODELS})
    run = run_kb(root, "check")
    assert (run.lines, run.status) == ([], 0)


def test_macros_are_loaded_from_the_knowledge_base_not_from_sys_path(kb: KbFactory, tmp_path: Path) -> None:
    """Another package called macros, first on the path, is never imported instead of the knowledge base's."""
    impostor = tmp_path / "elsewhere" / "macros"
    impostor.mkdir(parents=True)
    (impostor / "__init__.py").write_text("raise SystemExit('the wrong macros')\n", encoding="utf-8")
    root = kb({"content/a.md": USES_MLP, "macros/__init__.py": "from . import models\n", "macros/models.py": MODELS})
    env = {**os.environ, "PYTHONPATH": str(impostor.parent)}
    run = subprocess.run([sys.executable, "-m", "kb", "check", "-f", str(root / "mkdocs.yml")],
                         capture_output=True, text=True, env=env, cwd=impostor.parent, timeout=300)
    assert (run.stdout, run.returncode) == ("", 0), run.stderr


# ---------------------------------------------------------------------------
# The installed console script on a knowledge base full of bad pages

MANY = {
    "content/index.md": page("home", "Home", "[[Alpha]] [[Betta]] [[#Nowhere]] [x](../out.md) [[]]\n"),
    "content/a.md": page("a", "Alpha", "[[Home]]\n", "confidance_score: 0.5\ncanonical_id: nobody\n"),
    "content/dup.md": page("a", "Alpha", extra="duplicate_of: dup\n"),
    "content/huge.md": HUGE,
    "content/binary.md": b"\x00\x01\x02",
    "content/utf16.md": page("u", "U").encode("utf-16"),
    "content/latin1.md": b"---\nid: l\ntitle: Caf\xe9\n---\n",
    "content/laughs.md": fm("id: laughs\ntitle: Laughs\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + LAUGHS),
    "content/deep.md": fm("id: deep\ntitle: Deep\nx: " + "[" * 200_000 + "]" * 200_000 + "\n"),
    "content/deep-block.md": fm("- " * 200_000 + "x\n"),
    "content/spaces.md": page("spaces", "Spaces", "# x" + " " * 200_000 + "y {" + "#a" * 100_000 + "\n"),
    "content/tags.md": fm("id: tags\ntitle: !!python/object:os.system {}\n<<: {a: 1}\n"),
    "content/yaml.md": fm("id: y\ntitle: a: b: c\n"),
    "content/list.md": fm("- a\n"),
    "content/unclosed.md": "---\nid: unclosed\n",
    "content/none.md": "Just text.\n",
    "content/dupkey.md": fm("id: k\ntitle: K\nid: k2\n"),
    "content/types.md": fm("id: t\ntitle: T\nconfidence_score: .nan\nlast_reinforced: 2026-02-30\n"
                           "changelog:\n  - {date: 2999-01-01}\n"),
    "content/cycle1.md": page("c1", "C1", extra="duplicate_of: c2\n"),
    "content/cycle2.md": page("c2", "C2", extra="duplicate_of: c1\n"),
    "content/fold.md": page("fold", "alpha"),
    "content/shared1.md": page("s1", "S1", "[[Shared]]\n", "aliases: [Shared]\n"),
    "content/shared2.md": page("s2", "S2", extra="aliases: [Shared]\n"),
}
MANY_CODES = {
    "page.too_large", "page.binary", "page.encoding", "frontmatter.yaml", "frontmatter.not_mapping",
    "frontmatter.unclosed", "frontmatter.missing", "frontmatter.duplicate_key", "frontmatter.too_complex",
    "frontmatter.required", "frontmatter.type", "frontmatter.date", "frontmatter.unknown_key",
    "frontmatter.duplicate_id", "frontmatter.reference", "frontmatter.cycle", "frontmatter.name_collision",
    "frontmatter.name_folded", "link.unresolved", "link.ambiguous", "link.anchor", "graph.orphan", "graph.dead_end",
}


def test_console_script_survives_a_knowledge_base_of_bad_pages(kb: KbFactory) -> None:
    root = kb(MANY, MKDOCS)
    script = Path(sys.executable).with_name("kb")
    assert script.is_file(), f"the console script is not installed next to {sys.executable}"
    env = {**os.environ, "KB_DEBUG": "1"}  # an internal error would raise, with its traceback
    done = subprocess.run([str(script), "check"], cwd=root, capture_output=True, text=True, timeout=300, env=env)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    assert done.returncode == 1, done.stderr
    codes = set(re.findall(r"^\S+:\d+:\d+: (?:error|warning)\[([a-z_.]+)\]", done.stdout, re.MULTILINE))
    assert codes == MANY_CODES
    # a heading with 200,000 spaces is no problem, nor slow (it once took hours)
    assert [line for line in done.stdout.splitlines() if line.startswith("content/spaces.md")] == [
        "content/spaces.md:1:1: warning[graph.dead_end]: this page links to no other page",
        "content/spaces.md:1:1: warning[graph.orphan]: no other page links here",
    ]
    assert done.stderr.startswith("kb: 20 pages, ")


# ---------------------------------------------------------------------------
# Output formats


def test_json_and_github_formats(kb: KbFactory) -> None:
    root = kb({"content/a.md": page("a", "Alpha", "See [[Betta]], a 100%, here.\n", "confidance_score: 0.5\n"),
               "content/b.md": page("b", "Beta", "[[Alpha]]\n")}, QUIET)
    text = run_kb(root, "check")
    as_json = run_kb(root, "check", "--format", "json")
    assert as_json.status == text.status == 1
    items = json.loads(as_json.stdout)
    assert isinstance(items, list)
    assert items == [
        {"path": "content/a.md", "line": 4, "column": 1, "severity": "warning", "code": "frontmatter.unknown_key",
         "message": "unknown key confidance_score; did you mean confidence_score?"},
        {"path": "content/a.md", "line": 6, "column": 5, "severity": "error", "code": "link.unresolved",
         "message": "[[Betta]] names no page; did you mean [[Beta]]?"},
        {"path": "content/a.md", "line": 6, "column": 18, "severity": "warning", "code": "figure.unaccounted",
         "message": '"100%" is a quantity that is neither a figure nor a cited fact; compute it with a figure '
                    'or write {{ cited("100%", source="...") }}'},
    ]
    assert [f"{d['path']}:{d['line']}:{d['column']}: {d['severity']}[{d['code']}]: {d['message']}" for d in items] == text.lines
    github = run_kb(root, "check", "--format", "github")
    assert github.status == 1
    assert github.lines == [
        "::warning file=content/a.md,line=4,col=1,title=frontmatter.unknown_key::"
        "unknown key confidance_score; did you mean confidence_score?",
        "::error file=content/a.md,line=6,col=5,title=link.unresolved::[[Betta]] names no page; did you mean [[Beta]]?",
        '::warning file=content/a.md,line=6,col=18,title=figure.unaccounted::"100%25" is a quantity that is neither a '
        'figure nor a cited fact; compute it with a figure or write {{ cited("100%25", source="...") }}',
    ]


def test_json_format_of_a_clean_knowledge_base_is_an_empty_list(kb: KbFactory) -> None:
    root = kb({"content/a.md": page("a", "Alpha")})
    run = run_kb(root, "check", "--format", "json")
    assert (json.loads(run.stdout), run.status) == ([], 0)


def test_github_format_escapes_what_workflow_commands_need(kb: KbFactory) -> None:
    root = kb({"content/a,b:c.md": page("a", "Alpha", "[[100% sure]]\n")})
    run = run_kb(root, "check", "--format", "github")
    assert run.lines == ["::error file=content/a%2Cb%3Ac.md,line=5,col=1,title=link.unresolved::[[100%25 sure]] names no page"]
