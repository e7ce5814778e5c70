"""Topic pages: ``topics/`` lists every topic with its description and count, and
``topics/<id>/`` lists the topic's papers, newest first (sortable by upvotes)."""

from __future__ import annotations

from ..render import page_source, render
from . import Build, GeneratedPage, index_meta


def generate(build: Build) -> list[GeneratedPage]:
    groups = build.by_topic
    index = render("topics_index.html", "topics/", topic_counts=[(t, len(groups[t.id])) for t in build.taxonomy.topics],
                   total=len(build.papers))
    pages = [GeneratedPage("topics/index.md", page_source(index_meta("Topics"), index), in_nav_ok=True)]
    for topic in build.taxonomy.topics:
        html = render("topic.html", topic.url, topic=topic, papers=groups[topic.id], topics=build.topics)
        meta = index_meta(topic.name, feed=f"{topic.url}feed.xml", feed_title=f"{topic.name}: latest papers")
        pages.append(GeneratedPage(f"topics/{topic.id}.md", page_source(meta, html)))
    return pages
