"""Make the ``readinglist`` package importable when a script is run as ``python scripts/x.py``."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Piped into `head` and the like, exit quietly instead of with a BrokenPipeError traceback.
if hasattr(__import__("signal"), "SIGPIPE"):
    import signal

    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
