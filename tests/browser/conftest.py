"""Browser tests: the built site served on localhost, driven in Debian's Chromium by Playwright."""

from __future__ import annotations

import functools
import http.server
import shutil
import socket
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kb.config import load_config
from kb.mkdocs.build import build_site
from tests.conftest import REPO

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/test.sh installs it)")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


SHIPPED_PORT = free_port()


@pytest.fixture(scope="session")
def shipped_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped knowledge base, built once for the session for the address ``shipped_base`` serves
    it at (Material's instant navigation and link previews need the site's own address)."""
    site = tmp_path_factory.mktemp("site")
    config = load_config(str(REPO / "mkdocs.yml"))
    assert build_site(config, strict=True, site_dir=str(site), site_url=f"http://127.0.0.1:{SHIPPED_PORT}/") == 0
    return site


@pytest.fixture(scope="session")
def shipped_base(shipped_site: Path, serve: Any) -> str:
    """The base URL of the shipped site, served at the address it was built for."""
    return str(serve(shipped_site, SHIPPED_PORT))


@pytest.fixture(scope="session")
def serve() -> Iterator[object]:
    """``serve(folder)`` -> the base URL of a local server for that folder."""
    servers: list[socketserver.TCPServer] = []

    def start(folder: Path, port: int = 0) -> str:
        handler = functools.partial(_Quiet, directory=str(folder))
        server = socketserver.TCPServer(("127.0.0.1", port), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


def open_tab(browser: Any, **options: Any) -> Any:
    """A fresh tab (options as Playwright's new_context takes them) that records every request,
    every dialog, console errors and uncaught exceptions."""
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **options})
    tab = context.new_page()
    tab.requests, tab.dialogs, tab.errors = [], [], []
    tab.on("request", lambda request: tab.requests.append(request.url))
    tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    tab.on("console", lambda message: tab.errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    return tab


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh desktop tab in the light scheme."""
    tab = open_tab(browser)
    yield tab
    tab.context.close()


def screenshot(tab: object, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    tab.screenshot(path=str(path), full_page=False)  # type: ignore[attr-defined]
    return path


def copy_shipped(target: Path) -> Path:
    """A copy of the shipped knowledge base to change in a test, with its figure cache (warm
    when the shipped site has been built, so only what the test changes is computed again)."""
    for name in ("content", "macros", "site_config", ".kb-cache"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "mkdocs.yml", target / "mkdocs.yml")
    return target
