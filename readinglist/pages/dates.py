"""Date pages: ``dates/`` lists the years with counts, ``dates/<yyyy>/`` that year's papers
grouped by month, newest first (sortable by upvotes)."""

from __future__ import annotations

from collections import defaultdict

from ..model import Paper
from ..render import MONTHS, page_source, render
from . import Build, GeneratedPage, index_meta


def papers_by_year(papers: list[Paper]) -> dict[int, list[Paper]]:
    """Years, newest first, each with its papers in catalog order (newest first)."""
    years: dict[int, list[Paper]] = defaultdict(list)
    for paper in papers:
        years[paper.published.year].append(paper)
    return dict(sorted(years.items(), reverse=True))


def generate(build: Build) -> list[GeneratedPage]:
    years = papers_by_year(build.papers)
    index = render("dates_index.html", "dates/", years=[(y, len(ps)) for y, ps in years.items()], total=len(build.papers))
    pages = [GeneratedPage("dates/index.md", page_source(index_meta("Archive"), index), in_nav_ok=True)]
    for year, papers in years.items():
        months: dict[int, list[Paper]] = defaultdict(list)
        for paper in papers:
            months[paper.published.month].append(paper)
        html = render("year.html", f"dates/{year}/", year=year, papers=papers, topics=build.topics,
                      months=[(MONTHS[m - 1], ps) for m, ps in months.items()])
        pages.append(GeneratedPage(f"dates/{year}.md", page_source(index_meta(f"Papers of {year}"), html)))
    return pages
