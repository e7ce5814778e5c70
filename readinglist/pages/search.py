"""Search records: one minimal HTML file per paper, indexed by Pagefind into ``pagefind/``.

Pagefind indexes the catalog, not the built pages: each paper becomes a tiny HTML record
(``papers/<yyyy>/<slug>/index.html``, so Pagefind's URL for it is the paper's URL) holding
the searchable text (title as plain text with math converted, authors, topics, abstract) and,
outside the indexed body, its filters (``topic``, ``year``, ``has_code``), sorts (``date``,
``upvotes``) and the metadata the results show (the title rendered by ``render.rich``, date,
authors, topics, and the abstract's word count: the abstract comes first in the indexed text,
so the browser can tell an excerpt of the abstract from one that would repeat the title).
Index pages have no record, so they never appear in results.

The indexer runs beside MkDocs on the second core: the hook pickles the papers into a private
folder and starts this module as a child process (``python -m readinglist.pages.search``),
which writes the records and runs the Pagefind binary once over the folder; one process run
instead of one call per record (the Python wrapper waits 100 ms per reply). The hook collects
its output at the end of the build (see ``SearchIndexer``).

Adding a field to the results is one entry in ``record_meta`` (and one line in search.js);
a new filter is one entry in ``record_filters``.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import pickle
import resource  # the indexer's CPU time, for scripts/bench.py (POSIX, like the rest: O_NOFOLLOW, fsync)
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import BinaryIO

from ..model import Paper
from ..render import authors_text, environment, plain, render, rich
from .build import Build, GeneratedPage, index_meta

#: Where the Pagefind bundle lives in the site (the browser code loads it from there).
BUNDLE = "pagefind"
#: Pagefind's ready-made interfaces, which the site does not use (it has its own, search-ui.js).
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")
#: Seconds the build waits for the indexer at most before failing (bounded, never hangs).
TIMEOUT = 900
#: A one-off build's indexer runs at the lowest priority. On two cores the build's process and
#: its worker (``readinglist.worker``) are what the build waits for; at the same priority the
#: three processes would share the two cores and slow the build's process by a third. Niced,
#: the indexer takes every cycle the other two leave (the worker's core once its jobs are done)
#: and the build's process keeps a core to itself.
BUILD_NICENESS = 19


def record_meta(paper: Paper) -> dict[str, str]:
    """What a search result shows, as Pagefind metadata (strings). ``title_html`` is the
    title rendered by the project's one title renderer (escaped; math marked up), so results
    never show raw TeX; ``title`` is its plain-text form (Pagefind's default title)."""
    meta = {
        "title": plain(paper.title),
        "title_html": str(rich(paper.title)),
        "date": paper.published.isoformat(),
        "authors": authors_text(paper),
        "topics": " ".join(paper.topics),
        "upvotes": str(paper.upvotes or 0),
        "abstract_words": str(len(plain(paper.abstract).split())),
    }
    if paper.withdrawn:  # the result is marked "Withdrawn"
        meta["withdrawn"] = paper.withdrawn.isoformat()
    return meta


def record_filters(paper: Paper) -> dict[str, list[str]]:
    """The facets a reader can narrow results by, each value a string."""
    return {
        "topic": list(paper.topics),
        "year": [str(paper.published.year)],
        "has_code": ["yes" if any(kind.split("-")[0] == "code" for kind, _ in paper.links) else "no"],
    }


def record_sort(paper: Paper) -> dict[str, str]:
    """Sort keys. Pagefind sorts numerically when every value is a number, else as text:
    ISO dates sort correctly as text."""
    return {"date": paper.published.isoformat(), "upvotes": str(paper.upvotes or 0)}


def record_html(paper: Paper, topic_names: Mapping[str, str]) -> str:
    """The record file Pagefind indexes for ``paper`` (an autoescaped template)."""
    return environment().get_template("search_record.html").render(
        paper=paper, title=plain(paper.title), authors=authors_text(paper),
        topics=[topic_names.get(t, t) for t in paper.topics],
        meta=record_meta(paper), filters=record_filters(paper), sort=record_sort(paper))


def record_path(paper: Paper) -> str:
    """The record's path in the records folder: its URL is the paper's URL."""
    return paper.url + "index.html"


def write_records(papers: Iterable[Paper], topic_names: Mapping[str, str], folder: Path) -> int:
    """Write one record file per paper into ``folder``; returns how many."""
    count = 0
    made: set[Path] = set()
    for paper in papers:
        target = folder / record_path(paper)
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_text(record_html(paper, topic_names), encoding="utf-8")
        count += 1
    return count


def pagefind_executable() -> Path:
    """The Pagefind binary of the ``pagefind-bin`` package (requirements.txt)."""
    try:
        from pagefind_bin import get_executable
    except ImportError:
        raise FileNotFoundError("the pagefind binary is not installed (pip install -r requirements.txt, "
                                "or 'make setup')") from None
    return get_executable()


def build_index(papers: list[Paper], topic_names: Mapping[str, str], records: Path, output: Path,
                executable: Path | None = None) -> str:
    """Write the records into ``records`` and index them with Pagefind into ``output``.
    Returns Pagefind's report; raises ``RuntimeError`` with its output if it fails."""
    shutil.rmtree(records, ignore_errors=True)
    records.mkdir(parents=True)
    write_records(papers, topic_names, records)
    command = [str(executable or pagefind_executable()), "--site", str(records), "--output-path", str(output),
               "--force-language", "en"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False, preexec_fn=_CHILD_SETUP)
    report = (result.stdout + result.stderr).strip()
    if result.returncode != 0 or not (output / "pagefind.js").is_file():
        raise RuntimeError(f"pagefind exited with code {result.returncode}:\n{report[-3000:]}")
    for name in UNUSED:
        (output / name).unlink(missing_ok=True)
    return report


def _dies_with_parent() -> None:
    """Run in a child between fork and exec (Linux): the kernel kills the child when the
    process that started it dies, however it dies. A build stopped with SIGTERM or SIGKILL runs
    no clean-up, and its indexer (and the indexer's Pagefind) must not go on working for
    nothing, or writing into a site folder that a newer build owns."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # no prctl: the child is stopped by cancel() or lives until it is done


#: Children die with their parent where the kernel offers it.
_CHILD_SETUP = _dies_with_parent if sys.platform.startswith("linux") else None


def die_with(parent: int) -> bool:
    """What ``_CHILD_SETUP`` does, done by the child itself, first thing: the build starts the
    indexer without a ``preexec_fn``, which would make Python copy the build's whole memory map
    with ``fork`` (a tenth of a second at 10,000 papers, per preview rebuild) instead of
    ``vfork``. Returns whether ``parent`` is still this process's parent: if it died before
    this call, nothing will kill this process, which must stop."""
    if _CHILD_SETUP is not None:
        _CHILD_SETUP()
    return os.getppid() == parent


def pickled_paper(paper: Paper) -> bytes:
    """One paper as the indexer's payload holds it: a pickle of its own."""
    return pickle.dumps(paper, protocol=pickle.HIGHEST_PROTOCOL)


def write_payload(handle: BinaryIO, papers: list[Paper], topic_names: Mapping[str, str],
                  pickled: Callable[[Paper], bytes] = pickled_paper) -> None:
    """The indexer's input: the topic names and the number of papers, then each paper's own
    pickle (so that the preview pickles only the papers that changed)."""
    pickle.dump((dict(topic_names), len(papers)), handle, protocol=pickle.HIGHEST_PROTOCOL)
    handle.write(b"".join(map(pickled, papers)))


def read_payload(handle: BinaryIO) -> tuple[list[Paper], dict[str, str]]:
    """What ``write_payload`` wrote: the papers and the topic names."""
    topic_names, count = pickle.load(handle)  # noqa: S301 - written by our own parent process, private folder
    papers = [pickle.load(handle) for _ in range(count)]  # noqa: S301 - the same
    return papers, topic_names


class SearchIndexer:
    """The indexer as a child process: ``start`` right after the catalog is loaded,
    ``finish`` at the end of the build (waits, then moves the bundle into the site),
    ``cancel`` when the build fails."""

    def __init__(self, papers: list[Paper], topic_names: Mapping[str, str], work: Path, output: Path, *, niceness: int = 0,
                 pickled: Callable[[Paper], bytes] = pickled_paper):
        """``pickled``: ``pickled_paper``, or one that keeps its results (the preview)."""
        self.work, self.output = work, output
        self.started = time.perf_counter()
        payload = work / "papers.pickle"
        with payload.open("wb") as handle:
            write_payload(handle, papers, topic_names, pickled)
        root = Path(__file__).resolve().parents[2]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
        self.log = (work / "indexer.log").open("w+", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "readinglist.pages.search", "--parent", str(os.getpid()), str(payload),
             str(work / "records"), str(output)],
            stdout=self.log, stderr=subprocess.STDOUT, env=env)  # no preexec_fn: the child calls die_with
        if niceness:  # before it starts Pagefind, which inherits it (the preview: after the pages, never before them)
            try:
                os.setpriority(os.PRIO_PROCESS, self.process.pid, niceness)
            except OSError:
                pass

    def finish(self, site_dir: Path) -> dict[str, float]:
        """Wait for the indexer, move its bundle to ``site_dir/pagefind``; returns timings
        (its wall time since ``start``, how long this call waited, its CPU seconds).
        Raises ``RuntimeError`` naming the cause when indexing failed."""
        waited = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        try:
            code = self.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.cancel()
            raise RuntimeError(f"the search indexer did not finish within {TIMEOUT} s") from None
        done = time.perf_counter()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # now includes the indexer (and Pagefind)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        self.log.seek(0)
        report = self.log.read().strip()
        self.log.close()
        if code != 0:
            self.cleanup()
            raise RuntimeError(f"the search indexer failed (exit code {code}):\n{report[-3000:]}")
        target = site_dir / BUNDLE
        old = site_dir / f".{BUNDLE}-old-{os.getpid()}"
        if target.exists():  # moved aside, not deleted first: the preview serves the old bundle until the swap
            shutil.rmtree(old, ignore_errors=True)
            os.replace(target, old)
        shutil.move(str(self.output), str(target))
        shutil.rmtree(old, ignore_errors=True)
        self.cleanup()
        return {"search_index": done - self.started, "search_wait": done - waited, "search_cpu": cpu}

    def cancel(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if not self.log.closed:
            self.log.close()
        self.cleanup()

    def cleanup(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)
        shutil.rmtree(self.output, ignore_errors=True)


def generate(build: Build) -> list[GeneratedPage]:
    """The ``/search/`` page (its results come from the browser; see assets/search-ui.js)."""
    names = {t.id: t.name for t in build.taxonomy.topics}
    return [GeneratedPage("search.md", meta={**index_meta("Search"), "hide": ["navigation", "toc"]},
                          body=partial(render, "search_page.html", "search/", topic_names=names, count=len(build.papers)),
                          key=len(build.papers))]


def main(argv: list[str] | None = None) -> int:
    """The child process: ``PAYLOAD RECORDS OUTPUT``."""
    parser = argparse.ArgumentParser(description="Index the reading list's papers with Pagefind.")
    parser.add_argument("payload", type=Path, help="pickled (papers, topic names), written by SearchIndexer")
    parser.add_argument("records", type=Path, help="folder for the record files")
    parser.add_argument("output", type=Path, help="folder for Pagefind's bundle")
    parser.add_argument("--parent", type=int, help="the build's process id: this one dies with it")
    args = parser.parse_args(argv)
    if args.parent is not None and not die_with(args.parent):
        print("search index: the build that started the indexer is gone", file=sys.stderr)
        return 1
    with args.payload.open("rb") as handle:
        papers, topic_names = read_payload(handle)
    try:
        print(build_index(papers, topic_names, args.records, args.output))
    except (OSError, RuntimeError, subprocess.TimeoutExpired) as exc:
        print(f"search index: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
