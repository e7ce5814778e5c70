"""Search (issue 11): Pagefind records built from the catalog, one per paper.

The records are checked with an HTML parser; the index Pagefind writes is read back (its
fragments are gzipped JSON behind a ``pagefind_dcd`` signature) to see which pages it holds.
A strict build of ~300 synthetic papers checks that the site's index has exactly one record
per paper and no index page, and that Material's search index is gone.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import random
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import copy_project, mkdocs_build_in_process, placed, run, write_papers
from readinglist.catalog import load_catalog
from readinglist.model import Paper, dump_paper
from readinglist.pages.search import SearchIndexer, build_index, record_html, record_path
from readinglist.render import rich
from readinglist.taxonomy import load_taxonomy

HOSTILE_TITLE = '<script>alert("t")</script> "quoted" & $\\infty$-LLMs {{ config.site_name }}'
HOSTILE_ABSTRACT = "<img src=x onerror=alert(1)> An abstract with </main> and <!-- a comment -->.\n\nSecond paragraph."
WORDS = ("attention transformer retrieval sparse decoding benchmark alignment multilingual tokenizer "
         "vision reasoning memory distillation pruning quantization calibration probing circuits").split()


class Record(HTMLParser):
    """A record file as Pagefind sees it: indexed text, meta, filters and sorts."""

    def __init__(self, text: str):
        super().__init__()
        self.body, self.meta, self.filters, self.sort = [], {}, {}, {}
        self.elements: list[str] = []
        self._in_body = 0
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elements.append(tag)
        if "data-pagefind-body" in a:
            self._in_body += 1
        for kind, store in (("meta", self.meta), ("filter", self.filters), ("sort", self.sort)):
            spec = a.get(f"data-pagefind-{kind}")
            if spec:
                key, attribute = spec[:-1].split("[")
                if kind == "filter":
                    store.setdefault(key, []).append(a[attribute])
                else:
                    store[key] = a[attribute]

    def handle_endtag(self, tag):
        if tag == "main" and self._in_body:
            self._in_body -= 1

    def handle_data(self, data):
        if self._in_body and data.strip():
            self.body.append(data.strip())


def paper(**changes) -> Paper:
    fields = {"title": "A Paper", "published": dt.date(2024, 3, 14), "added": dt.date(2024, 3, 15),
              "topics": ("surveys",), "abstract": "An abstract.", "path": "2024/a-paper.md"}
    return Paper(**{**fields, **changes})


def fragments(bundle: Path) -> list[dict]:
    """Every page Pagefind indexed, read back from its fragment files."""
    pages = []
    for path in sorted((bundle / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        pages.append(json.loads(data[len(b"pagefind_dcd"):]))
    return pages


# --- records (pure) -------------------------------------------------------------------------


def test_record_holds_filters_sorts_and_meta_from_the_paper():
    p = paper(authors=("Ada Lovelace", "Alan Turing"), upvotes=12, topics=("surveys", "long-context"),
              links=(("code-2", "https://example.org/c"),), abstract="First paragraph.\n\nSecond one.")
    record = Record(record_html(p, {"surveys": "Surveys and reviews", "long-context": "Long context"}))
    assert record.filters == {"topic": ["surveys", "long-context"], "year": ["2024"], "has_code": ["yes"]}
    assert record.sort == {"date": "2024-03-14", "upvotes": "12"}
    assert record.meta["title"] == "A Paper" and record.meta["date"] == "2024-03-14"
    assert record.meta["authors"] == "Ada Lovelace and Alan Turing"
    assert record.meta["topics"] == "surveys long-context" and record.meta["upvotes"] == "12"
    # The abstract comes first, and its word count tells the browser where it ends.
    assert record.body[:2] == ["First paragraph.", "Second one."]
    assert record.meta["abstract_words"] == "4"
    assert "A Paper" in record.body and "Surveys and reviews, Long context" in record.body
    assert record_path(p) == "papers/2024/a-paper/index.html"


def test_record_without_code_authors_or_upvotes():
    record = Record(record_html(paper(author_count=3), {}))
    assert record.filters["has_code"] == ["no"]
    assert record.sort["upvotes"] == "0" and record.meta["authors"] == "3 authors"
    assert "withdrawn" not in record.meta


def test_a_withdrawn_paper_is_marked_in_its_record():
    record = Record(record_html(paper(withdrawn=dt.date(2025, 5, 27)), {}))
    assert record.meta["withdrawn"] == "2025-05-27"


def test_hostile_title_and_abstract_are_text_in_the_record():
    p = paper(title=HOSTILE_TITLE, abstract=HOSTILE_ABSTRACT)
    html = record_html(p, {})
    record = Record(html)
    # No element a paper could have injected: only the record's own.
    assert set(record.elements) <= {"html", "head", "meta", "title", "body", "main", "h1", "p", "data"}
    assert record.elements.count("main") == 1
    assert record.body[0] == "<img src=x onerror=alert(1)> An abstract with </main> and <!-- a comment -->."
    assert '<script>alert("t")</script> "quoted" & ∞-LLMs {{ config.site_name }}' in record.body
    # The title the results show is the renderer's own escaped HTML, carried as an attribute value.
    assert record.meta["title_html"] == str(rich(HOSTILE_TITLE))
    assert "<script>" not in record.meta["title_html"] and "<mi>∞</mi>" in record.meta["title_html"]  # MathML
    assert record.meta["title"] == '<script>alert("t")</script> "quoted" & ∞-LLMs {{ config.site_name }}'


# --- Pagefind ---------------------------------------------------------------------------------


def test_indexer_writes_one_page_per_record_with_its_filters(tmp_path):
    papers = [paper(title=f"Paper number {i}", path=f"2024/paper-number-{i}.md", upvotes=i,
                    topics=("surveys",) if i % 2 else ("long-context",)) for i in range(5)]
    build_index(papers, {}, tmp_path / "records", tmp_path / "bundle")
    pages = {p["url"]: p for p in fragments(tmp_path / "bundle")}
    assert set(pages) == {f"/papers/2024/paper-number-{i}/" for i in range(5)}
    assert pages["/papers/2024/paper-number-3/"]["filters"]["topic"] == ["surveys"]
    assert pages["/papers/2024/paper-number-3/"]["meta"]["upvotes"] == "3"


def test_a_failing_indexer_is_reported_and_cleaned_up(tmp_path):
    blocker = tmp_path / "site"
    blocker.write_text("a file where the bundle's folder should go")
    work = tmp_path / "work"
    work.mkdir()
    indexer = SearchIndexer([paper()], {}, work, blocker / "bundle")
    with pytest.raises(RuntimeError, match=r"the search indexer failed \(exit code 1\)"):
        indexer.finish(tmp_path / "out")
    assert not work.exists() and not (tmp_path / "out").exists()


def test_a_failing_pagefind_names_its_output(tmp_path):
    fake = tmp_path / "pagefind"
    fake.write_text("#!/bin/sh\necho 'Error: something broke' >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(RuntimeError, match=r"(?s)pagefind exited with code 3.*something broke"):
        build_index([paper()], {}, tmp_path / "records", tmp_path / "bundle", executable=fake)


# --- the site ---------------------------------------------------------------------------------


def synthetic_papers(n: int, topic_ids: list[str], seed: int = 11) -> list[Paper]:
    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    papers = []
    for i in range(n):
        published = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(2400))
        title = " ".join(rng.choice(WORDS) for _ in range(6)).capitalize() + f" {i}"
        if i == 0:
            title = HOSTILE_TITLE
        papers.append(Paper(title=title, published=published, added=published + dt.timedelta(days=3),
                            topics=tuple(rng.sample(topic_ids, rng.randint(1, 2))),
                            abstract=" ".join(rng.choice(WORDS) for _ in range(60)) + ".", upvotes=rng.randint(0, 50),
                            author_count=rng.randint(1, 9),
                            links=(("code", f"https://example.org/{i}"),) if i % 3 == 0 else ()))
    return placed(papers)


@pytest.fixture(scope="module")
def synthetic_site(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("search") / "project", papers=False)
    taxonomy = load_taxonomy(project / "topics.yml")
    write_papers(project, synthetic_papers(300, list(taxonomy.ids)))
    catalog = load_catalog(project / "papers", taxonomy)
    assert not catalog.problems, catalog.problems[:3]
    result = mkdocs_build_in_process(project)
    assert result.returncode == 0, result.stderr
    return project / "site", catalog.papers


def test_site_index_has_one_record_per_paper_and_no_index_page(synthetic_site):
    site, papers = synthetic_site
    entry = json.loads((site / "pagefind/pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] == len(papers) == 300
    urls = [page["url"] for page in fragments(site / "pagefind")]
    assert sorted(urls) == sorted("/" + p.url for p in papers)
    # Every result leads to a built paper page; the index pages are not records.
    assert all((site / url.strip("/") / "index.html").is_file() for url in urls)
    assert not any(url.startswith(("/topics/", "/dates/", "/search/")) or url == "/" for url in urls)


def test_site_records_come_from_the_catalog(synthetic_site):
    site, papers = synthetic_site
    by_url = {page["url"]: page for page in fragments(site / "pagefind")}
    for p in papers[::37]:
        page = by_url["/" + p.url]
        assert page["meta"]["date"] == p.published.isoformat()
        assert page["meta"]["upvotes"] == str(p.upvotes or 0)
        assert sorted(page["filters"]["topic"]) == sorted(p.topics)
        assert page["filters"]["year"] == [str(p.published.year)]
        assert page["filters"]["has_code"] == (["yes"] if p.links else ["no"])
    hostile = next(page for page in by_url.values() if page["meta"]["title"].startswith("<script>"))
    assert "<script>" not in hostile["meta"]["title_html"]


def test_site_has_no_material_search_index_and_no_leftovers(synthetic_site):
    site, _ = synthetic_site
    assert not (site / "search/search_index.json").exists()
    assert (site / "search/index.html").is_file()  # the /search/ page
    assert not [p.name for p in site.iterdir() if p.name.startswith(".pagefind")]
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "data-rl-search" in home and 'id="rl-search-input"' in home
    assert "pagefind" not in home  # Pagefind's code is loaded on first use, not by the page


def test_build_without_search_when_switched_off(tmp_path):
    project = copy_project(tmp_path / "project", papers=False)
    taxonomy = load_taxonomy(project / "topics.yml")
    for p in synthetic_papers(3, list(taxonomy.ids)):
        (project / "papers" / p.path).parent.mkdir(parents=True, exist_ok=True)
        (project / "papers" / p.path).write_text(dump_paper(p), encoding="utf-8")
    mkdocs = Path(sys.executable).parent / "mkdocs"
    result = run(mkdocs, "build", "--strict", "-d", project / "site", cwd=project, env={"READINGLIST_SEARCH": "off"})
    assert result.returncode == 0, result.stderr
    assert not (project / "site/pagefind").exists()
