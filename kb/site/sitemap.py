"""A sitemap for a site whose address is not known (no ``site_url``).

MkDocs writes an empty ``sitemap.xml`` then, but Material's instant
navigation and link previews take the site's own pages from it: they read
each address, put in the scheme and host name the site is being read from,
and compare. Listing every page at ``http://localhost/<path>`` therefore lets
them work wherever the site is served at its host's root on the standard
port; elsewhere links simply load whole pages. A ``site_url`` in mkdocs.yml
(or ``kb build --site-url``) gives MkDocs' own sitemap, with real addresses.
"""

from __future__ import annotations

import contextlib
import gzip
import html
from pathlib import Path

from kb.textedit import write_atomically

PLACEHOLDER_ROOT = "http://localhost/"


def sitemap_xml(urls: list[str]) -> str:
    """The sitemap of pages at these site-relative URLs (``""`` is the home page), sorted."""
    entries = "".join(f"\n    <url>\n         <loc>{html.escape(PLACEHOLDER_ROOT + url)}</loc>\n    </url>"
                      for url in sorted(set(urls)))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}\n</urlset>\n')


def write_sitemap(site_dir: Path, urls: list[str]) -> None:
    """Write ``sitemap.xml`` and its gzip copy (with a fixed time stamp: builds stay
    byte-identical), each only if its bytes change."""
    text = sitemap_xml(urls)
    for path, data in ((site_dir / "sitemap.xml", text.encode("utf-8")),
                       (site_dir / "sitemap.xml.gz", gzip.compress(text.encode("utf-8"), mtime=0))):
        with contextlib.suppress(OSError):
            if path.read_bytes() == data:
                continue
        write_atomically(path, data)
