"""The Markdown scanner: what is a link, what is a heading, and where they are.

Links written in code (fenced, indented, inline) or in HTML comments are
text, not links; headings get the anchors the site gives them; every link
and heading carries its exact line and column in the file.
"""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kb.check.load import parse_page
from kb.check.markdown import Scan, plain_heading, scan
from kb.diagnostics import Diagnostics
from kb.model import CodeBlock, DocPath, Heading, Link, SourcePath


def run(text: str, first_line: int = 1) -> Scan:
    return scan(text.split("\n"), first_line)


def targets(text: str) -> list[str]:
    """The target of every link, in order ("#anchor" for a link within the page)."""
    return [link.target or f"#{link.anchor}" for link in run(text).links]


def places(text: str) -> list[tuple[str, int, int]]:
    return [(link.raw, link.line, link.column) for link in run(text).links]


def headings(text: str) -> list[tuple[int, str, str, int]]:
    return [(h.level, h.text, h.anchor, h.line) for h in run(text).headings]


# ---------------------------------------------------------------------------
# Code is not prose


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("```\n[[in code]]\n```\n[[after]]", ["after"], id="backtick fence"),
        pytest.param("~~~\n[[in code]]\n~~~\n[[after]]", ["after"], id="tilde fence"),
        pytest.param("```python\n[a](a.md) [[b]]\n```\n[[after]]", ["after"], id="fence with info string"),
        pytest.param("````markdown\n```\n[[inner]]\n```\n````\n[[after]]", ["after"], id="longer fence holds a shorter one"),
        pytest.param("```\n[[x]]\n~~~\n[[still code]]\n```\n[[after]]", ["after"], id="other fence char does not close"),
        pytest.param("````\n[[x]]\n```\n[[still code]]\n````\n[[after]]", ["after"], id="shorter fence does not close"),
        pytest.param("```\n[[x]]\n``` not closing\n[[still code]]\n```\n[[after]]", ["after"], id="closing fence has no info"),
        pytest.param("[[before]]\n```\n[[never closed]]\n\n[[to the end]]", ["before"], id="unclosed fence runs to the end"),
        pytest.param("   ```\n[[x]]\n   ```\n[[after]]", ["after"], id="fence indented three spaces"),
        pytest.param("- step\n\n    ```bash\n    [[x]]\n    ```\n\n[[after]]", ["after"], id="fence in a list item"),
        pytest.param("```foo`bar [[x]]\n[[y]]", ["x", "y"], id="backtick in info: not a fence"),
        pytest.param("Text\n\n    [[indented code]]\n\tand [[tab code]]\n\n[[after]]", ["after"], id="indented code block"),
        pytest.param("Text\n    [[continuation]]", ["continuation"], id="indented paragraph continuation is prose"),
        pytest.param("- item\n\n    [[list continuation]]", ["list continuation"], id="indented list continuation is prose"),
        pytest.param("`[[x]]` and [[y]]", ["y"], id="inline code"),
        pytest.param("``a ` [[x]]`` and [[y]]", ["y"], id="double backtick code span"),
        pytest.param("`[a](a.md)` [b](b.md)", ["b.md"], id="markdown link in inline code"),
        pytest.param("`not closed [[x]]", ["x"], id="a lone backtick opens no code span"),
        pytest.param("a <!-- [[x]] --> [[y]]", ["y"], id="one-line comment"),
        pytest.param("<!--\n[[x]]\n[y](y.md)\n-->[[after]]", ["after"], id="multi-line comment"),
        pytest.param("[[before]] <!-- [[x]]\n[[y]] --> [[after]]", ["before", "after"], id="comment across lines"),
    ],
)
def test_links_outside_prose_are_not_links(text: str, expected: list[str]) -> None:
    assert targets(text) == expected


def test_code_blocks_are_recorded_with_info_and_lines() -> None:
    text = "\n".join([
        "intro",             # 5
        "```python exec",    # 6
        "print(1)",          # 7
        "```",               # 8
        "",                  # 9
        "~~~~ output ~~~~",  # 10: the info string is everything after the fence
        "1",                 # 11
        "~~~~~",             # 12
        "   ```",            # 13
        "```",               # 14: an empty block
        "````text",          # 15
        "never closed",      # 16
        "```",               # 17
    ])
    assert run(text, first_line=5).code_blocks == [
        CodeBlock("python exec", "print(1)", 6, 8),
        CodeBlock("output ~~~~", "1", 10, 12),
        CodeBlock("", "", 13, 14, indent="   "),  # the fence's indentation, removed from its content
        CodeBlock("text", "never closed\n```", 15, 17),
    ]


