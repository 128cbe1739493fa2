"""Building modules on the meta device without running their weight initialisers.

A module's constructor initialises every weight it creates (``nn.Linear``
draws from a uniform distribution, ``nn.Embedding`` from a normal one). On the
meta device the draw has no values to fill, yet PyTorch still runs it through
Python decompositions: about two fifths of the time to build a large
transformers model on meta went there. Inside ``on_meta()`` the initialisers
of ``torch.nn.init`` return a meta tensor untouched; any other tensor (a
constructor may fill a CPU tensor to compute something at build time) is
initialised as usual, so what is built is the same.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import torch

# Modules that bind initialisers by name (``from torch.nn.init import xavier_uniform_``) as well as
# the ``torch.nn.init`` module itself, which the others reach as ``init.kaiming_uniform_``.
_BINDING_MODULES = ("torch.nn.init", "torch.nn.modules.activation", "torch.nn.modules.transformer")
_INITIALISERS = ("uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_", "dirac_",
                 "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_",
                 "sparse_")

_lock = threading.Lock()
_depth = 0
_saved: list[tuple[Any, str, Callable[..., Any]]] = []


@contextmanager
def on_meta() -> Iterator[None]:
    """Build on the meta device, skipping ``torch.nn.init``'s initialisers for meta tensors."""
    _skip_initialisers()
    try:
        with torch.device("meta"):
            yield
    finally:
        _restore_initialisers()


def _skip_initialisers() -> None:
    global _depth
    with _lock:
        _depth += 1
        if _depth > 1:  # nested (a model built inside another's build): already in place
            return
        for module_name in _BINDING_MODULES:
            module = sys.modules.get(module_name)
            for name in _INITIALISERS:
                original = getattr(module, name, None)
                if original is not None:
                    _saved.append((module, name, original))
                    setattr(module, name, _skipping_meta(original))


def _restore_initialisers() -> None:
    global _depth
    with _lock:
        _depth -= 1
        if _depth:
            return
        while _saved:
            module, name, original = _saved.pop()
            setattr(module, name, original)


def _skipping_meta(initialiser: Callable[..., Any]) -> Callable[..., Any]:
    def initialise(tensor: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(tensor, torch.Tensor) and tensor.is_meta:
            return tensor
        return initialiser(tensor, *args, **kwargs)

    return initialise
