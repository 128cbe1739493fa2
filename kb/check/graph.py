"""The concept graph: pages as nodes with their metadata, typed edges.

Edge types: ``link`` (a resolved link in the body), ``canonical``
(``canonical_id`` names another page) and ``duplicate`` (``duplicate_of``).
Nodes are keyed by the page's source path, which is always unique even when
ids are missing or clash.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import networkx as nx

from kb.check.learning import Relation
from kb.check.links import Edge
from kb.config import KbOptions
from kb.diagnostics import Diagnostics
from kb.model import EdgeKind, Page, PageId

# Front-matter fields that name another page, and the kind of edge each makes.
EDGE_FIELDS = {"canonical_id": EdgeKind.CANONICAL, "duplicate_of": EdgeKind.DUPLICATE}


def build_graph(pages: list[Page], edges: list[Edge], by_id: dict[PageId, Page],
                relations: Sequence[Relation] = ()) -> nx.MultiDiGraph:
    """Nodes for pages, one edge per (source, target, kind); links carry how often they occur.
    Edge keys and ``type`` attributes are the plain strings of ``EdgeKind``; a prerequisite
    edge points from a page to what it needs first."""
    graph = nx.MultiDiGraph()
    for page in pages:
        graph.add_node(page.source, **_node_data(page))
    link = EdgeKind.LINK.value
    for edge in edges:
        if edge.source is edge.target:
            continue
        key = (edge.source.source, edge.target.source, link)
        if graph.has_edge(*key):
            graph.edges[key]["count"] += 1
        else:
            graph.add_edge(*key, type=link, count=1, line=edge.link.line)
    for relation in relations:
        if relation.source is not relation.target:
            graph.add_edge(relation.source.source, relation.target.source, key=relation.kind.value,
                           type=relation.kind.value, count=1, line=relation.link.line)
    for page in pages:
        for field, kind in EDGE_FIELDS.items():
            value = page.meta.raw.get(field)
            target = by_id.get(PageId(value)) if isinstance(value, str) else None
            if target is not None and target is not page:
                graph.add_edge(page.source, target.source, key=kind.value, type=kind.value, count=1,
                               line=page.front_matter.position(field)[0] if page.front_matter else 1)
    return graph


def _node_data(page: Page) -> dict[str, Any]:
    """A node's attributes: where the page is, and its front matter under the field names authors write."""
    meta = page.meta
    fields: dict[str, Any] = {
        "id": meta.id, "category": meta.category, "status": meta.status, "source_trust_level": meta.trust,
        "confidence_score": meta.confidence, "verification_status": meta.verification,
        "aliases": list(meta.aliases) if meta.raw.get("aliases") is not None else None,
        "tags": list(meta.tags) if meta.raw.get("tags") is not None else None,
        "last_reinforced": meta.last_reinforced.isoformat() if meta.last_reinforced else None,
    }
    data: dict[str, Any] = {"path": page.source, "doc_path": page.doc_path, "title": page.title}
    data.update((key, value) for key, value in fields.items() if value is not None)
    return data


def generality(graph: nx.MultiDiGraph) -> dict[str, int]:
    """How central each page is in the concept graph, from 0 to 1000: its PageRank (damping
    0.85) over the edges of every kind, each pair of pages counted once, scaled so that the
    most central page has 1000. A page that many pages link to, need first or relate to,
    directly or through other central pages, is general; a page nothing points to is narrow.
    Deterministic: nodes are taken in sorted order and the iteration runs to a fixed precision."""
    import numpy as np  # only the site and kb graph need it; a check does not

    nodes = sorted(graph.nodes)
    if not nodes:
        return {}
    place = {node: i for i, node in enumerate(nodes)}
    pairs = sorted({(place[s], place[t]) for s, t in graph.edges() if s != t})
    n = len(nodes)
    source = np.array([s for s, _ in pairs], dtype=np.int64)
    target = np.array([t for _, t in pairs], dtype=np.int64)
    out = np.bincount(source, minlength=n).astype(float)
    dangling = out == 0
    rank = np.full(n, 1.0 / n)
    for _ in range(1000):
        spread = np.bincount(target, weights=rank[source] / out[source], minlength=n) if pairs else np.zeros(n)
        new = (1 - 0.85) / n + 0.85 * (spread + rank[dangling].sum() / n)
        done = np.abs(new - rank).sum() < 1e-13
        rank = new
        if done:
            break
    top = rank.max()
    return {node: round(1000 * float(rank[i] / top)) for i, node in enumerate(nodes)}


def backlinks(graph: nx.MultiDiGraph, page: Page) -> list[str]:
    """The source paths of pages that link to ``page``, sorted."""
    return sorted({source for source, _, kind in graph.in_edges(page.source, keys=True) if kind == EdgeKind.LINK})


def report_shape(graph: nx.MultiDiGraph, pages: list[Page], options: KbOptions, diags: Diagnostics) -> None:
    """Warn about orphans (nothing links here) and dead ends (links nowhere)."""
    if len(pages) < 2:
        return
    for page in pages:
        if not page.usable:
            continue
        if options.warn_orphans and page.doc_path != options.home and graph.in_degree(page.source) == 0:
            diags.add(page.source, 1, 1, "graph.orphan", "no other page links here")
        if options.warn_dead_ends and graph.out_degree(page.source) == 0:
            diags.add(page.source, 1, 1, "graph.dead_end", "this page links to no other page")


def to_json(graph: nx.MultiDiGraph) -> str:
    """Node-link JSON: ``{"nodes": [...], "links": [...]}``, sorted for stable output."""
    nodes = [{"key": node, **_jsonable(data)} for node, data in sorted(graph.nodes(data=True))]
    links = [
        {"source": s, "target": t, **_jsonable(data)}
        for s, t, _, data in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2]))
    ]
    return json.dumps({"directed": True, "nodes": nodes, "links": links}, ensure_ascii=False, indent=1, default=str)


def to_graphml(graph: nx.MultiDiGraph) -> str:
    """GraphML; list-valued attributes (aliases, tags) become JSON strings, as GraphML holds scalars only."""
    flat = nx.MultiDiGraph()
    for node, data in sorted(graph.nodes(data=True)):
        flat.add_node(node, **{k: _scalar(v) for k, v in data.items()})
    for s, t, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
        flat.add_edge(s, t, key=key, **{k: _scalar(v) for k, v in data.items()})
    _one_type_per_attribute([data for _, data in flat.nodes(data=True)])
    return "\n".join(nx.generate_graphml(flat)) + "\n"


def _one_type_per_attribute(records: list[dict[str, Any]]) -> None:
    """GraphML declares a type per attribute, and networkx writes a second
    declaration of the same name when the types differ, which other tools
    misread; so ``confidence_score: 1`` next to ``0.95`` becomes 1.0, and any
    other mix becomes text."""
    kinds: dict[str, set[type]] = {}
    for data in records:
        for key, value in data.items():
            kinds.setdefault(key, set()).add(type(value))
    for data in records:
        for key, value in data.items():
            if len(kinds[key]) > 1:
                data[key] = float(value) if kinds[key] == {int, float} else _text(value)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (v if isinstance(v, (str, int, float, bool, list, type(None))) else str(v)) for k, v in data.items()}


def _scalar(value: Any) -> str | int | float | bool:
    if isinstance(value, (str, int, float, bool)):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)
