"""Search in a real browser (issue 11): Playwright driving Debian's Chromium over a site
built from crafted fixture papers (never today's papers/).

Without a browser these tests skip on a developer's machine but fail under CI (CI is set).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from browsertools import serve
from conftest import copy_project, mkdocs_build_in_process, placed, write_papers
from readinglist.model import Paper

pytestmark = pytest.mark.browser

FILLER = "We study language models with careful experiments and report results on standard benchmarks"


def fixture_papers() -> list[Paper]:
    """Twenty-four papers: the word 'kaleidoscope' is in one title and in three abstracts;
    'transformer' is in every abstract; topics, years and upvotes vary in known ways."""
    topics = ["attention-heads", "long-context", "multimodal", "surveys"]
    papers = []
    for i in range(20):
        abstract = f"{FILLER} number {i}. The transformer is analysed."
        if i in (3, 7, 11):
            abstract += " A kaleidoscope of kaleidoscope views appears kaleidoscope here."
        papers.append(Paper(title=f"Study {i} of quiet models", published=dt.date(2022 + i % 3, 1 + i % 12, 1 + i),
                            added=dt.date(2025, 1, 1), topics=(topics[i % 4],), abstract=abstract, upvotes=(i * 7) % 23,
                            authors=(f"Author {i}", "Grace Hopper")))
    papers += [
        Paper(title="Kaleidoscope: Attention Through Many Lenses", published=dt.date(2024, 6, 1), added=dt.date(2025, 1, 1),
              topics=("attention-heads",), abstract=f"{FILLER}. The transformer again.", upvotes=2),
        Paper(title="Towards $\\infty$-Zyzzogeton with Dynamic Context", published=dt.date(2025, 5, 23), added=dt.date(2025, 6, 1),
              topics=("long-context",), abstract=f"{FILLER}. A transformer with unbounded context.", upvotes=5),
        Paper(title='<img src=x onerror="window.pwned=1"> Quokka <b>bold</b>', published=dt.date(2023, 2, 2), added=dt.date(2025, 1, 1),
              topics=("surveys",), abstract="<script>window.pwned=2</script> Quokka transformer abstract.", upvotes=1),
        Paper(title="Survey of everything", published=dt.date(2021, 2, 2), added=dt.date(2025, 1, 1),
              topics=("surveys", "multimodal"), abstract=f"{FILLER}. A transformer survey.", upvotes=40),
    ]
    return placed(papers)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("browser-search") / "project", papers=False)
    write_papers(project, fixture_papers())
    with serve(project / "site") as url:
        # Material's instant navigation follows only links to the site_url's pages (its sitemap).
        result = mkdocs_build_in_process(project, env={"SITE_URL": url})
        assert result.returncode == 0, result.stderr
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors, page.requests = [], []
    page.on("console", lambda m: page.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: page.errors.append(f"request failed: {r.url}"))
    page.on("response", lambda r: page.errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.on("request", lambda r: page.requests.append(r.url))
    yield page
    context.close()


def header_search(page, text: str):
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "rl-search-input"
    page.keyboard.type(text)
    page.locator("#rl-search-panel .rl-hit").first.wait_for(timeout=15_000)
    page.wait_for_function("text => document.querySelector('#rl-search-panel .rl-search__status').textContent.includes(text)", arg=text)
    # The first search renders twice: its results, then again with the facet counts (their index
    # chunks come later): wait for the second rendering, so that what follows sees the final list.
    page.locator("#rl-search-panel .rl-facets").first.wait_for(timeout=15_000)


def hit_titles(page, scope: str) -> list[str]:
    return page.locator(f"{scope} .rl-hit__title").all_inner_texts()


def upvotes(page, scope: str) -> list[int]:
    return [int(t.strip("▲ ") or 0) for t in page.locator(f"{scope} .rl-hit").evaluate_all(
        "els => els.map(e => (e.querySelector('.rl-hit__upvotes') || {textContent: '0'}).textContent)")]


def test_a_title_word_finds_its_paper_first_and_the_keyboard_opens_it(page, base_url):
    page.goto(base_url)
    page.wait_for_load_state("networkidle")
    assert not [u for u in page.requests if "/pagefind/" in u or "search-ui.js" in u]  # nothing before first use
    header_search(page, "kaleidoscope")
    titles = hit_titles(page, "#rl-search-panel")
    assert titles[0] == "Kaleidoscope: Attention Through Many Lenses"
    assert len(titles) == 4  # the title and the three abstracts
    excerpt = page.locator("#rl-search-panel .rl-hit").nth(1).locator(".rl-hit__excerpt")
    assert excerpt.locator("mark").first.inner_text().lower() == "kaleidoscope"
    assert "Study" not in excerpt.inner_text()  # an excerpt of the abstract, not the title again
    page.keyboard.press("ArrowDown")
    assert page.locator("#rl-search-panel .rl-hit").first.get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")
    page.wait_for_url("**/papers/2024/kaleidoscope-*/")
    page.locator("h1.rl-paper__title", has_text="Kaleidoscope: Attention").wait_for()
    assert page.errors == []


class HeldFilterChunks:
    """Pagefind's filter chunks (the facet counts) held back until ``release()``: a first
    search typed in the header box draws its results without them."""

    def __init__(self, page, base_url: str, words: str):
        self.held: list = []
        self.released = False
        page.route("**/pagefind/filter/**", self._hold)
        page.goto(base_url)
        with page.expect_request("**/pagefind/filter/**"):
            page.keyboard.press("/")
            page.keyboard.type(words)
            page.locator("#rl-search-panel .rl-hit").first.wait_for(timeout=15_000)

    def _hold(self, route):
        if self.released:
            route.continue_()
        else:
            self.held.append(route)

    def release(self) -> None:
        self.released = True
        for route in self.held:
            route.continue_()


def test_a_choice_made_before_the_facet_counts_arrive_is_kept(page, base_url):
    """The first search draws its results, then again when the filter chunks (facet counts)
    arrive: a reader who pressed ArrowDown in between keeps the chosen result."""
    chunks = HeldFilterChunks(page, base_url, "kaleidoscope")  # answered once the choice is made
    assert page.locator("#rl-search-panel .rl-facets").count() == 0  # the counts are not there yet
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    second = page.locator("#rl-search-panel .rl-hit").nth(1)
    chosen = second.locator(".rl-hit__title").inner_text()
    assert second.get_attribute("aria-selected") == "true"
    chunks.release()
    page.locator("#rl-search-panel .rl-facets").first.wait_for(timeout=15_000)
    second = page.locator("#rl-search-panel .rl-hit").nth(1)
    assert second.get_attribute("aria-selected") == "true"
    assert page.locator("#rl-search-input").get_attribute("aria-activedescendant") == second.get_attribute("id")
    assert page.locator("#rl-search-panel .rl-hit[aria-selected=true]").count() == 1
    assert second.locator(".rl-hit__title").inner_text() == chosen
    page.keyboard.press("Enter")
    page.wait_for_url("**/papers/**")
    assert page.errors == []


def test_a_result_followed_before_the_facet_counts_arrive_leaves_the_drop_down_closed(page, base_url):
    """A reader who follows a result while the facet counts are on their way, just after a
    keystroke: the drop-down closes, and stays closed when they arrive (neither the search
    that waited for them nor the one waiting for a pause in typing is drawn, and opened,
    again over the paper's page)."""
    chunks = HeldFilterChunks(page, base_url, "kaleidoscope")
    page.evaluate("window.__sameDocument = true")
    page.keyboard.type(" ")  # a search waits for a pause in typing (200 ms): the click comes first
    page.locator("#rl-search-panel .rl-hit__title", has_text="Kaleidoscope: Attention").click()
    page.locator("h1.rl-paper__title", has_text="Kaleidoscope: Attention").wait_for()
    assert page.evaluate("window.__sameDocument") is True  # Material swapped the page in place
    assert page.locator("#rl-search-panel").is_hidden()
    with page.expect_response("**/pagefind/filter/**"):
        chunks.release()
    # A redraw would fetch nothing more or what its results need: once the network has been
    # quiet for half a second it has long been drawn.
    page.wait_for_load_state("networkidle")
    assert page.locator("#rl-search-panel").is_hidden()
    assert page.locator("#rl-search-input").get_attribute("aria-expanded") == "false"
    assert page.errors == []


def test_a_search_typed_while_the_facet_counts_load_gets_them(page, base_url):
    """A newer search that draws its results while the filter chunks are still on their way
    (the reader kept typing) is drawn again, with the counts, once they arrive."""
    chunks = HeldFilterChunks(page, base_url, "kaleidoscope")
    first = page.locator("#rl-search-panel .rl-hit__title").first.inner_text()
    page.locator("#rl-search-input").fill("zyzzogeton")  # the first search waits for the counts meanwhile
    page.locator("#rl-search-panel .rl-hit__title", has_text="∞").first.wait_for(timeout=15_000)
    assert page.locator("#rl-search-panel .rl-hit__title").first.inner_text() != first
    assert page.locator("#rl-search-panel .rl-facets").count() == 0
    chunks.release()
    page.locator("#rl-search-panel .rl-facets").first.wait_for(timeout=15_000)
    assert "∞" in page.locator("#rl-search-panel .rl-hit__title").first.inner_text()
    assert page.errors == []


def test_math_and_markup_in_titles_show_as_rendered_math_and_text(page, base_url):
    page.goto(base_url)
    header_search(page, "zyzzogeton")
    title = page.locator("#rl-search-panel .rl-hit__title").first
    assert "∞" in title.inner_text() and "\\infty" not in title.inner_text() and "$" not in title.inner_text()
    page.keyboard.press("Escape")
    page.locator("#rl-search-panel").wait_for(state="hidden")
    page.locator("#rl-search-input").fill("")
    page.keyboard.type("quokka")
    page.wait_for_function("() => document.querySelector('#rl-search-panel .rl-search__status').textContent.includes('quokka')")
    hit = page.locator("#rl-search-panel .rl-hit").first
    assert hit.inner_text().startswith('<img src=x onerror="window.pwned=1"> Quokka <b>bold</b>')
    assert "<script>window.pwned=2</script>" in hit.locator(".rl-hit__excerpt").inner_text()
    assert hit.locator("img, script, b").count() == 0
    assert page.evaluate("window.pwned") is None
    assert page.errors == []


def test_topic_filter_narrows_and_sort_by_upvotes_orders(page, base_url):
    page.goto(base_url + "search/?q=transformer")
    results = page.locator(".rl-search-page__results")
    results.locator(".rl-hit").first.wait_for()
    assert results.locator(".rl-search__status").inner_text() == "24 papers for “transformer”"
    chip = results.locator("button[data-facet='topic'][data-value='surveys']")
    assert chip.locator(".rl-facet__count").inner_text() == "7"
    chip.click()
    page.wait_for_function("document.querySelector('.rl-search-page__results .rl-search__status').textContent.startsWith('7 papers')")
    assert results.locator("button[data-facet='topic'][data-value='surveys']").get_attribute("aria-pressed") == "true"
    topics = results.locator(".rl-hit .rl-topics").all_inner_texts()
    assert len(topics) == 7 and all("Surveys" in t for t in topics)
    assert parse_qs(urlsplit(page.url).query) == {"q": ["transformer"], "topic": ["surveys"]}
    results.locator("button[data-sort='upvotes']").click()
    page.wait_for_function("document.querySelector(\"button[data-sort='upvotes']\").getAttribute('aria-pressed') === 'true'")
    votes = upvotes(page, ".rl-search-page__results")
    assert votes == sorted(votes, reverse=True) and votes[0] == 40
    assert "sort=upvotes" in page.url
    assert page.errors == []


def test_shareable_url_restores_query_filters_and_sort(page, base_url):
    page.goto(base_url + "search/?q=transformer&topic=attention-heads&year=2024&sort=date")
    results = page.locator(".rl-search-page__results")
    results.locator(".rl-hit").first.wait_for()
    assert page.locator("#rl-search-page-input").input_value() == "transformer"
    assert results.locator("button[data-facet='topic'][data-value='attention-heads']").get_attribute("aria-pressed") == "true"
    assert results.locator("button[data-facet='year'][data-value='2024']").get_attribute("aria-pressed") == "true"
    assert results.locator("button[data-sort='date']").get_attribute("aria-pressed") == "true"
    dates = results.locator(".rl-hit time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")
    assert dates and all(d.startswith("2024") for d in dates) and dates == sorted(dates, reverse=True)
    assert all("Attention" in t for t in results.locator(".rl-hit .rl-topics").all_inner_texts())
    # Faceted browsing: no words, a filter only, lists the papers by date.
    page.goto(base_url + "search/?topic=multimodal")
    results.locator(".rl-hit").first.wait_for()
    assert results.locator(".rl-search__status").inner_text() == "6 papers"
    assert page.errors == []


def test_search_survives_instant_navigation_and_stays_on_the_site(page, base_url):
    page.goto(base_url)
    page.evaluate("window.__sameDocument = true")
    header_search(page, "kaleidoscope")
    page.locator("#rl-search-panel .rl-hit__title").first.click()
    page.locator("h1.rl-paper__title", has_text="Kaleidoscope: Attention").wait_for()
    assert page.evaluate("window.__sameDocument") is True  # Material swapped the page, no reload
    page.locator("#rl-search-panel").wait_for(state="hidden")
    page.locator("#rl-search-input").fill("")
    # Away from the box, on no link: the middle of the body could be a related paper's link.
    page.locator("h1.rl-paper__title").click()
    assert page.url == base_url + "papers/2024/kaleidoscope-attention-through-many-lenses/"
    header_search(page, "zyzzogeton")
    assert "Zyzzogeton" in hit_titles(page, "#rl-search-panel")[0]
    # Enter with no result picked opens the search page for the query.
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=zyzzogeton")
    page.locator(".rl-search-page__results .rl-hit").first.wait_for()
    hosts = {urlsplit(u).netloc for u in page.requests if not u.startswith(("data:", "blob:"))}
    assert hosts == {urlsplit(base_url).netloc}
    assert any("/pagefind/" in u for u in page.requests)
    assert page.errors == []


def test_first_search_after_an_instant_navigation_to_a_deeper_page(page, base_url):
    # Material navigates instantly only to the pages of its sitemap, which it fetches after
    # "load": a click before it arrives is an ordinary page load.
    with page.expect_response(lambda r: r.url.endswith("/sitemap.xml")) as sitemap:
        page.goto(base_url)
    assert sitemap.value.finished() is None and sitemap.value.ok
    page.evaluate("window.__sameDocument = true")
    page.locator("a.rl-entry__title", has_text="Kaleidoscope").first.click()
    page.locator("h1.rl-paper__title", has_text="Kaleidoscope: Attention").wait_for()
    assert page.evaluate("window.__sameDocument") is True
    # The header was rendered for the home page; the search must still find the site's index.
    header_search(page, "zyzzogeton")
    assert "Zyzzogeton" in hit_titles(page, "#rl-search-panel")[0]
    assert page.errors == []
