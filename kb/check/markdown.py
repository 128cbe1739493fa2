"""A small Markdown scanner: headings, links and fenced code, with positions.

It reads only what kb needs and skips what is not prose: fenced and indented
code, inline code spans and HTML comments, so ``[[x]]`` written inside code
is text, not a link. It is line based and linear in the size of the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from kb.check.names import slugify
from kb.model import Citation, CodeBlock, Expression, Heading, Link, Quantity, Reading

_FENCE = re.compile(r"^([ \t]*)(`{3,}|~{3,})(.*)$")  # indented 4+ only inside a list item or a container
# Blocks whose content is indented under them: admonitions (!!!), details (??? and ???+), content tabs (===).
_CONTAINER = re.compile(r"^([ \t]*)(?:!!!|\?\?\?\+?|===)(?:[ \t]|$)")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*))?$")  # the closing #s are cut by _atx_text
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_ATTR_LIST = re.compile(r"\{([^{}]*)\}\s*$")  # no nested quantifiers: linear even on long lines
_ATTR_ID = re.compile(r"#([\w\-:.]+)")
_WIKI = re.compile(r"!?\[\[((?:[^\[\]\n\\]|\\.)*?)\]\]")
_MD_LINK = re.compile(r"(!?)\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(\s*(<[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
_REF_DEF = re.compile(r"^ {0,3}\[([^\]]+)\]:\s*<?(\S+?)>?(?:\s.*)?$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")
_BACKTICKS = re.compile(r"`+")
_CITATION = re.compile(r"\[(@[\w][\w:.-]*(?:\s*;\s*@[\w][\w:.-]*)*)\](?!\()")  # [@key] and [@a; @b], as Pandoc writes them
_DIGIT = re.compile(r"\d")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?[\s:|-]+\|?\s*$")
_BLOCK_ID = re.compile(r"(?:^|\s)\^([A-Za-z0-9-]+)\s*$")  # "text ^key-claim": a block Obsidian links to
_INLINE_MARKUP = re.compile(r"\[([^\[\]]*)\]\([^()]*\)|(`+)(.*?)\2|`+|\*+|(?<!\w)_+|_+(?!\w)")


@dataclass
class Scan:
    """What a page body holds."""

    headings: list[Heading] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    code_blocks: list[CodeBlock] = field(default_factory=list)
    expressions: list[Expression] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    block_ids: dict[str, tuple[int, int]] = field(default_factory=dict)  # Obsidian's ^id markers: id -> (line, column)
    citations: list[Citation] = field(default_factory=list)
    words: int = 0
    code_lines: int = 0
    table_rows: int = 0

    @property
    def reading(self) -> Reading:
        return Reading(self.words, self.code_lines, self.table_rows)


def scan(lines: list[str], first_line: int = 1) -> Scan:
    """Scan body lines; ``first_line`` is the file line number of ``lines[0]``."""
    result = Scan()
    anchors: dict[str, int] = {}
    fence: tuple[str, int, str, int, int] | None = None  # (char, length, info, start index, indent)
    in_comment = False
    previous_blank = True
    in_list = False
    containers: list[int] = []  # indentation of the open admonitions, details and tabs, outermost first
    in_indented_code = False
    paragraph_line: int | None = None  # index of a line that may be a setext heading's text
    for index, line in enumerate(lines):
        number = first_line + index
        stripped = line.lstrip()
        if fence is not None:
            char, length, info, start, indent = fence
            closing = _FENCE.match(line) if stripped.startswith(("```", "~~~")) else None
            if (closing and closing.group(2)[0] == char and len(closing.group(2)) >= length and not closing.group(3).strip()
                    and _indent(closing) <= indent + 3):
                content = "\n".join(_dedent(lines[start + 1 : index], indent))
                result.code_lines += index - start - 1
                result.code_blocks.append(CodeBlock(info, content, first_line + start, number, lines[start][:len(lines[start]) - len(lines[start].lstrip())]))
                fence = None
            continue
        blank = not stripped
        expanded = line.expandtabs(4) if "\t" in line else line
        if containers and not blank:
            depth = len(expanded) - len(expanded.lstrip())
            while containers and depth <= containers[-1]:
                containers.pop()  # a line no deeper than a container's opener ends it
        opening = _FENCE.match(line) if stripped.startswith(("```", "~~~")) else None
        inner = containers[-1] + 4 if containers else 0  # where the innermost container's content starts
        if (opening and (_indent(opening) <= inner + 3 or in_list)
                and not (opening.group(2)[0] == "`" and "`" in opening.group(3))):
            fence = (opening.group(2)[0], len(opening.group(2)), opening.group(3).strip(), index, _indent(opening))
            paragraph_line, previous_blank = None, False
            continue
        container = _CONTAINER.match(line) if stripped.startswith(("!!!", "???", "===")) else None
        if container:
            containers.append(len(container.group(1).expandtabs(4)))
        indented = expanded.startswith(" " * (inner + 4))
        list_item = not blank and (stripped[0] in "-*+" or stripped[0].isdigit()) and _LIST_ITEM.match(line) is not None
        if list_item:
            in_list = True
        elif not blank and not indented:
            in_list = False
        if indented and not in_list and (in_indented_code or (previous_blank and paragraph_line is None)):  # code
            in_indented_code, previous_blank = True, False
            result.code_lines += 1
            continue
        if not blank:
            in_indented_code = False
        if in_comment or "<!--" in line:
            line, in_comment = _strip_comments(line, in_comment)
        text = _blank_code_spans(line)
        setext = _SETEXT.match(line) if paragraph_line is not None and stripped[:1] in ("=", "-") else None
        if setext and paragraph_line is not None:
            level = 1 if setext.group(1)[0] == "=" else 2
            _add_heading(result, anchors, level, lines[paragraph_line].strip(), first_line + paragraph_line)
            paragraph_line, previous_blank = None, False
            continue
        atx = _ATX.match(line) if stripped.startswith("#") else None  # the line, not ``text``: a heading keeps its code spans' words
        if atx:
            _add_heading(result, anchors, len(atx.group(1)), _atx_text(atx.group(2) or ""), number)
            paragraph_line = None
        else:
            paragraph_line = None if blank or list_item else index
        _find_links(text, number, result.links, line)
        if "^" in text:
            for marker in _BLOCK_ID.finditer(text):
                result.block_ids.setdefault(marker.group(1), (number, marker.start(1)))
        if "[@" in text:
            for cited in _CITATION.finditer(text):
                keys = tuple(key.strip().lstrip("@") for key in cited.group(1).split(";"))
                result.citations.append(Citation(keys, cited.group(0), number, cited.start() + 1))
        _count(text, result)
        if "{{" in text:
            _find_expressions(text, line, number, result.expressions)
        if _DIGIT.search(text):
            before = _blank_code_spans(lines[index - 1]) if index and lines[index - 1].strip() else ""
            _find_quantities(text, number, result.quantities, before)
        previous_blank = blank
    if fence is not None:  # an unclosed fence runs to the end of the page, as in CommonMark
        char, length, info, start, indent = fence
        result.code_blocks.append(CodeBlock(info, "\n".join(_dedent(lines[start + 1 :], indent)), first_line + start,
                                            first_line + len(lines) - 1, lines[start][:len(lines[start]) - len(lines[start].lstrip())]))
    return result


def _count(text: str, result: Scan) -> None:
    """What a reader reads on one line of prose: a table row, or its words (anything between spaces
    with a letter or a digit in it: a heading's ``#`` or a list's ``-`` is not read)."""
    stripped = text.lstrip()
    if stripped.startswith("|"):
        if not _TABLE_SEPARATOR.match(stripped):
            result.table_rows += 1
        return
    result.words += sum(1 for word in text.split() if any(char.isalnum() for char in word))


def _dedent(lines: list[str], indent: int) -> list[str]:
    """A fenced block's content without its fence's indentation (as CommonMark removes it)."""
    if not indent:
        return lines
    out = []
    for line in lines:
        expanded = line.expandtabs(4)
        strip = min(indent, len(expanded) - len(expanded.lstrip(" ")))
        out.append(expanded[strip:])
    return out


def _indent(fence: re.Match[str]) -> int:
    return len(fence.group(1).expandtabs(4))


def _strip_comments(line: str, in_comment: bool) -> tuple[str, bool]:
    """Blank out the parts of a line inside ``<!-- -->`` (keeping columns)."""
    out = []
    i = 0
    while i < len(line):
        if in_comment:
            end = line.find("-->", i)
            if end < 0:
                out.append(" " * (len(line) - i))
                return "".join(out), True
            out.append(" " * (end + 3 - i))
            i, in_comment = end + 3, False
        else:
            start = line.find("<!--", i)
            if start < 0:
                out.append(line[i:])
                break
            out.append(line[i:start])
            i, in_comment = start, True
    return "".join(out), in_comment


def _blank_code_spans(line: str) -> str:
    """Replace inline code spans by spaces so nothing inside them is scanned."""
    if "`" not in line:
        return line
    chars = list(line)
    runs = list(_BACKTICKS.finditer(line))
    i = 0
    while i < len(runs):
        opener = runs[i]
        closer = next((j for j in range(i + 1, len(runs)) if len(runs[j].group()) == len(opener.group())), None)
        if closer is None:
            i += 1
            continue
        for k in range(opener.start(), runs[closer].end()):
            chars[k] = " "
        i = closer + 1
    return "".join(chars)


def _atx_text(text: str) -> str:
    """An ATX heading's text without its closing sequence (``## Title ##``): #s after a space."""
    text = text.rstrip(" \t")
    body = text.rstrip("#")
    if body != text and body[-1:] in (" ", "\t"):
        text = body
    return text.strip()


