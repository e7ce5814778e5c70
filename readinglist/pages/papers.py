"""One page per paper, at ``papers/<yyyy>/<slug>/``: title, metadata line, links, curator's
note and abstract."""

from __future__ import annotations

from markupsafe import escape

from ..catalog import Catalog
from ..model import Paper
from ..render import first_sentence, page_source, plain, render
from ..taxonomy import Taxonomy
from . import GeneratedPage, Site


def page_meta(paper: Paper) -> dict:
    # Material prints meta.title and meta.description into <title>, the header and <meta>
    # without escaping them, so they are escaped here, once, as plain text.
    return {
        "title": str(escape(plain(paper.title))),
        "description": str(escape(plain(first_sentence(paper.abstract, limit=200)))),
        "hide": ["navigation", "toc"],
    }


def generate(catalog: Catalog, taxonomy: Taxonomy, site: Site) -> list[GeneratedPage]:
    topics = {t.id: t for t in taxonomy.topics}
    return [
        GeneratedPage(paper.src_uri, page_source(page_meta(paper), render("paper.html", paper.url, paper=paper, topics=topics)))
        for paper in catalog.papers
    ]
