"""Executed code: ``python exec`` blocks and the ``output`` blocks that pin them."""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.diagnostics import Diagnostics
from kb.model import CodeBlock, Page, State


@dataclass
class Block:
    """One ``python exec`` block of a page, its pinned output (if any) and what running it gave."""

    page: Page
    code: CodeBlock
    expected: CodeBlock | None = None
    stdout: str | None = None
    stderr: str = ""  # shown beside the output, never compared with the pin
    error: str | None = None
    error_line: int | None = None
    wrote: list[str] = field(default_factory=list)  # what it tried to write into the knowledge base
    put_back: list[str] = field(default_factory=list)  # what kb put back after the page's session (on its first block)
    state: State = State.FAILED  # never CITED


def is_exec(block: CodeBlock) -> bool:
    """``python exec`` in any case (extra words after it are allowed, e.g. attributes for the site)."""
    words = block.info.replace("{", " ").replace("}", " ").lower().split()
    return len(words) >= 2 and words[0] in ("python", "py", ".python") and words[1] in ("exec", ".exec")


def page_blocks(page: Page) -> list[Block]:
    """The executed blocks of a page in order, each with the ``output`` block right after it."""
    blocks = []
    code_blocks = page.code_blocks
    for index, block in enumerate(code_blocks):
        if not is_exec(block):
            continue
        following = code_blocks[index + 1] if index + 1 < len(code_blocks) else None
        expected = following if following is not None and following.info.lower().split()[:1] == ["output"] else None
        blocks.append(Block(page, block, expected))
    return blocks


def normalize(text: str) -> str:
    """Output as compared: trailing spaces of lines and trailing blank lines do not count."""
    return "\n".join(line.rstrip() for line in text.rstrip().split("\n"))


def judge(block: Block, diags: Diagnostics) -> None:
    """Set a run block's state and report it if it failed or its output differs from the pin."""
    page = block.page
    if block.put_back:
        diags.add(page.source, block.code.line, 1, "block.wrote_sources",
                  f"while this page's code ran, the knowledge base changed: {'; '.join(block.put_back)}; a page's code "
                  "runs in a fresh temporary folder and must write there")
    if block.wrote:
        block.state = State.FAILED
        line = block.error_line or block.code.line
        diags.add(page.source, line, 1, "block.wrote_sources",
                  f"the code tried to write into the knowledge base: {'; '.join(block.wrote)}; a page's code runs in a "
                  "fresh temporary folder and must write there")
        return
    if block.error is not None:
        block.state = State.FAILED
        diags.add(page.source, block.error_line or block.code.line, 1, "block.failed", block.error)
        return
    if block.expected is None:
        block.state = State.UNPINNED
        return
    got, want = normalize(block.stdout or ""), normalize(block.expected.content)
    if got == want:
        block.state = State.VERIFIED
        return
    block.state = State.STALE
    diags.add(page.source, block.expected.line, 1, "block.stale",
              f"the output of the block at line {block.code.line} differs from the pinned output: {first_difference(want, got)}")


def first_difference(want: str, got: str) -> str:
    """Where two outputs first differ, in words."""
    want_lines, got_lines = want.split("\n"), got.split("\n")
    for number, (a, b) in enumerate(zip(want_lines, got_lines, strict=False), start=1):
        if a != b:
            return f'line {number} is "{b}", the page says "{a}"'
    if len(got_lines) > len(want_lines):
        return f'the block prints {len(got_lines) - len(want_lines)} more line(s), starting "{got_lines[len(want_lines)]}"'
    return f'the block prints {len(want_lines) - len(got_lines)} fewer line(s); the page expects "{want_lines[len(got_lines)]}"'
