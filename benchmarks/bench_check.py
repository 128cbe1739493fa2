"""Time `kb check` on generated knowledge bases of 1,000, 5,000 and 20,000 pages.

Each size is generated twice (see generate_kb.py: 6-10 links per page, three
headings, a code block; the second time also with each page's learning
structure: difficulty, two prerequisites, a related page, two keyed sources
and three citations), then checked with the installed `kb` console script in
a fresh process, as a user would run it, every page parsed anew (the parsed
pages kb keeps in its cache folder are removed before each run). Prints, per
size: pages, links, the median wall time of the runs, the time per 1,000
pages, the peak resident memory of the kb process, the time of a second check
with nothing changed (parsed pages kept); then the time of the knowledge base
with the learning structure, and the time an earlier kb takes on it (the
baseline, a git revision run from its own sources in the same script: by
default the last one before the learning structure), with their ratio.

    python benchmarks/bench_check.py [--sizes 1000 5000 20000] [--runs 5] [--baseline REV]
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
REPO = Path(__file__).resolve().parent.parent
BASELINE = "156bc59"  # kb before prerequisites, related pages, citations and reviews


def timed_check(config: Path, sources: Path | None = None, kept: bool = False) -> tuple[float, float, str]:
    """One `kb check` run (of the installed kb, or of the kb in ``sources``): wall seconds,
    peak RSS in MB, and its summary line. Every page is parsed anew unless ``kept``."""
    if not kept:
        (config.parent / ".kb-cache" / "parsed.pickle").unlink(missing_ok=True)
    command, env = [str(KB)], None
    if sources is not None:
        command, env = [sys.executable, "-m", "kb"], {**os.environ, "PYTHONPATH": str(sources)}
    start = time.perf_counter()
    process = subprocess.Popen([*command, "check", "--config-file", str(config)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
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
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", default=BASELINE, help="the git revision of the earlier kb (default: %(default)s)")
    args = parser.parse_args()
    print(f"kb check, median of {args.runs} runs, {os.cpu_count()} cores; baseline: kb at {args.baseline}")
    print(f"{'pages':>8} {'links':>9} {'seconds':>8} {'s/1k pages':>11} {'peak RSS':>9} {'second check':>13}   "
          f"{'with learning structure':>23} {'baseline':>9} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as scratch:
        sources = Path(scratch) / "baseline"
        sources.mkdir()
        archive = subprocess.run(["git", "-C", str(REPO), "archive", args.baseline, "kb"], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(sources)], input=archive.stdout, check=True)
        for n in args.sizes:
            plain = generate(Path(scratch) / f"kb{n}", n)
            learning = generate(Path(scratch) / f"kb{n}-learning", n, learning=True)
            (seconds, rss, summary), (with_learning, _, _), (earlier, _, _) = measure_alternately(
                [(plain, None), (learning, None), (learning, sources)], args.runs)
            timed_check(plain)  # keeps the parsed pages for the second checks
            second = statistics.median(timed_check(plain, kept=True)[0] for _ in range(args.runs))
            links = re.search(r"([\d,]+) links", summary)
            shown_links = links.group(1) if links else "?"
            print(f"{n:>8,} {shown_links:>9} {seconds:>8.2f} {seconds / n * 1000:>11.3f} {rss:>7.0f} MB {second:>11.2f} s   "
                  f"{with_learning:>21.2f} s {earlier:>7.2f} s {with_learning / earlier:>5.2f}x")


def measure_alternately(checks: list[tuple[Path, Path | None]], runs: int) -> list[tuple[float, float, str]]:
    """For each (knowledge base, kb sources or None for the installed kb), the median seconds,
    peak RSS in MB and summary line of ``runs`` checks, run in turns (one of each, then again)
    so that a machine that slows down or speeds up meanwhile weighs on all of them alike."""
    results: list[list[tuple[float, float, str]]] = [[] for _ in checks]
    for _ in range(runs):
        for (config, sources), found in zip(checks, results, strict=True):
            found.append(timed_check(config, sources))
    return [(statistics.median(r[0] for r in found), max(r[1] for r in found), found[0][2]) for found in results]


if __name__ == "__main__":
    main()
