"""Computing what pages claim: figures and executed blocks, through the cache.

Only cache misses reach a worker process; a check with nothing changed
starts none, so it never imports torch. Figures share one worker (one per core
when there are hundreds to compute); each page with executed blocks gets a
fresh worker, its session.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import Counter, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.config import KbConfig, KbOptions
from kb.diagnostics import Diagnostics
from kb.figures import block as blockmod
from kb.figures import figure as figmod
from kb.figures import zygote_client
from kb.figures.block import Block
from kb.figures.cache import Cache, digest, environment
from kb.figures.expression import kept_readings
from kb.figures.figure import Figure
from kb.figures.model_code import named_model_classes
from kb.figures.progress import Progress
from kb.figures.sessions import blocks_from_cache, run_pages
from kb.figures.worker_client import Worker, WorkerFailure
from kb.memory import KeptInMemory
from kb.model import Page, State
from kb.protocol import MacrosFailure, Manifest

_RESULTS: KeptInMemory[Path, dict[str, dict[str, Any]]] = KeptInMemory()  # by cache folder, under kb serve


def kept_in_memory() -> contextlib.AbstractContextManager[None]:
    """Within the block (``kb serve``: a check after every save), figures' results read from the
    cache are kept in memory too, so a check reads none of them back from files. An entry's key
    is everything its value depends on, so a kept entry never goes stale."""
    return _RESULTS.keeping()


@dataclass
class Computed:
    """The figures and blocks of a knowledge base, judged."""

    figures: list[Figure] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    environment: dict[str, str] = field(default_factory=dict)
    workers_started: int = 0


class _Figures:
    """The one worker that computes figures, started on the first miss."""

    def __init__(self, config: KbConfig, computed: Computed) -> None:
        self.config = config
        self.computed = computed
        self.worker: Worker | None = None
        self.manifest = Manifest()
        self.macros_error: MacrosFailure | None = None

    def start(self) -> None:
        """Start the worker if it is not running, and learn the registry from it."""
        if self.worker is not None and self.worker.running:
            return
        self.worker = Worker(self.config.root, self.config.options.exec_memory_mb, self.config.options.exec_env)
        self.computed.workers_started += 1
        # Importing torch, transformers and macros/ is part of computing: it gets a figure's time.
        hello = self.worker.call({"op": "hello"}, self.config.options.figure_timeout)
        self.manifest = Manifest.from_json(hello["manifest"])
        self.macros_error = MacrosFailure.from_json(hello.get("macros_error"))

    def call(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        self.start()
        assert self.worker is not None
        return self.worker.call(request, timeout)

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()


def compute(pages: list[Page], config: KbConfig, diags: Diagnostics, progress: bool | None = None) -> Computed:
    """Read, compute and judge every figure and executed block of every page
    (``progress``: draw a progress bar; by default, on a terminal outside CI)."""
    options = config.options
    computed = Computed(environment=environment(config.root))
    cache = Cache(config.cache_dir)
    env = computed.environment
    worker = _Figures(config, computed)
    pages_code = []
    for page in pages:
        blocks = blockmod.page_blocks(page)
        computed.blocks.extend(blocks)
        pages_code.append("\n".join(block.code.content for block in blocks))
    zygote_client.expect_model_code(named_model_classes(config.root, pages_code))
    try:
        needs_manifest = any(page.expressions or page.quantities for page in pages)
        manifest = _manifest(cache, env, worker, diags) if needs_manifest else Manifest()
        with kept_readings(config.cache_dir / "expressions.pickle"):
            for page in pages:
                if manifest is None:  # reported once as macros.failed; each figure is simply not computed
                    computed.figures.extend(Figure(page, e, error="not computed: macros/ could not be imported")
                                            for e in page.expressions)
                    continue
                computed.figures.extend(figmod.read_figures(page, manifest, diags))
                if options.warn_unaccounted:
                    figmod.report_unaccounted(page, manifest, diags)
        if manifest is not None:
            figmod.report_unregistered(computed.figures, manifest, config.root, diags)
        readable = [f for f in computed.figures if f.call is not None and f.error is None and f.state is not State.CITED]
        kept = _RESULTS.setdefault(config.cache_dir, {})
        pending = [f for f in readable if not _from_cache(f, cache, env, kept)]
        exec_pages = sorted({b.page.source: b.page for b in computed.blocks}.values(), key=lambda p: p.source)
        stale_pages = [p for p in exec_pages if not blocks_from_cache(p, computed.blocks, cache, env)]
        calls = _same_calls(pending, env)
        bar = Progress(len(calls) + len(stale_pages), enabled=progress)
        # Figures are computed while the pages' sessions run, neither waiting for the other, each
        # a process of its own; many figures get a worker per core, taking calls from one queue.
        lanes = [worker] + [_Figures(config, computed) for _ in range(_figure_lanes(len(calls)) - 1)]
        queue = _Calls(calls)
        with ThreadPoolExecutor(max_workers=len(lanes)) as figure_lanes:
            lanes_done = [figure_lanes.submit(_compute_figures, queue, lane, options, cache, env, bar) for lane in lanes]
            sessions = run_pages(stale_pages, computed.blocks, config, cache, env, bar)
            for done in lanes_done:
                done.result()
        computed.workers_started += sessions  # after the figures' lanes have counted their own workers
        bar.close()
    finally:
        worker.stop()
    if cache.unwritable:
        shown = config.relative(config.cache_dir)
        diags.add(shown, 1, 1, "cache.unwritable",
                  f"cannot write the cache folder {shown} ({cache.unwritable}); this check went on without it, so the "
                  "next one computes everything again (the kb option cache_dir names the folder)")
    for figure in readable:
        figmod.judge(figure, options.tolerance, diags)
        figure.provenance = _provenance(figure, env)
    for block in computed.blocks:
        blockmod.judge(block, diags)
    return computed


def _manifest(cache: Cache, env: dict[str, str], worker: _Figures, diags: Diagnostics) -> Manifest | None:
    """Names and units of the registered figures and models: cached, or asked of a worker
    (None when no worker could start: then nothing can be computed)."""
    key = digest(env, "manifest")
    cached = cache.get(key)
    if cached is not None:
        try:
            return Manifest.from_json(cached)
        except ValueError:
            pass  # written by another version of kb: ask the worker
    try:
        worker.start()
    except WorkerFailure as dead:
        diags.add("macros/__init__.py", 1, 1, "macros.failed", f"importing macros/ {dead}")
        return None
    manifest = worker.manifest
    failure = worker.macros_error
    if failure:
        diags.add(failure.path, failure.line, 1, "macros.failed", f"macros/ cannot be imported: {failure.message}")
    else:
        cache.put(key, manifest.to_json())
    return manifest


def _same_calls(pending: list[Figure], env: dict[str, str]) -> list[list[Figure]]:
    """The pending figures grouped by their call, in the order of first appearance: a call
    written on several pages (or twice on one) is computed once."""
    calls: dict[str, list[Figure]] = {}
    for figure in pending:
        calls.setdefault(_figure_key(figure, env), []).append(figure)
    return list(calls.values())


def _figure_lanes(calls: int) -> int:
    """How many workers compute figures: one, and up to one per core for every hundred calls
    (a worker of its own costs a fork and an import of macros/, which a hundred calls repay)."""
    return max(1, min(os.cpu_count() or 1, calls // 100))


class _Calls:
    """The calls left to compute, shared by the figures' lanes. A lane takes the next call about
    the model it computed last when there is one: its worker keeps that model built and the
    passes already counted on it, which later figures about the model often run again. A lane
    done with its model starts on one no other lane is computing, so that two lanes do not build
    the same model and count the same passes (the shipped pages' FLOPs of Llama 3.1 8B did)."""

    def __init__(self, calls: list[list[Figure]]) -> None:
        self._by_model: dict[str | None, deque[list[Figure]]] = {}  # in the order models first appear
        for same in calls:
            self._by_model.setdefault(_model_of(same[0]), deque()).append(same)
        self._busy: Counter[str | None] = Counter()  # models the lanes computed last
        self._lock = threading.Lock()

    def take(self, last: str | None, computed: bool) -> list[Figure] | None:
        """The next call to compute for a lane whose last call was about ``last`` (None when
        there is none left); ``computed``: whether the lane has computed a call yet."""
        with self._lock:
            if computed:
                self._busy[last] -= 1
            model = last if last is not None and last in self._by_model else self._free_model()
            if model not in self._by_model:
                return None
            left = self._by_model[model]
            same = left.popleft()
            if not left:
                del self._by_model[model]
            self._busy[model] += 1
            return same

    def _free_model(self) -> str | None:
        """The first model left that no lane is computing (the first left when every one is)."""
        return next((m for m in self._by_model if m is None or self._busy[m] <= 0), next(iter(self._by_model), None))


def _model_of(figure: Figure) -> str | None:
    assert figure.call is not None
    first = figure.call.args[0] if figure.call.args else None
    return first if isinstance(first, str) else None


def _compute_figures(queue: _Calls, worker: _Figures, options: KbOptions, cache: Cache,
                     env: dict[str, str], bar: Progress) -> None:
    """One lane: take calls from the queue (shared with the other lanes) until it is empty."""
    last: str | None = None
    computed = False
    try:
        while (same := queue.take(last, computed)) is not None:
            computed = True
            first = same[0]
            last = _model_of(first)
            assert first.call is not None
            bar.step(f"computing {first.call.text()}")
            _compute_figure(first, worker, options, cache, env)
            for figure in same[1:]:
                figure.value, figure.error = first.value, first.error
            bar.advance()
    finally:
        worker.stop()


def _figure_key(figure: Figure, env: dict[str, str]) -> str:
    assert figure.call is not None
    return digest(env, "figure", figure.call.function, list(figure.call.args), list(figure.call.kwargs))


def _from_cache(figure: Figure, cache: Cache, env: dict[str, str], kept: dict[str, dict[str, Any]] | None) -> bool:
    key = _figure_key(figure, env)
    entry = kept.get(key) if kept is not None else None
    if entry is None:
        entry = cache.get(key)
        if entry is None:
            return False
        if kept is not None:
            kept[key] = entry
    figure.value, figure.error = entry.get("value"), entry.get("error")
    return True


def _compute_figure(figure: Figure, worker: _Figures, options: KbOptions, cache: Cache, env: dict[str, str]) -> None:
    assert figure.call is not None
    request = {"op": "figure", "function": figure.call.function, "args": list(figure.call.args),
               "kwargs": dict(figure.call.kwargs)}
    try:
        reply = worker.call(request, options.figure_timeout)
    except WorkerFailure as failure:  # not cached: a timeout may pass on a quieter machine
        figure.error = f"the computation {failure}"
        return
    if reply.get("ok"):
        figure.value = reply["value"]
    else:
        figure.error = reply.get("error", "unknown error")
    cache.put(_figure_key(figure, env), {"value": figure.value, "error": figure.error})


def _provenance(figure: Figure, env: dict[str, str]) -> dict[str, Any]:
    assert figure.call is not None
    return {
        "function": figure.call.function,
        "expression": figure.call.text(),
        "value": figure.value,
        "unit": figure.unit,
        "torch": env["torch"],
        "transformers": env["transformers"],
        "python": env["python"],
    }
