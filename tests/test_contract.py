"""The authoring contract (AUTHORING.md), checked as written: the example front
matter of section 2 validates as it is, the diagnostics of section 6 come out
character for character, and REFERENCE.md documents everything kb declares."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest
import yaml

from kb.check.schema import SPEC_KEYS
from kb.check.schema_file import DEFAULT_SCHEMA, load_schema
from kb.cli import _parser
from kb.config import OPTIONS, load_config
from kb.diagnostics import CODES
from kb.model import ChangelogEntry
from kb.pipeline import run_check
from tests.conftest import REPO, SCHEMA, page, run_kb

REFERENCE = REPO / "REFERENCE.md"

# Section 2 of the authoring contract (AUTHORING.md), verbatim.
CONTRACT_FRONT_MATTER = """\
---
id: wiki-2026-0508-parameter
title: Parameter
category: 10_Wiki/Topics
status: verified
canonical_id: self
aliases: [Model Parameter, Weight, Trainable Parameter]
duplicate_of: none
source_trust_level: A
confidence_score: 0.95
verification_status: applied
tags: [parameter, weight, hyperparameter, ml-fundamentals]
raw_sources: []
last_reinforced: 2026-05-10
github_commit: pending
tech_stack:
  language: python
  framework: pytorch
changelog:
  - {date: 2026-05-08, change: Phase 1}
  - {date: 2026-05-10, change: Manual cleanup}
---
"""

# Section 6 of the authoring contract, verbatim: the examples about moe.md, which kb reproduces character for character.
CONTRACT_DIAGNOSTICS = [
    "content/moe.md:3:1: error[frontmatter.type]: confidence_score must be a number in [0, 1], got 1.5",
    "content/moe.md:40:7: error[link.unresolved]: [[Mixtrl]] names no page; did you mean [[Mixtral]]?",
]


# ---------------------------------------------------------------------------
# Section 2: the example front matter validates exactly as it is


def _contract_kb(kb) -> Path:  # type: ignore[no-untyped-def]
    return kb({  # type: ignore[no-any-return]
        "content/parameter.md": CONTRACT_FRONT_MATTER + "\n# Parameter\n\nIts neighbour is [[Hyperparameter]].\n",
        "content/hyperparameter.md": page("hyperparameter", "Hyperparameter", "Not a [[Parameter]].\n"),
    })


def test_contract_front_matter_validates_with_no_diagnostic(kb) -> None:  # type: ignore[no-untyped-def]
    root = _contract_kb(kb)
    run = run_kb(root, "check", "--strict")
    assert (run.status, run.stdout) == (0, "")
    assert run.stderr == "kb: 2 pages, 2 links: no problems\n"


def test_contract_front_matter_is_read_as_written(kb) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    root = _contract_kb(kb)
    # Also on the very day of the newest date: not in the future.
    result = run_check(load_config(str(root / "mkdocs.yml")), today=dt.date(2026, 5, 10))
    assert list(result.diagnostics) == []
    parameter = next(p for p in result.pages if p.source == "content/parameter.md")
    assert parameter.id == "wiki-2026-0508-parameter"
    assert parameter.aliases == ["Model Parameter", "Weight", "Trainable Parameter"]
    assert parameter.meta.raw["tech_stack"] == {"language": "python", "framework": "pytorch"}
    assert parameter.meta.raw["changelog"][1] == {"date": dt.date(2026, 5, 10), "change": "Manual cleanup"}
    assert parameter.meta.changelog[1] == ChangelogEntry(dt.date(2026, 5, 10), "Manual cleanup")
    assert (parameter.meta.trust, parameter.meta.confidence, parameter.meta.last_reinforced) == ("A", 0.95, dt.date(2026, 5, 10))
    # canonical_id: self and duplicate_of: none are keywords, not edges
    assert {data["type"] for _, _, data in result.graph.edges(data=True)} == {"link"}
    # Every field of the example is declared by the schema.
    assert set(parameter.meta.raw) <= set(result.schema.fields)


def test_contract_front_matter_is_valid_a_day_too_early_only_with_errors(kb) -> None:  # type: ignore[no-untyped-def]
    """The check is real: a day before the changelog's newest date, the dates are in the future."""
    import datetime as dt

    root = _contract_kb(kb)
    result = run_check(load_config(str(root / "mkdocs.yml")), today=dt.date(2026, 5, 9))
    assert [d.as_text() for d in result.diagnostics.sorted()] == [
        "content/parameter.md:14:1: error[frontmatter.date]: last_reinforced 2026-05-10 is in the future (today is 2026-05-09)",
        "content/parameter.md:21:6: error[frontmatter.date]: changelog[1].date 2026-05-10 is in the future (today is 2026-05-09)",
    ]


# ---------------------------------------------------------------------------
# Section 6: the example diagnostics, character for character


