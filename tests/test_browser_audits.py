"""Accessibility audits of the fixture site (the frozen list) in a real browser: axe-core on
five kinds of page in both colour schemes, and Lighthouse's default (mobile) run on the home
and a paper page.

Like tests/test_browser.py, these skip without a browser, axe-core or Lighthouse on a
developer's machine and fail under CI (CI set).
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from browsertools import axe, five_pages, need, new_page, set_scheme, switch_scheme
from conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("axe_browser")]  # axe-core is needed too

LIGHTHOUSE = ROOT / "node_modules" / "lighthouse" / "core" / "index.js"
#: The pages Lighthouse audits (labels of ``five_pages``).
LIGHTHOUSE_PAGES = ("home", "paper")


# --------------------------------------------------------------------------------------------
# Accessibility (axe-core)


def test_axe_finds_no_serious_violations_in_either_scheme(browser, built_site, real_url):
    """Each page is loaded once and audited in both schemes (switched on the page), starting
    with the scheme the previous page ended in."""
    page = new_page(browser, scheme="light")
    problems = {}
    scheme = "light"  # the first page follows the reader's preference; later ones, the last choice
    for label, path in five_pages(built_site).items():
        page.goto(real_url + path)  # waits for "load": the pages' scripts have run (nothing is fetched later)
        for turn in range(2):
            if turn:
                scheme = "dark" if scheme == "light" else "light"
                switch_scheme(page, scheme)
            set_scheme(page, scheme)
            serious = [v for v in axe(page) if v["impact"] in ("serious", "critical")]
            if serious:
                problems[f"{label} ({scheme})"] = serious
    page.context.close()
    assert problems == {}, json.dumps(problems, indent=1)


# --------------------------------------------------------------------------------------------
# Lighthouse (npm, pinned)


@pytest.fixture(scope="module", autouse=True)
def lighthouse_run(browser, built_site, real_url, tmp_path_factory):
    """``tests/lighthouse.mjs`` (one Node process and one Chromium of its own for every page of
    LIGHTHOUSE_PAGES) started with the module, so that it runs while the axe tests do;
    ``lighthouse_reports`` collects it. None without Lighthouse (its tests then skip or fail)."""
    if not LIGHTHOUSE.is_file():
        yield None
        return
    out = tmp_path_factory.mktemp("lighthouse")
    pages = five_pages(built_site)
    urls = [real_url + pages[label] for label in LIGHTHOUSE_PAGES]
    env = {**os.environ, "CHROME_PATH": browser.chromium_executable}
    with subprocess.Popen(["node", str(ROOT / "tests" / "lighthouse.mjs"), str(out), *urls], env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        try:
            yield process, out, urls
        finally:
            if process.poll() is None:  # a failure before the reports were collected
                process.kill()
                process.communicate()


@pytest.fixture(scope="module")
def lighthouse_reports(lighthouse_run, built_site) -> dict[str, dict]:
    """Lighthouse's JSON report of each of LIGHTHOUSE_PAGES, by label."""
    need(lighthouse_run is not None, "Lighthouse is missing: run 'npm ci'")
    process, out, urls = lighthouse_run
    _, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stderr[-2000:]
    reports = {label: json.loads((out / f"{i}.json").read_text()) for i, label in enumerate(LIGHTHOUSE_PAGES)}
    assert [r["requestedUrl"] for r in reports.values()] == urls
    return reports


@pytest.mark.parametrize("label", LIGHTHOUSE_PAGES)
def test_lighthouse_accessibility_and_best_practices(lighthouse_reports, label):
    """Lighthouse's default (mobile) run: accessibility >= 95 and best practices 100."""
    audit = lighthouse_reports[label]
    assert audit["configSettings"]["formFactor"] == "mobile"
    assert audit.get("runtimeError") is None, audit["runtimeError"]
    scores = {name: round(category["score"] * 100) for name, category in audit["categories"].items()}
    failing = sorted(name for name, a in audit["audits"].items()
                     if a.get("score") is not None and a["score"] < 1 and a.get("scoreDisplayMode") == "binary")
    assert scores["accessibility"] >= 95, (scores, failing)
    assert scores["best-practices"] == 100, (scores, failing)
