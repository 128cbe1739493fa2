"""The check pipeline: load, validate, link, graph, in that order.

    pages = load(content)            -> kb.check.load
    validate(pages, schema)          -> kb.check.schema, kb.check.crosspage
    edges = link(pages)              -> kb.check.links
    graph = build_graph(pages, edges) -> kb.check.graph
    computed = compute(pages)         -> kb.figures.compute (figures and executed blocks)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from kb.check import crosspage
from kb.check import graph as graphs
from kb.check.learning import Relation, check_prerequisites, resolve_relations
from kb.check.links import Edge, NameIndex, resolve_links
from kb.check.load import discover_attachments, load_pages
from kb.check.parsed import ParsedPages
from kb.check.review import report_overdue, reviews
from kb.check.schema import Schema, Spec, validate_page
from kb.check.schema_file import load_schema
from kb.check.sources import check_citations
from kb.config import ConfigError, KbConfig, KbOptions
from kb.diagnostics import Diagnostics
from kb.figures.compute import Computed
from kb.figures.compute import compute as compute_all
from kb.model import Page, PageId


@dataclass
class CheckResult:
    """Everything a check found out about a knowledge base."""

    config: KbConfig
    schema: Schema
    pages: list[Page]
    by_id: dict[PageId, Page]
    edges: list[Edge]
    graph: nx.MultiDiGraph
    diagnostics: Diagnostics
    relations: list[Relation] = field(default_factory=list)
    today: dt.date = field(default_factory=dt.date.today)
    computed: Computed | None = None


def run_check(config: KbConfig, today: dt.date | None = None, compute: bool = False,
              progress: bool | None = None) -> CheckResult:
    """Check the knowledge base that ``config`` describes; with ``compute``, also compute
    every figure and run every block. Raises ConfigError only for a broken
    configuration (schema); content problems are diagnostics."""
    schema = schema_in_force(config)
    today = today or dt.date.today()
    diags = Diagnostics()
    derive_ids = not (schema.fields.get("id") or Spec(("string",))).required
    with _without_cyclic_gc():
        parsed = ParsedPages.open(config.cache_dir / "parsed.pickle")
        pages = load_pages(config.content_dir, config.root, config.options.max_page_bytes, diags, parsed)
        checked_against = f"{schema.source} {today.isoformat()}"
        for page in pages:
            parsed.check(page, checked_against, diags, functools.partial(validate_page, page, schema, today))
        if compute:  # runs that compute keep the cache folder; the others (kb new, kb graph) leave it as it is
            parsed.save()
        for page in pages:
            if derive_ids and page.meta.id is None:
                page.meta = dataclasses.replace(page.meta, id=PageId(page.doc_path.removesuffix(".md")), id_derived=True)
        by_id = crosspage.check_ids(pages, diags)
        crosspage.check_references(pages, by_id, schema, diags)
        crosspage.check_names(pages, diags)
        index = NameIndex(pages, discover_attachments(config.content_dir))
        edges = resolve_links(pages, index, diags)
        relations = resolve_relations(pages, index, diags)
        check_prerequisites(relations, diags)
        for page in pages:
            check_citations(page, diags)
        report_overdue(reviews(pages, schema.review_intervals, today), diags)
        graph = graphs.build_graph(pages, edges, by_id, relations)
        graphs.report_shape(graph, pages, config.options, diags)
    result = CheckResult(config, schema, pages, by_id, edges, graph, diags, relations, today)
    if compute:
        result.computed = compute_all(pages, config, diags, progress)
    return result


def schema_in_force(config: KbConfig) -> Schema:
    """The knowledge base's schema file, or kb's default schema when the knowledge base has
    none at the default place. Raises ConfigError when the schema is broken or a schema
    named in mkdocs.yml is missing."""
    path: Path | None = config.schema_path
    if path is not None and not path.exists() and config.options.schema == KbOptions().schema:
        path = None
    schema, problems = load_schema(path, config.relative(path) if path else "")
    if schema is None:
        raise ConfigError(problems)
    return schema


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """A check builds millions of small objects that all stay alive and hold no
    cycles; the cyclic collector would rescan them over and over (a third of
    the run time on 5,000 pages), so it is paused for the check."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()  # what the check built stays alive; later collections need not scan it
        if collecting:
            gc.enable()
