"""Incremental builds: a build converts only pages whose Markdown changed, and writes exactly
what a clean build writes, after any sequence of edits."""

from __future__ import annotations

import logging
import random
import shutil
from pathlib import Path

import pytest

from tests.conftest import page, run_kb
from tests.test_site_build import files_of

MKDOCS = ("site_name: t\ndocs_dir: content\ntheme:\n  name: material\nplugins:\n  - search\n  - kb:\n"
          "      warn_orphans: false\n      warn_dead_ends: false\n")
WORDS = ["weights", "biases", "layers", "tokens", "experts", "heads", "memory", "optimizer", "gradient", "batch"]


def topic(number: int, rng: random.Random, links: list[int], title: str | None = None) -> str:
    sentences = [f"{rng.choice(WORDS).capitalize()} and {rng.choice(WORDS)} of topic {number}."]
    sentences += [f"See [[Topic {n}]]." for n in links]
    body = "\n\n".join(["# " + (title or f"Topic {number}"), *sentences, "## Details", f"{rng.choice(WORDS)} in detail."])
    return page(f"topic-{number}", title or f"Topic {number}", body + "\n", extra=f"tags: [{rng.choice(WORDS)}]\n")


def pages_cache(root: Path) -> Path:
    return root / ".kb-cache" / "pages"


def clean_build(root: Path, site: str) -> None:
    """A build with no stored renderings (the incremental build's own are kept aside)."""
    aside = root.parent / "pages-aside"
    shutil.move(pages_cache(root), aside)
    run_kb(root, "build", "--site-dir", str(root / site))
    shutil.rmtree(pages_cache(root))
    shutil.move(aside, pages_cache(root))


def edit(root: Path, rng: random.Random, alive: list[int], next_number: list[int]) -> str:
    """One random edit of the kind authors make; says which."""
    kind = rng.choice(["sentence", "link", "title", "add", "delete", "heading", "prerequisite", "tag"])
    number = rng.choice(alive)
    path = root / f"content/topic-{number}.md"
    text = path.read_text(encoding="utf-8")
    if kind == "sentence":
        path.write_text(text.replace(" of topic", f" and {rng.choice(WORDS)} of topic", 1), encoding="utf-8")
    elif kind == "link":
        path.write_text(text + f"\nAlso [[Topic {rng.choice(alive)}]].\n", encoding="utf-8")
    elif kind == "title":
        path.write_text(text.replace(f"title: Topic {number}", f"title: Topic {number}", 1)
                        .replace(f"# Topic {number}\n", f"# Topic {number}, revised\n", 1), encoding="utf-8")
    elif kind == "add":
        new = next_number[0]
        next_number[0] += 1
        (root / f"content/topic-{new}.md").write_text(topic(new, rng, [number]), encoding="utf-8")
        alive.append(new)
    elif kind == "prerequisite":
        path.write_text(text.replace("\ntags:", f"\nprerequisites: [Topic {rng.choice(alive)}]\ntags:", 1), encoding="utf-8")
    elif kind == "tag":
        path.write_text(text.replace("\ntags: [", f"\ntags: [{rng.choice(WORDS)}, ", 1), encoding="utf-8")
    elif kind == "delete" and len(alive) > 3:
        path.unlink()
        alive.remove(number)
    else:
        path.write_text(text + f"\n## More on {rng.choice(WORDS)}\n\nText.\n", encoding="utf-8")
    return kind


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_builds_after_random_edits_equal_clean_builds(kb, seed: int) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    files = {f"content/topic-{n}.md": topic(n, rng, rng.sample(range(8), 2)) for n in range(8)}
    files["content/index.md"] = page("home", "Home", "# Home\n\nStart at [[Topic 0]].\n")
    root: Path = kb(files, mkdocs=MKDOCS)
    alive, next_number = list(range(8)), [8]
    run_kb(root, "build")
    for step in range(8):
        kind = edit(root, rng, alive, next_number)
        run_kb(root, "build")
        clean_build(root, "site-clean")
        assert files_of(root / "site") == files_of(root / "site-clean"), (step, kind)
        shutil.rmtree(root / "site-clean")


def work_done(caplog: pytest.LogCaptureFixture) -> str:
    """What the last build did, as kb reports it at debug level."""
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("kb: pages converted")]
    caplog.clear()
    return lines[-1]


