"""What every command-line script shares: default paths, loading the taxonomy and the
catalog with errors printed (never a traceback), the import lock, Ctrl-C, option types.
Planning and writing files is ``importer.run_import``'s job."""

from __future__ import annotations

import argparse
import datetime as dt
import math
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

from .catalog import Catalog, load_catalog
from .http import Http
from .lock import ImportLock, LockBusy
from .model import Problem, parse_date, shown
from .storage import StorageError, recover
from .taxonomy import Taxonomy, TaxonomyError, load_taxonomy

ROOT = Path(__file__).resolve().parent.parent
PAPERS_DIR = ROOT / "papers"
TOPICS_FILE = ROOT / "topics.yml"


#: How far the run got, for the message on Ctrl-C: "reading", "writing" or "written".
_phase = "reading"


def set_phase(phase: str) -> None:
    """Record how far the run got (``reading``, ``writing``, ``written``) for ``run``'s Ctrl-C message."""
    global _phase
    _phase = phase


def fail(message: str, code: int = 1) -> NoReturn:
    print(shown(message), file=sys.stderr)
    raise SystemExit(code)


class Terminated(KeyboardInterrupt):
    """SIGTERM (a cancelled CI job, ``kill``): stop like Ctrl-C, releasing the lock and
    removing temporary files on the way out."""


def _terminate(signum, frame) -> None:
    raise Terminated


def run(main: Callable[[list[str] | None], int], argv: list[str] | None = None) -> int:
    """Run a script's ``main``; Ctrl-C (exit code 130) or SIGTERM (143) ends it with one line
    saying what was and was not written, instead of a traceback."""
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return main(argv)
    except KeyboardInterrupt as exc:
        if _phase == "writing":
            message = ("interrupted while writing: no file is partly written (each holds its old or its new text) "
                       "but some may be new and others not yet; run the same command again to finish")
        elif _phase == "written":
            message = "interrupted after every planned file was written"
        else:
            message = "interrupted: nothing was written"
        print(message, file=sys.stderr)
        return 143 if isinstance(exc, Terminated) else 130


def add_lock_wait(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--wait", type=seconds(allow_zero=True), default=60.0, metavar="S",
                        help="if another import is running on the same folder, wait this long for it (default: %(default)s)")


@contextmanager
def locked(papers_dir: Path, wait: float, *, dry_run: bool = False) -> Iterator[None]:
    """Hold the import lock of ``papers_dir`` (see ``readinglist.lock``): a second import on the
    same folder waits, then plans against what the first one wrote. A dry run writes nothing
    and takes no lock."""
    if dry_run:
        yield
        return
    if papers_dir.exists() and not papers_dir.is_dir():
        fail(f"{papers_dir}: is not a folder; --papers-dir must name the folder of paper files")
    command = " ".join(Path(sys.argv[0]).name.split()[:1])

    def waiting(holder) -> None:
        print(shown(f"waiting up to {wait:g} s for another import on {papers_dir} ({holder.describe()})"), file=sys.stderr, flush=True)

    try:
        papers_dir.mkdir(parents=True, exist_ok=True)
        lock = ImportLock(papers_dir, command)
        lock.acquire(wait, waiting)
    except LockBusy as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{papers_dir}: cannot take the import lock: {exc.strerror or exc}")
    try:
        # No other import runs now: an import journal or temporary file left in the folder is
        # stale; complete what a killed run committed, remove the rest, then plan.
        try:
            for line in recover(papers_dir, locked=True):
                print(shown(line), file=sys.stderr)
        except StorageError as exc:
            fail(str(exc))
        yield
    finally:
        lock.release()


def add_papers_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--papers-dir", type=Path, default=PAPERS_DIR, metavar="DIR",
                        help="folder of paper files (default: %(default)s)")


def taxonomy() -> Taxonomy:
    try:
        return load_taxonomy(TOPICS_FILE)
    except TaxonomyError as exc:
        fail(str(exc), 2)


