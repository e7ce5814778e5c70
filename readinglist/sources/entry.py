"""What every source produces: ``SourceEntry``, one paper as an outside source describes it,
the links of an abstract, and what the API readers share (``SourceError``, text and dates).
Pure: no I/O."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from ..model import parse_date, url_problem

_URL = re.compile(r"https?://[^\s<>()\[\]{}\"'`]+")


class SourceError(ValueError):
    """Data from a source is not what we expect; ``str()`` says what and where."""


def clean_text(text: str) -> str:
    """Collapse the hard line breaks APIs keep inside paragraphs; keep paragraph breaks."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(re.sub(r"\s+", " ", p).strip() for p in paragraphs if p.strip())


def iso_date(value: Any, where: str, key: str = "publishedAt") -> dt.date:
    """The date at the start of an API's ISO timestamp; ``SourceError`` naming ``where`` and ``key`` if none."""
    day = parse_date(str(value or "")[:10])
    if day is None:
        raise SourceError(f"{where}: {key} {value!r} is not an ISO date")
    return day


@dataclass(frozen=True)
class SourceEntry:
    """One paper as an outside source describes it, before it becomes a ``Paper``."""

    title: str
    abstract: str
    published: dt.date
    author_count: int | None = None
    authors: tuple[str, ...] = ()
    upvotes: int | None = 0
    """None when the source does not know (the arXiv API): an import then keeps the file's."""
    arxiv: str | None = None
    links: tuple[tuple[str, str], ...] = ()
    source: str = ""
    """Where the entry comes from (a file name or a URL), for messages."""
    line: int = 0
    """Its line in ``source``, when the source has lines."""
    withdrawn: dt.date | None = None
    """When the source says the paper was withdrawn (Hugging Face's ``withdrawnAt``, an arXiv
    withdrawal notice), or None."""
    date_line: int = 0
    """The line of its date (and upvotes) in ``source``, when that is another line."""


def link_kind(url: str) -> str:
    """What a URL found in an abstract points at: ``code``, ``data`` or ``project``."""
    host = re.sub(r"^https?://(www\.)?", "", url).split("/", 1)[0].lower()
    path = url.split(host, 1)[-1].lower()
    if host in {"github.com", "gitlab.com", "bitbucket.org", "codeberg.org"}:
        return "code"
    if host in {"huggingface.co", "hf.co"} and path.startswith("/datasets/"):
        return "data"
    if host in {"zenodo.org", "kaggle.com"}:
        return "data"
    return "project"


def links_in(text: str) -> tuple[tuple[str, str], ...]:
    """The URLs of an abstract as ``(kind, url)`` links: first of a kind is ``code``, the next
    ``code-2`` ... in order of appearance, each URL once."""
    urls = [raw.rstrip(".,;:!?") for raw in _URL.findall(text)]
    # A URL the validator would refuse (a port out of range, ...) stays in the abstract as
    # text; as a link it would get the whole entry rejected.
    return merge_links((), [(link_kind(url), url) for url in urls if url_problem(url) is None])


def merge_links(links, extra) -> tuple[tuple[str, str], ...]:
    """``links`` followed by each ``(kind, url)`` of ``extra`` whose URL is not there yet; a
    kind already taken becomes ``kind-2``, ``kind-3`` ... Existing links are never changed."""
    result = list(links)
    for kind, url in extra:
        if any(u == url for _, u in result):
            continue
        taken = {k for k, _ in result}
        name, n = kind, 2
        while name in taken:
            name, n = f"{kind}-{n}", n + 1
        result.append((name, url))
    return tuple(result)
