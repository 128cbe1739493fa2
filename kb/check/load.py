"""Loading: every Markdown file under the content folder becomes a Page.

Reading never raises for bad content. A file that cannot be used at all
(binary, too large, unreadable) yields a diagnostic and no page; a file with
a bad encoding or broken front matter yields a diagnostic and a page that
still takes part in link checking under its file name.
"""

from __future__ import annotations

import os
from pathlib import Path

from kb.check import markdown, yamlpos
from kb.check.parsed import ParsedPages
from kb.diagnostics import Diagnostics
from kb.model import DocPath, FrontMatter, Page, PageMeta, SourcePath

FENCE = "---"
FENCE_ENDS = ("---", "...")


def discover(content_dir: Path) -> list[Path]:
    """Every ``.md`` file under ``content_dir``, sorted, skipping hidden folders and files."""
    found: list[Path] = []
    for root, dirs, files in os.walk(content_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(root, f) for f in files if f.endswith(".md") and not f.startswith("."))
    return sorted(found)


def discover_attachments(content_dir: Path) -> set[str]:
    """Every file under ``content_dir`` that is not a page (images, PDFs...), as content-relative paths."""
    found: set[str] = set()
    for root, dirs, files in os.walk(content_dir):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        base = Path(root).relative_to(content_dir)
        found.update((base / f).as_posix() for f in files if not f.endswith(".md") and not f.startswith("."))
    return found


def load_pages(content_dir: Path, root: Path, max_bytes: int, diags: Diagnostics,
               parsed: ParsedPages | None = None) -> list[Page]:
    """Load every page under ``content_dir``; paths in diagnostics are relative to ``root``.
    With ``parsed``, a page whose text was parsed before is not parsed again."""
    pages = []
    for file in discover(content_dir):
        page = load_page(file, content_dir, root, max_bytes, diags, parsed)
        if page is not None:
            pages.append(page)
    return pages


def _relative(file: Path, base: Path) -> str:
    try:
        return file.relative_to(base).as_posix()
    except ValueError:
        return file.as_posix()


def load_page(file: Path, content_dir: Path, root: Path, max_bytes: int, diags: Diagnostics,
              parsed: ParsedPages | None = None) -> Page | None:
    """Read one file into a Page, or report why it cannot be one."""
    source = SourcePath(_relative(file, root))
    doc_path = DocPath(_relative(file, content_dir))
    try:
        size = file.stat().st_size
        if size > max_bytes:
            diags.add(source, 1, 1, "page.too_large",
                      f"page is {_size(size)}; the limit is {_size(max_bytes)} (kb option max_page_bytes)")
            return None
        data = file.read_bytes()
    except OSError as error:
        diags.add(source, 1, 1, "page.unreadable", f"cannot read the file: {error.strerror or error}")
        return None
    text = decode(data, source, diags)
    if text is None:
        return None
    if parsed is not None:
        return parsed.parse(text, source, doc_path, diags, parse_page)
    return parse_page(text, source, doc_path, diags)


def _size(count: int) -> str:
    """A file size as a person reads it: 10.0 MB, or 3,000 bytes (which 0.0 MB would hide)."""
    return f"{count / 1e6:.1f} MB" if count >= 100_000 else f"{count:,} bytes"


def decode(data: bytes, source: str, diags: Diagnostics) -> str | None:
    """Bytes to text: UTF-8 with an optional BOM, any line ending.

    Invalid UTF-8 is reported at the first bad byte and replaced, so the rest
    of the page is still checked. Binary data is reported and dropped.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        diags.add(source, 1, 1, "page.encoding", "file is UTF-16; save it as UTF-8")
        return None
    if b"\x00" in data:
        offset = data.index(b"\x00")
        line, column = _byte_place(data, offset)
        diags.add(source, line, column, "page.binary", f"file holds binary data (a NUL byte at offset {offset}), not Markdown")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _byte_place(data, error.start)
        bad = data[error.start : error.start + 1].hex()
        diags.add(source, line, column, "page.encoding", f"not valid UTF-8: byte 0x{bad} cannot be decoded")
        text = data.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _byte_place(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return line, column


def parse_page(text: str, source: SourcePath, doc_path: DocPath, diags: Diagnostics) -> Page:
    """Split front matter from body, parse both, and report what is broken."""
    lines = text.split("\n")
    front_matter = None
    body_line = 1
    usable = True
    if lines and lines[0].rstrip() == FENCE:
        end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in FENCE_ENDS), None)
        if end is None:
            diags.add(source, 1, 1, "frontmatter.unclosed",
                      "front matter opened with --- on line 1 is never closed with ---")
            usable = False
        else:
            located = yamlpos.parse("\n".join(lines[1:end]), first_line=2)
            for problem in located.problems:
                diags.add(source, problem.line, problem.column, problem.code, problem.message)
            if located.value is None and not located.problems:
                located.value = {}
            if located.value is not None and not isinstance(located.value, dict):
                kind = "a list" if isinstance(located.value, list) else "a single value"
                diags.add(source, 2, 1, "frontmatter.not_mapping",
                          f"front matter must be a mapping of keys to values, got {kind}")
                located.value = None
            usable = isinstance(located.value, dict)
            front_matter = FrontMatter(located.value, located.positions, first_line=1, end_line=end + 1)
            body_line = end + 2
    page = Page(source, doc_path, text, front_matter, body_line, usable=usable)
    if front_matter is not None and usable:
        page.meta = PageMeta.read(front_matter.data)
    scan = markdown.scan(lines[body_line - 1 :], first_line=body_line)
    page.headings, page.links, page.code_blocks = scan.headings, scan.links, scan.code_blocks
    page.expressions = scan.expressions
    page.quantities = scan.quantities
    page.block_ids = scan.block_ids
    page.citations = scan.citations
    page.reading = scan.reading
    return page
