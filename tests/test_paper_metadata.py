"""Authors, withdrawn papers and citation meta tags on the built site (issue 10), checked on a
tiny site built in a temporary folder, through an HTML parser, feedparser, json and
bibtexparser."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import bibtexparser
import feedparser
import pytest

from conftest import NO_SEARCH, copy_project, mkdocs_build_in_process

MANY = [f"Author{i} Surname{i}" for i in range(1, 12)] + ['Evil "><script>alert(1)</script> Name']
PAPERS = {
    "2025/a-withdrawn-paper-about-attention-heads.md": """---
title: A Withdrawn Paper About Attention Heads
published: 2025-05-15
authors: [Jintian Shao, Hongyi Huang]
arxiv: '2505.10222'
topics: [attention-heads]
added: 2025-06-01
withdrawn: 2025-05-27
---

Attention heads, withdrawn.
""",
    "2024/a-paper-with-many-authors-about-attention-heads.md": "---\n"
    "title: A Paper With Many Authors About Attention Heads\npublished: 2024-03-01\n"
    f"authors: {json.dumps(MANY)}\narxiv: '2403.00001'\ntopics: [attention-heads]\nadded: 2024-03-05\n---\n\n"
    "Many authors wrote about attention heads.\n",
    "2024/a-paper-without-arxiv-about-attention-heads.md": """---
title: A Paper Without arXiv About Attention Heads
published: 2024-02-01
author_count: 3
links:
  pdf: https://example.org/paper.pdf?a=1&b="2"
topics: [attention-heads]
added: 2024-02-03
---

No arXiv id here.
""",
}
WITHDRAWN, MANY_PATH, NO_ARXIV = (p.removesuffix(".md") for p in PAPERS)


class Page(HTMLParser):
    """The meta tags, the text of the whole page, and of elements by class."""

    def __init__(self, html: str):
        super().__init__()
        self.meta: list[tuple[str, str]] = []
        self.classes: dict[str, list[str]] = {}
        self.open: list[tuple[str, list[str]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and attrs.get("name", "").startswith("citation_"):
            self.meta.append((attrs["name"], attrs["content"]))
        if tag not in ("meta", "link", "br", "img", "input"):
            self.open.append((tag, (attrs.get("class") or "").split()))

    def handle_endtag(self, tag):
        while self.open:
            if self.open.pop()[0] == tag:
                break

    def handle_data(self, data):
        self.text.append(data)
        for _, classes in self.open:
            for cls in classes:
                self.classes.setdefault(cls, []).append(data)

    def of(self, cls: str) -> str:
        return " ".join("".join(self.classes.get(cls, [])).split())


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("meta") / "project", papers=False)
    for rel, text in PAPERS.items():
        (project / "papers" / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / "papers" / rel).write_text(text, encoding="utf-8")
    result = mkdocs_build_in_process(project, env=NO_SEARCH)
    assert result.returncode == 0, result.stderr
    return project / "site"


def page(site: Path, path: str) -> Page:
    return Page((site / "papers" / path / "index.html").read_text(encoding="utf-8"))


def test_withdrawn_paper_shows_a_notice_above_the_abstract(site):
    html = (site / "papers" / WITHDRAWN / "index.html").read_text(encoding="utf-8")
    parsed = Page(html)
    notice = parsed.of("rl-withdrawn")
    assert "withdrawn on 27 May 2025" in notice and "arXiv" in notice
    assert html.index("rl-withdrawn") < html.index('id="abstract"')
    assert page(site, MANY_PATH).of("rl-withdrawn") == ""  # no notice on other papers


def test_lists_mark_withdrawn_papers_and_feeds_leave_them_out(site):
    topic = Page((site / "topics/attention-heads/index.html").read_text(encoding="utf-8"))
    assert topic.of("rl-withdrawn-mark") == "Withdrawn"  # exactly one paper marked
    for feed_path in ("feed.xml", "topics/attention-heads/feed.xml"):
        feed = feedparser.parse((site / feed_path).read_bytes())
        assert not feed.bozo, feed.bozo_exception
        links = [e.link for e in feed.entries]
        assert len(links) == 2 and not any(WITHDRAWN in link for link in links)
        many = next(e for e in feed.entries if MANY_PATH in e.link)
        assert [a["name"] for a in many.authors] == MANY  # the real names, not "12 authors"


def test_exports_carry_the_withdrawal(site):
    records = {p["id"]: p for p in json.loads((site / "papers.json").read_text())["papers"]}
    assert records[WITHDRAWN]["withdrawn"] == "2025-05-27"
    assert records[MANY_PATH]["withdrawn"] is None
    library = bibtexparser.parse_string((site / "papers.bib").read_text(encoding="utf-8"))
    notes = {e.key: e.fields_dict.get("note") for e in library.entries}
    assert [k for k, v in notes.items() if v is not None] == ["shao2025withdrawn"]
    assert notes["shao2025withdrawn"].value == "Withdrawn on 27 May 2025"


def test_a_paper_page_names_eight_authors_and_the_rest_one_click_away(site):
    parsed = page(site, MANY_PATH)
    inline = parsed.of("rl-authors")
    assert inline == ", ".join(MANY[:8])
    assert parsed.of("rl-authors__more").startswith("and 4 more")
    assert MANY[-1] in parsed.of("rl-authors__more")  # the full list, escaped as text
    html = (site / "papers" / MANY_PATH / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html


def test_citation_meta_tags(site):
    meta = page(site, MANY_PATH).meta
    assert [v for k, v in meta if k == "citation_author"] == MANY  # escaped, yet read back verbatim
    assert dict(meta)["citation_title"] == "A Paper With Many Authors About Attention Heads"
    assert dict(meta)["citation_publication_date"] == "2024/03/01"
    assert dict(meta)["citation_arxiv_id"] == "2403.00001"
    assert dict(meta)["citation_pdf_url"] == "https://arxiv.org/pdf/2403.00001"
    other = dict(page(site, NO_ARXIV).meta)
    assert "citation_arxiv_id" not in other and "citation_author" not in other
    assert other["citation_pdf_url"] == 'https://example.org/paper.pdf?a=1&b="2"'
    index = Page((site / "index.html").read_text(encoding="utf-8"))
    assert index.meta == []  # only paper pages are citable
