"""kb's side of a worker process: start it, send a request, wait with a deadline.

A worker runs in a fresh temporary folder (removed when it stops), with an
environment built from an allow-list (the ``exec_env`` option) and never
kb's own, so a page's code sees neither the knowledge base as its working
folder nor kb's secrets. A request that outlives its timeout stops the
worker: its reaper ends every process the worker started (``kb.runtime.
reaper``), and its process group is killed if the reaper does not answer. A
worker that dies (a segfault, ``os._exit``) is noticed by the end of its
pipe. Either way the caller gets a WorkerFailure with a sentence that says
what happened, and can start a new worker.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from kb.figures import zygote_client

# What every worker needs, whatever the allow-list: unbuffered output, no download, its
# own folder as home, no bytecode written next to the knowledge base's macros/.
_WORKER_ENV = {"PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1", "TOKENIZERS_PARALLELISM": "false",
               "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TRANSFORMERS_VERBOSITY": "error"}


def worker_environment(names: tuple[str, ...], folder: Path) -> dict[str, str]:
    """A worker's environment: the allowed names kb's own environment has, and what a worker
    needs; kb's package is put on the path so a worker finds it wherever kb was imported from."""
    env = {name: os.environ[name] for name in names if name in os.environ}
    kb_home = str(Path(__file__).resolve().parents[2])
    env.update(_WORKER_ENV, HOME=str(folder), PYTHONPATH=kb_home)
    # kb runs as many workers at once as there are cores: one thread each for PyTorch's and
    # the BLAS libraries' operations, unless exec_env lets the author's own choice through.
    env.setdefault("OMP_NUM_THREADS", "1")
    return env


class WorkerFailure(Exception):
    """The worker did not answer: it timed out or died. The message says which."""


class Worker:
    """One worker process: forked warm by the zygote (``kb.figures.zygote_client``) where it
    can be, else ``python -m kb.runtime.worker`` started cold; the same either way."""

    def __init__(self, root: Path, memory_mb: int = 4096, env_names: tuple[str, ...] = ()) -> None:
        self.root = root
        self.memory_mb = memory_mb
        self.env_names = env_names
        self.folder: Path | None = None  # the worker's working folder while it runs
        self._process: subprocess.Popen[bytes] | zygote_client.ForkedProcess | None = None
        self._buffer = b""
        self._read_fd = -1

    def start(self) -> None:
        """Start the process (it imports kb's built-ins and the knowledge base's macros)."""
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process
        self.folder = Path(tempfile.mkdtemp(prefix="kb-session-"))
        env = worker_environment(self.env_names, self.folder)
        self._process = zygote_client.spawn(self.root, self.folder, self.memory_mb, env,
                                            [to_child_r, from_child_w, self._stderr.fileno()])
        if self._process is None:  # no zygote here: a cold start, the same worker
            self._process = subprocess.Popen(
                [sys.executable, "-m", "kb.runtime.worker", str(self.root), str(to_child_r), str(from_child_w), str(self.memory_mb)],
                pass_fds=(to_child_r, from_child_w), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=self._stderr, start_new_session=True, cwd=self.folder, env=env,
            )
        os.close(to_child_r)
        os.close(from_child_w)
        self._write = os.fdopen(to_child_w, "wb")
        self._read_fd = from_child_r
        self._buffer = b""

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def call(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send one request and return the reply, or raise WorkerFailure."""
        if not self.running:
            self.start()
        try:
            self._write.write(json.dumps(request).encode() + b"\n")
            self._write.flush()
        except (BrokenPipeError, OSError):
            raise WorkerFailure(self._death()) from None
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.stop()
                raise WorkerFailure(f"ran past its timeout of {timeout:g} s and was stopped")
            ready, _, _ = select.select([self._read_fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self._read_fd, 1 << 16)
            if not chunk:
                raise WorkerFailure(self._death())
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def _death(self) -> str:
        """Why the process ended, in words."""
        assert self._process is not None
        try:
            code = self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.stop()
            return "stopped answering"
        last = self._stderr_tail()
        self._close_pipes()
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
            return f"crashed the Python process (signal {name})"
        return f"ended the Python process (exit status {code})" + (f": {last}" if last else "")

    def _stderr_tail(self) -> str:
        self._stderr.seek(0)
        lines = [line for line in self._stderr.read().decode("utf-8", "replace").splitlines() if line.strip()]
        return lines[-1].strip() if lines else ""

    def stop(self) -> None:
        """End the process and everything it started, and remove its working folder."""
        if self._process is None:
            return
        if self._process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                self._process.send_signal(signal.SIGTERM)  # the reaper ends the worker and all below it
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError, PermissionError):  # what is left of its process group
            os.killpg(self._process.pid, signal.SIGKILL)
        self._process.wait()
        self._close_pipes()
        self._process = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def _close_pipes(self) -> None:
        with contextlib.suppress(OSError):
            self._write.close()
        if self._read_fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._read_fd)
            self._read_fd = -1
        with contextlib.suppress(OSError):
            self._stderr.close()
