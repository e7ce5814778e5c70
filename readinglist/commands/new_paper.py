"""Add one paper to the list: fetch it by arXiv id or URL and write a valid paper file.

    python scripts/new_paper.py 2408.04303
    python scripts/new_paper.py https://huggingface.co/papers/2408.04303
    python scripts/new_paper.py --title "A Paper Without arXiv" --published 2024-05-01   (offline)

The paper comes from the Hugging Face papers API, or from the arXiv API when Hugging Face does
not have it. Topics are suggested by the keyword rules of topics.yml: check them before you
commit. A paper already in the list (same arXiv id or same title) is refused with the path of
its file (exit code 1). Prints the path of the new file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from readinglist import cli
from readinglist.catalog import Catalog
from readinglist.http import FetchError, Http, NotFound
from readinglist.importer import run_import
from readinglist.model import shown
from readinglist.sources.arxiv import arxiv_entry, arxiv_id_from
from readinglist.sources.entry import SourceEntry, SourceError
from readinglist.sources.huggingface import hf_paper_entry

PLACEHOLDER = "Abstract to be written: paste the paper's abstract here."


def fetch(arxiv: str, args: argparse.Namespace, http: Http) -> SourceEntry:
    url = f"{args.base_url.rstrip('/')}/api/papers/{arxiv}"
    try:
        return hf_paper_entry(http.get_json(url), url)
    except NotFound:
        pass  # not on Hugging Face: ask arXiv
    url = f"{args.arxiv_url.rstrip('/')}/api/query"
    response = http.get(url, params={"id_list": arxiv}, accept="application/atom+xml")
    return arxiv_entry(response.content, arxiv, response.url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paper", nargs="?", metavar="ARXIV_ID_OR_URL", help="e.g. 2408.04303 or an arxiv.org / huggingface.co/papers URL")
    parser.add_argument("--title", help="offline: the title (with --published)")
    parser.add_argument("--published", type=cli.parse_day, metavar="YYYY-MM-DD", help="offline: the publication date")
    parser.add_argument("--arxiv", metavar="ID", help="offline: the arXiv id, if any")
    parser.add_argument("--added", type=cli.parse_day, default=dt.date.today(), metavar="YYYY-MM-DD",
                        help="the 'added' date (default: today)")
    cli.add_papers_dir(parser)
    cli.add_network(parser)
    cli.add_lock_wait(parser)
    args = parser.parse_args(argv)
    if bool(args.paper) == bool(args.title):
        parser.error("give either an arXiv id or URL, or --title and --published to scaffold a file offline")
    if args.title and not args.published:
        parser.error("--title needs --published YYYY-MM-DD")

    topics = cli.taxonomy()
    catalog = cli.catalog_or_fail(args.papers_dir, topics, allow_missing=True)
    try:
        arxiv = arxiv_id_from(args.paper or args.arxiv) if (args.paper or args.arxiv) else None
    except SourceError as exc:
        cli.fail(str(exc), 2)
    if (listed := catalog.find(arxiv=arxiv, title=args.title)) is not None:
        cli.fail(f"already in the list: {args.papers_dir.name}/{listed.path}")

    if args.paper and arxiv:  # with a paper given, arxiv_id_from gave its id or failed
        try:
            entry = fetch(arxiv, args, cli.http_from(args))
        except (FetchError, SourceError) as exc:
            cli.fail(f"cannot fetch {arxiv}: {exc}")
        if entry.arxiv != arxiv:
            cli.fail(f"cannot fetch {arxiv}: the server answered with another paper ({entry.arxiv or 'no arXiv id'}: "
                     f"{entry.title[:80]!r}); nothing was written. Check --base-url / --arxiv-url, or try again later")
    else:
        entry = SourceEntry(title=args.title.strip(), abstract=PLACEHOLDER, published=args.published, upvotes=None,
                            arxiv=arxiv, source="command line")

    def not_listed(catalog: Catalog) -> None:
        # Checked again under the import lock: another import may have added the paper while
        # this one was fetching it.
        if (listed := catalog.find(arxiv=arxiv)) is not None:
            cli.fail(f"already in the list: {args.papers_dir.name}/{listed.path}")
        if (listed := catalog.find(title=entry.title)) is not None:
            cli.fail(f"already in the list under the same title: {args.papers_dir.name}/{listed.path}")

    summary = run_import([entry], args.papers_dir, topics, args.added, wait=args.wait, check=not_listed)
    if summary.refused:
        for problem in summary.refused:
            print(shown(f"cannot write the paper: {problem.key + ': ' if problem.key else ''}{problem.message}"), file=sys.stderr)
        return 1
    print(args.papers_dir / summary.actions[0].path)
    if not args.paper:
        print("Now replace the placeholder abstract, check the topics, and run scripts/validate.py.", file=sys.stderr)
    else:
        print("Check the suggested topics, then run scripts/validate.py.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(cli.run(main))
