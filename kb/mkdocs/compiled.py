"""The theme's templates compiled once, not on every build.

Compiling Material's templates costs a build about as much as drawing a
hundred pages. Jinja can keep the compiled code; it keys each template by its
name and the checksum of its source (and its own and Python's versions), so
an edited template is compiled again. Kept under ``.kb-cache/templates/``,
with the cache's tolerance: what cannot be read is compiled, what cannot be
written is not kept.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket


class CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja's file-system bytecode cache that never fails a build."""

    def __init__(self, folder: Path) -> None:
        self.usable = True
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            self.usable = False
        super().__init__(str(folder))

    def load_bytecode(self, bucket: Bucket) -> None:
        if self.usable:
            with contextlib.suppress(OSError):
                super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: Bucket) -> None:
        if self.usable:
            with contextlib.suppress(OSError):
                super().dump_bytecode(bucket)
