"""The ``readinglist`` command: one entry point, a subcommand per job.

    readinglist add 2408.04303            # scripts/new_paper.py
    readinglist import scrape.txt         # scripts/import_scrape.py
    readinglist fetch --date 2026-11-27   # scripts/fetch_daily.py
    readinglist enrich [--only PATH...]   # scripts/enrich.py
    readinglist validate [--github]       # scripts/validate.py
    readinglist status [--json]           # scripts/status.py
    readinglist bench --papers 1000       # scripts/bench.py

Each subcommand is a module of this package with ``main(argv) -> int``; the files in
``scripts/`` call the same functions, so both spellings behave identically. A module is
imported only when its subcommand runs, so ``readinglist validate`` never loads the HTTP layer.
"""

from __future__ import annotations

import importlib
import signal
import sys

#: Subcommand -> (module in this package, one-line help).
COMMANDS: dict[str, tuple[str, str]] = {
    "add": ("new_paper", "add one paper by arXiv id or URL, or offline by title"),
    "import": ("import_scrape", "import scraped Hugging Face Daily Papers listings"),
    "fetch": ("fetch_daily", "fetch days of Hugging Face Daily Papers"),
    "enrich": ("enrich", "fill in arXiv ids, authors and withdrawals that papers lack"),
    "validate": ("validate", "check every paper file"),
    "status": ("status", "is the list alive? exit 1 when it looks stale"),
    "bench": ("bench", "benchmark the site build at N synthetic papers"),
}

USAGE = "usage: readinglist {" + ",".join(COMMANDS) + "} [options]   (readinglist COMMAND --help for its options)"


def _quiet_pipe() -> None:
    # Piped into `head` and the like, exit quietly instead of with a BrokenPipeError traceback.
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)


def run(module: str, argv: list[str] | None = None, prog: str | None = None) -> int:
    """Run one command module's ``main`` (what ``scripts/<module>.py`` does)."""
    _quiet_pipe()
    from ..cli import run as run_main  # Ctrl-C and SIGTERM: one line saying what was written

    main = importlib.import_module(f"{__name__}.{module}").main
    if prog:
        sys.argv[0] = prog
    return int(run_main(main, argv) or 0)


def main(argv: list[str] | None = None) -> int:
    """``readinglist COMMAND [options]``: run one subcommand."""
    _quiet_pipe()
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in {"-h", "--help"}:
        print(USAGE)
        for name, (_, help_text) in COMMANDS.items():
            print(f"  {name:<9} {help_text}")
        return 0 if args else 2
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"readinglist: unknown command {name!r}\n{USAGE}", file=sys.stderr)
        return 2
    return run(COMMANDS[name][0], rest, prog=f"readinglist {name}")
