#!/usr/bin/env python3
"""Fetch Hugging Face Daily Papers for a day (or a range of days) and add the papers in scope.

The code is ``readinglist/commands/fetch_daily.py`` (also run as ``readinglist <command>``); this
file keeps the documented ``python scripts/fetch_daily.py`` spelling working.
"""

from readinglist.commands import run

if __name__ == "__main__":
    raise SystemExit(run("fetch_daily"))
