"""What figure functions work out about a kept module, remembered in the figures' worker.

The figures' worker computes hundreds of figures about the same few modules,
the registry's kept builds, which figure functions must not change. Many of
those figures walk the same module the same way: the weight memory in each
format counts every parameter and lists every matrix, FLOPs per byte traces
the pass that FLOPs per token traced. Inside ``remembering()`` such a result
is worked out once per module and key. A page's session never remembers: its
code may change a module between two figures.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from torch import nn

Result = TypeVar("Result")

_results: weakref.WeakKeyDictionary[nn.Module, dict[Hashable, Any]] = weakref.WeakKeyDictionary()
_remembering = False


@contextmanager
def remembering() -> Iterator[None]:
    """Remember results about modules within (the figures' worker, around each figure)."""
    global _remembering
    _remembering = True
    try:
        yield
    finally:
        _remembering = False


def remembered(module: nn.Module, key: Hashable, work_out: Callable[[], Result]) -> Result:
    """``work_out()``, or what it gave for this module and key before, while remembering.
    A result is kept as it is: it must be something its users do not change (a number, a tuple)."""
    if not _remembering:
        return work_out()
    known = _results.setdefault(module, {})
    if key not in known:
        known[key] = work_out()
    result: Result = known[key]
    return result
