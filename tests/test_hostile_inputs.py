"""Hostile input, round two (issue 16): what a fixed corpus case cannot show. Files under
papers/ that are not paper files (links, FIFOs, devices, folders), duplicate detection that
must never merge different papers, file names the importer writes, escaping of every echoed
message (terminals and GitHub annotations), bounded work on notes and keyword scoring,
option values, Ctrl-C, and an API that answers with the wrong paper."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, Result, run, run_script
from hostile_server import HostileServer, Raw, Trickle, response
from readinglist import cli
from readinglist.catalog import Catalog, load_catalog, new_path
from readinglist.importer import apply_plan, plan_import
from readinglist.lock import import_lock, read_holder
from readinglist.model import MAX_NOTE, MAX_NOTE_BRACKETS, Paper, Problem, dump_paper, normalise_title, note_problem, parse_paper, shown
from readinglist.render import note_html, plain, rich
from readinglist.sources.entry import SourceEntry, SourceError
from readinglist.sources.huggingface import hf_paper_entry
from readinglist.taxonomy import TaxonomyError, load_taxonomy
from readinglist.texspans import tex_matches

TOPICS = load_taxonomy(ROOT / "topics.yml")
DAY = dt.date(2024, 3, 1)


def paper(title: str, **kw) -> Paper:
    fields = {"title": title, "published": DAY, "added": DAY, "topics": ("attention-heads",), "abstract": "We study heads.", **kw}
    return Paper(**fields)


def write(papers: Path, p: Paper) -> Path:
    path = papers / new_path(p, {q.relative_to(papers).as_posix() for q in papers.rglob("*.md")})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_paper(p), encoding="utf-8")
    return path


def validate(papers: Path, *extra) -> Result:
    result = run_script("validate.py", "--papers-dir", papers, *extra)
    assert "Traceback" not in result.stdout + result.stderr
    return result


# --------------------------------------------------------------------------------------------
# Files under papers/ that are not paper files: refused with a located message, never followed,
# never read


@pytest.fixture
def papers(tmp_path) -> Path:
    folder = tmp_path / "papers"
    write(folder, paper("A Study of Attention Heads"))
    return folder


def test_a_symlinked_year_folder_is_refused_and_never_written_through(papers, tmp_path):
    curated = tmp_path / "elsewhere" / "2025"
    curated.mkdir(parents=True)
    precious = curated / "attention-heads-in-depth.md"
    precious.write_text("curated text, not a paper file\n")
    (papers / "2025").symlink_to(curated, target_is_directory=True)
    result = validate(papers)
    assert result.returncode == 1
    assert "papers/2025:1: is a symbolic link; paper files and year folders must be real files and folders" in result.stdout
    scrape = tmp_path / "scrape.txt"
    scrape.write_text("Attention Heads in Depth\n\nWe study attention heads.\n\n  • 3 authors\n·\nMar 3, 2025 4\n")
    imported = run_script("import_scrape.py", scrape, "--papers-dir", papers)
    assert imported.returncode == 1 and "papers/2025:1: is a symbolic link" in imported.stderr
    assert precious.read_text() == "curated text, not a paper file\n"


@pytest.mark.parametrize("make, words", [
    (lambda p: (p / "2024/zero.md").symlink_to("/dev/zero"), "is a symbolic link"),
    (lambda p: (p / "2024/gone.md").symlink_to(p / "2024/nothing-here.md"), "is a symbolic link"),
    (lambda p: (p / "2024/copy.md").symlink_to(p / "2024/a-study-of-attention-heads.md"), "is a symbolic link"),
    (lambda p: os.mkfifo(p / "2024/fifo.md"), "is not a regular file (a FIFO, socket or device)"),
    (lambda p: (p / "2024/folder.md").mkdir(), "is a folder named like a paper file"),
    (lambda p: (p / "2024/notes.txt").write_text("x"), "is not a paper file (papers/<year>/<slug>.md)"),
    (lambda p: (p / "2024/paper.md.orig").write_text("x"), "is not a paper file"),
])
def test_special_files_are_refused_with_a_located_message(papers, make, words):
    make(papers)
    start = time.perf_counter()
    result = validate(papers)  # a FIFO used to hang here, /dev/zero to eat all memory
    assert time.perf_counter() - start < 60
    assert result.returncode == 1
    problems = [line for line in result.stdout.splitlines() if line.startswith("papers/")]
    assert len(problems) == 1 and words in problems[0] and problems[0].startswith("papers/2024/")


def test_a_device_file_is_never_opened(papers):
    devices = [line for line in ("/dev/null", "/dev/zero") if Path(line).exists()]
    for device in devices:
        try:
            os.mknod(papers / "2024" / (Path(device).name + ".md"), 0o600 | 0o020000, os.stat(device).st_rdev)
        except PermissionError:
            pytest.skip("creating a device file needs root")
    result = validate(papers)
    assert result.returncode == 1 and result.stdout.count("is not a regular file") == len(devices)


def test_hidden_files_are_allowed_and_a_papers_path_that_is_a_file_is_explained(papers, tmp_path):
    (papers / ".last-import.json").write_text("{}")
    (papers / "2024" / ".a-study-of-attention-heads.md.swp").write_text("x")
    assert validate(papers).returncode == 0
    not_a_folder = tmp_path / "papers.md"
    not_a_folder.write_text("x")
    result = validate(not_a_folder)
    assert result.returncode == 1 and "is not a folder" in result.stdout
    imported = run_script("import_scrape.py", ROOT / "tests/fixtures/hf-daily-papers-scrape.txt", "--papers-dir", not_a_folder)
    assert imported.returncode == 1 and "is not a folder" in imported.stderr and "Traceback" not in imported.stderr


def test_a_file_over_the_size_cap_is_not_read(papers):
    big = papers / "2024" / "big.md"
    with big.open("wb") as handle:
        handle.truncate(10 * 1024 * 1024 * 1024)  # a sparse 10 GB file: reading it would take minutes
    result = validate(papers)
    assert "papers/2024/big.md:1: is 10,737,418,240 bytes; a paper file has at most 262,144" in result.stdout


# --------------------------------------------------------------------------------------------
# Duplicate detection never merges different papers


@pytest.mark.parametrize("a, b", [
    ("Programming in C++", "Programming in C#"),
    ("Programming in C++", "Programming in C"),
    ("🚀🚀", "🛸🛸"),
    ("!!!", "???"),
    ("Attention & Memory", "Attention Memory"),
    ("x^2 Scaling", "x2 Scaling"),
])
def test_titles_that_differ_are_never_one_key(a, b):
    assert normalise_title(a) != normalise_title(b)
    assert normalise_title(a) and normalise_title(b)


@pytest.mark.parametrize("a, b", [
    ("Attention Is All You Need", "attention is all you need"),
    ("Attention: Is All You Need!", "Attention — Is All You Need"),
    ("Café Models", "Cafe\u0301 models"),
    ("“Quoted” (Title)", '"Quoted" [Title]'),
    ("🚀🚀", "🚀 🚀"),
])
def test_titles_that_are_the_same_are_one_key(a, b):
    assert normalise_title(a) == normalise_title(b)


def test_the_catalog_and_the_importer_keep_c_cplusplus_and_csharp_apart(tmp_path):
    papers = tmp_path / "papers"
    write(papers, paper("Programming in C++ with Attention Heads"))
    catalog = load_catalog(papers, TOPICS)
    assert catalog.problems == []
    entries = [SourceEntry(title=f"Programming in {lang} with Attention Heads", abstract="We study heads.", published=DAY, upvotes=3)
               for lang in ("C#", "C", "C++")]
    kinds = [(a.kind, a.path) for a in plan_import(entries, catalog, TOPICS, DAY)]
    assert kinds == [("created", "2024/programming-in-c-with-attention-heads-2.md"),
                     ("created", "2024/programming-in-c-with-attention-heads-3.md"),
                     ("updated", "2024/programming-in-c-with-attention-heads.md")]


def test_same_title_with_another_arxiv_id_is_refused_not_merged(tmp_path):
    papers = tmp_path / "papers"
    write(papers, paper("Attention Heads", arxiv="2403.00001", upvotes=5))
    catalog = load_catalog(papers, TOPICS)
    entry = SourceEntry(title="Attention Heads", abstract="Another paper.", published=DAY, upvotes=99, arxiv="2403.00002", source="s.txt", line=3)
    actions, refused = apply_plan(plan_import([entry], catalog, TOPICS, DAY), TOPICS, papers)
    assert actions == [] and len(refused) == 1
    assert str(refused[0]).startswith("s.txt:3: title: arXiv 2403.00002 has the same title as 2403.00001 (papers/2024/attention-heads.md)")
    assert "upvotes: 5" in (papers / "2024/attention-heads.md").read_text()


# --------------------------------------------------------------------------------------------
# What the importer writes always validates


def test_a_thousand_titles_sharing_one_slug_prefix_all_get_valid_names(tmp_path):
    prefix = "A Very Long Title About Attention Heads In Language Models That Goes On And On"  # slug: 80 characters
    entries = [SourceEntry(title=f"{prefix} Part {i}", abstract="We study attention heads.", published=DAY, upvotes=i)
               for i in range(1200)]
    papers = tmp_path / "papers"
    actions, refused = apply_plan(plan_import(entries, Catalog([]), TOPICS, DAY), TOPICS, papers)
    assert refused == [] and len(actions) == 1200
    assert len({a.path for a in actions}) == 1200
    assert max(len(Path(a.path).stem) for a in actions) <= 84
    catalog = load_catalog(papers, TOPICS)
    assert catalog.problems == [] and len(catalog.papers) == 1200


def test_naming_many_papers_of_one_title_is_linear():
    class CountingSet(set):
        lookups = 0

        def __contains__(self, item):
            CountingSet.lookups += 1
            return super().__contains__(item)

    taken, next_suffix = CountingSet(), {}
    for _ in range(2000):
        taken.add(new_path(paper("Attention Heads"), taken, next_suffix))
    assert len(taken) == 2000 and "2024/attention-heads-2000.md" in taken
    assert CountingSet.lookups <= 2 * 2000  # not the 2,000,000 of trying -2, -3 ... each time


# --------------------------------------------------------------------------------------------
# Nothing echoed from input can drive a terminal or a CI log


UNSAFE_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=()), max_size=60))
def test_shown_text_has_no_control_bidi_or_invisible_character(text):
    out = shown(text)
    assert not any(unicodedata.category(ch) in UNSAFE_CATEGORIES for ch in out)
    assert "\x1b" not in out and "\n" not in out and "\r" not in out


@settings(max_examples=300, deadline=None)
@given(path=st.text(max_size=40), key=st.text(max_size=20), message=st.text(max_size=80), line=st.integers(0, 10**6))
def test_an_annotation_is_always_one_workflow_command(path, key, message, line):
    text = cli.annotation(Problem(path, line, key, message))
    assert "\n" not in text and "\r" not in text
    head, sep, _data = text.partition("::")[2].partition("::")
    assert sep == "::" and head.startswith("error file=")
    properties = head.removeprefix("error ").split(",")
    assert [p.split("=", 1)[0] for p in properties] == ["file", "line"]  # nothing from the input adds or ends one
    assert properties[1] == f"line={max(line, 1)}"


def test_an_annotation_escapes_percent_newline_encodings_and_separators():
    text = cli.annotation(Problem("papers/2024/a,line=9::x.md", 3, "links", "'%0A::error::pwned\n::warning::x'"))
    assert text == ("::error file=papers/2024/a%2Cline=9%3A%3Ax.md,line=3::links: '%250A::error::pwned\\x0a::warning::x'")


def test_validate_github_output_has_one_command_per_problem(tmp_path):
    case = ROOT / "tests/corpus/papers/55-link-kind-with-newline-and-workflow-command/papers"
    result = validate(case, "--github")
    commands = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert len(commands) == 1 and commands[0].startswith("::error file=papers/2024/a-study-of-attention-heads.md,line=5::")
    assert all(not line.startswith("::") or line.startswith("::error file=papers/") for line in result.stdout.splitlines())


def test_a_scrape_token_with_terminal_escapes_reaches_the_terminal_escaped(tmp_path):
    scrape = tmp_path / "s.txt"
    scrape.write_text("Bad Entry about heads\n\nAn abstract.\n\n  • 2 authors\n·\nMar 4, 2024 \x1b]0;pwned\x07\x1b[2J\n")
    result = run_script("import_scrape.py", scrape, "--papers-dir", tmp_path / "papers")
    assert "\x1b" not in result.stderr + result.stdout and "\\x1b]0;pwned\\x07\\x1b[2J" in result.stderr


# --------------------------------------------------------------------------------------------
# Bounded work: notes and keyword scoring


def render_seconds(text: str) -> float:
    start = time.perf_counter()
    note_html(text)
    return time.perf_counter() - start


@pytest.mark.parametrize("name, text", [
    ("unmatched brackets", "[" * MAX_NOTE_BRACKETS + "a " * ((MAX_NOTE - MAX_NOTE_BRACKETS) // 2)),
    ("unmatched image brackets", "![" * (MAX_NOTE_BRACKETS // 2) + "a " * ((MAX_NOTE - MAX_NOTE_BRACKETS) // 2)),
    ("unclosed link targets", "[a](" * MAX_NOTE_BRACKETS + "a " * ((MAX_NOTE - 4 * MAX_NOTE_BRACKETS) // 2)),
    ("backslashes", "\\" * MAX_NOTE),
    ("backticks", "`a" * (MAX_NOTE // 2)),
    ("emphasis", "*a **a ***a " * (MAX_NOTE // 12)),
    ("setext headings", "a\n=\n" * (MAX_NOTE // 4)),
    ("nested lists at the limit", ("1. " * 6 + "a\n") * (MAX_NOTE // 20)),
    ("nested quotes at the limit", ("> " * 6 + "a\n") * (MAX_NOTE // 15)),
])
def test_the_slowest_notes_within_the_limits_render_well_under_a_second(name, text):
    text = text[:MAX_NOTE]
    assert note_problem(text) is None
    assert render_seconds(text) < 1.0, name


@pytest.mark.parametrize("text, words", [
    ("[" * 1000, "has 1000 '[' brackets"),
    ("a " * 60_000 + "b", "is 120,001 characters long; a note has at most 2,000"),
    ("1. " * 400, "nests lists or quotes 400 levels deep (line 1 of the note)"),
    ("ok\n\n" + "> " * 20 + "deep", "nests lists or quotes 20 levels deep (line 3 of the note)"),
    ("".join("  " * i + "- a\n" for i in range(40)), "levels deep"),
])
def test_notes_over_the_limits_are_located_errors_and_never_reach_markdown(text, words):
    front = dump_paper(paper("A Study of Attention Heads", note="placeholder"))
    text_yaml = json.dumps(text)  # a double-quoted YAML scalar
    source = front.replace("note: placeholder", f"note: {text_yaml}")
    parsed, problems = parse_paper(source, "papers/2024/a.md", TOPICS.ids)
    assert parsed is None and len(problems) == 1
    assert problems[0].key == "note" and words in problems[0].message and problems[0].line == 6
    assert render_seconds(text) < 1.0  # shown as plain text: no RecursionError, no minutes


def test_note_links_email_autolinks_and_unreadable_urls():
    html = str(note_html("Write to <curator@example.org>, see [x](http://[::1) or [site](https://example.org)."))
    assert 'href="&#109;&#97;&#105;&#108;&#116;&#111;&#58;' in html  # mailto:, obfuscated by Markdown
    assert "<span>x</span>" in html and 'href="https://example.org"' in html


def test_keyword_scoring_is_linear_in_the_text():
    """A long word repeating a keyword (every match preceded by a letter) used to make
    ``_found`` rescan to the end of the word from every position: quadratic."""
    calls = 0

    class Counting:
        """A keyword pattern that counts its searches."""

        def __init__(self, pattern):
            self.pattern = pattern

        def search(self, text, pos=0):
            nonlocal calls
            calls += 1
            return self.pattern.search(text, pos)

    topic = next(t for t in TOPICS.topics if t.id == "interpretability")
    counted = type(TOPICS)((type(topic)(topic.id, topic.name, topic.description, tuple(Counting(p) for p in topic.keywords)),),
                           topic.id)
    abstract = "x" + "interpret" * 2200  # one 19,801-character word: no whole-word match anywhere
    start = time.perf_counter()
    assert counted.scores("A title", abstract) == {"interpretability": 0}
    assert time.perf_counter() - start < 0.5  # was 0.9 s for this one topic
    assert calls <= 2 * len(topic.keywords)  # one search past the word, not one per 'interpret' in it
    assert TOPICS.scores("Interpretability of heads", "interpretinterpret")["interpretability"] == 3


@pytest.mark.parametrize("keywords, words", [
    ("", "keywords is empty; expected a list of patterns"),
    ("5", "keywords is int '5'; expected a list"),
    ("[a, '']", "an empty keyword would match every paper"),
    ("[a, 3]", "keyword 3 must be a lowercase pattern"),
    ("['(a+)+b']", "keyword '(a+)+b' repeats a repetition"),
    ("['(?:\\w*\\s?)*x']", "repeats a repetition"),
    ("['(a|b)\\1']", "refers back to a group"),
])
def test_a_topics_file_with_bad_keywords_is_one_message(tmp_path, keywords, words):
    topics = tmp_path / "topics.yml"
    topics.write_text(f"fallback: a\ntopics:\n  - id: a\n    name: A\n    description: d\n    keywords: {keywords}\n")
    with pytest.raises(TaxonomyError) as exc:
        load_taxonomy(topics)
    assert str(exc.value).startswith(f"{topics}:3: topic 'a': ") and words in str(exc.value)


# --------------------------------------------------------------------------------------------
# Sources: hostile API values are one-line errors or are dropped


def hf(**fields) -> dict:
    return {"id": "2401.00001", "title": "Attention Heads", "summary": "We study heads.", "publishedAt": "2024-01-02T00:00:00.000Z",
            "authors": [{"name": "A. Author"}], "upvotes": 3, **fields}


@pytest.mark.parametrize("fields, words", [
    ({"authors": 5}, "'authors' is int, not a list"),
    ({"title": "Attention \ud800 Heads"}, "contains the character U+D800"),
    ({"summary": "bell \x07"}, "contains the character U+0007"),
    ({"title": 5}, "the title is int, not text"),
    ({"summary": "x" * 30_000}, "is longer than a paper's may be"),
    ({"id": 2401.00001}, "is not an arXiv id"),
])
def test_hostile_api_values_are_source_errors(fields, words):
    with pytest.raises(SourceError) as exc:
        hf_paper_entry(hf(**fields), "https://hf.example/api")
    assert words in str(exc.value)


def test_hostile_api_values_that_can_be_dropped_are_dropped():
    entry = hf_paper_entry(hf(githubRepo="https://[::1", projectPage="javascript:alert(1)", upvotes=10**100), "x")
    assert entry.links == () and entry.upvotes == 0
    assert hf_paper_entry(hf(upvotes=True), "x").upvotes == 0


# --------------------------------------------------------------------------------------------
# The command line: option values, Ctrl-C, a server that answers with another paper


@pytest.mark.parametrize("option", [
    ["--timeout", "0"], ["--timeout", "nan"], ["--timeout", "-1"], ["--deadline", "inf"], ["--backoff", "-1"],
    ["--retries", "-1"], ["--retries", "x"], ["--base-url", "file:///etc"], ["--base-url", "https://[::1"],
    ["--arxiv-url", "ftp://x"], ["--wait", "nan"],
])
def test_nonsense_option_values_are_usage_errors(option, tmp_path):
    result = run_script("new_paper.py", "2401.00001", "--papers-dir", tmp_path / "papers", *option)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"argument {option[0]}:" in result.stderr
    assert not (tmp_path / "papers").exists()


def test_a_nonsense_option_value_is_a_usage_error_of_the_program(tmp_path):
    """The same through the real command line (the cases above run in this process)."""
    result = run("scripts/new_paper.py", "2401.00001", "--papers-dir", tmp_path / "papers", "--timeout", "nan")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "argument --timeout:" in result.stderr and result.stderr.startswith("usage: new_paper.py")
    assert not (tmp_path / "papers").exists()


def test_new_paper_checks_the_answer_is_the_paper_asked_for(tmp_path):
    with HostileServer() as server:
        server.route("/api/papers/2401.00001", Raw(response(200, json.dumps(hf(id="2402.09999")).encode())))
        result = run_script("new_paper.py", "2401.00001", "--papers-dir", tmp_path / "papers", "--base-url", server.url)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "cannot fetch 2401.00001: the server answered with another paper (2402.09999: 'Attention Heads'); nothing was written" in result.stderr
    assert not list((tmp_path / "papers").rglob("*.md")) if (tmp_path / "papers").exists() else True


def interrupt(argv: list[str], ready: str) -> subprocess.CompletedProcess:
    """Run a script, send it SIGINT once ``ready`` shows on its stderr (not after a delay)."""
    process = subprocess.Popen([sys.executable, *map(str, argv)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1"})
    seen = []
    for line in process.stderr:
        seen.append(line)
        if ready in line:
            process.send_signal(signal.SIGINT)
            break
    out, err = process.communicate(timeout=60)
    return subprocess.CompletedProcess(argv, process.returncode, out, "".join(seen) + err)


def test_ctrl_c_while_waiting_for_the_lock_says_nothing_was_written(tmp_path):
    papers = tmp_path / "papers"
    with import_lock(papers):
        result = interrupt([ROOT / "scripts/import_scrape.py", ROOT / "tests/fixtures/hf-daily-papers-scrape.txt",
                            "--papers-dir", papers, "--wait", "600"], "waiting up to")
    assert result.returncode == 130
    assert result.stderr.rstrip().endswith("interrupted: nothing was written")
    assert "Traceback" not in result.stderr and not list(papers.rglob("*.md"))


def test_ctrl_c_during_a_download_says_nothing_was_written(tmp_path):
    with HostileServer() as server:
        server.route("/api/papers/2401.00001", Trickle(size=10**6, interval=0.01))
        process = subprocess.Popen([sys.executable, ROOT / "scripts/new_paper.py", "2401.00001", "--papers-dir", tmp_path / "papers",
                                    "--base-url", server.url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        while not server.hits:  # the request has reached the server
            time.sleep(0.01)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and err.strip() == "interrupted: nothing was written"


@pytest.mark.parametrize("phase, words", [
    ("reading", "interrupted: nothing was written"),
    ("writing", "interrupted while writing: no file is partly written"),
    ("written", "interrupted after every planned file was written"),
])
def test_ctrl_c_message_says_how_far_the_run_got(phase, words, capsys, monkeypatch):
    monkeypatch.setattr(cli, "_phase", phase)

    def main(argv):
        raise KeyboardInterrupt

    assert cli.run(main) == 130
    assert capsys.readouterr().err.strip().startswith(words)


def test_a_date_problem_of_a_scrape_is_reported_at_the_date_line(tmp_path):
    scrape = tmp_path / "s.txt"
    scrape.write_text("Attention Heads in Depth\n\nWe study attention heads.\n\n  • 3 authors\n·\nMar 3, 2999 4\n")
    result = run_script("import_scrape.py", scrape, "--papers-dir", tmp_path / "papers")
    assert f"rejected: {scrape}:7: published: 2999-03-03 is in the future" in result.stderr.splitlines()


def test_file_names_with_newlines_and_escapes_stay_on_their_line(papers):
    name = "x\n::error file=evil::pwned\x1b[2J.md"
    (papers / "2024" / name).write_text(dump_paper(paper("X")), encoding="utf-8")
    result = validate(papers, "--github")
    lines = result.stdout.splitlines()
    assert result.returncode == 1 and "\x1b" not in result.stdout
    assert all(line.startswith(("papers/2024/x\\x0a::error file=evil::pwned\\x1b[2J.md:", "::error file=papers/2024/x\\x0a%3A%3Aerror"))
               for line in lines[:-1]), lines
    assert lines[-1].startswith("1 problem(s) in 1 file(s)")


def test_a_url_the_validator_refuses_stays_text_in_an_imported_abstract(tmp_path):
    scrape = tmp_path / "s.txt"
    scrape.write_text("Attention Heads in Depth\n\nCode at https://github.com/a/b and https://a.org:99999/x.\n\n"
                      "  • 3 authors\n·\nMar 3, 2024 4\n")
    papers = tmp_path / "papers"
    result = run_script("import_scrape.py", scrape, "--papers-dir", papers)
    assert result.returncode == 0, result.stderr
    text = (papers / "2024/attention-heads-in-depth.md").read_text()
    assert "code: https://github.com/a/b" in text and "99999" not in text.split("---")[1]


MATH_RULE = re.compile(r"\$\$(.+?)\$\$|(?<![\\$\w])\$(?=[^\s$])(.+?)(?<=[^\s\\])\$(?![\w$])", re.DOTALL)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("$$$\\ a1_-\n{}^é٣\u00a0")), max_size=40))
def test_math_spans_are_the_rules_matches(text):
    """The linear scanner finds exactly what the rule's regular expression finds."""
    expected = [(m.start(), m.end(), m.group(1), m.group(2)) for m in MATH_RULE.finditer(text)]
    assert [(m.start(), m.end(), m.group(1), m.group(2)) for m in tex_matches(text)] == expected


