"""The home page: what the list is, latest additions, most upvoted, topics with counts."""

from __future__ import annotations

from ..render import page_source, render
from . import Build, GeneratedPage, index_meta

LATEST = 10
UPVOTED = 10


def latest(papers, count):
    """Latest additions: by ``added``, then ``published``, newest first (also the feeds' order)."""
    return sorted(papers, key=lambda p: (-p.added.toordinal(), -p.published.toordinal(), p.title.casefold(), p.path))[:count]


def generate(build: Build) -> list[GeneratedPage]:
    papers = build.papers
    upvoted = sorted((p for p in papers if p.upvotes), key=lambda p: (-(p.upvotes or 0), -p.published.toordinal(), p.title.casefold()))
    years = [p.published.year for p in papers] or [0]
    html = render("home.html", "", papers=papers, latest=latest(papers, LATEST), upvoted=upvoted[:UPVOTED],
                  topic_counts=[(t, len(build.by_topic[t.id])) for t in build.taxonomy.topics], topics=build.topics,
                  site_name=build.site.name, site_description=build.site.description,
                  first_year=min(years), last_year=max(years))
    return [GeneratedPage("index.md", page_source(index_meta(None), html), in_nav_ok=True)]
