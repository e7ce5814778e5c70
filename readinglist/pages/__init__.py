"""The generated files of the site, one module per family: paper pages, the home page, topic
pages, date pages, feeds, exports, the status export and the search page (``search`` also makes
the Pagefind records). Each module's ``generate(build)`` returns ``GeneratedPage`` objects;
nothing here knows about MkDocs (the hook turns them into files). What the families share
(``Build``, ``Site``, ``GeneratedPage``) lives in ``build``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial

from . import dates, exports, feeds, home, papers, search, status, topics
from .build import Build, GeneratedPage, Site, index_meta

__all__ = ["Build", "GeneratedPage", "Site", "generate_all", "index_meta"]

#: The families in the order their files are made, with the stage each is timed under
#: (status.json is a small data export: timed with the exports).
FAMILIES = ((papers, "papers"), (home, "home"), (topics, "topics"), (dates, "dates"), (feeds, "feeds"),
            (exports, "exports"), (status, "exports"), (search, "search"))


#: The families whose page bodies a one-off build's worker renders (``Build.background``): list
#: pages, which MkDocs reads only after every paper page (it reads the files in order).
LATE = (home, topics, dates)


def late_bodies(build: Build) -> dict[str, Callable[[], str]]:
    """The list pages' bodies (``LATE``) by source URI, each with what renders it."""
    return {page.src_uri: page.body for module in LATE for page in module.generate(build) if page.body is not None}


def late_files(build: Build) -> dict[str, Callable[[], str]]:
    """The feed and export files by name, each with what makes its text: needed only when
    MkDocs copies files, and made from the catalog alone (a worker may make them)."""
    return {**feeds.files(build), **exports.files(build)}


def worker_jobs(build: Build) -> dict[str, Callable[[], object]]:
    """What a one-off build's worker (``readinglist.worker.Background``) computes for ``build``,
    in the order the build needs it: the list pages' bodies (``late_bodies``: MkDocs reads those
    pages after every paper page), the texts of the feed and export files (``late_files``: before
    MkDocs copies them), the related papers as paths (when the paper pages are themed)."""
    plain = replace(build, background=None, timings=None, memory=None)  # the worker's own: it computes everything itself

    def bodies() -> dict[str, str]:
        return {name: render() for name, render in late_bodies(plain).items()}

    def files() -> dict[str, str]:
        return {name: make() for name, make in late_files(plain).items()}

    def related() -> dict[str, list[str]]:
        return {path: [other.path for other in others] for path, others in plain.related.items()}
    return {"bodies": bodies, "files": files, "related": related}


def generate_all(build: Build) -> list[GeneratedPage]:
    """Every generated file of the site. When ``build.timings`` is a dict, the seconds spent
    in each family (making its files, then rendering its page bodies when MkDocs asks) are
    added to it; otherwise nothing is timed."""
    timings = build.timings
    pages: list[GeneratedPage] = []
    for module, name in FAMILIES:
        start = time.perf_counter()
        made = module.generate(build)
        if build.background is not None and module in LATE:  # rendered by the worker meanwhile
            made = [replace(p, body=partial(build.late, "bodies", p.src_uri)) if p.body is not None else p for p in made]
        if timings is None:
            pages += made
            continue
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - start
        # Page bodies render later, when MkDocs renders each page: time them to the same stage.
        pages += [replace(p, body=build.timed(name, p.body), tail=p.tail and build.timed(name, p.tail)) if p.body else p
                  for p in made]
    return pages
