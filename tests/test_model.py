"""The paper model: parsing, per-key validation and writing back."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from readinglist.model import Paper, arxiv_problem, dump_paper, normalise_title, parse_paper, url_problem

TOPICS = ("long-context", "surveys", "interpretability")

GOOD = """---
title: 'QwenLong-CPRS: Towards $\\infty$-LLMs'
published: 2025-05-23
authors: [Ada Lovelace, Alan Turing]
author_count: 2
upvotes: 3
arxiv: '2505.18092'
links:
  code: https://github.com/org/repo
topics: [long-context]
added: 2025-06-01
note: |
  Read *section 3* first.
---

The abstract.

Second paragraph.
"""


def parse(text: str):
    return parse_paper(text, "papers/2025/x.md", TOPICS)


def test_good_file_parses_to_the_expected_paper():
    paper, problems = parse(GOOD)
    assert problems == []
    assert paper.title == "QwenLong-CPRS: Towards $\\infty$-LLMs"
    assert paper.published == dt.date(2025, 5, 23)
    assert paper.authors == ("Ada Lovelace", "Alan Turing")
    assert paper.arxiv == "2505.18092"
    assert paper.links == (("code", "https://github.com/org/repo"),)
    assert paper.note == "Read *section 3* first."
    assert paper.abstract == "The abstract.\n\nSecond paragraph."
    assert paper.lines["topics"] == 10


def test_dump_then_parse_gives_the_same_paper_and_the_same_text():
    paper, _ = parse(GOOD)
    text = dump_paper(paper)
    again, problems = parse(text)
    assert problems == []
    assert again == paper
    assert dump_paper(again) == text


@pytest.mark.parametrize("title", ["null", "yes", "2024-01-01", "1e3", "key: value", "- lead", "# hash", "&anchor", "*star",
                                   "it's \"quoted\"", "[MASK] and {braces}", "Ünïcödé — ∞", "~", "@at", "%pct", "`tick`"])
def test_titles_that_yaml_would_retype_stay_text(title):
    paper = Paper(title=title, published=dt.date(2024, 1, 2), added=dt.date(2024, 1, 3), topics=("surveys",), abstract="A.")
    again, problems = parse(dump_paper(paper))
    assert problems == []
    assert again.title == title


def replace_line(key: str, line: str) -> str:
    out = [line if row.startswith(f"{key}:") else row for row in GOOD.split("\n")]
    return "\n".join(out)


@pytest.mark.parametrize(("key", "line", "expected_line", "message"), [
    ("title", "title: 2024", 2, "expected text"),
    ("title", "title: ''", 2, "is empty"),
    ("title", "title: " + "x" * 301, 2, "at most 300"),
    ("published", "published: 2024-13-45", 3, "is not a date; expected YYYY-MM-DD"),
    ("published", "published: 23/05/2025", 3, "is not a date"),
    ("published", "published: 2999-01-01", 3, "is in the future"),
    ("authors", "authors: Ada", 4, "expected a list"),
    ("author_count", "author_count: 3", 5, "is 3 but 2 authors are listed"),
    ("author_count", "author_count: many", 5, "not a whole number"),
    ("upvotes", "upvotes: -1", 6, "too small"),
    ("upvotes", "upvotes: 1.5", 6, "not a whole number"),
    ("arxiv", "arxiv: 2505.18092v2", 7, "version suffix"),
    ("arxiv", "arxiv: arXiv:2505", 7, "is not an arXiv id"),
    ("topics", "topics: [long-context, agents]", 10, "unknown topic 'agents'; valid topics: interpretability, long-context, surveys"),
    ("topics", "topics: []", 10, "at least one topic"),
    ("topics", "topics: [surveys, surveys]", 10, "listed twice"),
    ("added", "added: 2025-01-01", 11, "before the publication date"),
])
def test_bad_values_are_located_and_explained(key, line, expected_line, message):
    paper, problems = parse(replace_line(key, line))
    assert paper is None
    assert any(p.key == key and p.line == expected_line and message in p.message for p in problems), problems
    assert str(problems[0]).startswith(f"papers/2025/x.md:{problems[0].line}:")


def test_bad_link_url_names_the_link():
    text = GOOD.replace("https://github.com/org/repo", "javascript:alert(1)")
    _, problems = parse(text)
    assert [(p.line, p.key) for p in problems] == [(9, "links.code")]
    assert "absolute http(s) URL" in problems[0].message


@pytest.mark.parametrize(("text", "line", "key", "message"), [
    ("title: x\n---\n", 1, "", "must start with a line '---'"),
    ("---\ntitle: x\n", 1, "", "never closed"),
    ("---\ntitle: [unclosed\n---\nA.\n", 3, "", "invalid YAML"),
    ("---\ntitle: x\n\tpublished: 2024-01-01\n---\nA.\n", 3, "", "tab"),
    ("---\ntitle: a\ntitle: b\npublished: 2024-01-01\ntopics: [surveys]\nadded: 2024-01-02\n---\nA.\n", 3, "title", "given twice"),
    ("---\ntitel: a\npublished: 2024-01-01\ntopics: [surveys]\nadded: 2024-01-02\n---\nA.\n", 2, "titel", "did you mean 'title'"),
    ("---\npublished: 2024-01-01\ntopics: [surveys]\nadded: 2024-01-02\n---\nA.\n", 2, "title", "required key 'title' is missing"),
    ("---\ntitle: a\npublished: 2024-01-01\ntopics: [surveys]\nadded: 2024-01-02\n---\n\n", 7, "abstract", "abstract"),
    ("---\n- a\n- b\n---\nA.\n", 2, "", "key: value"),
])
def test_structural_problems(text, line, key, message):
    paper, problems = parse(text)
    assert paper is None
    assert any(p.line == line and p.key == key and message in p.message for p in problems), problems


def test_crlf_and_bom_are_read_like_plain_files():
    paper, problems = parse("\ufeff" + GOOD.replace("\n", "\r\n"))
    assert problems == []
    assert paper.abstract == "The abstract.\n\nSecond paragraph."


def test_every_problem_of_a_file_is_reported_at_once():
    text = GOOD.replace("published: 2025-05-23", "published: nope").replace("upvotes: 3", "upvotes: -3")
    _, problems = parse(text)
    assert {p.key for p in problems} >= {"published", "upvotes"}


@pytest.mark.parametrize(("value", "ok"), [("2408.04303", True), ("1501.00001", True), ("hep-th/9901001", True),
                                          ("math.GT/0309136", True), ("2413.00001", False), ("2408.04303v1", False), ("abc", False)])
def test_arxiv_ids(value, ok):
    assert (arxiv_problem(value) is None) is ok


@pytest.mark.parametrize(("value", "ok"), [("https://x.org/a", True), ("http://x.org", True), ("javascript:alert(1)", False),
                                          ("data:text/html,x", False), ("/relative", False), ("https://", False), ("https://a b", False)])
def test_urls(value, ok):
    assert (url_problem(value) is None) is ok


def test_title_normalisation_ignores_case_punctuation_and_accents():
    assert normalise_title("It's All in The [MASK]") == normalise_title("its all in the mask")
    assert normalise_title("Über") == normalise_title("uber")


def test_the_readme_example_is_a_valid_paper():
    import re

    from conftest import ROOT
    from readinglist.taxonomy import load_taxonomy

    example = re.search(r"```markdown\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL).group(1)
    paper, problems = parse_paper(example, "README.md", load_taxonomy(ROOT / "topics.yml").ids)
    assert problems == []
    assert paper.arxiv == "2403.09394" and paper.note.startswith("One plain ViT")


def test_a_paper_added_the_day_it_was_published_is_written_without_yaml_aliases():
    day = dt.date(2025, 1, 1)
    text = dump_paper(Paper(title="A Paper", published=day, added=day, topics=("surveys",), abstract="An abstract.",
                            path="2025/a-paper.md"))
    front = yaml.compose(text.split("---\n")[1])  # the node tree: an alias would show as one shared node
    values = {key.value: value.value for key, value in front.value}
    assert values["published"] == values["added"] == "2025-01-01"
    assert "&" not in text and "*" not in text
