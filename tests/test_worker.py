"""The cold build's worker process (``readinglist.worker``): a build with it gives the same
bytes as a build without it (``READINGLIST_WORKER=off``), and a worker that fails, dies or is
missing only makes the build slower, never different or broken."""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

import pytest

from readinglist import worker
from readinglist.commands.bench import make_project, synthetic_papers
from tests.conftest import NO_SEARCH, copy_project, environment, mkdocs_build_in_process

#: A fixed build time: the footer and status.json carry it.
EPOCH = {"SOURCE_DATE_EPOCH": "1795000000"}


def site_bytes(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


def build_site(project: Path, **env: str) -> tuple[dict[str, bytes], dict[str, float]]:
    """Build ``project`` in this process; its files and the hook's stage timings."""
    timings = project / "timings.json"
    with environment({**NO_SEARCH, **EPOCH, "READINGLIST_TIMINGS": str(timings), **env}):
        result = mkdocs_build_in_process(project)
    assert result.returncode == 0, result.stderr
    return site_bytes(project / "site"), json.loads(timings.read_text())


def assert_same_sites(with_worker: dict[str, bytes], without: dict[str, bytes]) -> None:
    assert sorted(with_worker) == sorted(without)
    different = [name for name in without if with_worker[name] != without[name]]
    assert not different, f"{len(different)} files differ, e.g. {different[:5]}"


@pytest.mark.parametrize("kind", ["fixture", "synthetic"])
def test_a_build_with_the_worker_equals_one_without(tmp_path: Path, kind: str) -> None:
    if kind == "fixture":
        project = copy_project(tmp_path / "project")
    else:  # more papers than the fixture: related lists, topic feeds and .bib files all full
        project = make_project(tmp_path / "project", synthetic_papers(150, seed=3))
    with_worker, timings = build_site(project)
    assert {"worker_bodies", "worker_related", "worker_files", "worker_wait"} <= set(timings)  # the worker did the work
    without, plain = build_site(project, READINGLIST_WORKER="off")
    assert not any(name.startswith("worker_") for name in plain)
    assert_same_sites(with_worker, without)
    # What the worker makes is really in the site: the exports, feeds and related lists.
    assert b'"bibtex_key"' in with_worker["papers.json"] and b"@" in with_worker["papers.bib"]
    assert b"<feed" in with_worker["feed.xml"]
    assert any(name.startswith("topics/") and name.endswith("/feed.xml") for name in with_worker)


def test_a_build_whose_worker_fails_is_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import readinglist.pages

    parent, jobs = os.getpid(), readinglist.pages.worker_jobs

    def failing_jobs(build):  # the worker fails at its second job: the build redoes it and the next here
        def fail_there(job):
            def run():
                if os.getpid() != parent and job is made["files"]:
                    raise RuntimeError("the worker failed")
                return job()
            return run
        made = jobs(build)
        return {name: fail_there(job) for name, job in made.items()}
    project = copy_project(tmp_path / "project")
    without, _ = build_site(project, READINGLIST_WORKER="off")
    # The hook imports it when MkDocs loads the hook, once per process and path (the first build did).
    for module in [readinglist.pages, *(m for m in list(sys.modules.values()) if getattr(m, "worker_jobs", None) is jobs)]:
        monkeypatch.setattr(module, "worker_jobs", failing_jobs)
    started: list[worker.Background] = []

    class Seen(worker.Background):
        def __init__(self, jobs) -> None:
            super().__init__(jobs)
            started.append(self)
    monkeypatch.setattr(worker, "Background", Seen)
    failed, timings = build_site(project)
    assert len(started) == 1 and started[0].inline  # the worker did the first job, then failed: redone here
    assert {"worker_bodies", "worker_files", "worker_related"} <= set(timings)
    assert_same_sites(failed, without)


def test_the_jobs_run_in_another_process() -> None:
    background = worker.Background({"pid": os.getpid, "text": lambda: "x" * 100_000})
    assert background.result("pid") != os.getpid()
    assert background.result("text") == "x" * 100_000
    assert not background.inline and set(background.seconds) == {"pid", "text"}


def test_a_failing_worker_is_redone_here() -> None:
    parent = os.getpid()

    def fails_in_the_worker() -> str:
        if os.getpid() != parent:
            raise RuntimeError("only in the worker")
        return "done here"
    background = worker.Background({"job": fails_in_the_worker})
    assert background.result("job") == "done here"
    assert background.inline


def test_a_dying_worker_is_redone_here() -> None:
    parent = os.getpid()

    def dies_in_the_worker() -> int:
        if os.getpid() != parent:
            os._exit(3)  # no answer at all, as if killed
        return 42
    background = worker.Background({"job": dies_in_the_worker})
    assert background.result("job") == 42
    assert background.inline


def test_a_job_failing_everywhere_fails_the_build_with_its_own_error() -> None:
    def broken() -> None:
        raise ValueError("a real bug")
    background = worker.Background({"job": broken})
    with pytest.raises(ValueError, match="a real bug"):
        background.result("job")


def test_without_fork_the_jobs_run_inline(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork(method: str) -> None:
        raise ValueError(f"cannot find context for {method!r}")
    monkeypatch.setattr(worker.multiprocessing, "get_context", no_fork)
    background = worker.Background({"pid": os.getpid})
    assert background.result("pid") == os.getpid() and background.inline


def test_a_cancelled_worker_stops() -> None:
    background = worker.Background({"stuck": lambda: threading.Event().wait()})
    process = background._process
    assert process is not None
    background.cancel()
    assert not process.is_alive()


@pytest.mark.parametrize("value, on", [("", True), ("1", True), ("off", False), ("0", False), ("OFF", False)])
def test_the_switch(monkeypatch: pytest.MonkeyPatch, value: str, on: bool) -> None:
    monkeypatch.setenv("READINGLIST_WORKER", value)
    assert worker.enabled() is on
