"""Outside descriptions of papers -> ``SourceEntry``: the Hugging Face papers API and the
arXiv API. Pure functions on already-fetched data; the scripts do the fetching.

Everything becomes a ``SourceEntry`` and then goes through ``importer.plan_import``, the same
path as the scrape importer, so file names, duplicates and curator fields behave the same.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from typing import Any

from .model import MAX_ABSTRACT, MAX_DIGITS, MAX_TITLE, arxiv_problem, control_character, parse_date, url_problem
from .scrape import SourceEntry, links_in, merge_links

_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_ID_IN_URL = re.compile(
    r"^(?:https?://)?(?:www\.|export\.)?(?:arxiv\.org/(?:abs|pdf|html)/|huggingface\.co/papers/|hf\.co/papers/)"
    r"(?P<id>[a-z-]+(?:\.[A-Z]{2})?/\d{7}|\d{4}\.\d{4,5})(?:v\d+)?(?:\.pdf)?/?(?:[?#].*)?$")


class SourceError(ValueError):
    """Data from a source is not what we expect; ``str()`` says what and where."""


def arxiv_id_from(text: str) -> str:
    """The arXiv id (no version) in an id or an arXiv / Hugging Face paper URL.

    >>> arxiv_id_from("https://arxiv.org/pdf/2408.04303v2.pdf")
    '2408.04303'
    """
    text = text.strip()
    if match := _ID_IN_URL.match(text):
        return match.group("id")
    bare = re.sub(r"^arxiv:", "", text, flags=re.IGNORECASE)
    bare = re.sub(r"v\d+$", "", bare)
    if arxiv_problem(bare) is None:
        return bare
    raise SourceError(f"'{text}' is not an arXiv id or an arxiv.org / huggingface.co/papers URL "
                      "(expected e.g. 2408.04303 or https://arxiv.org/abs/2408.04303)")


def _clean(text: str) -> str:
    """Collapse the hard line breaks APIs keep inside paragraphs; keep paragraph breaks."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(re.sub(r"\s+", " ", p).strip() for p in paragraphs if p.strip())


def _date(value: Any, where: str, key: str = "publishedAt") -> dt.date:
    day = parse_date(str(value or "")[:10])
    if day is None:
        raise SourceError(f"{where}: {key} {value!r} is not an ISO date")
    return day


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
    abstract = _clean(_string(paper.get("summary"), source, arxiv, "summary"))
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
        withdrawn = _date(paper.get("withdrawnAt"), f"{source} ({arxiv})", "withdrawnAt")
    return SourceEntry(
        title=title,
        abstract=abstract,
        published=_date(paper.get("publishedAt"), f"{source} ({arxiv})"),
        authors=authors,
        author_count=len(authors) or None,
        upvotes=upvotes,
        arxiv=arxiv,
        links=merge_links(links, links_in(abstract)),
        source=source,
        withdrawn=withdrawn,
    )


def daily_entries(items: Any, source: str) -> tuple[list[SourceEntry], list[SourceEntry]]:
    """The entries of one ``/api/daily_papers`` answer (also of ``/api/papers/search``, which
    has the same shape), and apart from them those of withdrawn papers (``withdrawn`` set)."""
    if not isinstance(items, list):
        raise SourceError(f"{source}: expected a list of papers, got {type(items).__name__}")
    entries, withdrawn = [], []
    for n, item in enumerate(items):
        paper = item.get("paper") if isinstance(item, dict) else None
        if not isinstance(paper, dict):
            raise SourceError(f"{source}: item {n} has no 'paper' object")
        if paper.get("withdrawnAt"):
            try:
                withdrawn.append(hf_paper_entry(paper, source))
            except SourceError:
                pass  # only ever used to mark a listed paper; one we cannot read is skipped
        else:
            entries.append(hf_paper_entry(paper, source))
    return entries, withdrawn


def arxiv_entry(atom: bytes | str, arxiv: str, source: str) -> SourceEntry:
    """The entry for ``arxiv`` in an arXiv API Atom answer; ``SourceError`` if it has none
    (the API reports errors as an Atom entry titled 'Error')."""
    for entry in arxiv_entries(atom, source):
        if entry.arxiv == arxiv:
            return entry
    raise SourceError(f"{source}: arXiv has no paper {arxiv}")


#: How arXiv's latest version says that a paper was withdrawn (its comment, or the abstract
#: replaced by a notice).
_WITHDRAWN = re.compile(r"\b(?:this (?:paper|article|submission|manuscript) (?:has been|is) withdrawn|withdrawn by (?:the )?(?:author|arxiv|admin))",
                        re.IGNORECASE)


def arxiv_entries(atom: bytes | str, source: str) -> list[SourceEntry]:
    """Every paper of an arXiv API Atom answer (an ``id_list`` lookup or a search); a paper
    whose latest version is a withdrawal notice gets ``withdrawn`` = that version's date.
    ``SourceError`` if the answer is not Atom or is arXiv's error entry."""
    try:
        root = ET.fromstring(atom)  # noqa: S314 - the arXiv API's answer; ElementTree expands no external entities
    except ET.ParseError as exc:
        raise SourceError(f"{source}: the answer is not valid Atom XML ({exc})") from None
    found = []
    for entry in root.iter(f"{_ATOM}entry"):
        entry_id = (entry.findtext(f"{_ATOM}id") or "").strip()
        title = re.sub(r"\s+", " ", entry.findtext(f"{_ATOM}title") or "").strip()
        if title == "Error" or "/api/errors" in entry_id:
            raise SourceError(f"{source}: arXiv reports an error: {_clean(entry.findtext(f'{_ATOM}summary') or '')}")
        arxiv = re.sub(r"v\d+$", "", entry_id.rsplit("/abs/", 1)[-1])
        if arxiv_problem(arxiv) is not None:
            raise SourceError(f"{source}: entry id {entry_id!r} is not an arXiv abstract URL")
        abstract = _clean(entry.findtext(f"{_ATOM}summary") or "")
        authors = tuple(re.sub(r"\s+", " ", a.findtext(f"{_ATOM}name") or "").strip() for a in entry.iter(f"{_ATOM}author"))
        if not title or not abstract:
            raise SourceError(f"{source}: arXiv entry {arxiv} has no title or no abstract")
        comment = _clean(entry.findtext(f"{_ARXIV}comment") or "")
        withdrawn = None
        if _WITHDRAWN.search(comment) or _WITHDRAWN.search(abstract[:300]):
            withdrawn = _date(entry.findtext(f"{_ATOM}updated"), f"{source} ({arxiv})", "updated")
        found.append(SourceEntry(
            title=title,
            abstract=abstract,
            published=_date(entry.findtext(f"{_ATOM}published"), f"{source} ({arxiv})", "published"),
            authors=tuple(a for a in authors if a),
            author_count=len(authors) or None,
            upvotes=None,
            arxiv=arxiv,
            links=links_in(abstract),
            source=source,
            withdrawn=withdrawn,
        ))
    return found
