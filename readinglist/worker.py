"""Work that needs only the catalog, done in a second process while MkDocs renders the pages.

A cold build (``mkdocs build``) spends most of its time in MkDocs (reading, rendering and
theming every page) on one core. Some of the hook's work needs nothing but the loaded catalog
and is needed late: the list pages' bodies (MkDocs reads those pages after every paper page),
the feed and export files (``papers.json``, the ``.bib`` files: copied after ``on_env``), the
related papers (when paper pages are themed, after every page was read and rendered). The
hook forks a worker (``Background``, with the jobs of ``pages.worker_jobs``) right after the
catalog is loaded, before the search indexer starts; it does those jobs on the second core
(sharing the parent's memory copy-on-write) and sends back each job's plain result (strings
and paths, pickled through a pipe) as soon as it is done.

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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

#: Longest wait for the worker before its jobs are redone here (a stuck worker never hangs a build).
TIMEOUT = 600.0


def enabled() -> bool:
    """Whether a one-off build may use a worker (``READINGLIST_WORKER=off`` says no)."""
    return os.environ.get("READINGLIST_WORKER", "").lower() not in {"off", "0", "no", "false"}


class Background:
    """Named jobs run in a forked worker, in order; ``result(name)`` waits for that job's result
    (the worker sends each as soon as it is done)."""

    def __init__(self, jobs: dict[str, Callable[[], object]]) -> None:
        self._jobs = jobs
        self._results: dict[str, object] = {}
        self.seconds: dict[str, float] = {}
        """Seconds each job took (in the worker, or here if redone)."""
        self.waited = 0.0
        """Seconds this process waited for the worker."""
        self.inline = False
        """Whether jobs ran in this process (no worker, or it failed)."""
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
        """The result of job ``name``: the worker's, or made here if the worker failed."""
        if name not in self._results:
            start = time.perf_counter()
            self._receive(name)
            self.waited += time.perf_counter() - start
        if name not in self._results:  # no worker, or it failed: this job (and later ones) here
            self.inline = True
            begun = time.perf_counter()
            self._results[name] = self._jobs[name]()  # raises here, with its own traceback, if the job itself fails
            self.seconds[name] = time.perf_counter() - begun
        return self._results[name]

    def cancel(self) -> None:
        """Stop the worker, if it still runs (a failed build, or results nobody asked for)."""
        if self._process is not None:
            self._process.kill()
            self._stop()

    def _receive(self, name: str) -> None:
        """Take the worker's answers until ``name``'s; stop the worker if it failed."""
        deadline = time.monotonic() + TIMEOUT
        while self._process is not None and name not in self._results:
            try:
                answer = self._connection.recv() if self._connection.poll(max(0.0, deadline - time.monotonic())) else None
            except (EOFError, OSError):
                answer = None  # the worker died
            if not isinstance(answer, tuple) or answer[0] != "ok":  # failed, died or stuck: the rest runs here
                self.cancel()
                return
            _, job, value, seconds = answer
            self._results[job], self.seconds[job] = value, seconds
            if len(self._results) == len(self._jobs):
                self._stop()

    def _stop(self) -> None:
        if self._process is not None:
            self._connection.close()
            self._process.join(timeout=5)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
            self._process = None


def _work(jobs: dict[str, Callable[[], object]], connection: Connection) -> None:
    try:
        for name, job in jobs.items():
            start = time.perf_counter()
            value = job()
            connection.send(("ok", name, value, time.perf_counter() - start))
    except BaseException:  # reported as a failure: the parent redoes the jobs (and fails there if they fail)
        connection.send(("failed", traceback.format_exc()))
    finally:
        connection.close()
