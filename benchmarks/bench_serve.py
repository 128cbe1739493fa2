"""Time how long a saved page takes to show under `kb serve`, as an author waits for it.

Generates a knowledge base of 1,000 pages (links, headings, a code block and a
verified figure each), starts `kb serve` on it, waits until the site answers,
then, several times: appends a sentence to one page and polls that page's URL
until the sentence is served; then appends a link to another page and polls
that page until its "Linked from" section lists the edited one (a new link
changes the generality every page shows, and the related topics of pages near
it, so it redraws more than one page). Prints the median time from the
save to each of the two, and, as the baseline measured in the same run, one
`kb build` of the same pages with nothing changed.

    python benchmarks/bench_serve.py [--pages 1000] [--saves 5]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_kb import generate

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return str(answer.read().decode("utf-8"))
    except OSError:
        return ""


def backlinks(html: str) -> str:
    """The "Linked from" list of a served page."""
    start = html.find('<ul class="kb-backlinks">')
    return html[start:html.find("</ul>", start)] if start >= 0 else ""


def wait_for(url: str, text: str, limit: float = 300, part: Callable[[str], str] = lambda html: html) -> float:
    """Seconds until ``url`` serves ``text`` (in ``part`` of the page)."""
    start = time.perf_counter()
    while text not in part(fetch(url)):
        if time.perf_counter() - start > limit:
            raise SystemExit(f"{url} did not show {text!r} within {limit:.0f} s")
        time.sleep(0.05)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--saves", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = generate(Path(scratch) / "kb", args.pages, figures=True).parent
        subprocess.run([str(BIN / "kb"), "build"], cwd=root, capture_output=True, check=False)  # warm caches
        start = time.perf_counter()
        subprocess.run([str(BIN / "kb"), "build"], cwd=root, capture_output=True, check=False)
        unchanged = time.perf_counter() - start
        port = free_port()
        base = f"http://127.0.0.1:{port}/"
        server = subprocess.Popen([str(BIN / "kb"), "serve", "--dev-addr", f"127.0.0.1:{port}"], cwd=root,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            pages = sorted((root / "content").rglob("topic-*.md"))
            wait_for(base + pages[0].relative_to(root / "content").with_suffix("").as_posix() + "/", "</html>")
            shown, linked = [], []
            for save in range(args.saves):
                page, target = pages[(save * 97) % len(pages)], pages[(save * 97 + 500) % len(pages)]
                url = base + page.relative_to(root / "content").with_suffix("").as_posix() + "/"
                target_url = base + target.relative_to(root / "content").with_suffix("").as_posix() + "/"
                marker = f"Saved sentence number {save}"
                with page.open("a", encoding="utf-8") as source:  # a sentence: only this page changes
                    source.write(f"\n{marker}.\n")
                saved = time.perf_counter()
                wait_for(url, marker)
                shown.append(time.perf_counter() - saved)
                time.sleep(1)  # let the server settle before the next save
                with page.open("a", encoding="utf-8") as source:  # a new link: backlinks and generality change
                    source.write(f"\nSee also [[{target.stem.replace('topic-', 'Topic ')}]].\n")
                saved = time.perf_counter()
                wait_for(target_url, f'/{page.stem}/"', part=backlinks)
                linked.append(time.perf_counter() - saved)
                time.sleep(1)
        finally:
            server.terminate()
            server.wait(timeout=30)
        print(f"baseline: kb build of {args.pages:,} pages, nothing changed: {unchanged:.1f} s")
        print(f"kb serve, one page of {args.pages:,} saved with a new sentence: shown after {statistics.median(shown):.1f} s "
              f"({statistics.median(shown) / unchanged:.0%} of the unchanged build); saved with a new link: the linked "
              f"page lists it after {statistics.median(linked):.1f} s (medians of {args.saves})")


if __name__ == "__main__":
    main()
