"""What kb's process and a worker process say to each other, typed.

The worker (``kb.runtime.worker``) reads one JSON request per line and
answers one JSON reply per line:

- ``{"op": "hello"}`` -> ``{"ok": true, "manifest": Manifest, "macros_error": MacrosFailure | null}``
- ``{"op": "figure", "function": f, "args": [...], "kwargs": {...}}`` -> ``{"ok": true, "value": v}``
  or ``{"ok": false, "error": e}``
- ``{"op": "exec", "code": c, "path": p, "line": n}`` -> ``{"ok": true, "stdout": s}`` or
  ``{"ok": false, "stdout": s, "error": e, "line": n}``

The manifest is what kb's own process knows of the registry without
importing torch: the names of the figure functions and models, their units
and where each model's configuration comes from. It is cached, so a check
with nothing changed starts no worker.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

UNITS = ("parameters", "bytes", "FLOPs", "number")


@dataclass(frozen=True)
class FigureInfo:
    """A registered figure function, as a page may call it."""

    unit: str  # one of UNITS
    takes_model: bool  # its first argument names a model (or is an nn. expression)
    parameters: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class ModelInfo:
    """A registered model: where its configuration comes from, and how prose names it."""

    source: str
    description: str
    names: tuple[str, ...]  # "Llama 3.1 405B": the "405B" of such a name is not a quantity


@dataclass(frozen=True)
class Manifest:
    """Every registered figure function and model, by name."""

    figures: dict[str, FigureInfo] = field(default_factory=dict)
    models: dict[str, ModelInfo] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The manifest as JSON-able data, names sorted."""
        return {
            "figures": {name: asdict(info) for name, info in sorted(self.figures.items())},
            "models": {name: asdict(info) for name, info in sorted(self.models.items())},
        }

    @classmethod
    def from_json(cls, data: Any) -> Manifest:
        """Read what ``to_json`` wrote; ValueError if it is not a manifest (a stale cache entry, say)."""
        try:
            figures = {str(name): FigureInfo(str(info["unit"]), bool(info["takes_model"]),
                                             tuple(map(str, info["parameters"])), str(info["description"]))
                       for name, info in data["figures"].items()}
            models = {str(name): ModelInfo(str(info["source"]), str(info["description"]), tuple(map(str, info["names"])))
                      for name, info in data["models"].items()}
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"not a manifest: {error}") from None
        return cls(figures, models)


@dataclass(frozen=True)
class MacrosFailure:
    """Where and why a knowledge base's ``macros/`` failed to import."""

    path: str  # relative to the knowledge base's root
    line: int
    message: str

    def to_json(self) -> dict[str, Any]:
        """The failure as JSON-able data."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> MacrosFailure | None:
        """Read what ``to_json`` wrote (None for null)."""
        if data is None:
            return None
        return cls(str(data["path"]), int(data["line"]), str(data["message"]))
