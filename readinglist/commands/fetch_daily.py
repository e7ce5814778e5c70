"""Fetch Hugging Face Daily Papers for a day (or a range of days) and add the papers in scope.

    python scripts/fetch_daily.py --date 2025-05-23 [--until 2025-05-30] [--refresh-days 30] [--record FILE]

A paper is in scope when the keyword rules of topics.yml give it at least one topic; withdrawn
papers are skipped, except that a paper already in the list is marked withdrawn. Papers go
through the same conversion as the scrape importer (same file names, duplicate rules, curator
fields never overwritten). Nothing is written until every day
has been fetched and every file checked; if the network gives up, or a day's answer is not a
list of papers, the run exits 1 with one line saying why and no file is touched. A paper of a
day's list that cannot be read (a field of the wrong type, a character no file may hold) is
rejected with one line naming the answer and the paper; the others are imported, and the run
exits 1.

--refresh-days N also asks /api/papers/{id} for every paper with an arXiv id added in the last
N days and brings its upvotes (and links, authors) up to date through the same update path: an
upvotes-only change edits that one line. A paper the API no longer has is left as it is.
--record FILE writes what the run did (days, counts, the last day it found a new paper) as
JSON: the import workflow records papers/.last-import.json, which the site and status.py read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from readinglist import cli
from readinglist.http import FetchError, NotFound
from readinglist.importer import Action, merge_source, run_import
from readinglist.model import Paper, Problem
from readinglist.sources.entry import SourceEntry, SourceError
from readinglist.sources.huggingface import daily_entries, hf_paper_entry
from readinglist.status import ImportRun, dump_record, newest_added, now, read_record
from readinglist.storage import write_atomic

MAX_DAYS = 62


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--date", type=cli.parse_day, required=True, metavar="YYYY-MM-DD", help="first day")
    parser.add_argument("--until", type=cli.parse_day, metavar="YYYY-MM-DD", help="last day (default: --date)")
    parser.add_argument("--added", type=cli.parse_day, default=dt.date.today(), metavar="YYYY-MM-DD",
                        help="the 'added' date of new papers (default: today)")
    parser.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
    parser.add_argument("--refresh-days", type=int, default=0, metavar="N",
                        help="also refresh upvotes of papers added in the last N days (default: 0, none)")
    parser.add_argument("--record", type=Path, metavar="FILE",
                        help="write what the run did as JSON (the import workflow: papers/.last-import.json)")
    cli.add_papers_dir(parser)
    cli.add_network(parser)
    cli.add_lock_wait(parser)
    args = parser.parse_args(argv)
    last = args.until or args.date
    if last < args.date:
        parser.error("--until is before --date")
    if (last - args.date).days >= MAX_DAYS:
        parser.error(f"at most {MAX_DAYS} days per run")
    if not 0 <= args.refresh_days <= 366:
        parser.error("--refresh-days must be 0-366")

    topics = cli.taxonomy()
    # Fail early on broken files, before any request (this read also picks the papers to
    # refresh); the plan is made from a fresh read under the import lock below.
    catalog = cli.catalog_or_fail(args.papers_dir, topics, allow_missing=True)
    http = cli.http_from(args)
    progress = sys.stderr.isatty()
    entries, skipped_scope, skipped_withdrawn, listed = [], 0, 0, 0
    unreadable: list[Problem] = []  # papers of a day's answer we cannot read: rejected, the rest go on
    day = args.date
    while day <= last:
        url = f"{args.base_url.rstrip('/')}/api/daily_papers"
        try:
            items = http.get_json(url, params={"date": day.isoformat()})
            found, withdrawn, bad = daily_entries(items, f"{url}?date={day.isoformat()}")
        except (FetchError, SourceError) as exc:
            cli.fail(f"fetch_daily: {exc}. Nothing was written.")
        in_scope = [e for e in found if topics.matching(e.title, e.abstract)]
        skipped_scope += len(found) - len(in_scope)
        listed += len(found) + len(withdrawn) + len(bad)
        unreadable += bad
        # A withdrawn paper already listed is updated (marked withdrawn); others are skipped.
        already = [e for e in withdrawn if catalog.find(arxiv=e.arxiv, title=e.title) is not None]
        skipped_withdrawn += len(withdrawn) - len(already)
        entries += in_scope + already
        if progress:
            print(f"{day}: {len(found)} papers, {len(in_scope)} in scope, {len(withdrawn)} withdrawn", file=sys.stderr)
        day += dt.timedelta(days=1)

    recent: list[Paper] = []
    refreshed: list[SourceEntry] = []
    gone: list[Paper] = []
    bad_answers: list[Problem] = []
    if args.refresh_days:
        recent = [p for p in catalog.papers if p.arxiv and (args.added - p.added).days <= args.refresh_days]
        refreshed, gone, bad_answers = refresh(recent, http, args.base_url)
    # The network is done; plan and write under the import lock, against the files as they
    # are now (another import may have written some while this one was fetching). Refreshed
    # entries first: a paper also in today's daily list takes that (later) copy.
    summary = run_import(refreshed + entries, args.papers_dir, topics, args.added, dry_run=args.dry_run, wait=args.wait,
                         rejected=unreadable + bad_answers)
    actions, refused, catalog = summary.actions, summary.refused, summary.catalog
    summary.report()
    by_path = {p.path: p for p in catalog.papers}
    for action in actions:
        if action.kind == "updated" and action.path in by_path:
            print(f"changed: {args.papers_dir.name}/{action.path}: {describe_change(by_path[action.path], action)}")
    counts = {k: summary.count(k) for k in ("created", "updated", "unchanged")}
    from_refresh = [a for a in actions if a.entry.source.endswith("#refresh")]
    n_refreshed = sum(a.kind == "updated" for a in from_refresh)
    if args.refresh_days:
        print(f"refreshed {len(recent)} paper(s) added in the last {args.refresh_days} days: {n_refreshed} changed, "
              f"{sum(a.kind == 'unchanged' for a in from_refresh)} unchanged, {len(gone)} gone from the API (left as is)")
        for paper in gone:
            print(f"gone from the API: {args.papers_dir.name}/{paper.path} ({paper.arxiv})")
    print(f"{counts['created']} new, {counts['updated']} updated, {counts['unchanged']} unchanged, "
          f"{skipped_scope} skipped as out of scope, {skipped_withdrawn} withdrawn, {len(refused)} rejected"
          + (" (dry run: nothing written)" if args.dry_run else ""))
    if args.record and not args.dry_run:
        counts_out = {"listed": listed, "new": counts["created"], "updated": counts["updated"], "unchanged": counts["unchanged"],
                      "out_of_scope": skipped_scope, "withdrawn": skipped_withdrawn, "rejected": len(refused),
                      "refreshed": n_refreshed, "gone": len(gone)}
        write_record(args.record, args.date, last, counts_out, catalog.papers)
    return 1 if refused else 0


def refresh(papers: list[Paper], http, base_url: str) -> tuple[list[SourceEntry], list[Paper], list[Problem]]:
    """Ask the API for each paper again. Returns the fresh entries, the papers it no longer
    has (HTTP 404: left as they are) and a problem per answer that is not a paper."""
    entries, gone, problems = [], [], []
    for paper in papers:
        url = f"{base_url.rstrip('/')}/api/papers/{paper.arxiv}"
        try:
            # The "#refresh" mark tells these entries apart in the report; it never reaches a file.
            entry = hf_paper_entry(http.get_json(url), f"{url}#refresh")
            if entry.arxiv != paper.arxiv:  # never update one paper with another's numbers
                raise SourceError(f"answered with paper {entry.arxiv}, not {paper.arxiv}")
            entries.append(entry)
        except NotFound:
            gone.append(paper)
        except SourceError as exc:
            problems.append(Problem(url, 0, "", str(exc).removeprefix(f"{url}#refresh: ")))
        except FetchError as exc:
            cli.fail(f"fetch_daily: {exc}. Nothing was written.")
    return entries, gone, problems


def describe_change(old: Paper, action: Action) -> str:
    """What an update changes, for the pull request body: ``upvotes 12 -> 15, code link added``."""
    new = merge_source(old, action.entry)
    parts = []
    if new.upvotes != old.upvotes:
        parts.append(f"upvotes {old.upvotes if old.upvotes is not None else 'none'} -> {new.upvotes}")
    parts += [f"{kind} link added" for kind, _ in new.links if kind not in dict(old.links)]
    if new.authors != old.authors or new.author_count != old.author_count:
        parts.append("authors added")
    if new.arxiv != old.arxiv:
        parts.append(f"arXiv id {new.arxiv} added")
    return ", ".join(parts) or "updated"


def write_record(path: Path, first, last, counts: dict[str, int], papers: list[Paper]) -> None:
    """Record this run; ``last_new`` carries over from the previous record when nothing is new
    (a broken previous record is reported and replaced)."""
    moment, problems = now()
    previous, found = read_record(path, str(path))
    for problem in problems + found:
        print(f"warning: {problem}", file=sys.stderr)
    last_new = moment.date() if counts["new"] else (previous.last_new if previous and previous.last_new else newest_added(papers))
    write_atomic(path, dump_record(ImportRun(moment, first, last, counts, last_new)))


if __name__ == "__main__":
    raise SystemExit(cli.run(main))
