"""The home page: what the list is, latest additions, most upvoted, topics with counts."""

from __future__ import annotations

from functools import partial
from itertools import islice

from ..incremental import paper_ids
from ..model import Paper
from ..render import render
from ..taxonomy import Topic
from .build import Build, GeneratedPage, index_meta

LATEST = 10
UPVOTED = 10


def _body(build: Build, newest: list[Paper], upvoted: list[Paper], counts: list[tuple[Topic, int]], years: tuple[int, int]) -> str:
    return render("home.html", "", papers=build.papers, latest=[build.entry(p, "") for p in newest],
                  upvoted=[build.entry(p, "") for p in upvoted], topic_counts=counts,
                  site_name=build.site.name, latest_added=build.latest_added, site_description=build.site.description,
                  first_year=years[0], last_year=years[1], status=build.facts.summary() if build.facts else None)


def generate(build: Build) -> list[GeneratedPage]:
    papers = build.papers
    newest = build.latest_order[:LATEST]
    upvoted = list(islice((p for p in build.upvote_order if p.upvotes), UPVOTED))  # filtering keeps the order
    counts = [(t, len(build.by_topic[t.id])) for t in build.taxonomy.topics]
    published = [p.published.year for p in papers] or [0]
    years = (min(published), max(published))
    # Everything _body uses (home.html uses the papers' count only).
    key = (paper_ids(newest), paper_ids(upvoted), [(t.id, n) for t, n in counts], years, len(papers), build.latest_added,
           build.facts.summary() if build.facts else None)
    return [GeneratedPage("index.md", meta=index_meta(None), body=partial(_body, build, newest, upvoted, counts, years),
                          in_nav_ok=True, key=key)]