@pytest.mark.parametrize("text", ["$a " * 6666, "$a\\$ " * 4000, "$" * 20_000, "x$ " * 6666])
def test_math_in_a_hostile_abstract_is_found_in_linear_time(text):
    """Many openings and no closing made the regular expression rescan to the end from each
    one: 48 s for one 20,000-character abstract."""
    start = time.perf_counter()
    rich(text)
    plain(text)
    assert time.perf_counter() - start < 3  # was 48 s; linear now (a fraction of a second)


def test_a_year_folder_that_is_a_file_is_reported_before_anything_is_written(tmp_path):
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "2024").write_text("not a folder")
    scrape = tmp_path / "s.txt"
    scrape.write_text("Attention Heads in Depth\n\nWe study attention heads.\n\n  • 3 authors\n·\nMar 3, 2024 4\n")
    result = run_script("import_scrape.py", scrape, "--papers-dir", papers)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "papers/2024:1: is not a paper file" in result.stderr
    assert (papers / "2024").read_text() == "not a folder"


@pytest.mark.parametrize("body, words, whole_answer", [
    # One bad paper is rejected by itself (tests/test_fetch_partial.py: the others are imported) ...
    (json.dumps([{"paper": hf(authors=5)}]).encode(), "'authors' is int, not a list", False),
    (b'[{"paper": {"id": "2401.00001", "title": "A \\ud800 title"}}]', "contains the character U+D800", False),
    # ... an answer that cannot be read at all stops the run.
    (b"[" * 10_000 + b"]" * 10_000, "nested 10000 levels deep", True),
])
def test_fetch_daily_turns_a_hostile_answer_into_one_line_and_writes_nothing(tmp_path, body, words, whole_answer):
    papers = tmp_path / "papers"
    with HostileServer() as server:
        server.route("/api/daily_papers", Raw(response(200, body)))
        result = run_script("fetch_daily.py", "--date", "2024-01-02", "--papers-dir", papers, "--base-url", server.url, "--retries", "0")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0]
    assert lines[0].endswith("Nothing was written.") if whole_answer else lines[0].startswith("rejected: ")
    assert not papers.exists() or not list(papers.rglob("*.md"))


def test_sigterm_while_waiting_for_the_lock_is_a_clean_stop(tmp_path):
    papers = tmp_path / "papers"
    with import_lock(papers) as lock:
        process = subprocess.Popen([sys.executable, ROOT / "scripts/import_scrape.py", ROOT / "tests/fixtures/hf-daily-papers-scrape.txt",
                                    "--papers-dir", papers, "--wait", "600"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert process.stderr.readline().startswith("waiting up to 600 s")
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
        assert read_holder(papers / ".import.lock").token == lock.me.token  # ours, untouched
    assert process.returncode == 143 and err.strip() == "interrupted: nothing was written"
