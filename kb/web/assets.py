"""The site's CSS and JavaScript: kb's own (kb/web/static), the knowledge
base's additions (site_config/assets) and the graph library from the npm
registry (node_modules), all copied into the site: no CDN."""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"
CSS = "assets/kb/kb.css"
JS = "assets/kb/kb.js"
GRAPH_LIBRARY = "assets/kb/cytoscape.min.js"
LIBRARIES = {GRAPH_LIBRARY: "node_modules/cytoscape/dist/cytoscape.min.js"}


class MissingAsset(Exception):
    """A front-end library is not installed (run the set-up command)."""


def own_extras(root: Path) -> list[str]:
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