def test_an_edit_converts_and_draws_only_the_pages_it_changes(kb, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG, logger="mkdocs.plugins.kb")
    rng = random.Random(0)
    root: Path = kb({f"content/topic-{n}.md": topic(n, rng, [(n + 1) % 12]) for n in range(12)}, mkdocs=MKDOCS)
    run_kb(root, "build")
    first = work_done(caplog)
    assert first.startswith("kb: pages converted from Markdown: ") and ", stored: 0;" in first
    assert run_kb(root, "build").status == 0
    pages = int(first.split(": ")[2].split(",")[0])
    assert work_done(caplog) == (f"kb: pages converted from Markdown: 0, stored: {pages}; "
                                 f"finished pages: 0 drawn by the theme, {pages} stored ({pages} already in place); "
                                 "topic pages: 0 rendered by kb, 12 stored")
    edited = root / "content/topic-5.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("in detail.", "in much more detail."), encoding="utf-8")
    run_kb(root, "build")
    assert work_done(caplog) == (f"kb: pages converted from Markdown: 1, stored: {pages - 1}; "
                                 f"finished pages: 1 drawn by the theme, {pages - 1} stored ({pages - 1} already in place); "
                                 "topic pages: 1 rendered by kb, 11 stored")
    assert "in much more detail." in (root / "site/topic-5/index.html").read_text(encoding="utf-8")


def test_a_new_link_renders_the_pages_it_touches_and_only_rewrites_the_numbers_of_the_rest(kb, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG, logger="mkdocs.plugins.kb")
    rng = random.Random(0)
    root: Path = kb({f"content/topic-{n}.md": topic(n, rng, [(n + 1) % 40]) for n in range(40)}, mkdocs=MKDOCS)
    run_kb(root, "build")
    before = files_of(root / "site")
    caplog.clear()
    edited = root / "content/topic-5.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nAlso [[Topic 20]].\n", encoding="utf-8")
    run_kb(root, "build")
    done = work_done(caplog)
    rendered = int(done.split("topic pages: ")[1].split(" ")[0])
    drawn = int(done.split("finished pages: ")[1].split(" ")[0])
    after = files_of(root / "site")
    rewritten = [name for name in after if name.endswith("index.html") and before.get(name) != after[name]]
    # The link changes the generality of every page of the ring: each page file holds new numbers,
    # but only pages whose own part changed (the two it joins, pages whose related topics it
    # reorders) are rendered by kb and drawn by the theme again.
    assert (rendered < 30, drawn < 30, len(rewritten)) == (True, True, 40), done
    linked_from = (root / "site/topic-20/index.html").read_text(encoding="utf-8").split('id="kb-backlinks"')[1]
    assert ">Topic 5</a>" in linked_from.split("</ul>")[0]
    clean_build(root, "site-clean")
    assert after == files_of(root / "site-clean")


