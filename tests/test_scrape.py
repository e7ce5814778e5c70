"""Parsing scraped Daily Papers listings: the seed scrape field by field, and edge cases."""

from __future__ import annotations

import datetime as dt

from conftest import FIXTURES, SEED
from readinglist.sources.entry import links_in
from readinglist.sources.scrape import parse_scrape


def seed_entries():
    entries, problems = parse_scrape(SEED.read_text(encoding="utf-8"), "seed.txt")
    assert problems == []
    return {e.title: e for e in entries}


def test_seed_has_41_entries_with_header_noise_skipped():
    entries = seed_entries()
    assert len(entries) == 41
    assert not any(t in entries for t in ("new", "Subscribe", "Daily Papers", "Jan 7"))


def test_seed_first_entry_field_by_field():
    e = seed_entries()["Trans-Tokenization and Cross-lingual Vocabulary Transfers: Language Adaptation of LLMs for Low-Resource NLP"]
    assert e.published == dt.date(2024, 8, 8)
    assert e.author_count == 6
    assert e.upvotes == 2
    assert e.abstract.startswith("The development of monolingual language models for low and mid-resource languages")
    assert e.abstract.endswith("contribute to the empowerment of languages on a global scale.")
    assert e.links == ()
    assert e.line == 13


def test_seed_math_title_and_brackets_kept_verbatim():
    entries = seed_entries()
    assert entries["QwenLong-CPRS: Towards $\\infty$-LLMs with Dynamic Context Optimization"].author_count == 15
    e = entries["It's All in The [MASK]: Simple Instruction-Tuning Enables BERT-like Masked Language Models As Generative Classifiers"]
    assert (e.published, e.author_count, e.upvotes) == (dt.date(2025, 2, 6), 3, 0)
    quoted = entries['"Kelly is a Warm Person, Joseph is a Role Model": Gender Biases in LLM-Generated Reference Letters']
    assert quoted.published == dt.date(2023, 10, 13)


def test_seed_links_from_abstracts():
    entries = seed_entries()
    assert entries["GiT: Towards Generalist Vision Transformer through Universal Language Interface"].links == (
        ("code", "https://github.com/Haiyang-W/GiT"),)
    assert entries["GiT: Towards Generalist Vision Transformer through Universal Language Interface"].upvotes == 11
    human = entries["HumanAesExpert: Advancing a Multi-Modality Foundation Model for Human Image Aesthetic Assessment"]
    assert human.links == (("project", "https://humanaesexpert.github.io/HumanAesExpert/"),)
    assert "https://humanaesexpert.github.io/HumanAesExpert/" in human.abstract  # the text itself is kept


def test_seed_last_entry_without_trailing_newline():
    e = seed_entries()["Tele-LLMs: A Series of Specialized Large Language Models for Telecommunications"]
    assert (e.published, e.author_count, e.upvotes) == (dt.date(2024, 9, 8), 4, 0)


def test_one_author_and_one_author_count():
    e = seed_entries()["A Markov Categorical Framework for Language Modeling"]
    assert e.author_count == 1


def test_unseen_scrape_with_crlf_nbsp_footer_and_duplicate():
    entries, problems = parse_scrape((FIXTURES / "scrape-unseen.txt").read_text(encoding="utf-8"), "unseen.txt")
    assert problems == []
    titles = [e.title for e in entries]
    assert titles.count("Attention Is All You Need") == 2  # the importer writes it once
    tiny = entries[3]
    assert tiny.title == "A Tiny Note on $O(n^2)$ Attention"
    assert "\u00a0" not in tiny.abstract
    assert tiny.author_count == 1 and tiny.upvotes == 1
    assert tiny.links == (("project", "https://example.org/tiny-note"), ("data", "https://huggingface.co/datasets/example/tiny"))
    llama = entries[2]
    assert llama.upvotes == 0
    assert llama.links == (("code", "https://github.com/example/llama"), ("project", "https://example.org/llama"))


def test_unreadable_entry_is_reported_with_file_and_line_and_others_kept():
    text = ("Good one\n\nAbstract one.\n\n  • 2 authors\n·\nMar 3, 2024 4\n\n"
            "Bad one\n\nAbstract two.\n\n  • 3 authors\n·\nSomeday 5\n\n"
            "Third\n\nAbstract three.\n\n  • 1 authors\n·\nFeb 30, 2024\n")
    entries, problems = parse_scrape(text, "s.txt")
    assert [e.title for e in entries] == ["Good one"]
    assert [str(p) for p in problems] == [
        "s.txt:15: expected a date like 'Aug 8, 2024' (and an optional upvote count) after the author count, found 'Someday 5'",
        "s.txt:23: 'Feb 30, 2024' is not a real date; expected a date like 'Aug 8, 2024'",
    ]


def test_entry_without_abstract_is_rejected():
    entries, problems = parse_scrape("Only a title\n\n  • 2 authors\n·\nMar 3, 2024\n", "s.txt")
    assert entries == []
    assert str(problems[0]) == "s.txt:1: expected a title line and an abstract before the author count"


def test_text_without_entries_is_a_problem():
    entries, problems = parse_scrape("just some text\n", "s.txt")
    assert entries == [] and "no papers found" in str(problems[0])


def test_links_strip_trailing_punctuation_and_number_repeats():
    assert links_in("See https://github.com/a/b. And https://github.com/c/d, https://github.com/a/b") == (
        ("code", "https://github.com/a/b"), ("code-2", "https://github.com/c/d"))
