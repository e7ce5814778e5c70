#!/usr/bin/env python3
"""Fill in what papers lack: find each paper without an arXiv id or author names and write

The code is ``readinglist/commands/enrich.py`` (also run as ``readinglist <command>``); this
file keeps the documented ``python scripts/enrich.py`` spelling working.
"""

from readinglist.commands import run

if __name__ == "__main__":
    raise SystemExit(run("enrich"))
