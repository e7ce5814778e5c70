"""Turn source entries (a scrape, an API) into paper files: one conversion path for every
importer, so file names, duplicate rules and curator fields behave the same everywhere.

The source owns ``upvotes``, the links it found, and fills in what a paper lacks: its arXiv id,
its author names (which replace a bare ``author_count``) and a withdrawal; everything else of an existing paper
(title, topics, note, dates, abstract) belongs to the curators and is never overwritten.
``plan_import`` writes nothing: it decides every write before any file is touched. It reads
only through the ``read`` function it is given (the text of an existing file, to keep a
curator's formatting); without one it is a pure function of its arguments.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from .catalog import Catalog, new_path
from .model import Paper, dump_paper, normalise_title, parse_paper
from .sources.entry import SourceEntry, merge_links
from .taxonomy import Taxonomy


@dataclass(frozen=True)
class Action:
    """What importing one entry does: ``created``, ``updated`` or ``unchanged``."""

    kind: str
    """``created``, ``updated``, ``unchanged``, or ``refused`` (``reason`` says why)."""
    path: str
    """Relative to the papers folder: ``2024/some-title.md``."""
    text: str
    """The file's full new text (also for ``unchanged``: equal to what is on disk)."""
    entry: SourceEntry
    reason: str = ""


def entry_to_paper(entry: SourceEntry, taxonomy: Taxonomy, added: dt.date) -> Paper:
    """A new paper for ``entry``, with topics suggested by the taxonomy's keyword rules."""
    authors = entry.authors
    return Paper(
        title=entry.title,
        published=entry.published,
        added=max(added, entry.published),
        topics=taxonomy.suggest(entry.title, entry.abstract),
        abstract=entry.abstract,
        authors=authors,
        author_count=None if authors else entry.author_count,
        upvotes=entry.upvotes,
        arxiv=entry.arxiv,
        links=entry.links,
    )


def fill_missing(existing: Paper, entry: SourceEntry) -> Paper:
    """``existing`` with what it lacks and the source knows: the arXiv id, the author names
    (the source's list wins over a bare ``author_count``, which then goes), the author count
    when nothing is known, and a withdrawal. A value already in the file is never replaced.
    ``scripts/enrich.py`` changes exactly this; the importers also update upvotes and links."""
    changes: dict[str, Any] = {}
    if not existing.arxiv and entry.arxiv:
        changes["arxiv"] = entry.arxiv
    if not existing.authors and entry.authors:
        changes["authors"] = entry.authors
        changes["author_count"] = None
    elif not existing.authors and existing.author_count is None and entry.author_count:
        changes["author_count"] = entry.author_count
    if entry.withdrawn and not existing.withdrawn:
        changes["withdrawn"] = entry.withdrawn
    return replace(existing, **changes) if changes else existing


def merge_source(existing: Paper, entry: SourceEntry) -> Paper:
    """``existing`` with what the source owns brought up to date, curator fields untouched."""
    changes: dict[str, Any] = {"links": merge_links(existing.links, entry.links)}
    if entry.upvotes is not None:
        changes["upvotes"] = entry.upvotes
    return replace(fill_missing(existing, entry), **changes)


def plan_import(entries: list[SourceEntry], catalog: Catalog, taxonomy: Taxonomy,
                added: dt.date, read: Callable[[str], str] | None = None) -> list[Action]:
    """Decide, for every entry, which file it creates or updates and its exact new text.

    An entry matches an existing paper by arXiv id or by normalised title; an entry seen twice
    in the input is imported once (the later one wins, as it is the fresher copy). ``read``
    gives an existing file's text by its relative path: with it, an update that only changes
    ``upvotes`` edits that one line and keeps the rest of the curator's file as written
    (comments, formatting); other updates rewrite the file in the standard form."""
    by_arxiv = catalog.by_arxiv()
    by_title = catalog.by_title()
    taken = {p.path for p in catalog.papers}
    next_suffix: dict[str, int] = {}
    current: dict[str, Paper] = {}  # path -> paper as planned so far
    created: set[str] = set()
    first_action: dict[str, int] = {}
    actions: list[Action] = []
    for entry in entries:
        existing = (by_arxiv.get(entry.arxiv) if entry.arxiv else None) or by_title.get(normalise_title(entry.title))
        if existing is not None and entry.arxiv and existing.arxiv and existing.arxiv != entry.arxiv:
            # Same title, different paper: never merge them, and a second file with this
            # title would not validate (a title is listed once).
            actions.append(Action("refused", existing.path, "", entry,
                                  f"arXiv {entry.arxiv} has the same title as {existing.arxiv} (papers/{existing.path}), "
                                  "a different paper; add it by hand with a title that tells them apart"))
            continue
        if existing is not None and existing.path not in created:
            path = existing.path
            paper = merge_source(current.get(path, existing), entry)
            original = read(path) if read else None
            if paper == existing:
                kind, text = "unchanged", original if original is not None else dump_paper(existing)
            else:
                kind, text = "updated", _edit_upvotes(original, existing, paper) or dump_paper(paper)
        elif existing is not None:  # created earlier in this same input
            path = existing.path
            paper = merge_source(current[path], entry)
            kind, text = "created", dump_paper(paper)
        else:
            paper = entry_to_paper(entry, taxonomy, added)
            path = new_path(paper, taken, next_suffix)
            taken.add(path)
            created.add(path)
            paper = replace(paper, path=path)
            kind, text = "created", dump_paper(paper)
            by_title[paper.title_key] = paper
            if paper.arxiv:
                by_arxiv[paper.arxiv] = paper
        current[path] = paper
        action = Action(kind, path, text, entry)
        if path in first_action:  # the same paper twice in the input: keep one action
            actions[first_action[path]] = action
        else:
            first_action[path] = len(actions)
            actions.append(action)
    return actions


_UPVOTES_LINE = re.compile(r"^(upvotes:[ \t]*)(\d+)([ \t]*(?:#.*)?)$")


def _edit_upvotes(original: str | None, old: Paper, new: Paper) -> str | None:
    """``original`` with only its ``upvotes`` line changed, if that is the only change and
    the line is a plain ``upvotes: N``; otherwise None (the file is rewritten)."""
    if original is None or replace(old, upvotes=new.upvotes) != new or old.upvotes is None:
        return None
    lines = original.split("\n")
    index = old.line_of("upvotes") - 1
    match = _UPVOTES_LINE.match(lines[index]) if 0 <= index < len(lines) else None
    if match is None:
        return None
    lines[index] = f"{match.group(1)}{new.upvotes}{match.group(3)}"
    return "\n".join(lines)


def check_roundtrip(action: Action, topic_ids) -> list:
    """Problems ``parse_paper`` finds in a planned file: a safety net so an importer never
    writes a file the validator would reject."""
    _, problems = parse_paper(action.text, f"papers/{action.path}", topic_ids)
    return problems
