"""Ending every process a page's code starts, however it starts them.

A worker process forks at once: the parent stays small and becomes a "child
subreaper" (Linux ``prctl``), so any process its descendants start and then
abandon, even in a new session, is re-parented to it instead of to init.
When the worker half ends, or kb asks the reaper to stop (SIGTERM), the
reaper kills every process below it and exits the way the worker did (with
its exit status, or by its signal), so kb still learns how the worker died.
Where ``prctl`` is not available the worker runs unforked, in its own process
group, as before.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import time
from types import FrameType

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> bool:
    """Ask Linux to hand this process the orphans of its descendants; False where it cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0) and os.path.isdir("/proc")
    except (OSError, AttributeError):
        return False


def reap(worker: int) -> int:
    """Wait for the worker (reaping orphans meanwhile), then end every process below this one.
    Returns the worker's exit status; a worker killed by a signal is passed on as that signal."""
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker, signal.SIGKILL)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # kb decides when a worker ends
    status = 0
    while True:
        try:
            pid, wait_status = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if pid == worker:
            status = wait_status
            break
    kill_descendants()
    if stopping:
        return 0
    if os.WIFSIGNALED(status):
        signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
        os.kill(os.getpid(), os.WTERMSIG(status))
    return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1


def kill_descendants(rounds: int = 50) -> None:
    """SIGKILL every process below this one until none is left (a process may fork as it dies)."""
    me = os.getpid()
    for _ in range(rounds):
        below = _descendants(me)
        if not below:
            break
        for pid in below:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)
        with contextlib.suppress(ChildProcessError):
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass


def _descendants(root: int) -> list[int]:
    """Every process whose chain of parents reaches ``root`` (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue  # it ended meanwhile
        state, parent = fields[0], int(fields[1])
        if state != b"Z":
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found
