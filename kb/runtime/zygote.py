"""A warm parent for workers: torch and transformers imported once, a fresh process per session.

Importing torch, transformers and kb's built-in figures takes seconds; the
work a page's session does often takes milliseconds. kb therefore starts one
``python -m kb.runtime.zygote CONTROL_FD [CLASS...]`` per check (per
environment), which imports them and then waits. For each worker kb wants it
sends, over the control socket, a JSON request (the knowledge base's root,
the worker's folder, environment and memory cap) with four file descriptors
attached: the worker's request pipe, its reply pipe, its standard error and a
status pipe.
The zygote forks; the child becomes exactly what ``python -m kb.runtime.worker``
is after its imports (its own session, folder, environment and standard
streams, then ``kb.runtime.worker.serve``: the reaper, the knowledge base's
``macros/`` loaded fresh, the request loop), so timeouts, memory caps and crash
containment are unchanged and nothing one page does reaches another. The
zygote answers with the child's pid, and when the child ends writes its wait
status to the status pipe and closes it.

The zygote itself never runs a page's code or imports ``macros/``: it only
imports libraries (torch, transformers, kb's built-in figures, and the model
code of the transformers classes the knowledge base's code names, given after
CONTROL_FD), and has no thread when it forks. It ends when kb closes the
control socket.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import select
import signal
import socket
import sys
import traceback
from pathlib import Path
from typing import Any

from kb.runtime.worker import load_builtins, serve

_MAX_REQUEST = 1 << 20


def main(argv: list[str]) -> int:
    """Import what every worker needs, then fork a worker per request until kb hangs up."""
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]  # as in a worker: nothing is imported from the working folder
    control = socket.socket(fileno=int(argv[0]))
    load_builtins()
    _warm_transformers(argv[1:])
    # What the zygote imported stays alive in every worker: out of the collector's sight, a
    # collection in a worker does not touch (and so copy) every page the zygote shares with it.
    # A cold check of the shipped knowledge base spent a tenth of its CPU time on those copies.
    gc.freeze()
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write, warn_on_full_buffer=False)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)  # a handler, so the wakeup fd is written
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # kb decides when the zygote ends
    statuses: dict[int, int] = {}  # a running worker's pid -> the write end of its status pipe
    while True:
        try:
            ready, _, _ = select.select([control.fileno(), wake_read], [], [])
        except InterruptedError:
            continue
        if wake_read in ready:
            os.read(wake_read, 4096)
        _report_ended(statuses)
        if control.fileno() not in ready:
            continue
        message, fds, _, _ = socket.recv_fds(control, _MAX_REQUEST, 4)
        if not message:
            return 0
        request = json.loads(message)
        pid = os.fork()
        if pid == 0:
            control.close()
            os.close(wake_read)
            os.close(wake_write)
            for status in statuses.values():
                os.close(status)
            os._exit(_become_worker(request, fds))
        in_fd, out_fd, stderr_fd, status_fd = fds
        for fd in (in_fd, out_fd, stderr_fd):
            os.close(fd)
        statuses[pid] = status_fd
        control.sendall(json.dumps({"pid": pid}).encode() + b"\n")


def _become_worker(request: dict[str, Any], fds: list[int]) -> int:
    """In the forked child: turn into a worker for one session, and serve it."""
    in_fd, out_fd, stderr_fd, status_fd = fds
    os.close(status_fd)
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.setsid()
    os.chdir(request["folder"])
    os.environ.clear()
    os.environ.update(request["env"])
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.dup2(stderr_fd, 2)
    os.close(null)
    os.close(stderr_fd)
    code = 1
    try:
        code = serve(Path(request["root"]), in_fd, out_fd, int(request["memory_mb"]))
    except BaseException:  # as an unforked worker would: the traceback on its standard error, status 1
        traceback.print_exc()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    return code


def _report_ended(statuses: dict[int, int]) -> None:
    """Reap every worker that has ended and write its wait status where kb waits for it."""
    while statuses:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        status_fd = statuses.pop(pid, None)
        if status_fd is not None:
            with contextlib.suppress(OSError):  # kb no longer waits for this worker
                os.write(status_fd, str(status).encode())
            os.close(status_fd)


def _warm_transformers(class_names: list[str]) -> None:
    """Import the heavy common part of transformers, which most model families share, and the
    model code of the classes the knowledge base names (``kb.figures.model_code``): each page's
    session that builds such a model would otherwise import it again. Only transformers' own
    modules under ``transformers.models`` are imported, found through its table of lazy names; a
    name it does not know, or code that fails to import, is left to the page's own import."""
    try:
        import transformers
        import transformers.modeling_utils
    except ImportError:  # transformers is optional for a knowledge base's models
        return
    where = getattr(transformers, "_class_to_module", None)
    if not isinstance(where, dict):
        return
    modules = {where.get(name) for name in class_names}
    for module in sorted(m for m in modules if isinstance(m, str) and m.startswith("models.")):
        with contextlib.suppress(Exception):
            importlib.import_module(f"transformers.{module}")


if __name__ == "__main__":
    status = main(sys.argv[1:])
    # kb has hung up and waits for this process to end; the workers are gone, so there is nothing
    # to finalise, and the interpreter's tearing down torch and transformers took a fifth of a second.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(status)
