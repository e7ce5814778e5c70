"""The fixture list's site, built with --strict in a temporary folder, checked through its HTML
against the paper files (read with PyYAML, not with the code under test)."""

from __future__ import annotations

import gzip
import json
import re
from urllib.parse import urlsplit

import yaml

from conftest import FIXTURE_PAPERS, ROOT
from sitecheck import Page, check_list_invariants, front_matter, page, resolve

PAPERS = front_matter(FIXTURE_PAPERS)
TOPICS = yaml.safe_load((ROOT / "topics.yml").read_text(encoding="utf-8"))["topics"]


def test_a_page_for_each_fixture_paper(built_site):
    pages = sorted(p.parent.relative_to(built_site).as_posix() + "/" for p in (built_site / "papers").rglob("index.html"))
    assert len(pages) == 41
    assert pages == sorted(p.url for p in PAPERS)


def test_the_fixture_site_meets_every_list_invariant(fixture_build):
    assert check_list_invariants(fixture_build.papers, fixture_build.site) == []


def test_paper_page_content(built_site):
    p = page(built_site, "papers/2024/git-towards-generalist-vision-transformer-through-universal-language-interface/")
    assert p.h1 == ["GiT: Towards Generalist Vision Transformer through Universal Language Interface"]
    assert p.title == "GiT: Towards Generalist Vision Transformer through Universal Language Interface - LM Reading List"
    assert ("https://github.com/Haiyang-W/GiT", "md-button rl-link rl-link--code") in p.links
    assert ("../../../topics/multimodal/", "rl-chip") in p.links
    html = (built_site / "papers/2024/git-towards-generalist-vision-transformer-through-universal-language-interface/index.html").read_text()
    assert '<time datetime="2024-03-14">14 Mar 2024</time>' in html
    assert "8 authors" in html
    assert "▲ 11" in html
    assert "<h2 id=\"abstract\">Abstract</h2>" in html
    assert "This paper proposes a simple, yet effective framework" in html


def test_math_title_is_mathml_and_readable_in_the_tab(built_site):
    p = page(built_site, "papers/2025/qwenlong-cprs-towards-infty-llms-with-dynamic-context-optimization/")
    assert p.title.startswith("QwenLong-CPRS: Towards ∞-LLMs with Dynamic Context Optimization")
    html = (built_site / "papers/2025/qwenlong-cprs-towards-infty-llms-with-dynamic-context-optimization/index.html").read_text()
    assert '<math display="inline"><mrow><mi>∞</mi></mrow></math>-LLMs' in html


def test_topic_pages_list_their_papers_newest_first(built_site):
    for topic in TOPICS:
        url = f"topics/{topic['id']}/"
        p = page(built_site, url)
        shown = [resolve(url, href) for href in p.entries]
        expected = sorted((e for e in PAPERS if topic["id"] in e.topics), key=lambda e: (-e.published.toordinal(), e.title.casefold()))
        assert shown == [e.url for e in expected], topic["id"]
        assert p.h1 == [topic["name"]], topic["id"]


def test_every_fixture_paper_has_a_topic_page_entry(built_site):
    shown = set()
    for topic in TOPICS:
        shown |= {resolve(f"topics/{topic['id']}/", h) for h in page(built_site, f"topics/{topic['id']}/").entries}
    assert shown == {p.url for p in PAPERS}


def test_topics_index_counts(built_site):
    html = (built_site / "topics/index.html").read_text()
    for topic in TOPICS:
        n = sum(topic["id"] in e.topics for e in PAPERS)
        assert re.search(rf'href="../topics/{topic["id"]}/"><strong>{re.escape(topic["name"])}</strong> <span class="rl-count">{n} papers?</span>',
                         html), topic["id"]
        assert topic["description"] in html, topic["id"]


def test_year_pages_group_by_month(built_site):
    years = sorted({p.published.year for p in PAPERS}, reverse=True)
    assert years == [2025, 2024, 2023, 2022, 2021, 2019]
    index = page(built_site, "dates/")
    targets = [resolve("dates/", h) for h, _ in index.links]
    assert [t for t in targets if re.fullmatch(r"dates/\d{4}/", t)] == [f"dates/{y}/" for y in years]
    for year in years:
        url = f"dates/{year}/"
        expected = sorted((e for e in PAPERS if e.published.year == year), key=lambda e: (-e.published.toordinal(), e.title.casefold()))
        assert [resolve(url, h) for h in page(built_site, url).entries] == [e.url for e in expected]
    html = (built_site / "dates/2024/index.html").read_text()
    assert html.index('id="september">September 2024') < html.index('id="march">March 2024')


def test_home_page(built_site):
    p = page(built_site, "")
    html = (built_site / "index.html").read_text()
    assert f"41 papers · {len(TOPICS)} topics" in html
    assert 'id="latest">Latest additions' in html
    assert 'id="most-upvoted">Most upvoted' in html
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


def test_strict_build_has_no_warnings(fixture_build):
    assert "WARNING" not in fixture_build.stderr
    assert "ERROR" not in fixture_build.stderr
