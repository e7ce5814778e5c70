"""The generated files of the site, one module per family: paper pages, the home page, topic
pages, date pages, feeds and exports. Each module's ``generate(build)`` returns
``GeneratedPage`` objects; nothing here knows about MkDocs (the hook turns them into files).

``Build`` holds what several families share (citation keys, related papers, papers by topic),
each computed at most once per build.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property

from markupsafe import Markup, escape

from ..catalog import Catalog
from ..incremental import Memory
from ..model import Paper
from ..render import render
from ..taxonomy import Taxonomy, Topic
from ..worker import Background


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
    """A generated file: a page (front matter ``meta`` and a ``body`` renderer) or a plain
    file (``content``: a feed, an export)."""

    src_uri: str
    """Where MkDocs sees the file, e.g. ``topics/long-context.md`` or ``feed.xml``."""
    content: str = ""
    """A plain file's full text."""
    meta: dict | None = None
    """A page's metadata (title, description, search exclusion ...), as front matter would give."""
    body: Callable[[], str] | None = None
    """Renders a page's HTML body; called once, when MkDocs renders that page."""
    in_nav_ok: bool = False
    """Whether the page may be listed in the navigation (index pages; never papers)."""
    tail: Callable[[], str] | None = None
    """Renders HTML appended to the body after the search plugin has indexed the page
    (a paper's citation and related papers: not worth indexing, costly to parse)."""
    later: Callable[[], str] | None = None
    """A plain file's text, if it is computed meanwhile by a worker process (``Build.background``):
    asked for when MkDocs is about to write the file."""
    key: object = None
    """Everything the page's output depends on besides the build's shared inputs (taxonomy,
    site, templates), compared with ``==`` to skip unchanged pages in the preview
    (``readinglist.incremental``); ``None``: unknown, always rebuilt."""


