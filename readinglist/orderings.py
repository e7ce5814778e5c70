"""Every order papers are shown or written in, in one place.

- ``newest_first``: by ``published``, newest first, then title and path: the catalog's order,
  hence every list page's, the year pages' and the exports'.
- ``by_upvotes``: most upvoted first, ties in the catalog's order (the upvote-sorted pages and
  the home page's "most upvoted").
- ``latest``: by ``added``, then ``published``, newest first (the home page's latest additions
  and the feeds).
- ``in_order_added``: oldest ``added`` first (citation-key suffixes: a paper's key never changes
  when a later one joins).
- ``by_year``: years newest first, each with its papers in the catalog's order.

Every order ends with the paper's path, unique in the list, so no order depends on the order
the files were read in.
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import Paper


def newest_first(paper: Paper) -> tuple:
    """Sort key: newest ``published`` first, then by title, then path."""
    return (-paper.published.toordinal(), paper.title.casefold(), paper.path)


def most_upvoted_first(paper: Paper) -> int:
    """Sort key of ``by_upvotes`` before its ties: most upvotes first (none counts as 0)."""
    return -(paper.upvotes or 0)


def by_upvotes(papers: Iterable[Paper]) -> list[Paper]:
    """Most upvoted first (no upvotes counts as 0); ties newest first."""
    return sorted(papers, key=lambda p: (most_upvoted_first(p), newest_first(p)))


def latest(papers: Iterable[Paper], count: int | None = None) -> list[Paper]:
    """The latest additions, newest ``added`` first, then newest ``published``; the first
    ``count`` of them (all with ``None``)."""
    ordered = sorted(papers, key=latest_key)
    return ordered if count is None else ordered[:count]


def latest_key(paper: Paper) -> tuple:
    """Sort key of ``latest``."""
    return (-paper.added.toordinal(), -paper.published.toordinal(), paper.title.casefold(), paper.path)


def in_order_added(papers: Iterable[Paper]) -> list[Paper]:
    """Oldest ``added`` first, then ``published``, then path."""
    return sorted(papers, key=lambda p: (p.added, p.published, p.path))


def by_year(papers: Iterable[Paper]) -> dict[int, list[Paper]]:
    """Years (of ``published``), newest first, each with its papers in the order given."""
    years: dict[int, list[Paper]] = {}
    for paper in papers:
        years.setdefault(paper.published.year, []).append(paper)
    return dict(sorted(years.items(), reverse=True))
