"""Lists of papers split into pages: topic pages and year pages use it.

A list of up to ``PAGE_SIZE`` papers is one page, sortable in the browser. A longer one is
split: ``<base>``, ``<base>page/2/`` ... newest first, and ``<base>upvotes/``,
``<base>upvotes/page/2/`` ... by upvotes, with links between the two orders. That keeps every
page small (the largest page stays far under 150 KB at 10,000 papers) and the cost of a build
linear in the number of papers.
"""

from __future__ import annotations

from functools import partial

from markupsafe import Markup

from ..incremental import paper_ids
from ..model import Paper
from ..orderings import by_upvotes
from ..render import MONTHS, render
from .build import Build, GeneratedPage, index_meta

PAGE_SIZE = 100
#: The pager's previous / next labels in each order.
PAGER_LABELS = {"Date": ("← Newer", "Older →"), "Upvotes": ("← More upvoted", "Fewer upvotes →")}


def listing(build: Build, base: str, papers: list[Paper], *, heading: str, title: str, lead: str = "",
            links: tuple = (), by_month: bool = False, meta: dict | None = None,
            upvoted: list[Paper] | None = None) -> list[GeneratedPage]:
    """The pages of one list. ``papers`` are newest first; ``base`` is the first page's URL;
    ``upvoted``: the same papers in ``by_upvotes`` order, if known."""
    orders = [("Date", base, papers)]
    if len(papers) > PAGE_SIZE:
        orders.append(("Upvotes", f"{base}upvotes/", by_upvotes(papers) if upvoted is None else upvoted))
    pages = []
    dates = [p.published for p in papers]
    summary = (len(papers), min(dates, default=None), max(dates, default=None), build.latest_added)
    for order, order_base, ordered in orders:
        chunks = [ordered[i:i + PAGE_SIZE] for i in range(0, len(ordered), PAGE_SIZE)] or [[]]
        urls = [order_base if n == 1 else f"{order_base}page/{n}/" for n in range(1, len(chunks) + 1)]
        for n, (url, chunk) in enumerate(zip(urls, chunks, strict=True), 1):
            body = partial(_body, build, url, chunk, papers, heading=heading, lead=lead, links=links,
                           grouped=by_month and order == "Date", current=n, pages=urls, pager_labels=PAGER_LABELS[order],
                           orders=[(label, b, b == order_base) for label, b, _ in orders] if len(orders) > 1 else [])
            suffix = (", by upvotes" if order == "Upvotes" else "") + (f", page {n}" if n > 1 else "")
            # Everything _body uses: the chunk's papers, the list's size and dates, the arguments.
            key = (paper_ids(chunk), summary, body.keywords)
            pages.append(GeneratedPage(url.rstrip("/") + ".md", meta=index_meta(title + suffix, **(meta or {})), body=body, key=key))
    return pages


def _body(build: Build, url: str, chunk: list[Paper], everything: list[Paper], *, grouped: bool, **context) -> str:
    groups: list[tuple[str | None, str | None, list[Markup]]]
    if grouped:
        months: dict[int, list[Paper]] = {}
        for paper in chunk:
            months.setdefault(paper.published.month, []).append(paper)
        groups = [(f"{MONTHS[m - 1]} {ps[0].published.year}", MONTHS[m - 1].lower(), [build.entry(p, url) for p in ps])
                  for m, ps in months.items()]
        month_links = [(MONTHS[m - 1], MONTHS[m - 1].lower()) for m in months]
    else:
        groups = [(None, None, [build.entry(p, url) for p in chunk])]
        month_links = []
    dates = [p.published for p in everything]
    return render("listing.html", url, groups=groups, months=month_links, total=len(everything),
                  first=min(dates, default=None), last=max(dates, default=None), latest_added=build.latest_added, **context)
