"""Writing only what changed: a build leaves a file whose bytes are the same untouched.

MkDocs empties the site folder and writes every file on every build, so every
file's modification time changes and tools that watch or mirror the site
(a browser's live reload, rsync, a deploy) see the whole site as new. Under
``kb build``, ``kb serve`` and (through the plugin) MkDocs' own build and
serve, the emptying is put off: each file MkDocs writes or copies is
compared with what the folder holds and written only if its bytes differ;
when the build ends, whatever the build did not produce (a page since deleted,
say) is removed, as the emptying would have. Hidden files stay, as MkDocs
keeps them.
"""

from __future__ import annotations

import contextlib
import filecmp
import os
import time
from collections.abc import Iterator
from pathlib import Path

_LEFT: set[str] = set()  # files known to hold what the build would write (see ``leave_as_is``)
_ACTIVE = [False]


def writing_only_changes() -> bool:
    """Whether ``only_changed_writes`` is in force."""
    return _ACTIVE[0]


def leave_as_is(path: str) -> bool:
    """Tell the writes of this build that the file at ``path`` already holds what the build
    would write there, so whatever MkDocs hands over for it is not written. Only while
    ``only_changed_writes`` is in force; returns whether it is (if not, nothing is left)."""
    if _ACTIVE[0]:
        _LEFT.add(os.path.abspath(path))
    return _ACTIVE[0]


@contextlib.contextmanager
def only_changed_writes(site_dir: str) -> Iterator[None]:
    """Within the block, MkDocs writes only files whose bytes change; afterwards, files in
    ``site_dir`` the build did not produce are removed."""
    from mkdocs import utils
    from mkdocs.structure.files import File

    produced: set[str] = set()
    started = time.time_ns()
    write_file, copy_file, clean_directory = utils.write_file, utils.copy_file, utils.clean_directory

    def write_if_changed(content: bytes, output_path: str) -> None:
        path = os.path.abspath(output_path)
        produced.add(path)
        if path in _LEFT:
            return
        with contextlib.suppress(OSError):
            if Path(output_path).read_bytes() == content:
                return
        write_file(content, output_path)

    def copy_if_changed(source_path: str, output_path: str) -> None:
        target = os.path.join(output_path, os.path.basename(source_path)) if os.path.isdir(output_path) else output_path
        produced.add(os.path.abspath(target))
        with contextlib.suppress(OSError):
            if os.path.isfile(target) and filecmp.cmp(source_path, target, shallow=False):
                return
        copy_file(source_path, output_path)

    copy_generated = File.copy_file

    def copy_file_if_changed(file: File, dirty: bool = False) -> None:
        content = getattr(file, "_content", None)  # a file a plugin made (kb's graph and ledger data)
        if content is None or dirty:
            copy_generated(file, dirty)
        else:  # MkDocs writes these itself, not through write_file
            write_if_changed(content.encode("utf-8") if isinstance(content, str) else content, file.abs_dest_path)

    utils.write_file, utils.copy_file = write_if_changed, copy_if_changed
    setattr(File, "copy_file", copy_file_if_changed)  # noqa: B010 - MkDocs has no hook for how it writes these
    if os.path.isdir(site_dir):  # (anything else there, MkDocs reports as it always has)
        utils.clean_directory = lambda directory: None  # put off: see _remove_the_rest
    _ACTIVE[0] = True
    try:
        yield
    finally:
        _ACTIVE[0] = False
        _LEFT.clear()
        utils.write_file, utils.copy_file, utils.clean_directory = write_file, copy_file, clean_directory
        setattr(File, "copy_file", copy_generated)  # noqa: B010
        _remove_the_rest(Path(site_dir), produced, started)


def _remove_the_rest(site: Path, produced: set[str], started: int) -> None:
    """Remove what this build did not produce: neither written, copied nor left as it was by
    MkDocs, nor written since the build started (by plugins writing files themselves)."""
    if not site.is_dir():
        return
    for folder, _, files in os.walk(site, topdown=False):
        relative = Path(folder).relative_to(site)
        if relative.parts and relative.parts[0].startswith("."):
            continue  # a hidden entry of the site folder, which MkDocs' emptying keeps too
        for name in files:
            path = os.path.join(folder, name)
            if name.startswith(".") and folder == str(site):
                continue
            with contextlib.suppress(OSError):
                if os.path.abspath(path) not in produced and os.lstat(path).st_mtime_ns < started:
                    os.remove(path)
        if folder != str(site):
            with contextlib.suppress(OSError):
                if not os.listdir(folder):
                    os.rmdir(folder)
