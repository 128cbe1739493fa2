"""Keeping the knowledge base as it was while its pages' code runs.

Inside a worker an audit hook refuses a block's own writes into the
knowledge base (``kb.runtime.session``); a process the block starts is not
bound by it. So before pages' code runs, kb notes every file it reads (the
content folder, ``macros/``, ``site_config/``, ``mkdocs.yml``), and after
each page's session it compares: a file that changed is put back, one that
appeared is moved out, one that vanished is written again. Nothing is lost:
what the code left is kept in the cache folder, under ``changed-by-code/``,
in case it was the author's own edit made at the same moment.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from kb.config import KbConfig
from kb.textedit import write_atomically

KEEP_BYTES = 4 << 20  # files up to this size are kept to be put back; larger ones (pictures, PDFs) are only watched


@dataclass
class Snapshot:
    """The knowledge base's files as kb read them: (size, mtime) and, for most, their bytes."""

    config: KbConfig
    files: dict[Path, tuple[int, int, bytes | None]] = field(default_factory=dict)

    @classmethod
    def take(cls, config: KbConfig) -> Snapshot:
        snapshot = cls(config)
        for path in _watched(config):
            try:
                stat = path.stat()
                kept = path.read_bytes() if stat.st_size <= KEEP_BYTES else None
            except OSError:
                continue
            snapshot.files[path] = (stat.st_size, stat.st_mtime_ns, kept)
        return snapshot

    def restore_changes(self) -> list[str]:
        """Put back every file that differs from the snapshot; what was done, one line a file."""
        done = []
        now = set(_watched(self.config))
        keep = self.config.cache_dir / "changed-by-code" / dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        for path in sorted(now | set(self.files)):
            was = self.files.get(path)
            try:
                stat = path.stat() if path in now else None
            except OSError:
                stat = None
            if was is not None and stat is not None and (stat.st_size, stat.st_mtime_ns) == was[:2]:
                continue
            if was is not None and stat is not None and was[2] is not None and path.read_bytes() == was[2]:
                continue  # touched, not changed
            done.append(self._put_back(path, was, stat is not None, keep))
        return done

    def _put_back(self, path: Path, was: tuple[int, int, bytes | None] | None, exists: bool, folder: Path) -> str:
        shown = self.config.relative(path)
        keep = folder / shown
        if exists:
            keep.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, keep)
        if was is None:
            path.unlink(missing_ok=True)
            return f"{shown} appeared; kb moved it to {self.config.relative(keep)}"
        if was[2] is None:
            return f"{shown} changed; it is too large for kb to have kept, so it stays as the code left it"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, was[2])
        if exists:
            return f"{shown} changed; kb put it back (what the code left is in {self.config.relative(keep)})"
        return f"{shown} was removed; kb wrote it back"


def _watched(config: KbConfig) -> list[Path]:
    """The files of the knowledge base that kb reads."""
    found = [config.config_file]
    for folder in (config.content_dir, config.root / "macros", config.root / "site_config"):
        for base, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"]
            found.extend(Path(base, name) for name in files if not name.startswith("."))
    cache = config.cache_dir
    return sorted(p for p in found if cache not in p.parents)
