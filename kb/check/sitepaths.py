"""The pages the site adds to the author's: where they are, so links to them check.

The site generates these (kb/site/generated.py); the check knows
their paths without building anything, so ``[the graph](concept-graph.md)``
in a page is a valid link and not ``link.unresolved``."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from kb.check.names import slugify

GRAPH_PAGE = "concept-graph.md"
LEDGER_PAGE = "verification-ledger.md"
TAGS_PAGE = "tags/index.md"
LEARNING_PATH = "learning-path.md"
REVIEW_PAGE = "review.md"


def tag_path(tag: str) -> str:
    """The generated page of one tag."""
    return f"tags/{slugify(tag) or 'tag'}.md"


def generated_paths(doc_paths: Iterable[str], tags: Iterable[str]) -> set[str]:
    """Every page the site generates for these pages and tags (an author's own file of the same path wins)."""
    paths = {GRAPH_PAGE, LEDGER_PAGE, TAGS_PAGE, LEARNING_PATH, REVIEW_PAGE}
    paths.update(tag_path(t) for t in tags)
    for doc_path in doc_paths:
        folder = posixpath.dirname(doc_path)
        while folder:
            paths.add(f"{folder}/index.md")
            folder = posixpath.dirname(folder)
    return paths
