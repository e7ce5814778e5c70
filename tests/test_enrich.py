"""scripts/enrich.py (issue 10) against a local server replaying recorded Hugging Face and
arXiv answers (tests/fixtures/api/search-*.json, arxiv-search-*.xml): a certain match is
written, anything less is reported and not written, a failing source writes nothing, and
arXiv is never asked twice within 3 seconds (checked with an injected clock, never a sleep)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

import pytest

from conftest import ROOT, run, run_script
from fakeapi import FakeApi, Reply
from readinglist.catalog import Catalog
from readinglist.enrich import Finder, arxiv_query, decide, enrich
from readinglist.http import Http
from readinglist.model import Paper, parse_paper
from readinglist.sources.entry import SourceEntry
from readinglist.taxonomy import load_taxonomy

FAST = ("--backoff", "0.05", "--retries", "1", "--timeout", "5")
TOPICS = load_taxonomy(ROOT / "topics.yml").ids

LONGHEADS = ("2024/longheads-multi-head-attention-is-secretly-a-long-context-processor.md", """---
title: 'LongHeads: Multi-Head Attention is Secretly a Long Context Processor'
published: 2024-02-16
author_count: 8
upvotes: 3
topics: [long-context, attention-heads]
added: 2026-11-28
note: Read it for the chunking trick.
---

Multi-head attention is secretly a long context processor. We show that heads can be chunked.
""")
TINYSTORIES = ("2023/tinystories-how-small-can-language-models-be-and-still-speak-coherent-english.md", """---
title: 'TinyStories: How Small Can Language Models Be and Still Speak Coherent English?'
published: 2023-05-12
author_count: 2
upvotes: 5
topics: [foundations]
added: 2026-11-28
---

Language models (LMs) are powerful tools for natural language processing, but they often struggle.
""")
COMPLEXFORMER = ("2025/complexformer-disruptively-advancing-transformer-inference-ability-via-head.md", """---
title: 'ComplexFormer: Disruptively Advancing Transformer Inference Ability via Head-Specific Complex Vector Attention'
published: 2025-05-15
author_count: 7
upvotes: 0
topics: [efficient-inference]
added: 2026-11-28
---

Transformer models rely on self-attention to capture token dependencies.
""")
COMPLETE = ("2024/a-complete-paper-about-attention-heads.md", """---
title: A Complete Paper About Attention Heads
published: 2024-01-10
authors: [Ada Lovelace]
arxiv: '2401.00001'
topics: [attention-heads]
added: 2026-11-28
---

