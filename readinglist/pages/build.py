"""What every family of generated pages shares: the ``Site``, a ``GeneratedPage``, and the
``Build`` with the data several families derive from the catalog (citation keys, related
papers, papers by topic, list entries), each computed at most once per build.

Nothing here knows about MkDocs, and nothing here imports the families: they import it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import TYPE_CHECKING, TypeVar

from markupsafe import Markup, escape

from ..bibtex import base_key, citation_keys
from ..catalog import Catalog
from ..incremental import Memory
from ..model import Paper
from ..orderings import latest_key, most_upvoted_first
from ..render import render
from ..status import Facts
from ..taxonomy import Taxonomy, Topic

if TYPE_CHECKING:
    from ..worker import Background

T = TypeVar("T")
_MISSING = object()


def latest_fields(paper: Paper) -> tuple:
    """What ``orderings.latest_key`` reads besides the path."""
    return paper.added, paper.published, paper.title


def _citation_fields(paper: Paper) -> tuple:
    """What a citation key is made from besides the path (``bibtex.citation_keys``)."""
    return paper.title, paper.authors, paper.published, paper.added


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
    """A plain file's text when a worker process computes it meanwhile (``Build.background``):
    asked for before MkDocs writes the file (``on_env``); ``content`` is then empty."""
    key: object = None
    """Everything a page's output depends on besides the build's shared inputs (taxonomy,
    site, templates), compared with ``==`` to skip unchanged pages in the preview
    (``readinglist.incremental``); ``None``: unknown, always rebuilt. A plain file's key is
    its content."""


@dataclass
class Build:
    """One build's inputs and the derived data the page families share."""

    catalog: Catalog
    taxonomy: Taxonomy
    site: Site
    timings: dict[str, float] | None = None
    """Seconds spent per stage, for ``readinglist bench``; ``None`` (the default): not measured,
    and nothing is timed."""
    facts: Facts | None = None
    """The build's freshness facts (time, commit, last import) for the footer and status.json."""
    memory: Memory | None = None
    """Derived data of earlier builds of this process (``mkdocs serve``), reused when its inputs
    are unchanged; ``None`` in a one-off build."""
    background: Background | None = None
    """The worker computing related papers and the export and feed files of a one-off build
    (``readinglist.worker``); ``None``: computed here, when first needed."""
    _entries: dict[tuple[str, int, bool], Markup] = field(default_factory=dict, repr=False)

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
        """``render``, adding the seconds it takes to ``timings[stage]`` (``render`` itself when
        nothing is measured)."""
        timings = self.timings
        if timings is None:
            return render

        def run() -> str:
            start = time.perf_counter()
            try:
                return render()
            finally:
                timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start
        return run

    def per_paper(self, kind: str, paper: Paper, make: Callable[..., T], *inputs: Hashable) -> T:
        """``make(paper, *inputs)``, kept across preview rebuilds (``memory``) under the paper
        (its file and every field) and ``inputs``: what is derived from one paper is made again
        only when that paper changes. ``make`` may use nothing else but the build's shared
        inputs (taxonomy, site, templates), which drop everything kept when they change."""
        if self.memory is None:
            return make(paper, *inputs)
        derived = self.memory.derived
        slot = derived.get(paper.path)
        if slot is None or slot[0] is not paper:  # an unchanged file's paper is the same object
            if slot is None or slot[0] != paper:
                slot = (paper, {})
            slot = derived[paper.path] = (paper, slot[1])
        values = slot[1]
        key = (kind, *inputs)
        if (value := values.get(key, _MISSING)) is _MISSING:
            value = values[key] = make(paper, *inputs)
        return value  # type: ignore[return-value]

    def kept(self, name: str, inputs: Hashable, make: Callable[[], T]) -> T:
        """``make()``, kept across preview rebuilds (``memory``) under ``name`` and ``inputs``,
        which must hold everything ``make`` uses besides the build's shared inputs (taxonomy,
        site, templates). Papers enter ``inputs`` as ``identity``'s parts."""
        return make() if self.memory is None else self.memory.keep(name, inputs, make)

    def rows(self, kind: str, name: str, papers: list[Paper], make: Callable[[Paper, str], str]) -> list[str]:
        """``make(paper, its citation key)`` for each of ``papers``, in order (a paper's part of
        an export file). In the preview the rows are kept under ``name``: when the same paths
        are at the same places as last time, a row whose paper (the same object) and citation
        key are unchanged is the kept one, found without a hash; any other row is the paper's
        value of ``kind`` (``per_paper``: made once per paper, whatever file shows it)."""
        keys = self.citation_keys
        cited = [keys[p.path] for p in papers]
        if self.memory is None:
            return [make(p, k) for p, k in zip(papers, cited, strict=True)]
        paths = [p.path for p in papers]

        def made(paper: Paper, key: str) -> str:
            return self.per_paper(kind, paper, make, key)
        hit: tuple[tuple[list[Paper], list[str], list[str]], list[str]] | None = self.memory.kept.get(f"rows:{name}")  # type: ignore[assignment]
        if hit is not None and hit[0][1] == paths:
            (old_papers, _, old_keys), old_rows = hit
            rows = [row if old is paper and old_key == key else made(paper, key)
                    for old, paper, old_key, key, row in zip(old_papers, papers, old_keys, cited, old_rows, strict=True)]
        else:
            rows = [made(p, k) for p, k in zip(papers, cited, strict=True)]
        self.memory.kept[f"rows:{name}"] = ((list(papers), paths, cited), rows)
        return rows

    @cached_property
    def identity(self) -> tuple:
        """The list's papers and their paths, in order: ``==`` to an earlier build's when no
        paper changed (an unchanged file's paper is the same object: compared at C speed)."""
        return tuple(self.papers), tuple([p.path for p in self.papers])

    def kept_while(self, name: str, fields: Callable[[Paper], object], make: Callable[[], T]) -> T:
        """``make()``, kept across preview rebuilds under ``name`` while the list has the same
        paths in the same places and every paper that changed (another object) has the same
        ``fields`` as before: ``make`` may use only those fields and the paths (no paper object:
        an order is kept as positions). One pass comparing identities when nothing changed."""
        if self.memory is None:
            return make()
        papers, paths = self.identity
        hit = self.memory.kept.get(name)
        if (hit is not None and hit[0][1] == paths  # type: ignore[index]
                and all(old is new or fields(old) == fields(new) for old, new in zip(hit[0][0], papers, strict=True))):  # type: ignore[index]
            value: T = hit[1]  # type: ignore[assignment]
        else:
            value = make()
        self.memory.kept[name] = (self.identity, value)
        return value

    @cached_property
    def latest_order(self) -> list[Paper]:
        """Every paper in ``orderings.latest`` order (the feeds' and the home page's)."""
        papers = self.papers
        places = self.kept_while("latest", latest_fields, lambda: sorted(range(len(papers)), key=lambda i: latest_key(papers[i])))
        return [papers[i] for i in places]

    @cached_property
    def upvote_order(self) -> list[Paper]:
        """Every paper in ``orderings.by_upvotes`` order: the catalog's papers are newest first,
        its ties' order, so a stable sort by upvotes alone makes it (``by_upvotes`` sorts on the
        whole key: the same result, slower)."""
        papers = self.papers
        places = self.kept_while("upvotes", most_upvoted_first, lambda: sorted(range(len(papers)), key=lambda i: most_upvoted_first(papers[i])))
        return [papers[i] for i in places]

    @cached_property
    def upvoted(self) -> tuple[dict[str, list[Paper]], dict[int, list[Paper]]]:
        """Each topic's papers and each year's (of ``published``) in ``by_upvotes`` order, from
        one pass over ``upvote_order``: both orders are total, so filtering one sorts the part."""
        by_topic: dict[str, list[Paper]] = {t.id: [] for t in self.taxonomy.topics}
        by_year: dict[int, list[Paper]] = {}
        for paper in self.upvote_order:
            for topic in paper.topics:
                by_topic[topic].append(paper)
            by_year.setdefault(paper.published.year, []).append(paper)
        return by_topic, by_year

    def entry(self, paper: Paper, base: str, *, compact: bool = False) -> Markup:
        """A paper's entry in a list (title, metadata line and, unless ``compact``, the first
        sentence) for a page at ``base``. Rendered once per paper and page depth, then reused:
        a paper appears on its topic pages, its year page, the home page and in related lists."""
        key = (paper.path, base.count("/"), compact)
        html = self._entries.get(key)
        if html is None:
            template = "_entry_compact.html" if compact else "_entry.html"

            def make(paper: Paper, depth: int, compact: bool) -> Markup:  # relative links depend on the depth only
                return Markup(render(template, base, paper=paper, topics=self.topics))  # noqa: S704 - autoescaped template
            html = self._entries[key] = self.per_paper("entry", paper, make, base.count("/"), compact)
        return html

    @cached_property
    def latest_added(self) -> str:
        """The newest ``added`` date of the whole list (ISO), or ``""``: list pages carry it so
        that the browser can tell, at the next visit, which papers are new since this one."""
        return max(p.added for p in self.papers).isoformat() if self.papers else ""

    @cached_property
    def citation_keys(self) -> dict[str, str]:
        # The keys depend on each paper's base key (title, first author, year) and on the order
        # papers were added (added, published, path).
        return self.kept_while("citation_keys", _citation_fields,
                               lambda: citation_keys(self.papers, base_of=lambda paper: self.per_paper("base_key", paper, base_key)))

    @cached_property
    def related(self) -> dict[str, list[Paper]]:
        start = time.perf_counter()
        if self.background is not None:  # the worker's answer: paths, in the same order
            by_path = {p.path: p for p in self.papers}
            paths: dict[str, list[str]] = self.background.result("related")  # type: ignore[assignment]
            return {path: [by_path[q] for q in others] for path, others in paths.items()}
        # Imported here, after the worker's case: NumPy and SciPy take a third of a second to
        # import, which a build whose worker computed the related papers does not pay, and the
        # search indexer's child process (``python -m readinglist.pages.search``) never needs them.
        from ..related import Related, related_papers, update

        memory = self.memory
        if memory is None:
            result = related_papers(self.papers)
        else:  # the preview: only what the edited papers change is computed again
            previous = memory.related if isinstance(memory.related, Related) else None
            memory.related = state = update(previous, self.papers, terms_cache=memory.terms)
            result = state.related(self.papers)
        if self.timings is not None:
            # Counted apart from the stage that first asks for it (the paper pages).
            self.timings["related"] = elapsed = time.perf_counter() - start
            self.timings["papers"] = self.timings.get("papers", 0.0) - elapsed
        return result


    def plain_files(self, makers: dict[str, Callable[[], str]]) -> list[GeneratedPage]:
        """Plain files, their texts made now, or by the worker (``later``) if there is one."""
        if self.background is None:
            return [GeneratedPage(name, content=make()) for name, make in makers.items()]
        return [GeneratedPage(name, later=partial(self.late, "files", name)) for name in makers]

    def late(self, job: str, name: str) -> str:
        """The text ``name`` of the worker's job ``job`` (``readinglist.worker.start``)."""
        texts: dict[str, str] = self.background.result(job)  # type: ignore[union-attr, assignment]
        return texts[name]


def index_meta(title: str | None, **extra) -> dict:
    """Front matter of an index page. Index pages stay out of search so that results point
    at the papers themselves. Material prints meta titles unescaped, hence the escape; with
    no title (the home page) the browser tab shows the site name alone."""
    meta = {"title": str(escape(title))} if title else {}
    return {**meta, "search": {"exclude": True}, "hide": ["navigation", "toc"], **extra}
