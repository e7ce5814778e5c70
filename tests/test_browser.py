"""The built site in a real browser: Playwright driving Debian's Chromium.

Without a browser these tests skip on a developer's machine but fail under CI (CI is set),
so a missing install step can never pass unnoticed. The screenshots of these pages are taken
by tests/test_browser_reading.py (both widths, both schemes).
"""

from __future__ import annotations

import feedparser
import pytest

pytestmark = pytest.mark.browser

QWEN = "papers/2025/qwenlong-cprs-towards-infty-llms-with-dynamic-context-optimization/"


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: page.errors.append(f"request failed: {r.url}"))
    page.on("response", lambda r: page.errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    yield page
    context.close()


def test_home_page_loads_without_console_errors_and_the_dark_mode_toggle_changes_the_palette(page, real_url):
    page.goto(real_url)
    page.wait_for_load_state("networkidle")
    assert page.title() == "LM Reading List"
    assert page.locator("h2#latest").inner_text() == "Latest additions"
    assert page.locator(".rl-entry").count() == 20
    assert page.errors == []
    # The same page, then dark.
    body = page.locator("body")
    before = (body.get_attribute("data-md-color-scheme"), body.evaluate("e => getComputedStyle(e).backgroundColor"))
    page.locator("label.md-header__button[for^='__palette_']:visible").first.click()
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    after = (body.get_attribute("data-md-color-scheme"), body.evaluate("e => getComputedStyle(e).backgroundColor"))
    assert before[0] == "default" and after[0] == "slate"
    assert before[1] != after[1]
    assert page.errors == []


def test_search_finds_a_paper_by_a_distinctive_title_word(page, real_url):
    page.goto(real_url)
    page.locator("#rl-search-input").click()
    page.keyboard.type("Tryage")
    result = page.locator("#rl-search-panel .rl-hit__title").first
    result.wait_for(timeout=15_000)
    assert "Tryage" in result.inner_text()
    result.click()
    page.wait_for_url("**/papers/2023/tryage-*/**")
    assert page.locator("h1.rl-paper__title").inner_text().startswith("Tryage: Real-time, intelligent Routing")
    assert page.errors == []


def titles(page) -> list[str]:
    return page.locator("ol.rl-list .rl-entry__title").all_inner_texts()


def test_topic_page_sort_toggle_reorders_with_mouse_and_keyboard(page, real_url):
    page.goto(real_url + "topics/multimodal/")
    control = page.locator(".rl-sort")
    control.wait_for(state="visible")
    by_date = titles(page)
    assert len(by_date) == 7
    page.get_by_role("button", name="Upvotes").click()
    by_votes = titles(page)
    assert by_votes[0].startswith("GiT: Towards Generalist Vision Transformer")
    assert sorted(by_votes) == sorted(by_date) and by_votes != by_date
    votes = [int(v) for v in page.locator("ol.rl-list .rl-entry").evaluate_all("els => els.map(e => e.dataset.upvotes)")]
    assert votes == sorted(votes, reverse=True)
    assert page.get_by_role("button", name="Upvotes").get_attribute("aria-pressed") == "true"
    assert page.get_by_role("status").inner_text() == "Sorted by upvotes, most first"
    # Keyboard: focus the Date button and press Enter.
    page.get_by_role("button", name="Date").focus()
    page.keyboard.press("Enter")
    assert titles(page) == by_date
    assert page.get_by_role("button", name="Date").get_attribute("aria-pressed") == "true"
    assert page.errors == []


def test_year_page_sorted_by_upvotes_is_one_list(page, real_url):
    page.goto(real_url + "dates/2024/")
    page.locator(".rl-sort").wait_for(state="visible")
    by_date = titles(page)
    assert page.locator(".rl-groups h2:visible").count() > 3
    page.get_by_role("button", name="Upvotes").click()
    visible = page.locator("ol.rl-list:visible .rl-entry__title").all_inner_texts()
    assert visible[0].startswith("GiT: Towards Generalist Vision Transformer")  # 11 upvotes, the year's most
    assert sorted(visible) == sorted(by_date)
    assert page.locator(".rl-groups h2:visible").count() == 0
    page.get_by_role("button", name="Date").click()
    assert page.locator("ol.rl-list:visible .rl-entry__title").all_inner_texts() == by_date
    assert page.locator(".rl-groups h2:visible").count() > 3
    assert page.errors == []


def test_math_title_renders_as_mathml_and_bibtex_has_a_copy_button(page, real_url):
    page.goto(real_url + QWEN)  # one paper page for both checks
    heading = page.locator("h1.rl-paper__title")
    heading.locator("math").wait_for()
    assert "∞" in heading.inner_text()
    assert "\\infty" not in heading.inner_text()
    assert page.title().startswith("QwenLong-CPRS: Towards ∞-LLMs")
    assert page.errors == []
    button = page.locator(".rl-cite button[data-md-type='copy']")
    button.wait_for()
    assert button.get_attribute("title") == "Copy to clipboard"
    assert page.locator(".rl-bibtex code").inner_text().startswith("@misc{qwenlongcprs2025towards,")


def test_feed_links_resolve_to_valid_feeds(page, real_url):
    for url in (real_url, real_url + "topics/surveys/"):
        page.goto(url)
        href = page.locator("a.rl-feed").first.get_attribute("href")
        response = page.request.get(page.url + href if not href.startswith("http") else href)
        assert response.status == 200
        feed = feedparser.parse(response.body())
        assert not feed.bozo and feed.entries