def moe_page() -> str:
    """content/moe.md: confidence_score 1.5 on line 3, [[Mixtrl]] at line 40, column 7."""
    lines = ["---", "id: moe", "confidence_score: 1.5", "title: Mixture of Experts", "---", "", "# Mixture of Experts", "",
             "A sparse model family; [[Mixtral]] is the best known."]
    while len(lines) < 39:
        lines.append("" if len(lines) % 2 else f"Prose line {len(lines) + 1}.")
    lines.append("Using [[Mixtrl]] as the example.")
    lines.append("")
    return "\n".join(lines)


def test_moe_page_is_built_as_the_contract_says() -> None:
    lines = moe_page().split("\n")
    assert lines[2] == "confidence_score: 1.5"
    assert lines[39].index("[[Mixtrl]]") == 6


def test_contract_diagnostics_are_reproduced_exactly(kb) -> None:  # type: ignore[no-untyped-def]
    root = kb({
        "content/moe.md": moe_page(),
        "content/mixtral.md": page("mixtral", "Mixtral", "A sparse [[Mixture of Experts]] model.\n"),
    })
    run = run_kb(root, "check")
    assert run.status == 1
    assert run.lines == CONTRACT_DIAGNOSTICS
    assert run.stderr == "kb: 2 pages, 2 links: 2 errors, 0 warnings\n"

    as_json = json.loads(run_kb(root, "check", "--format", "json").stdout)
    assert as_json == [
        {"path": "content/moe.md", "line": 3, "column": 1, "severity": "error", "code": "frontmatter.type",
         "message": "confidence_score must be a number in [0, 1], got 1.5"},
        {"path": "content/moe.md", "line": 40, "column": 7, "severity": "error", "code": "link.unresolved",
         "message": "[[Mixtrl]] names no page; did you mean [[Mixtral]]?"},
    ]
    assert run_kb(root, "check", "--format", "github").lines == [
        "::error file=content/moe.md,line=3,col=1,title=frontmatter.type::confidence_score must be a number in [0, 1], got 1.5",
        "::error file=content/moe.md,line=40,col=7,title=link.unresolved::[[Mixtrl]] names no page; did you mean [[Mixtral]]?",
    ]


# ---------------------------------------------------------------------------
# REFERENCE.md documents everything kb declares (in the style of datasette's test_docs.py)


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _schema_fields() -> list[str]:
    """The fields of kb's default schema and of this knowledge base's (which extends it)."""
    default = yaml.safe_load(DEFAULT_SCHEMA.read_text(encoding="utf-8"))["fields"]
    own = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))["fields"]
    return list({**default, **own})


def _command_options() -> list[tuple[str, tuple[str, ...]]]:
    return [
        (name, tuple(action.option_strings))
        for name, sub in _subcommands().items()
        for action in sub._actions
        if action.option_strings and not isinstance(action, argparse._HelpAction)
    ]


@pytest.fixture(scope="module")
def reference() -> str:
    assert REFERENCE.is_file(), "REFERENCE.md is missing at the repository root"
    return REFERENCE.read_text(encoding="utf-8")


def test_the_lists_are_not_empty() -> None:
    """The documentation tests below are generated from these; an empty list would test nothing."""
    assert {"link.unresolved", "graph.orphan", "config.missing"} <= set(CODES)
    assert {"check", "new", "graph"} <= set(_subcommands())
    assert {"warn_orphans", "warn_dead_ends", "home"} <= set(OPTIONS)
    assert {"id", "title", "confidence_score", "changelog"} <= set(_schema_fields())


@pytest.mark.parametrize("code", sorted(CODES))
def test_diagnostic_code_is_documented(reference: str, code: str) -> None:
    assert f"`{code}`" in reference


@pytest.mark.parametrize("command", sorted(_subcommands()))
def test_subcommand_is_documented(reference: str, command: str) -> None:
    assert f"`kb {command}" in reference


@pytest.mark.parametrize(("command", "flags"), _command_options(), ids=lambda v: v if isinstance(v, str) else "/".join(v))
def test_subcommand_option_is_documented(reference: str, command: str, flags: tuple[str, ...]) -> None:
    assert any(re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", reference) for flag in flags), (command, flags)


@pytest.mark.parametrize("option", sorted(OPTIONS))
def test_kb_option_is_documented(reference: str, option: str) -> None:
    assert f"`{option}`" in reference


@pytest.mark.parametrize("field", _schema_fields())
def test_schema_field_is_documented(reference: str, field: str) -> None:
    assert re.search(rf"^\| `{re.escape(field)}` \|", reference, re.MULTILINE), field  # a row of the fields' table


@pytest.mark.parametrize("rule", sorted(SPEC_KEYS))
def test_schema_rule_is_documented(reference: str, rule: str) -> None:
    assert re.search(rf"^\| (`\w+`, )*`{rule}`( \||,)", reference, re.MULTILINE), rule  # a row of the rules' table


def test_the_default_schema_is_valid_and_requires_nothing() -> None:
    schema, problems = load_schema(None, "")
    assert problems == [] and schema is not None
    assert schema.required == []
    assert set(schema.fields) == set(yaml.safe_load(DEFAULT_SCHEMA.read_text(encoding="utf-8"))["fields"])
