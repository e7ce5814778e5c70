"""The real site, built with --strict in a temporary folder, checked through its HTML."""

from __future__ import annotations

import gzip
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from conftest import ROOT, mkdocs_build
from readinglist.catalog import load_catalog
from readinglist.pages import Build, Site
from readinglist.taxonomy import load_taxonomy

TAXONOMY = load_taxonomy(ROOT / "topics.yml")
CATALOG = load_catalog(ROOT / "papers", TAXONOMY)


def papers_by_topic(catalog, taxonomy):
    return Build(catalog, taxonomy, Site("x", "")).by_topic


class Page(HTMLParser):
    """The parts of a built page the tests look at."""

    def __init__(self, html: str):
        super().__init__()
        self.links: list[tuple[str, str]] = []  # (href, class)
        self.srcs: list[str] = []
        self.entries: list[str] = []  # hrefs of .rl-entry__title links, in order
        self.nav_links: list[str] = []
        self.h1: list[str] = []
        self._in_nav = 0
        self._in_h1 = False
        self.title = ""
        self._in_title = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "nav" and "md-nav" in (a.get("class") or ""):
            self._in_nav += 1
        elif tag == "nav" and self._in_nav:
            self._in_nav += 1
        if tag == "a" and a.get("href") is not None:
            self.links.append((a["href"], a.get("class") or ""))
            if "rl-entry__title" in (a.get("class") or ""):
                self.entries.append(a["href"])
            if self._in_nav:
                self.nav_links.append(a["href"])
        if tag in ("img", "script") and a.get("src"):
            self.srcs.append(a["src"])
        if tag == "link" and a.get("href"):
            self.srcs.append(a["href"])
        if tag == "h1":
            self._in_h1 = True
            self.h1.append("")
        if tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "nav" and self._in_nav:
            self._in_nav -= 1
        if tag == "h1":
            self._in_h1 = False
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_h1:
            self.h1[-1] += data
        if self._in_title:
            self.title += data


def page(site: Path, url: str) -> Page:
    return Page((site / url / "index.html").read_text(encoding="utf-8"))


def resolve(url: str, href: str) -> str:
    """Site path an entry link points at, e.g. 'papers/2024/x/'."""
    return urljoin(f"http://site/{url}", href).removeprefix("http://site/")


def test_a_page_for_each_seed_paper(built_site):
    pages = sorted(p.parent.relative_to(built_site).as_posix() + "/" for p in (built_site / "papers").rglob("index.html"))
    assert len(pages) == 41
    assert pages == sorted(p.url for p in CATALOG.papers)


def test_paper_page_content(built_site):
    p = page(built_site, "papers/2024/git-towards-generalist-vision-transformer-through-universal-language-interface/")
    assert p.h1 == ["GiT: Towards Generalist Vision Transformer through Universal Language Interface"]
    assert p.title == "GiT: Towards Generalist Vision Transformer through Universal Language Interface - LM Reading List"
    assert ("https://github.com/Haiyang-W/GiT", "md-button rl-link rl-link--code") in p.links
    assert ("../../../topics/multimodal/", "rl-chip") in p.links
    html = (built_site / "papers/2024/git-towards-generalist-vision-transformer-through-universal-language-interface/index.html").read_text()
    assert '<time datetime="2024-03-14">14 Mar 2024</time>' in html
    assert "8 authors" in html and "▲ 11" in html
    assert "<h2 id=\"abstract\">Abstract</h2>" in html
    assert "This paper proposes a simple, yet effective framework" in html


def test_math_title_is_marked_for_katex_and_readable_in_the_tab(built_site):
    p = page(built_site, "papers/2025/qwenlong-cprs-towards-infty-llms-with-dynamic-context-optimization/")
    assert p.title.startswith("QwenLong-CPRS: Towards ∞-LLMs with Dynamic Context Optimization")
    html = (built_site / "papers/2025/qwenlong-cprs-towards-infty-llms-with-dynamic-context-optimization/index.html").read_text()
    assert '<span class="arithmatex">\\(\\infty\\)</span>-LLMs' in html


def test_topic_pages_list_their_papers_newest_first(built_site):
    groups = papers_by_topic(CATALOG, TAXONOMY)
    assert sum(len(v) for v in groups.values()) >= 41
    for topic in TAXONOMY.topics:
        p = page(built_site, topic.url)
        listed = [resolve(topic.url, href) for href in p.entries]
        assert listed == [paper.url for paper in groups[topic.id]], topic.id
        dates = [paper.published for paper in groups[topic.id]]
        assert dates == sorted(dates, reverse=True)
        assert p.h1 == [topic.name]


