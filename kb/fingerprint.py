"""kb's own files as one digest: what kb stores of its work (parsed pages, rendered
topic pages) is made anew by a kb whose code changed, even under the same version
number (an editable install, a patched copy)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

_KB_DIR = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def kb_fingerprint() -> str:
    """SHA-256 over every file of the kb package (code, default schema, site assets)."""
    sha = hashlib.sha256()
    for file in sorted(p for p in _KB_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        sha.update(file.relative_to(_KB_DIR).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return sha.hexdigest()
