"""kb as its users meet it: a wheel built from this repository, installed into a
fresh virtual environment with nothing of this repository on its path, then
``kb init`` in an empty folder, ``kb check``, ``kb build --strict`` and
``mkdocs build``; a stale figure fails both builds, naming its page and line.

The fresh environment gets kb's dependencies (torch, transformers, MkDocs...)
from this repository's environment through a path file that lists them one
by one, without kb and without this repository's macros: installing them
again would download gigabytes for nothing the test is about."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

STALE = ('"1,738"', '"1,700"')
# What a wheel holds besides kb's Python code.
PACKAGE_DATA = ["kb/check/default_schema.yml", "kb/site/static/kb.css", "kb/site/static/kb.js", "kb/site/static/kb-graph.js",
                "kb/site/vendor/cytoscape/cytoscape.min.js", "kb/site/vendor/cytoscape/LICENSE"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """kb's wheel, built from a copy of the sources (so the build leaves nothing in the repository)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("kb", "pyproject.toml", "setup.py", "README.md", "package.json", "package-lock.json"):
        copy = shutil.copytree if (REPO / name).is_dir() else shutil.copy
        copy(REPO / name, source / name)
    shutil.copytree(REPO / "node_modules/cytoscape", source / "node_modules/cytoscape")
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(source)],
                   check=True, capture_output=True, text=True, timeout=600)
    (built,) = dist.glob("kb-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with kb installed from the wheel."""
    root = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True, timeout=120)
    purelib = Path(subprocess.run([str(root / "bin/python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  check=True, capture_output=True, text=True).stdout.strip())
    dependencies = root / "dependencies"
    dependencies.mkdir()
    ours = Path(sysconfig.get_paths()["purelib"])
    for entry in ours.iterdir():
        if entry.name.startswith(("kb-", "kb.", "__editable__", "_kb", "macros")) or entry.name == "kb":
            continue  # kb itself and anything that points back into this repository
        (dependencies / entry.name).symlink_to(entry)
    (purelib / "dependencies.pth").write_text(f"{dependencies}\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(root / "bin/python"), "install", "--no-index", "-q", str(wheel)],
                   check=True, capture_output=True, text=True, timeout=600)
    return root


def run(venv: Path, cwd: Path, *command: str) -> subprocess.CompletedProcess[str]:
    """A command of the fresh environment, in ``cwd``, with nothing of this repository on the path."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(list(command), cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_the_wheel_holds_kb_and_its_front_end_only(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} == {"kb", wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info"}
    for name in PACKAGE_DATA:
        assert name in names, name
    assert not any(name.startswith(("macros/", "content/", "tests/")) for name in names)


def test_a_new_knowledge_base_from_the_installed_wheel(venv: Path, tmp_path: Path) -> None:
    where = run(venv, tmp_path, "python", "-c", "import kb; print(kb.__file__)")
    assert where.stdout.startswith(str(venv)), where
    no_macros = run(venv, tmp_path, "python", "-c", "import macros")
    assert no_macros.returncode == 1 and "ModuleNotFoundError: No module named 'macros'" in no_macros.stderr

    assert run(venv, tmp_path, "kb", "init", "notes").returncode == 0
    root = tmp_path / "notes"
    check = run(venv, root, "kb", "check")
    assert (check.returncode, check.stdout, check.stderr) == (0, "", "kb: 2 pages, 2 links: no problems\n")
    build = run(venv, root, "kb", "build", "--strict")
    assert build.returncode == 0, build.stderr
    site = root / "site"
    for name in ("concept-graph/index.html", "assets/kb/cytoscape.min.js", "kb-ledger.json", "a-small-network/index.html"):
        assert (site / name).is_file(), name
    for page in site.rglob("*.html"):  # nothing loaded from the internet
        assert re.findall(r'<(?:script|link)[^>]+(?:src|href)="https?://', page.read_text(encoding="utf-8")) == [], page
    plain = run(venv, root, "python", "-m", "mkdocs", "build", "-q")
    assert plain.returncode == 0, plain.stderr

    page = root / "content/a-small-network.md"
    page.write_text(page.read_text(encoding="utf-8").replace(*STALE), encoding="utf-8")
    stale = 'content/a-small-network.md:18:26: error[figure.stale]: params("tiny-mlp") is 1,738 (1.738K); the page says 1,700'
    ours = run(venv, root, "kb", "build")
    assert (ours.returncode, ours.stdout.splitlines()[0]) == (1, stale)
    theirs = run(venv, root, "python", "-m", "mkdocs", "build", "-q")
    assert theirs.returncode == 1 and stale in theirs.stderr
