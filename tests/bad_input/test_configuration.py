"""Configuration errors: exit status 2."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from kb.check.yamlpos import MAX_DEPTH
from kb.cli import main
from kb.config import OPTIONS
from tests.bad_input.rows import Case, KbFactory, case, expect
from tests.conftest import Run, page, run_kb

# ---------------------------------------------------------------------------
# Configuration errors: exit status 2

PAGES = {"content/a.md": page("a", "Alpha")}


def options(text: str) -> str:
    """mkdocs.yml whose kb plugin has these options (the first on line 5)."""
    return "site_name: test\ndocs_dir: content\nplugins:\n  - kb:\n" + "".join(f"      {line}\n" for line in text.splitlines())


CONFIG = [
    case("unknown-option-with-hint", PAGES,
         ["mkdocs.yml:5:7: error[config.invalid]: unknown kb option warn_orphan; did you mean warn_orphans?"], 2,
         mkdocs=options("warn_orphan: false")),
    case("unknown-option-without-hint", PAGES,
         [f"mkdocs.yml:6:7: error[config.invalid]: unknown kb option colour; kb knows {', '.join(OPTIONS)}"], 2,
         mkdocs=options("home: index.md\ncolour: red")),
    case("option-of-wrong-type", PAGES,
         ['mkdocs.yml:5:7: error[config.invalid]: kb option max_page_bytes must be an integer, got "lots"'], 2,
         mkdocs=options("max_page_bytes: lots")),
    case("bool-option-given-a-string", PAGES,
         ['mkdocs.yml:5:7: error[config.invalid]: kb option warn_orphans must be true or false, got "no"'], 2,
         mkdocs=options("warn_orphans: 'no'")),
    case("number-option-given-a-bool", PAGES,
         ["mkdocs.yml:5:7: error[config.invalid]: kb option max_page_bytes must be an integer, got true",
          'mkdocs.yml:6:7: error[config.invalid]: kb option tolerance must be a number, got "5%"'], 2,
         mkdocs=options("max_page_bytes: true\ntolerance: 5%")),
    case("options-not-a-mapping", PAGES,
         ["mkdocs.yml:4:9: error[config.invalid]: the kb plugin's options must be a mapping"], 2,
         mkdocs="site_name: test\ndocs_dir: content\nplugins:\n  - kb: [a]\n"),
    case("plugins-as-a-mapping", PAGES,
         ["mkdocs.yml:5:5: error[config.invalid]: unknown kb option warn_orphanz; did you mean warn_orphans?"], 2,
         mkdocs="site_name: test\ndocs_dir: content\nplugins:\n  kb:\n    warn_orphanz: false\n"),
    case("docs-dir-missing", PAGES,
         ["mkdocs.yml:2:1: error[config.invalid]: docs_dir pages is not a folder"], 2,
         mkdocs="site_name: test\ndocs_dir: pages\n"),
    case("docs-dir-default-missing", PAGES,
         ["mkdocs.yml:1:1: error[config.invalid]: docs_dir docs is not a folder"], 2, mkdocs="site_name: test\n"),
    case("mkdocs-yml-invalid-yaml", PAGES,
         ["mkdocs.yml:3:1: error[config.invalid]: invalid YAML: expected ',' or ']', but got '<stream end>'"], 2,
         mkdocs="site_name: test\ndocs_dir: [content\n"),
    case("mkdocs-yml-nests-too-deep", PAGES, ["mkdocs.yml:1:1: error[config.invalid]: cannot read mkdocs.yml: it nests too deep"], 2,
         mkdocs="site_name: test\ndocs_dir: content\nx: " + "[" * 5000 + "]" * 5000 + "\n"),
    case("mkdocs-yml-is-a-list", PAGES, ["mkdocs.yml:1:1: error[config.invalid]: mkdocs.yml must be a mapping"], 2,
         mkdocs="- site_name\n"),
    case("mkdocs-tags-are-tolerated", PAGES, [], 0,
         mkdocs="site_name: !ENV [NAME, test]\ndocs_dir: content\nmarkdown_extensions:\n  - toc:\n"
                "      slugify: !!python/name:kb.check.names.toc_slugify\n"),
]

SCHEMAS = [
    ("schema-invalid-yaml", "fields:\n  id: [string\n",
     ["site_config/schema.yml:3:1: error[config.schema]: invalid YAML: did not find expected ',' or ']' "
      "(while parsing a flow sequence that starts on line 2)"]),
    ("schema-without-fields", "- a\n",
     ["site_config/schema.yml:1:1: error[config.schema]: the schema must have a mapping 'fields'"]),
    ("schema-unknown-type", "fields:\n  id:\n    type: text\n",
     ["site_config/schema.yml:3:5: error[config.schema]: field id: unknown type text; "
      "types are string, number, integer, boolean, date, list, mapping, null"]),
    ("schema-unknown-rule", "fields:\n  id:\n    type: string\n    requird: true\n",
     ["site_config/schema.yml:4:5: error[config.schema]: field id: unknown rule requird; did you mean required?"]),
    ("schema-bad-pattern", "fields:\n  id:\n    pattern: '[a-'\n",
     ["site_config/schema.yml:3:5: error[config.schema]: field id: pattern is not a regular expression: "
      "unterminated character set at position 0"]),
    ("schema-bound-not-a-number", "fields:\n  n:\n    type: number\n    min: zero\n",
     ["site_config/schema.yml:4:5: error[config.schema]: field n: min must be a number"]),
    ("schema-spec-is-a-number", "fields:\n  n: 3\n",
     ["site_config/schema.yml:2:3: error[config.schema]: field n must be a mapping or a type name"]),
    ("schema-duplicate-field", "fields:\n  id: string\n  id: number\n",
     ["site_config/schema.yml:3:3: error[config.schema]: id is given twice; the first is on line 2"]),
    ("schema-bad-reference-and-flags", "fields:\n  id: string\n  c:\n    reference: pages\n    keyword: 3\n    required: 'no'\n",
     ["site_config/schema.yml:4:5: error[config.schema]: field c: reference must be page",
      "site_config/schema.yml:5:5: error[config.schema]: field c: keyword must be a string",
      "site_config/schema.yml:6:5: error[config.schema]: field c: required must be true or false"]),
    ("schema-nests-too-deep", "fields:\n  x: " + "[" * 5000 + "]" * 5000 + "\n",
     [f"site_config/schema.yml:2:{5 + MAX_DEPTH}: error[config.schema]: front matter nests deeper than 64 levels"]),
]

CONFIG += [
    case(id, {**PAGES, "site_config/schema.yml": schema}, lines, 2) for id, schema, lines in SCHEMAS
]


@pytest.mark.parametrize("row", CONFIG)
def test_configuration_errors(kb: KbFactory, row: Case) -> None:
    schema = row.files.get("site_config/schema.yml")
    root = kb({k: v for k, v in row.files.items() if k != "site_config/schema.yml"}, row.mkdocs)
    if schema is not None:  # the fixture copies the real schema; this row replaces it
        (root / "site_config" / "schema.yml").write_text(str(schema), encoding="utf-8")
    run = run_kb(root, "check")
    assert run.lines == row.lines
    assert run.status == row.status


MISSING_CONFIG = expect("nowhere/mkdocs.yml:1:1: error[config.missing]: nowhere/mkdocs.yml does not exist")
NO_CONFIG_HERE = expect(
    "mkdocs.yml:1:1: error[config.missing]: no mkdocs.yml in this folder; run kb where it is or pass --config-file PATH")


def test_config_file_that_does_not_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = run_kb_argv("check", "--config-file", "nowhere/mkdocs.yml")
    assert (run.lines, run.status) == (MISSING_CONFIG, 2)
    as_json = run_kb_argv("check", "--format", "json", "--config-file", "nowhere/mkdocs.yml")
    assert as_json.status == 2
    assert [d["code"] for d in json.loads(as_json.stdout)] == ["config.missing"]


def test_no_config_in_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = run_kb_argv("check")
    assert (run.lines, run.status) == (NO_CONFIG_HERE, 2)


def test_schema_file_that_does_not_exist(kb: KbFactory) -> None:
    root = kb(PAGES, options("schema: nope.yml"))
    run = run_kb(root, "check")
    assert run.lines == ["nope.yml:1:1: error[config.schema]: cannot read the schema: it does not exist"]
    assert run.status == 2


def test_config_file_given_as_its_folder(kb: KbFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = kb(PAGES)
    run = run_kb_argv("check", "-f", str(root))
    assert (run.lines, run.status) == ([], 0)
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(tmp_path)
    run = run_kb_argv("check", "-f", "empty")
    assert (run.lines, run.status) == (["empty:1:1: error[config.missing]: empty is a folder without a mkdocs.yml"], 2)


def test_a_missing_schema_file_at_the_default_place_means_kbs_default_schema(kb: KbFactory) -> None:
    root = kb({"content/a.md": "# A page without front matter\n"})
    (root / "site_config" / "schema.yml").unlink()
    run = run_kb(root, "check", "--strict")
    assert (run.lines, run.status) == ([], 0)


def run_kb_argv(*argv: str) -> Run:
    """Run kb in this process with exactly these arguments (no --config-file added)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return Run(status, out.getvalue(), err.getvalue())
