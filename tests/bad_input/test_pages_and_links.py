"""Rules across pages, links, and pages that look odd but are fine (with the graph warnings)."""

from __future__ import annotations

import unicodedata

import pytest

from tests.bad_input.rows import Case, KbFactory, case, check
from tests.conftest import page

# ---------------------------------------------------------------------------
# Rules across pages: ids, references, names

A = page("a", "Alpha")
B = page("b", "Beta")

CROSS = [
    case("duplicate-id", {"content/a.md": A, "content/b.md": page("a", "Beta")},
         ['content/b.md:2:1: error[frontmatter.duplicate_id]: id "a" is already used by content/a.md:2'], 1),
    case("duplicate-id-three-times", {"content/a.md": A, "content/b.md": page("a", "Beta"), "content/c/d.md": page("a", "Gamma")},
         ['content/b.md:2:1: error[frontmatter.duplicate_id]: id "a" is already used by content/a.md:2',
          'content/c/d.md:2:1: error[frontmatter.duplicate_id]: id "a" is already used by content/a.md:2'], 1),
    case("canonical-id-names-no-page", {"content/a.md": page("a", "Alpha", extra="canonical_id: alpah\n"),
                                        "content/alpha.md": page("alpha", "Alpha Two")},
         ['content/a.md:4:1: error[frontmatter.reference]: canonical_id "alpah" names no page; did you mean "alpha"?'], 1),
    case("canonical-id-nothing-close", {"content/a.md": page("a", "Alpha", extra="canonical_id: zzzzzz\n")},
         ['content/a.md:4:1: error[frontmatter.reference]: canonical_id "zzzzzz" names no page'], 1),
    case("duplicate-of-names-no-page", {"content/a.md": page("a", "Alpha", extra="duplicate_of: bb\n"), "content/b.md": B},
         ['content/a.md:4:1: error[frontmatter.reference]: duplicate_of "bb" names no page; did you mean "b"?'], 1),
    case("duplicate-of-itself", {"content/a.md": page("a", "Alpha", extra="duplicate_of: a\n")},
         ["content/a.md:4:1: error[frontmatter.cycle]: duplicate_of names this page itself"], 1),
    case("canonical-id-itself-is-fine", {"content/a.md": page("a", "Alpha", extra="canonical_id: a\nduplicate_of: none\n")},
         [], 0),
    case("cycle-of-two", {"content/a.md": page("a", "Alpha", extra="canonical_id: b\n"),
                          "content/b.md": page("b", "Beta", extra="canonical_id: a\n")},
         ["content/a.md:4:1: error[frontmatter.cycle]: canonical_id forms a cycle: a -> b -> a"], 1),
    case("cycle-of-two-mixed-fields", {"content/a.md": page("a", "Alpha", extra="duplicate_of: b\n"),
                                       "content/b.md": page("b", "Beta", extra="canonical_id: a\n")},
         ["content/a.md:4:1: error[frontmatter.cycle]: canonical_id and duplicate_of form a cycle: a -> b -> a"], 1),
    case("cycle-of-three", {"content/a.md": page("a", "Alpha", extra="duplicate_of: b\n"),
                            "content/b.md": page("b", "Beta", extra="duplicate_of: c\n"),
                            "content/c.md": page("c", "Gamma", extra="duplicate_of: a\n")},
         ["content/a.md:4:1: error[frontmatter.cycle]: duplicate_of forms a cycle: a -> b -> c -> a"], 1),
    case("title-names-two-pages", {"content/a.md": A, "content/b.md": page("b", "Alpha")},
         ['content/b.md:3:1: error[frontmatter.name_collision]: title "Alpha" names two pages: content/a.md:3 (title) '
          "and content/b.md:3 (title)"], 1),
    case("alias-names-two-pages", {"content/a.md": page("a", "Alpha", extra="aliases: [First]\n"),
                                   "content/b.md": page("b", "Beta", extra="aliases: [Second, First]\n")},
         ['content/b.md:4:19: error[frontmatter.name_collision]: alias "First" names two pages: content/a.md:4 (alias) '
          "and content/b.md:4 (alias)"], 1),
    case("alias-is-another-title", {"content/a.md": A, "content/b.md": page("b", "Beta", extra="aliases: [Alpha]\n")},
         ['content/b.md:4:11: error[frontmatter.name_collision]: alias "Alpha" names two pages: content/a.md:3 (title) '
          "and content/b.md:4 (alias)"], 1),
    case("titles-differ-only-by-case-and-dash",
         {"content/a.md": page("a", "Machine Learning"), "content/b.md": page("b", "machine-learning")},
         ['content/b.md:3:1: warning[frontmatter.name_folded]: title "machine-learning" differs from title "Machine Learning" '
          "of content/a.md:3 only in case, spaces, - or _; a link that matches neither exactly will be ambiguous"], 0),
    case("alias-differs-only-by-underscore",
         {"content/a.md": page("a", "Machine Learning"), "content/b.md": page("b", "Beta", extra="aliases: [Machine_learning]\n")},
         ['content/b.md:4:11: warning[frontmatter.name_folded]: alias "Machine_learning" differs from title "Machine Learning" '
          "of content/a.md:3 only in case, spaces, - or _; a link that matches neither exactly will be ambiguous"], 0),
    case("page-own-names-may-fold-alike", {"content/a.md": page("a", "Alpha", extra="aliases: [X, X, alpha]\n")}, [], 0),
]


