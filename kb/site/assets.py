"""The site's CSS and JavaScript: kb's own (kb/site/static), the knowledge
base's additions (site_config/assets) and the graph library from the npm
registry, all copied into the site: no CDN. Also the Markdown extensions the
site's pages are written for.

The graph library travels with kb: a wheel carries it in kb/site/vendor/
(copied from npm when the wheel is built, see setup.py); a source checkout
finds it in its node_modules/ (``npm ci``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kb.check.names import toc_slugify

_HERE = Path(__file__).resolve().parent
STATIC = _HERE / "static"
VENDOR = _HERE / "vendor"  # filled when a wheel is built
_CHECKOUT = _HERE.parents[1]  # the source checkout, when kb runs from one
CSS = "assets/kb/kb.css"
JS = "assets/kb/kb.js"
GRAPH_JS = "assets/kb/kb-graph.js"
GRAPH_LIBRARY = "assets/kb/cytoscape.min.js"
# site path -> (npm package, its file)
LIBRARIES = {GRAPH_LIBRARY: ("cytoscape", "dist/cytoscape.min.js")}


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


# Material features kb's pages rely on: instant navigation with previews of linked pages,
# breadcrumbs, previous and next (along the learning path), the theme's tooltips, and
# search terms highlighted on the page a result opens.
MATERIAL_FEATURES = ("navigation.instant", "navigation.instant.preview", "navigation.path", "navigation.footer",
                     "content.tooltips", "search.highlight")


class MissingAsset(Exception):
    """A front-end library that kb needs is not where kb looks for it."""


def stylesheets(root: Path) -> list[str]:
    """Site paths of the CSS every page loads: kb's, then the knowledge base's own."""
    return [CSS, *(extra for extra in _own_extras(root) if extra.endswith(".css"))]


def scripts(root: Path) -> list[str]:
    """Site paths of the JavaScript every page loads: kb's, then the knowledge base's own."""
    return [JS, GRAPH_JS, *(extra for extra in _own_extras(root) if not extra.endswith(".css"))]


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
    for site_path, (package, name) in LIBRARIES.items():
        found[site_path] = library(package, name)
    return found


def library(package: str, name: str) -> Path:
    """Where a front-end library's file is: in kb's wheel, or in its source checkout."""
    candidates = [VENDOR / package / Path(name).name, _CHECKOUT / "node_modules" / package / name]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise MissingAsset(
        f"kb's copy of the {package} library is missing (looked for {candidates[0]}); reinstall kb from its "
        f"wheel, or in kb's source checkout run `npm ci`")
