"""Time `kb build` against a plain `mkdocs build` of the same pages.

Knowledge bases of 1,000 and 5,000 generated pages (links, headings, a code
block and one verified figure each) are built in one run, with `kb build` (its warnings, such as reviews that fall due
as the calendar moves, do not stop it):

- cold: no figure cache and no stored page renderings;
- full warm: figures cached, every page's Markdown converted again;
- unchanged: a build with nothing changed (stored pages reused; median of 3);
- one page: one sentence added to one page, then a build (median of 3);

and the same pages with plain `mkdocs build` and Material's default
navigation, which lists every page in every page's sidebar (only at 1,000
pages: at 5,000 its quadratic cost runs for many minutes). Prints the plain
build's time over the unchanged build's, and the one-page build's time as a
share of the full warm build.

    python benchmarks/bench_build.py [--sizes 1000 5000]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_kb import generate

BIN = Path(sys.executable).parent
PLAIN_LIMIT = 1000
RUNS = 3  # unchanged and one-page builds: the median of this many


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return time.perf_counter() - start


def timed_after(change: Callable[[Path], None], command: list[str], cwd: Path) -> float:
    change(cwd)
    return timed(command, cwd)


def edit_one_page(root: Path) -> None:
    """Change one sentence of one page, as an author saving it would."""
    pages = sorted((root / "content").rglob("*.md"))
    page = pages[len(pages) // 2]
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more sentence, saved.\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    args = parser.parse_args()
    print(f"{'pages':>7} {'kb cold':>9} {'full warm':>10} {'unchanged':>10} {'one page':>9} {'plain mkdocs':>13} "
          f"{'plain / unchanged':>18} {'one page / full warm':>21}")
    unchanged_times: dict[int, float] = {}
    kb_build = [str(BIN / "kb"), "build", "--site-dir", "site-kb"]
    with tempfile.TemporaryDirectory() as scratch:
        for n in args.sizes:
            root = generate(Path(scratch) / f"kb{n}", n, figures=True).parent
            cold = timed(kb_build, root)  # no figure cache, no stored renderings
            shutil.rmtree(root / ".kb-cache" / "pages")
            full = timed(kb_build, root)  # figures cached, every page rendered
            unchanged = statistics.median(timed(kb_build, root) for _ in range(RUNS))  # nothing changed since the last build
            one = statistics.median(timed_after(edit_one_page, kb_build, root) for _ in range(RUNS))
            unchanged_times[n] = unchanged
            plain = None
            if n <= PLAIN_LIMIT:
                plain = timed([str(BIN / "mkdocs"), "build", "-q", "-f", "mkdocs-plain.yml", "-d", "site-plain"], root)
            shown_plain = f"{plain:12.1f}s" if plain else f"{'(skipped)':>13}"
            ratio = f"{plain / unchanged:17.1f}x" if plain else f"{'':>18}"
            print(f"{n:>7,} {cold:8.1f}s {full:9.1f}s {unchanged:9.1f}s {one:8.1f}s {shown_plain} {ratio} {one / full:20.0%}",
                  flush=True)
        if len(unchanged_times) > 1:
            first, last = min(unchanged_times), max(unchanged_times)
            print(f"growth: {last:,} unchanged pages took {unchanged_times[last] / unchanged_times[first]:.2f}x "
                  f"the {first:,}-page time for {last / first:.0f}x the pages")


if __name__ == "__main__":
    main()
