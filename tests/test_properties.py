"""Property-based tests (hypothesis): for arbitrary titles, abstracts and notes, a paper
written and read back is the same paper; slugs are short and URL-safe (and, by golden values,
the same as they always were: a slug is a URL); importing the same entries twice changes
nothing."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from readinglist.catalog import load_catalog, make_slug
from readinglist.importer import plan_import
from readinglist.model import MAX_TITLE, Paper, control_character, dump_paper, parse_paper
from readinglist.sources.entry import SourceEntry
from readinglist.storage import write_all
from readinglist.taxonomy import load_taxonomy

TAXONOMY = load_taxonomy(ROOT / "topics.yml")
PROPERTIES = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

# Any Unicode but surrogates; the filters below keep what a valid paper may hold.
chars = st.characters(exclude_categories=("Cs",))


def _valid_text(text: str) -> bool:
    return bool(text) and control_character(text) is None


titles = st.text(chars, min_size=1, max_size=MAX_TITLE).map(str.strip).filter(
    lambda t: _valid_text(t) and "\n" not in t and "\r" not in t and t == t.strip())
abstracts = st.text(chars, min_size=1, max_size=2000).map(str.strip).filter(
    lambda t: _valid_text(t) and "\r" not in t and not t.startswith("---"))
notes = st.none() | st.text(chars, min_size=1, max_size=500).map(str.strip).filter(lambda t: _valid_text(t) and "\r" not in t)
days = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2025, 12, 31))
names = st.lists(st.text(chars, min_size=1, max_size=40).map(str.strip).filter(
    lambda t: _valid_text(t) and "\n" not in t and "\r" not in t), max_size=4)


@PROPERTIES
@given(title=titles, abstract=abstracts, note=notes, published=days, authors=names,
       upvotes=st.none() | st.integers(0, 10**6), topics=st.lists(st.sampled_from(TAXONOMY.ids), min_size=1, max_size=3, unique=True))
def test_write_then_read_gives_the_same_paper(title, abstract, note, published, authors, upvotes, topics):
    paper = Paper(title=title, published=published, added=published + dt.timedelta(days=1), topics=tuple(topics),
                  abstract=abstract, authors=tuple(authors), upvotes=upvotes, note=note)
    text = dump_paper(paper)
    again, problems = parse_paper(text, "papers/x.md", TAXONOMY.ids)
    assert problems == [], (text, problems)
    assert again == paper
    assert dump_paper(again) == text


@PROPERTIES
@given(title=titles)
def test_slugs_are_short_and_url_safe(title):
    slug = make_slug(title)
    assert 1 <= len(slug) <= 80
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)


@pytest.mark.parametrize(("title", "slug"), [
    ("QwenLong-CPRS: Towards $\\infty$-LLMs with Dynamic Context Optimization", "qwenlong-cprs-towards-infty-llms-with-dynamic-context-optimization"),
    ("It's All in The [MASK]: Simple Instruction-Tuning Enables BERT-like Masked Language Models As Generative Classifiers",
     "it-s-all-in-the-mask-simple-instruction-tuning-enables-bert-like-masked-language"),  # cut at a word, <= 80
    ("Über die Sprache — ∞", "uber-die-sprache"),
    ('"Kelly is a Warm Person, Joseph is a Role Model"', "kelly-is-a-warm-person-joseph-is-a-role-model"),
    ("!!!", "paper"),
])
def test_slugs_never_change(title, slug):
    """Golden values: a published paper's URL is its slug, so the rule may never drift."""
    assert make_slug(title) == slug


entries = st.lists(st.builds(SourceEntry, title=titles, abstract=abstracts, published=days,
                             author_count=st.integers(1, 50), upvotes=st.integers(0, 1000)), min_size=1, max_size=8)


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(batch=entries)
def test_importing_twice_changes_nothing(batch):
    with tempfile.TemporaryDirectory() as tmp:
        papers = Path(tmp) / "papers"
        added = dt.date(2026, 1, 1)
        first = plan_import(batch, load_catalog(papers, TAXONOMY) if papers.exists() else _empty(), TAXONOMY, added)
        write_all({papers / a.path: a.text for a in first}, papers)
        catalog = load_catalog(papers, TAXONOMY)
        assert catalog.problems == []
        second = plan_import(batch, catalog, TAXONOMY, added)
        assert {a.kind for a in second} == {"unchanged"}
        assert {a.path: a.text for a in second} == {p.relative_to(papers).as_posix(): p.read_text() for p in papers.rglob("*.md")}


def _empty():
    from readinglist.catalog import Catalog

    return Catalog([])
