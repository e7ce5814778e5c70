"""What the Playwright browser tests share: Debian's Chromium, launched through Playwright's sync
API, and a quiet static server on 127.0.0.1 for the site each test file builds.

Without a browser the tests skip on a developer's machine but fail under CI (CI is set), so a
missing install step can never pass unnoticed.

A test module takes the module-scoped ``browser`` fixture by importing it
(``from browsertools import browser``), or builds its own on ``chromium()`` when it needs more
than Chromium; its ``base_url`` fixture serves its own site with ``serve(directory)``.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
MISSING = "no Chromium found (apt-get install chromium) or playwright not installed"


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@contextlib.contextmanager
def chromium(*, ready: bool = True, message: str = MISSING) -> Iterator:
    """A launched Chromium (its path kept as ``chromium_executable``, for tools that start their
    own). Skips, or fails under CI, when Chromium or Playwright is missing or ``ready`` is false."""
    path = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        path = None
    if path is None or not ready:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run under CI: {message}")
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        browser.chromium_executable = path
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(directory: Path | str) -> Iterator[str]:
    """Serve ``directory`` on a free port of 127.0.0.1 in a thread; yields the base URL (ending
    in "/"). The directory need not exist yet: build into it once the address is known."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
