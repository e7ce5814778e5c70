"""What the Playwright browser tests share: Debian's Chromium (its headless shell where it is
installed, as ``scripts/ensure-browser.sh`` does: ``readinglist.commands.bench.chromium_path``),
launched through Playwright's sync API, a quiet static server on 127.0.0.1 for the site each test file builds, and the helpers
of the reading and audit tests (pages with their errors recorded, axe-core, the five kinds of
page of a built site).

Without a browser the tests skip on a developer's machine but fail under CI (CI is set), so a
missing install step can never pass unnoticed.

A test takes the session-scoped ``browser`` fixture (``conftest.py``: one Chromium per test
process, started by the first browser test and shared by every file); its module's
``base_url`` fixture serves its own site with ``serve(directory)``.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest

from readinglist.commands.bench import chromium_path

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
MISSING = "no Chromium found (apt-get install chromium-headless-shell) or playwright not installed"
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


def need(ready: bool, message: str) -> None:
    """Skip the test when ``ready`` is false, or fail it under CI (a missing install step)."""
    if not ready:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run under CI: {message}")
        pytest.skip(message)


@contextlib.contextmanager
def chromium(*, ready: bool = True, message: str = MISSING) -> Iterator:
    """A launched Chromium (its path kept as ``chromium_executable``, for tools that start their
    own). Skips, or fails under CI, when Chromium or Playwright is missing or ``ready`` is false."""
    path = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        path = None
    need(path is not None and ready, message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        browser.chromium_executable = path
        yield browser
        browser.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(directory: Path | str) -> Iterator[str]:
    """Serve ``directory`` on a free port of 127.0.0.1 in a thread; yields the base URL (ending
    in "/"). The directory need not exist yet: build into it once the address is known."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # Polled every 10 ms, not 0.5 s: shutdown() waits for the next poll.
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def new_page(browser, *, scheme: str = "light", width: int = 1280, height: int = 900, javascript: bool = True):
    """A page in a context of its own, recording console errors, page errors, failed requests
    (``page.errors``) and every requested URL (``page.requests``)."""
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1,
                                  color_scheme="dark" if scheme == "dark" else "light", java_script_enabled=javascript)
    return watched(context.new_page())


def watched(page):
    """``page`` recording console errors, page errors, failed requests (``page.errors``) and
    every requested URL (``page.requests``)."""
    page.errors = []
    page.requests = []
    page.on("console", lambda m: page.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: page.errors.append(f"request failed: {r.url}"))
    page.on("request", lambda r: page.requests.append(r.url))
    return page


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.hrefs.append((attrs.get("class") or "", attrs["href"]))


def links_of(site: Path, path: str) -> list[tuple[str, str]]:
    parser = _Links()
    parser.feed((site / path / "index.html").read_text())
    return parser.hrefs


def five_pages(site: Path) -> dict[str, str]:
    """Home, topics, a topic page, a year page and a paper page of a built site, found through
    its links (not named from today's data)."""
    def resolved(path: str) -> list[tuple[str, str]]:
        return [(cls, urljoin("http://x/" + path, href).removeprefix("http://x/")) for cls, href in links_of(site, path)]
    topics = [href for _, href in resolved("topics/") if re.fullmatch(r"topics/[\w-]+/", href)]
    years = [href for _, href in resolved("dates/") if re.fullmatch(r"dates/\d{4}/", href)]
    papers = [href for cls, href in resolved("") if "rl-entry__title" in cls]
    assert topics and years and papers
    return {"home": "", "topics": "topics/", "topic": topics[0], "year": years[0], "paper": papers[0]}


def set_scheme(page, scheme: str) -> None:
    """Material follows prefers-color-scheme until the reader picks one; check both."""
    want = "slate" if scheme == "dark" else "default"
    assert page.locator("body").get_attribute("data-md-color-scheme") == want


def switch_scheme(page, scheme: str) -> None:
    """The page in ``scheme`` without a reload: the reader's preference (emulated) and the
    header's palette toggle, as a reader switching schemes does. The site's colours follow
    Material's ``data-md-color-scheme`` only (no ``prefers-color-scheme`` rule of its own), so
    this is what a reader preferring ``scheme`` sees; Material keeps the toggle's choice for the
    site's next page (in localStorage), as it does for a reader."""
    page.emulate_media(color_scheme=scheme)
    page.locator("label.md-header__button[for^='__palette_']:visible").first.click()
    page.wait_for_function("want => document.body.dataset.mdColorScheme === want", arg="slate" if scheme == "dark" else "default")


def axe(page) -> list[dict]:
    """axe-core's violations on the page as it is now (axe-core is added to the page once:
    a second audit of the same page, in the other scheme or width, reuses it)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ["violations"]})
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(" ") + " :: " + n.failureSummary).slice(0, 5)}))
    }""")
