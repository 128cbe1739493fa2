"""The architecture's boundaries hold, and each contract that states one can fail.

The contracts live in pyproject.toml (``[tool.importlinter]``) and the test
command runs ``lint-imports``. Here each contract is broken on purpose in a
copy of kb, and ``lint-imports`` must say so: a contract that cannot fail
would guard nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import REPO

LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))
CONTRACTS = {c["id"]: c["name"] for c in tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]}

# (contract, file of kb, the import that breaks it)
BREAKS = [
    ("check-needs-no-torch-or-mkdocs", "kb/check/names.py", "import torch"),
    ("check-needs-no-torch-or-mkdocs", "kb/check/links.py", "import material.plugins"),
    ("only-runtime-imports-torch", "kb/figures/pins.py", "import transformers"),
    ("only-runtime-imports-torch", "kb/site/urls.py", "import macros"),
    ("only-mkdocs-adapter-imports-mkdocs", "kb/site/urls.py", "import mkdocs.plugins"),
    ("only-mkdocs-adapter-imports-mkdocs", "kb/cli.py", "import material"),
    ("site-without-mkdocs", "kb/site/urls.py", "import kb.mkdocs.plugin"),
    ("runtime-apart", "kb/runtime/errors.py", "import kb.check.names"),
    ("layers", "kb/check/names.py", "import kb.figures.pins"),
    ("layers", "kb/site/urls.py", "import kb.edit.fix"),
]


def lint(root: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the copy of kb under ``root``, with this repository's contracts."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    options = [option for contract in contracts for option in ("--contract", contract)]
    return subprocess.run([LINT_IMPORTS, "--no-cache", *options], cwd=root, env=env, capture_output=True, text=True, timeout=120)


def copy_of_kb(root: Path) -> Path:
    shutil.copytree(REPO / "kb", root / "kb", ignore=shutil.ignore_patterns("__pycache__", "static"))
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


def test_the_contracts_hold_for_kb_as_it_is(tmp_path: Path) -> None:
    run = lint(copy_of_kb(tmp_path))
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in run.stdout


def test_every_contract_is_broken_by_one_row_below() -> None:
    assert {contract for contract, _, _ in BREAKS} == set(CONTRACTS)


@pytest.mark.parametrize(("contract", "file", "line"), BREAKS, ids=[f"{c}:{f}" for c, f, _ in BREAKS])
def test_breaking_a_contract_fails_lint_imports(tmp_path: Path, contract: str, file: str, line: str) -> None:
    root = copy_of_kb(tmp_path)
    with (root / file).open("a", encoding="utf-8") as stream:
        stream.write(f"\n{line}  # breaks {contract}\n")
    run = lint(root, contract)
    assert run.returncode == 1, run.stdout + run.stderr
    assert f"{CONTRACTS[contract]} BROKEN" in run.stdout
    module, imported = file.removesuffix(".py").replace("/", "."), line.split()[1]
    shown = imported if imported.startswith("kb.") else imported.split(".")[0]  # other packages are named by their top
    assert f"{module} -> {shown} (l." in run.stdout  # the report names the import that crossed the line


def test_every_module_of_kb_is_bound_by_the_import_contracts() -> None:
    """A new top-level module or package must be placed on a side of each boundary."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    by_id = {c["id"]: c for c in config}
    top = {f"kb.{p.stem}" for p in (REPO / "kb").iterdir()
           if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()}
    assert set(by_id["only-runtime-imports-torch"]["source_modules"]) == top - {"kb.runtime"}
    assert set(by_id["only-mkdocs-adapter-imports-mkdocs"]["source_modules"]) == top - {"kb.mkdocs"}
    layered = {m.strip() for layer in by_id["layers"]["layers"] for m in layer.split("|")}
    assert layered == top - {"kb.runtime", "kb.__main__"}


def test_no_module_of_kb_imports_itself_back() -> None:
    """No import cycles: between any two modules of kb, imports go one way."""
    import grimp
    import networkx as nx

    graph = grimp.build_graph("kb", cache_dir=None)
    imports = nx.DiGraph((m, i) for m in graph.modules for i in graph.find_modules_directly_imported_by(m))
    imports.remove_nodes_from(["kb"])  # every module is inside the package kb; that is not a cycle
    assert list(nx.simple_cycles(imports)) == []
