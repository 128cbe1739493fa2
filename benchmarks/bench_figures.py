"""Figures: cold and warm `kb check` on the shipped knowledge base, and the
cost of counting a 405-billion-parameter model.

1. The shipped knowledge base is copied to a scratch folder and checked twice
   with the installed `kb` console script: cold (empty cache: workers start,
   torch and transformers are imported, every figure computed and every block
   run) and warm (nothing changed: no worker, no torch import).
2. The same work with nothing isolated: one process imports torch, transformers
   and macros/, computes every distinct figure call and runs every page's
   blocks, one after another on one thread, as each of kb's workers computes
   (the baseline kb's workers are measured against); from its times, the least
   a check can take when that work is spread evenly over every core after one
   import, with nothing spent on isolating it.
3. A fresh Python process imports torch and transformers, then builds Llama 3.1
   405B from its configuration on the meta device through kb's registry and
   counts its parameters; the import time, the build-and-count time and the
   peak resident memory of that process are printed.

    python benchmarks/bench_figures.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KB = Path(sys.executable).with_name("kb")

COUNT_405B = """
import json, resource, time
start = time.perf_counter()
import torch, transformers
from transformers import LlamaConfig, LlamaForCausalLM  # transformers loads model code lazily
import kb.runtime.builtin_figures, macros
from kb.runtime.registry import REGISTRY
imported = time.perf_counter()
count = REGISTRY.compute("params", ["llama-3.1-405b"], {})
counted = time.perf_counter()
print(json.dumps({"imports": imported - start, "count_seconds": counted - imported, "params": count,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


# The same work with no isolation at all: one process imports torch, transformers and macros/,
# computes every distinct figure call and runs every page's blocks in turn, in fresh namespaces,
# on one thread as each of kb's workers does, remembering what it works out about a model as
# kb's figures' worker does.
ONE_PROCESS = """
import contextlib, io, json, os, sys, tempfile, time
start = time.perf_counter()
import torch, transformers
from transformers import LlamaConfig, LlamaForCausalLM
import kb.runtime.builtin_figures, kb.runtime.flop_figures, kb.runtime.inference_figures
torch.set_num_threads(1)  # as in kb's workers: what is left to share out is the cores
from pathlib import Path
root = Path(sys.argv[1])
sys.path.insert(0, str(root))
import macros
from kb.runtime.registry import REGISTRY, build_model
imported = time.perf_counter()
from kb.config import load_config
from kb.diagnostics import Diagnostics
from kb.figures import block as blockmod, figure as figmod
from kb.model import State
from kb.pipeline import run_check
result = run_check(load_config(None, root))
manifest = REGISTRY.manifest()
calls = {}
for page in result.pages:
    for f in figmod.read_figures(page, manifest, Diagnostics()):
        if f.call is not None and f.error is None and f.state is not State.CITED:
            calls[(f.call.function, repr(f.call.args), repr(f.call.kwargs))] = f.call
checked = time.perf_counter()
from kb.runtime.remembered import remembering  # what the figures' worker remembers about a model, here too
with remembering():
    for call in calls.values():
        with contextlib.suppress(Exception):
            REGISTRY.compute(call.function, list(call.args), dict(call.kwargs))
figured = time.perf_counter()
os.chdir(tempfile.mkdtemp())
blocks = 0
for page in result.pages:
    session = {"__name__": "__kb_page__", "build_model": build_model}
    for block in blockmod.page_blocks(page):
        blocks += 1
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            with contextlib.suppress(BaseException):
                exec(compile(block.code.content, str(page.source), "exec"), session)
ran = time.perf_counter()
print(json.dumps({"imports": imported - start, "figures": figured - checked, "calls": len(calls),
                  "blocks": ran - figured, "block_count": blocks, "total": ran - start - (checked - imported)}))
"""


def timed(command: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return elapsed, done.stderr.strip().splitlines()[-1]


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "kb"
        copy.mkdir()
        for name in ("content", "macros", "site_config"):
            shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(ROOT / "mkdocs.yml", copy / "mkdocs.yml")
        cold, summary = timed([str(KB), "check"], copy)
        warm_runs = [timed([str(KB), "check"], copy)[0] for _ in range(3)]
        warm = sorted(warm_runs)[1]
        alone = subprocess.run([sys.executable, "-c", ONE_PROCESS, str(copy)], cwd=ROOT, capture_output=True, text=True, check=True)
        work = json.loads(alone.stdout.strip().splitlines()[-1])
    result = subprocess.run([sys.executable, "-c", COUNT_405B], cwd=ROOT, capture_output=True, text=True, check=True)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"shipped knowledge base: {summary}")
    print(f"  cold check (empty cache): {cold:6.2f} s   ({cold / figures['imports']:.1f}x one import, below)")
    print(f"  warm check (median of 3): {warm:6.2f} s   ({cold / warm:.0f}x faster)")
    print(f"  the same work in one process, nothing isolated, in turn: {work['total']:6.2f} s "
          f"(import {work['imports']:.2f} s, {work['calls']:,} distinct figure calls {work['figures']:.2f} s, "
          f"{work['block_count']} blocks {work['blocks']:.2f} s); the cold check takes {cold / work['total']:.2f}x that")
    # No way of sharing out this work does better than one import followed by the figures and
    # blocks spread evenly over every core, with nothing spent on isolating them.
    cores = os.cpu_count() or 1
    floor = figures["imports"] + (work["figures"] + work["blocks"]) / cores
    print(f"  the least this work allows on {cores} cores (one import, then the figures and blocks spread "
          f"evenly): {floor:6.2f} s = {floor / figures['imports']:.1f}x one import; the cold check takes "
          f"{cold / floor:.2f}x that")
    print(f"Llama 3.1 405B: {figures['params']:,} parameters")
    print(f"  import torch, transformers' Llama code and macros: {figures['imports']:5.2f} s (once per worker)")
    print(f"  build on meta and count:                            {figures['count_seconds']:5.2f} s")
    print(f"  peak resident memory of the process:                {figures['peak_rss_mb']:5.0f} MB")


if __name__ == "__main__":
    main()
