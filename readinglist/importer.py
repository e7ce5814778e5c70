"""Turn source entries (a scrape, an API) into paper files: one conversion path for every
importer, so file names, duplicate rules and curator fields behave the same everywhere.

The source owns ``upvotes``, the links it found, and fills in what a paper lacks: its arXiv id,
its author names (which replace a bare ``author_count``) and a withdrawal; everything else of an existing paper
(title, topics, note, dates, abstract) belongs to the curators and is never overwritten.
``plan_import`` writes nothing: it decides every write before any file is touched. It reads
only through the ``read`` function it is given (the text of an existing file, to keep a
curator's formatting); without one it is a pure function of its arguments. ``run_import`` is
what every command calls: lock, fresh catalog, plan, check (``entry_problems``: the model's
``paper_problems`` on each planned paper, reported at its source entry), write all or nothing,
``Summary``.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import cli
from .catalog import Catalog, new_path, read_paper_file
from .model import Finding, Paper, Problem, dump_paper, paper_problems, parse_paper, shown
from .sources.entry import SourceEntry, merge_links
from .storage import StorageError, write_all
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
    paper: Paper | None = None
    """The paper the new text holds (what ``entry_problems`` checks); None for ``refused``."""


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
    listed = catalog.copy()  # grows by the papers this plan creates
    taken = {p.path for p in catalog.papers}
    next_suffix: dict[str, int] = {}
    current: dict[str, Paper] = {}  # path -> paper as planned so far
    created: set[str] = set()
    first_action: dict[str, int] = {}
    actions: list[Action] = []
    for entry in entries:
        existing = listed.find(arxiv=entry.arxiv, title=entry.title)
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
            listed.add(paper)
        current[path] = paper
        action = Action(kind, path, text, entry, paper=paper)
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


#: Keys a new paper gets from the import rather than from its source: ``added`` (the run's
#: date, never before ``published``) and ``topics`` (the taxonomy's suggestion).
_SET_BY_IMPORT = frozenset({"added", "topics"})


def entry_problems(action: Action, topic_ids, today: dt.date) -> list[Problem]:
    """What is wrong with the paper ``action`` plans, as problems of its source entry
    (``scrape.txt:45: published: 2999-08-08 is in the future``; an API entry is named by its
    source and arXiv id). The values are checked by ``paper_problems``, the same rules as a
    file's; a problem with a value the import set itself is left out when the source's values
    explain it (an entry dated in the future gives one message, about ``published``).

    Then, as a safety net, the planned text must read back as the planned paper: a value the
    file format cannot hold (an abstract starting with '---') is caught there, never written."""
    paper = action.paper
    findings = [] if paper is None else paper_problems(paper, topic_ids, today=today)
    if any(f.key.split(".")[0] not in _SET_BY_IMPORT for f in findings):
        findings = [f for f in findings if f.key.split(".")[0] not in _SET_BY_IMPORT]
    if not findings:
        parsed, problems = parse_paper(action.text, f"papers/{action.path}", topic_ids, today=today)
        findings = [Finding(p.key, p.message) for p in problems]
        if not problems and paper is not None and parsed != paper:
            findings = [Finding("", "the planned file does not read back as planned (a bug: please report it)")]
    return [_located(action.entry, f) for f in findings]


def _located(entry: SourceEntry, finding: Finding) -> Problem:
    """``finding`` at its place in the source: a scrape's line (dates and upvotes come from an
    entry's date line, the rest from its first line), else the source and the arXiv id."""
    if entry.line:
        use_date_line = finding.key in ("published", "added", "upvotes") and entry.date_line
        return Problem(entry.source, entry.date_line if use_date_line else entry.line, finding.key, finding.message)
    where = f"{entry.source} ({entry.arxiv})" if entry.arxiv else entry.source
    return Problem(where, 0, finding.key, finding.message)


