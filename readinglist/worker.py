"""Work that needs only the catalog, done in a second process while MkDocs renders the pages.

A cold build (``mkdocs build``) spends most of its time in MkDocs (reading, rendering and
theming every page) on one core. The related papers, the data exports (``papers.json``, the
``.bib`` files) and the Atom feeds need nothing but the loaded catalog, and are needed late:
related lists when paper pages are themed (``on_page_context``, after every page has been read
and rendered), the export and feed files when MkDocs copies files (after ``on_env``).
``start`` forks a worker right after the catalog is loaded, before the search indexer starts;
it computes those on the second core (sharing the parent's memory copy-on-write) and hands
back plain values (paths and strings, pickled through a pipe) when first asked.

If the worker fails, dies or cannot be started, its jobs run in this process instead: the
build never depends on the worker to be right, only to be fast, and the output is the same
bytes either way (``tests/test_worker.py``). Linux (``fork``) only; elsewhere, or with
``READINGLIST_WORKER=off``, everything runs inline as before. The preview (``mkdocs serve``)
never uses it: it keeps derived data between rebuilds (``readinglist.incremental``), which a
worker's results would bypass, and rebuilds only a few pages.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import traceback
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from .pages.build import Build

#: Longest wait for the worker before its jobs are redone here (a stuck worker never hangs a build).
TIMEOUT = 600.0


def enabled() -> bool:
    """Whether a one-off build may use a worker (``READINGLIST_WORKER=off`` says no)."""
    return os.environ.get("READINGLIST_WORKER", "").lower() not in {"off", "0", "no", "false"}


class Background:
    """Named jobs started in a forked worker; ``result(name)`` waits for all of them (once)."""

    def __init__(self, jobs: dict[str, Callable[[], object]]) -> None:
        self._jobs = jobs
        self._results: dict[str, object] | None = None
        self.seconds: dict[str, float] = {}
        """Seconds each job took (in the worker, or here if redone)."""
        self.waited = 0.0
        """Seconds this process waited for the worker."""
        self.inline = False
        """Whether the jobs ran in this process (no worker, or it failed)."""
        self._process: multiprocessing.process.BaseProcess | None = None
        try:
            context = multiprocessing.get_context("fork")
            self._connection, child = context.Pipe(duplex=False)
            self._process = context.Process(target=_work, args=(jobs, child), daemon=True, name="readinglist-worker")
            self._process.start()
            child.close()
        except (ValueError, OSError):  # no fork here: the jobs run inline when asked
            self._process = None

    def result(self, name: str) -> object:
        if self._results is None:
            self._results = self._collect()
        return self._results[name]

    def cancel(self) -> None:
        """Stop the worker (a failed build); its results are never asked for."""
        if self._process is not None and self._results is None:
            self._process.kill()
            self._process.join()
            self._connection.close()
            self._process = None
            self._results = {}

    def _collect(self) -> dict[str, object]:
        start = time.perf_counter()
        answer = None
        if self._process is not None:
            try:
                if self._connection.poll(TIMEOUT):
                    answer = self._connection.recv()
            except (EOFError, OSError):
                answer = None  # the worker died: its jobs are redone below
            finally:
                self._connection.close()
                self._process.join(timeout=5)
                if self._process.is_alive():
                    self._process.kill()
                    self._process.join()
        self.waited = time.perf_counter() - start
        if isinstance(answer, tuple) and answer[0] == "ok":
            self.seconds = answer[2]
            return answer[1]
        self.inline = True
        results = {}
        for name, job in self._jobs.items():  # raises here, with its own traceback, if a job itself fails
            begun = time.perf_counter()
            results[name] = job()
            self.seconds[name] = time.perf_counter() - begun
        return results


def _work(jobs: dict[str, Callable[[], object]], connection: Connection) -> None:
    try:
        results, seconds = {}, {}
        for name, job in jobs.items():
            start = time.perf_counter()
            results[name] = job()
            seconds[name] = time.perf_counter() - start
        connection.send(("ok", results, seconds))
    except BaseException:  # reported as a failure: the parent redoes the jobs (and fails there if they fail)
        connection.send(("failed", traceback.format_exc()))
    finally:
        connection.close()


def start(build: Build) -> Background:
    """Fork the worker for ``build`` (a one-off build: no ``memory``): related papers (as
    paths) and the texts of the export and feed files (``Build.later_files``)."""
    plain = replace(build, background=None, timings=None, memory=None)  # the worker's own: computes everything itself

    def related() -> dict[str, list[str]]:
        return {path: [other.path for other in others] for path, others in plain.related.items()}

    def files() -> dict[str, str]:
        return {name: make() for name, make in plain.late_files().items()}
    return Background({"related": related, "files": files})
