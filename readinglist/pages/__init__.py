"""The generated files of the site, one module per family: paper pages, the home page, topic
pages, date pages, feeds, exports, the status export and the search page (``search`` also makes
the Pagefind records). Each module's ``generate(build)`` returns ``GeneratedPage`` objects;
nothing here knows about MkDocs (the hook turns them into files). What the families share
(``Build``, ``Site``, ``GeneratedPage``) lives in ``build``.
"""

from __future__ import annotations

import time
from dataclasses import replace

from . import dates, exports, feeds, home, papers, search, status, topics
from .build import Build, GeneratedPage, Site, index_meta

__all__ = ["Build", "GeneratedPage", "Site", "generate_all", "index_meta"]

#: The families in the order their files are made, with the stage each is timed under
#: (status.json is a small data export: timed with the exports).
FAMILIES = ((papers, "papers"), (home, "home"), (topics, "topics"), (dates, "dates"), (feeds, "feeds"),
            (exports, "exports"), (status, "exports"), (search, "search"))


def generate_all(build: Build) -> list[GeneratedPage]:
    """Every generated file of the site. When ``build.timings`` is a dict, the seconds spent
    in each family (making its files, then rendering its page bodies when MkDocs asks) are
    added to it; otherwise nothing is timed."""
    timings = build.timings
    if timings is None:
        return [page for module, _ in FAMILIES for page in module.generate(build)]
    pages: list[GeneratedPage] = []
    for module, name in FAMILIES:
        start = time.perf_counter()
        made = module.generate(build)
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - start
        # Page bodies render later, when MkDocs renders each page: time them to the same stage.
        pages += [replace(p, body=build.timed(name, p.body), tail=p.tail and build.timed(name, p.tail)) if p.body else p
                  for p in made]
    return pages
