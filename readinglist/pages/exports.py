"""Data exports: ``papers.json`` (every paper's metadata, ``{"version": 1, "papers": [...]}``),
``papers.bib`` with every paper and ``topics/<id>/papers.bib`` per topic."""

from __future__ import annotations

import json

from ..bibtex import bibliography
from ..model import Paper
from .build import Build, GeneratedPage

VERSION = 1


def paper_record(paper: Paper, build: Build) -> dict:
    """One paper in ``papers.json``: every front-matter field, with absolute URLs added."""
    return {
        "id": paper.path.removesuffix(".md"),
        "url": build.site.absolute(paper.url),
        "title": paper.title,
        "published": paper.published.isoformat(),
        "added": paper.added.isoformat(),
        "authors": list(paper.authors),
        "author_count": paper.n_authors,
        "upvotes": paper.upvotes or 0,
        "arxiv": paper.arxiv,
        "links": dict(paper.links),
        "topics": list(paper.topics),
        "note": paper.note,
        "withdrawn": paper.withdrawn.isoformat() if paper.withdrawn else None,
        "abstract": paper.abstract,
        "bibtex_key": build.citation_keys[paper.path],
    }


def generate(build: Build) -> list[GeneratedPage]:
    data = {"version": VERSION, "papers": [paper_record(p, build) for p in build.papers]}
    # ensure_ascii keeps the file plain ASCII and "<", ">", "&" are escaped so the JSON is
    # also safe to inline in HTML.
    text = json.dumps(data, ensure_ascii=True, indent=1).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    urls = {p.path: build.site.absolute(p.url) for p in build.papers}
    files = [GeneratedPage("papers.json", content=text + "\n"),
             GeneratedPage("papers.bib", content=bibliography(build.papers, build.citation_keys, urls))]
    for topic in build.taxonomy.topics:
        files.append(GeneratedPage(f"{topic.url}papers.bib", content=bibliography(build.by_topic[topic.id], build.citation_keys, urls)))
    return files