@dataclass
class Build:
    """One build's inputs and the derived data the page families share."""

    catalog: Catalog
    taxonomy: Taxonomy
    site: Site
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds spent per stage, for scripts/bench.py."""
    memory: Memory | None = None
    """Derived data of earlier builds of this process (``mkdocs serve``), reused when its inputs
    are unchanged; ``None`` in a one-off build."""
    background: Background | None = None
    """The worker computing related papers and exports beside MkDocs (a one-off build)."""
    _entries: dict[tuple, Markup] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.memory is not None:
            self._entries = self.memory.entries

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

    def timed(self, stage: str, render: Callable[[], str]) -> Callable[[], str]:
        """``render``, adding the seconds it takes to ``timings[stage]``."""
        def run() -> str:
            start = time.perf_counter()
            try:
                return render()
            finally:
                self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - start
        return run

    def entry(self, paper: Paper, base: str, *, compact: bool = False) -> Markup:
        """A paper's entry in a list (title, metadata line and, unless ``compact``, the first
        sentence) for a page at ``base``. Rendered once per paper and page depth, then reused:
        a paper appears on its topic pages, its year page, the home page and in related lists."""
        key = (paper.path, paper, base.count("/"), compact)
        html = self._entries.get(key)
        if html is None:
            template = "_entry_compact.html" if compact else "_entry.html"
            html = self._entries[key] = Markup(render(template, base, paper=paper, topics=self.topics))  # noqa: S704 - autoescaped template
        return html

    def text(self, src_uri: str, key: object, make: Callable[[], str]) -> GeneratedPage:
        """A plain generated file whose text ``make()`` computes from what ``key`` holds:
        the text of an earlier build of this process is reused while its key is unchanged."""
        memory = self.memory
        if memory is not None and (kept := memory.contents.get(src_uri)) is not None and kept[0] == key:
            return GeneratedPage(src_uri, content=kept[1], key=key)
        text = make()
        if memory is not None:
            memory.contents[src_uri] = (key, text)
        return GeneratedPage(src_uri, content=text, key=key)

    def per_paper(self, kind: str, paper: Paper, make: Callable[[Paper], object]) -> object:
        """``make(paper)``, kept across preview rebuilds while the paper is unchanged."""
        if self.memory is None:
            return make(paper)
        key = (paper.path, paper, kind)
        if (value := self.memory.fragments.get(key)) is None:
            value = self.memory.fragments[key] = make(paper)
        return value

    @cached_property
    def upvote_rank(self) -> dict[str, int]:
        """Each paper's place when all are sorted by upvotes (then newest first): sorting any
        subset by it gives that subset's upvote order, with one sort per build."""
        from .listing import by_upvotes

        return {p.path: i for i, p in enumerate(by_upvotes(self.papers))}

    def fragment(self, kind: str, paper: Paper, make: Callable[[Paper], str]) -> str:
        """``make(paper)``: a paper's part of an export file (its BibTeX entry, its JSON
        record), kept across preview rebuilds under the paper and its citation key."""
        if self.memory is None:
            return make(paper)
        key = (paper.path, paper, kind, self.citation_keys[paper.path])
        if (text := self.memory.fragments.get(key)) is None:
            text = self.memory.fragments[key] = make(paper)
        return text

    def start_background(self) -> None:
        """Start computing, in a worker process, what needs only the catalog and is needed late:
        related papers (when paper pages are themed) and the export files (when written)."""
        from ..related import related_papers
        from . import exports

        def related() -> dict[str, list[str]]:
            return {path: [q.path for q in others] for path, others in related_papers(self.papers).items()}

        self.background = Background({"related": related, **exports.jobs(self)})

    @cached_property
    def citation_keys(self) -> dict[str, str]:
        from ..bibtex import citation_keys

        # A key is made of the first author, the year and the title, in order of addition.
        inputs = tuple((p.path, p.added, p.published, p.title, p.authors[:1]) for p in self.papers)
        if self.memory is not None and self.memory.citation_keys is not None and self.memory.citation_keys[0] == inputs:
            return self.memory.citation_keys[1]
        keys = citation_keys(self.papers)
        if self.memory is not None:
            self.memory.citation_keys = (inputs, keys)
        return keys

    @cached_property
    def related(self) -> dict[str, list[Paper]]:
        from ..related import related_papers

        start = time.perf_counter()
        inputs = tuple((p.path, p.title, p.abstract, p.topics) for p in self.papers)
        memory = self.memory
        if self.background is not None:
            by_path = {p.path: p for p in self.papers}
            result = {path: [by_path[q] for q in others] for path, others in self.background.result("related").items()}
        elif memory is not None and memory.related is not None and memory.related[0] == inputs:
            by_path = {p.path: p for p in self.papers}  # the same texts; other fields may have changed
            result = {path: [by_path[q] for q in others] for path, others in memory.related[1].items()}
        else:
            result = related_papers(self.papers, terms_cache=memory.terms if memory is not None else None)
            if memory is not None:
                memory.related = (inputs, {path: [q.path for q in others] for path, others in result.items()})
        # Counted apart from the stage that first asks for it; a worker's stages are its own seconds.
        elapsed = time.perf_counter() - start
        self.timings["papers"] = self.timings.get("papers", 0.0) - elapsed
        self.timings["related"] = elapsed if self.background is None else self.background.seconds.get("related", elapsed)
        if self.background is not None and self.background.seconds:
            self.timings["exports"] = sum(s for name, s in self.background.seconds.items() if name != "related")
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
        name = module.__name__.rsplit(".", 1)[-1]
        start = time.perf_counter()
        made = module.generate(build)
        build.timings[name] = build.timings.get(name, 0.0) + time.perf_counter() - start
        # Page bodies render later, when MkDocs renders each page: time them to the same stage
        # (not in the preview, where no one reads the timings and most bodies are never rendered).
        pages += made if build.memory is not None else [
            replace(p, body=build.timed(name, p.body), tail=p.tail and build.timed(name, p.tail)) if p.body else p for p in made]
    return pages
