"""Issue 15, one set of rules on values: ``model.paper_problems`` checks a ``Paper`` (each rule,
its boundaries, an injected today); the YAML reader and the importer both call it, so a value
gets the same message whether a file or a source holds it, and the importer names the source
entry (a scrape's line, an API's answer and arXiv id), never a value it set itself."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, run_script, snapshot
from fakeapi import API, FakeApi, Reply
from readinglist import cli
from readinglist.catalog import Catalog
from readinglist.importer import apply_plan, entry_to_paper, plan_import, run_import
from readinglist.model import EARLIEST, MAX_ABSTRACT, MAX_NOTE, MAX_TITLE, Paper, dump_paper, paper_problems, parse_paper
from readinglist.sources.arxiv import arxiv_entries
from readinglist.sources.entry import SourceEntry
from readinglist.taxonomy import load_taxonomy

TAXONOMY = load_taxonomy(ROOT / "topics.yml")
TOPIC_IDS = TAXONOMY.ids
TODAY = dt.date(2026, 11, 28)
DAY = dt.date(2024, 3, 1)
GOOD = Paper(title="A Study of Attention Heads", published=DAY, added=dt.date(2024, 3, 5), topics=("attention-heads",),
             abstract="We study attention heads in transformers.", authors=("Ada Lovelace", "Alan Turing"),
             upvotes=3, arxiv="2403.01234", links=(("code", "https://github.com/org/repo"),), note="Read section 3.")


def problems(paper: Paper, today: dt.date = TODAY, **kw) -> list[tuple[str, str]]:
    return [(f.key, f.message) for f in paper_problems(paper, TOPIC_IDS, today=today, **kw)]


def test_a_good_paper_breaks_no_rule():
    assert problems(GOOD) == []


@pytest.mark.parametrize(("changes", "expected"), [
    # title: text, one line, trimmed, at most MAX_TITLE characters
    ({"title": ""}, [("title", "is empty")]),
    ({"title": "   "}, [("title", "is empty")]),
    ({"title": "Heads\x07"}, [("title", "contains the control character U+0007; remove it")]),
    ({"title": "Heads \x1b[2J"}, [("title", "contains the control character U+001B; remove it")]),
    ({"title": "Two\nlines"}, [("title", "must be a single line")]),
    ({"title": " Heads"}, [("title", "has white space at its start or end")]),
    ({"title": "x" * MAX_TITLE}, []),
    ({"title": "x" * (MAX_TITLE + 1)}, [("title", f"is {MAX_TITLE + 1:,} characters long; a title has at most {MAX_TITLE}")]),
    # dates: not before 1900, not after tomorrow, in order
    ({"published": EARLIEST, "added": EARLIEST}, []),
    ({"published": EARLIEST - dt.timedelta(days=1)},
     [("published", f"{EARLIEST - dt.timedelta(days=1)} is too early to be right; expected a date after {EARLIEST}")]),
    ({"published": TODAY + dt.timedelta(days=1), "added": TODAY + dt.timedelta(days=1)}, []),  # a day of slack
    ({"published": TODAY + dt.timedelta(days=2), "added": TODAY + dt.timedelta(days=2)},
     [("published", "2026-11-30 is in the future"), ("added", "2026-11-30 is in the future")]),
    ({"added": DAY}, []),
    ({"added": DAY - dt.timedelta(days=1)},
     [("added", "2024-02-29 is before the publication date 2024-03-01; a paper joins the list after it is published")]),
    ({"withdrawn": DAY}, []),
    ({"withdrawn": DAY - dt.timedelta(days=1)},
     [("withdrawn", "2024-02-29 is before the publication date 2024-03-01; a paper is withdrawn after it is published")]),
    ({"withdrawn": TODAY + dt.timedelta(days=2)}, [("withdrawn", "2026-11-30 is in the future")]),
    # counts
    ({"authors": (), "author_count": 1}, []),
    ({"authors": (), "author_count": 0}, [("author_count", "0 is too small; expected an integer >= 1")]),
    ({"authors": (), "author_count": 10**9 - 1}, []),
    ({"authors": (), "author_count": 10**9}, [("author_count", "has 10 digits; expected a number of at most 9 digits")]),
    ({"author_count": 2}, []),
    ({"author_count": 3}, [("author_count", "is 3 but 2 authors are listed; make them agree or drop author_count")]),
    ({"author_count": 3, "authors": ("Ada Lovelace", "")}, [("authors", "is empty")]),  # compared once both are fine
    ({"upvotes": 0}, []),
    ({"upvotes": -1}, [("upvotes", "-1 is too small; expected an integer >= 0")]),
    ({"upvotes": 10**5000}, [("upvotes", "has 5,001 digits; expected a number of at most 9 digits")]),
    # authors: each a one-line text
    ({"authors": ("Ada Lovelace", "")}, [("authors", "is empty")]),
    ({"authors": ("Ada\u0085Lovelace",)}, [("authors", "contains the control character U+0085; remove it")]),
    # identifiers and links
    ({"arxiv": "hep-th/9901001"}, []),
    ({"arxiv": "2403.01234v2"}, [("arxiv", "'2403.01234v2' has a version suffix; write the id without it: '2403.01234'")]),
    ({"links": (("code", "javascript:alert(1)"),)},
     [("links.code", "'javascript:alert(1)' is not an absolute http(s) URL (e.g. https://github.com/org/repo)")]),
    ({"links": (("Code", "https://example.org"),)},
     [("links", "'Code' is not a link kind; use a lowercase word like code, project, data, pdf")]),
    ({"links": (("code", "https://a.org"), ("code", "https://b.org"))}, [("links", "'code' is given twice")]),
    ({"links": (("pdf", "https://example.org:99999/x"),)},
     [("links.pdf", "'https://example.org:99999/x' is not a valid URL (Port out of range 0-65535); expected an absolute http(s) URL")]),
    # topics: known, once each, at least one
    ({"topics": ("agents",)}, [("topics", f"unknown topic 'agents'; valid topics: {', '.join(sorted(TOPIC_IDS))}")]),
    ({"topics": ("attention-heads", "attention-heads")}, [("topics", "'attention-heads' is listed twice")]),
    ({"topics": ()}, [("topics", "needs at least one topic")]),
    # note and abstract
    ({"note": "x" * MAX_NOTE}, []),
    ({"note": "x" * (MAX_NOTE + 1)}, [("note", f"is {MAX_NOTE + 1:,} characters long; a note has at most {MAX_NOTE:,}")]),
    ({"note": "[" * 21}, [("note", "has 21 '[' brackets; a note has at most 20 (each link takes one)")]),
    ({"abstract": ""}, [("abstract", "the abstract (the text after the front matter) is empty")]),
    ({"abstract": "x" * (MAX_ABSTRACT + 1)},
     [("abstract", f"is {MAX_ABSTRACT + 1:,} characters long; an abstract has at most {MAX_ABSTRACT:,}")]),
])
def test_each_rule_and_its_boundaries(changes, expected):
    assert problems(replace(GOOD, **changes)) == expected


def test_list_items_and_abstract_positions_are_given_for_the_caller_to_locate():
    paper = replace(GOOD, topics=("attention-heads", "agents"), links=(("code", "https://a.org"), ("pdf", "ftp://x")),
                    abstract="First line.\nSecond \x07 line.")
    found = paper_problems(paper, TOPIC_IDS, today=TODAY)
    assert [(f.key, f.item, f.offset) for f in found] == [("links.pdf", 1, None), ("topics", 1, None), ("abstract", None, 19)]


def test_today_is_injected_not_read_from_the_clock():
    paper = replace(GOOD, published=dt.date(2030, 6, 2), added=dt.date(2030, 6, 2))
    assert problems(paper, today=dt.date(2030, 6, 1)) == []
    assert problems(paper, today=dt.date(2030, 5, 31)) == [("published", "2030-06-02 is in the future"),
                                                          ("added", "2030-06-02 is in the future")]
    text = dump_paper(paper)
    assert parse_paper(text, "papers/2030/x.md", TOPIC_IDS, today=dt.date(2030, 6, 1))[1] == []
    assert [p.key for p in parse_paper(text, "papers/2030/x.md", TOPIC_IDS, today=dt.date(2030, 5, 31))[1]] == ["published", "added"]


def test_unknown_keys_are_skipped_with_the_rules_between_keys():
    # The reader could not read 'published' (its own message says why): the placeholder it
    # leaves must not be compared with 'added' or 'withdrawn'.
    paper = replace(GOOD, published=dt.date(2025, 1, 1), withdrawn=dt.date(2024, 6, 1))
    assert [k for k, _ in problems(paper)] == ["added", "withdrawn"]
    assert problems(paper, unknown={"published"}) == []
    assert problems(replace(GOOD, title=""), unknown={"title"}) == []


def test_rules_between_keys_wait_for_the_values_they_compare():
    # A future date is one message per key, never also "added is before published".
    paper = replace(GOOD, published=dt.date(2999, 1, 2), added=dt.date(2999, 1, 1))
    assert problems(paper) == [("published", "2999-01-02 is in the future"), ("added", "2999-01-01 is in the future")]


# --------------------------------------------------------------------------------------------
# The file reader and the importer say the same thing about the same values

BAD_VALUES = {
    "title": ["", " Heads", "Heads\x07", "x" * (MAX_TITLE + 1)],
    "published": [EARLIEST - dt.timedelta(days=1), dt.date(2999, 8, 8), dt.date(2024, 3, 9)],
    "authors": [("Ada Lovelace", ""), ("A\x1bB",)],
    "author_count": [0, 3, 10**9],
    "upvotes": [-1, 10**12],
    "arxiv": ["2403.01234v2", "2401.00001%0A::error::pwned", "hep-th/9901001"],
    "links": [(("code", "javascript:alert(1)"),), (("Code", "https://example.org"),), (("code", "https://[::1"),)],
    "topics": [("agents",), ("surveys", "surveys"), ()],
    "withdrawn": [dt.date(2024, 2, 1), dt.date(2999, 1, 1)],
    "note": ["", "[" * 30],
    "abstract": ["", "We study\x07heads.", "x" * (MAX_ABSTRACT + 1)],
}
RULES = settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


@RULES
@given(st.fixed_dictionaries({}, optional={key: st.sampled_from(values) for key, values in BAD_VALUES.items()}))
def test_the_file_reader_reports_exactly_the_rules_a_paper_breaks(changes):
    paper = replace(GOOD, **changes)
    _, found = parse_paper(dump_paper(paper), "papers/2024/x.md", TOPIC_IDS, today=TODAY)
    assert sorted((p.key, p.message) for p in found) == sorted(problems(paper))


# Text as a hostile file or source may hold it: letters, spaces, line breaks, controls (BEL,
# ESC, NEL, which is also white space), a bidi override, a non-breaking space.
ODD_TEXT = st.text(st.sampled_from("ab é\n\t\x07\x1b\x85\u202e\u00a0:-'\"#[]{}"), max_size=12)
TRIMMED = ODD_TEXT.filter(lambda t: t == t.strip())  # a paper holds list items and notes trimmed


@RULES
@given(title=ODD_TEXT, author=TRIMMED, note=st.none() | TRIMMED, url=TRIMMED)
def test_any_text_gets_the_same_verdict_from_the_file_reader_and_the_rules(title, author, note, url):
    paper = replace(GOOD, title=title, authors=(author,), note=note, links=(("code", url),))
    _, found = parse_paper(dump_paper(paper), "papers/2024/x.md", TOPIC_IDS, today=TODAY)
    assert sorted((p.key, p.message) for p in found) == sorted(problems(paper))


@pytest.mark.parametrize(("value", "code"), [("Read this.\x85", "U+0085"), ("\x1fRead this.", "U+001F")])
def test_a_control_character_in_the_white_space_around_a_value_is_still_refused(value, code):
    text = dump_paper(replace(GOOD, note="Read this.")).replace("note: Read this.", f"note: {json.dumps(value)}")
    _, found = parse_paper(text, "papers/2024/x.md", TOPIC_IDS, today=TODAY)
    assert [(p.key, p.message) for p in found] == [("note", f"contains the control character {code}; remove it")]


ENTRY_BAD_VALUES = {key: BAD_VALUES[key] for key in ("title", "published", "authors", "upvotes", "arxiv", "links", "abstract")}


@RULES
@given(st.fixed_dictionaries({}, optional={key: st.sampled_from(values) for key, values in ENTRY_BAD_VALUES.items()}))
def test_the_importer_reports_what_the_file_reader_would_about_the_sources_values(changes):
    """An entry's values give the messages a file with those values gives, less those about a
    value the import set itself (``added`` follows ``published``), located at the entry."""
    entry = SourceEntry(**{"title": "Attention Heads in Depth", "abstract": "We study attention heads.", "published": DAY,
                           "upvotes": 3, "source": "s.txt", "line": 5, "date_line": 9, **changes})
    planned = entry_to_paper(entry, TAXONOMY, TODAY)
    from_file = {(p.key, p.message) for p in parse_paper(dump_paper(planned), "papers/x.md", TOPIC_IDS, today=TODAY)[1]}
    by_source = {item for item in from_file if item[0] not in ("added", "topics")}
    _, refused = apply_plan(plan_import([entry], Catalog([]), TAXONOMY, TODAY), TAXONOMY, ROOT / "unused", dry_run=True, today=TODAY)
    assert {(p.key, p.message) for p in refused} == (by_source or from_file)
    for problem in refused:
        assert problem.path == "s.txt"
        assert problem.line == (9 if problem.key in ("published", "upvotes") else 5)


# --------------------------------------------------------------------------------------------
# The importer's messages name the source entry


@pytest.fixture
def reading(monkeypatch):
    monkeypatch.setattr(cli, "_phase", "reading")


def test_a_future_scrape_entry_gives_one_message_naming_the_scrape_and_its_date_line(tmp_path):
    scrape = tmp_path / "scrape.txt"
    scrape.write_text("Daily Papers\n\nAttention Heads From the Future\n\nWe study attention heads.\n\n  • 3 authors\n·\n"
                      "Aug 8, 2999 4\n\nAttention Heads of Today\n\nWe study attention heads today.\n\n  • 2 authors\n·\n"
                      "Mar 1, 2024 7\n", encoding="utf-8")
    papers = tmp_path / "papers"
    result = run_script("import_scrape.py", scrape, "--papers-dir", papers, "--added", "2024-03-02")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"rejected: {scrape}:9: published: 2999-08-08 is in the future"]
    assert result.stdout.strip().endswith("1 created, 0 updated, 0 unchanged, 1 rejected")
    assert list(snapshot(papers)) == ["2024/attention-heads-of-today.md"]  # the good entry is written


def test_every_bad_entry_is_reported_at_once_and_escaped(tmp_path):
    scrape = tmp_path / "s\x1b[2J\u202e.txt"
    scrape.write_text("Old Heads\n\nWe study attention heads.\n\n  • 3 authors\n·\nAug 8, 1850 4\n\n"
                      "Heads\x07Again\n\nWe study attention heads again.\n\n  • 2 authors\n·\nMar 1, 2024 7\n", encoding="utf-8")
    result = run_script("import_scrape.py", scrape, "--papers-dir", tmp_path / "papers", "--added", "2024-03-02")
    shown = f"{tmp_path}/s\\x1b[2J\\u202e.txt"
    assert result.stderr.splitlines() == [
        f"rejected: {shown}:7: published: 1850-08-08 is too early to be right; expected a date after 1900-01-01",
        f"rejected: {shown}:9: title: contains the control character U+0007; remove it",
    ]
    assert "\x1b" not in result.stderr + result.stdout and "\u202e" not in result.stderr + result.stdout
    assert not (tmp_path / "papers").exists() or snapshot(tmp_path / "papers") == {}


def test_a_hugging_face_answer_with_a_future_date_names_the_answer_and_the_paper(tmp_path):
    items = json.loads((API / "daily-2025-01-06.json").read_text(encoding="utf-8"))
    items[0]["paper"]["publishedAt"] = "2999-01-03T18:59:59.000Z"
    arxiv = items[0]["paper"]["id"]
    papers = tmp_path / "papers"
    with FakeApi() as api:
        api.route("/api/daily_papers?date=2025-01-06", Reply(body=json.dumps(items)))
        result = run_script("fetch_daily.py", "--date", "2025-01-06", "--papers-dir", papers, "--base-url", api.url,
                            "--added", "2025-01-08", "--backoff", "0.05", "--retries", "2", "--timeout", "5")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"rejected: {api.url}/api/daily_papers?date=2025-01-06 ({arxiv}):0: published: 2999-01-03 is in the future"]
    assert result.stdout.strip().endswith("0 new, 0 updated, 0 unchanged, 1 skipped as out of scope, 1 withdrawn, 1 rejected")
    assert not papers.exists() or snapshot(papers) == {}


ATOM = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <entry>
    <id>http://arxiv.org/abs/2403.01234v1</id>
    <published>1850-03-01T00:00:00Z</published>
    <updated>1850-03-01T00:00:00Z</updated>
    <title>Attention Heads in Depth</title>
    <summary>We study attention heads.</summary>
    <author><name>Ada Lovelace</name></author>
  </entry>
</feed>"""


