"""Every paper of the list, loaded once: file reading, cross-file checks and file names. The
hooks, the validator and the importers all load papers through here; writing is
``storage``'s job."""

from __future__ import annotations

import datetime as dt
import difflib
import errno
import os
import re
import stat
from dataclasses import dataclass, field, replace
from functools import lru_cache
from operator import attrgetter
from pathlib import Path

from slugify import slugify

from .model import Paper, Problem, normalise_title, parse_paper
from .orderings import newest_first
from .storage import JOURNAL
from .taxonomy import Taxonomy

MAX_SLUG = 80
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class Catalog:
    """The loaded papers, newest first, and every problem found in their files."""

    papers: list[Paper]
    problems: list[Problem] = field(default_factory=list)
    _index: tuple[dict[str, Paper], dict[str, Paper]] | None = field(default=None, init=False, repr=False, compare=False)

    def find(self, *, arxiv: str | None = None, title: str | None = None) -> Paper | None:
        """Is this paper already listed? The paper with arXiv id ``arxiv``, else the one whose
        title is ``title`` once normalised (``model.normalise_title``), else None: the one rule
        the importer, ``enrich`` and ``new_paper`` use. The first call indexes the papers."""
        by_arxiv, by_title = self._indexes()
        found = by_arxiv.get(arxiv) if arxiv else None
        if found is None and title is not None:
            found = by_title.get(normalise_title(title))
        return found

    def add(self, paper: Paper) -> None:
        """Count ``paper`` as listed from now on (a paper planned in this run, or one just
        given an arXiv id): ``find`` returns it instead of an earlier one."""
        self._indexes()
        self.papers.append(paper)
        self._note(paper)

    def copy(self) -> Catalog:
        """A catalog of the same papers that ``add`` can grow without changing this one."""
        return Catalog(list(self.papers), list(self.problems))

    def _indexes(self) -> tuple[dict[str, Paper], dict[str, Paper]]:
        if self._index is None:
            self._index = ({}, {})
            for paper in self.papers:
                self._note(paper)
        return self._index

    def _note(self, paper: Paper) -> None:
        by_arxiv, by_title = self._indexes()
        if paper.arxiv:
            by_arxiv[paper.arxiv] = paper
        by_title[paper.title_key] = paper


def load_catalog(papers_dir: str | Path, taxonomy: Taxonomy, cache: dict | None = None) -> Catalog:
    """Read, parse and check every ``<yyyy>/<slug>.md`` under ``papers_dir``.

    Problems of one file never stop the others from being checked. Paths in problems are
    given as ``papers/2024/x.md`` (relative to the folder's parent) so they can be clicked.

    ``cache`` (a dict the caller keeps between loads: ``mkdocs serve`` rebuilds) holds each
    file's parse under its identity (size, modification and change times, inode; the
    taxonomy's ids and today's date): a file whose identity is unchanged is not read again.
    The folder is scanned and cross-file checks run on the whole list every time."""
    root = Path(papers_dir)
    shown = root.name
    papers: list[Paper] = []
    problems: list[Problem] = []
    if not root.exists():
        return Catalog([], [Problem(str(root), 0, "", "the papers folder does not exist")])
    if not root.is_dir():
        return Catalog([], [Problem(str(root), 0, "", "is not a folder; the papers folder must be a folder of <year>/<slug>.md files")])
    stats: dict[str, os.stat_result] = {}
    files, found = scan_papers(root, stats if cache is not None else None)
    problems.extend(found)
    seen: dict[str, tuple] = {}
    context = (taxonomy.ids, dt.date.today())  # the checks depend on the topic ids and on today (no future dates)
    order: list[tuple | None] = []  # each paper's sort key (kept with its parse)
    for rel in files:
        if cache is None:
            paper, found = _parse_file(root, rel, shown, taxonomy)
            key = newest_first(paper) if paper is not None else None
        else:
            info = stats[rel]  # the listing's own (never followed) stat: one system call per file, not two
            # Taken before the file is read: a change while it is read shows at the next load.
            identity = (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns, context)
            if (hit := cache.get(rel)) is not None and hit[0] == identity:
                paper, found, key = hit[1], hit[2], hit[3]
            else:
                paper, found = _parse_file(root, rel, shown, taxonomy)
                key = newest_first(paper) if paper is not None else None
            seen[rel] = (identity, paper, found, key)
        problems.extend(found)
        if paper is not None:
            papers.append(paper)
            order.append(key)
    if cache is not None:  # forget deleted files
        cache.clear()
        cache.update(seen)
    problems.extend(_duplicate_problems(papers, shown))
    if (root / JOURNAL).exists():
        problems.append(Problem(f"{shown}/{JOURNAL}", 1, "", "an import was killed while it replaced files, so the list is half "
                                f"updated; run 'python -m readinglist.storage {root}' (or the import again) to complete it"))
    # Sorted on the keys alone (they end with the path: never equal, no paper is compared).
    papers = [paper for _, paper in sorted(zip(order, papers, strict=True))]
    return Catalog(papers, sorted(problems))


