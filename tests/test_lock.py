"""Overlapping runs (readinglist/lock.py): one import at a time per papers folder, a second
one waits and then plans against what the first wrote; stale locks are broken only when the
holder is certainly gone (never from a pid alone, never across hosts or PID namespaces)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run
from readinglist import catalog, storage
from readinglist.importer import apply_plan, plan_import, reader
from readinglist.lock import LOCK_NAME, Holder, ImportLock, LockBusy, current_holder, import_lock, is_stale, read_holder
from readinglist.sources.scrape import parse_scrape
from readinglist.taxonomy import load_taxonomy

SCRAPE = """Daily Papers

Attention Heads in Depth

We study attention heads.

  • 3 authors
·
Mar 3, 2024 {upvotes}
"""


def mark(name: str) -> str:
    """A lock token of a made-up run, by name."""
    return f"made-up-{name}"


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def write_lock(folder: Path, holder: Holder) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / LOCK_NAME).write_text(json.dumps(dataclasses.asdict(holder)))


def test_a_second_lock_is_refused_naming_the_holder(tmp_path):
    first = ImportLock(tmp_path, "import_scrape.py")
    first.acquire()
    with pytest.raises(LockBusy) as exc:
        ImportLock(tmp_path).acquire(wait=0)
    message = str(exc.value)
    assert f"another import is running on {tmp_path} (pid {os.getpid()} since " in message
    assert "(import_scrape.py)" in message and "\n" not in message
    first.release()
    assert not (tmp_path / LOCK_NAME).exists()
    with import_lock(tmp_path):  # free again
        assert (tmp_path / LOCK_NAME).exists()


def test_the_lock_file_says_who_holds_it_and_is_never_half_written(tmp_path):
    with import_lock(tmp_path, "fetch_daily.py") as lock:
        holder = read_holder(tmp_path / LOCK_NAME)
        assert holder == lock.me
        assert holder.pid == os.getpid() and holder.token and holder.since.endswith("UTC")
        # Only the lock itself: the content was written beside it, then linked.
        assert sorted(p.name for p in tmp_path.iterdir()) == [LOCK_NAME]


def test_release_never_removes_someone_elses_lock(tmp_path):
    lock = ImportLock(tmp_path)
    lock.acquire()
    other = dataclasses.replace(lock.me, token=mark("someone-else"))
    write_lock(tmp_path, other)  # e.g. an operator removed ours and another run took it
    lock.release()
    assert read_holder(tmp_path / LOCK_NAME) == other


def test_a_lock_of_a_dead_process_on_this_host_is_broken(tmp_path):
    me = current_holder()
    write_lock(tmp_path, dataclasses.replace(me, pid=dead_pid(), token=mark("dead")))
    lock = ImportLock(tmp_path)
    lock.acquire(wait=0)
    assert read_holder(tmp_path / LOCK_NAME).token == lock.me.token


def test_a_reused_pid_is_recognised_by_its_start_time(tmp_path):
    me = current_holder()
    # Our own pid, but a process that started at another time: the holder is gone.
    stale = dataclasses.replace(me, proc_start=str(int(me.proc_start or "0") + 12345), token=mark("old"))
    assert is_stale(stale, me)
    assert not is_stale(dataclasses.replace(stale, proc_start=me.proc_start), me)


@pytest.mark.parametrize("change, stale", [
    ({"host": "another-machine"}, False),  # its pid means nothing here
    ({"pid_ns": "pid:[1]"}, False),  # another container on this machine: its pid means nothing here
    ({"boot_id": "another-boot"}, True),  # this machine rebooted: every process of that boot is gone
    ({"host": ""}, False),
])
def test_staleness_is_never_decided_from_a_pid_alone(tmp_path, change, stale):
    me = current_holder()
    holder = dataclasses.replace(me, pid=dead_pid(), token=mark("x"), **change)
    assert is_stale(holder, me) is stale
    write_lock(tmp_path, holder)
    if stale:
        ImportLock(tmp_path).acquire(wait=0)
    else:
        with pytest.raises(LockBusy) as exc:
            ImportLock(tmp_path).acquire(wait=0)
        assert f"pid {holder.pid}" in str(exc.value)
        assert read_holder(tmp_path / LOCK_NAME) == holder  # left alone


@pytest.mark.parametrize("content", ["", "not json", "[1, 2]", '{"pid": "x"}', "{" * 10000])
def test_an_unreadable_lock_is_never_deleted(tmp_path, content):
    (tmp_path / LOCK_NAME).write_text(content)
    with pytest.raises(LockBusy) as exc:
        ImportLock(tmp_path).acquire(wait=0)
    assert "cannot be read as a lock file; delete it if no import is running" in str(exc.value)
    assert (tmp_path / LOCK_NAME).read_text() == content


def test_a_lock_that_is_a_symbolic_link_is_not_followed(tmp_path):
    target = tmp_path / "elsewhere"
    target.write_text(json.dumps(dataclasses.asdict(dataclasses.replace(current_holder(), pid=dead_pid()))))
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / LOCK_NAME).symlink_to(target)
    with pytest.raises(LockBusy):
        ImportLock(folder).acquire(wait=0)
    assert target.exists() and (folder / LOCK_NAME).is_symlink()


def test_two_runs_breaking_the_same_stale_lock_cannot_delete_each_others_fresh_one(tmp_path):
    stale = dataclasses.replace(current_holder(), pid=dead_pid(), token=mark("stale"))
    write_lock(tmp_path, stale)
    first, second = ImportLock(tmp_path), ImportLock(tmp_path)
    first.acquire(wait=0)  # broke the stale lock and took it
    # The second run read the same stale lock before: its break must see the lock changed.
    assert second._break(stale) is False
    assert read_holder(tmp_path / LOCK_NAME).token == first.me.token


def test_waiting_for_the_lock_with_an_injected_clock(tmp_path):
    holder = ImportLock(tmp_path)
    holder.acquire()
    now = [0.0]
    told = []

    def sleep(seconds):
        now[0] += seconds
        if now[0] > 0.3:
            holder.release()  # the other run finishes

    waiting = ImportLock(tmp_path, clock=lambda: now[0], sleep=sleep)
    waiting.acquire(wait=10, on_wait=told.append)
    assert waiting.held and len(told) == 1 and told[0].pid == os.getpid()
    waiting.release()

    holder.acquire()
    late = ImportLock(tmp_path, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    start = now[0]
    with pytest.raises(LockBusy):
        late.acquire(wait=5)
    assert 5 <= now[0] - start < 6


def test_an_import_refuses_to_run_while_another_holds_the_lock(tmp_path):
    papers = tmp_path / "papers"
    scrape = tmp_path / "scrape.txt"
    scrape.write_text(SCRAPE.format(upvotes=4))
    with import_lock(papers):
        result = run("scripts/import_scrape.py", scrape, "--papers-dir", papers, "--wait", "0")
    assert result.returncode == 1
    assert f"another import is running on {papers} (pid {os.getpid()} since" in result.stderr
    assert "Traceback" not in result.stderr
    assert [p.name for p in papers.iterdir()] == []  # nothing written, lock released


def test_a_run_that_waited_plans_against_what_the_first_one_wrote(tmp_path):
    """The first run (this test, holding the lock) creates the paper while the second waits;
    the second then updates that file instead of creating a duplicate of it."""
    papers = tmp_path / "papers"
    scrape = tmp_path / "scrape.txt"
    scrape.write_text(SCRAPE.format(upvotes=9))
    first = tmp_path / "first.txt"
    first.write_text(SCRAPE.format(upvotes=4))
    lock = ImportLock(papers)
    papers.mkdir()
    lock.acquire()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    second = subprocess.Popen([sys.executable, str(ROOT / "scripts/import_scrape.py"), str(scrape), "--papers-dir", str(papers),
                               "--added", "2026-11-28", "--wait", "120"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = second.stderr.readline()  # blocks until the second run reports that it waits
        assert line.startswith(f"waiting up to 120 s for another import on {papers} (pid {os.getpid()}"), line
        # What the first run writes while the second waits:
        topics = load_taxonomy(ROOT / "topics.yml")
        entries, _ = parse_scrape(first.read_text(), "first.txt")
        apply_plan(plan_import(entries, catalog.load_catalog(papers, topics), topics, dt.date(2026, 11, 28), reader(papers)), topics, papers)
    finally:
        lock.release()
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert "updated: papers/2024/attention-heads-in-depth.md" in out and "0 created, 1 updated" in out
    files = sorted(p.relative_to(papers).as_posix() for p in papers.rglob("*") if p.is_file())
    assert files == ["2024/attention-heads-in-depth.md"]
    assert "upvotes: 9" in (papers / files[0]).read_text()


def test_temporary_names_do_not_collide_when_two_runs_have_the_same_pid(tmp_path, monkeypatch):
    """Two containers sharing a checkout can both be pid 7."""
    monkeypatch.setattr(os, "getpid", lambda: 7)
    target = tmp_path / "x.md"
    first = storage._write_temporary(target, "first", sync=False)
    second = storage._write_temporary(target, "second", sync=False)
    assert first != second
    assert first.read_text() == "first" and second.read_text() == "second"  # neither replaced the other


def test_under_the_lock_every_temporary_of_ours_is_stale_whatever_its_pid(tmp_path):
    year = tmp_path / "2024"
    year.mkdir()
    alive = year / f".a.md.{os.getppid()}.0badc0de.tmp"  # a live pid here, yet stale: the lock is ours
    other = year / ".notes.tmp"  # not ours
    for path in (alive, other):
        path.write_text("x")
    assert storage.recover(tmp_path) == []  # without the lock a live pid's file is left alone
    assert alive.exists()
    assert storage.recover(tmp_path, locked=True) == [f"removed {alive}, left by an interrupted run"]
    assert not alive.exists() and other.exists()


def test_on_a_file_system_without_hard_links_the_lock_still_works(tmp_path, monkeypatch):
    def no_links(src, dst):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    with import_lock(tmp_path) as lock:
        assert read_holder(tmp_path / LOCK_NAME) == lock.me
        with pytest.raises(LockBusy):
            ImportLock(tmp_path).acquire(wait=0)
    assert not (tmp_path / LOCK_NAME).exists()
