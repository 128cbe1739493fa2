"""``kb new "Title"``: a page in the house format that ``kb check`` accepts as written."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest
import yaml

from kb.check.load import parse_page
from kb.diagnostics import Diagnostics
from kb.model import DocPath, SourcePath
from tests.conftest import page, run_kb, write_kb
from tests.test_contract import CONTRACT_FRONT_MATTER

SECTIONS = [
    "One-line summary", "Core", "Patterns", "Decision criteria", "Graph", "Anti-patterns", "Verification", "Changelog",
]

BASE = {
    "content/index.md": page("home", "Home", "# Home\n\n[[Parameter]] and [[C Language]]\n"),
    "content/concepts/parameter.md": page(
        "wiki-param", "Parameter", "Back [[Home]].\n", "aliases: [Weight, 파라미터]\n",
    ),
    # "C Language" lives in c.md: the file `kb new "C++"` would write.
    "content/c.md": page("c-lang", "C Language", "[[Home]]\n"),
}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_kb(tmp_path / "kb", dict(BASE))


def files(root: Path) -> dict[str, bytes]:
    """Every file under the knowledge base (hidden ones too), with its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def check_diagnostics(root: Path) -> tuple[int, list[str]]:
    run = run_kb(root, "check")
    return run.status, run.lines


def new_page_warnings(path: str) -> list[str]:
    """What kb check says about a new page nothing links to yet: only its place in the graph."""
    return [
        f"{path}:1:1: warning[graph.dead_end]: this page links to no other page",
        f"{path}:1:1: warning[graph.orphan]: no other page links here",
    ]


def test_the_base_knowledge_base_is_clean(root: Path) -> None:
    assert check_diagnostics(root) == (0, [])


def test_new_page_in_the_house_format(root: Path) -> None:
    run = run_kb(root, "new", "Machine Learning")
    assert (run.status, run.stdout, run.stderr) == (0, "content/machine-learning.md\n", "")
    text = (root / "content" / "machine-learning.md").read_text(encoding="utf-8")
    today = dt.date.today()

    # The front matter has every field of the contract's example, in the same order, then the
    # learning structure's fields that have a default.
    front, _, body = text.removeprefix("---\n").partition("\n---\n")
    meta = yaml.safe_load(front)
    contract = yaml.safe_load(CONTRACT_FRONT_MATTER.strip().strip("-"))
    assert list(meta) == [*contract, "prerequisites", "related"]
    assert meta == {
        "id": f"wiki-{today:%Y-%m%d}-machine-learning",
        "title": "Machine Learning",
        "category": "",
        "status": "draft",
        "canonical_id": "self",
        "aliases": [],
        "duplicate_of": "none",
        "source_trust_level": "D",
        "confidence_score": 0.5,
        "verification_status": "pending",
        "tags": [],
        "raw_sources": [],
        "last_reinforced": today,
        "github_commit": "pending",
        "tech_stack": {"language": "python", "framework": "pytorch"},
        "changelog": [{"date": today, "change": "Created"}],
        "prerequisites": [],
        "related": [],
    }

    # The body: the title, then the house sections in order.
    parsed = parse_page(text, SourcePath("content/machine-learning.md"), DocPath("machine-learning.md"), Diagnostics())
    assert [(h.level, h.text) for h in parsed.headings] == [(1, "Machine Learning"), *((2, s) for s in SECTIONS)]
    assert parsed.links == []  # the template's [[wikilinks]] hint is inside a comment
    assert body.startswith("\n# Machine Learning\n")

    # kb check: no error; the only news is that nothing links to the new page yet.
    assert check_diagnostics(root) == (0, new_page_warnings("content/machine-learning.md"))


def test_new_page_is_clean_once_linked(root: Path) -> None:
    assert run_kb(root, "new", "Machine Learning").status == 0
    path = root / "content" / "machine-learning.md"
    path.write_text(path.read_text(encoding="utf-8").replace("*Not linked yet.*", "Uses a [[Parameter]]."), encoding="utf-8")
    index = root / "content" / "index.md"
    index.write_text(index.read_text(encoding="utf-8") + "\n[[Machine Learning]]\n", encoding="utf-8")
    run = run_kb(root, "check", "--strict")
    assert (run.status, run.lines) == (0, [])


