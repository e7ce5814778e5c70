"""Date pages: ``dates/`` lists the years with counts, ``dates/<yyyy>/`` that year's papers
grouped by month, newest first."""

from __future__ import annotations

from collections import defaultdict

from ..catalog import Catalog
from ..model import Paper
from ..render import MONTHS, page_source, render
from ..taxonomy import Taxonomy
from . import GeneratedPage, Site, index_meta


def papers_by_year(catalog: Catalog) -> dict[int, list[Paper]]:
    """Years, newest first, each with its papers in catalog order (newest first)."""
    years: dict[int, list[Paper]] = defaultdict(list)
    for paper in catalog.papers:
        years[paper.published.year].append(paper)
    return dict(sorted(years.items(), reverse=True))


def generate(catalog: Catalog, taxonomy: Taxonomy, site: Site) -> list[GeneratedPage]:
    topics = {t.id: t for t in taxonomy.topics}
    years = papers_by_year(catalog)
    index = render("dates_index.html", "dates/", years=[(y, len(ps)) for y, ps in years.items()],
                   total=len(catalog.papers))
    pages = [GeneratedPage("dates/index.md", page_source(index_meta("Archive"), index), in_nav_ok=True)]
    for year, papers in years.items():
        months: dict[int, list[Paper]] = defaultdict(list)
        for paper in papers:
            months[paper.published.month].append(paper)
        html = render("year.html", f"dates/{year}/", year=year, count=len(papers), topics=topics,
                      months=[(MONTHS[m - 1], ps) for m, ps in months.items()])
        pages.append(GeneratedPage(f"dates/{year}.md", page_source(index_meta(f"Papers of {year}"), html)))
    return pages
