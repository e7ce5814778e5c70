"""Shared fixtures: the project's paths, running scripts the way users do (in a subprocess, or
in-process where only the result matters), and sites built from a frozen fixture of papers.

No test reads or writes the live ``papers/``: content comes from ``tests/fixtures/papers/``
(the seed scrape imported with ``--added 2026-11-28``, frozen), and every build happens in a
temporary copy of the project. ``test_live_list.py`` is the one exception: it checks
invariants that hold for whatever ``papers/`` holds, and only reads it. A session fixture
checks that the suite left ``papers/`` and ``topics.yml`` byte for byte as they were.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import io
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from readinglist.catalog import new_path
from readinglist.commands import COMMANDS
from readinglist.commands.bench import copy_project_files
from readinglist.model import Paper, dump_paper

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = FIXTURES / "hf-daily-papers-scrape.txt"
#: Scripts whose code is a module of ``readinglist.commands``.
COMMAND_MODULES = {module for module, _ in COMMANDS.values()}
#: The frozen list the site tests build and inspect (never the live papers/).
FIXTURE_PAPERS = FIXTURES / "papers"
#: The fixture paper that the built site gives an arXiv id (to show the arXiv buttons).
ARXIV_PAPER = "2024/a-survey-on-mixture-of-experts.md"
ARXIV_ID = "2407.06204"
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

#: What a copy of the project needs to build its site (papers come separately).
def run(*argv: str | Path, cwd: Path = ROOT, check: bool = False, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a command (a script: ``run("scripts/validate.py", ...)``) as a user would."""
    args = [str(a) for a in argv]
    if args[0].endswith(".py"):
        args = [sys.executable, str(ROOT / args[0]) if not Path(args[0]).is_absolute() else args[0], *args[1:]]
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=full_env, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} exited {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result


@dataclass
class Result:
    """What an in-process script run gave: the same three things a subprocess gives."""

    returncode: int
    stdout: str
    stderr: str


def _script(name: str):
    """The module holding a script's ``main``: the scripts are wrappers of
    ``readinglist.commands.<name>``."""
    stem = name.removesuffix(".py")
    if stem not in COMMAND_MODULES:
        raise ValueError(f"scripts/{name} is not a readinglist command")
    return importlib.import_module(f"readinglist.commands.{stem}")


@contextlib.contextmanager
def environment(env: dict | None) -> Iterator[None]:
    """``os.environ`` with ``env``'s variables set, for the duration of an in-process run."""
    saved = {key: os.environ.get(key) for key in env or {}}
    os.environ.update(env or {})
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_script(name: str, *argv: str | Path, check: bool = False, env: dict | None = None) -> Result:
    """Run ``scripts/<name>``'s ``main`` in this process (no interpreter start-up: a tenth of
    the time), capturing its output and exit code like ``run`` (``env``: variables set for the
    run). The subprocess smoke tests keep checking that each script also runs as a program."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), environment(env):
        try:
            code = _script(name).main([str(a) for a in argv])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if isinstance(exc.code, str):
                print(exc.code, file=sys.stderr)
    result = Result(code or 0, out.getvalue(), err.getvalue())
    if check and result.returncode != 0:
        raise AssertionError(f"{name} {argv} exited {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result


def copy_papers(dest: Path, source: Path = FIXTURE_PAPERS) -> Path:
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__", ".*"))
    return dest


def copy_project(dest: Path, *, papers: Path | bool | None = FIXTURE_PAPERS) -> Path:
    """A copy of the project to build or import into, with the fixture papers (or the folder
    ``papers``, or an empty ``papers/`` when None or False)."""
    copy_project_files(dest)
    if papers is None or papers is False:
        (dest / "papers").mkdir()
    elif papers is True:
        copy_papers(dest / "papers", FIXTURE_PAPERS)
    else:
        copy_papers(dest / "papers", papers)
    return dest


def placed(papers: Iterable[Paper]) -> list[Paper]:
    """``papers`` with the file names the importer would give them (``new_path``), in order."""
    taken: set[str] = set()
    result = []
    for paper in papers:
        path = new_path(paper, taken)
        taken.add(path)
        result.append(replace(paper, path=path))
    return result


def write_papers(project: Path, papers: Iterable[Paper]) -> None:
    """Write each paper (with its ``path``) into ``project/papers/``."""
    for paper in papers:
        target = project / "papers" / paper.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dump_paper(paper), encoding="utf-8")


#: For builds whose search index no test looks at: no Pagefind run (a second or two each).
NO_SEARCH = {"READINGLIST_SEARCH": "off"}


def mkdocs_build(project: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    mkdocs = Path(sys.executable).parent / "mkdocs"
    return run(mkdocs, "build", "--strict", "-d", project / "site", *extra, cwd=project, env=env)


def mkdocs_build_in_process(project: Path, env: dict | None = None) -> Result:
    """``mkdocs build --strict`` in this process (``env``: variables set for the build), saving
    the interpreter and MkDocs start-up (a second or two of each build). ``stderr`` holds the
    log as the command prints it (MkDocs' logger, which ``--strict`` counts warnings on); an
    unexpected exception propagates and fails the test. The hook's state is reset by each
    build (``on_files``). Failures that must show no traceback, the live list and the search
    and browser sites keep going through the real command line (``mkdocs_build``, ``run``)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logger = logging.getLogger("mkdocs")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with environment(env):
            build(load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site"), strict=True))
        code = 0
    except (Abort, ConfigurationError) as exc:
        stream.write(f"Aborted: {exc}\n")
        code = 1
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return Result(code, "", stream.getvalue())


def give_arxiv_id(papers: Path) -> None:
    path = papers / ARXIV_PAPER
    path.write_text(path.read_text(encoding="utf-8").replace("topics:", f"arxiv: '{ARXIV_ID}'\ntopics:", 1), encoding="utf-8")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


#: The files that take longest, in the order they are handed out (``make test`` runs
#: ``--dist loadfile --no-loadscope-reorder``: a worker takes the next file when it is almost done
#: with its own). A long file handed out last would leave the other worker idle at the end, so
#: these go first; the first two are one that needs the fixture site and one that does not (both
#: workers starting with it, one would wait while the other builds it). The browser files come
#: before the bench and preview tests, which took 2-3 times as long beside them. The rest
#: follow in collection order. Only the order changes: every test still runs.
SLOW_FIRST = ("test_browser_reading.py", "test_browser_search.py", "test_browser_audits.py", "test_browser.py",
              "test_browser_freshness.py", "test_workflows.py", "test_preview.py", "test_related.py", "test_worker.py",
              "test_pipeline.py", "test_search.py", "test_live_list.py", "test_hostile_inputs.py", "test_serve.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: a file's own order is kept


@pytest.fixture(scope="session", autouse=True)
def working_tree_untouched():
    """No test may write into the project's own papers or taxonomy."""
    watched = {"papers": ROOT / "papers", "topics.yml": ROOT / "topics.yml"}
    before = {name: snapshot(p) if p.is_dir() else p.read_bytes() for name, p in watched.items()}
    yield
    after = {name: snapshot(p) if p.is_dir() else p.read_bytes() for name, p in watched.items()}
    assert after == before, "the test suite changed the working tree's papers/ or topics.yml"


@pytest.fixture(scope="session")
def browser():
    """Chromium (Playwright), one per test process: started by the first browser test and
    shared by every browser test file (each test opens contexts of its own)."""
    from browsertools import chromium

    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def axe_browser(browser):
    """The shared Chromium, for files that also run axe-core (installed by npm ci)."""
    from browsertools import AXE, need

    need(AXE.is_file(), "axe-core missing (npm ci)")
    return browser


@pytest.fixture(scope="module")
def real_url(built_site):
    """The fixture site (the frozen list), served on 127.0.0.1."""
    from browsertools import serve

    with serve(built_site) as url:
        yield url


@pytest.fixture
def fake_time(monkeypatch):
    """The commands' HTTP client (``cli.http_from``) on a fake clock, for scripts run in-process:
    back-offs and ``Retry-After`` waits are recorded in ``fake_time.slept`` and take no time;
    socket timeouts stay real."""
    from fakeapi import FakeTime
    from readinglist import cli

    fake = FakeTime()
    real = cli.http_from
    monkeypatch.setattr(cli, "http_from", lambda args: replace(real(args), sleep=fake.sleep, clock=fake.clock))
    return fake


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@dataclass
class BuiltSite:
    """A strict build of the fixture project: its site, papers folder and build log, and the
    build time it was given (``SOURCE_DATE_EPOCH``, so another engine can rebuild it to the byte)."""

    site: Path
    papers: Path
    stderr: str
    epoch: str

    @property
    def project(self) -> Path:
        return self.site.parent


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _build_fixture_site(project: Path) -> BuiltSite:
    copy_project(project)
    give_arxiv_id(project / "papers")
    # The build's time is fixed (reproducible), and it is now: the site is not stale in the browser.
    epoch = str(int(time.time()))
    result = mkdocs_build_in_process(project, env={"SOURCE_DATE_EPOCH": epoch})
    assert result.returncode == 0, result.stderr
    (project / "build.log").write_text(result.stderr, encoding="utf-8")
    (project / "build.epoch").write_text(epoch, encoding="utf-8")
    return BuiltSite(project / "site", project / "papers", result.stderr, epoch)


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory) -> BuiltSite:
    """The fixture papers (one given an arXiv id) built with --strict once per run: under
    pytest-xdist the first worker to need it builds it (under a lock, in the run's shared
    temporary folder) and the others read the same site. Tests only read it."""
    if "PYTEST_XDIST_WORKER" not in os.environ:  # one process (also with -p no:xdist, where worker_id is missing)
        return _build_fixture_site(tmp_path_factory.mktemp("fixture") / "project")
    shared = tmp_path_factory.getbasetemp().parent  # this run's folder, shared by its workers
    project = shared / "fixture-site" / "project"
    with _locked(shared / "fixture-site.lock"):
        if (project / "build.epoch").is_file():
            return BuiltSite(project / "site", project / "papers", (project / "build.log").read_text(encoding="utf-8"),
                             (project / "build.epoch").read_text(encoding="utf-8"))
        shutil.rmtree(project.parent, ignore_errors=True)  # a build that failed half-way
        return _build_fixture_site(project)


@pytest.fixture(scope="session")
def built_site(fixture_build) -> Path:
    return fixture_build.site