Complete already.
""")


def hf_search(paper_file: tuple[str, str]) -> str:
    title = parse(paper_file).title
    return "/api/papers/search?" + urlencode({"q": title})


def arxiv_search(paper_file: tuple[str, str]) -> str:
    return "/api/query?" + urlencode({"search_query": arxiv_query(parse(paper_file).title), "max_results": "10"})


def parse(paper_file: tuple[str, str]) -> Paper:
    paper, problems = parse_paper(paper_file[1], paper_file[0], TOPICS)
    assert not problems, problems
    return paper


@pytest.fixture
def api():
    with FakeApi() as server:
        yield server


def folder(tmp_path: Path, *files: tuple[str, str]) -> Path:
    papers = tmp_path / "papers"
    for rel, text in files:
        (papers / rel).parent.mkdir(parents=True, exist_ok=True)
        (papers / rel).write_text(text, encoding="utf-8")
    return papers


def snapshot(papers: Path) -> dict[str, bytes]:
    return {p.relative_to(papers).as_posix(): p.read_bytes() for p in sorted(papers.rglob("*")) if p.is_file()}


def enrich_run(api, papers, *extra, program: bool = False):
    """scripts/enrich.py against the fake API, in this process (or as a program)."""
    argv = ("--papers-dir", papers, "--base-url", api.url, "--arxiv-url", api.url, *FAST, *extra)
    result = run("scripts/enrich.py", *argv) if program else run_script("enrich.py", *argv)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def front(papers: Path, rel: str) -> Paper:
    paper, problems = parse_paper((papers / rel).read_text(encoding="utf-8"), rel, TOPICS)
    assert not problems, problems
    return paper


def test_a_certain_match_is_written_and_a_second_run_changes_nothing(api, tmp_path):
    api.route(hf_search(LONGHEADS), Reply.file("search-certain.json"))
    papers = folder(tmp_path, LONGHEADS, COMPLETE)
    before = front(papers, LONGHEADS[0])
    result = enrich_run(api, papers, program=True)  # once through the real command line
    assert result.returncode == 0, result.stderr
    assert f"enriched: papers/{LONGHEADS[0]}: arXiv 2402.10685, 8 authors" in result.stdout
    assert result.stdout.strip().endswith("1 enriched, 0 candidates to check, 0 not found, 1 already complete")
    after = front(papers, LONGHEADS[0])
    assert after.arxiv == "2402.10685" and after.authors[0] == "Yi Lu" and len(after.authors) == 8
    assert after.author_count is None and after.withdrawn is None
    # What the curators own is untouched.
    for key in ("title", "published", "added", "topics", "note", "abstract", "upvotes", "links"):
        assert getattr(after, key) == getattr(before, key), key
    assert api.hits("/api/query?" + urlencode({"search_query": arxiv_query(before.title), "max_results": "10"})) == []
    assert run("scripts/validate.py", "--papers-dir", papers).returncode == 0

    first = snapshot(papers)
    again = enrich_run(api, papers)
    assert again.returncode == 0
    assert again.stdout.strip() == "0 enriched, 0 candidates to check, 0 not found, 2 already complete"
    assert snapshot(papers) == first


def test_a_near_miss_is_a_candidate_and_nothing_is_written(api, tmp_path):
    api.route(hf_search(LONGHEADS), Reply.file("search-near-miss.json"))
    api.route(arxiv_search(LONGHEADS), Reply.file("arxiv-2503.06666.xml"))  # arXiv finds nothing like it
    papers = folder(tmp_path, LONGHEADS)
    before = snapshot(papers)
    result = enrich_run(api, papers)
    assert result.returncode == 0, result.stderr
    assert (f"papers/{LONGHEADS[0]}: possible match 2402.10685 "
            '"LongHeads: Multi-Head Attention is Secretly a Long Context Processor": dates differ by 40 days') in result.stdout
    assert result.stdout.strip().endswith("0 enriched, 1 candidate to check, 0 not found, 0 already complete")
    assert snapshot(papers) == before


def test_two_equal_candidates_are_both_reported_and_neither_written(api, tmp_path):
    api.route(hf_search(LONGHEADS), Reply.file("search-two-candidates.json"))
    papers = folder(tmp_path, LONGHEADS)
    before = snapshot(papers)
    result = enrich_run(api, papers)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if "possible match" in line]
    assert [line.split("possible match ")[1].split()[0] for line in lines] == ["2402.10685", "2402.11111"]
    assert all(line.endswith("fits too, so neither is certain") for line in lines)
    assert "1 candidate to check" in result.stdout
    assert snapshot(papers) == before
    # Both fit, so arXiv (which could only add a third) was not asked.
    assert not any(key.startswith("/api/query") for key, _, _ in api.requests)


def test_hugging_face_empty_then_arxiv_found(api, tmp_path):
    api.route(hf_search(TINYSTORIES), Reply.file("search-empty.json"))
    api.route(arxiv_search(TINYSTORIES), Reply.file("arxiv-search-tinystories.xml"))
    papers = folder(tmp_path, TINYSTORIES)
    result = enrich_run(api, papers)
    assert result.returncode == 0, result.stderr
    assert f"enriched: papers/{TINYSTORIES[0]}: arXiv 2305.07759, 2 authors" in result.stdout
    after = front(papers, TINYSTORIES[0])
    assert after.authors == ("Ronen Eldan", "Yuanzhi Li") and after.arxiv == "2305.07759"
    # The phrase query has no punctuation (it would break arXiv's phrase search).
    assert arxiv_search(TINYSTORIES).startswith("/api/query?search_query=ti%3A%22TinyStories+How+Small+Can")
    assert api.requests[-1][1]["Accept"] == "application/atom+xml"


@pytest.mark.parametrize("down", ["hugging-face", "arxiv"])
def test_sources_down_give_one_clean_line_and_write_nothing(api, tmp_path, down):
    # A paper that would be enriched comes first: nothing is written from a partial run.
    api.route(hf_search(LONGHEADS), Reply.file("search-certain.json"))
    if down == "hugging-face":
        api.route(hf_search(TINYSTORIES), Reply(500, b"oops"))
    else:
        api.route(hf_search(TINYSTORIES), Reply.file("search-empty.json"))
        api.route(arxiv_search(TINYSTORIES), Reply(503, b"busy"))
    papers = folder(tmp_path, LONGHEADS, TINYSTORIES)
    before = snapshot(papers)
    result = enrich_run(api, papers)
    assert result.returncode == 1
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith("enrich: gave up on http://127.0.0.1:")
    assert "server error (HTTP 50" in errors[0] and errors[0].endswith("Nothing was written.")
    assert snapshot(papers) == before


@pytest.mark.parametrize(("hf", "arxiv"), [("search-withdrawn.json", None), ("search-empty.json", "arxiv-search-withdrawn.xml")],
                         ids=["hugging-face-withdrawnAt", "arxiv-withdrawal-notice"])
def test_a_withdrawn_paper_is_marked(api, tmp_path, hf, arxiv):
    api.route(hf_search(COMPLEXFORMER), Reply.file(hf))
    if arxiv:
        api.route(arxiv_search(COMPLEXFORMER), Reply.file(arxiv))
    papers = folder(tmp_path, COMPLEXFORMER)
    result = enrich_run(api, papers)
    assert result.returncode == 0, result.stderr
    assert f"enriched: papers/{COMPLEXFORMER[0]}: arXiv 2505.10222, 7 authors, withdrawn 2025-05-27" in result.stdout
    after = front(papers, COMPLEXFORMER[0])
    assert after.withdrawn == dt.date(2025, 5, 27) and after.abstract.startswith("Transformer models rely")


def test_dry_run_and_only(api, tmp_path):
    api.route(hf_search(LONGHEADS), Reply.file("search-certain.json"))
    papers = folder(tmp_path, LONGHEADS, TINYSTORIES)
    before = snapshot(papers)
    result = enrich_run(api, papers, "--dry-run", "--only", f"papers/{LONGHEADS[0]}")
    assert result.returncode == 0, result.stderr
    assert f"would be enriched: papers/{LONGHEADS[0]}" in result.stdout
    assert result.stdout.strip().endswith("(dry run: nothing written)")
    assert snapshot(papers) == before
    assert [key for key, _, _ in api.requests] == [hf_search(LONGHEADS)]  # TinyStories was not asked about
    bad = enrich_run(api, papers, "--only", "papers/2024/no-such-paper.md")
    assert bad.returncode == 2 and "not a paper file" in bad.stderr


def test_an_id_another_paper_has_is_never_written():
    paper = parse(LONGHEADS)
    entry = SourceEntry(title=paper.title, abstract=paper.abstract, published=paper.published,
                        authors=tuple(f"A{i} B" for i in range(8)), arxiv="2402.10685")
    outcome = decide(paper, [entry], Catalog([replace(paper, path="2024/other.md", title="Another paper", arxiv="2402.10685")]))
    assert outcome.kind == "candidate"
    assert outcome.candidates[0].problems == ("its arXiv id is already used by 2024/other.md",)


def test_author_count_may_differ_when_the_abstracts_open_alike():
    paper = parse(LONGHEADS)
    same = SourceEntry(title=paper.title, abstract=paper.abstract + " More.", published=paper.published,
                       authors=tuple(f"A{i} B" for i in range(9)), arxiv="2402.10685")
    other = SourceEntry(title=paper.title, abstract="A different opening. Yes.", published=paper.published,
                        authors=tuple(f"A{i} B" for i in range(9)), arxiv="2402.10685")
    assert decide(paper, [same], Catalog([])).kind == "enriched"
    outcome = decide(paper, [other], Catalog([]))
    assert outcome.kind == "candidate" and "9 authors where the file says 8" in outcome.candidates[0].problems[0]


def test_arxiv_is_asked_at_most_once_every_three_seconds(api):
    """Two papers that Hugging Face does not know: the second arXiv request waits out the
    rest of the 3 seconds on an injected clock (which only the injected sleep moves)."""
    now = [1000.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    for paper_file in (TINYSTORIES, LONGHEADS):
        api.route(hf_search(paper_file), Reply.file("search-empty.json"))
        api.route(arxiv_search(paper_file), Reply.file("arxiv-search-tinystories.xml"))
    http = Http(timeout=5, retries=0, clock=lambda: now[0], sleep=sleep)
    finder = Finder(http, base_url=api.url, arxiv_url=api.url, clock=lambda: now[0], sleep=sleep)
    papers = [parse(TINYSTORIES), parse(LONGHEADS)]
    outcomes = enrich(papers, Catalog(papers), finder)
    assert [o.kind for o in outcomes] == ["enriched", "not found"]
    assert sleeps == [3.0]
    arxiv_hits = [key for key, _, _ in api.requests if key.startswith("/api/query")]
    assert len(arxiv_hits) == 2


def test_fetch_daily_marks_a_listed_paper_withdrawn(api, tmp_path):
    """The daily list says a paper already in the list was withdrawn: its file gets
    ``withdrawn`` (a source-owned field) and nothing the curators own changes."""
    listed = ("2025/a-withdrawn-survey-of-hallucination-in-language-models.md", """---
