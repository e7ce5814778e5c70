#!/usr/bin/env python3
"""Is the reading list alive? Print its health and exit 1 when it looks stale.

The code is ``readinglist/commands/status.py`` (also run as ``readinglist <command>``); this
file keeps the documented ``python scripts/status.py`` spelling working.
"""

from readinglist.commands import run

if __name__ == "__main__":
    raise SystemExit(run("status"))
