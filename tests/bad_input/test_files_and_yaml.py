"""Files that are not Markdown, and front matter that is not valid YAML or not a mapping."""

from __future__ import annotations

import pytest

from kb.check.yamlpos import MAX_DEPTH
from tests.bad_input.rows import QUIET, Case, KbFactory, case, check, expect, fm
from tests.conftest import page, run_kb

# ---------------------------------------------------------------------------
# Files that cannot be read as Markdown

HUGE = fm("id: huge\ntitle: Huge\n", "x" * 10_000_000)

READING = [
    case("page-too-large", {"content/huge.md": HUGE},
         ["content/huge.md:1:1: error[page.too_large]: page is 10.0 MB; the limit is 5.0 MB (kb option max_page_bytes)"], 1),
    case("page-too-large-option", {"content/a.md": fm("id: a\ntitle: A\n", "y" * 3000)},
         ["content/a.md:1:1: error[page.too_large]: page is 3,023 bytes; the limit is 2,000 bytes (kb option max_page_bytes)"], 1,
         mkdocs=QUIET + "      max_page_bytes: 2000\n"),
    case("binary-nul-byte", {"content/a.md": b"---\nid: a\ntitle: A\n---\nab\x00cd\n"},
         ["content/a.md:5:3: error[page.binary]: file holds binary data (a NUL byte at offset 25), not Markdown"], 1),
    case("png-named-md", {"content/image.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"},
         ["content/image.md:3:1: error[page.binary]: file holds binary data (a NUL byte at offset 8), not Markdown"], 1),
    case("utf16-le-bom", {"content/a.md": "---\nid: a\ntitle: A\n---\n".encode("utf-16")},
         ["content/a.md:1:1: error[page.encoding]: file is UTF-16; save it as UTF-8"], 1),
    case("utf16-be-bom", {"content/a.md": b"\xfe\xff" + "---\nid: a\n".encode("utf-16-be")},
         ["content/a.md:1:1: error[page.encoding]: file is UTF-16; save it as UTF-8"], 1),
    case("invalid-utf8-in-body", {"content/a.md": "---\nid: a\ntitle: A\n---\nhallo wörld ".encode() + b"\xff!\n"},
         ["content/a.md:5:13: error[page.encoding]: not valid UTF-8: byte 0xff cannot be decoded"], 1),
    case("invalid-utf8-after-korean", {"content/a.md": "---\nid: a\ntitle: 한국 ".encode() + b"\xc3(\n---\n"},
         ["content/a.md:3:11: error[page.encoding]: not valid UTF-8: byte 0xc3 cannot be decoded"], 1),
    case("latin1-page-is-still-checked",
         {"content/a.md": b"---\nid: a\ntitle: Caf\xe9\n---\nSee [[Nowhere]].\n"},
         ["content/a.md:3:11: error[page.encoding]: not valid UTF-8: byte 0xe9 cannot be decoded",
          "content/a.md:5:5: error[link.unresolved]: [[Nowhere]] names no page"], 1),
]


@pytest.mark.parametrize("row", READING)
def test_files_that_are_not_markdown(kb: KbFactory, row: Case) -> None:
    check(kb, row)


UNREADABLE = expect("content/gone.md:1:1: error[page.unreadable]: cannot read the file: No such file or directory")


def test_dangling_symlink_is_unreadable(kb: KbFactory) -> None:
    root = kb({"content/a.md": page("a", "A")})
    (root / "content" / "gone.md").symlink_to(root / "content" / "missing-target.md")
    (root / "content" / "folder.md").mkdir()  # a folder named .md is no page
    run = run_kb(root, "check")
    assert run.lines == UNREADABLE
    assert run.status == 1


# ---------------------------------------------------------------------------
# Front matter that is not valid YAML, or not a mapping

LAUGHS = "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 10)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)