@pytest.mark.parametrize("row", CROSS)
def test_rules_across_pages(kb: KbFactory, row: Case) -> None:
    check(kb, row)


# ---------------------------------------------------------------------------
# Links

BETA = page("b", "Beta", "# Introduction\n\n## Details\n")

LINKS = [
    case("wikilink-with-hint", {"content/a.md": page("a", "Alpha", "See [[Betta]].\n"), "content/b.md": BETA},
         ["content/a.md:5:5: error[link.unresolved]: [[Betta]] names no page; did you mean [[Beta]]?"], 1),
    case("wikilink-without-hint", {"content/a.md": page("a", "Alpha", "See [[Quantum Gravity]].\n"), "content/b.md": BETA},
         ["content/a.md:5:5: error[link.unresolved]: [[Quantum Gravity]] names no page"], 1),
    case("wikilink-with-label", {"content/a.md": page("a", "Alpha", "x\n\nSee [[Betta|the beta]] and [[Beta|ok]].\n"),
                                 "content/b.md": BETA},
         ["content/a.md:7:5: error[link.unresolved]: [[Betta]] names no page; did you mean [[Beta]]?"], 1),
    case("wikilink-folding-keeps-separators", {"content/a.md": page("a", "Alpha", "[[BETA]] [[be_ta]]\n"), "content/b.md": BETA},
         ["content/a.md:5:10: error[link.unresolved]: [[be_ta]] names no page; did you mean [[Beta]]?"], 1),
    case("wikilink-korean-typo", {"content/a.md": page("a", "기계 학습", "한국어 문장 [[신경먕]]\n"),
                                  "content/b.md": page("b", "신경망")},
         ["content/a.md:5:8: error[link.unresolved]: [[신경먕]] names no page; did you mean [[신경망]]?"], 1),
    case("ambiguous-folded-titles", {"content/a.md": page("a", "Alpha", "[[machine learning]]\n"),
                                     "content/m1.md": page("m1", "Machine Learning"),
                                     "content/m2.md": page("m2", "Machine-Learning")},
         ['content/a.md:5:1: error[link.ambiguous]: [[machine learning]] names two pages: content/m1.md (title "Machine Learning") '
          'and content/m2.md (title "Machine-Learning")',
          'content/m2.md:3:1: warning[frontmatter.name_folded]: title "Machine-Learning" differs from title "Machine Learning" '
          "of content/m1.md:3 only in case, spaces, - or _; a link that matches neither exactly will be ambiguous"], 1),
    case("ambiguous-shared-alias", {"content/a.md": page("a", "Alpha", "[[Shared]]\n"),
                                    "content/m1.md": page("m1", "One", extra="aliases: [Shared]\n"),
                                    "content/m2.md": page("m2", "Two", extra="aliases: [Shared]\n")},
         ['content/a.md:5:1: error[link.ambiguous]: [[Shared]] names two pages: content/m1.md (alias "Shared") '
          'and content/m2.md (alias "Shared")',
          'content/m2.md:4:11: error[frontmatter.name_collision]: alias "Shared" names two pages: content/m1.md:4 (alias) '
          "and content/m2.md:4 (alias)"], 1),
    case("ambiguous-file-name", {"content/a.md": page("a", "Alpha", "[[x]]\n"),
                                 "content/one/x.md": page("x1", "One"), "content/two/x.md": page("x2", "Two")},
         ['content/a.md:5:1: error[link.ambiguous]: [[x]] names two pages: content/one/x.md (file name "x") '
          'and content/two/x.md (file name "x")'], 1),
    case("file-name-in-the-linking-pages-folder", {"content/one/a.md": page("a", "Alpha", "[[x]]\n"),
                                                   "content/one/x.md": page("x1", "One", "[[Alpha]]\n"),
                                                   "content/two/x.md": page("x2", "Two", "[[Alpha]]\n")}, [], 0),
    case("file-name-with-the-shortest-path", {"content/a.md": page("a", "Alpha", "[[x]]\n"),
                                              "content/one/x.md": page("x1", "One", "[[Alpha]]\n"),
                                              "content/two/deep/x.md": page("x2", "Two", "[[Alpha]]\n")},
         ["content/a.md:5:1: warning[link.shortest_path]: [[x]] names 2 pages by file name; the shortest path, "
          "content/one/x.md, wins over content/two/deep/x.md; write [[one/x]] to say so, or the path of another"], 0),
    case("file-name-by-its-path", {"content/a.md": page("a", "Alpha", "[[two/deep/x]] and [[one/x]]\n"),
                                   "content/one/x.md": page("x1", "One", "[[Alpha]]\n"),
                                   "content/two/deep/x.md": page("x2", "Two", "[[Alpha]]\n")}, [], 0),
    case("anchor-of-wikilink-with-hint", {"content/a.md": page("a", "Alpha", "[[Beta#Introdution]]\n"), "content/b.md": BETA},
         ["content/a.md:5:1: error[link.anchor]: [[Beta#Introdution]] names no heading of content/b.md; "
          "did you mean [[Beta#Introduction]]?"], 1),
    case("anchor-of-wikilink-without-hint", {"content/a.md": page("a", "Alpha", "[[Beta#Zebra]]\n"), "content/b.md": BETA},
         ["content/a.md:5:1: error[link.anchor]: [[Beta#Zebra]] names no heading of content/b.md"], 1),
    case("anchor-of-wikilink-to-this-page", {"content/a.md": page("a", "Alpha", "# Top\n\n[[#Bottom]]\n")},
         ["content/a.md:7:1: error[link.anchor]: [[#Bottom]] names no heading of this page"], 1),
    case("anchor-of-markdown-link", {"content/a.md": page("a", "Alpha", "[b](b.md#detials)\n"), "content/b.md": BETA},
         ["content/a.md:5:1: error[link.anchor]: [b](b.md#detials) names no heading of content/b.md; did you mean #details?"], 1),
    case("anchor-of-markdown-link-to-this-page", {"content/a.md": page("a", "Alpha", "# Top\n[x](#nope)\n")},
         ["content/a.md:6:1: error[link.anchor]: [x](#nope) names no heading of this page; did you mean #top?"], 1),
    case("markdown-link-to-missing-file", {"content/a.md": page("a", "Alpha", "[b](bet.md)\n"), "content/beta.md": BETA},
         ["content/a.md:5:1: error[link.unresolved]: [b](bet.md) names no page (there is no bet.md); did you mean beta.md?"], 1),
    case("markdown-link-nothing-close", {"content/a.md": page("a", "Alpha", "[zz](sub/zzzz.md)\n"), "content/b.md": BETA},
         ["content/a.md:5:1: error[link.unresolved]: [zz](sub/zzzz.md) names no page (there is no sub/zzzz.md)"], 1),
    case("markdown-link-outside-content", {"content/a.md": page("a", "Alpha", "[up](../README.md)\n")},
         ["content/a.md:5:1: error[link.unresolved]: [up](../README.md) points outside the content folder"], 1),
    case("markdown-link-far-outside", {"content/sub/a.md": page("a", "Alpha", "[up](../../etc/passwd.md)\n")},
         ["content/sub/a.md:5:1: error[link.unresolved]: [up](../../etc/passwd.md) points outside the content folder"], 1),
    case("empty-wikilinks", {"content/a.md": page("a", "Alpha", "x [[]] y [[ ]] [[|lab]] [[#]]\n")},
         ["content/a.md:5:3: error[link.unresolved]: [[]] is an empty link",
          "content/a.md:5:10: error[link.unresolved]: [[ ]] is an empty link",
          "content/a.md:5:16: error[link.unresolved]: [[|lab]] is an empty link",
          "content/a.md:5:25: error[link.unresolved]: [[#]] is an empty link"], 1),
    case("links-in-code-and-comments-are-not-links", {"content/a.md": page("a", "Alpha",
         "```\n[[Nope1]] [x](nope.md)\n```\n\n~~~md\n[[Nope2]]\n~~~\n\nInline `[[Nope3]]` and ``[[Nope4]]`` and `{{ nope }}`.\n\n"
         "<!-- [[Nope5]] -->\n<!--\n[[Nope6]] [y](gone.md#x)\n-->\n\n    [[Nope7]]\n\nText [[Beta]] <!-- [[Nope8]] --> [[Beta#Details]].\n"),
         "content/b.md": BETA}, [], 0),
]


