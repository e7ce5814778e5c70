#!/usr/bin/env python3
"""Fetch Hugging Face Daily Papers for a day (or a range of days) and add the papers in scope.

    python scripts/fetch_daily.py --date 2025-05-23 [--until 2025-05-30]

A paper is in scope when the keyword rules of topics.yml give it at least one topic; withdrawn
papers are skipped. Papers go through the same conversion as the scrape importer (same file
names, duplicate rules, curator fields never overwritten). Nothing is written until every day
has been fetched and every file checked; if the network gives up, the run exits 1 with one
line saying why and no file is touched.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

import _bootstrap  # noqa: F401
from readinglist import cli
from readinglist.http import FetchError
from readinglist.importer import plan_import
from readinglist.sources import SourceError, daily_entries

MAX_DAYS = 62


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--date", type=cli.parse_day, required=True, metavar="YYYY-MM-DD", help="first day")
    parser.add_argument("--until", type=cli.parse_day, metavar="YYYY-MM-DD", help="last day (default: --date)")
    parser.add_argument("--added", type=cli.parse_day, default=dt.date.today(), metavar="YYYY-MM-DD",
                        help="the 'added' date of new papers (default: today)")
    parser.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
    cli.add_papers_dir(parser)
    cli.add_network(parser)
    cli.add_lock_wait(parser)
    args = parser.parse_args(argv)
    last = args.until or args.date
    if last < args.date:
        parser.error("--until is before --date")
    if (last - args.date).days >= MAX_DAYS:
        parser.error(f"at most {MAX_DAYS} days per run")

    topics = cli.taxonomy()
    # Fail early on broken files, before any request; the plan is made from a fresh read
    # under the import lock below.
    cli.catalog_or_fail(args.papers_dir, topics, allow_missing=True)
    http = cli.http_from(args)
    progress = sys.stderr.isatty()
    entries, skipped_scope, skipped_withdrawn = [], 0, 0
    day = args.date
    while day <= last:
        url = f"{args.base_url.rstrip('/')}/api/daily_papers"
        try:
            items = http.get_json(url, params={"date": day.isoformat()})
            found, withdrawn = daily_entries(items, f"{url}?date={day.isoformat()}")
        except (FetchError, SourceError) as exc:
            cli.fail(f"fetch_daily: {exc}. Nothing was written.")
        in_scope = [e for e in found if topics.matching(e.title, e.abstract)]
        skipped_scope += len(found) - len(in_scope)
        skipped_withdrawn += len(withdrawn)
        entries += in_scope
        if progress:
            print(f"{day}: {len(found)} papers, {len(in_scope)} in scope, {len(withdrawn)} withdrawn", file=sys.stderr)
        day += dt.timedelta(days=1)

    # The network is done; plan and write under the import lock, against the files as they
    # are now (another import may have written some while this one was fetching).
    with cli.locked(args.papers_dir, args.wait, dry_run=args.dry_run):
        catalog = cli.catalog_or_fail(args.papers_dir, topics, allow_missing=True)
        actions, refused = cli.apply_plan(plan_import(entries, catalog, topics, args.added, cli.reader(args.papers_dir)), topics,
                                          args.papers_dir, dry_run=args.dry_run)
    cli.report(actions, refused, args.papers_dir, dry_run=args.dry_run)
    counts = {k: sum(a.kind == k for a in actions) for k in ("created", "updated", "unchanged")}
    print(f"{counts['created']} new, {counts['updated']} updated, {counts['unchanged']} unchanged, "
          f"{skipped_scope} skipped as out of scope, {skipped_withdrawn} withdrawn, {len(refused)} rejected"
          + (" (dry run: nothing written)" if args.dry_run else ""))
    return 1 if refused else 0


if __name__ == "__main__":
    raise SystemExit(cli.run(main))
