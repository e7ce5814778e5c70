"""Fill in what papers lack: find each paper without an arXiv id or author names and write
its arXiv id, its authors and a withdrawal, when the match is certain.

    python scripts/enrich.py [--only papers/2024/x.md ...] [--dry-run]

Hugging Face's paper search is asked first, then arXiv's title search (at most one request
every 3 seconds). A match is certain when the normalised titles are equal, the published dates
are at most 7 days apart and, where the file gives an author count, the number of authors is
the same (or the abstracts' first sentences agree). Anything less is printed as a candidate to
check by hand and not written. Title, topics, note, dates and abstract are never touched.
Nothing is written until every paper has been looked up and every file checked; if the network
gives up, the run exits 1 with one line saying why and no file is touched.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from readinglist import cli
from readinglist.enrich import Finder, enrich, needs_enrichment, plan, summary
from readinglist.http import FetchError
from readinglist.importer import apply_plan
from readinglist.sources.entry import SourceError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", type=Path, default=[], metavar="PATH",
                        help="enrich only these paper files (paths as papers/2024/x.md or relative to --papers-dir)")
    parser.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
    cli.add_papers_dir(parser)
    cli.add_network(parser)
    args = parser.parse_args(argv)

    topics = cli.taxonomy()
    catalog = cli.catalog_or_fail(args.papers_dir, topics)
    papers = catalog.papers
    if args.only:
        by_path = {p.path: p for p in catalog.papers}
        wanted, unknown = [], []
        for given in args.only:
            rel = _relative(given, args.papers_dir)
            (wanted.append(by_path[rel]) if rel in by_path else unknown.append(str(given)))
        if unknown:
            cli.fail(f"enrich: not a paper file in {args.papers_dir}: {', '.join(unknown)}", 2)
        papers = wanted
    todo = [p for p in papers if needs_enrichment(p)]
    complete = len(papers) - len(todo)

    finder = Finder(cli.http_from(args), base_url=args.base_url, arxiv_url=args.arxiv_url)
    progress = (lambda line: print(line, file=sys.stderr)) if sys.stderr.isatty() else None
    try:
        outcomes = enrich(todo, catalog, finder, progress)
    except (FetchError, SourceError) as exc:
        cli.fail(f"enrich: {exc}. Nothing was written.")

    actions, refused = apply_plan(plan(outcomes), topics, args.papers_dir, dry_run=args.dry_run)
    written = {a.path for a in actions}
    verb = "would be enriched" if args.dry_run else "enriched"
    for outcome in outcomes:
        shown = f"{args.papers_dir.name}/{outcome.original.path}"
        if outcome.kind == "enriched" and outcome.original.path not in written:
            continue  # refused by the validator: reported below
        for line in outcome.lines(shown):
            print(f"{verb}: {line}" if outcome.kind == "enriched" else line)
    for problem in refused:
        print(f"rejected: {problem}", file=sys.stderr)
    print(summary(outcomes, complete) + (" (dry run: nothing written)" if args.dry_run else ""))
    return 1 if refused else 0


def _relative(given: Path, papers_dir: Path) -> str:
    """``papers/2024/x.md``, ``2024/x.md`` or an absolute path -> ``2024/x.md``."""
    try:
        return given.resolve().relative_to(papers_dir.resolve()).as_posix()
    except ValueError:
        parts = given.as_posix().split("/")
        return "/".join(parts[-2:])


if __name__ == "__main__":
    raise SystemExit(main())