def test_an_arxiv_answer_with_a_bad_date_names_the_answer_and_the_paper(tmp_path, reading):
    entries = arxiv_entries(ATOM, "arXiv id_list=2403.01234")
    summary = run_import(entries, tmp_path / "papers", TAXONOMY, TODAY, wait=0, today=TODAY)
    assert summary.actions == []
    assert [str(p) for p in summary.refused] == [
        "arXiv id_list=2403.01234 (2403.01234):0: published: 1850-03-01 is too early to be right; expected a date after 1900-01-01"]


def test_a_value_the_import_set_is_reported_only_when_the_source_does_not_explain_it(tmp_path, reading):
    # The source's date is fine; the run's own 'added' (--added) is what is wrong: one located
    # line, only for an entry that would get it (a run that creates no paper uses no 'added').
    entry = SourceEntry(title="Attention Heads in Depth", abstract="We study attention heads.", published=DAY,
                        source="s.txt", line=3, date_line=7)
    summary = run_import([entry], tmp_path / "papers", TAXONOMY, dt.date(2999, 1, 1), wait=0, today=TODAY)
    assert [str(p) for p in summary.refused] == ["s.txt:7: added: 2999-01-01 is in the future"]


def test_an_abstract_the_file_format_cannot_hold_is_caught_by_the_read_back(tmp_path, reading):
    entry = SourceEntry(title="Attention Heads in Depth", abstract="--- We study attention heads.", published=DAY,
                        source="s.txt", line=3, date_line=7)
    assert problems(entry_to_paper(entry, TAXONOMY, DAY)) == []  # a fine value, but not in this format
    summary = run_import([entry], tmp_path / "papers", TAXONOMY, DAY, wait=0, today=TODAY)
    assert [(p.path, p.line, p.key) for p in summary.refused] == [("s.txt", 3, "abstract")]
    assert not list((tmp_path / "papers").rglob("*.md"))

