"""Every paper of the list, loaded once: file reading, cross-file checks, file names and
atomic writes. The hooks, the validator and the importers all load papers through here."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from slugify import slugify

from .model import Paper, Problem, parse_paper
from .taxonomy import Taxonomy

MAX_SLUG = 80
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class Catalog:
    """The loaded papers, newest first, and every problem found in their files."""

    papers: list[Paper]
    problems: list[Problem] = field(default_factory=list)

    def by_arxiv(self) -> dict[str, Paper]:
        return {p.arxiv: p for p in self.papers if p.arxiv}

    def by_title(self) -> dict[str, Paper]:
        return {p.title_key: p for p in self.papers}


def sort_key(paper: Paper) -> tuple:
    """Newest first, then by title: the order of every list on the site."""
    return (-paper.published.toordinal(), paper.title.casefold(), paper.path)


def load_catalog(papers_dir: str | Path, taxonomy: Taxonomy, cache: dict | None = None) -> Catalog:
    """Read, parse and check every ``<yyyy>/<slug>.md`` under ``papers_dir``.

    Problems of one file never stop the others from being checked. Paths in problems are
    given as ``papers/2024/x.md`` (relative to the folder's parent) so they can be clicked.

    ``cache`` (a dict the caller keeps between loads, e.g. across ``mkdocs serve`` rebuilds)
    holds each file's parse under its identity (size, mtime, inode, change time) and the
    taxonomy's ids (and today's date): a file whose identity is unchanged is not read again. Cross-file checks
    always run on the whole list."""
    root = Path(papers_dir)
    shown = root.name
    papers: list[Paper] = []
    problems: list[Problem] = []
    seen: dict[str, tuple] = {}
    today = dt.date.today()  # the validator rejects dates in the future
    ids = taxonomy.ids
    if not root.is_dir():
        return Catalog([], [Problem(str(root), 0, "", "the papers folder does not exist")])
    prefix = len(str(root)) + 1
    for file in sorted(root.rglob("*.md"), key=str):  # strings sort faster than paths (10,000 files)
        if file.name.startswith("."):
            continue  # editor backups and our own temporary files
        rel = str(file)[prefix:].replace(os.sep, "/")
        path = f"{shown}/{rel}"
        if cache is not None:
            stat = file.stat()
            identity = (path, stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns, ids, today)
            if (hit := cache.get(rel)) is not None and hit[0] == identity:
                seen[rel] = hit
                paper, found = hit[1], hit[2]
            else:
                paper, found = _parse_file(file, rel, path, taxonomy)
                seen[rel] = (identity, paper, found)
        else:
            paper, found = _parse_file(file, rel, path, taxonomy)
        problems.extend(found)
        if paper is not None:
            papers.append(paper)
    if cache is not None:  # forget deleted files
        cache.clear()
        cache.update(seen)
    problems.extend(_duplicate_problems(papers, shown))
    papers.sort(key=sort_key)
    return Catalog(papers, sorted(problems))


def _parse_file(file: Path, rel: str, path: str, taxonomy: Taxonomy) -> tuple[Paper | None, list[Problem]]:
    """One file's paper (or None) and the problems found in that file alone."""
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return None, [Problem(path, line, "", f"is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8")]
    paper, found = parse_paper(text, path, taxonomy.ids)
    if paper is None:
        return None, found
    paper = replace(paper, path=rel)
    return paper, found + _path_problems(paper, path)


def _path_problems(paper: Paper, shown: str) -> list[Problem]:
    parts = paper.path.split("/")
    if len(parts) != 2 or not re.fullmatch(r"\d{4}", parts[0]):
        where = f"papers/{paper.published.year}/{parts[-1]}"
        return [Problem(shown, 1, "", f"paper files live in papers/<year>/<slug>.md; move it to {where}")]
    problems = []
    if int(parts[0]) != paper.published.year:
        problems.append(Problem(shown, paper.line_of("published"), "published",
                                f"{paper.published} is not in {parts[0]}, the year of the folder; "
                                f"move the file to papers/{paper.published.year}/ or fix the date"))
    expected = make_slug(paper.title)
    if not _SLUG.match(paper.slug) or len(paper.slug) > MAX_SLUG + 4:
        problems.append(Problem(shown, 1, "", f"file name '{parts[1]}' is not a slug (lowercase letters, digits and '-'); "
                                              f"expected e.g. '{expected}.md'"))
    elif not _slug_matches(paper.slug, expected):
        problems.append(Problem(shown, paper.line_of("title"), "title",
                                f"does not match the file name '{parts[1]}' (expected '{expected}.md'): was the file copied "
                                "from another paper? Rename a new file; a published file keeps its name"))
    return problems


