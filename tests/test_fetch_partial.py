"""One unreadable paper in a day's Hugging Face answer costs only itself: it is rejected with a
line naming the answer and the paper, and the rest of the day is imported."""

from __future__ import annotations

import json

import yaml

from conftest import run
from hostile_server import HostileServer, Raw, response
from readinglist.sources.huggingface import daily_entries

DAY = "2024-01-02"


def hf(arxiv: str, title: object, **fields) -> dict:
    return {"id": arxiv, "title": title, "summary": "We study attention heads in language models and how they retrieve.",
            "publishedAt": f"{DAY}T00:00:00.000Z", "authors": [{"name": "A. Author"}], "upvotes": 3, **fields}


def test_daily_entries_keeps_the_readable_papers_and_names_each_bad_one():
    items = [{"paper": hf("2401.00001", "Attention Heads for Retrieval")},
             {"paper": hf("2401.00002", "Bad Authors", authors=5)},
             {"not a paper": 1},
             {"paper": hf("2401.00003", "Sparse Attention Heads")},
             {"paper": hf("2401.00004", 7, withdrawnAt="2024-01-03")}]  # withdrawn and unreadable: skipped
    entries, withdrawn, problems = daily_entries(items, "https://hf/api/daily_papers?date=2024-01-02")
    assert [e.arxiv for e in entries] == ["2401.00001", "2401.00003"]
    assert withdrawn == []
    assert [(p.path, p.message) for p in problems] == [
        ("https://hf/api/daily_papers?date=2024-01-02", "paper 2401.00002: 'authors' is int, not a list"),
        ("https://hf/api/daily_papers?date=2024-01-02", "item 2 has no 'paper' object")]


def test_fetch_daily_imports_the_good_papers_and_rejects_the_bad_ones(tmp_path):
    papers = tmp_path / "papers"
    body = json.dumps([{"paper": hf("2401.00001", "Attention Heads for Long Context Retrieval")},
                       {"paper": hf("2401.00002", "Attention heads \u001b]8;;https://evil\u0007 trick")},
                       {"paper": hf("2401.00003", "Retrieval Heads", authors={"name": "x"})}]).encode()
    with HostileServer() as server:
        server.route("/api/daily_papers", Raw(response(200, body)))
        result = run("scripts/fetch_daily.py", "--date", DAY, "--papers-dir", papers, "--base-url", server.url, "--retries", "0")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    rejected = [line for line in result.stderr.splitlines() if line.startswith("rejected: ")]
    assert len(rejected) == 2
    assert "paper 2401.00002: the title contains the character U+001B" in rejected[0]
    assert "paper 2401.00003: 'authors' is dict, not a list" in rejected[1]
    assert all("/api/daily_papers?date=2024-01-02" in line for line in rejected)
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "1 new" in result.stdout and "2 rejected" in result.stdout
    written = list(papers.rglob("*.md"))
    assert len(written) == 1
    front = yaml.safe_load(written[0].read_text().split("---")[1])
    assert front["arxiv"] == "2401.00001"


def test_an_answer_that_is_not_a_list_still_writes_nothing(tmp_path):
    papers = tmp_path / "papers"
    with HostileServer() as server:
        server.route("/api/daily_papers", Raw(response(200, b'{"papers": []}')))
        result = run("scripts/fetch_daily.py", "--date", DAY, "--papers-dir", papers, "--base-url", server.url, "--retries", "0")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "expected a list of papers, got dict" in result.stderr and result.stderr.strip().endswith("Nothing was written.")
    assert not papers.exists() or not list(papers.rglob("*.md"))