@pytest.mark.parametrize("row", LINKS)
def test_links(kb: KbFactory, row: Case) -> None:
    check(kb, row)


# ---------------------------------------------------------------------------
# Pages that look odd but are fine, and the graph warnings

GRAPH = "site_name: test\ndocs_dir: content\n"  # the graph warnings on, as by default


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


CLEAN = [
    case("bom-and-crlf", {
        "content/a.md": "\ufeff" + crlf(page("a", "Alpha", "# Heading\n\nSee [[Beta#Details]].\n", "aliases: [Eh]\n")),
        "content/b.md": crlf(page("b", "Beta", "## Details\n\n[[Alpha#Heading]] and [[Eh]].\n")),
    }, [], 0, mkdocs=GRAPH, args=("--strict",)),
    case("korean-pages", {
        "content/기계-학습.md": page("ko-1", "기계 학습", "# 개요\n\n[[신경망#구조]] 과 [[신경_망|신경 망]].\n", "aliases: [머신러닝]\n"),
        "content/신경망.md": page("ko-2", unicodedata.normalize("NFD", "신경망"),
                                 "## 구조\n\n[[머신러닝]], [[기계_학습#개요]], [개요](기계-학습.md#개요).\n", "aliases: [신경 망]\n"),
    }, [], 0, mkdocs=GRAPH, args=("--strict",)),
    case("orphan-and-dead-end-warnings", {"content/a.md": page("a", "Alpha", "[[Beta]]\n"), "content/b.md": B},
         ["content/a.md:1:1: warning[graph.orphan]: no other page links here",
          "content/b.md:1:1: warning[graph.dead_end]: this page links to no other page"], 0, mkdocs=GRAPH),
    case("orphan-and-dead-end-with-strict", {"content/a.md": page("a", "Alpha", "[[Beta]]\n"), "content/b.md": B},
         ["content/a.md:1:1: warning[graph.orphan]: no other page links here",
          "content/b.md:1:1: warning[graph.dead_end]: this page links to no other page"], 1, mkdocs=GRAPH, args=("--strict",)),
    case("home-page-is-no-orphan", {"content/index.md": page("home", "Home", "[[Alpha]]\n"),
                                    "content/a.md": page("a", "Alpha", "[[Home]]\n")}, [], 0, mkdocs=GRAPH, args=("--strict",)),
]


@pytest.mark.parametrize("row", CLEAN)
def test_odd_but_fine_pages_and_graph_warnings(kb: KbFactory, row: Case) -> None:
    check(kb, row)
