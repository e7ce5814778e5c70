#!/usr/bin/env python3
"""Import scraped Hugging Face "Daily Papers" listings into paper files.

The code is ``readinglist/commands/import_scrape.py`` (also run as ``readinglist <command>``); this
file keeps the documented ``python scripts/import_scrape.py`` spelling working.
"""

from readinglist.commands import run

if __name__ == "__main__":
    raise SystemExit(run("import_scrape"))
