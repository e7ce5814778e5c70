"""Nothing is lost: writes are all or nothing across files, proven by killing the writer at
each exact point of both phases (prepare, apply) and by failing writes (disk full, a
read-only folder, a file where a year folder should be). No timing: the kills happen inside
patched ``open`` / ``os.sync`` / ``os.fsync`` / ``os.replace`` / ``os.unlink`` calls."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_script
from readinglist import storage
from readinglist.catalog import load_catalog
from readinglist.storage import JOURNAL, StorageError, recover, write_all, write_atomic
from readinglist.taxonomy import load_taxonomy

TAXONOMY = load_taxonomy(ROOT / "topics.yml")
PAPER = """---
title: {title}
published: {year}-03-01
author_count: 2
upvotes: {upvotes}
topics: [surveys]
added: {year}-04-01
---

An abstract.
"""


def paper_text(title: str, year: int = 2024, upvotes: int = 1) -> str:
    return PAPER.format(title=title, year=year, upvotes=upvotes)


@pytest.fixture
def papers(tmp_path) -> Path:
    """A papers folder with two files; ``NEW`` updates both and adds two more."""
    root = tmp_path / "papers"
    for rel, text in OLD.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


OLD = {"2023/old-one.md": paper_text("Old One", 2023), "2024/old-two.md": paper_text("Old Two")}
NEW = {"2023/old-one.md": paper_text("Old One", 2023, upvotes=9), "2024/old-two.md": paper_text("Old Two", upvotes=9),
       "2024/new-three.md": paper_text("New Three"), "2025/new-four.md": paper_text("New Four", 2025)}


def state(root: Path) -> dict[str, str]:
    """Every file under ``root`` (temporaries and journal included) and its text."""
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def targets(root: Path) -> dict[str, Path]:
    return {rel: root / rel for rel in NEW}


def test_write_all_writes_every_file_and_leaves_nothing_else(papers):
    write_all({papers / rel: text for rel, text in NEW.items()}, papers)
    assert state(papers) == NEW
    assert load_catalog(papers, TAXONOMY).problems == []


# --- Kills at exact points ----------------------------------------------------------------

_KILLER = """
import builtins, json, os, sys
from pathlib import Path
from readinglist import storage
name, nth, root = sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
files = {root / rel: text for rel, text in json.loads(sys.stdin.read()).items()}
owner = builtins if name == "open" else os
real, calls = getattr(owner, name), [0]
def killer(*args, **kwargs):
    calls[0] += 1
    if calls[0] == nth:
        os._exit(137)  # like SIGKILL: no finally, no clean-up, no buffers flushed
    return real(*args, **kwargs)
