"""scripts/import_scrape.py: in-process runs of its ``main`` (one subprocess smoke test)."""

from __future__ import annotations

from conftest import FIXTURE_PAPERS, FIXTURES, SEED, run, run_script, snapshot

UNSEEN = FIXTURES / "scrape-unseen.txt"


def test_seed_import_reproduces_the_fixture_papers(tmp_path):
    """tests/fixtures/papers/ is the seed scrape imported on 2026-11-28, frozen: the importer
    must still produce it byte for byte (file names, key order, quoting, suggested topics)."""
    result = run_script("import_scrape.py", SEED, "--papers-dir", tmp_path / "papers", "--added", "2026-11-28")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("41 created, 0 updated, 0 unchanged, 0 rejected")
    assert snapshot(tmp_path / "papers") == snapshot(FIXTURE_PAPERS)


def test_import_scrape_runs_as_a_program(tmp_path):
    result = run("scripts/import_scrape.py", UNSEEN, "--papers-dir", tmp_path / "papers", "--added", "2026-11-28")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("4 created, 0 updated, 0 unchanged, 0 rejected")


def test_seed_files_field_by_field(tmp_path):
    run_script("import_scrape.py", SEED, "--papers-dir", tmp_path / "papers", "--added", "2026-11-28", check=True)
    text = (tmp_path / "papers/2024/git-towards-generalist-vision-transformer-through-universal-language-interface.md").read_text()
    front = text.split("---\n")[1]
    assert "title: 'GiT: Towards Generalist Vision Transformer through Universal Language Interface'\n" in front
    assert "published: 2024-03-14\n" in front
    assert "author_count: 8\n" in front
    assert "upvotes: 11\n" in front
    assert "links:\n  code: https://github.com/Haiyang-W/GiT\n" in front
    assert "added: 2026-11-28\n" in front
    assert "topics: [multimodal" in front
    assert text.split("---\n", 2)[2].startswith("\nThis paper proposes a simple, yet effective framework, called GiT")
    qwen = (tmp_path / "papers/2025/qwenlong-cprs-towards-infty-llms-with-dynamic-context-optimization.md").read_text()
    assert "title: 'QwenLong-CPRS: Towards $\\infty$-LLMs with Dynamic Context Optimization'" in qwen
    mask = (tmp_path / "papers/2025/it-s-all-in-the-mask-simple-instruction-tuning-enables-bert-like-masked-language.md").read_text()
    assert "title: 'It''s All in The [MASK]: Simple Instruction-Tuning Enables BERT-like Masked Language Models As Generative Classifiers'" in mask
    assert "upvotes: 0\n" in mask


def test_unseen_scrape_imports_and_a_second_run_changes_no_byte(tmp_path):
    papers = tmp_path / "papers"
    first = run_script("import_scrape.py", UNSEEN, "--papers-dir", papers, "--added", "2026-11-28")
    assert first.returncode == 0, first.stderr
    assert "4 created, 0 updated, 0 unchanged, 0 rejected" in first.stdout  # the duplicate entry is written once
    before = snapshot(papers)
    assert sorted(before) == [
        "2017/attention-is-all-you-need.md",
        "2022/in-context-learning-and-induction-heads.md",
        "2023/llama-open-and-efficient-foundation-language-models.md",
        "2024/a-tiny-note-on-o-n-2-attention.md",
    ]
    second = run_script("import_scrape.py", UNSEEN, "--papers-dir", papers, "--added", "2026-12-01")
    assert second.returncode == 0
    assert "0 created, 0 updated, 4 unchanged, 0 rejected" in second.stdout
    assert snapshot(papers) == before
    assert run_script("validate.py", "--papers-dir", papers).returncode == 0


def test_reimport_updates_only_source_fields_and_keeps_curator_edits(tmp_path):
    papers = tmp_path / "papers"
    run_script("import_scrape.py", UNSEEN, "--papers-dir", papers, "--added", "2026-11-28", check=True)
    path = papers / "2017/attention-is-all-you-need.md"
    curated = path.read_text().replace("topics: [", "topics: [surveys, ").replace(
        "added: 2026-11-28\n", "added: 2026-11-28\nnote: The one that started it all.\n").replace(
        "title: Attention Is All You Need", "title: Attention is all you need")
    path.write_text(curated)
    newer = tmp_path / "newer.txt"
    newer.write_text(UNSEEN.read_text().replace("Jun 12, 2017 140", "Jun 12, 2017 150"), newline="")
    result = run_script("import_scrape.py", newer, "--papers-dir", papers, "--added", "2026-12-01")
    assert result.returncode == 0, result.stderr
    assert "updated: papers/2017/attention-is-all-you-need.md" in result.stdout
    assert "0 created, 1 updated, 3 unchanged" in result.stdout
    assert path.read_text() == curated.replace("upvotes: 140", "upvotes: 150")


def test_duplicate_found_by_title_even_under_another_file_name(tmp_path):
    papers = tmp_path / "papers"
    run_script("import_scrape.py", UNSEEN, "--papers-dir", papers, "--added", "2026-11-28", check=True)
    (papers / "2017/attention-is-all-you-need.md").rename(papers / "2017/attention-all-you-need.md")
    result = run_script("import_scrape.py", UNSEEN, "--papers-dir", papers, "--added", "2026-11-28")
    assert "0 created" in result.stdout
    assert not (papers / "2017/attention-is-all-you-need.md").exists()


