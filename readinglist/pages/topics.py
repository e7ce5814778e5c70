"""Topic pages: ``topics/`` lists every topic with its description and count, and
``topics/<id>/`` lists the topic's papers, newest first (sortable by upvotes; split into
pages when long, see ``listing``)."""

from __future__ import annotations

from functools import partial

from ..render import render
from .build import Build, GeneratedPage, index_meta
from .listing import listing


def generate(build: Build) -> list[GeneratedPage]:
    groups = build.by_topic
    counts = [(t, len(groups[t.id])) for t in build.taxonomy.topics]
    pages = [GeneratedPage("topics/index.md", meta=index_meta("Topics"), in_nav_ok=True,
                           body=partial(render, "topics_index.html", "topics/", topic_counts=counts, total=len(build.papers)),
                           key=([(t.id, n) for t, n in counts], len(build.papers)))]
    for topic in build.taxonomy.topics:
        links = (("Atom feed", f"{topic.url}feed.xml", "feed"), ("BibTeX", f"{topic.url}papers.bib", "download"),
                 ("all topics", "topics/", ""))
        pages += listing(build, topic.url, groups[topic.id], heading=topic.name, title=topic.name, lead=topic.description,
                         links=links, meta={"feed": f"{topic.url}feed.xml", "feed_title": f"{topic.name}: latest papers"},
                         upvoted=build.upvoted[0][topic.id])
    return pages
