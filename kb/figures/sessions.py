"""Running pages' ``python exec`` blocks: one fresh worker per page (its session), as
many at once as there are cores, with the results cached by the page's code.

A session that ran to its end is cached (writes its code tried and was refused
included); one that died (a timeout, a crash), or after which kb had to put
the knowledge base back, is not, so it is run again next time. After every session the knowledge base is compared with what it was
before any code ran (``kb.figures.guard``) and put back.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

from kb.config import KbConfig
from kb.figures.block import Block
from kb.figures.cache import Cache, digest
from kb.figures.guard import Snapshot
from kb.figures.progress import Progress
from kb.figures.worker_client import Worker, WorkerFailure
from kb.model import Page


def run_pages(pages: list[Page], blocks: list[Block], config: KbConfig, cache: Cache,
              env: dict[str, str], progress: Progress) -> int:
    """Run the pages' sessions, as many at once as there are cores (each is its own process;
    the threads here only wait on pipes). After each, the knowledge base is compared with what
    it was before any code ran, and put back."""
    if not pages:
        return 0
    lock = threading.Lock()
    snapshot = Snapshot.take(config)

    def run(page: Page) -> None:
        with lock:
            progress.step(f"running the code of {page.source}")
        page_blocks = [b for b in blocks if b.page is page]
        completed = _run_page(page, page_blocks, config)
        with lock:
            put_back = snapshot.restore_changes()
            page_blocks[0].put_back.extend(put_back)
            progress.advance()
        if completed and not put_back:  # else it runs again next time (a refused write is kept: it is refused again)
            runs = [{"stdout": b.stdout, "stderr": b.stderr, "error": b.error, "line": b.error_line, "wrote": b.wrote}
                    for b in page_blocks]
            cache.put(_blocks_key(page_blocks, env), {"runs": runs})

    with ThreadPoolExecutor(max_workers=max(1, min(len(pages), os.cpu_count() or 1))) as pool:
        list(pool.map(run, _longest_first(pages, blocks)))
    return len(pages)  # one worker each


def _longest_first(pages: list[Page], blocks: list[Block]) -> list[Page]:
    """The pages with the most code first (by characters, then by path): a long session started
    last would run alone at the end while the other cores have nothing left to do."""
    code = {page.source: 0 for page in pages}
    for block in blocks:
        if block.page.source in code:
            code[block.page.source] += len(block.code.content)
    return sorted(pages, key=lambda page: (-code[page.source], page.source))


def _blocks_key(page_blocks: list[Block], env: dict[str, str]) -> str:
    return digest(env, "exec", str(page_blocks[0].page.source), [b.code.content for b in page_blocks])


def blocks_from_cache(page: Page, all_blocks: list[Block], cache: Cache, env: dict[str, str]) -> bool:
    page_blocks = [b for b in all_blocks if b.page is page]
    entry = cache.get(_blocks_key(page_blocks, env))
    if entry is None or len(entry.get("runs", [])) != len(page_blocks):
        return False
    for block, run in zip(page_blocks, entry["runs"], strict=True):
        block.stdout, block.stderr, block.error, block.error_line = run["stdout"], run.get("stderr", ""), run["error"], run["line"]
        block.wrote = list(run.get("wrote", []))
    return True


def _run_page(page: Page, page_blocks: list[Block], config: KbConfig) -> bool:
    """Run a page's blocks in order in one fresh session; whether the session ran to its end."""
    options = config.options
    worker = Worker(config.root, options.exec_memory_mb, options.exec_env)
    session_died = False
    try:
        worker.call({"op": "hello"}, options.figure_timeout)
        for index, block in enumerate(page_blocks):
            if session_died:
                block.error = f"not run: the session ended at line {page_blocks[index - 1].code.line}"
                continue
            request = {"op": "exec", "code": block.code.content, "path": str(page.source), "line": block.code.line + 1}
            try:
                reply = worker.call(request, options.exec_timeout)
            except WorkerFailure as failure:
                block.error, block.error_line, session_died = f"the block {failure}", block.code.line, True
                continue
            block.stdout, block.stderr = reply.get("stdout", ""), reply.get("stderr", "")
            block.wrote = list(reply.get("wrote", []))
            if not reply.get("ok"):
                block.error, block.error_line = reply.get("error", "failed"), reply.get("line")
    except WorkerFailure as failure:
        for block in page_blocks:
            block.error, block.error_line = f"the worker for this page {failure}", block.code.line
        session_died = True
    finally:
        worker.stop()
    return not session_died
