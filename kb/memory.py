"""Things kept in memory while a block is open: ``kb serve`` is one process that checks and
builds after every save, and keeps what it would otherwise read back from files each time.
Outside such a block nothing is kept, so every other run (and every test) reads the files."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class KeptInMemory(Generic[K, V]):
    """Values by key, held only while ``keeping()`` is open."""

    def __init__(self) -> None:
        self.depth = 0  # blocks open (kb serve opens one, and MkDocs' serve through the plugin another)
        self.items: dict[K, V] = {}

    @property
    def active(self) -> bool:
        return self.depth > 0

    @contextlib.contextmanager
    def keeping(self) -> Iterator[None]:
        """Within the block, ``remember`` keeps values; when the last open block ends, they are dropped."""
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1
            if not self.depth:
                self.items.clear()

    def get(self, key: K) -> V | None:
        return self.items.get(key) if self.active else None

    def remember(self, key: K, value: V) -> V:
        if self.active:
            self.items[key] = value
        return value

    def setdefault(self, key: K, default: V) -> V | None:
        """The value kept under ``key``, keeping ``default`` there first if there is none;
        None outside a ``keeping()`` block."""
        if not self.active:
            return None
        return self.items.setdefault(key, default)