def test_dry_run_writes_nothing(tmp_path):
    result = run_script("import_scrape.py", UNSEEN, "--papers-dir", tmp_path / "papers", "--dry-run")
    assert result.returncode == 0
    assert "would be created: papers/2017/attention-is-all-you-need.md" in result.stdout
    assert not (tmp_path / "papers").exists()


def test_unreadable_entries_exit_1_with_file_and_line_and_good_ones_are_written(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("Good one\n\nAn abstract.\n\n  • 2 authors\n·\nMar 3, 2024 4\n\nBad one\n\nAnother.\n\n  • 3 authors\n·\nsoon\n")
    result = run_script("import_scrape.py", bad, "--papers-dir", tmp_path / "papers", "--added", "2026-11-28")
    assert result.returncode == 1
    assert f"rejected: {bad}:15: expected a date like 'Aug 8, 2024'" in result.stderr
    assert "Traceback" not in result.stderr
    assert "1 created, 0 updated, 0 unchanged, 1 rejected" in result.stdout
    assert [p.name for p in (tmp_path / "papers").rglob("*.md")] == ["good-one.md"]
    assert not list((tmp_path / "papers").rglob("*.tmp"))


def test_missing_and_non_utf8_inputs_fail_cleanly(tmp_path):
    result = run_script("import_scrape.py", tmp_path / "nope.txt", "--papers-dir", tmp_path / "papers")
    assert result.returncode == 1 and "nope.txt: cannot read" in result.stderr and "Traceback" not in result.stderr
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"Title\n\nCaf\xe9 abstract\n")
    result = run_script("import_scrape.py", latin, "--papers-dir", tmp_path / "papers")
    assert result.returncode == 1 and "latin.txt:3: not UTF-8 text (byte 0xe9)" in result.stderr


def test_refuses_to_import_next_to_broken_files(tmp_path):
    papers = tmp_path / "papers"
    (papers / "2024").mkdir(parents=True)
    (papers / "2024/broken.md").write_text("---\ntitle: [\n---\nx\n")
    result = run_script("import_scrape.py", UNSEEN, "--papers-dir", papers)
    assert result.returncode == 1
    assert "papers/2024/broken.md:3: invalid YAML" in result.stderr
    assert [p.name for p in papers.rglob("*.md")] == ["broken.md"]


def test_slug_collision_gets_a_short_suffix(tmp_path):
    # Two different titles sharing their first 80 characters share a slug.
    stem = "Scaling Laws for Neural Language Models Revisited with Many More Words Than Fit in a Slug"
    text = (f"{stem}: Part One\n\nFirst abstract.\n\n  • 2 authors\n·\nMar 3, 2024\n\n"
            f"{stem}: Part Two\n\nSecond abstract.\n\n  • 2 authors\n·\nMar 4, 2024\n")
    scrape = tmp_path / "s.txt"
    scrape.write_text(text)
    run_script("import_scrape.py", scrape, "--papers-dir", tmp_path / "papers", check=True)
    names = sorted(p.name for p in (tmp_path / "papers/2024").iterdir())
    assert names == ["scaling-laws-for-neural-language-models-revisited-with-many-more-words-than-fit-2.md",
                     "scaling-laws-for-neural-language-models-revisited-with-many-more-words-than-fit.md"]
    assert all(len(n.removesuffix(".md")) <= 82 for n in names)
    # A second run maps each entry back to its own file.
    again = run_script("import_scrape.py", scrape, "--papers-dir", tmp_path / "papers")
    assert "0 created, 0 updated, 2 unchanged" in again.stdout


def test_an_upvotes_update_keeps_the_curators_file_as_written(tmp_path):
    papers = tmp_path / "papers"
    run_script("import_scrape.py", UNSEEN, "--papers-dir", papers, "--added", "2026-11-28", check=True)
    path = papers / "2017/attention-is-all-you-need.md"
    curated = path.read_text().replace("topics: [", "# Curated by hand: keep this comment.\ntopics: [").replace(
        "upvotes: 140", "upvotes: 140  # from Hugging Face")
    path.write_text(curated)
    newer = tmp_path / "newer.txt"
    newer.write_text(UNSEEN.read_text().replace("Jun 12, 2017 140", "Jun 12, 2017 151"), newline="")
    result = run_script("import_scrape.py", newer, "--papers-dir", papers, "--added", "2026-12-01")
    assert "1 updated" in result.stdout
    assert path.read_text() == curated.replace("upvotes: 140  #", "upvotes: 151  #")
    # A change beyond upvotes (a new link) rewrites the file in the standard form, keeping every value.
    newest = tmp_path / "newest.txt"
    newest.write_text(newer.read_text().replace("entirely.", "entirely. Code: https://github.com/example/transformer."), newline="")
    run_script("import_scrape.py", newest, "--papers-dir", papers, "--added", "2026-12-01", check=True)
    text = path.read_text()
    assert "# Curated" not in text and "upvotes: 151\n" in text and "code: https://github.com/example/transformer" in text
