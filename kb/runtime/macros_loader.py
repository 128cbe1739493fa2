"""Loading a knowledge base's ``macros/`` folder, inside a worker.

The folder is imported from the knowledge base's own path under the package
name ``_kb_macros``, never through ``sys.path``: a package called ``macros``
installed elsewhere is never picked up instead. With an ``__init__.py`` the
folder is an ordinary package; without one, every module in it is imported,
in name order. Its modules may import each other relatively
(``from .vision import resnet50``) or by the folder's name
(``from macros.vision import resnet50``): inside a worker ``macros`` is an
alias of the same modules, so nothing is imported (and registered) twice.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import traceback
import types
from pathlib import Path

from kb.protocol import MacrosFailure

PACKAGE = "_kb_macros"
ALIAS = "macros"


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports of ``macros`` and ``macros.x`` get the modules ``_kb_macros`` and ``_kb_macros.x``."""

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != ALIAS and not fullname.startswith(ALIAS + "."):
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return importlib.import_module(PACKAGE + spec.name[len(ALIAS):])

    def exec_module(self, module: types.ModuleType) -> None:
        """The module was run under its own name already."""


def load_macros(root: Path) -> MacrosFailure | None:
    """Import ``root/macros`` if there is one; return where and why it failed, if it did."""
    folder = root / "macros"
    if not folder.is_dir():
        return None
    sys.meta_path.insert(0, _Alias())
    try:
        _import_folder(folder)
    except BaseException as error:  # anything the authors' code raises, even SystemExit
        return _failure(error, root)
    return None


def _import_folder(folder: Path) -> None:
    init = folder / "__init__.py"
    if init.is_file():
        spec = importlib.util.spec_from_file_location(PACKAGE, init, submodule_search_locations=[str(folder)])
        assert spec is not None and spec.loader is not None
        package = importlib.util.module_from_spec(spec)
        sys.modules[PACKAGE] = package
        spec.loader.exec_module(package)
        return
    package = types.ModuleType(PACKAGE, "The knowledge base's macros/ (a folder without __init__.py)")
    package.__path__ = [str(folder)]
    sys.modules[PACKAGE] = package
    for module in sorted(p.stem for p in folder.glob("*.py") if p.stem.isidentifier()):
        importlib.import_module(f"{PACKAGE}.{module}")


def _failure(error: BaseException, root: Path) -> MacrosFailure:
    """The innermost place in macros/ that the failure passes through, and a one-line reason."""
    folder = str((root / "macros").resolve())
    place: tuple[str, int] = (str(root / "macros" / "__init__.py"), 1)
    if isinstance(error, SyntaxError) and error.filename:
        place = (error.filename, error.lineno or 1)
    else:
        frames = [f for f in traceback.extract_tb(error.__traceback__) if str(Path(f.filename).resolve()).startswith(folder)]
        if frames:
            place = (frames[-1].filename, frames[-1].lineno or 1)
    try:
        shown = Path(place[0]).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        shown = "macros/__init__.py"
    if isinstance(error, SyntaxError):
        message = f"SyntaxError: {error.msg}"
    else:
        message = "".join(traceback.format_exception_only(type(error), error)).strip().splitlines()[-1]
    return MacrosFailure(shown, place[1], message)
