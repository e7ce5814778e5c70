"""The GitHub workflows and templates, linted offline, and the scripts' CLI contracts."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, run, run_script

WORKFLOWS = sorted((ROOT / ".github/workflows").glob("*.yml"))
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    path = BIN / name
    return str(path) if path.exists() else (shutil.which(name) or name)


def load(path: Path) -> dict:
    # PyYAML reads the key `on` as True; that is fine for these checks.
    return yaml.safe_load(path.read_text())


def test_there_are_the_three_workflows():
    assert [p.name for p in WORKFLOWS] == ["ci.yml", "import.yml", "publish.yml"]


def test_zizmor_reports_nothing():
    result = run(tool("zizmor"), "--offline", "--no-progress", ROOT / ".github/workflows")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


def test_workflows_match_the_github_schema():
    # One run for every workflow: the tool's start-up is most of its time.
    result = run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


def test_issue_form_matches_the_github_schema():
    result = run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-issue-forms",
                 ROOT / ".github/ISSUE_TEMPLATE/suggest-paper.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    form = yaml.safe_load((ROOT / ".github/ISSUE_TEMPLATE/suggest-paper.yml").read_text())
    arxiv = next(b for b in form["body"] if b.get("id") == "arxiv")
    assert arxiv["validations"]["required"] is True
    topics = yaml.safe_load((ROOT / "topics.yml").read_text())["topics"]
    dropdown = next(b for b in form["body"] if b.get("id") == "topic")
    assert dropdown["attributes"]["options"] == [t["name"] for t in topics]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_pinned_least_privilege_no_pull_request_target(path):
    text = path.read_text()
    data = load(path)
    assert "pull_request_target" not in text
    assert data["permissions"] == {"contents": "read"}
    for line in re.findall(r"uses:\s*(\S+.*)", text):
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}\s+#\s+v\d+(\.\d+)*", line), line
    for job in data["jobs"].values():
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
    assert "concurrency" in data


def test_only_the_deploy_job_can_write_pages():
    data = load(ROOT / ".github/workflows/publish.yml")
    assert data["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert "permissions" not in data["jobs"]["build"]
    triggers = data[True]
    assert set(triggers) == {"push", "schedule", "workflow_dispatch"}
    assert data["concurrency"]["group"] == "pages"


def test_ci_shows_validation_errors_as_annotations():
    text = (ROOT / ".github/workflows/ci.yml").read_text()
    assert "scripts/validate.py --github" in text and "make test" in text and "make build" in text
    assert load(ROOT / ".github/workflows/ci.yml")[True].keys() == {"pull_request", "push"}


def test_import_opens_one_pull_request_and_takes_inputs_through_the_environment():
    data = load(ROOT / ".github/workflows/import.yml")
    steps = data["jobs"]["fetch"]["steps"]
    fetch = next(s for s in steps if s.get("name") == "Fetch the previous days")
    assert "${{" not in fetch["run"]  # inputs reach the shell as $DAYS, never spliced into the script
    pr = next(s for s in steps if s.get("uses", "").startswith("peter-evans/create-pull-request@"))
    assert pr["with"]["branch"] == "import/daily-papers"
    assert pr["with"]["add-paths"] == "papers/**"


@pytest.mark.parametrize("script", ["validate.py", "import_scrape.py", "new_paper.py", "fetch_daily.py"])
def test_scripts_have_help(script):
    result = run_script(script, "--help")
    assert result.returncode == 0
    assert "--papers-dir" in result.stdout
    if script in ("new_paper.py", "fetch_daily.py"):
        assert "--base-url" in result.stdout


def test_bench_runs_and_reports_every_figure():
    """The benchmark's contract (not its timings): one JSON object with every figure."""
    # A dozen papers: enough for related papers, topics and years; each build costs its start-up.
    result = run("scripts/bench.py", "--papers", "12", "--repeat", "1", "--no-serve", "--json")
    assert result.returncode == 0, result.stderr
    import json

    data = json.loads(result.stdout)
    assert data["papers"] == 12 and data["pages"] > 12
    for key in ("build_seconds", "bare_build_seconds", "ratio_to_bare", "peak_rss_mb", "site_mb", "largest_html_kb",
                "pagefind_index_kb", "search_index_seconds", "related_share_of_build"):
        assert data[key] > 0, key
    assert set(data["stages_seconds"]) == {"load", "related", "papers", "home", "topics", "dates", "feeds", "exports"}
    assert data["importer"]["entries"] == 12 and data["importer"]["entries_per_second"] > 0
    # The first search in a real browser: both words found, something fetched under /pagefind/.
    first = data["first_search"]
    for label in ("common", "rare"):
        assert f"“{first[f'{label}_word']}”" in first[f"{label}_status"], first
        assert first[f"{label}_requests"] > 0 and 0 < first[f"{label}_first_search_kb"] <= first[f"{label}_with_facets_kb"]
