"""Date pages: ``dates/`` lists the years with counts, ``dates/<yyyy>/`` that year's papers
grouped by month, newest first (sortable by upvotes; split into pages when long)."""

from __future__ import annotations

from functools import partial

from ..orderings import by_year
from ..render import render
from .build import Build, GeneratedPage, index_meta
from .listing import listing


def generate(build: Build) -> list[GeneratedPage]:
    years = by_year(build.papers)
    counts = [(y, len(ps)) for y, ps in years.items()]
    pages = [GeneratedPage("dates/index.md", meta=index_meta("Archive"), in_nav_ok=True,
                           body=partial(render, "dates_index.html", "dates/", years=counts, total=len(build.papers)),
                           key=(counts, len(build.papers)))]
    for year, papers in years.items():
        pages += listing(build, f"dates/{year}/", papers, heading=f"Papers of {year}", title=f"Papers of {year}",
                         links=(("all years", "dates/", ""),), by_month=True, upvoted=build.upvoted[1][year])
    return pages
