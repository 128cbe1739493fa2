"""The cache of computed figures and block outputs.

An entry is keyed by what its result depends on (the figure call or the
page's code, the source of ``macros/`` and of kb's own figure code, and the
versions of Python, torch and transformers), never by the prose around it.
Each entry is one file, written to a temporary file and renamed into place:
a line of JSON with its key and the checksum of the payload's bytes, then the
payload as JSON. A corrupt or truncated entry reads as a miss and is computed
again.
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
    """A stable SHA-256 of parts made of strings, numbers, None, lists, tuples and dicts
    (anything else by its ``str``). Strings are hashed as they are, not serialised first:
    keys hold whole pages, and a build computes thousands of keys."""
    sha = hashlib.sha256()
    _feed(sha, parts)
    return sha.hexdigest()


def _feed(sha: Any, value: Any) -> None:
    """Each value tagged by its kind and length, so no two different values feed the same bytes."""
    if isinstance(value, str):
        data = value.encode("utf-8", "surrogatepass")
        sha.update(b"s%d:" % len(data))
        sha.update(data)
    elif isinstance(value, (list, tuple)):
        sha.update(b"l%d:" % len(value))
        for item in value:
            _feed(sha, item)
    elif isinstance(value, dict):
        sha.update(b"d%d:" % len(value))
        for key, item in sorted(value.items(), key=lambda pair: str(pair[0])):
            _feed(sha, str(key))
            _feed(sha, item)
    elif value is None or isinstance(value, (bool, int, float)):
        sha.update(b"j" + json.dumps(value).encode() + b";")
    else:
        _feed(sha, ("other", str(value)))


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
        body = self._read(key, "json")
        try:
            payload = json.loads(body) if body is not None else None
        except (ValueError, RecursionError):
            payload = None
        return payload if isinstance(payload, dict) else None

    def get_text(self, key: str) -> str | None:
        """A text stored under ``key`` with ``put_text`` (kept as it is, not as JSON: pages
        are large and a build reads many), or None if absent, corrupt or truncated."""
        body = self._read(key, "text")
        try:
            return body.decode("utf-8") if body is not None else None
        except UnicodeDecodeError:
            return None

    def _read(self, key: str, kind: str) -> bytes | None:
        """The checked bytes of the entry under ``key``; a corrupt entry is removed."""
        path = self._path(key)
        try:
            header, _, body = path.read_bytes().partition(b"\n")
            entry = json.loads(header)
            valid = (entry["key"] == key and entry.get("kind", "json") == kind
                     and entry["checksum"] == hashlib.sha256(body).hexdigest())
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            valid = False
        if valid:
            return body
        with contextlib.suppress(OSError):  # a folder, or a read-only cache: leave it, it stays a miss
            if path.is_file() or path.is_symlink():
                path.unlink()
        return None

    def put(self, key: str, payload: dict[str, Any]) -> None:
        """Store an entry atomically: readers see the old entry or the new one, never half of one."""
        self._write(key, "json", json.dumps(payload, ensure_ascii=False).encode("utf-8", "surrogatepass"))

    def put_text(self, key: str, text: str) -> None:
        """Store a text as it is, for ``get_text``."""
        self._write(key, "text", text.encode("utf-8", "surrogatepass"))

    def _write(self, key: str, kind: str, body: bytes) -> None:
        if self.unwritable is not None:
            return
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.is_dir() and not path.is_symlink():  # an entry that became a folder: it is ours to replace
                shutil.rmtree(path)
            header = {"key": key, "checksum": hashlib.sha256(body).hexdigest(), **({"kind": kind} if kind != "json" else {})}
            write_atomically(path, json.dumps(header).encode() + b"\n" + body)
        except OSError as error:
            self.unwritable = error.strerror or type(error).__name__