def _add_heading(result: Scan, anchors: dict[str, int], level: int, text: str, line: int) -> None:
    attributes = _ATTR_LIST.search(text)
    ids = _ATTR_ID.findall(attributes.group(1)) if attributes else []
    if attributes and ids:
        text = text[: attributes.start()].rstrip()
        anchor = ids[-1]
    else:
        anchor = slugify(plain_heading(text))
        seen = anchors.get(anchor, 0)
        anchors[anchor] = seen + 1
        if seen:
            anchor = f"{anchor}_{seen}"
    result.headings.append(Heading(level, plain_heading(text), anchor, line))


def plain_heading(text: str) -> str:
    """Heading text without inline markup: ``**Core** [see](x.md)`` becomes ``Core see``.

    Code spans keep their text (``The `nn.Linear` layer`` is "The nn.Linear layer")
    and an underscore inside a word is no emphasis (``max_page_bytes`` stays).
    """
    return _INLINE_MARKUP.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(3) or "", text).strip()


def _find_links(text: str, number: int, links: list[Link], line: str) -> None:
    """Links of one line: ``text`` is the line with code spans blanked. A wikilink is read from
    the line itself, so that inline code inside it (``[[#`move`]]``) is kept, but only where
    its brackets are not inside code."""
    if "[" not in text:
        return
    for match in _WIKI.finditer(line):
        if text[match.start() : match.start() + 2] not in ("[[", "![") or text[match.end() - 2 : match.end()] != "]]":
            continue
        inner = match.group(1).replace("\\|", "|")
        target, _, label = inner.partition("|")
        page, hash_, anchor = target.partition("#")
        links.append(Link("wiki", page.strip(), anchor.strip() if hash_ else None,
                          label.strip() or None, match.group(0), number, match.start() + 1))
    if "](" in text:
        for match in _MD_LINK.finditer(text):
            if match.group(1):  # an image
                continue
            _add_markdown_link(match.group(3).strip("<>"), match.group(2), match.group(0), number, match.start() + 1, links)
    definition = _REF_DEF.match(text)
    if definition:
        _add_markdown_link(definition.group(2), definition.group(1), definition.group(0).strip(), number, 1, links)