def test_new_page_in_a_category(root: Path) -> None:
    run = run_kb(root, "new", "Gradient Descent", "--category", "sub/folder")
    assert (run.status, run.stdout) == (0, "content/sub/folder/gradient-descent.md\n")
    text = (root / "content/sub/folder/gradient-descent.md").read_text(encoding="utf-8")
    assert 'category: "sub/folder"\n' in text
    assert check_diagnostics(root) == (0, new_page_warnings("content/sub/folder/gradient-descent.md"))


def test_new_page_with_a_korean_title(root: Path) -> None:
    run = run_kb(root, "new", "경사 하강법")
    assert (run.status, run.stdout) == (0, "content/경사-하강법.md\n")
    text = (root / "content" / "경사-하강법.md").read_text(encoding="utf-8")
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta["title"] == "경사 하강법"
    assert meta["id"] == f"wiki-{dt.date.today():%Y-%m%d}-경사-하강법"
    assert "\n# 경사 하강법\n" in text
    assert check_diagnostics(root) == (0, new_page_warnings("content/경사-하강법.md"))


def test_new_page_title_with_yaml_characters(root: Path) -> None:
    """A title YAML would misread unquoted (a colon, quotes, a leading #) is kept as text."""
    run = run_kb(root, "new", 'Attention: "all you need" #1')
    assert (run.status, run.stdout) == (0, "content/attention-all-you-need-1.md\n")
    text = (root / "content" / "attention-all-you-need-1.md").read_text(encoding="utf-8")
    assert yaml.safe_load(text.split("---\n")[1])["title"] == 'Attention: "all you need" #1'
    assert check_diagnostics(root) == (0, new_page_warnings("content/attention-all-you-need-1.md"))


def test_same_title_in_another_folder_gets_a_new_id(root: Path) -> None:
    """"Gradient!" is a new name, but its file name and id would repeat those of a page
    written the same day in another folder; the id is made unique."""
    assert run_kb(root, "new", "Gradient", "--category", "a").status == 0
    run = run_kb(root, "new", "Gradient!", "--category", "b")
    assert (run.status, run.stdout) == (0, "content/b/gradient.md\n")
    first = yaml.safe_load((root / "content/a/gradient.md").read_text(encoding="utf-8").split("---\n")[1])
    second = yaml.safe_load((root / "content/b/gradient.md").read_text(encoding="utf-8").split("---\n")[1])
    assert second["id"] == first["id"] + "-2"
    status, lines = check_diagnostics(root)
    assert status == 0, lines
    assert all(line.split(": ")[1].startswith("warning[graph.") for line in lines)


# ---------------------------------------------------------------------------
# Refusals: exit status 2, nothing written


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("Parameter", '"Parameter" already names content/concepts/parameter.md (its title)'),
        ("PARAMETER", '"PARAMETER" already names content/concepts/parameter.md (its title)'),
        ("Weight", '"Weight" already names content/concepts/parameter.md (its alias)'),
        ("파라미터", '"파라미터" already names content/concepts/parameter.md (its alias)'),
        (unicodedata.normalize("NFD", "파라미터"), '"파라미터" already names content/concepts/parameter.md (its alias)'),
        ("c-lang", '"c-lang" already names content/c.md (its id)'),
        ("index", '"index" already names content/index.md (its file name)'),
    ],
    ids=["title", "folded title", "alias", "Korean alias", "decomposed Korean alias", "id", "file name"],
)
def test_refuses_a_title_that_names_a_page(root: Path, title: str, message: str) -> None:
    before = files(root)
    run = run_kb(root, "new", title)
    assert (run.status, run.stdout) == (2, "")
    assert unicodedata.normalize("NFC", run.stderr) == f"kb: {message}\n"
    assert files(root) == before


