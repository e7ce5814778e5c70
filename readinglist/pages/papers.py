"""One page per paper, at ``papers/<yyyy>/<slug>/``: title, metadata line, link buttons,
curator's note, abstract, a BibTeX entry to copy and the related papers."""

from __future__ import annotations

from functools import partial

from markupsafe import escape

from ..bibtex import entry as bibtex_entry
from ..incremental import paper_ids
from ..model import Paper
from ..render import first_sentence, link_label, plain, render
from .build import Build, GeneratedPage

#: Authors named inline on a paper page; the rest are behind "and N more".
MOST_AUTHORS = 8


def page_meta(paper: Paper) -> dict:
    # Material prints meta.title and meta.description into <title>, the header and <meta>
    # without escaping them, so they are escaped here, once, as plain text.
    return {
        "title": str(escape(plain(paper.title))),
        "description": str(escape(plain(first_sentence(paper.abstract, limit=200)))),
        "hide": ["navigation", "toc"],
        "citation": citation_meta(paper),
    }


def citation_meta(paper: Paper) -> dict:
    """What the ``citation_*`` meta tags of the page say (Google Scholar's and Zotero's
    readers use them), as raw text: ``overrides/main.html`` escapes it."""
    links = dict(paper.links)
    pdf = f"https://arxiv.org/pdf/{paper.arxiv}" if paper.arxiv else links.get("pdf")
    return {
        "title": plain(paper.title),
        "authors": list(paper.authors),
        "date": paper.published.strftime("%Y/%m/%d"),
        "arxiv": paper.arxiv,
        "pdf": pdf,
    }


def buttons(paper: Paper) -> list[tuple[str, str, str]]:
    """``(label, url, kind)`` of the paper's link buttons: arXiv ones first, then its links."""
    result = []
    if paper.arxiv:
        result += [("arXiv", f"https://arxiv.org/abs/{paper.arxiv}", "arxiv"),
                   ("PDF", f"https://arxiv.org/pdf/{paper.arxiv}", "pdf"),
                   ("Hugging Face", f"https://huggingface.co/papers/{paper.arxiv}", "hf")]
    for kind, url in paper.links:
        if kind == "pdf" and paper.arxiv:
            continue
        result.append((link_label(kind), url, kind.split("-")[0]))
    return result


def _body(build: Build, paper: Paper) -> str:
    return render("paper.html", paper.url, paper=paper, topics=build.topics, buttons=buttons(paper),
                  most_authors=MOST_AUTHORS)


def _tail(build: Build, paper: Paper) -> str:
    bibtex = bibtex_entry(paper, build.citation_keys[paper.path], build.site.absolute(paper.url))
    return render("paper_tail.html", paper.url, paper=paper, bibtex=bibtex,
                  related=[build.entry(other, paper.url, compact=True) for other in build.related[paper.path]])


def generate(build: Build) -> list[GeneratedPage]:
    if build.background is not None:  # a one-off build: no keys; the worker computes the related papers meanwhile
        return [GeneratedPage(paper.src_uri, meta=page_meta(paper), body=partial(_body, build, paper), tail=partial(_tail, build, paper))
                for paper in build.papers]
    related, keys = build.related, build.citation_keys  # computed now, once, so their time is their own stage
    # A page's key: its paper (and file), its citation key, the related papers it lists.
    return [GeneratedPage(paper.src_uri, meta=build.per_paper("meta", paper, page_meta), body=partial(_body, build, paper),
                          tail=partial(_tail, build, paper),
                          key=(paper.path, paper, keys[paper.path], paper_ids(related[paper.path])))
            for paper in build.papers]
