"""Running a page's ``python exec`` blocks: one session (one namespace) per page.

Each block is compiled under the page's path with its first line at the
block's line, so a traceback points into the page. What the block writes to
file descriptors 1 and 2 (its own prints, and those of C code and of the
processes it starts) is captured apart: standard output is the block's
output, standard error is shown beside it and never compared with a pin.

A block may not write into the knowledge base: an audit hook refuses, at the
block's line, any file the block opens for writing, removes, renames or
creates under the knowledge base's folder (its session's own temporary
folder excepted), and the refusals are reported back to kb.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

MAX_OUTPUT = 1 << 20  # bytes of each stream kept; a block that prints more has the rest cut

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_PATH_EVENTS = {  # audit event -> the positions of its path arguments
    "os.remove": (0,), "os.rmdir": (0,), "os.mkdir": (0,), "os.rename": (0, 1), "os.link": (0, 1),
    "os.symlink": (1,), "os.truncate": (0,), "os.chmod": (0,), "os.chown": (0,), "os.utime": (0,),
    "shutil.rmtree": (0,), "shutil.copyfile": (1,), "shutil.move": (1,),
}


class KnowledgeBaseGuard:
    """The audit hook that keeps a session's code from writing into the knowledge base."""

    def __init__(self, root: Path, session_dir: Path) -> None:
        self.root = os.path.realpath(root) + os.sep
        self.session_dir = os.path.realpath(session_dir) + os.sep
        self.refused: list[str] = []  # the knowledge base's files a block tried to write, relative to it

    def install(self) -> None:
        sys.addaudithook(self._hook)

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        if event == "open":
            path, mode, flags = [*args, None, None, None][:3]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & _WRITE_FLAGS)
            if writing:
                self._check(path)
        elif event in _PATH_EVENTS:
            for index in _PATH_EVENTS[event]:
                if index < len(args):
                    self._check(args[index])

    def _check(self, path: object) -> None:
        if not isinstance(path, (str, bytes, os.PathLike)):
            return  # a file descriptor: opened, and judged, before
        try:
            full = os.path.realpath(os.fsdecode(path))
        except (TypeError, ValueError, OSError):
            return
        inside = (full + os.sep).startswith(self.root) and not (full + os.sep).startswith(self.session_dir)
        if inside:
            shown = os.path.relpath(full, self.root[:-1])
            self.refused.append(shown)
            raise PermissionError(f"a block may not write into the knowledge base ({shown}); "
                                  "write into its working folder, a fresh temporary one")


def run_block(request: dict[str, Any], session: dict[str, Any], guard: KnowledgeBaseGuard) -> dict[str, Any]:
    """Run one block in the page's session; its output, standard error and what went wrong."""
    path, first_line = request["path"], request["line"]
    source = "\n" * (first_line - 1) + request["code"]  # so line numbers are the page's
    refused_before = len(guard.refused)
    with tempfile.TemporaryFile(dir=os.getcwd()) as out, tempfile.TemporaryFile(dir=os.getcwd()) as err:
        saved = os.dup(1), os.dup(2)
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        error: BaseException | None = None
        try:
            exec(compile(source, path, "exec"), session)
        except BaseException as raised:
            error = raised
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
        stdout, stderr = _read(out), _read(err)
    reply: dict[str, Any] = {"ok": error is None, "stdout": stdout, "stderr": stderr,
                             "wrote": sorted(set(guard.refused[refused_before:]))}
    if error is not None:
        reply["error"] = _describe(error, path)
        reply["line"] = _page_line(error, path) or first_line
    return reply


def _read(stream: Any) -> str:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    text: str = stream.read(MAX_OUTPUT).decode("utf-8", errors="replace")
    if size > MAX_OUTPUT:
        text += f"\n[kb: {size - MAX_OUTPUT:,} more bytes not kept]\n"
    return text


def _page_line(error: BaseException, path: str) -> int | None:
    """The last line of the page that the traceback passes through."""
    if isinstance(error, SyntaxError) and error.filename == path:
        return error.lineno
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == path]
    return frames[-1].lineno if frames else None


def _describe(error: BaseException, path: str) -> str:
    """``ZeroDivisionError: division by zero`` plus where it came from in the page."""
    if isinstance(error, SyntaxError) and error.filename == path:
        return f"SyntaxError: {error.msg}"
    text = "".join(traceback.format_exception_only(type(error), error)).strip()
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == path]
    calls = [f"line {f.lineno} in {f.name}" for f in frames if f.name != "<module>"]
    return text + (f" ({', '.join(calls)})" if calls else "")
