"""What readers get beyond the pages: citations, feeds, exports, related papers, social meta."""

from __future__ import annotations

import datetime as dt
import json
import re

import bibtexparser
import feedparser
import pytest

from conftest import ARXIV_ID, ARXIV_PAPER, FIXTURE_PAPERS, ROOT
from readinglist.bibtex import citation_keys, entry, escape_text, escape_title
from readinglist.catalog import load_catalog
from readinglist.model import Paper
from readinglist.related import related_papers
from readinglist.taxonomy import load_taxonomy

TAXONOMY = load_taxonomy(ROOT / "topics.yml")
CATALOG = load_catalog(FIXTURE_PAPERS, TAXONOMY)
SITE_URL = "https://reading-list.example.org/"


def paper(title="A Paper", **kw) -> Paper:
    base = {"published": dt.date(2024, 1, 2), "added": dt.date(2024, 2, 1), "topics": ("surveys",), "abstract": "Text."}
    return Paper(title=title, **{**base, **kw})


# --- BibTeX -------------------------------------------------------------------------------


def parse_bib(text: str) -> list:
    """Entries of a BibTeX text, parsed by a real BibTeX parser; fails on any broken block."""
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == [], [b.raw for b in library.failed_blocks]
    return library.entries


def test_bibtex_arxiv_entry():
    p = paper("GiT: Towards Generalist Vision Transformer", authors=("Haiyang Wang", "Hao Tang"), arxiv="2403.07392", path="2024/git.md")
    text = entry(p, "wang2024git", "https://x/papers/2024/git/")
    assert text == (
        "@misc{wang2024git,\n"
        "  title         = {{GiT: Towards Generalist Vision Transformer}},\n"
        "  author        = {Wang, Haiyang and Tang, Hao},\n"
        "  year          = {2024},\n"
        "  month         = jan,\n"
        "  eprint        = {2403.07392},\n"
        "  archivePrefix = {arXiv},\n"
        "  url           = {https://arxiv.org/abs/2403.07392}\n"
        "}\n")


def test_bibtex_old_style_arxiv_has_primary_class():
    text = entry(paper(arxiv="hep-th/9901001"), "k", "https://x/")
    assert "primaryClass  = {hep-th}" in text


def test_bibtex_without_arxiv_uses_the_page_url():
    assert "url   = {https://x/papers/2024/a-paper/}" in entry(paper(), "k", "https://x/papers/2024/a-paper/")


@pytest.mark.parametrize("title", ["100% & #1 {weird} _x_ ^y~ \\cmd", "Unbalanced $x}$ math", "Towards $\\infty$-LLMs", "}{", "a % comment"])
def test_bibtex_titles_parse_back(title):
    """A real BibTeX parser reads the entry whole: braces balance, nothing comments out the rest."""
    (only,) = parse_bib(entry(paper(title), "k", "https://x/"))
    assert only.key == "k"
    # No author names: a ``key`` field tells BibTeX how to sort the entry.
    assert set(only.fields_dict) == {"title", "year", "month", "url", "key"}
    assert only.fields_dict["url"].value == "https://x/"
    value = only.fields_dict["title"].value
    assert value.startswith("{") and value.endswith("}")
    assert not re.search(r"(?<!\\)[%#&]", value), value


def test_bibtex_keeps_tex_math_in_titles():
    (only,) = parse_bib(entry(paper("Towards $\\infty$-LLMs & more"), "k", "https://x/"))
    assert only.fields_dict["title"].value == "{Towards $\\infty$-LLMs \\& more}"


def test_bibtex_escaping():
    # Braces become text symbols: real bibtex mis-counts an escaped ``\{`` and breaks the file.
    assert escape_text("a & b_c {d} 50% #1 $x$ ~ ^") == (
        r"a \& b\_c \textbraceleft{}d\textbraceright{} 50\% \#1 \$x\$ \textasciitilde{} \textasciicircum{}")
    assert escape_title("Towards $\\infty$-LLMs & more") == "Towards $\\infty$-LLMs \\& more"


