"""A progress bar for the slow part of a check (computing figures, running blocks).

Shown only on a terminal: in CI (``CI`` set) or when standard error is not a
terminal, it stays quiet.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import TextIO


class Progress:
    """``[#######.........] 12/40 computing params("gpt2")``, redrawn in place."""

    def __init__(self, total: int, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        if enabled is None:
            enabled = self.stream.isatty() and not os.environ.get("CI")
        self.enabled = enabled and total > 0
        self._last = 0.0
        self._width = 0
        self._lock = threading.Lock()  # figures and page sessions report from their own threads

    def step(self, label: str) -> None:
        """Say what is being worked on now (call before the work)."""
        if not self.enabled:
            return
        with self._lock:
            self._draw(label)

    def _draw(self, label: str) -> None:
        now = time.monotonic()
        if now - self._last < 0.05 and self.done < self.total:
            return
        self._last = now
        filled = int(20 * self.done / self.total)
        text = f"[{'#' * filled}{'.' * (20 - filled)}] {self.done}/{self.total} {label}"[:100]
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = len(text)

    def advance(self) -> None:
        """Count one item as done."""
        with self._lock:
            self.done += 1

    def close(self) -> None:
        """Erase the bar."""
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
