"""Topic pages: ``topics/`` lists every topic with its description and count, and
``topics/<id>/`` lists the topic's papers, newest first."""

from __future__ import annotations

from ..catalog import Catalog
from ..model import Paper
from ..render import page_source, render
from ..taxonomy import Taxonomy, Topic
from . import GeneratedPage, Site, index_meta


def papers_by_topic(catalog: Catalog, taxonomy: Taxonomy) -> dict[str, list[Paper]]:
    """Each topic id's papers, in catalog order (newest first). One pass over the papers."""
    groups: dict[str, list[Paper]] = {t.id: [] for t in taxonomy.topics}
    for paper in catalog.papers:
        for topic in paper.topics:
            groups[topic].append(paper)
    return groups


def topic_counts(catalog: Catalog, taxonomy: Taxonomy) -> list[tuple[Topic, int]]:
    groups = papers_by_topic(catalog, taxonomy)
    return [(topic, len(groups[topic.id])) for topic in taxonomy.topics]


def generate(catalog: Catalog, taxonomy: Taxonomy, site: Site) -> list[GeneratedPage]:
    groups = papers_by_topic(catalog, taxonomy)
    topics = {t.id: t for t in taxonomy.topics}
    index = render("topics_index.html", "topics/", topic_counts=[(t, len(groups[t.id])) for t in taxonomy.topics],
                   total=len(catalog.papers))
    pages = [GeneratedPage("topics/index.md", page_source(index_meta("Topics"), index), in_nav_ok=True)]
    for topic in taxonomy.topics:
        html = render("topic.html", topic.url, topic=topic, papers=groups[topic.id], topics=topics)
        pages.append(GeneratedPage(f"topics/{topic.id}.md", page_source(index_meta(topic.name), html)))
    return pages
