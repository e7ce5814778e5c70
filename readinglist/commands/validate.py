"""Check every paper file with the same code the site build uses.

Prints each problem as ``path:line: key: message`` and exits 1 if there is any.
With --github, also prints them as GitHub Actions annotations on the offending lines.
"""

from __future__ import annotations

import argparse

from readinglist import cli
from readinglist.catalog import load_catalog


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_papers_dir(parser)
    parser.add_argument("--github", action="store_true", help="also print GitHub Actions error annotations")
    args = parser.parse_args(argv)
    catalog = load_catalog(args.papers_dir, cli.taxonomy())
    for problem in catalog.problems:
        print(problem)  # Problem.__str__ escapes control characters
        if args.github:
            print(cli.annotation(problem))
    if catalog.problems:
        files = {p.path for p in catalog.problems}
        valid = sum(f"{args.papers_dir.name}/{p.path}" not in files for p in catalog.papers)
        print(f"{len(catalog.problems)} problem(s) in {len(files)} file(s); {valid} paper(s) are valid.")
        return 1
    print(f"{len(catalog.papers)} paper(s), all valid.")
    return 0


if __name__ == "__main__":
    raise SystemExit(cli.run(main))
