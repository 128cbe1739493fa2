"""Where pages end up on the site, and links between them."""

from __future__ import annotations

import html
import posixpath


def page_url(doc_path: str, directory_urls: bool = True) -> str:
    """The site URL of a page, relative to the site root: ``a/b.md`` -> ``a/b/``."""
    stem = doc_path[:-3] if doc_path.endswith(".md") else doc_path
    if posixpath.basename(stem) in ("index", "README"):
        folder = posixpath.dirname(stem)
        return f"{folder}/" if folder else ""
    return f"{stem}/" if directory_urls else f"{stem}.html"


def relative_url(target: str, source: str) -> str:
    """A link from the page at URL ``source`` to URL ``target`` (both relative to the site root)."""
    base = source if source.endswith("/") or not source else posixpath.dirname(source) + "/"
    if not base:
        return target or "./"
    relative = _relpath(target or ".", base.rstrip("/") or ".")
    if target.endswith("/") and not relative.endswith("/"):
        relative += "/"
    return "./" if relative == "./" or relative == "." else relative


def _relpath(target: str, start: str) -> str:
    """``posixpath.relpath`` for two paths relative to the site root, without the file system
    calls it makes (a build asks for tens of thousands of links)."""
    to = [part for part in target.split("/") if part not in ("", ".")]
    here = [part for part in start.split("/") if part not in ("", ".")]
    if ".." in to or ".." in here:
        return posixpath.relpath(target, start)
    common = 0
    while common < min(len(to), len(here)) and to[common] == here[common]:
        common += 1
    return "/".join([".."] * (len(here) - common) + to[common:]) or "."


def md_link(label: str, from_doc: str, to_doc: str, anchor: str | None = None) -> str:
    """A Markdown link from one page to another, its label safe as text."""
    target = _relpath(to_doc, posixpath.dirname(from_doc) or ".")
    suffix = f"#{anchor}" if anchor else ""
    return f"[{md_text(label)}](<{target}{suffix}>)"


def md_text(text: str) -> str:
    """Text that Markdown and HTML show as written: no tags, no emphasis, no links."""
    escaped = html.escape(text, quote=False)
    for char in "\\`*_[]{}<>|#":
        escaped = escaped.replace(char, "\\" + char) if char not in "<>" else escaped
    return escaped.replace("\n", " ")
