"""Work that needs only the catalog, done in a second process while MkDocs renders the pages.

A cold build spends most of its time in MkDocs (reading, rendering and theming ~10,000 pages)
on one core. Related papers and the data exports need nothing but the loaded papers, and are
needed late: related lists when paper pages are themed (after every page has been read and
rendered), export files when MkDocs copies files (after ``on_env``). ``Background`` forks a
worker right after the catalog is loaded, runs those jobs there on the second core, and hands
back their results (plain strings and lists, pickled through a pipe) when first asked.

If the worker fails or cannot be started, the jobs run in this process instead: the build
never depends on the worker to be right, only to be fast. Linux (``fork``) only; elsewhere
the jobs run inline.
"""

from __future__ import annotations

import multiprocessing
import time
import traceback
from collections.abc import Callable

#: Longest wait for the worker before its jobs are redone here (a stuck worker never hangs a build).
TIMEOUT = 600.0


class Background:
    """Named jobs started in a forked worker; ``result(name)`` waits for them (once)."""

    def __init__(self, jobs: dict[str, Callable[[], object]]) -> None:
        self._jobs = jobs
        self._results: dict[str, object] | None = None
        self.seconds: dict[str, float] = {}
        """Seconds each job took in the worker."""
        self.waited = 0.0
        """Seconds this process waited for the worker."""
        try:
            context = multiprocessing.get_context("fork")
            self._connection, child = context.Pipe(duplex=False)
            self._process = context.Process(target=_work, args=(jobs, child), daemon=True, name="readinglist-worker")
            self._process.start()
            child.close()
        except (ValueError, OSError):  # no fork here: run inline when asked
            self._process = None

    def result(self, name: str) -> object:
        if self._results is None:
            self._results = self._collect()
        return self._results[name]

    def _collect(self) -> dict[str, object]:
        start = time.perf_counter()
        answer = None
        if self._process is not None:
            try:
                if self._connection.poll(TIMEOUT):
                    answer = self._connection.recv()
            except (EOFError, OSError):
                answer = None  # the worker died: redo its jobs below
            finally:
                self._connection.close()
                self._process.join(timeout=5)
                if self._process.is_alive():
                    self._process.kill()
                    self._process.join()
        self.waited = time.perf_counter() - start
        if not isinstance(answer, tuple) or answer[0] != "ok":
            return {name: job() for name, job in self._jobs.items()}
        self.seconds = answer[2]
        return answer[1]


def _work(jobs: dict[str, Callable[[], object]], connection) -> None:
    try:
        results, seconds = {}, {}
        for name, job in jobs.items():
            start = time.perf_counter()
            results[name] = job()
            seconds[name] = time.perf_counter() - start
        connection.send(("ok", results, seconds))
    except BaseException:  # reported as a failure: the parent redoes the jobs and raises there if they fail
        connection.send(("failed", traceback.format_exc()))
    finally:
        connection.close()
