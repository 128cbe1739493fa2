"""Files in which kb keeps its own work between runs (parsed pages, read expressions, what
a build wrote): a pickle of one mapping, stamped with kb's fingerprint. A file written by
another kb, or that cannot be read, is as if it were not there; a file that cannot be
written is skipped. Such files are trusted as the knowledge base's own code is (loading
a pickle can run code), which is why they live in the cache folder beside ``macros/``'s
results and nowhere else."""

from __future__ import annotations

import contextlib
import pickle
from pathlib import Path
from typing import Any

from kb.fingerprint import kb_fingerprint
from kb.textedit import write_atomically


def read_kept(file: Path) -> dict[str, Any]:
    """What ``write_kept`` stored in ``file`` by this very kb; {} if missing, corrupt or foreign."""
    try:
        stored = pickle.loads(file.read_bytes())
    except Exception:  # missing, truncated, not a pickle: nothing kept, whatever unpickling raises
        return {}
    if not isinstance(stored, dict) or stored.get("kb") != kb_fingerprint() or not isinstance(stored.get("kept"), dict):
        return {}
    kept: dict[str, Any] = stored["kept"]
    return kept


def write_kept(file: Path, kept: dict[str, Any]) -> bool:
    """Store ``kept`` in ``file`` atomically; False (and nothing written) if it cannot be."""
    with contextlib.suppress(OSError, pickle.PicklingError, RecursionError):
        file.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(file, pickle.dumps({"kb": kb_fingerprint(), "kept": kept}, pickle.HIGHEST_PROTOCOL))
        return True
    return False