def _parse_file(root: Path, rel: str, shown: str, taxonomy: Taxonomy) -> tuple[Paper | None, list[Problem]]:
    """One file's paper (or ``None``) and the problems found in that file alone."""
    path = f"{shown}/{rel}"
    raw, problem = read_paper_file(root / rel, path)
    if problem is not None:
        return None, [problem]
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


#: A paper file is a few kB; anything much larger is not one, and is not read into memory.
MAX_FILE_BYTES = 256 * 1024
#: Folders deeper than this under papers/ are not searched (paper files are two levels down).
MAX_DEPTH = 8


def scan_papers(root: Path, stats: dict[str, os.stat_result] | None = None) -> tuple[list[str], list[Problem]]:
    """The ``.md`` files under ``root`` (relative POSIX paths, sorted) and a problem for every
    entry that must not be there: symbolic links (to files or folders, dangling or not),
    folders, FIFOs, sockets or devices named ``*.md``, and files that are not ``.md``. Links are
    never followed. Hidden entries (``.last-import.json``, editors' backups, our temporary and
    lock files) are skipped. ``stats``, if given, receives each listed file's ``lstat``."""
    files: list[str] = []
    problems: list[Problem] = []

    def walk(folder: Path, rel: str, depth: int) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            problems.append(Problem(f"{root.name}/{rel}".rstrip("/"), 0, "", f"cannot be read: {exc.strerror or exc}"))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            child = f"{rel}{entry.name}"
            where = f"{root.name}/{child}"
            try:
                info = entry.stat(follow_symlinks=False)
                mode = info.st_mode
            except OSError as exc:
                problems.append(Problem(where, 1, "", f"cannot be read: {exc.strerror or exc}"))
                continue
            if stat.S_ISLNK(mode):
                problems.append(Problem(where, 1, "", "is a symbolic link; paper files and year folders must be real "
                                                      "files and folders (a link is never followed): replace it with the file or folder itself"))
            elif stat.S_ISDIR(mode):
                if entry.name.endswith(".md"):
                    problems.append(Problem(where, 1, "", "is a folder named like a paper file; paper files live in papers/<year>/<slug>.md"))
                elif depth >= MAX_DEPTH:
                    problems.append(Problem(where, 1, "", "is nested too deep; paper files live in papers/<year>/<slug>.md"))
                else:
                    walk(Path(entry.path), f"{child}/", depth + 1)
            elif not stat.S_ISREG(mode):
                problems.append(Problem(where, 1, "", "is not a regular file (a FIFO, socket or device); it is not read: remove it"))
            elif not entry.name.endswith(".md"):
                problems.append(Problem(where, 1, "", "is not a paper file (papers/<year>/<slug>.md); move it out of papers/ or rename it"))
            else:
                files.append(child)
                if stats is not None:
                    stats[child] = info

    walk(root, "", 0)
    return files, problems


