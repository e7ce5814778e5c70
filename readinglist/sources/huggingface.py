"""The Hugging Face papers API -> ``SourceEntry``: ``/api/papers/{id}`` and ``/api/daily_papers``
(also ``/api/papers/search``, which has the same shape). Pure functions on already-fetched
JSON; the commands do the fetching."""

from __future__ import annotations

import re
from typing import Any

from ..model import MAX_ABSTRACT, MAX_DIGITS, MAX_TITLE, Problem, arxiv_problem, control_character, url_problem
from .entry import SourceEntry, SourceError, clean_text, iso_date, links_in, merge_links


def _string(value: Any, source: str, arxiv: str, what: str) -> str:
    """A text field of an API answer: a string (None counts as empty) without control
    characters or lone surrogates, which no paper file may hold."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SourceError(f"{source}: paper {arxiv}: the {what} is {type(value).__name__}, not text")
    if bad := control_character(value.replace("\r", "").replace("\n", " ").replace("\t", " ")):
        raise SourceError(f"{source}: paper {arxiv}: the {what} contains the character {bad}, which a paper file cannot hold")
    return value


def hf_paper_entry(paper: object, source: str) -> SourceEntry:
    """A Hugging Face ``paper`` object (``/api/papers/{id}``, or ``item["paper"]`` of the daily
    list) as a source entry."""
    if not isinstance(paper, dict):
        raise SourceError(f"{source}: expected a paper object, got {type(paper).__name__}")
    raw_id = paper.get("id")
    arxiv = raw_id if isinstance(raw_id, str) else ""
    if arxiv_problem(arxiv) is not None:
        raise SourceError(f"{source}: paper id {str(raw_id)[:40]!r} is not an arXiv id")
    title = re.sub(r"\s+", " ", _string(paper.get("title"), source, arxiv, "title")).strip()
    abstract = clean_text(_string(paper.get("summary"), source, arxiv, "summary"))
    if not title or not abstract:
        raise SourceError(f"{source}: paper {arxiv} has no title or no abstract")
    if len(title) > MAX_TITLE or len(abstract) > MAX_ABSTRACT:
        # Checked before anything else reads the text (keyword scoring among others).
        raise SourceError(f"{source}: paper {arxiv}: the title ({len(title):,} characters) or abstract "
                          f"({len(abstract):,}) is longer than a paper's may be ({MAX_TITLE}, {MAX_ABSTRACT:,})")
    raw_authors = paper.get("authors")
    if raw_authors is not None and not isinstance(raw_authors, list):
        raise SourceError(f"{source}: paper {arxiv}: 'authors' is {type(raw_authors).__name__}, not a list")
    authors = tuple(re.sub(r"\s+", " ", _string(a.get("name"), source, arxiv, "author name")).strip()
                    for a in (raw_authors or [])[:10_000] if isinstance(a, dict) and isinstance(a.get("name"), str) and a["name"].strip())
    links: list[tuple[str, str]] = []
    for kind, key in (("code", "githubRepo"), ("project", "projectPage")):
        value = paper.get(key)
        url = value.strip() if isinstance(value, str) else ""
        if url and control_character(url) is None and url_problem(url) is None:
            links.append((kind, url))
    upvotes = paper.get("upvotes")
    if isinstance(upvotes, bool) or not isinstance(upvotes, int) or not 0 <= upvotes < 10**MAX_DIGITS:
        upvotes = 0
    withdrawn = None
    if paper.get("withdrawnAt"):
        withdrawn = iso_date(paper.get("withdrawnAt"), f"{source} ({arxiv})", "withdrawnAt")
    return SourceEntry(
        title=title,
        abstract=abstract,
        published=iso_date(paper.get("publishedAt"), f"{source} ({arxiv})"),
        authors=authors,
        author_count=len(authors) or None,
        upvotes=upvotes,
        arxiv=arxiv,
        links=merge_links(links, links_in(abstract)),
        source=source,
        withdrawn=withdrawn,
    )


def daily_entries(items: Any, source: str) -> tuple[list[SourceEntry], list[SourceEntry], list[Problem]]:
    """The entries of one ``/api/daily_papers`` answer (also of ``/api/papers/search``, which
    has the same shape), apart from them those of withdrawn papers (``withdrawn`` set), and a
    problem for each item that is not a paper we can read: one bad paper costs only itself.
    An answer that is not a list at all raises ``SourceError``."""
    if not isinstance(items, list):
        raise SourceError(f"{source}: expected a list of papers, got {type(items).__name__}")
    entries: list[SourceEntry] = []
    withdrawn: list[SourceEntry] = []
    problems: list[Problem] = []
    for n, item in enumerate(items):
        paper = item.get("paper") if isinstance(item, dict) else None
        try:
            if not isinstance(paper, dict):
                raise SourceError(f"{source}: item {n} has no 'paper' object")
            entry = hf_paper_entry(paper, source)
        except SourceError as exc:
            if not (isinstance(paper, dict) and paper.get("withdrawnAt")):
                # Only ever used to mark a listed paper: a withdrawn one we cannot read is skipped.
                problems.append(Problem(source, 0, "", str(exc).removeprefix(f"{source}: ")))
            continue
        (withdrawn if paper.get("withdrawnAt") else entries).append(entry)
    return entries, withdrawn, problems
