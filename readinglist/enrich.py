"""Enrichment: find the papers of the list that lack an arXiv id or author names, and fill in
what the sources own (``arxiv``, ``authors``, ``withdrawn``), never what the curators own.

Hugging Face's paper search is asked first, then arXiv's title search. A match must be
certain (``problems`` below says why one is not); anything less is reported as a candidate
and not written. ``Finder`` does the fetching (through ``readinglist.http``, with arXiv's
"one request every 3 seconds" kept by an injectable clock); ``decide`` and ``plan`` are pure.
"""

from __future__ import annotations

import difflib
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from .catalog import Catalog
from .http import Http, NotFound
from .importer import Action, fill_missing
from .math import plain
from .model import MAX_TITLE, Paper, dump_paper, normalise_title
from .sources.arxiv import arxiv_entries
from .sources.entry import SourceEntry, SourceError
from .sources.huggingface import hf_paper_entry
from .text import first_sentence

#: Published dates of a certain match are at most this many days apart (time zones, and a
#: listing's date that is the day a paper was featured rather than its first version).
MAX_DAYS = 7
#: Search results with a title at least this similar to the paper's are reported as
#: candidates; less similar ones are other papers.
SIMILAR = 0.9
#: arXiv's terms of use: at most one request every 3 seconds.
ARXIV_INTERVAL = 3.0


def needs_enrichment(paper: Paper) -> bool:
    return not paper.arxiv or not paper.authors


def problems(paper: Paper, entry: SourceEntry) -> list[str]:
    """Why ``entry`` is not certainly ``paper`` (empty: it is): normalised titles must be
    equal, published dates within ``MAX_DAYS``, and where the file gives an author count, the
    same number of authors unless the abstracts' first sentences agree."""
    found = []
    if normalise_title(entry.title) != paper.title_key:
        found.append("titles differ")
    days = abs((entry.published - paper.published).days)
    if days > MAX_DAYS:
        found.append(f"dates differ by {days} days")
    if paper.arxiv and entry.arxiv != paper.arxiv:
        found.append(f"the file says arXiv {paper.arxiv}")
    count = paper.n_authors
    if count and entry.authors and len(entry.authors) != count and not _same_opening(paper.abstract, entry.abstract):
        found.append(f"{len(entry.authors)} authors where the file says {count}, and the abstracts begin differently")
    return found


def _same_opening(a: str, b: str) -> bool:
    return normalise_title(first_sentence(a, limit=10**6)) == normalise_title(first_sentence(b, limit=10**6))


def similar(paper: Paper, entry: SourceEntry) -> bool:
    """Whether a search result is about this paper at all (and so worth reporting)."""
    if paper.arxiv and entry.arxiv == paper.arxiv:
        return True
    ours, theirs = paper.title_key, normalise_title(entry.title[:4 * MAX_TITLE])
    if not ours or not theirs or 2 * min(len(ours), len(theirs)) / (len(ours) + len(theirs)) < SIMILAR:
        return False  # cannot reach the ratio; also keeps the quadratic matcher off huge titles
    return difflib.SequenceMatcher(None, ours, theirs).ratio() >= SIMILAR


@dataclass(frozen=True)
class Candidate:
    entry: SourceEntry
    problems: tuple[str, ...]
    """Empty for a match that fits every rule."""


@dataclass(frozen=True)
class Outcome:
    """What enrichment found for one paper: ``enriched`` (``paper`` is the filled-in paper),
    ``candidate`` (``candidates`` to check by hand) or ``not found``."""

    kind: str
    original: Paper
    paper: Paper | None = None
    candidates: tuple[Candidate, ...] = ()

    def lines(self, shown: str) -> list[str]:
        """The report lines of this outcome, for the paper file ``shown``."""
        if self.kind == "enriched":
            assert self.paper is not None
            what = []
            if self.paper.arxiv != self.original.arxiv:
                what.append(f"arXiv {self.paper.arxiv}")
            if self.paper.authors != self.original.authors:
                what.append(f"{len(self.paper.authors)} authors")
            if self.paper.withdrawn != self.original.withdrawn:
                what.append(f"withdrawn {self.paper.withdrawn}")
            return [f"{shown}: {', '.join(what)}"]
        if self.kind == "candidate":
            return [f"{shown}: possible match {c.entry.arxiv} \"{_one_line(c.entry.title)}\": "
                    + ("; ".join(c.problems) or "fits too, so neither is certain")
                    for c in self.candidates]
        if self.candidates:
            return [f"{shown}: found {self.candidates[0].entry.arxiv}, but it adds nothing (no author names)"]
        return [f"{shown}: not found on Hugging Face or arXiv"]


