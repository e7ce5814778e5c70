"""The generated files of the site, one module per family: paper pages, the home page, topic
pages, date pages, feeds and exports. Each module's ``generate(build)`` returns
``GeneratedPage`` objects; nothing here knows about MkDocs (the hook turns them into files).

``Build`` holds what several families share (citation keys, related papers, papers by topic),
each computed at most once per build.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property

from markupsafe import escape

from ..catalog import Catalog
from ..model import Paper
from ..taxonomy import Taxonomy, Topic


@dataclass(frozen=True)
class Site:
    """What the pages need to know about the site itself."""

    name: str
    description: str
    url: str = ""
    """The site's absolute base URL with a trailing slash (MkDocs' ``site_url``)."""

    def absolute(self, path: str) -> str:
        return (self.url.rstrip("/") + "/" if self.url else "/") + path


@dataclass(frozen=True)
class GeneratedPage:
    src_uri: str
    """Where MkDocs sees the file, e.g. ``topics/long-context.md`` or ``feed.xml``."""
    content: str
    """Markdown source (YAML front matter and an HTML body), or the file's full text."""
    in_nav_ok: bool = False
    """Whether the page may be listed in the navigation (index pages; never papers)."""


@dataclass
class Build:
    """One build's inputs and the derived data the page families share."""

    catalog: Catalog
    taxonomy: Taxonomy
    site: Site
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds spent per stage, for scripts/bench.py."""

    @property
    def papers(self) -> list[Paper]:
        return self.catalog.papers

    @cached_property
    def topics(self) -> dict[str, Topic]:
        return {t.id: t for t in self.taxonomy.topics}

    @cached_property
    def by_topic(self) -> dict[str, list[Paper]]:
        """Each topic id's papers, newest first. One pass over the papers."""
        groups: dict[str, list[Paper]] = {t.id: [] for t in self.taxonomy.topics}
        for paper in self.papers:
            for topic in paper.topics:
                groups[topic].append(paper)
        return groups

    @cached_property
    def citation_keys(self) -> dict[str, str]:
        from ..bibtex import citation_keys

        return citation_keys(self.papers)

    @cached_property
    def related(self) -> dict[str, list[Paper]]:
        from ..related import related_papers

        start = time.perf_counter()
        result = related_papers(self.papers)
        self.timings["related"] = time.perf_counter() - start
        return result


def index_meta(title: str | None, **extra) -> dict:
    """Front matter of an index page. Index pages stay out of search so that results point
    at the papers themselves. Material prints meta titles unescaped, hence the escape; with
    no title (the home page) the browser tab shows the site name alone."""
    meta = {"title": str(escape(title))} if title else {}
    return {**meta, "search": {"exclude": True}, "hide": ["navigation", "toc"], **extra}


def generate_all(build: Build) -> list[GeneratedPage]:
    """Every generated file of the site, timing each family in ``build.timings``."""
    from . import dates, exports, feeds, home, papers, topics

    pages: list[GeneratedPage] = []
    for module in (papers, home, topics, dates, feeds, exports):
        start = time.perf_counter()
        pages += module.generate(build)
        name = module.__name__.rsplit(".", 1)[-1]
        build.timings[name] = time.perf_counter() - start - (build.timings.get("related", 0) if name == "papers" else 0)
    return pages
