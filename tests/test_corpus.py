"""The bad-input corpus (tests/corpus/): every broken paper file and scrape fragment gives
exactly the error recorded beside it, naming file, line and key. Cases named ok-* are
accepted on purpose (byte-order mark, CRLF, strings YAML would retype, a repeated entry).
The cases run the scripts' ``main`` in-process; one case also runs each as a program."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT, run, run_script

CORPUS = Path(__file__).parent / "corpus"
PAPER_CASES = sorted(p for p in (CORPUS / "papers").iterdir() if p.is_dir())
SCRAPE_CASES = sorted((CORPUS / "scrapes").glob("*.txt"))


def test_the_corpus_is_large_enough():
    assert sum(not c.name.startswith("ok-") for c in PAPER_CASES) >= 25
    assert sum(not c.name.startswith("ok-") for c in SCRAPE_CASES) >= 15


@pytest.mark.parametrize("case", PAPER_CASES, ids=lambda p: p.name)
def test_broken_paper_files(case):
    expected = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    result = run_script("validate.py", "--papers-dir", case / "papers")
    problems = [line for line in result.stdout.splitlines() if line.startswith("papers/")]
    assert problems == expected
    assert result.returncode == (1 if expected else 0)
    assert "Traceback" not in result.stdout + result.stderr
    for line in expected:  # file, line number, then a message saying what is expected
        path, number, rest = line.split(":", 2)
        assert path.startswith("papers/") and path.endswith(".md") and int(number) >= 1 and len(rest) > 20


@pytest.mark.parametrize("case", SCRAPE_CASES, ids=lambda p: p.stem)
def test_broken_scrape_fragments(case, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # the messages name the scrape as given: tests/corpus/scrapes/...
    expected = case.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    papers = tmp_path / "papers"
    result = run_script("import_scrape.py", case.relative_to(ROOT), "--papers-dir", papers, "--added", "2026-11-28")
    messages = [line.removeprefix("rejected: ") for line in result.stderr.splitlines()]
    assert messages == expected
    assert result.returncode == (1 if expected else 0)
    assert "Traceback" not in result.stderr
    # Whatever was refused, what was written is valid and complete.
    if papers.exists():
        assert run_script("validate.py", "--papers-dir", papers).returncode == 0
        assert not list(papers.rglob("*.tmp"))


def test_a_corpus_case_through_the_programs(tmp_path):
    """The in-process runs above give what a user sees: the same case run as programs."""
    case = next(c for c in PAPER_CASES if not c.name.startswith("ok-"))
    result = run("scripts/validate.py", "--papers-dir", case / "papers")
    assert result.returncode == 1
    assert [line for line in result.stdout.splitlines() if line.startswith("papers/")] == \
        (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    scrape = next(c for c in SCRAPE_CASES if not c.name.startswith("ok-"))
    result = run("scripts/import_scrape.py", scrape.relative_to(ROOT), "--papers-dir", tmp_path / "papers", "--added", "2026-11-28")
    assert result.returncode == 1
    assert [line.removeprefix("rejected: ") for line in result.stderr.splitlines()] == \
        scrape.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