def test_refuses_to_overwrite_an_existing_file(root: Path) -> None:
    """"C++" names no page, but its file name c.md is taken: the file stays byte for byte."""
    before = files(root)
    run = run_kb(root, "new", "C++")
    assert (run.status, run.stdout, run.stderr) == (2, "", "kb: content/c.md already exists\n")
    assert files(root) == before  # no temporary file left behind either


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["new", ""], "the title is empty"),
        (["new", "   "], "the title is empty"),
        (["new", "???"], 'cannot make a file name from the title "???"; use letters or digits'),
        (["new", "Escape", "--category", "../x"], "--category ../x must be a folder inside the content folder"),
        (["new", "Escape", "--category", "a/../../x"], "--category a/../../x must be a folder inside the content folder"),
    ],
    ids=["empty", "blank", "no letters", "parent folder", "parent folder inside"],
)
def test_refuses_bad_arguments(root: Path, args: list[str], message: str) -> None:
    before = files(root)
    outside = sorted(p.name for p in root.parent.iterdir())
    run = run_kb(root, *args)
    assert (run.status, run.stdout, run.stderr) == (2, "", f"kb: {message}\n")
    assert files(root) == before
    assert sorted(p.name for p in root.parent.iterdir()) == outside  # nothing written next to the knowledge base


# ---------------------------------------------------------------------------
# The schema in force decides the fields


QUIET = "site_name: t\ndocs_dir: content\nplugins:\n  - kb:\n      warn_orphans: false\n      warn_dead_ends: false\n"
OWN_SCHEMA = """\
fields:
  id: {type: string, required: true}
  title: {type: string, required: true}
  owner: {type: string, default: "research team"}
  reviewed: {type: date, default: today}
  notes: {type: string}
"""


def test_new_page_has_the_fields_of_a_schema_of_ones_own(tmp_path: Path) -> None:
    root = write_kb(tmp_path / "kb", {"content/a.md": page("a", "A")}, mkdocs=QUIET)
    (root / "site_config/schema.yml").write_text(OWN_SCHEMA, encoding="utf-8")
    run = run_kb(root, "new", "Beta")
    assert (run.status, run.stdout) == (0, "content/beta.md\n")
    text = (root / "content/beta.md").read_text(encoding="utf-8")
    today = dt.date.today()
    assert text.startswith(f'---\nid: wiki-{today:%Y-%m%d}-beta\ntitle: Beta\nowner: "research team"\nreviewed: {today}\n---\n\n# Beta\n')
    strict = run_kb(root, "check", "--strict")
    assert (strict.status, strict.lines) == (0, [])


def test_new_page_under_the_default_schema_is_valid_under_strict(tmp_path: Path) -> None:
    root = write_kb(tmp_path / "kb", {"content/a.md": "# A page without front matter\n"}, mkdocs=QUIET)
    (root / "site_config/schema.yml").unlink()  # kb's default schema is in force
    assert run_kb(root, "new", "Beta").status == 0
    meta = yaml.safe_load((root / "content/beta.md").read_text(encoding="utf-8").split("---\n")[1])
    assert list(meta) == ["id", "title", "category", "status", "canonical_id", "aliases", "duplicate_of",
                          "source_trust_level", "confidence_score", "verification_status", "tags", "raw_sources",
                          "last_reinforced", "github_commit", "changelog", "prerequisites", "related"]
    strict = run_kb(root, "check", "--strict")
    assert (strict.status, strict.lines) == (0, [])


def test_new_page_refuses_a_required_field_without_a_default(tmp_path: Path) -> None:
    root = write_kb(tmp_path / "kb", {"content/a.md": page("a", "A")}, mkdocs=QUIET)
    (root / "site_config/schema.yml").write_text(OWN_SCHEMA + "  owner_email: {type: string, required: true}\n", encoding="utf-8")
    before = files(root)
    run = run_kb(root, "new", "Beta")
    assert (run.status, run.stdout) == (2, "")
    assert run.stderr == ("kb: the schema requires owner_email but gives it no default; "
                          "add `default:` to its rules in site_config/schema.yml\n")
    assert files(root) == before
