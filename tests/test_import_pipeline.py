"""Issue 15, import side: ``Catalog.find`` (the one "already listed?" rule) and
``importer.run_import`` (the one call of every import command)."""

from __future__ import annotations

import datetime as dt

from conftest import ROOT
from readinglist import cli
from readinglist.catalog import Catalog, load_catalog
from readinglist.importer import run_import
from readinglist.model import Paper, Problem
from readinglist.sources.entry import SourceEntry
from readinglist.taxonomy import load_taxonomy

TOPICS = load_taxonomy(ROOT / "topics.yml")
DAY = dt.date(2024, 3, 1)


def paper(title: str, path: str, **kw) -> Paper:
    return Paper(title=title, published=DAY, added=DAY, topics=("attention-heads",), abstract="We study heads.", path=path, **kw)


def entry(title: str, **kw) -> SourceEntry:
    fields = {"abstract": "We study attention heads in transformers.", "published": DAY, "upvotes": 3, "source": "s.txt", "line": 1}
    return SourceEntry(title=title, **{**fields, **kw})


def test_find_asks_the_arxiv_id_first_then_the_normalised_title():
    by_id = paper("Attention Heads", "2024/attention-heads.md", arxiv="2403.00001")
    by_title = paper("Sparse Probes: A Study", "2024/sparse-probes-a-study.md")
    catalog = Catalog([by_id, by_title])
    assert catalog.find(arxiv="2403.00001", title="Sparse Probes: A Study") is by_id
    assert catalog.find(arxiv="2403.99999", title="  sparse PROBES — a study. ") is by_title
    assert catalog.find(title="Sparse Probes") is None
    assert catalog.find(arxiv="2403.99999") is None
    assert catalog.find() is None


def test_adding_to_a_copy_leaves_the_catalog_as_it_was():
    catalog = Catalog([paper("Attention Heads", "2024/attention-heads.md")])
    assert catalog.find(title="Attention Heads") is not None  # indexed before the copy
    grown = catalog.copy()
    planned = paper("New Heads", "2024/new-heads.md", arxiv="2403.00002")
    grown.add(planned)
    assert grown.find(arxiv="2403.00002") is planned and grown.find(title="new heads") is planned
    assert catalog.find(arxiv="2403.00002") is None and catalog.find(title="New Heads") is None
    assert len(catalog.papers) == 1


def test_run_import_plans_checks_and_writes_once(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "_phase", "reading")  # run_import moves it on; restored after the test
    papers = tmp_path / "papers"
    entries = [entry("Attention Heads in Depth"), entry("Attention heads in depth", upvotes=7)]  # one paper, twice

    dry = run_import(entries, papers, TOPICS, DAY, dry_run=True)
    assert not papers.exists()  # a dry run writes nothing and takes no lock
    assert [(a.kind, a.path) for a in dry.actions] == [("created", "2024/attention-heads-in-depth.md")]

    first = run_import(entries, papers, TOPICS, DAY, wait=0)
    assert (first.count("created"), first.count("updated"), first.refused) == (1, 0, [])
    loaded = load_catalog(papers, TOPICS)
    assert loaded.problems == [] and [p.upvotes for p in loaded.papers] == [7]  # the later copy wins

    again = run_import(entries, papers, TOPICS, DAY, wait=0)
    assert (again.count("created"), again.count("updated"), again.count("unchanged")) == (0, 0, 1)
    assert again.catalog.find(title="Attention Heads in Depth") is not None  # what it planned against


def test_run_import_lists_the_callers_problems_first_and_names_the_source_line(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "_phase", "reading")
    unreadable = Problem("s.txt", 2, "", "expected a title line and an abstract before the author count")
    future = entry("Heads From the Future", published=dt.date(2999, 1, 1), line=9, date_line=12)
    summary = run_import([future], tmp_path / "papers", TOPICS, DAY, wait=0, rejected=[unreadable])
    assert summary.actions == []
    assert summary.refused[0] is unreadable
    # One message: the "added" the importer set follows from the date and is not blamed on the source.
    assert [str(p) for p in summary.refused[1:]] == ["s.txt:12: published: 2999-01-01 is in the future"]
    assert not list((tmp_path / "papers").rglob("*.md"))


def test_a_check_under_the_lock_sees_the_fresh_catalog(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "_phase", "reading")
    papers = tmp_path / "papers"
    run_import([entry("Attention Heads in Depth")], papers, TOPICS, DAY, wait=0)
    seen: list[Catalog] = []
    run_import([entry("Other Heads")], papers, TOPICS, DAY, wait=0, check=seen.append)
    assert len(seen) == 1 and seen[0].find(title="attention heads in depth") is not None
