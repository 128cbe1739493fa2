"""Time a cold `kb check` (no cache) with warm workers against cold workers, in one run.

Three knowledge bases are checked with the installed `kb` console script in a
fresh process each time, with an empty cache:

- light: 24 pages, each with two executed blocks and a figure that take
  milliseconds, so the time is what starting workers costs;
- shipped: this repository's own knowledge base (skip with --no-shipped), whose
  figures and blocks compute for real (seconds each for the largest models);

each once with warm workers (the default: one zygote imports torch and
transformers, every page session is forked from it) and once with
KB_WARM_WORKERS=0 (each session a fresh `python -m kb.runtime.worker`, as kb
did before). The baseline is the time a Python process spends importing
torch, transformers and kb's built-in figures, timed inside the process (a
whole process takes about a second more: the interpreter's start and, mostly,
its tearing torch down at exit, which kb's zygote never does), measured in the
same run. Prints each time and its ratio to that import.

    python benchmarks/bench_workers.py [--runs 3] [--no-shipped]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KB = Path(sys.executable).with_name("kb")
REPO = Path(__file__).resolve().parent.parent
IMPORTS = ("import time\nstart = time.perf_counter()\n"
           "import torch, transformers.modeling_utils, kb.runtime.builtin_figures, kb.runtime.flop_figures, "
           "kb.runtime.inference_figures\nprint(time.perf_counter() - start)")
MKDOCS = "site_name: light\ndocs_dir: content\nplugins:\n  - kb:\n      warn_orphans: false\n      warn_dead_ends: false\n"


def light_kb(root: Path, pages: int = 24) -> Path:
    """Pages whose two blocks and figure take milliseconds: what is left is starting workers."""
    (root / "content").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(MKDOCS, encoding="utf-8")
    for i in range(pages):
        body = (f"A layer of {{{{ params('nn.Linear({i + 2}, 3)') }}}} parameters.\n\n"
                f"```python exec\nx = {i} * 2\nprint(x)\n```\n\n```output\n{i * 2}\n```\n\n"
                f"```python exec\nprint(x + 1)\n```\n\n```output\n{i * 2 + 1}\n```\n")
        (root / "content" / f"page-{i:02}.md").write_text(f"---\nid: page-{i:02}\ntitle: Page {i}\n---\n{body}", encoding="utf-8")
    return root


def shipped_kb(root: Path) -> Path:
    for name in ("content", "macros", "site_config"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return root


def cold_check(root: Path, warm: bool) -> float:
    """One `kb check` with an empty cache; wall seconds."""
    shutil.rmtree(root / ".kb-cache", ignore_errors=True)
    env = {**os.environ, "KB_WARM_WORKERS": "1" if warm else "0"}
    start = time.perf_counter()
    run = subprocess.run([str(KB), "check", "--config-file", str(root / "mkdocs.yml")], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if run.returncode != 0:
        raise SystemExit(f"kb check failed on {root}: {run.stderr.strip()[-500:]}")
    return elapsed


def import_time() -> float:
    run = subprocess.run([sys.executable, "-c", IMPORTS], check=True, cwd=REPO, capture_output=True, text=True)
    return float(run.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-shipped", action="store_true", help="skip the shipped knowledge base (minutes per run)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kb-bench-workers-") as folder:
        bases = {"light (24 pages, 48 blocks, 24 figures)": light_kb(Path(folder) / "light")}
        if not args.no_shipped:
            bases["shipped knowledge base"] = shipped_kb(Path(folder) / "shipped")
        baseline = statistics.median(import_time() for _ in range(args.runs))
        print(f"baseline: one process importing torch, transformers and kb's figures: {baseline:.2f} s")
        for name, root in bases.items():
            runs = 1 if "shipped" in name else args.runs
            warm = statistics.median(cold_check(root, warm=True) for _ in range(runs))
            cold = statistics.median(cold_check(root, warm=False) for _ in range(runs))
            print(f"{name}: warm workers {warm:.1f} s ({warm / baseline:.1f}x the import), "
                  f"cold workers {cold:.1f} s ({cold / baseline:.1f}x); warm takes {warm / cold:.0%} of cold")


if __name__ == "__main__":
    main()