def test_every_seed_paper_has_a_topic_page_entry(built_site):
    listed = set()
    for topic in TAXONOMY.topics:
        listed |= {resolve(topic.url, h) for h in page(built_site, topic.url).entries}
    assert listed == {p.url for p in CATALOG.papers}


def test_topics_index_counts(built_site):
    html = (built_site / "topics/index.html").read_text()
    groups = papers_by_topic(CATALOG, TAXONOMY)
    for topic in TAXONOMY.topics:
        n = len(groups[topic.id])
        assert re.search(rf'href="../topics/{topic.id}/"><strong>{re.escape(topic.name)}</strong> <span class="rl-count">{n} papers?</span>', html)
    assert topic.description in html


def test_year_pages_group_by_month(built_site):
    years = sorted({p.published.year for p in CATALOG.papers}, reverse=True)
    index = page(built_site, "dates/")
    targets = [resolve("dates/", h) for h, _ in index.links]
    assert [t for t in targets if re.fullmatch(r"dates/\d{4}/", t)] == [f"dates/{y}/" for y in years]
    for year in years:
        url = f"dates/{year}/"
        expected = [p.url for p in CATALOG.papers if p.published.year == year]
        assert [resolve(url, h) for h in page(built_site, url).entries] == expected
    html = (built_site / "dates/2024/index.html").read_text()
    assert html.index('id="september">September 2024') < html.index('id="march">March 2024')


def test_home_page(built_site):
    p = page(built_site, "")
    html = (built_site / "index.html").read_text()
    assert "41 papers · 13 topics" in html
    assert 'id="latest">Latest additions' in html and 'id="most-upvoted">Most upvoted' in html
    upvoted = html.split('id="most-upvoted"')[1].split('id="topics"')[0]
    first = Page(upvoted).entries[0]
    assert first == "papers/2024/git-towards-generalist-vision-transformer-through-universal-language-interface/"  # 11 upvotes
    assert len(p.entries) == 20


def test_nav_holds_index_pages_only(built_site):
    p = page(built_site, "papers/2024/a-survey-on-mixture-of-experts/")
    targets = {resolve("papers/2024/a-survey-on-mixture-of-experts/", h) for h in p.nav_links}
    assert {"", "topics/", "dates/", "about/"} <= targets
    assert not any(t.startswith("papers/") for t in targets)


def test_search_index_holds_papers_not_index_pages(built_site):
    # Pagefind's fragments (gzipped JSON after a "pagefind_dcd" signature), one per indexed page.
    docs = [json.loads(gzip.decompress(f.read_bytes())[12:]) for f in (built_site / "pagefind/fragment").iterdir()]
    locations = {d["url"].lstrip("/") for d in docs}
    assert "papers/2024/a-survey-on-mixture-of-experts/" in locations
    assert not any(loc.startswith(("topics/", "dates/", "search/")) or loc == "" for loc in locations)
    assert not (built_site / "search/search_index.json").exists()


def test_every_internal_link_resolves(built_site):
    broken = []
    for html_file in built_site.rglob("*.html"):
        url = html_file.parent.relative_to(built_site).as_posix() + "/"
        url = "" if url == "./" else url
        p = Page(html_file.read_text(encoding="utf-8"))
        for href in [h for h, _ in p.links] + p.srcs:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            target = (built_site / resolve(url, parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{url}: {href}")
    assert broken == []


def test_a_new_paper_shows_on_its_topic_and_year_pages(project):
    (project / "papers/2018").mkdir()
    (project / "papers/2018/deep-contextualized-word-representations.md").write_text(
        "---\ntitle: Deep contextualized word representations\npublished: 2018-02-15\nauthor_count: 7\n"
        "upvotes: 5\ntopics: [pretraining, multilingual]\nadded: 2026-11-28\n---\n\n"
        "We introduce a new type of deep contextualized word representation.\n")
    result = mkdocs_build(project)
    assert result.returncode == 0, result.stderr
    site = project / "site"
    url = "papers/2018/deep-contextualized-word-representations/"
    assert (site / url / "index.html").exists()
    assert url in [resolve("topics/pretraining/", h) for h in page(site, "topics/pretraining/").entries]
    assert url in [resolve("topics/multilingual/", h) for h in page(site, "topics/multilingual/").entries]
    assert [resolve("dates/2018/", h) for h in page(site, "dates/2018/").entries] == [url]
    assert "2018" in (site / "dates/index.html").read_text()
    assert "42 papers" in (site / "index.html").read_text()


def test_strict_build_has_no_warnings(project):
    result = mkdocs_build(project)
    assert result.returncode == 0
    assert "WARNING" not in result.stderr
