"""The worker process: where figures are computed and page code runs.

kb never imports torch, transformers or a knowledge base's ``macros/`` in its
own process. It starts ``python -m kb.runtime.worker ROOT IN_FD OUT_FD`` and talks
JSON lines over two pipes, so that standard output stays free for the code
being run. A page's code that loops forever, crashes the interpreter or
allocates without bound takes down only this process.

The requests and replies are described in ``kb.protocol``; blocks run in
``kb.runtime.session``, and ``kb.runtime.reaper`` ends what they start.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import sys
from pathlib import Path
from typing import Any

from kb.literals import LiteralError, bounded
from kb.runtime.macros_loader import load_macros
from kb.runtime.reaper import become_subreaper, reap
from kb.runtime.session import KnowledgeBaseGuard, run_block


def main(argv: list[str]) -> int:
    """Serve requests until the input pipe closes; under a reaper that ends, with the worker,
    every process the worker's code started."""
    root, in_fd, out_fd, memory_mb = Path(argv[0]), int(argv[1]), int(argv[2]), int(argv[3])
    # `python -m` put the working folder first on sys.path; a page's code must not import
    # the knowledge base's files from there (macros/ is loaded from its own path, once).
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    load_builtins()
    return serve(root, in_fd, out_fd, memory_mb)


def serve(root: Path, in_fd: int, out_fd: int, memory_mb: int) -> int:
    """Load the knowledge base's ``macros/`` and answer requests until the input pipe closes,
    under a reaper (this process) that ends with the worker (its child) everything the
    worker's code started. Also the life of a worker forked by ``kb.runtime.zygote``."""
    if become_subreaper():
        worker = os.fork()
        if worker:
            os.close(in_fd)  # only the worker talks with kb: when it dies, kb sees the pipe close
            os.close(out_fd)
            return reap(worker)
    _threads_as_asked()
    requests = os.fdopen(in_fd, "rb")
    replies = os.fdopen(out_fd, "wb")
    session: dict[str, Any] = {"__name__": "__kb_page__"}
    macros_error = load_macros(root)
    guard = KnowledgeBaseGuard(root, Path.cwd())
    guarded = False
    for raw in requests:
        request = json.loads(raw)
        op = request.get("op")
        if op == "hello":
            from kb.runtime.registry import REGISTRY

            reply: dict[str, Any] = {"ok": True, "manifest": REGISTRY.manifest().to_json(),
                                     "macros_error": macros_error.to_json() if macros_error else None}
        elif op == "figure":
            reply = _figure(request)
        elif op == "exec":
            if not guarded:  # from the first block on: page code is held to the memory cap and kept out of the knowledge base
                _limit_memory(memory_mb)
                guard.install()
                guarded = True
            session.setdefault("build_model", _build_model())
            reply = run_block(request, session, guard)
        else:
            reply = {"ok": False, "error": f"unknown request {op!r}"}
        replies.write(json.dumps(reply).encode() + b"\n")
        replies.flush()
    return 0


def load_builtins() -> None:
    """Import torch, transformers and kb's built-in figures (importing a figure module
    registers its figures): the same in every worker, whatever the knowledge base."""
    import kb.runtime.builtin_figures
    import kb.runtime.flop_figures
    import kb.runtime.inference_figures  # noqa: F401


def _threads_as_asked() -> None:
    """Give PyTorch the number of threads OMP_NUM_THREADS asks for (kb sets 1). A forked worker
    inherits the zygote's thread pool, sized before this environment existed; with one pool of
    two threads in each of three workers on two cores, threads that spin waiting for each other
    made a cold check of the shipped knowledge base 40% slower."""
    torch = sys.modules.get("torch")
    try:
        threads = int(os.environ.get("OMP_NUM_THREADS", ""))
    except ValueError:
        return
    if torch is not None and threads >= 1:
        torch.set_num_threads(threads)


def _build_model() -> Any:
    from kb.runtime.registry import build_model

    return build_model


def _figure(request: dict[str, Any]) -> dict[str, Any]:
    from kb.runtime.errors import RegistryError
    from kb.runtime.registry import REGISTRY
    from kb.runtime.remembered import remembering

    try:
        with remembering():
            value = REGISTRY.compute(request["function"], request["args"], request["kwargs"])
    except RegistryError as error:
        return {"ok": False, "error": str(error)}
    except Exception as error:
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}
    if hasattr(value, "item") and not isinstance(value, (int, float)):
        with contextlib.suppress(Exception):  # a tensor or NumPy scalar: take its number
            value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return {"ok": False, "error": f"{request['function']}() returned {type(value).__name__}, not a number"}
    try:
        value = bounded(value)
    except LiteralError as error:
        return {"ok": False, "error": f"{request['function']}() returned a number kb does not compare: {error}"}
    return {"ok": True, "value": value}


def _limit_memory(memory_mb: int) -> None:
    """Cap the address space so a runaway allocation raises MemoryError instead of swapping."""
    if memory_mb <= 0:
        return
    with open("/proc/self/statm") as statm:
        current = int(statm.read().split()[0]) * resource.getpagesize()
    limit = current + memory_mb * 2**20
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or limit < hard:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
