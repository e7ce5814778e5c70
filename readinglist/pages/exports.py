"""Data exports: ``papers.json`` (every paper's metadata, ``{"version": 1, "papers": [...]}``),
``papers.bib`` with every paper and ``topics/<id>/papers.bib`` per topic."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial

from ..bibtex import entry as bibtex_entry
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


def _safe_json(data: object) -> str:
    # ensure_ascii keeps the file plain ASCII and "<", ">", "&" are escaped so the JSON is
    # also safe to inline in HTML.
    return json.dumps(data, ensure_ascii=True, indent=1).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def papers_json(build: Build) -> str:
    """``{"version": 1, "papers": [...]}``, indented by one space. Each paper's record is
    dumped on its own (and kept across preview rebuilds), then indented into place: the
    same text as dumping the whole at once."""
    if not build.papers:
        return _safe_json({"version": VERSION, "papers": []}) + "\n"
    records = ",\n".join(build.fragment("json", paper, lambda p: "  " + _safe_json(paper_record(p, build)).replace("\n", "\n  "))
                         for paper in build.papers)
    return f'{{\n "version": {VERSION},\n "papers": [\n{records}\n ]\n}}\n'


def bib(build: Build, papers: list[Paper]) -> str:
    """The BibTeX entries of ``papers`` (each kept across preview rebuilds)."""
    keys = build.citation_keys
    return "\n".join(build.fragment("bib", p, lambda p: bibtex_entry(p, keys[p.path], build.site.absolute(p.url))) for p in papers)


def _papers_of(build: Build) -> dict[str, list[Paper]]:
    """Each export file and the papers it holds."""
    made = {"papers.json": build.papers, "papers.bib": build.papers}
    for topic in build.taxonomy.topics:
        made[f"{topic.url}papers.bib"] = build.by_topic[topic.id]
    return made


def jobs(build: Build) -> dict[str, Callable[[], str]]:
    """Each export file's text, as a job (for a worker process: ``Build.start_background``)."""
    return {name: partial(papers_json, build) if name == "papers.json" else partial(bib, build, papers)
            for name, papers in _papers_of(build).items()}


def generate(build: Build) -> list[GeneratedPage]:
    if build.background is not None:  # texts computed by the worker, asked for when MkDocs writes the files
        return [GeneratedPage(name, later=partial(build.background.result, name)) for name in jobs(build)]
    keys, made = build.citation_keys, jobs(build)
    # A file's key: its papers and their citation keys (the site URL is a shared input).
    return [build.text(name, (paper_ids(papers), tuple(keys[p.path] for p in papers)), made[name])
            for name, papers in _papers_of(build).items()]
