"""The data of the global concept-graph page, with its layout computed at
build time so the browser draws at once, even for thousands of nodes."""

from __future__ import annotations

import json
import math

import networkx as nx

from kb.model import Page
from kb.site.verification import PageState

EXACT_LAYOUT_LIMIT = 499  # networkx lays out larger graphs with scipy, which kb does not need otherwise


def graph_json(graph: nx.MultiDiGraph, pages: list[Page], urls: dict[str, str], generality: dict[str, int],
               states: dict[str, PageState] | None = None) -> str:
    """Nodes with position, size, metadata, aliases (for the find box) and whether their figures
    hold; typed edges. Stable, so builds are reproducible."""
    states = states or {}
    positions = layout(graph)
    scale = 80 * math.sqrt(max(len(pages), 1)) + 120  # about one node width apart at any size
    degrees = dict(graph.degree())
    nodes = []
    for page in sorted(pages, key=lambda p: p.source):
        x, y = positions.get(page.source, (0.0, 0.0))
        nodes.append({
            "id": page.source, "label": page.title, "url": urls.get(page.source, ""),
            "x": round(x * scale, 1), "y": round(y * scale, 1), "degree": degrees.get(page.source, 0),
            "generality": generality.get(page.source, 0),
            "difficulty": str(page.meta.difficulty) if page.meta.difficulty else None,
            "trust": page.meta.trust, "status": page.meta.status,
            "category": page.doc_path.rsplit("/", 1)[0] if "/" in page.doc_path else "",
            "tags": sorted(page.meta.tags), "aliases": list(page.aliases),
            "state": states.get(page.source, PageState()).word,
        })
    edges = [
        {"source": s, "target": t, "type": kind}
        for s, t, kind in sorted(graph.edges(keys=True))
        if s != t
    ]
    return json.dumps({"nodes": nodes, "edges": edges}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def layout(graph: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Positions in about [-1, 1]: a seeded force layout for graphs of moderate size; above
    that, categories on a circle and each category's pages on a sunflower spiral (linear time)."""
    if graph.number_of_nodes() == 0:
        return {}
    if graph.number_of_nodes() <= EXACT_LAYOUT_LIMIT:
        simple = nx.Graph()
        simple.add_nodes_from(sorted(graph.nodes))
        simple.add_edges_from(sorted((s, t) for s, t in graph.edges() if s != t))
        positions = nx.spring_layout(simple, seed=7, iterations=80)
        return {node: (float(x), float(y)) for node, (x, y) in positions.items()}
    groups: dict[str, list[str]] = {}
    for node in sorted(graph.nodes):
        groups.setdefault(node.rsplit("/", 1)[0], []).append(node)
    result = {}
    golden = math.pi * (3 - math.sqrt(5))
    for index, (_, members) in enumerate(sorted(groups.items())):
        angle = 2 * math.pi * index / len(groups)
        cx, cy = math.cos(angle) * 0.8, math.sin(angle) * 0.8
        spread = 0.8 * math.sin(math.pi / max(len(groups), 2)) * 0.9
        for k, node in enumerate(members):
            r = spread * math.sqrt((k + 0.5) / len(members))
            result[node] = (cx + r * math.cos(k * golden), cy + r * math.sin(k * golden))
    return result
