"""The worker process: where figures are computed and page code runs.

kb never imports torch, transformers or a knowledge base's ``macros/`` in its
own process. It starts ``python -m kb.runtime.worker ROOT IN_FD OUT_FD`` and talks
JSON lines over two pipes, so that standard output stays free for the code
being run. A page's code that loops forever, crashes the interpreter or
allocates without bound takes down only this process.

The requests and replies are described in ``kb.protocol``.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

from kb.protocol import MacrosFailure
from kb.runtime.macros_loader import load_macros


def main(argv: list[str]) -> int:
    """Serve requests until the input pipe closes."""
    root, in_fd, out_fd, memory_mb = Path(argv[0]), int(argv[1]), int(argv[2]), int(argv[3])
    requests = os.fdopen(in_fd, "rb")
    replies = os.fdopen(out_fd, "wb")
    # `python -m` put the working folder first on sys.path; a page's code must not import
    # the knowledge base's files from there (macros/ is loaded from its own path, once).
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    session: dict[str, Any] = {"__name__": "__kb_page__"}
    macros_error = _load_registry(root)
    memory_set = False
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
            if not memory_set:
                _limit_memory(memory_mb)
                memory_set = True
            session.setdefault("build_model", _build_model())
            reply = _exec(request, session)
        else:
            reply = {"ok": False, "error": f"unknown request {op!r}"}
        replies.write(json.dumps(reply).encode() + b"\n")
        replies.flush()
    return 0


def _load_registry(root: Path) -> MacrosFailure | None:
    """Register kb's built-in figures, then the knowledge base's own ``macros/``."""
    import kb.runtime.builtin_figures  # noqa: F401  (registers the built-ins)

    return load_macros(root)


def _build_model() -> Any:
    from kb.runtime.registry import build_model

    return build_model


def _figure(request: dict[str, Any]) -> dict[str, Any]:
    from kb.runtime.errors import RegistryError
    from kb.runtime.registry import REGISTRY

    try:
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


def _exec(request: dict[str, Any], session: dict[str, Any]) -> dict[str, Any]:
    """Run one block in the page's session, capturing what it writes to file descriptors 1 and 2."""
    path, first_line = request["path"], request["line"]
    source = "\n" * (first_line - 1) + request["code"]  # so line numbers are the page's
    with tempfile.TemporaryFile() as captured:
        saved = os.dup(1), os.dup(2)
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(captured.fileno(), 1)
        os.dup2(captured.fileno(), 2)
        error: BaseException | None = None
        try:
            exec(compile(source, path, "exec"), session)
        except BaseException as raised:
            error = raised
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
        captured.seek(0)
        output = captured.read().decode("utf-8", errors="replace")
    if error is None:
        return {"ok": True, "stdout": output}
    line = _page_line(error, path) or first_line
    return {"ok": False, "stdout": output, "error": _describe(error, path), "line": line}


def _page_line(error: BaseException, path: str) -> int | None:
    """The last line of the page that the traceback passes through."""
    if isinstance(error, SyntaxError) and error.filename == path:
        return error.lineno
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == path]
    return frames[-1].lineno if frames else None


def _describe(error: BaseException, path: str) -> str:
    """``ZeroDivisionError: division by zero`` plus where it came from in the page."""
    if isinstance(error, SyntaxError) and error.filename == path:
        return f"SyntaxError: {error.msg}"
    text = "".join(traceback.format_exception_only(type(error), error)).strip()
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == path]
    calls = [f"line {f.lineno} in {f.name}" for f in frames if f.name != "<module>"]
    return text + (f" ({', '.join(calls)})" if calls else "")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