def test_citation_keys_are_readable_and_unique():
    papers = [paper("Attention Is All You Need", authors=("Ashish Vaswani",), path="a.md", published=dt.date(2017, 6, 12)),
              paper("Attention Is Not Explanation", authors=("Sarthak Vaswani",), path="b.md", published=dt.date(2017, 2, 1)),
              paper("It's All in The [MASK]", path="c.md")]
    keys = citation_keys(papers)
    assert keys == {"a.md": "vaswani2017attentionb", "b.md": "vaswani2017attention", "c.md": "its2024all"}
    assert len(set(citation_keys(CATALOG.papers).values())) == len(CATALOG.papers)


# --- Related papers -----------------------------------------------------------------------


def test_related_papers_are_five_similar_and_never_self():
    related = related_papers(CATALOG.papers)
    for p in CATALOG.papers:
        assert len(related[p.path]) == 5
        assert p not in related[p.path]
    # Golden values (the fixture is frozen): the same answer on every run and machine.
    assert [o.path for o in related["2024/longheads-multi-head-attention-is-secretly-a-long-context-processor.md"]] == [
        "2025/language-modeling-with-learned-meta-tokens.md",
        "2023/rcmha-relative-convolutional-multi-head-attention-for-natural-language-modelling.md",
        "2024/retrieval-head-mechanistically-explains-long-context-factuality.md",
        "2025/complexformer-disruptively-advancing-transformer-inference-ability-via-head.md",
        "2025/qwenlong-cprs-towards-infty-llms-with-dynamic-context-optimization.md",
    ]
    assert [o.path for o in related["2024/a-survey-on-mixture-of-experts.md"]] == [
        "2023/a-survey-of-large-language-models.md",
        "2024/achieving-peak-performance-for-large-language-models-a-systematic-review.md",
        "2024/tele-llms-a-series-of-specialized-large-language-models-for-telecommunications.md",
        "2024/a-review-of-multi-modal-large-language-and-vision-models.md",
        "2023/augmenting-llms-with-knowledge-a-survey-on-hallucination-prevention.md",
    ]


def test_related_papers_with_nothing_in_common():
    papers = [paper("Alpha", abstract="zebra", path="a.md"), paper("Beta", abstract="quokka", path="b.md")]
    assert related_papers(papers) == {"a.md": [], "b.md": []}


# --- Built site: feeds, exports, meta ------------------------------------------------------


