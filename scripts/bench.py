#!/usr/bin/env python3
"""Benchmark the site build at a given number of papers.

The code is ``readinglist/commands/bench.py`` (also run as ``readinglist <command>``); this
file keeps the documented ``python scripts/bench.py`` spelling working.
"""

from readinglist.commands import run

if __name__ == "__main__":
    raise SystemExit(run("bench"))
