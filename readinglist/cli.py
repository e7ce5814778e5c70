"""What every command-line script shares: default paths, loading the taxonomy and the
catalog with errors printed (never a traceback), and writing planned files."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import NoReturn

from .catalog import Catalog, load_catalog
from .http import Http
from .importer import Action, check_roundtrip
from .model import Problem, parse_date
from .storage import StorageError, recover, write_all
from .taxonomy import Taxonomy, TaxonomyError, load_taxonomy

ROOT = Path(__file__).resolve().parent.parent
PAPERS_DIR = ROOT / "papers"
TOPICS_FILE = ROOT / "topics.yml"


def fail(message: str, code: int = 1) -> NoReturn:
    print(message, file=sys.stderr)
    raise SystemExit(code)


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
    must not add papers next to files it cannot read (it could not see duplicates)."""
    if allow_missing and not papers_dir.exists():
        return Catalog([])
    try:
        for line in recover(papers_dir):
            print(line, file=sys.stderr)
    except StorageError as exc:
        fail(str(exc))
    catalog = load_catalog(papers_dir, topics)
    if catalog.problems:
        for problem in catalog.problems:
            print(problem, file=sys.stderr)
        fail(f"{len(catalog.problems)} problem(s) in {papers_dir}; fix them first (python scripts/validate.py).")
    return catalog


def reader(papers_dir: Path):
    """Reads an existing paper file by its path relative to ``papers_dir`` (for plan_import)."""
    return lambda rel: (papers_dir / rel).read_text(encoding="utf-8")


def apply_plan(actions: list[Action], topics: Taxonomy, papers_dir: Path, *, dry_run: bool = False) -> tuple[list[Action], list[Problem]]:
    """Check every planned file with the validator's parser, then write the good ones, all or
    nothing (``storage.write_all``; a write error exits 1 with one located line). Returns the
    actions kept and a problem per entry refused. Nothing is written before every file is
    planned and checked."""
    kept, refused = [], []
    for action in actions:
        # An unchanged file is not written, and the catalog already validated it.
        problems = [] if action.kind == "unchanged" else check_roundtrip(action, topics.ids)
        refused += [Problem(action.entry.source, action.entry.line, p.key, p.message) for p in problems]
        if not problems:
            kept.append(action)
    if not dry_run:
        try:
            write_all({papers_dir / a.path: a.text for a in kept if a.kind != "unchanged"}, papers_dir)
        except StorageError as exc:
            fail(str(exc))
    return kept, refused


def add_network(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("network")
    group.add_argument("--base-url", default="https://huggingface.co", metavar="URL",
                       help="Hugging Face base URL (default: %(default)s; tests point it at a local server)")
    group.add_argument("--arxiv-url", default="http://export.arxiv.org", metavar="URL",
                       help="arXiv API base URL (default: %(default)s)")
    group.add_argument("--timeout", type=float, default=20.0, metavar="S", help="seconds per request (default: %(default)s)")
    group.add_argument("--retries", type=int, default=4, metavar="N", help="retries after a failed request (default: %(default)s)")
    group.add_argument("--backoff", type=float, default=2.0, metavar="S", help="first wait between retries, doubled each time (default: %(default)s)")
    group.add_argument("--deadline", type=float, default=600.0, metavar="S", help="seconds for the whole run (default: %(default)s)")


def http_from(args: argparse.Namespace) -> Http:
    return Http(timeout=args.timeout, retries=args.retries, backoff=args.backoff, deadline=args.deadline)


def parse_day(text: str) -> dt.date:
    """argparse type for YYYY-MM-DD."""
    value = parse_date(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)")
    return value


def report(actions: list[Action], refused: list[Problem], papers_dir: Path, *, dry_run: bool) -> None:
    verb = "would be " if dry_run else ""
    for action in actions:
        if action.kind != "unchanged":
            print(f"{verb}{action.kind}: {papers_dir.name}/{action.path}")
    for problem in refused:
        print(f"rejected: {problem}", file=sys.stderr)
