"""scripts/fetch_daily.py and scripts/new_paper.py against a local server replaying recorded
Hugging Face and arXiv responses (tests/fixtures/api/)."""

from __future__ import annotations

import pytest

from conftest import FIXTURE_PAPERS, copy_papers, run, run_script, snapshot
from fakeapi import FakeApi, Reply

DAY = "/api/daily_papers?date=2025-01-06"
DAY2 = "/api/daily_papers?date=2025-01-07"
FAST = ("--backoff", "0.05", "--retries", "2", "--timeout", "5")


@pytest.fixture
def api(fake_time):
    """The recorded API, with the fetchers' waits on a fake clock (``fake_time``)."""
    with FakeApi() as server:
        yield server


def fetch(api, papers, *extra):
    result = run_script("fetch_daily.py", "--date", "2025-01-06", "--papers-dir", papers, "--base-url", api.url,
                 "--added", "2025-01-08", *FAST, *extra)
    assert "Traceback" not in result.stderr
    return result


def test_normal_day_keeps_papers_in_scope_and_skips_withdrawn(api, tmp_path):
    api.route(DAY, Reply.file("daily-2025-01-06.json"))
    papers = tmp_path / "papers"
    result = fetch(api, papers)
    assert result.returncode == 0, result.stderr
    assert "created: papers/2025/induction-heads-revisited-how-attention-heads-copy-in-long-context.md" in result.stdout
    assert result.stdout.strip().endswith("1 new, 0 updated, 0 unchanged, 1 skipped as out of scope, 1 withdrawn, 0 rejected")
    assert sorted(snapshot(papers)) == ["2025/induction-heads-revisited-how-attention-heads-copy-in-long-context.md"]
    text = (papers / "2025/induction-heads-revisited-how-attention-heads-copy-in-long-context.md").read_text()
    assert text.startswith("---\ntitle: 'Induction Heads Revisited: How Attention Heads Copy in Long Context'\n"
                           "published: 2025-01-03\nauthors: [Ada Lovelace, Alan Turing, Grace Hopper]\nupvotes: 42\n"
                           "arxiv: '2501.01234'\nlinks:\n  code: https://github.com/example/induction-revisited\n"
                           "  project: https://example.org/induction\ntopics: [attention-heads")
    assert "We revisit induction heads, the attention heads that copy earlier tokens. We show how" in text
    assert run_script("validate.py", "--papers-dir", papers).returncode == 0
    # The project's User-Agent went with the request.
    assert api.requests[0][1]["User-Agent"].startswith("lm-reading-list/")


def test_second_run_changes_nothing_and_a_later_day_updates_only_upvotes(api, tmp_path):
    api.route(DAY, Reply.file("daily-2025-01-06.json"))
    api.route(DAY2, Reply.file("daily-2025-01-07.json"))
    papers = tmp_path / "papers"
    fetch(api, papers)
    before = snapshot(papers)
    again = fetch(api, papers)
    assert "0 new, 0 updated, 1 unchanged" in again.stdout
    assert snapshot(papers) == before
    path = papers / "2025/induction-heads-revisited-how-attention-heads-copy-in-long-context.md"
    path.write_text(path.read_text().replace("added: 2025-01-08\n", "added: 2025-01-08\nnote: Curated.\n").replace(
        "topics: [", "topics: [surveys, "))
    curated = path.read_text()
    later = run_script("fetch_daily.py", "--date", "2025-01-07", "--papers-dir", papers, "--base-url", api.url, *FAST)
    assert "0 new, 1 updated, 0 unchanged" in later.stdout
    assert path.read_text() == curated.replace("upvotes: 42", "upvotes: 57")


def test_range_of_days_and_an_empty_day(api, tmp_path):
    api.route(DAY, Reply.file("daily-empty.json"))
    api.route(DAY2, Reply.file("daily-empty.json"))
    result = fetch(api, tmp_path / "papers", "--until", "2025-01-07")
    assert result.returncode == 0
    assert "0 new, 0 updated, 0 unchanged, 0 skipped as out of scope, 0 withdrawn" in result.stdout
    assert len(api.requests) == 2


def test_429_with_retry_after_then_success(api, tmp_path, fake_time):
    api.route(DAY, Reply(429, b'{"error":"rate limited"}', headers={"Retry-After": "1"}), Reply.file("daily-2025-01-06.json"))
    result = fetch(api, tmp_path / "papers")
    assert result.returncode == 0, result.stderr
    assert len(api.hits(DAY)) == 2
    assert fake_time.slept == [1.0]  # Retry-After: 1 was honoured, not the 0.05 s backoff