def test_pages_view_of_the_graph_is_worked_out_only_when_the_graph_or_the_page_changed(kb, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from kb.mkdocs import topic_store

    viewed: list[str] = []
    real = topic_store.graph_view
    monkeypatch.setattr(topic_store, "graph_view", lambda page, site: viewed.append(page.source) or real(page, site))
    rng = random.Random(5)
    root: Path = kb({f"content/topic-{n}.md": topic(n, rng, [(n + 1) % 12]) for n in range(12)}, mkdocs=MKDOCS)

    def views_after(change: str, path: str = "content/topic-5.md") -> int:
        edited = root / path
        if change:
            edited.write_text(edited.read_text(encoding="utf-8") + change, encoding="utf-8")
        viewed.clear()
        assert run_kb(root, "build").status == 0
        return len(viewed)

    assert views_after("") == 12
    assert [views_after(""), views_after("\nOne more sentence.\n"), views_after("\nAlso [[Topic 9]].\n")] == [0, 1, 12]
    (pages_cache(root) / "topics.pickle").write_bytes(b"not a pickle")
    assert views_after("") == 12
    built = files_of(root / "site")
    clean_build(root, "site-clean")
    assert built == files_of(root / "site-clean")


def test_a_corrupt_stored_rendering_is_converted_again(kb) -> None:  # type: ignore[no-untyped-def]
    root: Path = kb({"content/a.md": page("a", "A", "# A\n\nOne sentence.\n")}, mkdocs=MKDOCS)
    run_kb(root, "build")
    first = files_of(root / "site")
    for entry in pages_cache(root).rglob("*.json"):
        entry.write_text('{"key": "x", "payload": {"content": "<p>forged</p>"}}', encoding="utf-8")
    assert run_kb(root, "build").status == 0
    assert files_of(root / "site") == first


def test_a_build_rewrites_only_the_files_whose_bytes_change_and_removes_what_is_gone(kb) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(3)
    root: Path = kb({f"content/topic-{n}.md": topic(n, rng, [(n + 1) % 5]) for n in range(5)}, mkdocs=MKDOCS)
    run_kb(root, "build")
    pages = sorted((root / "site").rglob("index.html"))
    times = {p: p.stat().st_mtime_ns for p in pages}
    edited = root / "content/topic-2.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("in detail.", "in more detail."), encoding="utf-8")
    run_kb(root, "build")
    rewritten = sorted(p.relative_to(root / "site").as_posix() for p in pages if p.stat().st_mtime_ns != times[p])
    assert "topic-2/index.html" in rewritten and "topic-0/index.html" not in rewritten, rewritten
    (root / "site" / ".kept").write_text("a hidden file of one's own", encoding="utf-8")
    (root / "content/topic-4.md").unlink()
    (root / "content/topic-3.md").write_text(topic(3, rng, []), encoding="utf-8")  # no longer links to topic 4
    run_kb(root, "build")
    assert not (root / "site/topic-4").exists() and (root / "site/.kept").exists()
    (root / "site/.kept").unlink()
    clean_build(root, "site-clean")
    assert files_of(root / "site") == files_of(root / "site-clean")


def test_the_store_keeps_only_what_the_last_build_used(kb) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(4)
    root: Path = kb({f"content/topic-{n}.md": topic(n, rng, [(n + 1) % 6]) for n in range(6)}, mkdocs=MKDOCS)
    run_kb(root, "build")
    first = sorted(p.name for p in pages_cache(root).rglob("*.json"))
    edited = root / "content/topic-1.md"
    for word in ("one", "two", "three"):
        edited.write_text(edited.read_text(encoding="utf-8") + f"\nOne more sentence, {word}.\n", encoding="utf-8")
        run_kb(root, "build")
    now = sorted(p.name for p in pages_cache(root).rglob("*.json"))
    assert len(now) == len(first) and now != first


def test_with_another_plugin_every_page_is_drawn_by_the_theme(kb, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG, logger="mkdocs.plugins.kb")
    mkdocs = MKDOCS.replace("  - search\n", "  - search\n  - tags\n")  # Material's tags plugin: kb cannot see what it does
    root: Path = kb({"content/a.md": page("a", "A", "# A\n\nOne sentence.\n")}, mkdocs=mkdocs)
    run_kb(root, "build")
    work_done(caplog)
    assert run_kb(root, "build").status == 0
    assert work_done(caplog).endswith("finished pages: all drawn; topic pages: 0 rendered by kb, 1 stored")


def test_the_themes_templates_are_compiled_once_and_a_cache_that_cannot_keep_them_fails_nothing(kb) -> None:  # type: ignore[no-untyped-def]
    root: Path = kb({"content/a.md": page("a", "A", "# A\n\nOne sentence.\n")}, mkdocs=MKDOCS)
    assert run_kb(root, "build").status == 0
    assert len(list((root / ".kb-cache/templates").glob("__jinja2_*.cache"))) > 10  # main.html and what it includes
    first = files_of(root / "site")
    shutil.rmtree(root / ".kb-cache/templates")
    (root / ".kb-cache/templates").write_text("not a folder", encoding="utf-8")
    shutil.rmtree(root / "site")
    assert run_kb(root, "build").status == 0
    assert files_of(root / "site") == first


def test_while_serving_stored_pages_are_kept_in_memory_and_saves_are_looked_for_often(kb, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    import mkdocs.commands.serve as serve_command

    from kb.mkdocs.build import POLLING_SECONDS, QUIET_SECONDS, _saves_noticed_quickly
    from kb.mkdocs.render_cache import kept_in_memory

    caplog.set_level(logging.DEBUG, logger="mkdocs.plugins.kb")
    root: Path = kb({f"content/topic-{n}.md": topic(n, random.Random(n), [(n + 1) % 4]) for n in range(4)}, mkdocs=MKDOCS)
    with kept_in_memory():
        run_kb(root, "build")
        first = files_of(root / "site")
        work_done(caplog)
        shutil.rmtree(pages_cache(root))  # gone from the disk, still in memory
        assert run_kb(root, "build").status == 0
        assert work_done(caplog).endswith("topic pages: 0 rendered by kb, 4 stored")
        assert files_of(root / "site") == first
    assert not list(pages_cache(root).glob("*/*.json"))  # no entry was stored anew
    run_kb(root, "build")
    assert work_done(caplog).endswith("topic pages: 4 rendered by kb, 0 stored")  # outside serving, the files only
    with _saves_noticed_quickly():
        server = serve_command.LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(root))
    assert (server.observer.timeout, server.build_delay) == (POLLING_SECONDS, QUIET_SECONDS) == (0.25, 0.02)
    server.server_close()


def test_a_page_file_changed_since_the_last_build_is_written_again_and_plain_mkdocs_writes_whole_pages(kb, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    from mkdocs.commands.build import build
    from mkdocs.config import load_config as load_mkdocs

    caplog.set_level(logging.DEBUG, logger="mkdocs.plugins.kb")
    root: Path = kb({f"content/topic-{n}.md": topic(n, random.Random(n), [(n + 1) % 4]) for n in range(4)}, mkdocs=MKDOCS)
    run_kb(root, "build")
    first = files_of(root / "site")
    tampered = root / "site/topic-2/index.html"
    tampered.write_text(tampered.read_text(encoding="utf-8") + "<!-- edited by hand -->", encoding="utf-8")
    work_done(caplog)
    run_kb(root, "build")
    done = work_done(caplog)
    pages = len([path for path in first if path.endswith("index.html")])  # every page but 404.html
    assert f"finished pages: 0 drawn by the theme, {pages} stored ({pages - 1} already in place)" in done
    assert files_of(root / "site") == first
    build(load_mkdocs(config_file=str(root / "mkdocs.yml")))  # MkDocs' own build, with the kb plugin: nothing left out
    assert files_of(root / "site") == first


def test_a_build_leaves_nothing_frozen_so_kb_serve_does_not_keep_old_builds(kb) -> None:  # type: ignore[no-untyped-def]
    import gc

    root: Path = kb({"content/a.md": page("a", "A", "# A\n\nOne sentence.\n")}, mkdocs=MKDOCS)
    gc.unfreeze()
    assert run_kb(root, "build").status == 0
    assert gc.get_freeze_count() == 0  # the check's and the build's objects may be collected once replaced


def test_mkdocs_own_build_with_the_plugin_rewrites_only_changed_files(kb) -> None:  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys

    root: Path = kb({f"content/topic-{n}.md": topic(n, random.Random(n), [(n + 1) % 4]) for n in range(4)}, mkdocs=MKDOCS)
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(root / "mkdocs.yml")]
    subprocess.run(command, check=True, capture_output=True)
    first = files_of(root / "site")
    def times_of_pages() -> dict[Path, int]:  # (MkDocs writes its sitemap anew on every build, then kb its own)
        return {path: path.stat().st_mtime_ns for path in (root / "site").rglob("*")
                if path.is_file() and not path.name.startswith("sitemap.xml")}

    times = times_of_pages()
    (root / "site/stale.html").write_text("from a page since deleted", encoding="utf-8")
    os.utime(root / "site/stale.html", ns=(1, 1))
    subprocess.run(command, check=True, capture_output=True)
    assert files_of(root / "site") == first  # the file no build produces is gone
    assert times_of_pages() == times


def test_under_mkdocs_serve_the_plugin_keeps_pages_in_memory_until_it_stops() -> None:
    from kb.check import parsed
    from kb.mkdocs import render_cache
    from kb.mkdocs.plugin import KbPlugin

    plugin = KbPlugin()
    plugin.on_startup(command="serve", dirty=False)
    assert parsed._KEPT.active and render_cache._KEPT.active
    plugin.on_shutdown()
    assert not parsed._KEPT.active and not render_cache._KEPT.active
    plugin.on_startup(command="build", dirty=False)
    assert not parsed._KEPT.active and not render_cache._KEPT.active


def test_the_collector_is_paused_while_pages_are_read_and_left_as_it_was(kb, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import gc

    from kb.mkdocs.plugin import KbPlugin

    collecting_while_read = []
    read = KbPlugin.on_page_markdown

    def noting(self: KbPlugin, markdown: str, **kwargs: object) -> str | None:
        collecting_while_read.append(gc.isenabled())
        return read(self, markdown, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(KbPlugin, "on_page_markdown", noting)
    root: Path = kb({f"content/topic-{n}.md": topic(n, random.Random(n), [(n + 1) % 3]) for n in range(3)}, mkdocs=MKDOCS)
    assert run_kb(root, "build").status == 0
    # paused for every page, and afterwards collecting again, with nothing left frozen (kb serve builds again and again)
    assert (set(collecting_while_read), len(collecting_while_read) >= 3, gc.isenabled(), gc.get_freeze_count()) == \
        ({False}, True, True, 0)
