"""The cache: a check with nothing changed starts no worker and never imports
torch; prose never invalidates; corrupt entries are recomputed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kb.config import load_config
from kb.figures.cache import Cache, digest
from kb.pipeline import run_check
from tests.conftest import page

QUIET = "site_name: t\ndocs_dir: content\nplugins:\n  - kb:\n      warn_orphans: false\n      warn_dead_ends: false\n"
BODY = """\
Dense {{ params("nn.Linear(768, 3072)", expect="2,362,368") }}, conv {{ params("nn.Conv2d(64, 128, 3)", expect="73,856") }}.

```python exec
print(6 * 7)
```

```output
42
```
"""


def check(root: Path) -> tuple[int, list[str], dict[str, str]]:
    """Workers started, diagnostics, and states of figures and blocks."""
    result = run_check(load_config(str(root / "mkdocs.yml")), compute=True)
    assert result.computed is not None
    states = {f.expression.text: f.state for f in result.computed.figures}
    states.update({f"block {b.code.line}": b.state for b in result.computed.blocks})
    return result.computed.workers_started, [d.as_text() for d in result.diagnostics.sorted()], states


def test_a_warm_check_starts_no_worker_and_never_imports_torch_or_mkdocs(kb) -> None:  # type: ignore[no-untyped-def]
    root: Path = kb({"content/a.md": page("a", "A", BODY)}, mkdocs=QUIET)
    started, diagnostics, states = check(root)
    assert started == 2 and diagnostics == []  # one for figures, one for the page's session
    assert set(states.values()) == {"verified"}
    script = (
        "import sys; from kb.pipeline import run_check; from kb.config import load_config\n"
        f"r = run_check(load_config({str(root / 'mkdocs.yml')!r}), compute=True)\n"
        "print(r.computed.workers_started, 'torch' in sys.modules, len(r.diagnostics))\n"
    )
    warm = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert warm.stdout.split() == ["0", "False", "0"]
    # The whole command, as a user runs it: nothing of torch, transformers, MkDocs or Material is loaded.
    command = (
        "import sys; from kb.cli import main\n"
        f"status = main(['check', '--config-file', {str(root / 'mkdocs.yml')!r}])\n"
        "heavy = ('torch', 'transformers', 'mkdocs', 'material', 'macros')\n"
        "print(status, sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    warm = subprocess.run([sys.executable, "-c", command], capture_output=True, text=True, check=True)
    assert warm.stdout == "0 []\n"


def test_prose_and_pins_do_not_invalidate_but_code_does(kb) -> None:  # type: ignore[no-untyped-def]
    root: Path = kb({"content/a.md": page("a", "A", BODY)}, mkdocs=QUIET)
    check(root)
    path = root / "content/a.md"
    path.write_text(page("a", "A", "New prose.\n\n" + BODY.replace('expect="73,856"', 'expect="74K"')), encoding="utf-8")
    started, diagnostics, _ = check(root)
    assert (started, diagnostics) == (0, [])
    path.write_text(page("a", "A", BODY.replace("print(6 * 7)", "print(6 * 7 + 0)")), encoding="utf-8")
    started, _, _ = check(root)
    assert started == 1  # the page's session only; the figures are still cached
    (root / "macros").mkdir()
    (root / "macros/__init__.py").write_text("# a change to macros/ may change any figure\n", encoding="utf-8")
    started, _, _ = check(root)
    assert started == 2


def test_corrupt_and_truncated_entries_are_recomputed(kb) -> None:  # type: ignore[no-untyped-def]
    root: Path = kb({"content/a.md": page("a", "A", BODY)}, mkdocs=QUIET)
    check(root)
    entries = sorted((root / ".kb-cache").rglob("*.json"))
    assert len(entries) == 4  # the manifest, two figures, one page's blocks
    entries[0].write_text(entries[0].read_text()[:20])  # truncated
    entries[1].write_bytes(b"\x00\xff garbage")
    header, payload = entries[2].read_text().split("\n", 1)
    tampered = {**json.loads(payload), "value": 1}  # the checksum in the header no longer matches
    entries[2].write_text(header + "\n" + json.dumps(tampered))
    started, diagnostics, states = check(root)
    assert started >= 1 and diagnostics == [] and set(states.values()) == {"verified"}
    assert len(sorted((root / ".kb-cache").rglob("*.json"))) == 4


def test_cache_entries_round_trip_and_reject_a_wrong_key(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    key = digest("figure", "params", ["gpt2"])
    cache.put(key, {"value": 124_439_808, "error": None})
    assert cache.get(key) == {"value": 124_439_808, "error": None}
    other = digest("figure", "params", ["gpt3"])
    (tmp_path / other[:2]).mkdir(exist_ok=True)
    (tmp_path / key[:2] / f"{key}.json").rename(tmp_path / other[:2] / f"{other}.json")
    assert cache.get(other) is None
    assert not list(tmp_path.rglob(".tmp-*"))


def test_digests_tell_apart_values_that_print_alike() -> None:
    alike = [("ab", "c"), ("a", "bc"), (["a"],), ("a",), ({"a": 1},), (["a", 1],), (1,), ("1",), (True,), (1.0,),
             (None,), ("None",), ((),), ([[]],), ("é",), ("e\u0301",)]
    assert len({digest(*parts) for parts in alike}) == len(alike)
    assert digest({"b": 2, "a": 1}) == digest({"a": 1, "b": 2})  # a mapping's order is not part of it


def test_a_call_is_computed_once_and_hundreds_of_calls_share_a_worker_per_core(kb, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tally = tmp_path / "calls"
    macros = ("from kb.runtime import figure\n\n@figure(unit='number')\ndef echo(n: int) -> int:\n"
              f"    with open({str(tally)!r}, 'a') as calls:\n        calls.write(f'{{n}} ')\n    return n\n")
    repeated = 'Twice on a page {{ echo(7, expect="7") }} and {{ echo(7, expect="7") }}.\n'
    root: Path = kb({"macros/__init__.py": macros, "content/a.md": page("a", "A", repeated),
                     "content/b.md": page("b", "B", repeated)}, mkdocs=QUIET)
    started, diagnostics, states = check(root)
    assert (started, diagnostics, tally.read_text().split(), set(states.values())) == (1, [], ["7"], {"verified"})
    many = "".join(f'{{{{ echo({n}, expect="{n}") }}}}\n' for n in range(250))
    (root / "content/b.md").write_text(page("b", "B", many), encoding="utf-8")
    tally.unlink()
    started, diagnostics, _ = check(root)
    lanes = min(os.cpu_count() or 1, 2)  # one per core for every hundred calls
    computed = sorted(map(int, tally.read_text().split()))
    assert (started, diagnostics, computed) == (lanes, [], [n for n in range(250) if n != 7])  # echo(7): cached


def test_figure_lanes_start_on_models_no_other_lane_computes_and_keep_to_theirs() -> None:
    from types import SimpleNamespace

    from kb.figures.compute import _Calls

    def call(model: str, n: int) -> list:  # type: ignore[type-arg]
        return [SimpleNamespace(call=SimpleNamespace(args=(model, n)), name=f"{model}{n}")]

    queue = _Calls([call("a", 1), call("a", 2), call("b", 1), call("a", 3), call("b", 2)])

    def take(last: str | None, computed: bool) -> str | None:
        same = queue.take(last, computed)
        return None if same is None else same[0].name

    # the second lane leaves model a to the first, which keeps it built
    assert [take(None, False), take(None, False), take("a", True), take("b", True)] == ["a1", "b1", "a2", "b2"]
    # with b done, the second lane helps with a (no model is left that nobody computes)
    assert [take("b", True), take("a", True), take("a", True)] == ["a3", None, None]


def test_pages_with_the_most_code_run_first(kb) -> None:  # type: ignore[no-untyped-def]
    from kb.figures import block as blockmod
    from kb.figures.sessions import _longest_first

    def code(lines: int) -> str:
        return "```python exec\n" + "x = 1\n" * lines + "```\n"

    root: Path = kb({"content/a.md": page("a", "A", code(1)), "content/b.md": page("b", "B", code(3) + code(1)),
                     "content/c.md": page("c", "C", code(2))}, mkdocs=QUIET)
    pages = sorted((p for p in run_check(load_config(None, root)).pages), key=lambda p: p.source)
    blocks = [b for p in pages for b in blockmod.page_blocks(p)]
    assert [p.source for p in _longest_first(pages, blocks)] == ["content/b.md", "content/c.md", "content/a.md"]


def test_under_kb_serve_a_figure_result_is_read_from_its_file_once(kb, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from kb.figures.compute import kept_in_memory

    root: Path = kb({"content/a.md": page("a", "A", BODY)}, mkdocs=QUIET)
    check(root)
    reads: list[str] = []
    real = Cache.get
    monkeypatch.setattr(Cache, "get", lambda self, key: reads.append(key) or real(self, key))
    with kept_in_memory():
        counts = []
        for _ in range(2):
            reads.clear()
            started, diagnostics, _ = check(root)
            counts.append((started, diagnostics, len(reads)))
    # the second check reads the manifest and the block's entry again, but not the two figures'
    assert counts[1] == (0, [], counts[0][2] - 2)
    reads.clear()
    check(root)  # outside kb serve, every entry comes from its file
    assert len(reads) == counts[0][2]
