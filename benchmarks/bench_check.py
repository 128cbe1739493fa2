"""Time `kb check` on generated knowledge bases of 1,000, 5,000 and 20,000 pages.

Each size is generated once (see generate_kb.py: 6-10 links per page, three
headings, a code block), then checked with the installed `kb` console script
in a fresh process, as a user would run it. Prints, per size: pages, links,
the median wall time of the runs, the time per 1,000 pages and the peak
resident memory of the kb process.

    python benchmarks/bench_check.py [--sizes 1000 5000 20000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_kb import generate

KB = Path(sys.executable).with_name("kb")


def timed_check(config: Path) -> tuple[float, float, str]:
    """One `kb check` run: wall seconds, peak RSS in MB, and its summary line."""
    start = time.perf_counter()
    process = subprocess.Popen([str(KB), "check", "--config-file", str(config)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    assert process.stderr is not None
    summary = process.stderr.read().strip()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"kb check failed on {config}: {summary}")
    return elapsed, usage.ru_maxrss / 1024, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"kb check, median of {args.runs} runs, {os.cpu_count()} cores")
    print(f"{'pages':>8} {'links':>9} {'seconds':>8} {'s/1k pages':>11} {'peak RSS':>9}")
    with tempfile.TemporaryDirectory() as scratch:
        for n in args.sizes:
            config = generate(Path(scratch) / f"kb{n}", n)
            runs = [timed_check(config) for _ in range(args.runs)]
            seconds = statistics.median(r[0] for r in runs)
            rss = max(r[1] for r in runs)
            links = re.search(r"([\d,]+) links", runs[0][2])
            shown_links = links.group(1) if links else "?"
            print(f"{n:>8,} {shown_links:>9} {seconds:>8.2f} {seconds / n * 1000:>11.3f} {rss:>7.0f} MB")


if __name__ == "__main__":
    main()
