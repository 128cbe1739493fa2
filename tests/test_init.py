"""``kb init``: a new knowledge base that builds strictly at once, offline, and
a refusal that changes nothing where a knowledge base (or any file) exists."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest
import yaml

from kb.cli import main
from tests.conftest import Run, run_kb

FILES = [
    "mkdocs.yml", "site_config/schema.yml", "content/index.md", "content/a-small-network.md",
    "macros/__init__.py", "macros/models.py", ".gitignore", ".github/workflows/kb.yml",
]


def kb_init(*args: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["init", *args])
    return Run(status, out.getvalue(), err.getvalue())


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_new_knowledge_base_builds_strictly_at_once_and_offline(tmp_path: Path) -> None:
    folder = tmp_path / "my-kb"
    run = kb_init(str(folder))
    assert (run.status, run.stdout.split()) == (0, FILES)
    assert run.stderr == f"kb: a new knowledge base in {folder}; build it with: cd {folder} && kb build --strict\n"
    check = run_kb(folder, "check", "--strict")
    assert (check.status, check.lines) == (0, [])
    build = run_kb(folder, "build", "--strict")
    assert (build.status, build.lines) == (0, [])
    site = folder / "site"
    for name in ("index.html", "a-small-network/index.html", "concept-graph/index.html",
                 "assets/kb/cytoscape.min.js", "kb-ledger.json", "verification-ledger/index.html"):
        assert (site / name).is_file(), name
    assert '"verified": 2' in (site / "kb-ledger.json").read_text()  # the figure and the block
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        loaded = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', html)
        assert loaded == [], (page, loaded)  # no fonts, scripts or styles from the internet
    assert yaml.safe_load((folder / "mkdocs.yml").read_text())["site_name"] == "My kb"


def test_the_workflow_checks_builds_and_publishes(tmp_path: Path) -> None:
    assert kb_init(str(tmp_path / "kb")).status == 0
    workflow = yaml.safe_load((tmp_path / "kb/.github/workflows/kb.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    commands = [step.get("run", "") for step in steps]
    assert "kb check --format github" in commands and "kb build --strict" in commands
    assert any("download.pytorch.org/whl/cpu" in command for command in commands)
    assert [step["uses"] for step in workflow["jobs"]["deploy"]["steps"]] == ["actions/deploy-pages@v4"]


def test_the_language_is_the_sites_and_its_searchs(tmp_path: Path) -> None:
    assert kb_init(str(tmp_path / "ko"), "--language", "ko", "--title", "지식 베이스").status == 0
    config = yaml.safe_load((tmp_path / "ko/mkdocs.yml").read_text(encoding="utf-8"))
    assert config["site_name"] == "지식 베이스"
    assert config["theme"]["language"] == "ko"
    assert config["plugins"][0] == {"search": {"lang": "ko"}}
    refused = kb_init(str(tmp_path / "xx"), "--language", "klingon")
    assert refused.status == 2 and refused.stderr.startswith("kb: --language klingon is not a language the site's search knows")
    assert not (tmp_path / "xx").exists()


@pytest.mark.parametrize("existing", ["mkdocs.yml", ".gitignore", "content/index.md"])
def test_refuses_to_replace_anything(tmp_path: Path, existing: str) -> None:
    folder = tmp_path / "kb"
    (folder / existing).parent.mkdir(parents=True)
    (folder / existing).write_text("mine\n", encoding="utf-8")
    before = files(folder)
    run = kb_init(str(folder))
    assert run.status == 2 and run.stdout == ""
    reason = "already holds a knowledge base (mkdocs.yml)" if existing == "mkdocs.yml" else f"already has {existing}"
    assert reason in run.stderr
    assert files(folder) == before


def test_init_in_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "README.md").write_text("a repository's own file\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    run = kb_init()
    assert run.status == 0
    assert run.stderr == "kb: a new knowledge base in this folder; build it with: kb build --strict\n"
    assert (tmp_path / "README.md").read_text() == "a repository's own file\n"