def _one_line(text: str, limit: int = 120) -> str:
    """A source's title made safe to print: one line, no control characters (a terminal
    would obey escape sequences), at most ``limit`` characters."""
    text = re.sub(r"\s+", " ", text)
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C")).strip()
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def decide(paper: Paper, found: list[SourceEntry], listed: Catalog) -> Outcome:
    """The outcome for ``paper`` given every source entry found for it. An arXiv id another
    paper of ``listed`` has (``Catalog.find``) is never written."""
    seen: dict[str, Candidate] = {}
    for entry in found:
        if not entry.arxiv or entry.arxiv in seen or not similar(paper, entry):
            continue
        why = problems(paper, entry)
        other = listed.find(arxiv=entry.arxiv)
        if other is not None and other.path != paper.path:
            why.append(f"its arXiv id is already used by {other.path}")
        seen[entry.arxiv] = Candidate(entry, tuple(why))
    certain = [c for c in seen.values() if not c.problems]
    if len(certain) == 1:
        filled = fill_missing(paper, certain[0].entry)
        if filled == paper:  # found, but the source knows nothing the file lacks
            return Outcome("not found", paper, candidates=tuple(certain))
        return Outcome("enriched", paper, filled)
    if certain:  # two that both fit: report both, write neither
        return Outcome("candidate", paper, candidates=tuple(certain))
    if seen:
        return Outcome("candidate", paper, candidates=tuple(seen.values()))
    return Outcome("not found", paper)


def plan(outcomes: list[Outcome]) -> list[Action]:
    """The writes of the enriched papers, for ``importer.apply_plan`` (validated, then atomic)."""
    actions = []
    for outcome in outcomes:
        if outcome.kind == "enriched" and outcome.paper is not None and outcome.paper != outcome.original:
            entry = SourceEntry(title=outcome.original.title, abstract="", published=outcome.original.published,
                                source=f"papers/{outcome.original.path}", line=1)
            actions.append(Action("updated", outcome.original.path, dump_paper(outcome.paper), entry, paper=outcome.paper))
    return actions


def arxiv_query(title: str) -> str:
    """arXiv's ``search_query`` for a title: a phrase of its words, punctuation (which breaks
    phrase queries) and TeX replaced by spaces."""
    words = re.sub(r"[^\w]+", " ", plain(title)).split()
    return 'ti:"' + " ".join(words) + '"'


@dataclass
class Finder:
    """Asks the sources about papers, through one ``Http`` session. arXiv is asked at most
    once every ``ARXIV_INTERVAL`` seconds (``clock`` and ``sleep`` are injectable, as in
    ``Http``, so tests never wait)."""

    http: Http
    base_url: str = "https://huggingface.co"
    arxiv_url: str = "http://export.arxiv.org"
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    interval: float = ARXIV_INTERVAL
    _last_arxiv: float | None = field(default=None, repr=False)

    def find(self, paper: Paper) -> list[SourceEntry]:
        """Entries that may be ``paper``: Hugging Face's, then arXiv's when Hugging Face has
        no certain match. Raises ``FetchError`` / ``SourceError`` when a source fails."""
        found = self._hugging_face(paper)
        if any(not problems(paper, e) for e in found if similar(paper, e)):
            return found
        return found + self._arxiv(paper)

    def _hugging_face(self, paper: Paper) -> list[SourceEntry]:
        base = self.base_url.rstrip("/")
        if paper.arxiv:
            url = f"{base}/api/papers/{paper.arxiv}"
            try:
                return [hf_paper_entry(self.http.get_json(url), url)]
            except NotFound:
                return []
        url = f"{base}/api/papers/search"
        try:
            items = self.http.get_json(url, params={"q": plain(paper.title)})
        except NotFound:
            return []
        if not isinstance(items, list):
            raise SourceError(f"{url}: expected a list of papers, got {type(items).__name__}")
        entries = []
        for item in items:
            try:
                entries.append(hf_paper_entry(item.get("paper") if isinstance(item, dict) else None, url))
            except SourceError:
                continue  # one unreadable search result is not the paper we look for
        return entries

    def _arxiv(self, paper: Paper) -> list[SourceEntry]:
        if self._last_arxiv is not None:
            wait = self.interval - (self.clock() - self._last_arxiv)
            if wait > 0:
                self.sleep(wait)
        url = f"{self.arxiv_url.rstrip('/')}/api/query"
        if paper.arxiv:
            params = {"id_list": paper.arxiv}
        else:
            params = {"search_query": arxiv_query(paper.title), "max_results": "10"}
        try:
            response = self.http.get(url, params=params, accept="application/atom+xml")
        finally:
            self._last_arxiv = self.clock()
        return arxiv_entries(response.content, response.url)


def enrich(papers: list[Paper], catalog: Catalog, finder: Finder,
           progress: Callable[[str], None] | None = None) -> list[Outcome]:
    """The outcome for each paper of ``papers`` (each asked about once). Raises
    ``FetchError`` or ``SourceError`` on the first source that fails for good: nothing is
    decided (nor written) from a partial run."""
    listed = catalog.copy()  # grows by the ids this run gives
    outcomes = []
    for paper in papers:
        outcome = decide(paper, finder.find(paper), listed)
        if outcome.kind == "enriched" and outcome.paper is not None and outcome.paper.arxiv:
            listed.add(outcome.paper)  # two files never get the same id in one run
        outcomes.append(outcome)
        if progress:
            progress(f"{paper.path}: {outcome.kind}")
    return outcomes


def summary(outcomes: list[Outcome], complete: int) -> str:
    """``3 enriched, 1 candidate to check, 0 not found, 37 already complete``."""
    count = {kind: sum(o.kind == kind for o in outcomes) for kind in ("enriched", "candidate", "not found")}
    candidates = f"{count['candidate']} candidate{'s' if count['candidate'] != 1 else ''} to check"
    return f"{count['enriched']} enriched, {candidates}, {count['not found']} not found, {complete} already complete"

