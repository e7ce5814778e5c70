"""The home page: what the list is, latest additions, most upvoted, topics with counts."""

from __future__ import annotations

from ..orderings import by_upvotes, latest
from ..render import render
from .build import Build, GeneratedPage, index_meta

LATEST = 10
UPVOTED = 10


def _body(build: Build) -> str:
    papers = build.papers
    upvoted = by_upvotes([p for p in papers if p.upvotes])
    years = [p.published.year for p in papers] or [0]
    return render("home.html", "", papers=papers, latest=[build.entry(p, "") for p in latest(papers, LATEST)],
                  upvoted=[build.entry(p, "") for p in upvoted[:UPVOTED]],
                  topic_counts=[(t, len(build.by_topic[t.id])) for t in build.taxonomy.topics],
                  site_name=build.site.name, latest_added=build.latest_added, site_description=build.site.description,
                  first_year=min(years), last_year=max(years), status=build.facts.summary() if build.facts else None)


def generate(build: Build) -> list[GeneratedPage]:
    return [GeneratedPage("index.md", meta=index_meta(None), body=lambda: _body(build), in_nav_ok=True)]
