"""Issue 14: the pipeline is never silently dead. The import record and the build's freshness
facts (readinglist/status.py), /status.json and the footer of a built fixture site,
scripts/status.py on fresh and stale lists, the upvote refresh of fetch_daily.py against the
local fake API, and the workflows' failure-issue steps."""

from __future__ import annotations

import base64
import datetime as dt
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from conftest import NO_SEARCH, ROOT, copy_project, mkdocs_build_in_process, run, run_script
from fakeapi import FakeApi, Reply
from readinglist.model import parse_paper
from readinglist.status import (
    ImportRun,
    build_facts,
    commit,
    dump_record,
    now,
    parse_record,
    per_month,
    stale_reasons,
    weekdays_after,
)

D = dt.date.fromisoformat
UTC = dt.UTC
EPOCH_2026_11_20 = "1795132800"  # 2026-11-20T00:00:00Z
SHA = "0123456789abcdef0123456789abcdef01234567"


# --- fixture lists -------------------------------------------------------------------------

def paper_text(title: str, *, published: str, added: str, upvotes: int | None = 3, arxiv: str | None = None,
               extra: str = "") -> str:
    lines = ["---", f"title: {title}", f"published: {published}", "authors: [Ada Lovelace, Alan Turing]"]
    if upvotes is not None:
        lines.append(f"upvotes: {upvotes}{extra}")
    if arxiv:
        lines.append(f"arxiv: '{arxiv}'")
    lines += ["topics: [attention-heads]", f"added: {added}", "---", "", f"An abstract about {title.lower()}.", ""]
    return "\n".join(lines)


def write_papers(folder: Path, papers: dict[str, str]) -> Path:
    """``papers`` maps ``2025/slug.md`` to file text."""
    for rel, text in papers.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    return folder


def record(run: str = "2026-11-19T05:41:07Z", last_new: str | None = "2026-11-19", **counts) -> str:
    return dump_record(ImportRun(dt.datetime.strptime(run, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC), D("2026-11-16"), D("2026-11-18"),
                                 {"listed": 40, "new": 2, **counts}, D(last_new) if last_new else None))


FIXTURE_PAPERS = {
    "2026/sparse-heads-for-long-context.md": paper_text("Sparse Heads for Long Context", published="2026-11-02", added="2026-11-19"),
    "2026/induction-heads-at-scale.md": paper_text("Induction Heads at Scale", published="2026-10-01", added="2026-10-05"),
    "2025/copy-heads-revisited.md": paper_text("Copy Heads Revisited", published="2025-12-30", added="2026-01-02"),
}


# --- the import record: parsed as hostile input ----------------------------------------------

def test_record_round_trips():
    text = record(refreshed=4)
    run, problems = parse_record(text, "papers/.last-import.json")
    assert problems == []
    assert parse_record("\ufeff" + text, "papers/.last-import.json") == (run, [])
    assert run.run == dt.datetime(2026, 11, 19, 5, 41, 7, tzinfo=UTC)
    assert (run.first, run.last, run.last_new) == (D("2026-11-16"), D("2026-11-18"), D("2026-11-19"))
    assert run.counts["new"] == 2 and run.counts["refreshed"] == 4 and run.counts["gone"] == 0
    assert dump_record(run) == text


@pytest.mark.parametrize(("text", "expected"), [
    ("", ["papers/.last-import.json:1: is not valid JSON (Expecting value, column 1)"]),
    ('{"version": 1,\n "run": ', ["papers/.last-import.json:2: is not valid JSON (Expecting value, column 9)"]),
    ("[1, 2]", ["papers/.last-import.json:1: must be a JSON object, not a list"]),
    ("[" * 100_000, ["papers/.last-import.json:1: is 100,000 characters; an import record is a small JSON object"]),
    ('{"version": 1,\n"run": "yesterday",\n"days": {"from": "2026-11-16", "until": "2026-11-18"},\n"counts": {}}',
     ['papers/.last-import.json:2: run: "yesterday" is not a UTC time (YYYY-MM-DDTHH:MM:SSZ)']),
    ('{"version": 2,\n"run": "2026-11-19T05:41:07Z",\n"days": {"from": "2026-11-16", "until": "2026-11-15"},\n'
     '"counts": {"new": -1, "sneaky": 3, "listed": true},\n"last_new": "2026-02-30",\n"<script>": 1}',
     ["papers/.last-import.json:1: version: 2 is not a known version (expected 1)",
      "papers/.last-import.json:6: <script>: unknown key",
      "papers/.last-import.json:3: days.until: 2026-11-15 is before days.from 2026-11-16",
      "papers/.last-import.json:4: counts.new: -1 is not a count (a whole number >= 0)",
      "papers/.last-import.json:4: counts.sneaky: unknown count; known: listed, new, updated, unchanged, out_of_scope, withdrawn, "
      "rejected, refreshed, gone",
      "papers/.last-import.json:4: counts.listed: true is not a count (a whole number >= 0)",
      'papers/.last-import.json:5: last_new: "2026-02-30" is not a date (YYYY-MM-DD)']),
    ('{"version": 1, "run": "2026-11-19T25:61:07Z", "days": [], "counts": null}',
     ['papers/.last-import.json:1: run: "2026-11-19T25:61:07Z" is not a UTC time (YYYY-MM-DDTHH:MM:SSZ)',
      'papers/.last-import.json:1: days: must be an object {"from": YYYY-MM-DD, "until": YYYY-MM-DD}, not a list',
      "papers/.last-import.json:1: counts: must be an object of counts, not null"]),
    ("[" * 60_000, ["papers/.last-import.json:1: is nested too deeply to be an import record"]),
    ('{"version": ' + "1" * 5000 + "}",
     ["papers/.last-import.json:1: is not valid JSON (a number that is NaN, Infinity or thousands of digits long)"]),
    ('{"version": NaN}', ["papers/.last-import.json:1: is not valid JSON (a number that is NaN, Infinity or thousands of digits long)"]),
], ids=["empty", "truncated", "list", "huge", "bad-run", "many", "wrong-types", "deep", "long-number", "nan"])
def test_broken_records_give_located_problems(text, expected):
    run, problems = parse_record(text, "papers/.last-import.json")
    assert run is None
    assert [str(p) for p in problems] == expected


