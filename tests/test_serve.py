"""`mkdocs serve` rebuilds when a paper file is edited or added (the maintainer's preview)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from conftest import NO_SEARCH

NEW_PAPER = ("---\ntitle: A Freshly Added Paper\npublished: 2024-05-01\nauthor_count: 1\ntopics: [surveys]\n"
             "added: 2026-11-28\n---\n\nAn abstract written while the server runs.\n")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, OSError):
        return None


def wait_for(url: str, predicate, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = fetch(url)
        if body is not None and predicate(body):
            return body
        time.sleep(0.3)
    raise AssertionError(f"{url} did not show the change within {seconds} s")


def test_serve_picks_up_edited_and_added_papers(project: Path):
    port = free_port()
    mkdocs = Path(sys.executable).parent / "mkdocs"
    log = (project / "serve.log").open("w")
    # No search index (not under test here); no bytecode written under the watched readinglist/.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1", **NO_SEARCH}
    server = subprocess.Popen([str(mkdocs), "serve", "--livereload", "-a", f"127.0.0.1:{port}"], cwd=project,
                              stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        base = f"http://127.0.0.1:{port}/"
        paper = project / "papers/2024/a-survey-on-mixture-of-experts.md"
        url = base + "papers/2024/a-survey-on-mixture-of-experts/"
        wait_for(url, lambda body: "A Survey on Mixture of Experts" in body)

        # Both changes at once: one rebuild (or two, if the second lands during the first) shows both.
        paper.write_text(paper.read_text().replace("title: A Survey on Mixture of Experts", "title: A Survey on Mixture of Experts (edited)"))
        (project / "papers/2024/a-freshly-added-paper.md").write_text(NEW_PAPER)
        wait_for(url, lambda body: "A Survey on Mixture of Experts (edited)" in body)
        wait_for(base + "topics/surveys/", lambda body: "A Freshly Added Paper" in body and "(edited)" in body)
        wait_for(base + "papers/2024/a-freshly-added-paper/", lambda body: "written while the server runs" in body)
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