def test_feed_is_valid_atom_with_the_latest_additions(built_site):
    feed = feedparser.parse((built_site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert len(feed.entries) == 41  # fewer than 50 papers: all of them
    entry_ = next(e for e in feed.entries if e.title.startswith("QwenLong"))
    assert entry_.title == "QwenLong-CPRS: Towards ∞-LLMs with Dynamic Context Optimization"
    assert entry_.link == SITE_URL + "papers/2025/qwenlong-cprs-towards-infty-llms-with-dynamic-context-optimization/"
    assert entry_.summary.startswith("This technical report presents QwenLong-CPRS")
    assert [t.term for t in entry_.tags] == ["long-context"]
    assert entry_.published.startswith("2025-05-23") and entry_.updated.startswith("2026-11-28")
    published = [e.published for e in feed.entries]
    assert published == sorted(published, reverse=True)  # same `added` date: newest publication first


def test_topic_feeds(built_site):
    for topic in TAXONOMY.topics:
        feed = feedparser.parse((built_site / "topics" / topic.id / "feed.xml").read_bytes())
        assert not feed.bozo
        expected = {SITE_URL + p.url for p in CATALOG.papers if topic.id in p.topics}
        assert {e.link for e in feed.entries} == expected
        assert all(topic.id in [t.term for t in e.tags] for e in feed.entries)


def test_feed_autodiscovery_and_visible_links(built_site):
    paper_html = (built_site / "papers/2024/a-survey-on-mixture-of-experts/index.html").read_text()
    assert '<link rel="alternate" type="application/atom+xml" title="LM Reading List: latest papers" href="../../../feed.xml">' in paper_html
    topic_html = (built_site / "topics/surveys/index.html").read_text()
    assert '<link rel="alternate feed" type="application/atom+xml" title="Surveys and reviews: latest papers" href="feed.xml">' in topic_html
    assert '<a href="../../topics/surveys/feed.xml" class="rl-feed">Atom feed</a>' in topic_html
    assert '<a class="rl-feed" href="feed.xml">Atom feed</a>' in (built_site / "index.html").read_text()


def test_papers_json(built_site):
    data = json.loads((built_site / "papers.json").read_text())
    assert data["version"] == 1
    assert len(data["papers"]) == 41
    git = next(p for p in data["papers"] if p["title"].startswith("GiT"))
    assert git == {
        "id": "2024/git-towards-generalist-vision-transformer-through-universal-language-interface",
        "url": SITE_URL + "papers/2024/git-towards-generalist-vision-transformer-through-universal-language-interface/",
        "title": "GiT: Towards Generalist Vision Transformer through Universal Language Interface",
        "published": "2024-03-14", "added": "2026-11-28", "authors": [], "author_count": 8, "upvotes": 11,
        "arxiv": None, "links": {"code": "https://github.com/Haiyang-W/GiT"}, "topics": ["multimodal"], "note": None, "withdrawn": None,
        "abstract": git["abstract"], "bibtex_key": "git2024towards",
    }
    assert git["abstract"].startswith("This paper proposes")


def test_bibliographies(built_site):
    whole = parse_bib((built_site / "papers.bib").read_text())
    assert len(whole) == 41
    assert len({e.key for e in whole}) == 41
    assert {e.entry_type for e in whole} == {"misc"}
    surveys = parse_bib((built_site / "topics/surveys/papers.bib").read_text())
    assert len(surveys) == sum("surveys" in p.topics for p in CATALOG.papers)
    mixture = next(e for e in surveys if e.key == "survey2024mixture")
    assert mixture.fields_dict["title"].value == "{A Survey on Mixture of Experts}"
    assert mixture.fields_dict["eprint"].value == ARXIV_ID


def test_paper_page_has_citation_related_and_social_meta(built_site):
    html = (built_site / "papers/2024/a-survey-on-mixture-of-experts/index.html").read_text()
    assert '<code class="language-bibtex">@misc{survey2024mixture,' in html
    assert '<section class="rl-related" id="related" aria-label="Related papers" data-search-exclude>' in html
    assert len(re.findall(r'class="rl-entry__title"', html.split('id="related"')[1])) == 5
    assert '<meta property="og:title" content="A Survey on Mixture of Experts">' in html
    assert '<meta property="og:description" content="Large language models (LLMs) have garnered' in html
    assert f'<meta property="og:url" content="{SITE_URL}papers/2024/a-survey-on-mixture-of-experts/">' in html
    assert f'<link rel="canonical" href="{SITE_URL}papers/2024/a-survey-on-mixture-of-experts/">' in html
    assert 'href="https://github.com/withinmiaov/A-Survey-on-Mixture-of-Experts" rel="noopener">Code</a>' in html


def test_arxiv_papers_get_arxiv_pdf_and_hugging_face_buttons(built_site):
    url = "papers/" + ARXIV_PAPER.removesuffix(".md") + "/"
    html = (built_site / url / "index.html").read_text()
    for label, target in [("arXiv", f"https://arxiv.org/abs/{ARXIV_ID}"), ("PDF", f"https://arxiv.org/pdf/{ARXIV_ID}"),
                          ("Hugging Face", f"https://huggingface.co/papers/{ARXIV_ID}")]:
        assert f'href="{target}" rel="noopener">{label}</a>' in html
    assert f"eprint        = {{{ARXIV_ID}}}" in html
    other = (built_site / "papers/2025/qwenlong-cprs-towards-infty-llms-with-dynamic-context-optimization/index.html").read_text()
    assert "arxiv.org" not in other and "huggingface.co/papers" not in other  # no id, no arXiv buttons


def test_sort_control_and_date_range(built_site):
    html = (built_site / "topics/long-context/index.html").read_text()
    assert '<div class="rl-sort" role="group" aria-label="Sort papers" hidden>' in html
    assert 'data-sort="upvotes" aria-pressed="false">Upvotes</button>' in html
    assert re.search(r"\d+ papers, published \d+ \w{3} \d{4} – \d+ \w{3} \d{4}", html)
    year = (built_site / "dates/2024/index.html").read_text()
    assert "17 papers, published 12 Jan 2024 – 28 Nov 2024" in year
    assert 'data-sort="published"' in year


def test_no_math_assets_are_served(built_site):
    assert not (built_site / "assets/katex").exists()
    html = (built_site / "index.html").read_text()
    assert "katex" not in html.lower()
    assert "cdn" not in html.lower()
