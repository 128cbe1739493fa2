"""The README's examples run as shown: every kb command of "Using kb" on a copy
of the shipped knowledge base, the diagnostics it quotes, the figures it pins,
and every kb command of "Your own knowledge base" in an empty folder."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
NOT_RUN = ("bash scripts/", "pip ", "source ")  # the set-up itself, and installing kb (tests/test_wheel.py)


def section(title: str) -> str:
    """The text of one ``## title`` section of the README."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.MULTILINE | re.DOTALL)
    assert match, title
    return match.group(1)


def commands(text: str) -> list[str]:
    """The command lines of the ```bash blocks of a text, without their comments."""
    found = []
    for block in re.findall(r"^```bash\n(.*?)^```", text, re.MULTILINE | re.DOTALL):
        for line in block.splitlines():
            command = re.split(r"\s{2,}#\s", line)[0].strip()
            if command and not command.startswith(NOT_RUN):
                found.append(command)
    return found


def _copy_shipped(root: Path) -> Path:
    root.mkdir()
    for name in ("content", "macros", "site_config"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return root


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped knowledge base's figures and blocks, computed once for every test here (from
    the repository's own cache where an earlier test or build has filled it)."""
    root = _copy_shipped(tmp_path_factory.mktemp("warm") / "shipped")
    if (REPO / ".kb-cache").is_dir():
        shutil.copytree(REPO / ".kb-cache", root / ".kb-cache")
    run = subprocess.run(["kb", "check"], cwd=root, env=ENV, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout + run.stderr
    return root / ".kb-cache"


@pytest.fixture
def shipped_copy(tmp_path: Path, warm_cache: Path) -> Path:
    """A copy of the shipped knowledge base, with its computations cached."""
    root = _copy_shipped(tmp_path / "shipped")
    shutil.copytree(warm_cache, root / ".kb-cache")
    return root


def run_as_shown(command: str, cwd: Path) -> Path:
    """Run one README command in ``cwd``; returns the folder the next command runs in."""
    if command.startswith("cd "):
        return cwd / command.removeprefix("cd ")
    if command == "kb serve":
        serve_until_it_answers(cwd)
        return cwd
    run = subprocess.run(shlex.split(command), cwd=cwd, env=ENV, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, (command, run.stdout[-2000:], run.stderr[-2000:])
    return cwd


def serve_until_it_answers(cwd: Path) -> None:
    """``kb serve`` as shown (port 8000), until the home page answers; then interrupt it."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", 8000)) == 0:
            pytest.skip("port 8000 is taken on this machine")
    server = subprocess.Popen(["kb", "serve"], cwd=cwd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while True:
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            try:
                with urllib.request.urlopen("http://127.0.0.1:8000/", timeout=5) as reply:
                    assert reply.status == 200 and b"</html>" in reply.read()
                    break
            except OSError:
                assert time.monotonic() < deadline, "kb serve did not answer"
                time.sleep(1)
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=60) == 0
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def test_the_readme_shows_commands() -> None:
    assert "kb check --strict" in commands(section("Using kb"))
    assert "kb init my-kb" in commands(section("Your own knowledge base"))


def test_using_kb_runs_as_shown_on_the_shipped_knowledge_base(shipped_copy: Path) -> None:
    cwd = shipped_copy
    for command in commands(section("Using kb")):
        cwd = run_as_shown(command, cwd)
    assert (cwd / "graph.graphml").is_file() and (cwd / "content/dropout.md").is_file()
    assert (cwd / "site/concept-graph/index.html").is_file()


def test_the_diagnostics_the_readme_quotes_are_what_kb_says(shipped_copy: Path) -> None:
    text = section("Using kb")
    quoted = re.search(r"`kb check` says:\n\n```\n(.*?)```", text, re.DOTALL)
    assert quoted, "the README quotes kb check"
    root = shipped_copy
    page = root / "content/sizing/mixture-of-experts.md"
    lines = page.read_text(encoding="utf-8").split("\n")
    lines = [re.sub(r"^confidence_score: .*$", "confidence_score: 1.5", line) for line in lines]
    title = next(i for i, line in enumerate(lines) if line.startswith("# "))
    lines[title + 1 : title + 1] = ["", "See [[Mixture of expert]] for more."]
    page.write_text("\n".join(lines), encoding="utf-8")
    run = subprocess.run(["kb", "check"], cwd=root, env=ENV, capture_output=True, text=True, timeout=900)
    assert run.returncode == 1
    assert run.stdout.splitlines() == quoted.group(1).splitlines()


def test_the_figures_the_readme_pins_hold(shipped_copy: Path) -> None:
    markdown = re.search(r"^```markdown\n(.*?)^```", section("Using kb"), re.MULTILINE | re.DOTALL)
    assert markdown
    root = shipped_copy
    (root / "content/readme-figures.md").write_text(
        "---\nid: readme-figures\ntitle: README figures\n---\n\n" + markdown.group(1), encoding="utf-8")
    run = subprocess.run(["kb", "check", "--format", "json"], cwd=root, env=ENV, capture_output=True, text=True, timeout=900)
    codes = [d["code"] for d in json.loads(run.stdout) if d["path"] == "content/readme-figures.md"]
    assert run.returncode == 0 and codes == ["graph.dead_end", "graph.orphan"], run.stdout  # nothing links to the page yet


def test_your_own_knowledge_base_runs_as_shown(tmp_path: Path) -> None:
    cwd = tmp_path
    for command in commands(section("Your own knowledge base")):
        cwd = run_as_shown(command, cwd)
    assert (tmp_path / "my-kb/site/kb-ledger.json").is_file()
