"""One truth about success: ``kb build`` and ``mkdocs build`` with the kb plugin
exit alike on the same input (0 nothing wrong, 1 the content, 2 the
configuration or the environment), strict or not; ``kb build`` says "site
written" only when it was, and names the reason when it was not."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.bad_input.rows import expect
from tests.conftest import page, run_kb, write_kb

MKDOCS = "site_name: t\ndocs_dir: content\ntheme:\n  name: material\nplugins:\n  - search\n  - kb{options}\n"
HOME = page("home", "Home", "Start at [[A]].\n")
A = page("a", "A", "Back [[Home]].\n")

# Run MkDocs' own command line, optionally after a line of Python (to take the graph library away).
MKDOCS_CLI = "import sys\n{prepare}\nfrom mkdocs.__main__ import cli\nsys.argv = ['mkdocs', *sys.argv[1:]]\ncli()\n"
NO_LIBRARY = "import kb.site.assets as a; from pathlib import Path; a.VENDOR = a._CHECKOUT = Path('/nonexistent')"


def mkdocs_build(root: Path, *args: str, prepare: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", MKDOCS_CLI.format(prepare=prepare), "build", "-q", *args],
                          cwd=root, capture_output=True, text=True, timeout=600)


def kb_site(root: Path, files: dict[str, str], options: str = "") -> Path:
    return write_kb(root, {"content/index.md": HOME, "content/a.md": A, **files}, mkdocs=MKDOCS.format(options=options))


Setup = Callable[[Path], Path]
CASES: list[tuple[str, Setup, int, int]] = [  # (name, setup, status, status with --strict)
    ("clean", lambda root: kb_site(root, {}), 0, 0),
    ("stale figure", lambda root: kb_site(root, {"content/b.md": page("b", "B", '{{ params("nn.Linear(2, 2)", expect="7") }} [[A]]\n')}), 1, 1),
    ("warning only", lambda root: kb_site(root, {"content/b.md": page("b", "B", "Links to [[A]] only.\n")}), 0, 1),
    ("bad kb option", lambda root: kb_site(root, {}, ":\n      tolerance: lots"), 2, 2),
    ("broken schema", lambda root: _with(kb_site(root, {}), "site_config/schema.yml", "fields: [id\n"), 2, 2),
    ("site folder is a file", lambda root: _with(kb_site(root, {}), "site", "not a folder\n"), 2, 2),
]


def _with(root: Path, name: str, text: str) -> Path:
    (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize(("name", "setup", "status", "strict_status"), CASES, ids=[c[0] for c in CASES])
def test_kb_build_and_mkdocs_build_exit_alike(tmp_path: Path, name: str, setup: Setup, status: int, strict_status: int) -> None:
    root = setup(tmp_path / "kb")
    for strict, wanted in ((False, status), (True, strict_status)):
        flags = ("--strict",) if strict else ()
        ours = run_kb(root, "build", *flags)
        theirs = mkdocs_build(root, *flags)
        assert (ours.status, theirs.returncode) == (wanted, wanted), (name, strict, ours, theirs.stderr)
        assert ("site written" in ours.stderr) == (wanted != 2), ours.stderr
        assert "internal error" not in ours.stderr and "Traceback" not in theirs.stderr, (ours.stderr, theirs.stderr)


def test_the_failures_name_their_page_line_or_reason(tmp_path: Path) -> None:
    stale = CASES[1][1](tmp_path / "stale")
    line = 'content/b.md:5:1: error[figure.stale]: params("nn.Linear(2, 2)") is 6 (6); the page says 7'
    assert run_kb(stale, "build").lines[0] == line
    assert line in mkdocs_build(stale).stderr
    option = CASES[3][1](tmp_path / "option")
    reason = 'mkdocs.yml:8:7: error[config.invalid]: kb option tolerance must be a number, got "lots"'
    assert run_kb(option, "build").lines == [reason]
    assert f"Error: {reason}" in mkdocs_build(option).stderr
    folder = CASES[5][1](tmp_path / "folder")
    assert f"kb: cannot write the site: [Errno 20] Not a directory: '{folder / 'site'}'" in run_kb(folder, "build").stderr


def test_a_missing_graph_library_stops_both_with_its_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = kb_site(tmp_path / "kb", {"content/b.md": page("b", "B", "Links to [[A]] only.\n")})  # a warning as well
    import kb.site.assets as assets

    monkeypatch.setattr(assets, "VENDOR", Path("/nonexistent"))
    monkeypatch.setattr(assets, "_CHECKOUT", Path("/nonexistent"))
    ours = run_kb(root, "build")
    theirs = mkdocs_build(root, prepare=NO_LIBRARY)
    assert (ours.status, theirs.returncode) == (2, 2)
    reason = "kb: kb's copy of the cytoscape library is missing (looked for /nonexistent/cytoscape/cytoscape.min.js)"
    assert reason in ours.stderr and reason in theirs.stderr
    assert "site written" not in ours.stderr


SITE_WARNINGS = expect(
    "mkdocs.yml:2:1: warning[site.home]: content/index.md does not exist, so the site has no home page; write it "
    "(or name another page with the kb option home)",
    "mkdocs.yml:3:1: warning[site.search]: the site has no search: list the search plugin under plugins (- search)",
    "mkdocs.yml:1:1: warning[site.theme]: the theme is mkdocs; kb's pages, badges and graph are made for Material "
    "(theme: {name: material})",
)


def test_an_incomplete_site_is_warned_about(tmp_path: Path) -> None:
    root = write_kb(tmp_path / "kb", {"content/a.md": page("a", "A")}, mkdocs="site_name: t\ndocs_dir: content\nplugins:\n  - kb\n")
    relaxed = run_kb(root, "build")
    assert (relaxed.status, sorted(relaxed.lines)) == (0, sorted(SITE_WARNINGS))
    assert run_kb(root, "check").lines == []  # a check builds no site
    strict = run_kb(root, "build", "--strict")
    assert strict.status == 1
    assert mkdocs_build(root, "--strict").returncode == 1
    html = (root / "site" / "a" / "index.html").read_text(encoding="utf-8")
    assert "highlight.js" not in html and "cdnjs" not in html  # the default theme's CDN is switched off


def test_a_theme_mkdocs_cannot_find_is_named_not_an_internal_error(tmp_path: Path) -> None:
    """MkDocs checks its own configuration before any plugin runs, so here only kb build can say 2."""
    root = write_kb(tmp_path / "kb", {"content/index.md": HOME, "content/a.md": A},
                    mkdocs="site_name: t\ndocs_dir: content\ntheme:\n  name: no-such-theme\nplugins:\n  - search\n  - kb\n")
    ours = run_kb(root, "build")
    assert ours.status == 2
    assert "Unrecognised theme name: 'no-such-theme'" in ours.stderr
    assert ours.stderr.endswith("kb: mkdocs.yml: MkDocs cannot use this configuration (Aborted with a configuration error!)\n")
    assert mkdocs_build(root).returncode == 1  # MkDocs' own exit status for its own configuration
