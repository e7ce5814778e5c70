"""What every command-line script shares: default paths, loading the taxonomy and the
catalog with errors printed (never a traceback), and writing planned files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from .catalog import Catalog, load_catalog, write_atomic
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
    catalog = load_catalog(papers_dir, topics)
    if catalog.problems:
        for problem in catalog.problems:
            print(problem, file=sys.stderr)
        fail(f"{len(catalog.problems)} problem(s) in {papers_dir}; fix them first (python scripts/validate.py).")
    return catalog


def write_files(papers_dir: Path, files: dict[str, str]) -> None:
    """Write each ``relative path -> text`` atomically; nothing is written half."""
    for rel, text in files.items():
        write_atomic(papers_dir / rel, text)
