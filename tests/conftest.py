"""Shared fixtures: the project's paths, running scripts the way users do, and building a
copy of the real site in a temporary folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = FIXTURES / "hf-daily-papers-scrape.txt"
sys.path.insert(0, str(ROOT))

#: What a copy of the project needs to build its site.
PROJECT_PARTS = ("mkdocs.yml", "topics.yml", "docs", "overrides", "hooks", "readinglist", "papers", "scripts", "package.json")


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


def copy_project(dest: Path, *, papers: bool = True) -> Path:
    """A copy of the project (optionally without its papers) to build or import into."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        src = ROOT / part
        if part == "papers" and not papers:
            (dest / "papers").mkdir(parents=True, exist_ok=True)
        elif src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / part)
    # npm packages (axe-core, Lighthouse for the browser tests), installed by `make setup`: shared, not copied.
    (dest / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
    return dest


def mkdocs_build(project: Path, *extra: str) -> subprocess.CompletedProcess:
    mkdocs = Path(sys.executable).parent / "mkdocs"
    return run(mkdocs, "build", "--strict", "-d", project / "site", *extra, cwd=project)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real project's site, built once per test session with --strict."""
    project = copy_project(tmp_path_factory.mktemp("real") / "project")
    result = mkdocs_build(project)
    assert result.returncode == 0, result.stderr
    return project / "site"