def _slug_matches(slug: str, expected: str) -> bool:
    """Whether a file name fits its title. Close is enough: a typo fixed in the title of a
    published paper must not force a rename (its URL never changes), while a file copied from
    another paper and given a new title is caught."""
    stems = {slug, re.sub(r"-\d+$", "", slug)}
    return expected in stems or max(difflib.SequenceMatcher(None, s, expected).ratio() for s in stems) >= 0.6


def _duplicate_problems(papers: list[Paper], shown: str) -> list[Problem]:
    problems = []
    first_arxiv: dict[str, Paper] = {}
    first_title: dict[str, Paper] = {}
    for paper in sorted(papers, key=lambda p: p.path):
        if paper.arxiv:
            if (other := first_arxiv.setdefault(paper.arxiv, paper)) is not paper:
                problems.append(Problem(f"{shown}/{paper.path}", paper.line_of("arxiv"), "arxiv",
                                        f"{paper.arxiv} is already in the list as {shown}/{other.path}; a paper is listed once"))
        if (other := first_title.setdefault(paper.title_key, paper)) is not paper:
            problems.append(Problem(f"{shown}/{paper.path}", paper.line_of("title"), "title",
                                    f"the same title is already in the list as {shown}/{other.path}; a paper is listed once"))
    return problems


def make_slug(title: str) -> str:
    """The file name stem for a title: at most 80 characters, cut at a word boundary."""
    return slugify(title, max_length=MAX_SLUG, word_boundary=True, save_order=True) or "paper"


def new_path(paper: Paper, taken: set[str]) -> str:
    """``<yyyy>/<slug>.md`` for a new paper, with a short suffix if the name is taken."""
    base = f"{paper.published.year}/{make_slug(paper.title)}"
    candidate, n = f"{base}.md", 2
    while candidate in taken:
        candidate, n = f"{base}-{n}.md", n + 1
    return candidate


def write_all_atomic(files: dict[Path, str]) -> None:
    """Write several files so that each holds either its old content or the new one, never
    a part, and none is replaced before all new contents are safely on disk: every text goes
    to a temporary file beside its target, one ``os.sync`` flushes them all (one sync instead
    of one per file), then each is renamed over its target. On any error or interrupt the
    temporary files are removed and no target has changed."""
    if len(files) <= 1:
        for path, text in files.items():
            write_atomic(path, text)
        return
    temporary: list[tuple[str, Path]] = []
    try:
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = _open_temporary(path)
            temporary.append((handle.name, path))
            with handle:
                handle.write(text)
        os.sync()
        while temporary:
            tmp, path = temporary[-1]
            os.replace(tmp, path)
            temporary.pop()
    finally:
        for tmp, _ in temporary:
            Path(tmp).unlink(missing_ok=True)


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` so that ``path`` holds either its old content or the new one, never a
    part: a temporary file in the same folder, flushed to disk, then renamed over it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = _open_temporary(path)
    try:
        with handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Delete temporary files left by an import that was killed (their process is gone).
    Returns what was removed. Files of a still-running process are left alone."""
    removed = []
    for tmp in folder.rglob(".*.tmp"):
        match = re.fullmatch(r"\..+\.(\d+)\.tmp", tmp.name)
        if match and not _alive(int(match.group(1))):
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _open_temporary(path: Path):
    """A new temporary file beside ``path`` (hidden, so the catalog skips it), named after
    it and this process. Plain ``open(..., "x")`` is three times faster than ``mkstemp`` and
    keeps the usual file mode; a leftover from a killed run of this same pid is replaced."""
    tmp = path.parent / f".{path.name}.{os.getpid()}.tmp"
    try:
        return open(tmp, "x", encoding="utf-8", newline="\n")  # closed by the callers
    except FileExistsError:
        tmp.unlink()
        return open(tmp, "x", encoding="utf-8", newline="\n")