# ---------------------------------------------------------------------------
# Headings


def test_atx_headings() -> None:
    text = "# One\n## Two ##\n### Three ###   \n#### Four #not closing\n##### C#\n###### Six\n####### seven\n#hashtag\n ## Indented"
    assert headings(text) == [
        (1, "One", "one", 1),
        (2, "Two", "two", 2),
        (3, "Three", "three", 3),
        (4, "Four #not closing", "four-not-closing", 4),
        (5, "C#", "c", 5),
        (6, "Six", "six", 6),
        (2, "Indented", "indented", 9),
    ]


def test_setext_headings() -> None:
    text = "Title\n=====\n\nSection\n---\n\n---\n\npara\n\n- item\n---\n"
    # "---" after a blank line or a list item is a rule, not a heading
    assert headings(text) == [(1, "Title", "title", 1), (2, "Section", "section", 4)]


def test_custom_ids_and_duplicates() -> None:
    text = "## Overview {#intro}\n## Overview\n## Overview\n## Other { .wide #other-id }\n## Overview"
    assert headings(text) == [
        (2, "Overview", "intro", 1),
        (2, "Overview", "overview", 2),
        (2, "Overview", "overview_1", 3),
        (2, "Other", "other-id", 4),
        (2, "Overview", "overview_2", 5),
    ]


def test_korean_heading_anchors() -> None:
    assert headings("# 파라미터\n## 손실 함수\n## 손실 함수\n## 학습률 (Learning Rate)") == [
        (1, "파라미터", "파라미터", 1),
        (2, "손실 함수", "손실-함수", 2),
        (2, "손실 함수", "손실-함수_1", 3),
        (2, "학습률 (Learning Rate)", "학습률-learning-rate", 4),
    ]


def test_decomposed_korean_heading_gets_the_composed_anchor() -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "## 손실 함수")
    assert decomposed != "## 손실 함수"
    assert run(decomposed).headings[0].anchor == "손실-함수"


def test_heading_text_drops_markup_but_keeps_words() -> None:
    text = "\n".join([
        "## **Core** _ideas_",
        "## The `nn.Linear` layer",
        "## max_page_bytes",
        "## `__init__` and __bold__",
        "## See [the docs](docs.md)",
    ])
    assert headings(text) == [
        (2, "Core ideas", "core-ideas", 1),
        (2, "The nn.Linear layer", "the-nnlinear-layer", 2),
        (2, "max_page_bytes", "max_page_bytes", 3),
        (2, "__init__ and bold", "__init__-and-bold", 4),
        (2, "See the docs", "see-the-docs", 5),
    ]
    assert plain_heading("**Bold** *it* `code_x`") == "Bold it code_x"


def test_headings_inside_code_and_comments_are_not_headings() -> None:
    text = "```\n# not a heading\n```\n\n    # indented code\n\n<!--\n# commented out\n-->\n~~~\n## not either\n~~~\n# Real"
    assert headings(text) == [(1, "Real", "real", 13)]


def test_setext_underline_in_code_is_not_a_heading() -> None:
    assert headings("Text\n```\n---\n```\nMore\n```\n===\n```") == []


# ---------------------------------------------------------------------------
# Links: what they hold and where they are


def test_wikilink_parts() -> None:
    links = run("[[Page]] [[Page|label]] [[Page#Head]] [[Page#Head|label]] [[#Local]] ![[Embed]]").links
    assert [(link.kind, link.target, link.anchor, link.label, link.raw) for link in links] == [
        ("wiki", "Page", None, None, "[[Page]]"),
        ("wiki", "Page", None, "label", "[[Page|label]]"),
        ("wiki", "Page", "Head", None, "[[Page#Head]]"),
        ("wiki", "Page", "Head", "label", "[[Page#Head|label]]"),
        ("wiki", "", "Local", None, "[[#Local]]"),
        ("wiki", "Embed", None, None, "![[Embed]]"),
    ]


def test_escaped_pipe_in_a_table() -> None:
    (link,) = run("| [[Machine Learning\\|ML]] | [x](https://example.com) |").links
    assert (link.target, link.label, link.column) == ("Machine Learning", "ML", 3)


