"""BibTeX (issue 10): names citation managers can split, arXiv fields, withdrawn notes, and
entries that a real parser (bibtexparser 2) and real ``bibtex`` read without a complaint,
whatever a paper's title holds. Nothing from a paper may become a TeX command."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess

import bibtexparser
import pytest
from bibtexparser import middlewares
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from conftest import ROOT
from readinglist.bibtex import bibliography, bibtex_name, citation_keys, entry
from readinglist.catalog import load_catalog
from readinglist.model import Paper
from readinglist.pages.build import Build, Site
from readinglist.pages.exports import generate as generate_exports
from readinglist.taxonomy import load_taxonomy

HOSTILE_TITLES = [
    "Closing }} braces early } and @misc(evil, title={x}) inside",
    "Unbalanced { brace and \\input{/etc/passwd} and \\write18{rm -rf /}",
    "Math that reads a file $\\input{/etc/passwd}$ and $a}{b$ and $x % comment$",
    "@misc{second, title={Injected}} and @comment{ and @string{x = \"y\"}",
    "Specials & % # _ ^ ~ < > \\ \\\\ $ end",
    "Kept math $\\infty$-LLMs and $O(n^2)$ and $\\mathcal{O}(1)$",
    "A title with \\csname end\\endcsname and \\def\\x{y} \\catcode`\\@=11",
]


def paper(title: str, **kw) -> Paper:
    fields = {"published": dt.date(2024, 3, 1), "added": dt.date(2024, 3, 2), "topics": ("surveys",),
              "abstract": "An abstract.", "authors": ("Ada Lovelace",), "path": f"2024/p{abs(hash(title))}.md"}
    return Paper(title=title, **{**fields, **kw})


def decoder() -> LatexNodes2Text:
    """pylatexenc with LaTeX's text-symbol macros it does not know by default."""
    db = get_default_latex_context_db()
    db.add_context_category("text-symbols", prepend=True, macros=[
        MacroTextSpec(name, text) for name, text in (
            ("textbraceleft", "{"), ("textbraceright", "}"), ("textless", "<"), ("textgreater", ">"),
            ("textasciicircum", "^"), ("textasciitilde", "~"), ("textbackslash", "\\"))])
    return LatexNodes2Text(latex_context=db, math_mode="verbatim")


def parse(text: str):
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    return library


# --- Names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "first", "von", "last", "jr"), [
    ("Alok N. Shah", ["Alok", "N."], [], ["Shah"], []),
    ("María Grandury", ["María"], [], ["Grandury"], []),
    ("Johannes Diderik van der Waals", ["Johannes", "Diderik"], [], ["van der Waals"], []),
    ("Jan de Vries", ["Jan"], [], ["de Vries"], []),
    ("Ludwig Van Beethoven", ["Ludwig"], [], ["Van Beethoven"], []),
    ("Martin Luther King Jr.", ["Martin", "Luther"], [], ["King"], ["Jr."]),
    ("OpenAI", [], [], ["OpenAI"], []),
    ("Tom and Jerry", [], [], ["Tom and Jerry"], []),
    ("张三", [], [], ["张三"], []),
])
def test_names_split_the_way_bibtex_reads_them(name, first, von, last, jr):
    text = f"@misc{{k,\n  author = {{{bibtex_name(name)} and Grace Hopper}}\n}}\n"
    library = bibtexparser.parse_string(text, append_middleware=[middlewares.SeparateCoAuthors(),
                                                                 middlewares.SplitNameParts()])
    names = library.entries[0]["author"]
    assert len(names) == 2  # "and" inside a name never splits it
    parts = names[0]
    strip = [w.strip("{}") for w in parts.last]
    assert (parts.first, parts.von, [" ".join(strip)] if strip else [], parts.jr) == (first, von, last, jr)


def test_entry_has_authors_arxiv_fields_and_a_withdrawn_note():
    p = paper("Attention Is All You Need", authors=("Ashish Vaswani", "Noam Shazeer", "Łukasz Kaiser"),
              arxiv="1706.03762", published=dt.date(2017, 6, 12), withdrawn=dt.date(2017, 7, 1))
    fields = parse(entry(p, "vaswani2017attention", "https://example.org/p/")).entries[0].fields_dict
    assert fields["author"].value == "Vaswani, Ashish and Shazeer, Noam and Kaiser, Łukasz"
    assert fields["eprint"].value == "1706.03762" and fields["archivePrefix"].value == "arXiv"
    assert fields["url"].value == "https://arxiv.org/abs/1706.03762"
    assert fields["note"].value == "Withdrawn on 1 July 2017"
    assert "primaryClass" not in fields  # not known for new-style ids