setattr(owner, name, killer)
storage.write_all(files, root)
"""

# (patched call, which call) -> the state recovery must reach. The order of calls in write_all:
# open x4 (temporaries), sync, open + fsync (journal), replace #1 (commit), fsync (folder),
# replace #2-#5 (apply), fsync per folder, unlink (journal).
KILL_POINTS = [
    *((("open", n), "old") for n in (1, 2, 4, 5)),
    (("sync", 1), "old"),
    (("fsync", 1), "old"),
    (("replace", 1), "old"),  # killed just before the commit point
    (("fsync", 2), "new"),  # just after it
    *((("replace", n), "new") for n in (2, 3, 4, 5)),
    (("fsync", 3), "new"),
    (("unlink", 1), "new"),
]


@pytest.mark.parametrize(("point", "outcome"), KILL_POINTS, ids=[f"{n}-{k}" for (n, k), _ in KILL_POINTS])
def test_a_kill_at_any_point_is_completed_or_rolled_back_by_the_next_run(papers, point, outcome):
    name, nth = point
    child = subprocess.run([sys.executable, "-c", _KILLER, str(ROOT), name, str(nth), str(papers)], input=json.dumps(NEW),
                           capture_output=True, text=True, timeout=60)
    assert child.returncode == 137, f"the kill point was never reached: {child.stderr}"
    killed = state(papers)
    # Killed: every paper file holds its whole old or whole new text, never a part.
    for rel in NEW:
        assert killed.get(rel) in (OLD.get(rel), NEW[rel]), rel
    committed = JOURNAL in killed
    assert committed == (outcome == "new")
    if committed:  # the build and the validator refuse a half-applied list
        problems = load_catalog(papers, TAXONOMY).problems
        assert [(p.path, p.line) for p in problems] == [(f"papers/{JOURNAL}", 1)]
        assert "python -m readinglist.storage" in problems[0].message
    done = recover(papers)
    assert bool(done) == (killed != OLD), done  # it says what it did, and only when it did something
    assert state(papers) == (NEW if outcome == "new" else OLD)  # all or nothing; no temporary, no journal
    assert recover(papers) == []
    assert load_catalog(papers, TAXONOMY).problems == []


def test_the_next_import_completes_a_half_applied_one(papers):
    child = subprocess.run([sys.executable, "-c", _KILLER, str(ROOT), "replace", "3", str(papers)], input=json.dumps(NEW),
                           capture_output=True, text=True, timeout=60)
    assert child.returncode == 137
    assert run_script("validate.py", "--papers-dir", papers).returncode == 1
    unseen = ROOT / "tests/fixtures/scrape-unseen.txt"
    result = run_script("import_scrape.py", unseen, "--papers-dir", papers, "--added", "2026-11-28")
    assert result.returncode == 0, result.stderr
    assert "completed an interrupted import: " in result.stderr
    assert "4 created" in result.stdout
    assert {rel: text for rel, text in state(papers).items() if rel in NEW} == NEW
    assert run_script("validate.py", "--papers-dir", papers).returncode == 0


def test_recovery_from_the_command_line(papers):
    subprocess.run([sys.executable, "-c", _KILLER, str(ROOT), "replace", "2", str(papers)], input=json.dumps(NEW),
                   capture_output=True, text=True, timeout=60)
    assert storage.main([str(papers)]) == 0
    assert state(papers) == NEW


# --- Failing writes: one located message, nothing changed --------------------------------


@pytest.mark.parametrize("nth", [1, 3, 4, 5])
def test_disk_full_while_preparing_changes_no_file(papers, monkeypatch, nth):
    real_open, calls = open, [0]

    def failing_open(*args, **kwargs):
        calls[0] += 1
        if calls[0] == nth:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(*args, **kwargs)

    monkeypatch.setattr("builtins.open", failing_open)
    with pytest.raises(StorageError) as error:
        write_all({papers / rel: text for rel, text in NEW.items()}, papers)
    monkeypatch.undo()
    assert str(error.value).endswith(": cannot write: No space left on device; no file was changed")
    assert state(papers) == OLD  # old files intact, nothing new, no temporaries, no journal


def test_disk_full_while_writing_the_text(papers, monkeypatch):
    real_open = open

    class Full:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, text):
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.handle, name)

    def full_open(file, *args, **kwargs):
        handle = real_open(file, *args, **kwargs)
        return Full(handle) if Path(file).name.startswith(f".new-three.md.{os.getpid()}.") else handle

    monkeypatch.setattr("builtins.open", full_open)
    with pytest.raises(StorageError, match=r"papers/2024/new-three\.md: cannot write: No space left on device; no file was changed"):
        write_all({papers / rel: text for rel, text in NEW.items()}, papers)
    monkeypatch.undo()
    assert state(papers) == OLD


def test_read_only_folder(papers, monkeypatch):
    real_open = open

    def denied(file, *args, **kwargs):
        if Path(file).parent.name == "2025":
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", denied)  # root ignores chmod: make the folder refuse instead
    with pytest.raises(StorageError, match=r"papers/2025/new-four\.md: cannot write: Permission denied; no file was changed"):
        write_all({papers / rel: text for rel, text in NEW.items()}, papers)
    monkeypatch.undo()
    assert {rel: text for rel, text in state(papers).items()} == OLD


def test_a_year_folder_that_is_a_file(papers):
    (papers / "2025").write_text("not a folder\n")
    before = state(papers)
    with pytest.raises(StorageError) as error:
        write_all({papers / rel: text for rel, text in NEW.items()}, papers)
    assert str(error.value).endswith("papers/2025: cannot write: a file is in the way of a folder of that name; no file was changed")
    assert state(papers) == before


def test_a_year_folder_that_is_a_file_through_the_importer(tmp_path):
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "2017").write_text("oops\n")
    result = run_script("import_scrape.py", ROOT / "tests/fixtures/scrape-unseen.txt", "--papers-dir", papers, "--added", "2026-11-28")
    # The catalog refuses the stray file before anything is planned (storage's own message for
    # a file in a folder's way is tested above, through write_all).
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[0] == (
        "papers/2017:1: is not a paper file (papers/<year>/<slug>.md); move it out of papers/ or rename it")
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in papers.rglob("*")) == ["2017"]


def test_write_atomic_failure_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "x.md"
    path.write_text("old\n")

    def failing_fsync(fd):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(StorageError, match=r"x\.md: cannot write: Input/output error; the file was not changed"):
        write_atomic(path, "new\n")
    monkeypatch.undo()
    assert state(tmp_path) == {"x.md": "old\n"}


# --- Leftovers ----------------------------------------------------------------------------


def test_stale_temporaries_are_removed_and_odd_names_never_crash(papers):
    year = papers / "2024"
    dead = year / ".old-two.md.4194305.tmp"  # above Linux's largest pid: that process cannot exist
    huge = year / ".x.md.99999999999999999999.tmp"  # would overflow os.kill
    live = year / f".y.md.{os.getppid()}.tmp"  # a running process's: maybe mid-import
    unnamed = year / ".notes.tmp"  # no pid: not ours
    folder = year / ".a-folder.123.tmp"
    for path in (dead, huge, live, unnamed):
        path.write_text("partial")
    folder.mkdir()
    (year / ".link.md.5.tmp").symlink_to(papers / "2023/old-one.md")
    done = recover(papers)
    assert sorted(done) == sorted(f"removed {p}, left by an interrupted run" for p in (dead, huge))
    assert not dead.exists() and not huge.exists()
    assert live.exists() and unnamed.exists() and folder.is_dir() and (year / ".link.md.5.tmp").is_symlink()
    assert (papers / "2023/old-one.md").read_text() == OLD["2023/old-one.md"]


def test_a_broken_journal_is_one_located_error(papers):
    (papers / JOURNAL).write_text("{not json")
    with pytest.raises(StorageError, match=rf"{JOURNAL}: cannot read the journal of an interrupted import"):
        recover(papers)
    result = run_script("import_scrape.py", ROOT / "tests/fixtures/scrape-unseen.txt", "--papers-dir", papers)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert state(papers) == OLD | {JOURNAL: "{not json"}


def test_a_journal_never_moves_files_outside_the_papers_folder(papers, tmp_path):
    outside = tmp_path / "elsewhere.md"
    outside.write_text("mine\n")
    (papers / ".evil.md.1.tmp").write_text("x")
    (papers / JOURNAL).write_text(json.dumps({"version": 1, "pid": 1 << 30, "files": [[".evil.md.1.tmp", "../elsewhere.md"]]}))
    with pytest.raises(StorageError, match="outside the papers folder"):
        recover(papers)
    assert outside.read_text() == "mine\n"
