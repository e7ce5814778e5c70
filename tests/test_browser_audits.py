"""Accessibility audits of the fixture site (the frozen list) in a real browser: axe-core on
five kinds of page in both colour schemes, and Lighthouse's default (mobile) run on the home
and a paper page.

Like tests/test_browser.py, these skip without a browser, axe-core or Lighthouse on a
developer's machine and fail under CI (CI set).
"""

from __future__ import annotations

import json

import pytest

from browsertools import axe, five_pages, need, new_page, set_scheme
from conftest import ROOT, run

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("axe_browser")]  # axe-core is needed too

SCHEMES = ("light", "dark")
LIGHTHOUSE = ROOT / "node_modules" / "lighthouse" / "core" / "index.js"
#: The pages Lighthouse audits (labels of ``five_pages``).
LIGHTHOUSE_PAGES = ("home", "paper")


# --------------------------------------------------------------------------------------------
# Accessibility (axe-core)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_axe_finds_no_serious_violations_in_either_scheme(browser, built_site, real_url, scheme):
    page = new_page(browser, scheme=scheme)
    problems = {}
    for label, path in five_pages(built_site).items():
        page.goto(real_url + path)  # waits for "load": the pages' scripts have run (nothing is fetched later)
        set_scheme(page, scheme)
        serious = [v for v in axe(page) if v["impact"] in ("serious", "critical")]
        if serious:
            problems[label] = serious
    page.context.close()
    assert problems == {}, json.dumps(problems, indent=1)


# --------------------------------------------------------------------------------------------
# Lighthouse (npm, pinned)


@pytest.fixture(scope="module")
def lighthouse_reports(browser, built_site, real_url, tmp_path_factory) -> dict[str, dict]:
    """Lighthouse's JSON report of each of LIGHTHOUSE_PAGES, by label: one run of
    ``tests/lighthouse.mjs`` (one Node process and one Chromium for every page)."""
    need(LIGHTHOUSE.is_file(), "Lighthouse is missing: run 'npm ci'")
    out = tmp_path_factory.mktemp("lighthouse")
    pages = five_pages(built_site)
    urls = [real_url + pages[label] for label in LIGHTHOUSE_PAGES]
    result = run("node", ROOT / "tests" / "lighthouse.mjs", out, *urls, env={"CHROME_PATH": browser.chromium_executable})
    assert result.returncode == 0, result.stderr[-2000:]
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
