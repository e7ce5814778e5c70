"""scripts/validate.py on good and bad folders: every message names file, line and key."""

from __future__ import annotations

import shutil

import pytest

from conftest import FIXTURE_PAPERS, mkdocs_build, run, run_script

GOOD = """---
title: A Good Paper
published: 2024-03-01
author_count: 2
topics: [surveys]
added: 2024-04-01
---

An abstract.
"""


@pytest.fixture
def papers(tmp_path):
    folder = tmp_path / "papers"
    (folder / "2024").mkdir(parents=True)
    (folder / "2024/a-good-paper.md").write_text(GOOD)
    return folder


def validate(folder, *extra):
    result = run_script("validate.py", "--papers-dir", folder, *extra)
    assert "Traceback" not in result.stderr + result.stdout
    return result


def test_the_fixture_papers_are_valid():
    result = validate(FIXTURE_PAPERS)
    assert result.returncode == 0, result.stdout
    assert result.stdout == "41 paper(s), all valid.\n"


def test_validate_runs_as_a_program(papers):
    result = run("scripts/validate.py", "--papers-dir", papers, "--github")
    assert (result.returncode, result.stdout, result.stderr) == (0, "1 paper(s), all valid.\n", "")


def test_good_folder(papers):
    result = validate(papers)
    assert result.returncode == 0
    assert result.stdout.strip() == "1 paper(s), all valid."


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("2024/bad-yaml.md", GOOD.replace("title: A Good Paper", "title: [A Good"), "papers/2024/bad-yaml.md:3: invalid YAML"),
    ("2024/unknown-key.md", GOOD.replace("added:", "tags: [x]\nadded:").replace("A Good", "B"),
     "papers/2024/unknown-key.md:6: tags: unknown key; allowed keys: title, published"),
    ("2024/bad-topic.md", GOOD.replace("[surveys]", "[agents]").replace("A Good", "C"),
     "papers/2024/bad-topic.md:5: topics: unknown topic 'agents'; valid topics: applications, attention-heads"),
    ("2024/bad-date.md", GOOD.replace("2024-03-01", "2024-02-30").replace("A Good", "D"),
     "papers/2024/bad-date.md:3: published: '2024-02-30' is not a date; expected YYYY-MM-DD"),
    ("2024/bad-url.md", GOOD.replace("author_count: 2", "links:\n  code: ftp://x.org/repo").replace("A Good", "E"),
     "papers/2024/bad-url.md:5: links.code: 'ftp://x.org/repo' is not an absolute http(s) URL"),
    ("2023/wrong-year.md", GOOD.replace("A Good", "F"),
     "papers/2023/wrong-year.md:3: published: 2024-03-01 is not in 2023, the year of the folder"),
    ("2024/Bad_Name.md", GOOD.replace("A Good", "G"), "papers/2024/Bad_Name.md:1: file name 'Bad_Name.md' is not a slug"),
    ("2024/dup-title.md", GOOD.replace("A Good Paper", "a good paper!"),
     "papers/2024/dup-title.md:2: title: the same title is already in the list as papers/2024/a-good-paper.md"),
])
def test_each_bad_file_is_named_with_line_and_key(papers, name, text, expected):
    (papers / name).parent.mkdir(exist_ok=True)
    (papers / name).write_text(text)
    result = validate(papers)
    assert result.returncode == 1
    assert expected in result.stdout, result.stdout
    assert "problem(s) in 1 file(s); 1 paper(s) are valid." in result.stdout


def test_duplicate_arxiv_names_both_files(papers):
    (papers / "2024/a-good-paper.md").write_text(GOOD.replace("author_count: 2", "arxiv: '2403.00001'"))
    (papers / "2024/other.md").write_text(GOOD.replace("A Good Paper", "Other").replace("author_count: 2", "arxiv: 2403.00001"))
    result = validate(papers)
    assert "papers/2024/other.md:4: arxiv: 2403.00001 is already in the list as papers/2024/a-good-paper.md" in result.stdout


def test_non_utf8_file(papers):
    (papers / "2024/latin.md").write_bytes(GOOD.replace("An abstract.", "Caf\xe9").encode("latin-1"))
    result = validate(papers)
    assert "papers/2024/latin.md:9: is not valid UTF-8 (byte 0xe9); save the file as UTF-8" in result.stdout


def test_all_problems_of_all_files_are_listed(papers):
    (papers / "2024/one.md").write_text(GOOD.replace("A Good", "One").replace("[surveys]", "[nope]").replace("2024-04-01", "x"))
    (papers / "2024/two.md").write_text(GOOD.replace("A Good", "Two").replace("author_count: 2", "author_count: 0"))
    result = validate(papers)
    lines = [line for line in result.stdout.splitlines() if line.startswith("papers/")]
    assert [line.split(": ")[0] for line in lines] == ["papers/2024/one.md:5", "papers/2024/one.md:6", "papers/2024/two.md:4"]
    assert "3 problem(s) in 2 file(s)" in result.stdout


def test_github_annotations(papers):
    (papers / "2024/one.md").write_text(GOOD.replace("A Good", "One").replace("[surveys]", "[nope]"))
    result = validate(papers, "--github")
    assert "::error file=papers/2024/one.md,line=5::topics: unknown topic 'nope'" in result.stdout


def test_build_fails_with_the_same_messages(project):
    shutil.copy(project / "papers/2024/a-survey-on-mixture-of-experts.md", project / "papers/2024/broken.md")
    text = (project / "papers/2024/broken.md").read_text().replace("topics: [", "topics: [nope, ")
    (project / "papers/2024/broken.md").write_text(text)
    validated = validate(project / "papers")
    message = next(line for line in validated.stdout.splitlines() if line.startswith("papers/2024/broken.md"))
    built = mkdocs_build(project)
    assert built.returncode != 0
    assert message in built.stderr
    assert "Traceback" not in built.stderr