def read_paper_file(file: Path, shown: str) -> tuple[bytes, Problem | None]:
    """The bytes of one paper file, read without following a symbolic link, without blocking
    on a FIFO, and only if it is a regular file of at most ``MAX_FILE_BYTES`` (checked on the
    open file, so a file swapped for a link or a device after the folder was listed is still
    refused)."""
    try:
        fd = os.open(file, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        reason = "is a symbolic link; it is not followed" if exc.errno == errno.ELOOP else f"cannot be read: {exc.strerror or exc}"
        return b"", Problem(shown, 1, "", reason)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return b"", Problem(shown, 1, "", "is not a regular file (a FIFO, socket or device); it is not read: remove it")
        if info.st_size > MAX_FILE_BYTES:
            return b"", Problem(shown, 1, "", f"is {info.st_size:,} bytes; a paper file has at most {MAX_FILE_BYTES:,} "
                                               "(its abstract at most 20,000 characters); it is not read")
        chunks, size = [], 0
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_FILE_BYTES:  # grew while being read
                return b"", Problem(shown, 1, "", f"is more than {MAX_FILE_BYTES:,} bytes; a paper file has at most {MAX_FILE_BYTES:,}")
        return b"".join(chunks), None
    except OSError as exc:
        return b"", Problem(shown, 1, "", f"cannot be read: {exc.strerror or exc}")
    finally:
        os.close(fd)


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


#: Paper.title_key, kept: the preview loads the same titles on every rebuild (10,000 of them).
_title_key = lru_cache(maxsize=1 << 16)(normalise_title)


def _duplicate_problems(papers: list[Paper], shown: str) -> list[Problem]:
    problems = []
    first_arxiv: dict[str, Paper] = {}
    first_title: dict[str, Paper] = {}
    for paper in sorted(papers, key=attrgetter("path")):
        if paper.arxiv:
            if (other := first_arxiv.setdefault(paper.arxiv, paper)) is not paper:
                problems.append(Problem(f"{shown}/{paper.path}", paper.line_of("arxiv"), "arxiv",
                                        f"{paper.arxiv} is already in the list as {shown}/{other.path}; a paper is listed once"))
        if (other := first_title.setdefault(_title_key(paper.title), paper)) is not paper:
            problems.append(Problem(f"{shown}/{paper.path}", paper.line_of("title"), "title",
                                    f"the same title is already in the list as {shown}/{other.path}; a paper is listed once"))
    return problems


def make_slug(title: str) -> str:
    """The file name stem for a title: at most 80 characters, cut at a word boundary."""
    return slugify(title, max_length=MAX_SLUG, word_boundary=True, save_order=True) or "paper"


def new_path(paper: Paper, taken: set[str], next_suffix: dict[str, int] | None = None) -> str:
    """``<yyyy>/<slug>.md`` for a new paper, with a suffix ``-2``, ``-3`` ... if the name is
    taken. The stem is shortened to make room for a long suffix, so the name always stays a
    valid slug of at most ``MAX_SLUG + 4`` characters, however many titles share a prefix.
    ``next_suffix`` (kept by the caller across calls) remembers the next free suffix of each
    name, so naming many papers of one title is linear, not quadratic."""
    year, slug = paper.published.year, make_slug(paper.title)
    base = f"{year}/{slug}"
    counters = {} if next_suffix is None else next_suffix
    candidate, n = f"{base}.md", counters.get(base, 2)
    if n > 2:
        candidate = ""  # the plain name was taken before
    while not candidate or candidate in taken:
        suffix = f"-{n}"
        stem = slug[:MAX_SLUG + 4 - len(suffix)].rstrip("-") if len(slug) + len(suffix) > MAX_SLUG + 4 else slug
        candidate, n = f"{year}/{stem}{suffix}.md", n + 1
    counters[base] = n
    return candidate
