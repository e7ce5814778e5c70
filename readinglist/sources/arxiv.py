"""The arXiv API -> ``SourceEntry``, and arXiv ids in ids and paper URLs. Pure functions on
already-fetched Atom; the commands do the fetching."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..model import arxiv_problem
from .entry import SourceEntry, SourceError, clean_text, iso_date, links_in

_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_ID_IN_URL = re.compile(
    r"^(?:https?://)?(?:www\.|export\.)?(?:arxiv\.org/(?:abs|pdf|html)/|huggingface\.co/papers/|hf\.co/papers/)"
    r"(?P<id>[a-z-]+(?:\.[A-Z]{2})?/\d{7}|\d{4}\.\d{4,5})(?:v\d+)?(?:\.pdf)?/?(?:[?#].*)?$")


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
            raise SourceError(f"{source}: arXiv reports an error: {clean_text(entry.findtext(f'{_ATOM}summary') or '')}")
        arxiv = re.sub(r"v\d+$", "", entry_id.rsplit("/abs/", 1)[-1])
        if arxiv_problem(arxiv) is not None:
            raise SourceError(f"{source}: entry id {entry_id!r} is not an arXiv abstract URL")
        abstract = clean_text(entry.findtext(f"{_ATOM}summary") or "")
        authors = tuple(re.sub(r"\s+", " ", a.findtext(f"{_ATOM}name") or "").strip() for a in entry.iter(f"{_ATOM}author"))
        if not title or not abstract:
            raise SourceError(f"{source}: arXiv entry {arxiv} has no title or no abstract")
        comment = clean_text(entry.findtext(f"{_ARXIV}comment") or "")
        withdrawn = None
        if _WITHDRAWN.search(comment) or _WITHDRAWN.search(abstract[:300]):
            withdrawn = iso_date(entry.findtext(f"{_ATOM}updated"), f"{source} ({arxiv})", "updated")
        found.append(SourceEntry(
            title=title,
            abstract=abstract,
            published=iso_date(entry.findtext(f"{_ATOM}published"), f"{source} ({arxiv})", "published"),
            authors=tuple(a for a in authors if a),
            author_count=len(authors) or None,
            upvotes=None,
            arxiv=arxiv,
            links=links_in(abstract),
            source=source,
            withdrawn=withdrawn,
        ))
    return found