def test_500_then_success(api, tmp_path):
    api.route(DAY, Reply(500, b"oops"), Reply(502, b"bad gateway"), Reply.file("daily-2025-01-06.json"))
    result = fetch(api, tmp_path / "papers")
    assert result.returncode == 0, result.stderr
    assert len(api.hits(DAY)) == 3
    assert "1 new" in result.stdout


def test_500_forever_fails_cleanly_and_touches_no_file(api, tmp_path):
    papers = tmp_path / "papers"
    api.route(DAY, Reply.file("daily-2025-01-06.json"))
    fetch(api, papers)
    before = snapshot(papers)
    api.route(DAY2, Reply(503, b"down"))
    # Day one would update a file; day two fails: nothing at all may be written.
    api.route(DAY, Reply.file("daily-2025-01-07.json"))
    result = fetch(api, papers, "--until", "2025-01-07")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "gave up on" in lines[0] and "/api/daily_papers?date=2025-01-07" in lines[0] and "HTTP 503" in lines[0]
    assert lines[0].endswith("Nothing was written.")
    assert len(api.hits(DAY2)) == 3
    assert snapshot(papers) == before


def test_timeout(api, tmp_path):
    api.route(DAY, Reply.file("daily-2025-01-06.json", delay=2))
    result = run_script("fetch_daily.py", "--date", "2025-01-06", "--papers-dir", tmp_path / "papers", "--base-url", api.url,
                        "--timeout", "0.1", "--retries", "1", "--backoff", "0.05")
    assert result.returncode == 1
    assert "no answer within 0 s" not in result.stderr
    assert "gave up on" in result.stderr and "no answer within" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "papers").exists()


def test_deadline(api, tmp_path, fake_time):
    api.route(DAY, Reply(500, b"oops"))
    result = run_script("fetch_daily.py", "--date", "2025-01-06", "--papers-dir", tmp_path / "papers", "--base-url", api.url,
                        "--retries", "50", "--backoff", "0.2", "--deadline", "1")
    assert result.returncode == 1
    assert "the overall deadline of 1 s has passed" in result.stderr
    # Back-offs of 0.2, 0.4, then what was left of the second: the deadline, not the retries, ended it.
    assert fake_time.slept == pytest.approx([0.2, 0.4, 0.4])
    assert len(api.hits(DAY)) == 3


def test_malformed_json(api, tmp_path):
    api.route(DAY, Reply(200, b"<html>maintenance</html>"))
    result = fetch(api, tmp_path / "papers")
    assert result.returncode == 1
    assert "the answer is not valid JSON" in result.stderr and "Traceback" not in result.stderr


def test_unexpected_json_shape(api, tmp_path):
    api.route(DAY, Reply(200, b'{"papers": []}'))
    result = fetch(api, tmp_path / "papers")
    assert result.returncode == 1
    assert "expected a list of papers, got dict" in result.stderr


def test_bad_dates_are_usage_errors(tmp_path):
    result = run_script("fetch_daily.py", "--date", "2025-02-30", "--papers-dir", tmp_path)
    assert result.returncode == 2 and "'2025-02-30' is not a date" in result.stderr
    result = run_script("fetch_daily.py", "--date", "2025-02-03", "--until", "2025-02-01", "--papers-dir", tmp_path)
    assert result.returncode == 2 and "--until is before --date" in result.stderr


# --- new_paper.py ---------------------------------------------------------------------------


def new_paper(api, papers, *args):
    result = run_script("new_paper.py", *args, "--papers-dir", papers, "--base-url", api.url, "--arxiv-url", api.url,
                 "--added", "2025-03-20", *FAST)
    assert "Traceback" not in result.stderr
    return result


def test_new_paper_from_hugging_face(api, tmp_path):
    api.route("/api/papers/2502.05555", Reply.file("paper-2502.05555.json"))
    papers = tmp_path / "papers"
    result = new_paper(api, papers, "https://huggingface.co/papers/2502.05555")
    assert result.returncode == 0, result.stderr
    path = papers / "2025/sparse-attention-heads-for-efficient-long-context-inference.md"
    assert result.stdout.strip() == str(path)
    text = path.read_text()
    assert "arxiv: '2502.05555'" in text and "authors: [Kim Lee, Sam Park]" in text and "upvotes: 12" in text
    assert "code: https://github.com/example/sparse-heads" in text
    assert "attention-heads" in text and "efficient-inference" in text
    assert run_script("validate.py", "--papers-dir", papers).returncode == 0


