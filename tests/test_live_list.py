"""The live list: checks that hold for whatever ``papers/`` holds, so a contribution, a nightly
import or a curator's edit keeps CI green as long as the list is sound. They only read
``papers/`` (the site is built in a temporary copy) and never count or name its papers.

The proof that they are the right checks: ``test_the_list_can_grow`` copies the project, adds
a paper with ``new_paper.py --title``, adds one written by hand, imports a scrape no test has
seen, edits a listed paper's topics and note, and runs the same checks on the result.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import NO_SEARCH, ROOT, copy_project, mkdocs_build, mkdocs_build_in_process, run, run_script
from sitecheck import check_list_invariants, front_matter, page, resolve


def list_problems(project: Path, build) -> list[str]:
    """Everything wrong with a project's list: validator problems, a strict build's warnings,
    then every disagreement between the paper files and the site."""
    result = run_script("validate.py", "--papers-dir", project / "papers", "--github")
    problems = [line for line in result.stdout.splitlines() if line.startswith(("papers/", "::error"))]
    if result.returncode != 0:
        return [*problems, f"validate.py exited {result.returncode}"]
    if build.returncode != 0 or "WARNING" in build.stderr:
        return [f"mkdocs build --strict: {build.stderr[-3000:]}"]
    return check_list_invariants(project / "papers", project / "site")


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    """A copy of the project with the live papers/, built once per session."""
    project = copy_project(tmp_path_factory.mktemp("live") / "project", papers=ROOT / "papers")
    return project, mkdocs_build(project)


def test_every_live_paper_file_is_valid():
    result = run("scripts/validate.py", "--github")  # the live folder, as CI runs it
    assert result.returncode == 0, result.stdout
    assert "::error" not in result.stdout
    assert re.fullmatch(r"\d+ paper\(s\), all valid\.\n", result.stdout), result.stdout


def test_the_live_site_builds_strictly(live):
    _, build = live
    assert build.returncode == 0, build.stderr
    assert "WARNING" not in build.stderr


def test_the_live_site_shows_every_paper_where_it_belongs(live):
    project, build = live
    assert build.returncode == 0, build.stderr
    assert check_list_invariants(project / "papers", project / "site") == []


# --- Proof: the list grows by every workflow and the checks still pass -------------------

UNSEEN_SCRAPE = """Daily Papers

Retrieval Heads Are Sparse: A Study of Copying in Long-Context Transformers

We find that a small set of attention heads retrieves information from long contexts, and that
pruning them breaks long-context retrieval while leaving short-context perplexity unchanged.
Code: https://github.com/example/sparse-retrieval-heads

  • 3 authors
·
Oct 2, 2025 17

Tokenizer-Free Multilingual Pretraining at Byte Level

We pretrain a byte-level multilingual language model without a tokenizer and match subword
models on 40 languages.

  • 5 authors
·
Sep 30, 2025 4

GiT: Towards Generalist Vision Transformer through Universal Language Interface

This paper proposes a simple, yet effective framework, called GiT, simultaneously applicable
for various vision tasks only with a vanilla ViT.

  • 8 authors
·
Mar 14, 2024 25
"""

HAND_WRITTEN = """---
title: 'Deep Contextualized Word Representations'
published: 2018-02-15
authors: [Matthew E. Peters, Mark Neumann]
upvotes: 5
topics: [pretraining, multilingual]
added: 2026-11-28
note: |
  Written by hand: *ELMo*, the paper before BERT.
---

We introduce a new type of deep contextualized word representation.
"""


def test_the_list_can_grow(tmp_path):
    project = copy_project(tmp_path / "project")
    papers = project / "papers"

    # 1. A contributor scaffolds a paper offline and fills in the abstract.
    made = run_script("new_paper.py", "--title", "Sparse Attention Heads for Long Context Retrieval", "--published", "2025-06-01",
                      "--papers-dir", papers)  # added: today
    assert made.returncode == 0, made.stderr
    new = Path(made.stdout.strip())
    new.write_text(new.read_text().replace("Abstract to be written: paste the paper's abstract here.",
                                           "We find sparse attention heads that retrieve from long contexts."))
    # 2. Another writes one by hand, in a year the list did not have.
    (papers / "2018").mkdir()
    (papers / "2018/deep-contextualized-word-representations.md").write_text(HAND_WRITTEN)
    # 3. The nightly import brings a scrape no test has seen: two new papers, one update.
    scrape = tmp_path / "scrape.txt"
    scrape.write_text(UNSEEN_SCRAPE)
    imported = run_script("import_scrape.py", scrape, "--papers-dir", papers)  # added: today
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip().endswith("2 created, 1 updated, 0 unchanged, 0 rejected")
    # 4. A curator moves a listed paper to other topics and writes a note.
    edited = papers / "2024/a-survey-on-mixture-of-experts.md"
    text = edited.read_text()
    old_topics = re.search(r"^topics: \[(.*)\]$", text, re.MULTILINE).group(1).split(", ")
    assert "long-context" not in old_topics
    edited.write_text(re.sub(r"^topics: .*$", "topics: [efficient-inference, long-context]\nnote: Read section 4 on *routing*.", text,
                             flags=re.MULTILINE))

    build = mkdocs_build_in_process(project, env=NO_SEARCH)  # the live build above runs the search indexer
    assert list_problems(project, build) == []

    # The checks above are generic; these say they looked at the right things.
    entries = {e.url: e for e in front_matter(papers)}
    assert len(entries) == 41 + 4
    site = project / "site"
    moved = "papers/2024/a-survey-on-mixture-of-experts/"
    assert moved in [resolve("topics/long-context/", h) for h in page(site, "topics/long-context/").entries]
    for topic in set(old_topics) - {"efficient-inference", "long-context"}:
        assert moved not in [resolve(f"topics/{topic}/", h) for h in page(site, f"topics/{topic}/").entries]
    assert "Read section 4 on <em>routing</em>." in (site / moved / "index.html").read_text()
    assert [resolve("dates/2018/", h) for h in page(site, "dates/2018/").entries] == ["papers/2018/deep-contextualized-word-representations/"]
    assert "upvotes: 25" in (papers / "2024/git-towards-generalist-vision-transformer-through-universal-language-interface.md").read_text()


def test_the_checks_catch_a_site_that_lost_a_paper(tmp_path, fixture_build):
    """The invariants can fail: a site missing one paper from a topic page, the feed and the
    bibliography is reported on each count."""
    site = tmp_path / "site"
    shutil.copytree(fixture_build.site, site, copy_function=os.link)  # hard links: fast; edited files are unlinked first

    def edit(path: Path, change) -> None:
        text = path.read_text()
        path.unlink()
        path.write_text(change(text))

    lost = "papers/2024/a-survey-on-mixture-of-experts/"
    shutil.rmtree(site / lost)
    for listing in (site / "topics/surveys/index.html", site / "dates/2024/index.html"):
        edit(listing, lambda text: re.sub(r'<a [^>]*href="(?:\.\./)*' + re.escape(lost) + '"', "<a", text))
    edit(site / "papers.bib", lambda text: text.replace("@misc{survey2024mixture,", "@misc{dup,", 1)
         .replace("@misc{git2024towards,", "@misc{dup,", 1))
    problems = check_list_invariants(fixture_build.papers, site)
    assert f"{lost}: no page" in problems
    assert any(p.startswith("topics/surveys/: missing") and lost in p for p in problems), problems
    assert any(p.startswith("dates/2024/") for p in problems), problems
    assert any(p.startswith("papers.bib: DuplicateBlockKeyBlock") for p in problems), problems
