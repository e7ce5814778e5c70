"""The home page: what the list is, latest additions, most upvoted, topics with counts."""

from __future__ import annotations

from ..catalog import Catalog
from ..render import page_source, render
from ..taxonomy import Taxonomy
from . import GeneratedPage, Site, index_meta
from .topics import topic_counts

LATEST = 10
UPVOTED = 10


def generate(catalog: Catalog, taxonomy: Taxonomy, site: Site) -> list[GeneratedPage]:
    papers = catalog.papers
    latest = sorted(papers, key=lambda p: (-p.added.toordinal(), -p.published.toordinal(), p.title.casefold()))[:LATEST]
    upvoted = sorted((p for p in papers if p.upvotes), key=lambda p: (-(p.upvotes or 0), -p.published.toordinal(), p.title.casefold()))[:UPVOTED]
    years = [p.published.year for p in papers] or [0]
    html = render("home.html", "", papers=papers, latest=latest, upvoted=upvoted,
                  topic_counts=topic_counts(catalog, taxonomy), topics={t.id: t for t in taxonomy.topics},
                  site_name=site.name, site_description=site.description,
                  first_year=min(years), last_year=max(years))
    return [GeneratedPage("index.md", page_source(index_meta("Home"), html), in_nav_ok=True)]
