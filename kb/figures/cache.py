"""The cache of computed figures and block outputs.

An entry is keyed by what its result depends on (the figure call or the
page's code, the source of ``macros/`` and of kb's own figure code, and the
versions of Python, torch and transformers), never by the prose around it.
Each entry is one JSON file, written to a temporary file and renamed into
place, and carries a checksum: a corrupt or truncated entry reads as a miss
and is computed again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from kb.textedit import write_atomically

# The code of kb that decides a computed value: everything that runs in a worker
# (kb.runtime) and the messages it answers with.
_KB_DIR = Path(__file__).resolve().parents[1]
_RUNTIME_SOURCES = ("runtime", "protocol.py", "literals.py")


def digest(*parts: Any) -> str:
    """A stable SHA-256 of JSON-able parts."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def installed_version(distribution: str) -> str:
    """The installed version of a distribution, or "not installed"."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def _tree_digest(files: list[Path], base: Path) -> str:
    sha = hashlib.sha256()
    for file in sorted(files):
        sha.update(file.relative_to(base).as_posix().encode() + b"\0")
        try:
            sha.update(file.read_bytes() + b"\0")
        except OSError as error:  # the worker will report what it cannot import
            sha.update(f"unreadable: {error}".encode() + b"\0")
    return sha.hexdigest()


def environment(root: Path) -> dict[str, str]:
    """What every computed value depends on besides its own expression. Costs no torch import."""
    macro_files = _python_files(root / "macros")
    runtime_files = [file for name in _RUNTIME_SOURCES for file in _python_files(_KB_DIR / name)]
    return {
        "python": ".".join(map(str, sys.version_info[:3])),
        "torch": installed_version("torch"),
        "transformers": installed_version("transformers"),
        "kb": _tree_digest(runtime_files, _KB_DIR),
        "macros": _tree_digest(macro_files, root) if macro_files else "none",
    }


def _python_files(path: Path) -> list[Path]:
    """A Python file, or every Python file under a folder (none if it does not exist)."""
    if path.is_file():
        return [path]
    return [p for p in path.rglob("*.py") if "__pycache__" not in p.parts and p.is_file()] if path.is_dir() else []


class Cache:
    """JSON entries under one folder (``.kb-cache/`` beside mkdocs.yml).

    A cache is a convenience, never a requirement: an entry that cannot be read
    (corrupt, truncated, a folder where a file should be) is a miss, and a cache
    that cannot be written is noted in ``unwritable`` and skipped from then on,
    so the check goes on, computing what it cannot keep."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.unwritable: str | None = None  # why entries could not be stored, once they could not

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The entry stored under ``key``, or None if absent, corrupt or truncated."""
        path = self._path(key)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            payload = entry["payload"]
            valid = entry["key"] == key and entry["checksum"] == digest(payload)
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            valid, payload = False, None
        if not valid:
            with contextlib.suppress(OSError):  # a folder, or a read-only cache: leave it, it stays a miss
                if path.is_file() or path.is_symlink():
                    path.unlink()
            return None
        return payload if isinstance(payload, dict) else None

    def put(self, key: str, payload: dict[str, Any]) -> None:
        """Store an entry atomically: readers see the old entry or the new one, never half of one."""
        if self.unwritable is not None:
            return
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.is_dir() and not path.is_symlink():  # an entry that became a folder: it is ours to replace
                shutil.rmtree(path)
            write_atomically(path, json.dumps({"key": key, "checksum": digest(payload), "payload": payload}, ensure_ascii=False))
        except OSError as error:
            self.unwritable = error.strerror or type(error).__name__
