"""Data exports: ``papers.json`` (every paper's metadata, ``{"version": 1, "papers": [...]}``),
``papers.bib`` with every paper and ``topics/<id>/papers.bib`` per topic."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial

from ..bibtex import bibliography
from ..incremental import paper_ids
from ..model import Paper
from . import Build, GeneratedPage

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
        "abstract": paper.abstract,
        "bibtex_key": build.citation_keys[paper.path],
    }


def papers_json(build: Build) -> str:
    data = {"version": VERSION, "papers": [paper_record(p, build) for p in build.papers]}
    # ensure_ascii keeps the file plain ASCII and "<", ">", "&" are escaped so the JSON is
    # also safe to inline in HTML.
    text = json.dumps(data, ensure_ascii=True, indent=1).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return text + "\n"


def jobs(build: Build) -> dict[str, Callable[[], str]]:
    """Each export file's text, as a job for a worker process (``Build.start_background``)."""
    def bib(papers: list[Paper]) -> str:
        return bibliography(papers, build.citation_keys, {p.path: build.site.absolute(p.url) for p in papers})

    made = {"papers.json": partial(papers_json, build), "papers.bib": partial(bib, build.papers)}
    for topic in build.taxonomy.topics:
        made[f"{topic.url}papers.bib"] = partial(bib, build.by_topic[topic.id])
    return made


def generate(build: Build) -> list[GeneratedPage]:
    if build.background is not None:  # texts computed by the worker, asked for when MkDocs writes the files
        return [GeneratedPage(name, later=partial(build.background.result, name)) for name in jobs(build)]
    keys = build.citation_keys
    urls = {p.path: build.site.absolute(p.url) for p in build.papers}

    def key(papers: list[Paper]) -> tuple:  # what a file of these papers holds (the site URL is a shared input)
        return paper_ids(papers), tuple(keys[p.path] for p in papers)

    everything = key(build.papers)
    files = [build.text("papers.json", everything, lambda: papers_json(build)),
             build.text("papers.bib", everything, lambda: bibliography(build.papers, keys, urls))]
    for topic in build.taxonomy.topics:
        papers = build.by_topic[topic.id]
        files.append(build.text(f"{topic.url}papers.bib", key(papers), lambda papers=papers: bibliography(papers, keys, urls)))
    return files