def test_clock_honours_source_date_epoch_and_reports_a_bad_one():
    moment, problems = now({"SOURCE_DATE_EPOCH": EPOCH_2026_11_20})
    assert (moment, problems) == (dt.datetime(2026, 11, 20, tzinfo=UTC), [])
    moment, problems = now({"SOURCE_DATE_EPOCH": "next tuesday"})
    assert moment.tzinfo is not None
    assert [str(p) for p in problems] == ["SOURCE_DATE_EPOCH:0: 'next tuesday' is not a whole number of seconds since 1970"]


def test_commit_from_github_sha_or_none(tmp_path):
    assert commit(tmp_path, {"GITHUB_SHA": SHA.upper()}) == SHA
    # Not a checkout (or no git at all), and a GITHUB_SHA that is not a hash: none, and no failure.
    assert commit(tmp_path, {"GITHUB_SHA": "$(rm -rf /)"}) is None


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_commit_from_git(tmp_path):
    run("git", "init", "-q", cwd=tmp_path, check=True)
    (tmp_path / "f").write_text("x")
    run("git", "-c", "user.name=t", "-c", "user.email=t@example.org", "add", "f", cwd=tmp_path, check=True)
    run("git", "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "x", cwd=tmp_path, check=True)
    head = run("git", "rev-parse", "HEAD", cwd=tmp_path, check=True).stdout.strip()
    assert commit(tmp_path, {}) == head and re.fullmatch(r"[0-9a-f]{40}", head)


def test_build_facts_read_the_record_and_report_a_broken_one(tmp_path):
    from readinglist.catalog import load_catalog
    from readinglist.taxonomy import load_taxonomy

    papers = write_papers(tmp_path / "papers", FIXTURE_PAPERS)
    catalog = load_catalog(papers, load_taxonomy(ROOT / "topics.yml"))
    env = {"SOURCE_DATE_EPOCH": EPOCH_2026_11_20, "GITHUB_SHA": SHA}
    facts, problems = build_facts(catalog.papers, tmp_path, papers, env)
    assert problems == [] and facts.last_import is None
    assert (facts.papers, facts.newest_added, facts.commit) == (3, D("2026-11-19"), SHA)
    (papers / ".last-import.json").write_text('{"version": 1, "run": 3}')
    facts, problems = build_facts(catalog.papers, tmp_path, papers, env)
    assert facts.last_import is None
    assert [str(p) for p in problems][:1] == ["papers/.last-import.json:1: run: 3 is not a UTC time (YYYY-MM-DDTHH:MM:SSZ)"]


# --- staleness rules -------------------------------------------------------------------------

@pytest.mark.parametrize(("day", "today", "expected"), [
    ("2026-11-20", "2026-11-20", 0),   # Friday, same day
    ("2026-11-20", "2026-11-23", 1),   # Friday -> Monday: the weekend does not count
    ("2026-11-20", "2026-11-27", 5),   # a full week later
    ("2026-11-21", "2026-11-22", 0),   # Saturday -> Sunday
    ("2026-01-01", "2026-12-31", 260),  # the long-run shortcut counts like the day-by-day loop
])
def test_weekdays_after(day, today, expected):
    assert weekdays_after(D(day), D(today)) == expected
    brute = sum((D(day) + dt.timedelta(days=n)).weekday() < 5 for n in range(1, (D(today) - D(day)).days + 1))
    assert brute == expected


def test_stale_reasons():
    run, _ = parse_record(record(), "r")
    assert stale_reasons(D("2026-11-19"), run, D("2026-11-21")) == []
    assert stale_reasons(D("2026-11-19"), run, D("2026-11-26")) == [
        "the last import ran 7 days ago (2026-11-19; limit 2 days)",  # 7 days without a new paper is not yet "more than 7"
        "the import has found nothing new on 5 consecutive weekdays (last new paper found 2026-11-19): has the Hugging Face API changed?",
    ]
    assert stale_reasons(D("2026-11-10"), None, D("2026-11-19"))[0] == "no new paper for 9 days (newest added 2026-11-10; limit 7 days)"
    assert stale_reasons(None, None, D("2026-11-19")) == ["the list has no papers",
                                                          "no import run is recorded (papers/.last-import.json is missing)"]


def test_per_month_counts_the_last_twelve_months_with_zeros():
    from readinglist.model import Paper

    papers = [Paper("A", D("2025-01-01"), D(added), ("attention-heads",), "x") for added in
              ("2026-11-19", "2026-11-01", "2026-10-31", "2025-12-01", "2025-11-30")]
    months = per_month(papers, D("2026-11-20"))
    assert [m for m, _ in months] == ["2025-12", *(f"2026-{n:02d}" for n in range(1, 12))]
    assert dict(months) == {**dict.fromkeys((m for m, _ in months), 0), "2025-12": 1, "2026-10": 1, "2026-11": 2}


# --- scripts/status.py -----------------------------------------------------------------------

def status(papers: Path, *extra: str):
    """scripts/status.py in this process (a test below runs it as a program)."""
    result = run_script("status.py", "--papers-dir", papers, *extra)
    assert "Traceback" not in result.stderr
    return result


def test_status_on_a_fresh_list(tmp_path):
    papers = write_papers(tmp_path / "papers", FIXTURE_PAPERS)
    (papers / ".last-import.json").write_text(record())
    result = status(papers, "--today", "2026-11-20")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert "papers: 3" in lines and "newest added: 2026-11-19 (1 days before 2026-11-20)" in lines
    assert "last import: 2026-11-19 05:41 UTC, days 2026-11-16 to 2026-11-18: 40 listed, 2 new, 0 updated, 0 unchanged, " \
           "0 out of scope, 0 withdrawn, 0 rejected, 0 refreshed, 0 gone" in lines
    month_lines = lines[lines.index("papers added per month (last 12 months):") + 1:][:12]
    assert month_lines[0].split()[:2] == ["2025-12", "0"]
    assert month_lines[-1].split()[:2] == ["2026-11", "1"] and month_lines[-2].split()[:2] == ["2026-10", "1"]
    assert month_lines[1].split()[:2] == ["2026-01", "1"]
    assert lines[-1] == "status: ok"
    assert run("scripts/validate.py", "--papers-dir", papers).returncode == 0  # the record is not a paper file
    data = json.loads(status(papers, "--today", "2026-11-20", "--json").stdout)
    assert data["stale"] is False and data["reasons"] == [] and data["newest_added"] == "2026-11-19"
    assert data["last_import"]["run"] == "2026-11-19T05:41:07Z" and data["last_import"]["counts"]["new"] == 2
    assert len(data["per_month"]) == 12 and sum(data["per_month"].values()) == 3


def test_status_on_a_stale_list_exits_1_with_one_line(tmp_path):
    papers = write_papers(tmp_path / "papers", FIXTURE_PAPERS)
    (papers / ".last-import.json").write_text(record())
    result = status(papers, "--today", "2026-11-30")
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == "status: stale"
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("stale: no new paper for 11 days (newest added 2026-11-19; limit 7 days); "
                                    "the last import ran 11 days ago")
    data = json.loads(status(papers, "--today", "2026-11-30", "--json").stdout)
    assert data["stale"] is True and len(data["reasons"]) == 3


def test_status_with_a_missing_or_broken_record_or_bad_papers(tmp_path):
    papers = write_papers(tmp_path / "papers", FIXTURE_PAPERS)
    result = status(papers, "--today", "2026-11-20")
    assert result.returncode == 1
    assert result.stderr == "stale: no import run is recorded (papers/.last-import.json is missing)\n"
    (papers / ".last-import.json").write_bytes(b'{"version": 1,\n "run": "\xff"}')
    result = status(papers, "--today", "2026-11-20")
    assert result.returncode == 1 and "last import: unreadable" in result.stdout
    assert result.stderr == "stale: papers/.last-import.json:2: is not valid UTF-8\n"
    (papers / ".last-import.json").write_text(record())
    (papers / "2026/broken.md").write_text("---\ntitle: [\n---\n")
    result = status(papers, "--today", "2026-11-20")
    assert result.returncode == 1
    assert result.stderr == "stale: 1 problem(s) in the paper files stop the build (python scripts/validate.py lists them)\n"


def test_status_uses_source_date_epoch_as_today(tmp_path):
    papers = write_papers(tmp_path / "papers", FIXTURE_PAPERS)
    (papers / ".last-import.json").write_text(record())
    assert run("scripts/status.py", "--papers-dir", papers, env={"SOURCE_DATE_EPOCH": EPOCH_2026_11_20}).returncode == 0


# --- the built site: /status.json and the footer ---------------------------------------------

class FooterText(HTMLParser):
    """The text of every ``.rl-freshness`` element, and its ``data-built``."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._depth = 0
        self._text: list[str] = []
        self._built = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._depth:
            self._depth += 1
        elif "rl-freshness" in (attrs.get("class") or "").split():
            self._depth, self._text, self._built = 1, [], attrs.get("data-built", "")

    def handle_endtag(self, tag):
        if self._depth:
            self._depth -= 1
            if not self._depth:
                self.found.append((" ".join("".join(self._text).split()), self._built))

    def handle_data(self, data):
        if self._depth:
            self._text.append(data)


def freshness_of(html: str) -> list[tuple[str, str]]:
    parser = FooterText()
    parser.feed(html)
    return parser.found


def build_fixture_site(dest: Path, *, import_record: str | None, env: dict | None = None, in_process: bool = False):
    """A strict build of FIXTURE_PAPERS with ``import_record``: by the command line, or in this
    process where only the site matters (``in_process``)."""
    project = copy_project(dest, papers=False)
    write_papers(project / "papers", FIXTURE_PAPERS)
    if import_record is not None:
        (project / "papers/.last-import.json").write_text(import_record)
    env = {"SOURCE_DATE_EPOCH": EPOCH_2026_11_20, "GITHUB_SHA": SHA, **NO_SEARCH, **(env or {})}
    if in_process:
        return project, mkdocs_build_in_process(project, env=env)
    return project, run(Path(sys.executable).parent / "mkdocs", "build", "--strict", "-d", project / "site", cwd=project, env=env)


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory) -> Path:
    project, result = build_fixture_site(tmp_path_factory.mktemp("fresh") / "project", import_record=record(refreshed=4),
                                         in_process=True)
    assert result.returncode == 0, result.stderr
    return project / "site"


def test_status_json_carries_the_build_facts(fixture_site):
    data = json.loads((fixture_site / "status.json").read_text())
    assert data == {
        "version": 1, "built": "2026-11-20T00:00:00Z", "commit": SHA, "papers": 3, "newest_added": "2026-11-19",
        "last_import": {"version": 1, "run": "2026-11-19T05:41:07Z", "days": {"from": "2026-11-16", "until": "2026-11-18"},
                        "counts": {"listed": 40, "new": 2, "updated": 0, "unchanged": 0, "out_of_scope": 0, "withdrawn": 0,
                                   "rejected": 0, "refreshed": 4, "gone": 0},
                        "last_new": "2026-11-19"},
        "site": "https://reading-list.example.org/"}


@pytest.mark.parametrize("page", ["index.html", "about/index.html", "topics/index.html", "dates/2026/index.html",
                                  "papers/2026/sparse-heads-for-long-context/index.html"])
def test_every_page_footer_shows_the_freshness_line(fixture_site, page):
    found = freshness_of((fixture_site / page).read_text())
    footer = ("Updated 2026-11-20 · 3 papers · last import 2026-11-19", "2026-11-20T00:00:00Z")
    assert footer in found
    if page == "index.html":  # the home page shows it in its content too, with a link to status.json
        assert ("Updated 2026-11-20 · 3 papers · last import 2026-11-19 · status.json", "2026-11-20T00:00:00Z") in found
        assert len(found) == 2
    else:
        assert found == [footer]


def test_the_catalog_ignores_the_record_and_the_build_is_reproducible(fixture_site, tmp_path):
    assert not (fixture_site / ".last-import.json").exists()
    project, result = build_fixture_site(tmp_path / "again", import_record=record(refreshed=4))  # by the command line: the same bytes
    assert result.returncode == 0
    for name in ("status.json", "index.html", "about/index.html"):
        assert (project / "site" / name).read_bytes() == (fixture_site / name).read_bytes(), name


def test_a_broken_record_fails_the_strict_build_with_a_located_warning(tmp_path):
    _, result = build_fixture_site(tmp_path / "broken", import_record='{"version": 1,\n"run": "<img src=x onerror=alert(1)>"}')
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert ('WARNING -  papers/.last-import.json:2: run: "<img src=x onerror=alert(1)>" is not a UTC time (YYYY-MM-DDTHH:MM:SSZ)'
            in result.stderr)
    # Without --strict the site still builds, saying "no import recorded".
    project = tmp_path / "broken"
    loose = run(Path(sys.executable).parent / "mkdocs", "build", "-d", project / "site", cwd=project,
                env={"SOURCE_DATE_EPOCH": EPOCH_2026_11_20, **NO_SEARCH})
    assert loose.returncode == 0
    assert ("Updated 2026-11-20 · 3 papers · no import recorded", "2026-11-20T00:00:00Z") in freshness_of(
        (project / "site/about/index.html").read_text())
    assert "<img" not in (project / "site/status.json").read_text()


def test_a_bad_source_date_epoch_stops_the_build_with_one_line(tmp_path):
    _, result = build_fixture_site(tmp_path / "epoch", import_record=record(), env={"SOURCE_DATE_EPOCH": "soon"})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "ERROR   -  SOURCE_DATE_EPOCH:0: 'soon' is not a whole number of seconds since 1970; unset it or give seconds since 1970" \
        in result.stderr


# --- fetch_daily.py --refresh-days and --record against the local fake API ---------------------

FAST = ("--backoff", "0.05", "--retries", "1", "--timeout", "5")


def hf_paper(arxiv: str, title: str, upvotes: int) -> str:
    return json.dumps({"id": arxiv, "title": title, "summary": f"An abstract about {title.lower()}.",
                       "authors": [{"name": "Ada Lovelace"}, {"name": "Alan Turing"}],
                       "publishedAt": "2026-11-02T12:00:00.000Z", "upvotes": upvotes})


def test_refresh_updates_recent_upvotes_keeps_formatting_and_leaves_gone_papers(tmp_path):
    papers = write_papers(tmp_path / "papers", {
        # changed: upvotes 3 -> 17; the curator's comment on the line and the file's layout stay
        "2026/sparse-heads-for-long-context.md": paper_text("Sparse Heads for Long Context", published="2026-11-02", added="2026-11-19",
                                                            arxiv="2611.00001", extra="  # as of import").replace(
            "topics: [attention-heads]", "topics:   [attention-heads]   # curated"),
        # unchanged: the API says 3 too
        "2026/induction-heads-at-scale.md": paper_text("Induction Heads at Scale", published="2026-11-01", added="2026-11-01",
                                                       arxiv="2611.00002"),
        # gone from the API (404): left as it is
        "2026/copy-heads-revisited.md": paper_text("Copy Heads Revisited", published="2026-11-03", added="2026-11-10", arxiv="2611.00003"),
        # too old to refresh (added 31 days before 2026-11-20): never asked for
        "2026/old-heads.md": paper_text("Old Heads", published="2026-10-01", added="2026-10-20", arxiv="2610.00004"),
    })
    before = {p: p.read_bytes() for p in papers.rglob("*.md")}
    (papers / ".last-import.json").write_text(record(last_new="2026-11-12"))
    with FakeApi() as api:
        api.route("/api/daily_papers?date=2026-11-19", Reply.file("daily-empty.json"))
        api.route("/api/papers/2611.00001", Reply(body=hf_paper("2611.00001", "Sparse Heads for Long Context", 17)))
        api.route("/api/papers/2611.00002", Reply(body=hf_paper("2611.00002", "Induction Heads at Scale", 3)))
        result = run_script("fetch_daily.py", "--date", "2026-11-19", "--papers-dir", papers, "--base-url", api.url,
                            "--added", "2026-11-20", "--refresh-days", "30", "--record", papers / ".last-import.json", *FAST,
                            env={"SOURCE_DATE_EPOCH": EPOCH_2026_11_20})
        asked = sorted(k for k, _, _ in api.requests)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert asked == ["/api/daily_papers?date=2026-11-19", "/api/papers/2611.00001", "/api/papers/2611.00002", "/api/papers/2611.00003"]
    changed = papers / "2026/sparse-heads-for-long-context.md"
    assert changed.read_bytes() == before[changed].replace(b"upvotes: 3  # as of import", b"upvotes: 17  # as of import")
    for path, text in before.items():
        if path != changed:
            assert path.read_bytes() == text, path
    lines = result.stdout.splitlines()
    assert "updated: papers/2026/sparse-heads-for-long-context.md" in lines
    assert "changed: papers/2026/sparse-heads-for-long-context.md: upvotes 3 -> 17" in lines
    assert "refreshed 3 paper(s) added in the last 30 days: 1 changed, 1 unchanged, 1 gone from the API (left as is)" in lines
    assert "gone from the API: papers/2026/copy-heads-revisited.md (2611.00003)" in lines
    assert lines[-1] == "0 new, 1 updated, 1 unchanged, 0 skipped as out of scope, 0 withdrawn, 0 rejected"
    saved = json.loads((papers / ".last-import.json").read_text())
    assert saved == {"version": 1, "run": "2026-11-20T00:00:00Z", "days": {"from": "2026-11-19", "until": "2026-11-19"},
                     "counts": {"listed": 0, "new": 0, "updated": 1, "unchanged": 1, "out_of_scope": 0, "withdrawn": 0,
                                "rejected": 0, "refreshed": 1, "gone": 1},
                     "last_new": "2026-11-12"}  # nothing new: carried over from the previous record
    assert parse_paper(changed.read_text(), "x", {"attention-heads"})[1] == []


def test_record_of_a_run_with_new_papers_and_a_broken_previous_record(tmp_path):
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / ".last-import.json").write_text("{oops")
    with FakeApi() as api:
        api.route("/api/daily_papers?date=2025-01-06", Reply.file("daily-2025-01-06.json"))
        result = run_script("fetch_daily.py", "--date", "2025-01-06", "--papers-dir", papers, "--base-url", api.url,
                            "--added", "2025-01-08", "--record", papers / ".last-import.json", *FAST,
                            env={"SOURCE_DATE_EPOCH": "1736294400"})  # 2025-01-08
    assert result.returncode == 0, result.stderr
    assert f"warning: {papers}/.last-import.json:1: is not valid JSON" in result.stderr
    saved = json.loads((papers / ".last-import.json").read_text())
    assert saved["last_new"] == "2025-01-08" and saved["counts"]["new"] == 1 and saved["counts"]["listed"] == 3
    assert saved["counts"]["out_of_scope"] == 1 and saved["counts"]["withdrawn"] == 1


def test_a_refresh_answer_that_is_not_the_paper_is_rejected_and_the_rest_written(tmp_path):
    papers = write_papers(tmp_path / "papers", {
        "2026/sparse-heads-for-long-context.md": paper_text("Sparse Heads for Long Context", published="2026-11-02", added="2026-11-19",
                                                            arxiv="2611.00001"),
        "2026/induction-heads-at-scale.md": paper_text("Induction Heads at Scale", published="2026-11-01", added="2026-11-01",
                                                       arxiv="2611.00002"),
        "2026/copy-heads-revisited.md": paper_text("Copy Heads Revisited", published="2026-11-03", added="2026-11-10", arxiv="2611.00003")})
    untouched = {p: p.read_bytes() for p in (papers / "2026/induction-heads-at-scale.md", papers / "2026/copy-heads-revisited.md")}
    with FakeApi() as api:
        api.route("/api/daily_papers?date=2026-11-19", Reply.file("daily-empty.json"))
        api.route("/api/papers/2611.00001", Reply(body=hf_paper("2611.00001", "Sparse Heads for Long Context", 9)))
        api.route("/api/papers/2611.00002", Reply(body=hf_paper("2611.00003", "Copy Heads Revisited", 999)))  # another paper
        api.route("/api/papers/2611.00003", Reply(body='["not", "a paper"]'))
        result = run_script("fetch_daily.py", "--date", "2026-11-19", "--papers-dir", papers, "--base-url", api.url,
                            "--added", "2026-11-20", "--refresh-days", "30", *FAST)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    rejected = [line for line in result.stderr.splitlines() if line.startswith("rejected: ")]
    assert sorted(rejected) == [f"rejected: {api.url}/api/papers/2611.00002:0: answered with paper 2611.00003, not 2611.00002",
                                f"rejected: {api.url}/api/papers/2611.00003:0: expected a paper object, got list"]
    assert "upvotes: 9\n" in (papers / "2026/sparse-heads-for-long-context.md").read_text()
    assert {p: p.read_bytes() for p in untouched} == untouched


def test_a_refresh_that_cannot_reach_the_api_writes_nothing(tmp_path):
    papers = write_papers(tmp_path / "papers", {
        "2026/sparse-heads-for-long-context.md": paper_text("Sparse Heads for Long Context", published="2026-11-02", added="2026-11-19",
                                                            arxiv="2611.00001")})
    before = {p: p.read_bytes() for p in papers.rglob("*") if p.is_file()}
    with FakeApi() as api:
        api.route("/api/daily_papers?date=2026-11-19", Reply.file("daily-empty.json"))
        api.route("/api/papers/2611.00001", Reply(status=503))
        result = run_script("fetch_daily.py", "--date", "2026-11-19", "--papers-dir", papers, "--base-url", api.url,
                            "--added", "2026-11-20", "--refresh-days", "30", "--record", papers / ".last-import.json", *FAST)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().endswith("Nothing was written.") and "/api/papers/2611.00001" in result.stderr
    assert {p: p.read_bytes() for p in papers.rglob("*") if p.is_file()} == before


# --- the workflows' failure-issue jobs ---------------------------------------------------------

def load(name: str) -> dict:
    return yaml.safe_load((ROOT / ".github/workflows" / name).read_text())


@pytest.mark.parametrize(("name", "job", "report_needs"), [("import.yml", "fetch", "fetch"), ("publish.yml", "build", ["build", "deploy"])])
def test_only_the_report_job_may_write_issues_and_it_always_runs(name, job, report_needs):
    data = load(name)
    assert data["permissions"] == {"contents": "read"}
    report = data["jobs"]["report"]
    assert report["permissions"] == {"contents": "read", "issues": "write"}
    for other, spec in data["jobs"].items():
        if other != "report":
            assert "issues" not in (spec.get("permissions") or {}), other
    assert report["needs"] == report_needs and report["if"] == "always()"
    assert report["timeout-minutes"] <= 10
    step = report["steps"][-1]
    assert step["run"] == f"python3 scripts/pipeline_issue.py report --pipeline {name.removesuffix('.yml')}"
    assert step["env"]["GH_TOKEN"] == "${{ github.token }}"  # noqa: S105 - the job's own token, no secret
    assert step["env"]["MESSAGE"].count(f"needs.{job}.outputs.message") == 1
    # The failed job says why, only when it failed, through outputs (never spliced into a script).
    steps = data["jobs"][job]["steps"]
    why = next(s for s in steps if s.get("id") == "why")
    assert why["if"] == "failure()" and why is steps[-1]
    assert why["env"] == {"STEPS": "${{ toJSON(steps) }}"}
    assert data["jobs"][job]["outputs"] == {"kind": "${{ steps.why.outputs.kind }}", "message": "${{ steps.why.outputs.message }}"}
    assert data["jobs"][job]["defaults"]["run"]["shell"] == "bash"  # -eo pipefail
    for spec in data["jobs"].values():
        for s in spec["steps"]:
            assert "${{" not in s.get("run", ""), s


def test_import_refreshes_records_and_checks_health_after_the_pull_request():
    steps = load("import.yml")["jobs"]["fetch"]["steps"]
    ids = [s.get("id") for s in steps]
    assert ids.index("fetch") < ids.index("pull-request") < ids.index("health") < ids.index("why")
    fetch = steps[ids.index("fetch")]["run"]
    assert "--refresh-days 30" in fetch and "--record papers/.last-import.json" in fetch
    assert "python scripts/status.py" in steps[ids.index("health")]["run"]


def run_step(script: str, tmp_path: Path, python_body: str) -> tuple[subprocess.CompletedProcess, Path]:
    """Run a workflow step's script the way GitHub's `shell: bash` does, with `python` faked."""
    bin_dir, temp = tmp_path / "bin", tmp_path / "runner-temp"
    bin_dir.mkdir()
    (temp / "logs").mkdir(parents=True)
    fake = bin_dir / "python"
    fake.write_text(f"#!/bin/sh\n{python_body}\n")
    fake.chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "RUNNER_TEMP": str(temp), "DAYS": "3", "HOME": str(tmp_path)}
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    return result, temp / "logs"


@pytest.mark.parametrize("step_id", ["fetch", "health"])
def test_a_failing_script_fails_its_step_and_leaves_its_message_in_the_log(tmp_path, step_id):
    step = next(s for s in load("import.yml")["jobs"]["fetch"]["steps"] if s.get("id") == step_id)
    result, logs = run_step(step["run"], tmp_path, 'echo "1 new"; echo "fetch_daily: gave up on https://x/api. Nothing was written." >&2; exit 1')
    assert result.returncode == 1
    assert (logs / f"{step_id}.log").read_text() == "fetch_daily: gave up on https://x/api. Nothing was written.\n"
    assert "gave up" in result.stderr  # still shown in the run's log
    (tmp_path / "ok").mkdir()
    ok, _ = run_step(step["run"], tmp_path / "ok", 'echo "1 new"')
    assert ok.returncode == 0, ok.stderr
    if step_id == "fetch":
        assert (tmp_path / "ok/fetch-summary.txt").read_text() == "1 new\n"


# --- scripts/pipeline_issue.py: describe and report, with a fake `gh` ---------------------------

# A standalone script (the report jobs install nothing): loaded from its file.
_spec = importlib.util.spec_from_file_location("pipeline_issue", ROOT / "scripts" / "pipeline_issue.py")
pipeline_issue = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pipeline_issue)


def test_describe_names_the_failed_step_and_quotes_its_log_safely(tmp_path):
    hostile = "\n".join(f"line {n}" for n in range(100)) + "\n\x1b[31mred\x1b[0m ```` @maintainer <script>\u202e\x07 end\n"
    (tmp_path / "fetch.log").write_text(hostile)
    kind, message = pipeline_issue.describe({"install": {"outcome": "success"}, "fetch": {"outcome": "failure"},
                                             "health": {"outcome": "skipped"}}, tmp_path)
    assert kind == "failing"
    lines = message.split("\n")
    assert lines[:3] == ["Step `fetch` failed:", "", "`````text"] and lines[-1] == "`````"
    assert lines[3] == "line 61" and len(lines) == 4 + 40
    assert lines[-2] == "red ```` @maintainer <script> end"
    assert pipeline_issue.describe({"health": {"outcome": "failure"}}, tmp_path)[0] == "stale"
    assert pipeline_issue.describe({"upload": {"outcome": "failure"}}, tmp_path)[1] == \
        "Step `upload` failed without output; open the run for its log."
    assert pipeline_issue.describe({}, tmp_path)[0] == "failing"


FAKE_GH = """#!/usr/bin/env python3
import json, os, sys
with open(os.environ["FAKE_GH_LOG"], "a") as log:
    log.write(json.dumps({"argv": sys.argv[1:], "stdin": sys.stdin.read() if "-" in sys.argv else None}) + "\\n")
if os.environ.get("FAKE_GH_FAIL"):
    print("HTTP 403: Resource not accessible by integration", file=sys.stderr)
    sys.exit(1)
if sys.argv[1:3] == ["issue", "list"]:
    print(os.environ.get("FAKE_GH_OPEN", "[]"))
elif sys.argv[1:3] == ["issue", "create"]:
    print("https://github.com/o/r/issues/7")
"""
RUN_URL = "https://github.com/o/r/actions/runs/12345"


def report(tmp_path: Path, pipeline: str, result: str, *, open_issues: str = "[]", message: str = "", kind: str = "failing",
           fail: bool = False):
    bin_dir = tmp_path / "bin"
    if not bin_dir.exists():
        bin_dir.mkdir()
        (bin_dir / "gh").write_text(FAKE_GH.replace("/usr/bin/env python3", sys.executable))
        (bin_dir / "gh").chmod(0o755)
    log = tmp_path / "gh.jsonl"
    log.unlink(missing_ok=True)
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "FAKE_GH_LOG": str(log), "FAKE_GH_OPEN": open_issues, "RESULT": result,
           "KIND": kind, "MESSAGE": base64.b64encode(message.encode()).decode(), "RUN_URL": RUN_URL, "FAKE_GH_FAIL": "1" if fail else ""}
    done = run("scripts/pipeline_issue.py", "report", "--pipeline", pipeline, "--today", "2026-11-20", env=env)
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return done, calls


def test_a_first_failure_opens_an_issue(tmp_path):
    done, calls = report(tmp_path, "import", "failure", message="Step `fetch` failed:\n\n```text\nfetch_daily: gave up\n```")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "opened 'Nightly import failing since 2026-11-20' https://github.com/o/r/issues/7\n"
    assert [c["argv"][:2] for c in calls] == [["issue", "list"], ["label", "create"], ["issue", "create"]]
    assert calls[0]["argv"] == ["issue", "list", "--state", "open", "--label", "pipeline: import", "--json", "number,title", "--limit", "20"]
    create = calls[2]
    assert create["argv"][2:] == ["--title", "Nightly import failing since 2026-11-20", "--label", "pipeline: import", "--body-file", "-"]
    assert create["stdin"].startswith("The nightly import failed on 2026-11-20.\n\nStep `fetch` failed:\n\n```text\nfetch_daily: gave up\n```\n\n"
                                      f"Run: {RUN_URL}\n")


def test_a_later_failure_comments_and_a_success_closes(tmp_path):
    open_issue = '[{"number": 7, "title": "Nightly import failing since 2026-11-18"}]'
    done, calls = report(tmp_path, "import", "failure", open_issues=open_issue, message="again")
    assert done.stdout == "commented on #7\n"
    assert [c["argv"] for c in calls][1] == ["issue", "comment", "7", "--body-file", "-"]
    assert "again" in calls[1]["stdin"] and RUN_URL in calls[1]["stdin"]
    done, calls = report(tmp_path, "import", "success", open_issues=open_issue)
    assert done.stdout == "closed #7\n"
    assert calls[1]["argv"] == ["issue", "close", "7", "--comment", f"The nightly import succeeded again on 2026-11-20: {RUN_URL}"]
    done, calls = report(tmp_path, "import", "success")
    assert done.stdout == "nothing to close\n" and len(calls) == 1


def test_a_stale_list_and_a_failed_publish_get_their_own_titles(tmp_path):
    _, calls = report(tmp_path, "import", "failure", kind="stale",
                      message="stale: the import has found nothing new on 5 consecutive weekdays")
    assert calls[-1]["argv"][3] == "Nightly import stale since 2026-11-20"
    assert "looks stale" in calls[-1]["stdin"] and "nothing new on 5 consecutive weekdays" in calls[-1]["stdin"]
    _, calls = report(tmp_path, "publish", "failure")
    assert calls[-1]["argv"][3] == "Site publishing failing since 2026-11-20"
    assert "The job failed before it could say why" in calls[-1]["stdin"]
    assert calls[0]["argv"][5] == "pipeline: publish"


def test_a_cancelled_run_touches_nothing_and_gh_errors_are_one_line(tmp_path):
    done, calls = report(tmp_path, "import", "cancelled")
    assert (done.returncode, done.stdout, calls) == (0, "run cancelled: issue left as it is\n", [])
    done, _ = report(tmp_path, "import", "failure", fail=True)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr == "pipeline_issue: gh issue list failed: HTTP 403: Resource not accessible by integration\n"


def test_describe_output_feeds_report_as_the_workflow_does(tmp_path):
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs/health.log").write_text("stale: no new paper for 9 days (newest added 2026-11-11; limit 7 days)\n")
    described = run("scripts/pipeline_issue.py", "describe", "--logs", tmp_path / "logs",
                    env={"STEPS": json.dumps({"fetch": {"outcome": "success", "conclusion": "success", "outputs": {}},
                                              "health": {"outcome": "failure", "conclusion": "failure", "outputs": {}}})})
    outputs = dict(line.split("=", 1) for line in described.stdout.splitlines())
    assert outputs["kind"] == "stale"
    _, calls = report(tmp_path, "import", "failure", kind=outputs["kind"], message=base64.b64decode(outputs["message"]).decode())
    assert calls[-1]["argv"][3] == "Nightly import stale since 2026-11-20"
    assert "```text\nstale: no new paper for 9 days (newest added 2026-11-11; limit 7 days)\n```" in calls[-1]["stdin"]