def _find_expressions(text: str, original: str, number: int, found: list[Expression]) -> None:
    """``{{ ... }}`` on one line, outside code (``text`` has code spans blanked)."""
    start = text.find("{{")
    while start >= 0:
        end = text.find("}}", start + 2)
        if end < 0:
            found.append(Expression(original[start + 2 :].strip(), number, start + 1, closed=False))
            return
        found.append(Expression(original[start + 2 : end].strip(), number, start + 1))
        start = text.find("{{", end + 2)


# A number with a magnitude or a unit: 175B, 1.8 trillion, 16 GB, 12%, 3.14e23 FLOPs, 10^23.
_QUANTITY = re.compile(
    r"(?<![\w.])[~≈]?\d[\d,]*(?:\.\d+)?(?:"
    r"\s?(?:[KMBT]|[KMGTP]i?B|bytes?|%|[KMGTPEZ]?FLOP[Ss]?)(?![\w])"
    r"|\s(?:thousand|million|billion|trillion)s?\b"
    r"|(?:\s?[×x]\s?10(?:\^[-+]?\d+|[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)|[eE][-+]?\d+)(?:\s?[KMGTPEZ]?FLOP[Ss]?)?(?![\w]))"
)
_NOT_PROSE = re.compile(r"\{\{.*?\}\}|\[\[[^\]]*\]\]|\]\([^)]*\)|<[^>]+>|https?://\S+")  # a wikilink names a page


def _find_quantities(text: str, number: int, found: list[Quantity], before: str = "") -> None:
    """Numbers with a magnitude or unit in prose, outside figures, link targets, tags and URLs.
    ``before`` is the previous line of the paragraph, for names that wrap ("Llama" / "3.1 405B")."""
    prose = _NOT_PROSE.sub(lambda m: " " * len(m.group()), text)
    for match in _QUANTITY.finditer(prose):
        found.append(Quantity(match.group(), number, match.start() + 1, prose, _NOT_PROSE.sub(" ", before)))


def _add_markdown_link(url: str, label: str, raw: str, line: int, column: int, links: list[Link]) -> None:
    """Keep links to Markdown pages and to headings of this page; skip URLs and assets."""
    if not url or _SCHEME.match(url):
        return
    path, hash_, anchor = url.partition("#")
    path = unquote(path.split("?", 1)[0])
    if path and not path.endswith(".md"):
        return
    links.append(Link("markdown", path, unquote(anchor) if hash_ else None, label or None, raw, line, column))
