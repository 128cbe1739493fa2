"""Shared fixtures: a tiny knowledge base written into tmp_path, and kb run on it."""

from __future__ import annotations

import contextlib
import io
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from kb.cli import main

REPO = Path(__file__).resolve().parent.parent
SCHEMA = REPO / "site_config" / "schema.yml"
MKDOCS = "site_name: test\ndocs_dir: content\nplugins:\n  - kb\n"


@dataclass
class Run:
    """What one kb command printed and returned."""

    status: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if line]


def write_kb(root: Path, files: dict[str, str | bytes], mkdocs: str = MKDOCS) -> Path:
    """Write a knowledge base: mkdocs.yml, the real schema, and ``files`` (paths relative to root)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(mkdocs, encoding="utf-8")
    (root / "site_config").mkdir(exist_ok=True)
    shutil.copy(SCHEMA, root / "site_config" / "schema.yml")
    (root / "content").mkdir(exist_ok=True)
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8", newline="")
    return root


def run_kb(root: Path, *args: str) -> Run:
    """Run ``kb ARGS --config-file root/mkdocs.yml`` in this process."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main([*args, "--config-file", str(root / "mkdocs.yml")])
    return Run(status, out.getvalue(), err.getvalue())


def page(id: str, title: str, body: str = "", extra: str = "") -> str:
    """A minimal valid page: id and title, optional extra front-matter lines, then the body."""
    return f"---\nid: {id}\ntitle: {title}\n{extra}---\n{body}"


@pytest.fixture
def kb(tmp_path: Path) -> Callable[..., Path]:
    """``kb({"content/a.md": "..."})`` writes a knowledge base and returns its root."""

    def make(files: dict[str, str | bytes], mkdocs: str = MKDOCS) -> Path:
        return write_kb(tmp_path / "kb", files, mkdocs)

    return make
