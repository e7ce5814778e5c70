"""The stale-list note (docs/assets/freshness.js) in a real browser with a faked clock: a page
viewed soon after its build has no note; 12 days later it says so, as an accessible status, and
keeps saying so across Material's instant navigation.

The fixture site is built with SOURCE_DATE_EPOCH = 2026-11-20T00:00:00Z; Playwright's clock
fixes the browser's time, so nothing here waits for time to pass.
"""

from __future__ import annotations

import datetime as dt

import pytest
from test_pipeline import build_fixture_site, record

from browsertools import serve
from conftest import ROOT

pytestmark = pytest.mark.browser

BUILT = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    project = tmp_path_factory.mktemp("freshness") / "project"
    with serve(project / "site") as url:
        # Material navigates instantly only within site_url: build for the address served here.
        _, result = build_fixture_site(project, import_record=record(), env={"SITE_URL": url}, in_process=True)
        assert result.returncode == 0, result.stderr
        yield url


def open_at(browser, url: str, moment: dt.datetime, *, wait: bool = True):
    """The page at ``url`` in a browser whose clock says ``moment``, its network quiet (late
    errors are caught); ``wait=False`` only starts loading it (``page.wait_for_load_state``)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.clock.set_fixed_time(moment)
    page.goto(url, wait_until="load" if wait else "commit")
    if wait:
        page.wait_for_load_state("networkidle")
    return page


def test_fresh_site_has_no_note(browser, base_url):
    moments = (BUILT + dt.timedelta(hours=1), BUILT + dt.timedelta(days=3))  # 3 days is not "more than 3"
    pages = [open_at(browser, base_url, moment, wait=False) for moment in moments]  # loading side by side
    for page in pages:
        page.wait_for_load_state("networkidle")
        assert page.locator(".rl-freshness").first.is_visible()
        assert page.locator("#rl-stale-note").count() == 0
        assert page.get_by_role("status").filter(has_text="rebuilt").count() == 0
        assert page.errors == []
        page.context.close()


def test_twelve_days_later_the_note_shows_and_survives_instant_navigation(browser, base_url):
    page = open_at(browser, base_url, BUILT + dt.timedelta(days=12, hours=5))
    note = page.get_by_role("status").filter(has_text="rebuilt")
    assert note.count() == 1 and note.is_visible()
    assert note.inner_text().splitlines()[-1].strip() == \
        "This list was last rebuilt 12 days ago (2026-11-20), so it may be missing recent papers."
    # It sits above the page's content, in view without scrolling.
    box = note.bounding_box()
    assert box is not None and box["y"] < 900
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "stale-note.png"))
    # Instant navigation swaps the content without reloading: the note is made again, once.
    page.evaluate("window.rlSamePage = true")
    page.get_by_role("link", name="Topics").first.click()
    page.wait_for_url("**/topics/")
    note = page.get_by_role("status").filter(has_text="rebuilt")
    note.wait_for()
    assert page.locator("#rl-stale-note").count() == 1
    assert "12 days ago" in note.inner_text()
    assert page.evaluate("window.rlSamePage") is True  # it was instant navigation, not a reload
    assert page.errors == []
    page.context.close()