title: A Withdrawn Survey of Hallucination in Language Models
published: 2025-01-02
author_count: 1
upvotes: 0
topics: [hallucination, surveys]
added: 2025-01-03
note: Kept for the record.
---

This survey of hallucination was withdrawn by its authors.
""")
    api.route("/api/daily_papers?date=2025-01-06", Reply.file("daily-2025-01-06.json"))
    papers = folder(tmp_path, listed)
    result = run("scripts/fetch_daily.py", "--date", "2025-01-06", "--papers-dir", papers, "--base-url", api.url,
                 "--added", "2025-01-08", *FAST)
    assert result.returncode == 0, result.stderr
    assert f"updated: papers/{listed[0]}" in result.stdout
    assert result.stdout.strip().endswith("1 new, 1 updated, 0 unchanged, 1 skipped as out of scope, 0 withdrawn, 0 rejected")
    after = front(papers, listed[0])
    assert after.withdrawn == dt.date(2025, 1, 5) and after.arxiv == "2501.09999" and after.authors == ("W. Drawn",)
    assert after.note == "Kept for the record." and after.topics == ("hallucination", "surveys")


def test_a_hostile_title_from_a_source_prints_as_one_plain_line():
    paper = parse(LONGHEADS)
    entry = SourceEntry(title=paper.title + "\x1b[2J\x07 \u202e", abstract="x", published=paper.published,
                        authors=("A B",), arxiv="2402.10685")
    outcome = decide(paper, [entry], Catalog([]))
    assert outcome.kind == "candidate"  # the title differs
    (line,) = outcome.lines("papers/x.md")
    assert line.isprintable() and "[2J" in line and "\x1b" not in line


def test_a_known_id_is_looked_up_by_id_and_arxiv_answers_when_hugging_face_does_not_know_it(api, tmp_path):
    listed = ("2025/benchmarking-hallucination-in-multilingual-language-models.md", """---