def test_old_style_ids_give_the_primary_class_and_no_authors_give_a_sort_key():
    p = paper("Old Paper", authors=(), author_count=2, arxiv="hep-th/9901001", published=dt.date(1999, 1, 4))
    fields = parse(entry(p, "old1999paper", "https://example.org/p/")).entries[0].fields_dict
    assert fields["primaryClass"].value == "hep-th"
    assert fields["key"].value == "old1999paper" and "author" not in fields
    assert "note" not in fields


def test_keys_use_the_surname_without_particles_and_suffixes_go_by_added_date():
    a = paper("Scaling Laws", authors=("Jan de Vries",), added=dt.date(2024, 3, 5), path="2024/a.md")
    b = paper("Scaling Everything", authors=("Piet de Vries",), added=dt.date(2024, 3, 3), path="2024/b.md")
    c = paper("Towards Things", authors=("Wei Zhang Jr.",), path="2024/c.md")
    assert citation_keys([a, b, c]) == {"2024/b.md": "vries2024scaling", "2024/a.md": "vries2024scalingb",
                                        "2024/c.md": "zhang2024towards"}


# --- Hostile titles ----------------------------------------------------------------------


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_a_hostile_title_stays_one_entry_with_its_text_intact(title):
    p = paper(title, authors=("Robert'); \\input{x} Tables", "A } B"))
    text = bibliography([p, paper("A Benign Neighbour", path="2024/n.md")],
                        {p.path: "evil2024title", "2024/n.md": "benign2024neighbour"},
                        {p.path: "https://e.org/", "2024/n.md": "https://e.org/n/"})
    library = parse(text)
    assert [e.key for e in library.entries] == ["evil2024title", "benign2024neighbour"]
    raw = library.entries[0]["title"]
    assert raw.startswith("{") and raw.endswith("}")
    assert decoder().latex_to_text(raw[1:-1]) == title
    # No TeX command from the paper survives: only text symbols, escapes and allowed math.
    for field in ("title", "author"):
        value = library.entries[0][field]
        assert not re.search(r"\\(input|write|def|csname|catcode|include|immediate|openout|endcsname)\b", value)


def test_real_bibtex_reads_hostile_and_real_names_without_a_warning(tmp_path):
    papers = [paper(t, path=f"2024/h{i}.md", authors=("Alok N. Shah", "María Grandury", "Jan de Vries", "OpenAI"))
              for i, t in enumerate(HOSTILE_TITLES)]
    papers.append(paper("No Authors Known", authors=(), author_count=3, path="2024/none.md", withdrawn=dt.date(2024, 4, 1)))
    keys = citation_keys(papers)
    out = run_bibtex(tmp_path, bibliography(papers, keys, {p.path: "https://e.org/x/" for p in papers}))
    assert out.count("\\bibitem") == len(papers)


def test_every_bib_file_the_site_serves_parses_and_passes_bibtex(tmp_path):
    taxonomy = load_taxonomy(ROOT / "topics.yml")
    catalog = load_catalog(ROOT / "papers", taxonomy)
    build = Build(catalog, taxonomy, Site("Test", "", "https://example.org/"))
    bibs = {p.src_uri: p.content for p in generate_exports(build) if p.src_uri.endswith(".bib")}
    for uri, text in bibs.items():
        library = parse(text)
        expected = build.papers if uri == "papers.bib" else build.by_topic[uri.split("/")[1]]
        assert [e.key for e in library.entries] == [build.citation_keys[p.path] for p in expected], uri
        for found, p in zip(library.entries, expected, strict=True):
            assert decoder().latex_to_text(found["title"][1:-1]) == p.title
    out = run_bibtex(tmp_path, bibs["papers.bib"])
    assert out.count("\\bibitem") == len(build.papers)


def run_bibtex(folder, bib: str) -> str:
    """Runs real bibtex with plain.bst on ``bib`` and a minimal .aux citing everything;
    fails on any warning or error. Returns the .bbl."""
    if shutil.which("bibtex") is None:
        if os.environ.get("CI"):
            pytest.fail("bibtex is not installed (make test installs it as root: scripts/ensure-bibtex.sh)")
        pytest.skip("bibtex is not installed (apt-get install texlive-binaries texlive-base)")
    (folder / "papers.bib").write_text(bib, encoding="utf-8")
    (folder / "test.aux").write_text("\\citation{*}\n\\bibstyle{plain}\n\\bibdata{papers}\n")
    result = subprocess.run(["bibtex", "test"], cwd=folder, capture_output=True, text=True, timeout=60)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert "Warning" not in log and "error" not in log.lower(), log
    return (folder / "test.bbl").read_text(encoding="utf-8")
