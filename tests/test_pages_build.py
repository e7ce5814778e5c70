"""``generate_all`` times the page families only when asked."""

from __future__ import annotations

from conftest import FIXTURE_PAPERS, ROOT
from readinglist.catalog import load_catalog
from readinglist.pages import generate_all
from readinglist.pages.build import Build, Site
from readinglist.taxonomy import load_taxonomy


def make_build(timings):
    taxonomy = load_taxonomy(ROOT / "topics.yml")
    return Build(load_catalog(FIXTURE_PAPERS, taxonomy), taxonomy, Site("Test", "", "https://example.org/"), timings=timings)


def render_all(pages):
    return {p.src_uri: (p.body() if p.body else p.content) + (p.tail() if p.tail else "") for p in pages}


def test_nothing_is_timed_unless_asked():
    build = make_build(None)
    pages = generate_all(build)
    render_all(pages)
    assert build.timings is None
    assert any(p.src_uri.startswith("papers/") and p.body for p in pages)


def test_timed_build_counts_each_family_and_makes_the_same_pages():
    timed = make_build({})
    timed_pages = render_all(generate_all(timed))
    assert timed.timings is not None
    assert {"papers", "related", "home", "topics", "dates", "feeds", "exports", "search"} <= set(timed.timings)
    assert all(seconds >= 0 for seconds in timed.timings.values())
    assert timed_pages == render_all(generate_all(make_build(None)))