title: Benchmarking Hallucination in Multilingual Language Models
published: 2025-03-09
author_count: 2
arxiv: '2503.06666'
topics: [hallucination]
added: 2025-03-10
---

We introduce a benchmark for hallucination across twelve languages.
""")
    api.route("/api/query?id_list=2503.06666", Reply.file("arxiv-2503.06666.xml"))  # Hugging Face: 404
    papers = folder(tmp_path, listed)
    result = enrich_run(api, papers)
    assert result.returncode == 0, result.stderr
    assert f"enriched: papers/{listed[0]}: 2 authors" in result.stdout
    assert front(papers, listed[0]).authors == ("Maria Garcia", "Wei Zhang")
    assert [key for key, _, _ in api.requests] == ["/api/papers/2503.06666", "/api/query?id_list=2503.06666"]


def test_a_huge_title_from_a_source_is_judged_quickly():
    """Similarity is quadratic in the title length: a source's megabyte title is cut short
    and never compared (bounded time, whatever the API answers)."""
    paper = parse(LONGHEADS)
    huge = SourceEntry(title="a" * 1_000_000, abstract="x", published=paper.published, authors=("A B",), arxiv="2402.10685")
    near = SourceEntry(title=paper.title.replace("Secretly", "Secret"), abstract="x", published=paper.published,
                       authors=("A B",), arxiv="2402.22222")
    outcome = decide(paper, [huge, near], Catalog([]))
    assert [c.entry.arxiv for c in outcome.candidates] == ["2402.22222"]
