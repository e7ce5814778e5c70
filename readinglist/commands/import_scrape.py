"""Import scraped Hugging Face "Daily Papers" listings into paper files.

New entries become new files; entries already in the list (same arXiv id or same normalised
title) only get what the source owns (upvotes, new links) updated. Running it twice on the
same input changes nothing. Entries it cannot read are reported as FILE:LINE: reason, and the
exit code is then 1; the readable entries are still imported.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from readinglist import cli
from readinglist.importer import run_import
from readinglist.sources.scrape import parse_scrape

#: A day's listing is about 100 kB; a year's, a few MB. Larger is not a scrape.
MAX_SCRAPE_BYTES = 64 * 1024 * 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="scraped listing(s), UTF-8 text")
    cli.add_papers_dir(parser)
    parser.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
    parser.add_argument("--added", type=cli.parse_day, default=dt.date.today(), metavar="YYYY-MM-DD",
                        help="the 'added' date of new papers (default: today)")
    cli.add_lock_wait(parser)
    args = parser.parse_args(argv)

    topics = cli.taxonomy()
    entries, rejected = [], []
    for file in args.files:
        try:
            if file.exists() and not file.is_file():
                cli.fail(f"{file}: not a regular file; give the scraped listing's text file")
            if file.stat().st_size > MAX_SCRAPE_BYTES:
                cli.fail(f"{file}: {file.stat().st_size:,} bytes is more than a scrape can be ({MAX_SCRAPE_BYTES:,}); split it")
            text = file.read_bytes().decode("utf-8")
        except OSError as exc:
            cli.fail(f"{file}: cannot read: {exc.strerror}")
        except UnicodeDecodeError as exc:
            line = exc.object.count(b"\n", 0, exc.start) + 1
            cli.fail(f"{file}:{line}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x}); save the scrape as UTF-8")
        found, problems = parse_scrape(text, str(file))
        entries += found
        rejected += problems

    summary = run_import(entries, args.papers_dir, topics, args.added, dry_run=args.dry_run, wait=args.wait, rejected=rejected)
    summary.report()
    print(f"{summary.count('created')} created, {summary.count('updated')} updated, {summary.count('unchanged')} unchanged, "
          f"{len(summary.refused)} rejected" + (" (dry run: nothing written)" if args.dry_run else ""))
    return 1 if summary.refused else 0


if __name__ == "__main__":
    raise SystemExit(cli.run(main))