def test_new_paper_falls_back_to_arxiv(api, tmp_path):
    api.route("/api/query?id_list=2503.06666", Reply.file("arxiv-2503.06666.xml"))
    papers = tmp_path / "papers"
    result = new_paper(api, papers, "https://arxiv.org/pdf/2503.06666v2.pdf")
    assert result.returncode == 0, result.stderr
    text = (papers / "2025/benchmarking-hallucination-in-multilingual-language-models.md").read_text()
    assert "title: Benchmarking Hallucination in Multilingual Language Models\n" in text
    assert "published: 2025-03-09" in text and "authors: [Maria Garcia, Wei Zhang]" in text
    assert "data: https://huggingface.co/datasets/example/halu-bench" in text
    assert "upvotes" not in text
    assert [k for k, _, _ in api.requests] == ["/api/papers/2503.06666", "/api/query?id_list=2503.06666"]


def test_new_paper_arxiv_error_entry(api, tmp_path):
    api.route("/api/query?id_list=2503.09999", Reply.file("arxiv-error.xml"))
    result = new_paper(api, tmp_path / "papers", "2503.09999")
    assert result.returncode == 1
    assert "arXiv reports an error: incorrect id format" in result.stderr


def test_new_paper_refuses_a_paper_already_listed(api, tmp_path):
    api.route("/api/papers/2502.05555", Reply.file("paper-2502.05555.json"))
    papers = tmp_path / "papers"
    new_paper(api, papers, "2502.05555")
    before = snapshot(papers)
    again = new_paper(api, papers, "arXiv:2502.05555v3")
    assert again.returncode == 1
    assert again.stderr.strip() == "already in the list: papers/2025/sparse-attention-heads-for-efficient-long-context-inference.md"
    by_title = new_paper(api, papers, "--title", "Sparse attention heads for efficient long-context inference", "--published", "2025-02-10")
    assert by_title.returncode == 1 and "already in the list" in by_title.stderr
    assert snapshot(papers) == before


def test_new_paper_offline_scaffold(tmp_path):
    papers = tmp_path / "papers"
    result = run_script("new_paper.py", "--title", "A Paper Without arXiv: null", "--published", "2024-05-01",
                 "--papers-dir", papers, "--added", "2024-06-01")
    assert result.returncode == 0, result.stderr
    path = papers / "2024/a-paper-without-arxiv-null.md"
    assert result.stdout.strip() == str(path)
    assert "replace the placeholder abstract" in result.stderr
    assert "title: 'A Paper Without arXiv: null'" in path.read_text()
    assert run_script("validate.py", "--papers-dir", papers).returncode == 0


def test_new_paper_bad_input(tmp_path):
    result = run_script("new_paper.py", "not-an-id", "--papers-dir", tmp_path)
    assert result.returncode == 2 and "'not-an-id' is not an arXiv id" in result.stderr
    result = run_script("new_paper.py", "--papers-dir", tmp_path)
    assert result.returncode == 2 and "give either an arXiv id" in result.stderr


def test_new_paper_refuses_a_title_of_the_fixture_list(tmp_path):
    papers = copy_papers(tmp_path / "papers", FIXTURE_PAPERS)
    before = snapshot(papers)
    result = run_script("new_paper.py", "--title", "A survey on mixture-of-experts", "--published", "2024-06-26", "--papers-dir", papers)
    assert result.returncode == 1
    assert result.stderr.strip() == "already in the list: papers/2024/a-survey-on-mixture-of-experts.md"
    assert snapshot(papers) == before


# --- The scripts as programs (one subprocess each; the rest run in-process) --------------


def test_fetch_daily_runs_as_a_program(api, tmp_path):
    api.route(DAY, Reply.file("daily-2025-01-06.json"))
    result = run("scripts/fetch_daily.py", "--date", "2025-01-06", "--papers-dir", tmp_path / "papers", "--base-url", api.url,
                 "--added", "2025-01-08", *FAST)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("1 new, 0 updated, 0 unchanged, 1 skipped as out of scope, 1 withdrawn, 0 rejected")


def test_new_paper_runs_as_a_program(tmp_path):
    result = run("scripts/new_paper.py", "--title", "Sparse Attention Heads for Long Context Retrieval", "--published", "2025-06-01",
                 "--papers-dir", tmp_path / "papers", "--added", "2025-06-02")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "papers/2025/sparse-attention-heads-for-long-context-retrieval.md")
