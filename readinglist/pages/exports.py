"""Data exports: ``papers.json`` (every paper's metadata, ``{"version": 1, "papers": [...]}``),
``papers.bib`` with every paper and ``topics/<id>/papers.bib`` per topic."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial

from ..bibtex import entry as bibtex_entry
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


def _safe_json(data: object) -> str:
    # ensure_ascii keeps the file plain ASCII and "<", ">", "&" are escaped so the JSON is
    # also safe to inline in HTML.
    return json.dumps(data, ensure_ascii=True, indent=1).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def papers_json(build: Build) -> str:
    """``{"version": 1, "papers": [...]}``, indented by one space. Each paper's record is
    dumped on its own (and kept across preview rebuilds), then indented into place: the same
    text as dumping the whole at once."""
    if not build.papers:
        return _safe_json({"version": VERSION, "papers": []}) + "\n"
    def record(paper: Paper, key: str) -> str:
        return "  " + _safe_json(paper_record(paper, build)).replace("\n", "\n  ")
    records = ",\n".join(build.rows("json", "papers.json", build.papers, record))
    return f'{{\n "version": {VERSION},\n "papers": [\n{records}\n ]\n}}\n'


def bib(build: Build, papers: list[Paper], name: str = "papers.bib") -> str:
    """The BibTeX entries of ``papers`` (each kept across preview rebuilds, ``Build.rows``,
    under the file's ``name``)."""
    def make(paper: Paper, key: str) -> str:
        return bibtex_entry(paper, key, build.site.absolute(paper.url))
    return "\n".join(build.rows("bib", name, papers, make))


def files(build: Build) -> dict[str, Callable[[], str]]:
    """Each export file's name and what makes its text."""
    made: dict[str, Callable[[], str]] = {"papers.json": partial(papers_json, build), "papers.bib": partial(bib, build, build.papers)}
    for topic in build.taxonomy.topics:
        made[f"{topic.url}papers.bib"] = partial(bib, build, build.by_topic[topic.id], f"{topic.url}papers.bib")
    return made


def generate(build: Build) -> list[GeneratedPage]:
    return build.plain_files(files(build))
