"""Reading comfort in a real browser (Playwright driving Debian's Chromium): math rendered at
build time (MathML, no math script, no layout shift, readable with JavaScript off), and "new
since your last visit" with read marks (axe-core checks the marks). Accessibility audits of
the fixture site's pages (axe-core in both colour schemes, Lighthouse) are in
tests/test_browser_audits.py.

Like tests/test_browser.py, these skip without a browser on a developer's machine and fail
under CI (CI set). Screenshots at 1280 and 390 px, light and dark, go to
test-artifacts/screenshots/. Clocks are Playwright's (``page.clock``): nothing sleeps.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from browsertools import axe, five_pages, new_page, serve, set_scheme, watched
from conftest import NO_SEARCH, ROOT, copy_project, mkdocs_build_in_process
from readinglist.catalog import make_slug

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("axe_browser")]  # axe-core is needed too

ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
STORE = "rl-reading-list:v1"
SCHEMES = ("light", "dark")

#: The fixture list: (title, published, added, topics). Dates are fixed, so "new since" is
#: known without looking at the shipped papers.
FIXTURE_PAPERS = [
    ("Scaling $O(n^2)$ Attention Towards $\\infty$ Context", "2025-01-10", "2025-03-05", ["long-context"]),
    ("A Survey of Retrieval Heads", "2025-01-12", "2025-03-04", ["long-context"]),
    ("Sparse Heads for Long Inputs", "2025-01-20", "2025-03-01", ["long-context"]),
    ("Old Results on Induction Heads", "2024-06-01", "2025-02-01", ["long-context"]),
    ("Older Results on Copying Heads", "2024-05-01", "2025-01-15", ["long-context"]),
]
MATH_TITLE = FIXTURE_PAPERS[0][0]
ABSTRACT = "We study $\\alpha \\leq \\beta$ and $\\frac{1}{\\sqrt{d_k}}$ scaling. A broken formula $\\frac{a$ stays text."


def fixture_paper(title: str, published: str, added: str, topics: list[str]) -> tuple[str, str]:
    path = f"{published[:4]}/{make_slug(title)}.md"
    text = (f"---\ntitle: {json.dumps(title)}\npublished: {published}\nauthor_count: 2\nupvotes: 3\n"
            f"topics: [{', '.join(topics)}]\nadded: {added}\n---\n\n{ABSTRACT}\n")
    return path, text


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory):
    """A site of FIXTURE_PAPERS only, served on 127.0.0.1: ``(url, {title: paper url})``."""
    project = copy_project(tmp_path_factory.mktemp("reading") / "project", papers=False)
    urls = {}
    for title, published, added, topics in FIXTURE_PAPERS:
        path, text = fixture_paper(title, published, added, topics)
        (project / "papers" / path).parent.mkdir(parents=True, exist_ok=True)
        (project / "papers" / path).write_text(text)
        urls[title] = "papers/" + path.removesuffix(".md") + "/"
    # Served where site_url says it is: Material's instant navigation only follows links it
    # finds in sitemap.xml, which holds site_url's addresses.
    with serve(project / "site") as url:
        result = mkdocs_build_in_process(project, env={"SITE_URL": url, **NO_SEARCH})  # search: test_browser_search.py
        assert result.returncode == 0, result.stderr
        yield url, urls


# --------------------------------------------------------------------------------------------
# Math: rendered when the site is built


def test_no_page_requests_math_javascript(browser, built_site, real_url, fixture_site):
    url, urls = fixture_site
    targets = [real_url + path for path in five_pages(built_site).values()] + [url + urls[MATH_TITLE], url]
    # Each page in a tab of its own, all loading at once: each tab waits for its network to
    # stay quiet (500 ms with no request: what a script might fetch after "load" is caught),
    # and those quiet windows run side by side instead of one after the other.
    first = new_page(browser)
    context = first.context
    pages = [first, *(watched(context.new_page()) for _ in targets[1:])]
    for page, target in zip(pages, targets, strict=True):
        page.goto(target, wait_until="commit")
    for page, target in zip(pages, targets, strict=True):
        page.wait_for_load_state("networkidle")
        assert page.url == target
    requests = [u for page in pages for u in page.requests]
    scripts = {u for u in requests if u.endswith(".js")}
    assert scripts, "the pages load their own scripts"
    assert not [u for u in requests if any(word in u.lower() for word in ("katex", "mathjax", "math.js", ".woff", ".ttf"))]
    # And no built page names a math script or font.
    for html in built_site.rglob("*.html"):
        text = html.read_text().lower()
        assert "katex" not in text and "mathjax" not in text, html
    assert [e for page in pages for e in page.errors] == []
    context.close()


def test_math_title_is_mathml_with_javascript_off(browser, fixture_site):
    url, urls = fixture_site
    page = new_page(browser, javascript=False)
    page.goto(url + urls[MATH_TITLE])
    heading = page.locator("h1.rl-paper__title")
    assert heading.locator("math").count() == 2
    # Chromium lays the formula out as MathML: the superscript sits above the baseline.
    base, sup = (heading.locator("msup > *").nth(i).bounding_box() for i in range(2))
    assert sup["y"] < base["y"]
    assert "$" not in heading.inner_text() and "\\" not in heading.inner_text()
    assert page.title().startswith("Scaling O(n²) Attention Towards ∞ Context")
    og = page.locator("meta[property='og:title']").get_attribute("content")
    assert og == "Scaling O(n²) Attention Towards ∞ Context"
    abstract = page.locator(".rl-abstract").inner_text()
    assert page.locator(".rl-abstract math").count() == 2 and "≤" in abstract and "\\alpha" not in abstract
    assert "$\\frac{a$" in abstract  # malformed: shown as written
    page.context.close()


def test_math_page_has_no_layout_shift_and_long_bibtex_lines_wrap_on_phones(browser, fixture_site):
    url, urls = fixture_site
    pages = [new_page(browser, width=width, height=height) for width, height in ((390, 844), (1280, 900))]
    for page in pages:  # both load at once: their quiet windows (networkidle) overlap
        page.add_init_script("""
            window.__cls = 0
            new PerformanceObserver(list => {
                for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__cls += entry.value
            }).observe({type: "layout-shift", buffered: true})
        """)
        page.goto(url + urls[MATH_TITLE], wait_until="commit")
    for page in pages:
        page.wait_for_load_state("networkidle")
        page.evaluate("() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))")
        assert page.evaluate("window.__cls") < 0.01
        if page.evaluate("window.innerWidth") == 390:  # the same page on a phone: the BibTeX wraps
            code = page.locator(".rl-bibtex code")
            assert code.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        else:
            assert page.evaluate("window.innerWidth") == 1280
        page.context.close()


# --------------------------------------------------------------------------------------------
# New since your last visit, read marks

#: "Now" for these tests (a Thursday), and an earlier visit on the Monday when the list's
#: newest paper was added on 2 March: the papers added on 4 and 5 March are new.
NOW = dt.datetime(2025, 3, 6, 12, 0, tzinfo=dt.UTC)
EARLIER = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
NEW_IDS = {fixture_paper(*p)[0].removesuffix(".md") for p in FIXTURE_PAPERS if p[2] > "2025-03-02"}
PLAIN_TITLE = "A Survey of Retrieval Heads"  # one of the new papers, with no math in its title


def visiting_page(browser, *, earlier_visit: bool = True, **options):
    """A page whose browser last saw the list at EARLIER (stored as visits.js stores it)."""
    page = new_page(browser, **options)
    page.set_default_timeout(10_000)
    page.clock.set_fixed_time(NOW)
    if earlier_visit:
        ms = int(EARLIER.timestamp() * 1000)
        state = json.dumps({"current": {"at": ms, "latest": "2025-03-02"}, "seen": ms, "read": {}})
        page.context.add_init_script(f"""
            if (location.protocol.startsWith("http") && !sessionStorage.getItem("seeded")) {{
                localStorage.setItem({json.dumps(STORE)}, {json.dumps(state)})
                sessionStorage.setItem("seeded", "1")
            }}
        """)
    return page


def new_ids(page) -> set[str]:
    return set(page.locator("li.rl-entry--new").evaluate_all("els => els.map(e => e.dataset.id)"))


def test_new_since_last_visit_marks_clear_on_request(browser, fixture_site):
    url, _ = fixture_site
    page = visiting_page(browser)
    page.goto(url + "topics/long-context/")
    bar = page.locator(".rl-visits")
    bar.wait_for(state="visible")
    assert new_ids(page) == NEW_IDS
    assert page.locator(".rl-visits__summary").inner_text() == f"{len(NEW_IDS)} new since Monday"
    assert page.locator(".rl-new-badge:visible").count() == len(NEW_IDS)
    assert page.locator("li.rl-entry--new .rl-new-badge:visible").count() == len(NEW_IDS)
    # The year page and the home page mark the same papers; home lists them twice, counts once.
    page.goto(url + "dates/2025/")
    assert new_ids(page) == NEW_IDS
    page.goto(url)
    assert new_ids(page) == NEW_IDS
    assert page.locator(".rl-visits__summary").inner_text() == f"{len(NEW_IDS)} new since Monday"
    # Clear with the keyboard.
    clear = page.get_by_role("button", name="Clear new marks")
    clear.focus()
    page.keyboard.press("Enter")
    assert new_ids(page) == set()
    assert page.locator(".rl-visits__status").inner_text() == "New marks cleared"
    assert not clear.is_visible()
    page.reload()
    page.locator(".rl-visits").wait_for(state="visible")
    assert new_ids(page) == set()
    assert page.locator(".rl-visits__summary").inner_text() == "Nothing new here since earlier today"
    assert page.errors == []
    page.context.close()


def test_first_visit_marks_nothing_and_javascript_off_is_unmarked(browser, fixture_site):
    url, _ = fixture_site
    page = visiting_page(browser, earlier_visit=False)
    page.goto(url + "topics/long-context/")
    page.locator(".rl-visits").wait_for(state="visible")
    assert new_ids(page) == set()
    assert "next visit" in page.locator(".rl-visits__summary").inner_text()
    page.context.close()
    page = visiting_page(browser, javascript=False)
    page.goto(url + "topics/long-context/")
    assert page.locator(".rl-entry").count() == len(FIXTURE_PAPERS)
    assert not page.locator(".rl-visits").is_visible()
    assert page.locator(".rl-new-badge, .rl-read").count() == 0
    page.context.close()


def test_read_marks_survive_a_reload_and_follow_instant_navigation(browser, fixture_site):
    url, _ = fixture_site
    page = visiting_page(browser)
    page.goto(url + "topics/long-context/")
    page.locator(".rl-visits").wait_for(state="visible")
    title = PLAIN_TITLE
    button = page.get_by_role("button", name=f"Read: {title}")
    assert button.get_attribute("aria-pressed") == "false"
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    assert len(new_ids(page)) == len(NEW_IDS) - 1  # a read paper is no longer new
    assert page.locator(".rl-visits__status").inner_text() == f"Marked as read: {title}"
    page.reload()
    page.locator(".rl-visits").wait_for(state="visible")
    assert page.get_by_role("button", name=f"Read: {title}").get_attribute("aria-pressed") == "true"
    assert page.locator("li.rl-entry--read .rl-entry__title").all_inner_texts() == [title]
    # Hide read papers: the entry goes, the others stay.
    page.get_by_role("button", name="Hide read papers").click()
    visible = page.locator("li.rl-entry:visible .rl-entry__title").all_inner_texts()
    assert title not in visible and len(visible) == len(FIXTURE_PAPERS) - 1
    # Instant navigation (Material swaps the page without reloading): the home page is marked too.
    page.evaluate("() => { window.__same_document = true }")
    page.locator(".md-tabs__link", has_text="Home").click()
    page.wait_for_url(url)
    page.locator("h2#latest").wait_for()  # the home page's content is in (the address changes first)
    page.locator(".rl-visits").wait_for(state="visible")
    assert page.evaluate("window.__same_document") is True
    assert page.locator("li.rl-entry--read:visible").count() == 0
    assert page.locator("li.rl-entry--read").count() >= 1
    assert page.get_by_role("button", name="Hide read papers").get_attribute("aria-pressed") == "true"
    assert page.errors == []
    page.context.close()


def test_a_paper_page_shares_the_read_mark_with_the_lists(browser, fixture_site):
    url, urls = fixture_site
    page = visiting_page(browser)
    page.goto(url + "topics/long-context/")
    page.get_by_role("button", name=f"Read: {PLAIN_TITLE}").click()
    page.get_by_role("link", name=PLAIN_TITLE).click()  # instant navigation to the paper
    page.wait_for_url(url + urls[PLAIN_TITLE])
    # The address changes before Material swaps the content in: until then "Read: ..." is still
    # the list's button, and a key pressed on it would be lost with it.
    page.locator("h1.rl-paper__title", has_text=PLAIN_TITLE).wait_for()
    toggle = page.get_by_role("button", name=f"Read: {PLAIN_TITLE}")
    assert toggle.get_attribute("aria-pressed") == "true"
    toggle.focus()
    page.keyboard.press("Space")
    assert toggle.get_attribute("aria-pressed") == "false"
    page.goto(url + "topics/long-context/")
    page.locator(".rl-visits").wait_for(state="visible")
    assert page.locator("li.rl-entry--read").count() == 0
    assert PLAIN_TITLE.lower().replace(" ", "-") in " ".join(new_ids(page))  # unread again, so new again
    assert page.errors == []
    page.context.close()


# --------------------------------------------------------------------------------------------
# Screenshots: look at them


#: The widths the screenshots are taken at: (name, width, height).
SIZES = (("desktop", 1280, 900), ("phone", 390, 844))


@pytest.mark.parametrize("scheme", SCHEMES)
def test_screenshots_in_both_schemes(browser, built_site, real_url, fixture_site, scheme):
    """Each page is loaded once per scheme and shot at each width (the viewport resized: the
    layout follows, a fresh load per width would cost a second load of every page)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    url, urls = fixture_site
    _, width, height = SIZES[0]
    page = visiting_page(browser, scheme=scheme, width=width, height=height)
    page.goto(url + "topics/long-context/")
    page.locator(".rl-visits").wait_for(state="visible")
    page.get_by_role("button", name=f"Read: {FIXTURE_PAPERS[2][0]}").click()
    shots = {"new-since": url + "topics/long-context/", "math": url + urls[MATH_TITLE],
             "home": real_url, "paper": real_url + five_pages(built_site)["paper"]}
    for label, target in shots.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto(target)  # waits for "load": every image, style and script is in
        set_scheme(page, scheme)
        for name, w, h in SIZES:
            page.set_viewport_size({"width": w, "height": h})
            assert page.evaluate("window.innerWidth") == w
            path = ARTIFACTS / f"reading-{label}-{name}-{scheme}.jpg"
            page.screenshot(path=str(path), full_page=True, quality=85)  # JPEG: encoded in about half a PNG's time
            assert path.stat().st_size > 10_000
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (label, name)
            if label == "new-since":  # the marks themselves (badges, pressed buttons) pass axe too
                assert page.locator(".rl-new-badge:visible").count() > 0
                assert [v["id"] for v in axe(page) if v["impact"] in ("serious", "critical")] == []
    assert page.errors == []
    page.context.close()
