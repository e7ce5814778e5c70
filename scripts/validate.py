#!/usr/bin/env python3
"""Check every paper file with the same code the site build uses.

The code is ``readinglist/commands/validate.py`` (also run as ``readinglist <command>``); this
file keeps the documented ``python scripts/validate.py`` spelling working.
"""

from readinglist.commands import run

if __name__ == "__main__":
    raise SystemExit(run("validate"))
