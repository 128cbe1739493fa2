"""Link resolution: which page a link names, as the authoring contract says.

A wikilink is looked up among every page's title, aliases, id, file name and
path (without ``.md``): first exactly (after NFC), then folded (case, and
spaces, ``-`` and ``_`` alike). Where only file names match, several pages
are told apart as Obsidian does: the page in the linking page's own folder,
else the one with the shortest path (with a warning naming the others). A
Markdown link is a path relative to the page. Anchors must name a heading
of the target page.
"""

from __future__ import annotations

import difflib
import posixpath
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from kb.check.names import exact, fold, slugify
from kb.check.sitepaths import generated_paths
from kb.diagnostics import Diagnostics
from kb.model import DocPath, Heading, Link, Page

# Wikilinks to these name files (![[diagram.png]], [[paper.pdf]]), not pages.
ATTACHMENT_TYPES = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".avif", ".pdf", ".mp4", ".webm",
    ".mp3", ".wav", ".ogg", ".csv", ".json", ".txt", ".zip", ".ipynb", ".py", ".canvas",
})


@dataclass(frozen=True)
class Edge:
    """A resolved link from one page to another (or to itself)."""

    source: Page
    target: Page
    link: Link


@dataclass(frozen=True)
class Match:
    """A page found under a name, and which of its names it was."""

    page: Page
    kind: str  # title, alias, id, file name, path
    name: str  # the name as the page writes it


class NameIndex:
    """Every name of every page, exact and folded, for lookups in O(1)."""

    def __init__(self, pages: list[Page], attachments: set[str] | None = None) -> None:
        tags = [tag for page in pages for tag in page.meta.tags]
        self.generated = generated_paths((p.doc_path for p in pages), tags)
        # Obsidian finds an attachment by its path or, anywhere in the vault, by its file name
        self.attachments = set(attachments or ())
        self.attachment_names = {posixpath.basename(a) for a in self.attachments}
        self._exact: dict[str, dict[int, Match]] = defaultdict(dict)
        self._folded: dict[str, dict[int, Match]] = defaultdict(dict)
        self._display: dict[str, str] = {}  # folded name -> a name to suggest
        # NFC, like names: a file saved on macOS may have a decomposed (NFD) name
        self.by_doc_path = {DocPath(_nfc(page.doc_path)): page for page in pages}
        for page in pages:
            for name, kind in _names(page):
                key = id(page)
                self._exact[exact(name)].setdefault(key, Match(page, kind, name))
                folded = fold(name)
                self._folded[folded].setdefault(key, Match(page, kind, name))
                if kind in ("title", "alias"):
                    self._display.setdefault(folded, name)

    def lookup(self, name: str) -> list[Match]:
        """The pages a name finds: exact matches if any, else folded ones."""
        found = self._exact.get(exact(name))
        if not found:
            found = self._folded.get(fold(name))
        return list(found.values()) if found else []

    def suggest(self, name: str) -> str | None:
        """The closest title or alias to a name that finds nothing."""
        close = difflib.get_close_matches(fold(name), self._display.keys(), n=1, cutoff=0.6)
        return self._display[close[0]] if close else None


def _names(page: Page) -> list[tuple[str, str]]:
    names: list[tuple[str, str]] = []
    if page.meta.title is not None:
        names.append((page.meta.title, "title"))
    names.extend((alias, "alias") for alias in page.aliases)
    if page.id and not page.meta.id_derived:  # a derived id is the page's path, listed below
        names.append((page.id, "id"))
    names.append((page.stem, "file name"))
    names.append((page.doc_path[:-3], "path"))
    return names


def resolve_links(pages: list[Page], index: NameIndex, diags: Diagnostics) -> list[Edge]:
    """Resolve every link of every page; report the ones that name no page or heading."""
    edges = []
    for page in pages:
        for link in page.links:
            target = resolve_wiki(page, link, index, diags) if link.kind == "wiki" else _resolve_markdown(page, link, index, diags)
            if target is None:
                continue
            if link.anchor and not _check_anchor(page, link, target, diags):
                continue
            edges.append(Edge(page, target, link))
    return edges


def resolve_wiki(page: Page, link: Link, index: NameIndex, diags: Diagnostics) -> Page | None:
    """The page a wikilink (or a name in front matter) names, or None after reporting why there is none."""
    if not link.target:
        if not link.anchor:  # [[]] or [[#]]
            diags.add(page.source, link.line, link.column, "link.unresolved", f"{link.raw} is an empty link")
            return None
        return page
    matches = index.lookup(link.target)
    if not matches and link.target.lower().endswith(".md") and index.lookup(link.target[:-3]):
        matches = index.lookup(link.target[:-3])  # Obsidian finds [[page.md]] too
        if len({id(m.page) for m in matches}) == 1:
            diags.add(page.source, link.line, link.column, "link.extension",
                      f"[[{link.target}]] names {matches[0].page.source}; write it without .md: [[{link.target[:-3]}]]")
    if not matches and posixpath.splitext(link.target)[1].lower() in ATTACHMENT_TYPES:
        name = posixpath.normpath(link.target)
        if name in index.attachments or name in index.attachment_names:
            return None  # a picture or a document, not a page: no edge in the concept graph
        diags.add(page.source, link.line, link.column, "link.unresolved",
                  f"[[{link.target}]] names no page and no file in the content folder")
        return None
    if not matches:
        guess = index.suggest(link.target)
        hint = f"; did you mean [[{guess}]]?" if guess else ""
        diags.add(page.source, link.line, link.column, "link.unresolved", f"[[{link.target}]] names no page{hint}")
        return None
    if len(matches) > 1:
        chosen = _by_file_name(page, link, matches, diags)
        if chosen is not None:
            return chosen
        listed = [f'{m.page.source} ({m.kind} "{m.name.strip()}")' for m in sorted(matches, key=lambda m: m.page.source)]
        count = "two" if len(listed) == 2 else str(len(listed))
        diags.add(page.source, link.line, link.column, "link.ambiguous",
                  f"[[{link.target}]] names {count} pages: {', '.join(listed[:-1])} and {listed[-1]}")
        return None
    return matches[0].page


