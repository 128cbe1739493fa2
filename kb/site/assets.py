"""The site's CSS and JavaScript: kb's own (kb/site/static), the knowledge
base's additions (site_config/assets) and the graph library from the npm
registry (node_modules), all copied into the site: no CDN. Also the Markdown
extensions the site's pages are written for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kb.check.names import toc_slugify

STATIC = Path(__file__).resolve().parent / "static"
CSS = "assets/kb/kb.css"
JS = "assets/kb/kb.js"
GRAPH_LIBRARY = "assets/kb/cytoscape.min.js"
LIBRARIES = {GRAPH_LIBRARY: "node_modules/cytoscape/dist/cytoscape.min.js"}


# Python-Markdown extensions and their settings; the heading ids are kb's slugs,
# so the anchors that ``kb check`` resolves are the anchors the site has.
MARKDOWN_EXTENSIONS: dict[str, dict[str, Any]] = {
    "toc": {"permalink": True, "slugify": toc_slugify},
    "attr_list": {},
    "md_in_html": {},
    "admonition": {},
    "tables": {},
    "pymdownx.details": {},
    "pymdownx.superfences": {},
}


class MissingAsset(Exception):
    """A front-end library is not installed (run the set-up command)."""


def stylesheets(root: Path) -> list[str]:
    """Site paths of the CSS every page loads: kb's, then the knowledge base's own."""
    return [CSS, *(extra for extra in _own_extras(root) if extra.endswith(".css"))]


def scripts(root: Path) -> list[str]:
    """Site paths of the JavaScript every page loads: kb's, then the knowledge base's own."""
    return [JS, *(extra for extra in _own_extras(root) if not extra.endswith(".css"))]


def _own_extras(root: Path) -> list[str]:
    """Site paths of the knowledge base's own CSS and JavaScript, in site_config/assets."""
    folder = root / "site_config" / "assets"
    names = sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    return [f"assets/site/{name}" for name in names]


def files(root: Path) -> dict[str, Path]:
    """Site path -> file for every asset the site needs."""
    found = {f"assets/kb/{p.name}": p for p in sorted(STATIC.iterdir()) if p.is_file()}
    folder = root / "site_config" / "assets"
    if folder.is_dir():
        found.update({f"assets/site/{p.name}": p for p in sorted(folder.iterdir()) if p.is_file()})
    for site_path, relative in LIBRARIES.items():
        for base in (root, Path(__file__).resolve().parents[2]):
            if (base / relative).is_file():
                found[site_path] = base / relative
                break
        else:
            raise MissingAsset(f"{relative} is missing; run `npm ci` (the set-up command does) to install it")
    return found
