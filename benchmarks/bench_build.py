"""Time `kb build` against a plain `mkdocs build` of the same pages.

Knowledge bases of 1,000 and 5,000 generated pages (links, headings, a code
block and one verified figure each) are built in one run:

- `kb build`: the kb plugin checks everything, computes every figure (cold:
  empty cache; warm: a second build), renders the pages, and gives Material a
  navigation of category pages, so the build grows linearly;
- plain `mkdocs build` of the same pages with Material's default navigation,
  which lists every page in every page's sidebar (only at 1,000 pages: at
  5,000 its quadratic cost runs for many minutes).

    python benchmarks/bench_build.py [--sizes 1000 5000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_kb import generate

BIN = Path(sys.executable).parent
PLAIN_LIMIT = 1000


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    args = parser.parse_args()
    print(f"{'pages':>7} {'kb cold':>9} {'kb warm':>9} {'plain mkdocs':>13} {'plain / kb':>11}")
    first_warm = None
    with tempfile.TemporaryDirectory() as scratch:
        for n in args.sizes:
            root = generate(Path(scratch) / f"kb{n}", n, figures=True).parent
            cold = timed([str(BIN / "kb"), "build", "--strict", "--site-dir", "site-kb"], root)
            warm = timed([str(BIN / "kb"), "build", "--strict", "--site-dir", "site-kb"], root)
            plain = None
            if n <= PLAIN_LIMIT:
                plain = timed([str(BIN / "mkdocs"), "build", "-q", "-f", "mkdocs-plain.yml", "-d", "site-plain"], root)
            shown_plain = f"{plain:12.1f}s" if plain else f"{'(skipped)':>13}"
            ratio = f"{plain / cold:10.1f}x" if plain else f"{'':>11}"
            print(f"{n:>7,} {cold:8.1f}s {warm:8.1f}s {shown_plain} {ratio}", flush=True)
            first_warm = first_warm or (n, cold)
        if len(args.sizes) > 1 and first_warm:
            print(f"growth: the largest cold build took {cold / first_warm[1]:.2f}x the {first_warm[0]:,}-page one "
                  f"for {args.sizes[-1] / first_warm[0]:.0f}x the pages")


if __name__ == "__main__":
    main()
