#!/usr/bin/env python3
"""Add one paper to the list: fetch it by arXiv id or URL and write a valid paper file.

The code is ``readinglist/commands/new_paper.py`` (also run as ``readinglist <command>``); this
file keeps the documented ``python scripts/new_paper.py`` spelling working.
"""

from readinglist.commands import run

if __name__ == "__main__":
    raise SystemExit(run("new_paper"))
