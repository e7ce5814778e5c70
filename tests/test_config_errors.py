"""A maintainer's mistakes outside the paper files: a broken, empty or duplicate-id
``topics.yml``, KaTeX not installed, a docs/ file clashing with a generated page, no
``site_url``. Each gives one located message and no traceback, from the build and from every
script."""

from __future__ import annotations

import pytest

from conftest import FIXTURE_PAPERS, ROOT, copy_project, mkdocs_build, mkdocs_build_in_process, run_script
from readinglist import cli
from readinglist.taxonomy import TaxonomyError, load_taxonomy

GOOD_TOPIC = """  - id: surveys
    name: Surveys
    description: Overviews.
    keywords: [survey]
"""

BROKEN_TOPICS = {
    "broken-yaml": ("fallback: surveys\ntopics:\n" + GOOD_TOPIC + "  - id: [unclosed\n",
                    "topics.yml:8: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence on line 7)"),
    "empty": ("", "topics.yml:1: expected a mapping with a non-empty 'topics' list"),
    "duplicate-id": ("fallback: surveys\ntopics:\n" + GOOD_TOPIC + GOOD_TOPIC.replace("Surveys", "Surveys again"),
                     "topics.yml:7: topic 'surveys': id 'surveys' is defined twice (first at line 3)"),
}
SCRIPTS = {
    "validate.py": (),
    "new_paper.py": ("--title", "A Paper", "--published", "2024-05-01"),
    "import_scrape.py": (ROOT / "tests/fixtures/scrape-unseen.txt",),
    "fetch_daily.py": ("--date", "2025-01-06", "--base-url", "http://127.0.0.1:9"),  # never reached
}


@pytest.mark.parametrize("case", BROKEN_TOPICS)
def test_load_taxonomy_locates_the_problem(case, tmp_path, monkeypatch):
    text, message = BROKEN_TOPICS[case]
    (tmp_path / "topics.yml").write_text(text)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(TaxonomyError) as error:
        load_taxonomy(tmp_path / "topics.yml")
    assert str(error.value).startswith(message)


def test_every_taxonomy_problem_is_listed_at_once(tmp_path, monkeypatch):
    text = ("fallback: nope\ntopics:\n" + GOOD_TOPIC + GOOD_TOPIC.replace("surveys", "Bad_Id")
            + GOOD_TOPIC.replace("[survey]", "[Survey]").replace("surveys", "other"))
    (tmp_path / "topics.yml").write_text(text)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(TaxonomyError) as error:
        load_taxonomy(tmp_path / "topics.yml")
    assert str(error.value).splitlines() == [
        "topics.yml:7: topic #2: id 'Bad_Id' must be lowercase letters, digits and '-'",
        "topics.yml:11: topic 'other': keyword 'Survey' must be a lowercase pattern",
    ]


@pytest.mark.parametrize("case", BROKEN_TOPICS)
@pytest.mark.parametrize("script", SCRIPTS)
def test_each_script_reports_a_broken_taxonomy(case, script, tmp_path, monkeypatch):
    text, message = BROKEN_TOPICS[case]
    (tmp_path / "topics.yml").write_text(text)
    monkeypatch.setattr(cli, "TOPICS_FILE", tmp_path / "topics.yml")
    monkeypatch.chdir(tmp_path)
    papers = tmp_path / "papers"
    result = run_script(script, *SCRIPTS[script], "--papers-dir", papers)
    assert result.returncode == 2
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.stderr
    assert not papers.exists()  # nothing written


@pytest.mark.parametrize("case", BROKEN_TOPICS)
def test_the_build_reports_a_broken_taxonomy(case, tmp_path):
    text, message = BROKEN_TOPICS[case]
    project = copy_project(tmp_path / "project", papers=None)
    (project / "topics.yml").write_text(text)
    result = mkdocs_build_in_process(project)
    assert result.returncode == 1
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


# --- The hook's own failure modes ---------------------------------------------------------


def test_the_site_needs_nothing_from_npm(tmp_path):
    """Math is MathML made at build time: without node_modules/ (test tools only) the site builds
    the same, and serves no math script, style sheet or font."""
    project = copy_project(tmp_path / "project", papers=FIXTURE_PAPERS)
    (project / "node_modules").unlink()
    result = mkdocs_build_in_process(project)
    assert result.returncode == 0, result.stderr
    served = [p.name for p in (project / "site").rglob("*") if p.is_file()]
    assert not [name for name in served if "katex" in name.lower() or name.endswith((".woff", ".woff2", ".ttf"))]


def test_a_docs_file_clashing_with_a_generated_page(tmp_path):
    """Through the real command line: the message and no traceback, as a maintainer sees it."""
    project = copy_project(tmp_path / "project", papers=FIXTURE_PAPERS)
    (project / "docs/topics").mkdir()
    (project / "docs/topics/surveys.md").write_text("# My own surveys page\n")
    result = mkdocs_build(project)
    assert result.returncode == 1
    assert "docs/topics/surveys.md clashes with a generated page; remove or rename it" in result.stderr
    assert "Traceback" not in result.stderr


def test_no_site_url(tmp_path):
    project = copy_project(tmp_path / "project", papers=None)
    config = project / "mkdocs.yml"
    config.write_text("".join(line for line in config.read_text().splitlines(keepends=True) if not line.startswith("site_url:")))
    result = mkdocs_build_in_process(project)
    assert result.returncode == 1
    assert "mkdocs.yml: site_url is required (feeds, exports and citations use absolute URLs)" in result.stderr
    assert "Traceback" not in result.stderr
