"""Hostile knowledge bases, generated: hypothesis composes pages from the shapes
that broke kb before (broken and bomb-like YAML, figures that would hang or
overflow, extreme pins, odd links, blocks in containers, code that fails or
writes into the knowledge base) and asserts, for every one, that kb check
finishes in bounded time, never reports an internal error, exits 0, 1 or 2,
prints exactly one line per diagnostic, and leaves every file as it was.

Figures and blocks come from small fixed sets, so that the cache shared by all
examples computes each only once and the test stays fast."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.cli import main

MKDOCS = "site_name: fuzz\ndocs_dir: content\nplugins:\n  - kb:\n      exec_timeout: 5\n      figure_timeout: 60\n"
DIAGNOSTIC = re.compile(r"^[^\n]+:\d+:\d+: (error|warning)\[[a-z_]+\.[a-z_]+\]: [^\n]*$")

FRONT_MATTER = [
    "", "---\nid: {id}\ntitle: {title}\n---\n", "---\nid: {id}\n---\n", "---\ntitle: [unclosed\n---\n",
    "---\nid: {id}\ntitle: {title}\naliases: Fold\ntags: a, b\npublish: true\n---\n",
    "---\nid: {id}\ntitle: {title}\nconfidence_score: 1e999\nlast_reinforced: 2026-02-30\n---\n",
    "---\nid: {id}\ntitle: {title}\nx: &a [1, 2]\ny: [*a, *a, *a]\n---\n",
    "---\nid: {id}\ntitle: {title}\nnest: " + "[" * 200 + "]" * 200 + "\n---\n",
    "---\nid: {id}\n", "---\n- a list\n---\n", "---\nid: {id}\nid: again\n---\n",
]
LINES = [
    "Plain prose with 16 GB and 175B in it.",
    '{{ params("nn.Linear(2, 2)", expect="6") }} and {{ params("nn.Linear(2, 2)", expect="7") }}',
    '{{ params("nn.Linear(768, 4 * 768)", expect="2.4M") }}',
    "{{ 9**9**9**9 }}", '{{ "a" * 10**10 }}', "{{ ''.__class__.__mro__ }}", "{{ params|attr('x') }}",
    '{{ params("nn.Linear(2, 2)", expect="1e99999") }}', '{{ params("nn.Linear(2, 2)", expect="' + "9" * 60 + '") }}',
    '{{ params("nn.Linear(2, 2)", x=10**100) }}', "{{ params(" + "(" * 300 + "1" + ")" * 300 + ") }}",
    '{{ params("nn.Linear(2, 10**40)") }}', '{{ params("no-such-model") }}', "{{ unclosed",
    '{{ cited("1.8T", source="nowhere") }}',
    "[[Page 1]] [[page-2]] [[Nowhere]] [[]] [[#]] [[#`code` heading]] [[Page 1#^nope]] [[page-1.md]]",
    "[broken](missing.md) [up](../../etc/passwd) ![[picture.png]]", "`[[not a link]]` and `{{ not a figure }}`",
    "## A heading with `code`", "Text ^block-1", "<!-- [[hidden]] {{ hidden }} -->",
    '!!! note "Box"\n\n    Inside the box: [[Page 1]].', "1. item\n\n    ```python\n    print('shown, not run')\n    ```",
    "```python\nunclosed fence", "tab\tand\u2028line separator", "한국어 [[파라미터]] 문장",
]
CODE_PAGES = [
    "```python exec\nprint('hello')\n```\n\n```output\nhello\n```\n",
    "!!! note\n\n    ```Python exec\n    import sys\n    print('out'); print('err', file=sys.stderr)\n    ```\n",
    "```python exec\nraise RuntimeError('line one\\n::error::line two')\n```\n\n"
    "```python exec\nimport pathlib\npathlib.Path(ROOT, 'content', 'page-1.md').write_text('x')\n```\n",
]


@st.composite
def knowledge_bases(draw: st.DrawFn) -> dict[str, str]:
    files = {}
    for number in range(1, draw(st.integers(1, 3)) + 1):
        front = draw(st.sampled_from(FRONT_MATTER)).format(id=f"page-{number}", title=f"Page {number}")
        body = "\n\n".join(draw(st.lists(st.sampled_from(LINES), max_size=6)))
        files[f"content/page-{number}.md"] = front + body + "\n"
    code = draw(st.sampled_from([None, *range(len(CODE_PAGES))]))
    if code is not None:
        files["content/code.md"] = CODE_PAGES[code]
    return files


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for every example: each figure and block is computed once."""
    return tmp_path_factory.mktemp("cache")


def kb(root: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main([*args, "--config-file", str(root / "mkdocs.yml")])
    return status, out.getvalue(), err.getvalue()


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(pages=knowledge_bases())
def test_kb_check_survives_hostile_knowledge_bases(tmp_path: Path, cache: Path, pages: dict[str, str]) -> None:
    root = tmp_path / "kb"
    shutil.rmtree(root, ignore_errors=True)
    (root / "content").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(MKDOCS + f"      cache_dir: {cache}\n", encoding="utf-8")
    for name, text in pages.items():
        (root / name).write_text(text.replace("ROOT", repr(str(root))), encoding="utf-8")
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}

    started = time.monotonic()
    status, text, errors = kb(root, "check")
    assert time.monotonic() - started < 120
    assert status in (0, 1, 2), errors
    assert "internal error" not in errors and "Traceback" not in errors, errors
    lines = text.splitlines()
    assert all(DIAGNOSTIC.match(line) for line in lines), lines
    as_json_status, as_json, _ = kb(root, "check", "--format", "json")
    assert as_json_status == status
    assert len(json.loads(as_json)) == len(lines)  # one line per diagnostic, however many lines a message has

    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert after == before  # nothing of the knowledge base changed
