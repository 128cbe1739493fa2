"""What makes a site incomplete, though every page is fine: no home page, no
search, a theme kb's pages are not made for. Reported by ``kb build`` and by
the MkDocs plugin (not by ``kb check``, which builds no site)."""

from __future__ import annotations

from kb.config import KbConfig, places
from kb.diagnostics import Diagnostic

SEARCH_PLUGINS = ("search", "material/search")


def site_diagnostics(config: KbConfig, theme: str, plugins: list[str]) -> list[Diagnostic]:
    """Warnings about the site a knowledge base's configuration builds (``theme``: the theme's
    name; ``plugins``: the names of the plugins it uses)."""
    try:
        where = places(config.config_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        where = {}
    shown = config.relative(config.config_file)
    found = []
    if theme != "material":
        found.append(Diagnostic(shown, *where.get("theme", (1, 1)), "site.theme",
                                f"the theme is {theme}; kb's pages, badges and graph are made for Material "
                                "(theme: {name: material})"))
    if not any(name in SEARCH_PLUGINS for name in plugins):
        found.append(Diagnostic(shown, *where.get("plugins", (1, 1)), "site.search",
                                "the site has no search: list the search plugin under plugins (- search)"))
    home = config.content_dir / config.options.home
    if not home.is_file():
        found.append(Diagnostic(shown, *where.get("docs_dir", (1, 1)), "site.home",
                                f"{config.relative(home)} does not exist, so the site has no home page; write it "
                                "(or name another page with the kb option home)"))
    return found