@dataclass
class Summary:
    """What ``run_import`` did: the actions kept (written, or that would be on a dry run;
    ``unchanged`` ones included), a problem per entry rejected, and the catalog it planned
    against (as read under the lock, before the writes)."""

    actions: list[Action]
    refused: list[Problem]
    catalog: Catalog
    papers_dir: Path
    dry_run: bool = False

    def count(self, kind: str) -> int:
        """How many actions are of ``kind`` (``created``, ``updated``, ``unchanged``)."""
        return sum(a.kind == kind for a in self.actions)

    def report(self) -> None:
        """One line per file created or updated (stdout), one per entry rejected (stderr)."""
        verb = "would be " if self.dry_run else ""
        for action in self.actions:
            if action.kind != "unchanged":
                print(shown(f"{verb}{action.kind}: {self.papers_dir.name}/{action.path}"))
        for problem in self.refused:
            print(f"rejected: {problem}", file=sys.stderr)  # Problem.__str__ escapes what it echoes


def run_import(entries: list[SourceEntry], papers_dir: Path, taxonomy: Taxonomy, added: dt.date, *,
               dry_run: bool = False, wait: float = 60.0, rejected: Sequence[Problem] = (),
               check: Callable[[Catalog], None] | None = None, today: dt.date | None = None) -> Summary:
    """Import ``entries`` into ``papers_dir``: the one path of every importer.

    Under the import lock (``cli.locked``; none on a dry run) it reads the catalog afresh (an
    import that had to wait plans against what the other one wrote; a broken file exits 1),
    calls ``check`` on it (which may exit, e.g. "already in the list"), plans every entry
    (``plan_import``), checks every planned file and writes the good ones all or nothing
    (``apply_plan``). ``rejected`` are problems the caller found before (entries it could not
    read): the summary lists them first. ``today`` (default: the clock's) is the latest date
    a paper may carry."""
    with cli.locked(papers_dir, wait, dry_run=dry_run):
        catalog = cli.catalog_or_fail(papers_dir, taxonomy, allow_missing=True)
        if check is not None:
            check(catalog)
        actions, refused = apply_plan(plan_import(entries, catalog, taxonomy, added, reader(papers_dir)), taxonomy,
                                      papers_dir, dry_run=dry_run, today=today)
    return Summary(actions, [*rejected, *refused], catalog, papers_dir, dry_run)


def reader(papers_dir: Path) -> Callable[[str], str]:
    """Reads an existing paper file by its path relative to ``papers_dir`` (for plan_import)."""
    def read(rel: str) -> str:
        # Like the catalog: never through a link, never a FIFO, never a huge file (it may
        # have changed since the catalog read it).
        raw, problem = read_paper_file(papers_dir / rel, f"{papers_dir.name}/{rel}")
        try:
            if problem is None:
                return raw.decode("utf-8")
        except UnicodeDecodeError:
            problem = Problem(f"{papers_dir.name}/{rel}", 1, "", "changed while the import ran and is no longer UTF-8")
        cli.fail(f"{problem}; nothing was written")
    return read


def apply_plan(actions: list[Action], topics: Taxonomy, papers_dir: Path, *, dry_run: bool = False,
               today: dt.date | None = None) -> tuple[list[Action], list[Problem]]:
    """Check every planned paper (``entry_problems``), then write the good ones, all or
    nothing (``storage.write_all``; a write error exits 1 with one located line). Returns the
    actions kept and a problem per entry refused. Nothing is written before every file is
    planned and checked. The caller holds the import lock (``run_import`` does)."""
    kept, refused = [], []
    today = today or dt.date.today()
    for action in actions:
        if action.kind == "refused":
            refused.append(_located(action.entry, Finding("title", action.reason)))
            continue
        # An unchanged file is not written, and the catalog already validated it.
        problems = [] if action.kind == "unchanged" else entry_problems(action, topics.ids, today)
        refused += problems
        if not problems:
            kept.append(action)
    if not dry_run:
        cli.set_phase("writing")
        try:
            write_all({papers_dir / a.path: a.text for a in kept if a.kind != "unchanged"}, papers_dir)
        except StorageError as exc:
            cli.fail(str(exc))
        cli.set_phase("written")
    return kept, refused