YAML = [
    case("unclosed-flow-list", {"content/a.md": fm("id: a\ntitle: A\naliases: [x, y\n")},
         ["content/a.md:5:1: error[frontmatter.yaml]: invalid YAML: did not find expected ',' or ']' "
          "(while parsing a flow sequence that starts on line 4)"], 1),
    case("bad-indentation", {"content/a.md": fm("id: a\ntitle: A\ntech_stack:\n  language: python\n framework: torch\n")},
         ["content/a.md:6:2: error[frontmatter.yaml]: invalid YAML: did not find expected key "
          "(while parsing a block mapping that starts on line 2)"], 1),
    case("tab-indents-a-key", {"content/a.md": fm("id: a\ntitle: A\ntech_stack:\n\tlanguage: python\n")},
         ["content/a.md:5:1: error[frontmatter.yaml]: invalid YAML: found character that cannot start any token "
          "(while scanning for the next token that starts on line 5); a tab cannot indent YAML, use spaces"], 1),
    case("tab-indents-a-list-item", {"content/a.md": fm("id: a\ntitle: A\naliases:\n- x\n\t- y\n")},
         ["content/a.md:6:1: error[frontmatter.yaml]: invalid YAML: found a tab character that violates indentation "
          "(while scanning a plain scalar that starts on line 5)"], 1),
    case("a-b-c", {"content/a.md": fm("id: a\ntitle: a: b: c\n")},
         ["content/a.md:3:9: error[frontmatter.yaml]: invalid YAML: mapping values are not allowed in this context"], 1),
    case("a-b-c-after-korean", {"content/a.md": fm("id: a\ntitle: 한국어: b\n")},
         ["content/a.md:3:11: error[frontmatter.yaml]: invalid YAML: mapping values are not allowed in this context"], 1),
    case("undefined-alias", {"content/a.md": fm("id: a\ntitle: *nope\n")},
         ["content/a.md:3:8: error[frontmatter.yaml]: invalid YAML: found undefined alias"], 1),
    case("yaml-directive", {"content/a.md": fm("%YAML 1.1\nid: a\n")},
         ["content/a.md:3:1: error[frontmatter.yaml]: invalid YAML: did not find expected <document start>"], 1),
    case("merge-key", {"content/a.md": fm("id: a\nbase: &b {title: A}\n<<: *b\n")},
         ["content/a.md:1:1: error[frontmatter.required]: title is required",
          "content/a.md:3:1: warning[frontmatter.unknown_key]: unknown key base",
          "content/a.md:4:1: error[frontmatter.yaml]: invalid YAML: merge keys (<<) are not supported in front matter"], 1),
    case("key-that-is-a-list", {"content/a.md": fm("id: a\ntitle: A\n? [x]\n: y\n")},
         ["content/a.md:4:3: error[frontmatter.yaml]: invalid YAML: a key must be a plain value"], 1),
    case("front-matter-is-a-list", {"content/a.md": fm("- id: a\n- title: A\n")},
         ["content/a.md:2:1: error[frontmatter.not_mapping]: front matter must be a mapping of keys to values, got a list"], 1),
    case("front-matter-is-a-scalar", {"content/a.md": fm("just a sentence\n")},
         ["content/a.md:2:1: error[frontmatter.not_mapping]: front matter must be a mapping of keys to values, "
          "got a single value"], 1),
    case("unclosed-front-matter", {"content/a.md": "---\nid: a\ntitle: A\n\nSee [[Nowhere]].\n"},
         ["content/a.md:1:1: error[frontmatter.unclosed]: front matter opened with --- on line 1 is never closed with ---",
          "content/a.md:5:5: error[link.unresolved]: [[Nowhere]] names no page"], 1),
    case("only-an-opening-fence", {"content/a.md": "---\n"},
         ["content/a.md:1:1: error[frontmatter.unclosed]: front matter opened with --- on line 1 is never closed with ---"], 1),
    case("empty-front-matter", {"content/a.md": "---\n---\nBody.\n"},
         ["content/a.md:1:1: error[frontmatter.required]: id is required",
          "content/a.md:1:1: error[frontmatter.required]: title is required"], 1),
    case("no-front-matter", {"content/a.md": "# Hello\n\nText.\n"},
         ["content/a.md:1:1: error[frontmatter.missing]: page has no front matter; id and title are required"], 1),
    case("empty-file", {"content/a.md": ""},
         ["content/a.md:1:1: error[frontmatter.missing]: page has no front matter; id and title are required"], 1),
    case("duplicate-key", {"content/a.md": fm("id: a\ntitle: A\nid: b\n")},
         ["content/a.md:4:1: error[frontmatter.duplicate_key]: id is given twice; the first is on line 2"], 1),
    case("duplicate-nested-key", {"content/a.md": fm("id: a\ntitle: A\ntech_stack:\n  language: py\n  language: rust\n")},
         ["content/a.md:6:3: error[frontmatter.duplicate_key]: language is given twice; the first is on line 5"], 1),
    case("python-object-tag", {"content/a.md": fm("id: a\ntitle: !!python/object:os.system {}\n")},
         ["content/a.md:3:1: error[frontmatter.type]: title must be a non-empty string, got a mapping",
          "content/a.md:3:8: error[frontmatter.yaml]: invalid YAML: tag !!python/object:os.system is not allowed in front matter"],
         1),
    case("python-apply-tag", {"content/a.md": fm("id: a\ntitle: A\ntags: !!python/object/apply:os.system [ls]\n")},
         ["content/a.md:4:7: error[frontmatter.yaml]: invalid YAML: tag !!python/object/apply:os.system "
          "is not allowed in front matter"], 1),
    case("python-name-tag", {"content/a.md": fm("id: a\ntitle: A\ncategory: !!python/name:os.system\n")},
         ["content/a.md:4:11: error[frontmatter.yaml]: invalid YAML: tag !!python/name:os.system is not allowed in front matter"],
         1),
    case("custom-tag", {"content/a.md": fm("id: a\ntitle: !secret A\n")},
         ["content/a.md:3:8: error[frontmatter.yaml]: invalid YAML: tag !secret is not allowed in front matter"], 1),
    case("custom-tag-on-a-key", {"content/a.md": fm("id: a\ntitle: A\n!k key: v\n")},
         ["content/a.md:4:1: error[frontmatter.yaml]: invalid YAML: tag !k is not allowed in front matter"], 1),
    case("billion-laughs", {"content/a.md": fm("id: a\ntitle: A\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + LAUGHS)},
         ["content/a.md:7:1: error[frontmatter.too_complex]: front matter expands to more than 10,000 values "
          "(YAML aliases that repeat each other?)"], 1),
    case("nested-flow-lists", {"content/a.md": fm("id: a\ntitle: A\ntech_stack: " + "[" * 100 + "]" * 100 + "\n")},
         [f"content/a.md:4:{13 + MAX_DEPTH}: error[frontmatter.too_complex]: front matter nests deeper than 64 levels"], 1),
    case("nested-flow-lists-100000", {"content/a.md": fm("id: a\ntitle: A\ntech_stack: " + "[" * 100_000 + "]" * 100_000 + "\n")},
         [f"content/a.md:4:{13 + MAX_DEPTH}: error[frontmatter.too_complex]: front matter nests deeper than 64 levels"], 1),
    case("nested-block-lists-100000", {"content/a.md": fm("- " * 100_000 + "x\n")},
         [f"content/a.md:2:{2 * (MAX_DEPTH + 1) + 1}: error[frontmatter.too_complex]: front matter nests deeper than 64 levels"], 1),
    case("nested-block-mappings",
         {"content/a.md": fm("id: a\ntitle: A\n" + "".join("  " * i + f"k{i}:\n" for i in range(70)) + "  " * 70 + "x: 1\n")},
         ["content/a.md:69:131: error[frontmatter.too_complex]: front matter nests deeper than 64 levels"], 1),
]


@pytest.mark.parametrize("row", YAML)
def test_front_matter_that_is_not_valid_yaml(kb: KbFactory, row: Case) -> None:
    check(kb, row)
