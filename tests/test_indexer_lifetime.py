"""A search indexer never outlives its build: a build killed outright (SIGKILL, or SIGTERM,
which runs no clean-up) takes its indexer child, and the indexer's Pagefind, with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")

PARENT = """
import subprocess, sys, time
from readinglist.pages.search import _CHILD_SETUP
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], preexec_fn=_CHILD_SETUP)
print(child.pid, flush=True)
time.sleep(120)
"""


#: The indexer's way: started without a preexec_fn (vfork), it asks the kernel itself.
PARENT_NO_PREEXEC = """
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import sys, time; from readinglist.pages.search import die_with; "
                          f"sys.exit(3) if not die_with({os.getpid()}) else None; print('set', flush=True); time.sleep(120)"],
                         stdout=subprocess.PIPE, text=True)
assert child.stdout.readline() == "set\\n"
print(child.pid, flush=True)
time.sleep(120)
"""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")  # a zombie has ended; only its exit status waits to be read


def wait_until(condition, seconds: float = 20.0) -> bool:
    """Poll ``condition`` (a process state, not a clock) until it holds or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.mark.parametrize("script", [PARENT, PARENT_NO_PREEXEC], ids=["preexec", "child-asks"])
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_the_child_dies_with_the_process_that_started_it(how, script):
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) as parent:
        try:
            assert parent.stdout is not None
            child = int(parent.stdout.readline())
            assert alive(child)
            os.kill(parent.pid, how)
            parent.wait(timeout=20)
            assert wait_until(lambda: not alive(child)), f"child {child} outlived its parent"
        finally:
            parent.kill()


def test_a_one_off_builds_indexer_runs_at_the_lowest_priority(tmp_path: Path):
    """The build's process and its worker keep the cores; the indexer (and the Pagefind it
    starts, which inherits its priority) takes what they leave."""
    from readinglist.commands.bench import synthetic_papers
    from readinglist.pages.search import BUILD_NICENESS, SearchIndexer

    work, site = tmp_path / "work", tmp_path / "site"
    work.mkdir()
    site.mkdir()
    indexer = SearchIndexer(synthetic_papers(3), {}, work, site / ".pagefind-new", niceness=BUILD_NICENESS)
    try:
        # Field 19 of /proc/PID/stat is the nice value; a child that already ended stays a
        # zombie, with its stat, until finish() waits for it.
        nice = int(Path(f"/proc/{indexer.process.pid}/stat").read_text().rsplit(")", 1)[1].split()[16])
        assert nice == BUILD_NICENESS == 19
        indexer.finish(site)
    finally:
        indexer.cancel()
    assert (site / "pagefind" / "pagefind.js").is_file()


def test_an_indexer_whose_build_is_gone_stops(tmp_path: Path):
    """Its parent died before the child asked the kernel: nothing would kill it later."""
    from readinglist.pages.search import main

    assert main(["--parent", "1" if os.getppid() != 1 else "2", str(tmp_path / "none.pickle"), str(tmp_path / "r"), str(tmp_path / "o")]) == 1
    assert not (tmp_path / "o").exists()
