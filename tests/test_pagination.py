"""Lists longer than 100 papers are split into pages: a site built from 250 synthetic papers
(one year, one topic holding all of them, another holding a few), checked through its HTML:
page URLs, page sizes, prev/next links, the upvote-sorted series and the links between the
two orders. Short lists stay one page."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from conftest import NO_SEARCH, copy_project, mkdocs_build_in_process, placed, write_papers
from readinglist.model import Paper
from sitecheck import check_list_invariants, front_matter, list_pages, page, resolve

N = 250
SMALL = 7  # papers also in "multilingual": a list that stays one page


def synthetic() -> list[Paper]:
    return placed(Paper(
        title=f"Synthetic Study Number {i} of Attention",
        published=dt.date(2024, 1, 1) + dt.timedelta(days=i % 300),
        added=dt.date(2025, 1, 1),
        topics=("surveys", "multilingual") if i < SMALL else ("surveys",),
        abstract=f"Abstract {i}.",
        author_count=1,
        upvotes=(i * 37) % 101,  # ties on purpose: order falls back to date, then title
    ) for i in range(N))


@pytest.fixture(scope="module")
def paginated(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("paginated") / "project", papers=None)
    write_papers(project, synthetic())
    result = mkdocs_build_in_process(project, env=NO_SEARCH)
    assert result.returncode == 0, result.stderr
    return project


def sort_buttons(site, url: str) -> list[tuple[str, str, bool]]:
    html = (site / url / "index.html").read_text()
    return [(label, resolve(url, href), bool(current))
            for href, current, label in re.findall(r'<a class="rl-sort__button" href="([^"]*)"( aria-current="page")?>([^<]*)</a>', html)]


def newest_first(entries):
    return [e.url for e in sorted(entries, key=lambda e: (-e.published.toordinal(), e.title.casefold()))]


@pytest.mark.parametrize("base", ["topics/surveys/", "dates/2024/"])
def test_long_lists_are_split_into_pages_of_100(paginated, base):
    site = paginated / "site"
    pages = list_pages(site, base)
    assert [url for url, _ in pages] == [base, f"{base}page/2/", f"{base}page/3/"]
    assert [len(p.entries) for _, p in pages] == [100, 100, 50]
    assert not (site / base / "page/4").exists()
    assert not (site / base / "page/1").exists()  # page 1 is the list's own URL
    shown = [resolve(url, h) for url, p in pages for h in p.entries]
    assert shown == newest_first(front_matter(paginated / "papers"))  # every paper once, in order across pages


@pytest.mark.parametrize("base", ["topics/surveys/", "dates/2024/"])
def test_prev_and_next_links(paginated, base):
    site = paginated / "site"
    first, second, third = (page(site, url) for url in (base, f"{base}page/2/", f"{base}page/3/"))
    assert "prev" not in first.rels
    assert resolve(base, first.rels["next"]) == f"{base}page/2/"
    assert resolve(f"{base}page/2/", second.rels["prev"]) == base
    assert resolve(f"{base}page/2/", second.rels["next"]) == f"{base}page/3/"
    assert resolve(f"{base}page/3/", third.rels["prev"]) == f"{base}page/2/"
    assert "next" not in third.rels
    html = (site / base / "page/2/index.html").read_text()
    assert re.search(r'rel="prev" href="[^"]*">← Newer</a>', html) and re.search(r'rel="next" href="[^"]*">Older →</a>', html)
    assert '<span class="rl-pager__link rl-pager__link--current" aria-current="page">2</span>' in html


@pytest.mark.parametrize("base", ["topics/surveys/", "dates/2024/"])
def test_the_upvote_series(paginated, base):
    site = paginated / "site"
    pages = list_pages(site, f"{base}upvotes/")
    assert [url for url, _ in pages] == [f"{base}upvotes/", f"{base}upvotes/page/2/", f"{base}upvotes/page/3/"]
    assert [len(p.entries) for _, p in pages] == [100, 100, 50]
    votes = [v for _, p in pages for v in p.upvotes]
    assert votes == sorted(votes, reverse=True)
    assert sorted(votes) == sorted((i * 37) % 101 for i in range(N))
    shown = [resolve(url, h) for url, p in pages for h in p.entries]
    assert sorted(shown) == sorted(newest_first(front_matter(paginated / "papers")))
    html = (site / base / "upvotes/page/2/index.html").read_text()
    assert re.search(r'rel="prev" href="[^"]*">← More upvoted</a>', html) and re.search(r'rel="next" href="[^"]*">Fewer upvotes →</a>', html)
    # Every page of both orders links to the first page of each, the current order marked.
    for url in (base, f"{base}page/3/", f"{base}upvotes/", f"{base}upvotes/page/2/"):
        current = "Upvotes" if "upvotes/" in url else "Date"
        assert sort_buttons(site, url) == [("Date", base, current == "Date"), ("Upvotes", f"{base}upvotes/", current == "Upvotes")]


def test_page_sizes_stay_small(paginated):
    site = paginated / "site"
    sizes = {p.relative_to(site).as_posix(): p.stat().st_size for p in (site / "topics").rglob("index.html")}
    assert max(sizes.values()) < 150_000, max(sizes.items(), key=lambda kv: kv[1])


def test_a_short_list_is_one_page_sorted_in_the_browser(paginated):
    site = paginated / "site"
    p = page(site, "topics/multilingual/")
    assert len(p.entries) == SMALL
    assert p.rels == {}
    assert not (site / "topics/multilingual/page").exists() and not (site / "topics/multilingual/upvotes").exists()
    assert 'data-sort="upvotes"' in (site / "topics/multilingual/index.html").read_text()


def test_the_paginated_site_meets_every_list_invariant(paginated):
    assert check_list_invariants(paginated / "papers", paginated / "site") == []