def test_markdown_link_parts() -> None:
    text = (
        "[a](other.md) [b](../folder/other.md#some-slug) [c](#local-heading) [d](my%20page.md) "
        "[e](<with space.md>) [f](x.md \"title\") [g](%ED%8C%8C.md)"
    )
    links = run(text).links
    assert [(link.kind, link.target, link.anchor, link.label) for link in links] == [
        ("markdown", "other.md", None, "a"),
        ("markdown", "../folder/other.md", "some-slug", "b"),
        ("markdown", "", "local-heading", "c"),
        ("markdown", "my page.md", None, "d"),
        ("markdown", "with space.md", None, "e"),
        ("markdown", "x.md", None, "f"),
        ("markdown", "파.md", None, "g"),
    ]


def test_reference_definition_is_a_link() -> None:
    (link,) = run("Text [ml][].\n\n[ml]: ../machine-learning.md#overview \"ML\"").links
    assert (link.target, link.anchor, link.line, link.column) == ("../machine-learning.md", "overview", 3, 1)


@pytest.mark.parametrize(
    "text",
    [
        "[site](https://example.com/page.md)",
        "[site](http://example.com)",
        "[cdn](//cdn.example.com/x.md)",
        "[mail](mailto:a@example.com)",
        "<https://example.com/a.md>",
        "![image](diagram.png)",
        "![image](page.md)",
        "[file](data.csv)",
        "[pdf](paper.pdf#page=3)",
    ],
)
def test_urls_images_and_assets_are_not_page_links(text: str) -> None:
    assert run(text).links == []


def test_exact_line_and_column_of_each_link() -> None:
    text = "\n".join([
        "First [[One]] and [two](two.md).",       # 20
        "",                                        # 21
        "한국어 문장 [[파라미터]] 그리고 [x](a.md)",  # 22: columns count characters, not bytes
        "`code` [[Three]] <!-- [[no]] --> [[Four]]",  # 23
        "\t[[Tabbed]] in a paragraph",             # 24: a continuation line, not code
        "| a | ![[Embed]] |",                      # 25
    ])
    assert [(link.raw, link.line, link.column) for link in run(text, first_line=20).links] == [
        ("[[One]]", 20, 7),
        ("[two](two.md)", 20, 19),
        ("[[파라미터]]", 22, 8),
        ("[x](a.md)", 22, 21),
        ("[[Three]]", 23, 8),
        ("[[Four]]", 23, 34),
        ("[[Tabbed]]", 24, 2),
        ("![[Embed]]", 25, 7),
    ]


def test_positions_are_file_positions_after_front_matter() -> None:
    text = "---\nid: a\ntitle: A\n---\n\n# A\n\nSee [[B]].\n\n```\n[[C]]\n```\n"
    page = parse_page(text, SourcePath("content/a.md"), DocPath("a.md"), Diagnostics())
    assert page.body_line == 5
    assert page.headings == [Heading(1, "A", "a", 6)]
    assert page.links == [Link("wiki", "B", None, None, "[[B]]", 8, 5)]
    assert page.code_blocks == [CodeBlock("", "[[C]]", 10, 12)]


def test_a_large_page_is_scanned_completely() -> None:
    """A page with many links and many code spans: every link found, none from code."""
    lines = [f"Line {i} has [[Page {i}]] and `code [[not {i}]]` and [m](m{i}.md)." for i in range(20_000)]
    found = scan(lines)
    assert len(found.links) == 40_000
    assert found.links[-1] == Link("markdown", "m19999.md", None, "m", "[m](m19999.md)", 20_000, 60)


_PROSE = st.text(st.characters(blacklist_characters="[]`<>!\\\n\r~#|", blacklist_categories=("Cs", "Zl", "Zp")), max_size=30)


@settings(database=None)  # no .hypothesis folder in the repository
@given(prefix=_PROSE, target=_PROSE.filter(lambda t: bool(t.strip())))
def test_column_is_the_character_offset_and_fences_hide_links(prefix: str, target: str) -> None:
    line = f"{prefix}[[{target}]]"
    assume(not line.startswith(("    ", "\t", " \t", "  \t", "   \t")))  # that would be indented code
    links = scan(["", line]).links
    assert [(link.target, link.line, link.column) for link in links] == [(target.strip(), 2, len(prefix) + 1)]
    assert scan(["```", line, "```"]).links == []
    assert scan(["<!--", line, "-->"]).links == []
