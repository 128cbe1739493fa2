"""A vault written for Obsidian checks as Obsidian sees it: notes without front
matter, Obsidian's own properties, notes that share a file name, attachments and
block references; only the link Obsidian cannot resolve either is reported."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import REPO, run_kb

VAULT = REPO / "tests" / "fixtures" / "obsidian_vault"


def copy_of_vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    shutil.copytree(VAULT, root, ignore=shutil.ignore_patterns(".kb-cache", "site"))
    return root


def test_only_what_obsidian_cannot_resolve_is_reported(tmp_path: Path) -> None:
    run = run_kb(copy_of_vault(tmp_path), "check")
    assert run.lines == ['notes/Reading list.md:11:3: error[link.unresolved]: [[A note I have not written yet]] names no page']
    assert run.status == 1
    assert run.stderr == "kb: 7 pages, 14 links: 1 error, 0 warnings\n"


def test_notes_are_named_and_linked_as_obsidian_does(tmp_path: Path) -> None:
    root = copy_of_vault(tmp_path)
    graph = json.loads(run_kb(root, "graph").stdout)
    nodes = {n["key"]: n for n in graph["nodes"]}
    links = {(link["source"], link["target"]) for link in graph["links"]}
    # No front matter: the title is the file name, the id the path.
    assert (nodes["notes/Daily/2026-11-20.md"]["title"], nodes["notes/Daily/2026-11-20.md"]["id"]) == ("2026-11-20", "Daily/2026-11-20")
    # Obsidian's shapes: one alias as a string, tags separated by commas.
    assert nodes["notes/Reading list.md"]["aliases"] == ["Reading"]
    assert nodes["notes/Reading list.md"]["tags"] == ["reading", "papers"]
    # Two notes called Ideas: [[Ideas]] is the one whose path it is (the top of the vault) ...
    assert ("notes/Daily/2026-11-20.md", "notes/Ideas.md") in links
    assert ("notes/Projects/Ideas.md", "notes/Ideas.md") in links
    # ... and [[Projects/Ideas]] names the other; the alias finds its note.
    assert ("notes/index.md", "notes/Projects/Ideas.md") in links
    assert ("notes/Projects/Ideas.md", "notes/Reading list.md") in links


def test_the_quantity_check_is_on_unless_the_vault_turns_it_off(tmp_path: Path) -> None:
    root = copy_of_vault(tmp_path)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("      warn_unaccounted: false\n", "      home: index.md\n"), encoding="utf-8")
    codes = [line.split("[")[1].split("]")[0] for line in run_kb(root, "check").lines]
    assert codes.count("figure.unaccounted") == 2  # "16 GB" and "65M", which this vault does not compute