def _by_file_name(page: Page, link: Link, matches: list[Match], diags: Diagnostics) -> Page | None:
    """The page a link names when only file names match, as Obsidian decides: the page whose
    path from the content folder the link is, else the page in the linking page's own folder,
    else the single shortest path (warned about). None: undecided."""
    if any(m.kind not in ("file name", "path") for m in matches):
        return None  # a title, alias or id that names two pages is an error, whatever the files
    by_path = [m.page for m in matches if exact(m.page.doc_path.removesuffix(".md")) == exact(link.target)]
    if len(by_path) == 1:
        return by_path[0]  # the path from the content folder: [[Ideas]] is Ideas.md at the top
    folder = posixpath.dirname(page.doc_path)
    here = [m.page for m in matches if posixpath.dirname(m.page.doc_path) == folder]
    if len(here) == 1:
        return here[0]
    ranked = sorted(matches, key=lambda m: (m.page.doc_path.count("/"), len(m.page.doc_path), m.page.doc_path))
    best, runner_up = ranked[0], ranked[1]
    if best.page.doc_path.count("/") == runner_up.page.doc_path.count("/"):
        return None  # as short as another: ambiguous
    others = [m.page.source for m in ranked[1:]]
    diags.add(page.source, link.line, link.column, "link.shortest_path",
              f"[[{link.target}]] names {len(matches)} pages by file name; the shortest path, {best.page.source}, "
              f"wins over {', '.join(others[:-1]) + ' and ' if len(others) > 1 else ''}{others[-1]}; "
              f"write [[{best.page.doc_path.removesuffix('.md')}]] to say so, or the path of another")
    return best.page


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _resolve_markdown(page: Page, link: Link, index: NameIndex, diags: Diagnostics) -> Page | None:
    if not link.target:
        return page
    base = posixpath.dirname(page.doc_path)
    target = link.target.lstrip("/") if link.target.startswith("/") else posixpath.join(base, link.target)
    path = _nfc(posixpath.normpath(target))
    found: Page | None = index.by_doc_path.get(DocPath(path))
    if found is not None:
        return found
    if path in index.generated:
        return None  # a page the site generates (the graph, the ledger, a tag or category index)
    shown = f"[{link.label or ''}]({link.target})"
    if path.startswith("../") or path == "..":
        diags.add(page.source, link.line, link.column, "link.unresolved", f"{shown} points outside the content folder")
        return None
    # compared without ".md", which every path ends with and would make any two paths look alike
    close = difflib.get_close_matches(path.removesuffix(".md"), [p.removesuffix(".md") for p in index.by_doc_path], n=1, cutoff=0.6)
    hint = f"; did you mean {posixpath.relpath(close[0] + '.md', base or '.')}?" if close else ""
    diags.add(page.source, link.line, link.column, "link.unresolved", f"{shown} names no page (there is no {path}){hint}")
    return None


def _check_anchor(page: Page, link: Link, target: Page, diags: Diagnostics) -> bool:
    anchor = link.anchor or ""
    if anchor.startswith("^"):  # an Obsidian block reference: the target must mark a block with it
        if anchor[1:] in target.block_ids:
            return True
        where = "this page" if target is page else str(target.source)
        shown = f"[[{link.target}#{anchor}]]"
        close = difflib.get_close_matches(anchor[1:], list(target.block_ids), n=1)
        hint = f"; did you mean ^{close[0]}?" if close else ""
        diags.add(page.source, link.line, link.column, "link.anchor", f"{shown} names no block ^{anchor[1:]} of {where}{hint}")
        return False
    wanted = anchor.split("#")[-1].strip()  # [[Page#Section#Subsection]] names the last heading
    if find_heading(target.headings, wanted) is not None:
        return True
    close = difflib.get_close_matches(fold(wanted), {fold(h.text): h.text for h in target.headings}, n=1, cutoff=0.5)
    names = {fold(h.text): h.text for h in target.headings}
    if link.kind == "wiki":
        shown = f"[[{link.target}#{anchor}]]"
        hint = f"; did you mean [[{link.target}#{names[close[0]]}]]?" if close else ""
    else:
        shown = f"[{link.label or ''}]({link.target}#{anchor})"
        slug = next((h.anchor for h in target.headings if fold(h.text) == close[0]), None) if close else None
        hint = f"; did you mean #{slug}?" if slug else ""
    where = "this page" if target is page else str(target.source)
    diags.add(page.source, link.line, link.column, "link.anchor", f"{shown} names no heading of {where}{hint}")
    return False


def find_heading(headings: list[Heading], wanted: str) -> Heading | None:
    """The heading an anchor names: by its text (exact or folded) or by its slug."""
    folded = fold(wanted)
    slug = slugify(wanted)
    for heading in headings:
        if heading.anchor == wanted or fold(heading.text) == folded or heading.anchor == slug:
            return heading
    return None
