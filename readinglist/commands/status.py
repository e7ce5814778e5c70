"""Is the reading list alive? Print its health and exit 1 when it looks stale.

    python scripts/status.py [--papers-dir DIR] [--json] [--today YYYY-MM-DD]

Prints the number of papers, the newest `added` date, papers added per month over the last
12 months and the last import run (papers/.last-import.json, written by the import workflow).
Exits 1 with a one-line reason on stderr when the list looks stale: no new paper for more than
7 days, the last import more than 2 days ago (or none recorded, or its record broken), nothing
new found by the import on 5 consecutive weekdays, or paper files with problems. The import
workflow runs it after each import.
"""

from __future__ import annotations

import argparse
import json
import sys

from readinglist import cli
from readinglist.catalog import load_catalog
from readinglist.status import RECORD_NAME, now, per_month, read_record, stale_reasons
from readinglist.status import newest_added as newest_of


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    cli.add_papers_dir(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    parser.add_argument("--today", type=cli.parse_day, metavar="YYYY-MM-DD",
                        help="the day to judge staleness on (default: today in UTC, or SOURCE_DATE_EPOCH's day)")
    args = parser.parse_args(argv)
    clock, clock_problems = now()
    today = args.today or clock.date()

    topics = cli.taxonomy()
    catalog = load_catalog(args.papers_dir, topics)
    record_shown = f"{args.papers_dir.name}/{RECORD_NAME}"
    run, record_problems = read_record(args.papers_dir / RECORD_NAME, record_shown)
    newest = newest_of(catalog.papers)
    reasons = [str(p) for p in (record_problems if args.today else clock_problems + record_problems)]
    if catalog.problems:
        reasons.append(f"{len(catalog.problems)} problem(s) in the paper files stop the build (python scripts/validate.py lists them)")
    reasons += [r for r in stale_reasons(newest, run, today)
                if not (record_problems and r.startswith("no import run is recorded"))]
    months = per_month(catalog.papers, today)

    if args.json:
        print(json.dumps({"today": today.isoformat(), "papers": len(catalog.papers),
                          "newest_added": newest.isoformat() if newest else None,
                          "per_month": dict(months), "last_import": run.to_json() if run else None,
                          "stale": bool(reasons), "reasons": reasons}, indent=1, ensure_ascii=True))
    else:
        print(f"papers: {len(catalog.papers):,}")
        print(f"newest added: {newest}" + (f" ({(today - newest).days} days before {today})" if newest else " (no papers)"))
        if run:
            counts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in run.counts.items())
            print(f"last import: {run.run:%Y-%m-%d %H:%M} UTC, days {run.first} to {run.last}: {counts or 'no counts'}")
            print(f"last new paper found by the import: {run.last_new or 'never'}")
        else:
            print("last import: " + ("unreadable" if record_problems else "none recorded"))
        print("papers added per month (last 12 months):")
        top = max((n for _, n in months), default=0) or 1
        for month, count in months:
            print(f"  {month} {count:5d} {'#' * round(30 * count / top)}")
        print("status: " + ("stale" if reasons else "ok"))
    if reasons:
        print("stale: " + "; ".join(reasons), file=sys.stderr)  # one line, for the workflow's issue
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
