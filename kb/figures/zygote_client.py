"""kb's side of the zygote (``kb.runtime.zygote``): workers forked warm instead of started cold.

One zygote per worker environment is started on the first worker kb needs and
kept for the life of kb's process (a check, a build, a whole ``kb serve``), so
torch and transformers are imported once rather than once per page. A worker
it forks is driven exactly like one kb started itself (``Worker``); only its
exit status arrives through a pipe, since the zygote is its parent.

Where the zygote cannot be used (not Linux, ``KB_WARM_WORKERS=0``, or it
failed to start or answer), ``spawn`` returns None and kb starts workers cold.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from pathlib import Path

# How long the zygote may take to import torch and transformers and answer its first request;
# past it, kb stops using it and starts workers cold (which report their own failure).
_STARTUP_SECONDS = 300.0
_MAX_ZYGOTES = 2  # one per worker environment in use; an environment seldom changes within a process
_model_code: tuple[str, ...] = ()  # transformers classes the knowledge base names, for the next zygote


def expect_model_code(class_names: list[str]) -> None:
    """Name the transformers classes the knowledge base's code uses (``kb.figures.model_code``):
    a zygote started from now on imports their model code once, before it forks any worker."""
    global _model_code
    _model_code = tuple(class_names)


class ForkedProcess:
    """A worker forked by the zygote, with the part of ``subprocess.Popen``'s interface kb uses."""

    def __init__(self, pid: int, status_fd: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._status_fd = status_fd

    def poll(self) -> int | None:
        """The exit code (negative: the signal that ended it), or None while it runs."""
        if self.returncode is None and select.select([self._status_fd], [], [], 0)[0]:
            self._read_status()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the end (``subprocess.TimeoutExpired`` past ``timeout`` seconds)."""
        if self.returncode is None:
            if not select.select([self._status_fd], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired(f"worker {self.pid}", timeout or 0)
            self._read_status()
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def _read_status(self) -> None:
        data = os.read(self._status_fd, 64)
        os.close(self._status_fd)
        # No status: the zygote ended before its child (killed from outside); say it was killed.
        self.returncode = os.waitstatus_to_exitcode(int(data)) if data else -signal.SIGKILL


class Zygote:
    """One ``python -m kb.runtime.zygote`` process and the socket kb talks to it through."""

    def __init__(self, env: dict[str, str]) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="kb-zygote-"))
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self._control = ours
        self._lock = threading.Lock()
        self._buffer = b""
        self.alive = True
        self.served = 0  # workers forked so far
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "kb.runtime.zygote", str(theirs.fileno()), *_model_code],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True, cwd=self.folder, env={**env, "HOME": str(self.folder)},
            )
        except OSError:  # nothing started: leave nothing behind
            ours.close()
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        finally:
            theirs.close()

    @property
    def pid(self) -> int:
        return self._process.pid

    def spawn(self, root: Path, folder: Path, memory_mb: int, env: dict[str, str], fds: list[int]) -> ForkedProcess | None:
        """Fork a worker with these pipes (requests, replies, standard error); None if the
        zygote cannot (it died or did not answer in time: it is then stopped for good)."""
        request = {"root": str(root), "folder": str(folder), "memory_mb": memory_mb, "env": env}
        with self._lock:
            if not self.alive:
                return None
            status_read, status_write = os.pipe()
            try:
                socket.send_fds(self._control, [json.dumps(request).encode()], [*fds, status_write])
                reply = self._reply()
            except OSError:
                reply = None
            finally:
                os.close(status_write)
            if reply is None:
                os.close(status_read)
                self._stop()
                return None
            self.served += 1
            return ForkedProcess(int(reply["pid"]), status_read)

    def _reply(self) -> dict[str, int] | None:
        deadline = time.monotonic() + _STARTUP_SECONDS
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._control], [], [], remaining)[0]:
                return None
            chunk = self._control.recv(4096)
            if not chunk:
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        reply: dict[str, int] = json.loads(line)
        return reply

    def close(self) -> None:
        """Hang up: the zygote ends (workers it forked end with their own sessions)."""
        with self._lock:
            self._stop()

    def _stop(self) -> None:
        self.alive = False
        with contextlib.suppress(OSError):
            self._control.close()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


_zygotes: OrderedDict[tuple[tuple[str, str], ...], Zygote] = OrderedDict()
_zygotes_lock = threading.Lock()
_failed: set[tuple[tuple[str, str], ...]] = set()  # environments whose zygote failed: not tried again


def spawn(root: Path, folder: Path, memory_mb: int, env: dict[str, str], fds: list[int]) -> ForkedProcess | None:
    """A worker forked by the zygote for this environment (started if need be), or None:
    then the caller starts the worker cold."""
    if not _usable():
        return None
    key = tuple(sorted((name, value) for name, value in env.items() if name != "HOME"))
    for _ in range(2):  # a zygote that served and then died (killed from outside) is replaced once
        with _zygotes_lock:
            if key in _failed:
                return None
            zygote = _zygotes.get(key)
            if zygote is None:
                try:
                    zygote = _zygotes[key] = Zygote(env)
                except OSError:  # it cannot even be started here: workers start cold from now on
                    _failed.add(key)
                    return None
            _zygotes.move_to_end(key)
            while len(_zygotes) > _MAX_ZYGOTES:
                _zygotes.popitem(last=False)[1].close()
        forked = zygote.spawn(root, folder, memory_mb, env, fds)
        if forked is not None:
            return forked
        with _zygotes_lock:
            if _zygotes.get(key) is zygote:
                del _zygotes[key]
            if not zygote.served:  # it never worked here: workers start cold from now on
                _failed.add(key)
    return None


def _usable() -> bool:
    return sys.platform == "linux" and hasattr(socket, "send_fds") and os.environ.get("KB_WARM_WORKERS", "1") != "0"


@atexit.register
def close_all() -> None:
    """Stop every zygote this process started."""
    with _zygotes_lock:
        while _zygotes:
            _zygotes.popitem()[1].close()