def catalog_or_fail(papers_dir: Path, topics: Taxonomy, *, allow_missing: bool = False) -> Catalog:
    """The catalog, or exit 1 after printing every problem of the existing files: an importer
    must not add papers next to files it cannot read (it could not see duplicates). A writer
    calls it inside ``locked``, so that it plans against what an earlier run wrote."""
    if allow_missing and not papers_dir.exists():
        return Catalog([])
    if papers_dir.exists() and not papers_dir.is_dir():
        fail(f"{papers_dir}: is not a folder; --papers-dir must name the folder of paper files")
    catalog = load_catalog(papers_dir, topics)
    if catalog.problems:
        for problem in catalog.problems:
            print(problem, file=sys.stderr)
        fail(f"{len(catalog.problems)} problem(s) in {papers_dir}; fix them first (python scripts/validate.py).")
    return catalog


def add_network(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("network")
    group.add_argument("--base-url", type=http_url, default="https://huggingface.co", metavar="URL",
                       help="Hugging Face base URL (default: %(default)s; tests point it at a local server)")
    group.add_argument("--arxiv-url", type=http_url, default="http://export.arxiv.org", metavar="URL",
                       help="arXiv API base URL (default: %(default)s)")
    group.add_argument("--timeout", type=seconds(), default=20.0, metavar="S", help="seconds per request (default: %(default)s)")
    group.add_argument("--retries", type=count(MAX_RETRIES), default=4, metavar="N",
                       help=f"retries after a failed request, 0 to {MAX_RETRIES} (default: %(default)s)")
    group.add_argument("--backoff", type=seconds(allow_zero=True), default=2.0, metavar="S",
                       help="first wait between retries, doubled each time (default: %(default)s)")
    group.add_argument("--deadline", type=seconds(), default=600.0, metavar="S", help="seconds for the whole run (default: %(default)s)")


MAX_RETRIES = 100
#: No option takes more than a day: a larger number is a typo (and would overflow timers).
MAX_SECONDS = 86_400.0


def seconds(*, allow_zero: bool = False) -> Callable[[str], float]:
    """argparse type: a finite number of seconds, > 0 (or >= 0), at most a day."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
        if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero) or value > MAX_SECONDS:
            least = "0 or more" if allow_zero else "more than 0"
            raise argparse.ArgumentTypeError(f"{text!r}: expected a number of seconds, {least} and at most {MAX_SECONDS:g}")
        return value
    return parse


def count(most: int) -> Callable[[str], int]:
    """argparse type: a whole number from 0 to ``most``."""
    def parse(text: str) -> int:
        if not text.strip().isascii() or not text.strip().isdigit() or len(text.strip()) > 6 or int(text) > most:
            raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number from 0 to {most}")
        return int(text)
    return parse


def http_url(text: str) -> str:
    """argparse type: an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(text)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        ok = False
    if not ok or any(ch.isspace() or ord(ch) < 32 for ch in text):
        raise argparse.ArgumentTypeError(f"{text!r} is not an http(s) URL with a host (e.g. https://huggingface.co)")
    return text


def http_from(args: argparse.Namespace) -> Http:
    return Http(timeout=args.timeout, retries=args.retries, backoff=args.backoff, deadline=args.deadline)


def parse_day(text: str) -> dt.date:
    """argparse type for YYYY-MM-DD."""
    value = parse_date(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)")
    return value


def annotation(problem: Problem) -> str:
    """``problem`` as a GitHub Actions ``::error`` workflow command on its file and line.

    Nothing from the input can end the command or start another: control characters are
    escaped first (so no newline, CR or ESC remains), then the runner's own escapes apply:
    ``%``, CR and LF in the message; also ``:`` and ``,`` in property values (a file name
    holding ``,line=1::`` cannot add properties or end them)."""
    def data(text: str) -> str:
        return shown(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def prop(text: str) -> str:
        return data(text).replace(":", "%3A").replace(",", "%2C")

    message = f"{problem.key}: {problem.message}" if problem.key else problem.message
    return f"::error file={prop(problem.path)},line={max(problem.line, 1)}::{data(message)}"
