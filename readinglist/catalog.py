"""Every paper of the list, loaded once: file reading, cross-file checks and file names. The
hooks, the validator and the importers all load papers through here; writing is
``storage``'s job."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from slugify import slugify

from .model import Paper, Problem, parse_paper
from .storage import JOURNAL
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


def load_catalog(papers_dir: str | Path, taxonomy: Taxonomy) -> Catalog:
    """Read, parse and check every ``<yyyy>/<slug>.md`` under ``papers_dir``.

    Problems of one file never stop the others from being checked. Paths in problems are
    given as ``papers/2024/x.md`` (relative to the folder's parent) so they can be clicked."""
    root = Path(papers_dir)
    shown = root.name
    papers: list[Paper] = []
    problems: list[Problem] = []
    if not root.is_dir():
        return Catalog([], [Problem(str(root), 0, "", "the papers folder does not exist")])
    for file in sorted(root.rglob("*.md")):
        if file.name.startswith("."):
            continue  # editor backups and our own temporary files
        rel = file.relative_to(root).as_posix()
        path = f"{shown}/{rel}"
        raw = file.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            problems.append(Problem(path, line, "", f"is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"))
            continue
        paper, found = parse_paper(text, path, taxonomy.ids)
        problems.extend(found)
        if paper is None:
            continue
        paper = replace(paper, path=rel)
        problems.extend(_path_problems(paper, path))
        papers.append(paper)
    problems.extend(_duplicate_problems(papers, shown))
    if (root / JOURNAL).exists():
        problems.append(Problem(f"{shown}/{JOURNAL}", 1, "", "an import was killed while it replaced files, so the list is half "
                                f"updated; run 'python -m readinglist.storage {root}' (or the import again) to complete it"))
    papers.sort(key=sort_key)
    return Catalog(papers, sorted(problems))


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
