"""The generated pages of the site, one module per family: paper pages, the home page, topic
pages and date pages. Each module's ``generate`` takes the loaded catalog and returns
``GeneratedPage`` objects; nothing here knows about MkDocs (the hook turns them into files)."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import escape

from ..catalog import Catalog
from ..taxonomy import Taxonomy


@dataclass(frozen=True)
class Site:
    """What the pages need to know about the site itself."""

    name: str
    description: str
    url: str = ""


@dataclass(frozen=True)
class GeneratedPage:
    src_uri: str
    """Where MkDocs sees the page, e.g. ``topics/long-context.md``."""
    content: str
    """Markdown source: YAML front matter and an HTML body."""
    in_nav_ok: bool = False
    """Whether the page may be listed in the navigation (index pages; never papers)."""


def index_meta(title: str) -> dict:
    """Front matter of an index page. Index pages stay out of search so that results point
    at the papers themselves. Material prints meta titles unescaped, hence the escape."""
    return {"title": str(escape(title)), "search": {"exclude": True}, "hide": ["navigation", "toc"]}


def generate_all(catalog: Catalog, taxonomy: Taxonomy, site: Site) -> list[GeneratedPage]:
    from . import dates, home, papers, topics

    return [
        *papers.generate(catalog, taxonomy, site),
        *home.generate(catalog, taxonomy, site),
        *topics.generate(catalog, taxonomy, site),
        *dates.generate(catalog, taxonomy, site),
    ]
