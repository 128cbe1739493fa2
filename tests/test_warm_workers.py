"""Warm workers: every page session is a fresh process forked from a zygote that imported torch
and transformers once, isolated as a cold worker is, and kb goes on cold where the zygote cannot."""

from __future__ import annotations

import os
import signal
import tempfile
from pathlib import Path

import pytest

from kb.figures import zygote_client
from kb.figures.worker_client import Worker
from tests.conftest import page, run_kb, write_kb
from tests.test_execute import QUIET, exec_block


def exec_reply(worker: Worker, code: str) -> dict[str, object]:
    return worker.call({"op": "exec", "code": code, "path": "content/a.md", "line": 1}, timeout=60)


def parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])


def zygote_pids() -> set[int]:
    return {zygote.pid for zygote in zygote_client._zygotes.values()}


@pytest.fixture
def session_root(tmp_path: Path) -> Path:
    return write_kb(tmp_path / "kb", {}, mkdocs=QUIET)


def test_each_session_is_forked_by_the_zygote_and_sees_nothing_of_the_last(session_root: Path) -> None:
    first, second = Worker(session_root), Worker(session_root)
    try:
        marked = exec_reply(first, "import os, torch\ntorch.kb_mark = 1\nprint(os.getpid(), os.getppid())")
        worker_pid, reaper_pid = map(int, str(marked["stdout"]).split())
        assert parent_of(reaper_pid) in zygote_pids()  # forked warm, not started by kb
        frozen = exec_reply(first, "import gc\nprint(gc.get_freeze_count() > 100_000)")  # the zygote's imports, shared
        assert frozen["stdout"] == "True\n"
        seen = exec_reply(second, "import os, torch\nprint(hasattr(torch, 'kb_mark'), os.getpid())")
        leaked, other_pid = str(seen["stdout"]).split()
        assert (leaked, int(other_pid) != worker_pid) == ("False", True)
        assert Path.cwd() != second.folder and str(second.folder) in str(exec_reply(second, "import os\nprint(os.getcwd())")["stdout"])
    finally:
        first.stop()
        second.stop()


def test_each_worker_loads_its_own_knowledge_base_macros(tmp_path: Path) -> None:
    registering = "from kb.runtime import model\nimport torch.nn as nn\n\n@model('{name}')\ndef build():\n    return nn.Linear(2, 3)\n"
    one = write_kb(tmp_path / "one", {"macros/__init__.py": registering.format(name="only-in-one")}, mkdocs=QUIET)
    two = write_kb(tmp_path / "two", {"macros/__init__.py": registering.format(name="only-in-two")}, mkdocs=QUIET)
    manifests = []
    for root in (one, two, one):
        worker = Worker(root)
        try:
            manifests.append(worker.call({"op": "hello"}, timeout=60)["manifest"])
        finally:
            worker.stop()
    models = [sorted(name for name in m["models"] if name.startswith("only-in")) for m in manifests]  # type: ignore[index]
    assert models == [["only-in-one"], ["only-in-two"], ["only-in-one"]]


def test_a_killed_zygote_is_replaced_and_the_check_goes_on(kb) -> None:  # type: ignore[no-untyped-def]
    zygote_client.close_all()  # only the check's own zygote, started afresh
    root: Path = kb({"content/a.md": page("a", "A", exec_block("print(6 * 7)", "42"))}, mkdocs=QUIET)
    assert run_kb(root, "check").status == 0
    before = zygote_pids()
    assert len(before) == 1
    for pid in before:
        os.kill(pid, signal.SIGKILL)
    (root / "content/a.md").write_text(page("a", "A", exec_block("print(6 * 8)", "48")), encoding="utf-8")
    assert (run_kb(root, "check").status, zygote_pids() & before) == (0, set())
    assert zygote_pids()


@pytest.mark.parametrize("warm", ["1", "0"])
def test_hangs_crashes_and_memory_caps_read_the_same_warm_or_cold(kb, monkeypatch: pytest.MonkeyPatch, warm: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KB_WARM_WORKERS", warm)
    blocks = "\n".join([exec_block("x = bytearray(8 * 2**30)"), exec_block("print('alive')", "alive"),
                        exec_block("import ctypes\nctypes.string_at(0)"), exec_block("print('not run')")])
    root: Path = kb({"content/a.md": page("a", "A", blocks), "content/b.md": page("b", "B", exec_block("while True:\n    pass"))},
                    mkdocs=QUIET)
    run = run_kb(root, "check")
    assert run.lines == [
        "content/a.md:6:1: error[block.failed]: MemoryError",
        "content/a.md:17:1: error[block.failed]: the block crashed the Python process (signal SIGSEGV)",
        "content/a.md:22:1: error[block.failed]: not run: the session ended at line 17",
        "content/b.md:5:1: error[block.failed]: the block ran past its timeout of 4 s and was stopped",
    ], run.stdout


@pytest.mark.parametrize("warm", ["1", "0"])
def test_each_worker_computes_on_one_thread_unless_the_author_lets_a_choice_through(
        session_root: Path, monkeypatch: pytest.MonkeyPatch, warm: str) -> None:
    # kb runs a worker per core at once; PyTorch's own pool in each would fight the others for them.
    monkeypatch.setenv("KB_WARM_WORKERS", warm)
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    code = "import os, torch\nprint(torch.get_num_threads(), os.environ['OMP_NUM_THREADS'])"
    seen = []
    for allowed in ((), ("OMP_NUM_THREADS",)):
        worker = Worker(session_root, env_names=allowed)
        try:
            seen.append(str(exec_reply(worker, code)["stdout"]).split())
        finally:
            worker.stop()
    assert seen == [["1", "1"], ["2", "2"]]


@pytest.mark.parametrize(("macros", "imported"), [("from transformers import GPT2Config, GPT2LMHeadModel", "True"),
                                                   ("import torch", "False")])
def test_the_zygote_imports_the_model_code_the_knowledge_base_names_before_it_forks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, macros: str, imported: str) -> None:
    # Each session that builds a GPT-2 would otherwise import transformers' GPT-2 code again.
    monkeypatch.setenv("KB_WARM_WORKERS", "1")
    zygote_client.close_all()  # a zygote started for another test's knowledge base knows other names
    code = "import sys\nprint('transformers.models.gpt2.modeling_gpt2' in sys.modules)"
    root = write_kb(tmp_path / "kb", {
        "macros/__init__.py": f"def gpt2():\n    {macros}\n",
        "content/a.md": page("a", "A", exec_block(code, imported)),
    }, mkdocs=QUIET)
    run = run_kb(root, "check")
    assert (run.status, run.stderr) == (0, "kb: 1 page, 0 links: no problems\n")


def test_a_zygote_that_cannot_start_leaves_nothing_behind_and_workers_start_cold(
        session_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_WARM_WORKERS", "1")
    zygote_client.close_all()
    monkeypatch.setattr(zygote_client, "_failed", set())
    monkeypatch.setattr(zygote_client, "_model_code", ("A" * 200_000,))  # longer than a command line may be
    folders = set(Path(tempfile.gettempdir()).glob("kb-zygote-*"))
    worker = Worker(session_root)
    try:
        reply = exec_reply(worker, "print(6 * 7)")
    finally:
        worker.stop()
    assert (reply["stdout"], zygote_pids(), set(Path(tempfile.gettempdir()).glob("kb-zygote-*"))) == ("42\n", set(), folders)
