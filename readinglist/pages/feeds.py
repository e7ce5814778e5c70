"""Atom feeds: ``feed.xml`` with the latest additions to the whole list, and
``topics/<id>/feed.xml`` per topic. Built with ElementTree, which escapes for XML; characters
XML 1.0 cannot carry at all are dropped."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from functools import cache, partial

from ..model import Paper
from ..orderings import latest
from ..render import authors_text, plain
from ..taxonomy import Topic
from .build import Build, GeneratedPage, latest_fields

ATOM = "http://www.w3.org/2005/Atom"
COUNT = 50
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    element.text = _NOT_XML.sub("", text)
    return element


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def updated_times(papers: list[Paper]) -> dict[str, dt.datetime]:
    """Each paper's Atom ``updated`` (UTC), by path: the later of its ``added`` day and the last
    change the list knows of (the model dates nothing else yet, so ``added``). Entries sharing
    one instant look like one update to feed readers (the validator warns DuplicateUpdated), so
    the papers added on the same day are spread one second apart from that midnight, in feed
    order: the first in the feed is the latest. The same paper gets the same time in every feed."""
    return _updated_times(latest(papers))


def _updated_times(ordered: list[Paper]) -> dict[str, dt.datetime]:
    """``updated_times`` of papers already in ``latest`` order."""
    times: dict[str, dt.datetime] = {}
    per_day: dict[dt.date, list[Paper]] = {}
    for paper in ordered:
        per_day.setdefault(paper.added, []).append(paper)
    for day, group in per_day.items():
        midnight = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
        for rank, paper in enumerate(group):
            times[paper.path] = midnight + dt.timedelta(seconds=min(len(group) - 1 - rank, 86_399))
    return times


def _instant(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def atom(build: Build, *, title: str, subtitle: str, self_path: str, page_path: str, papers: list[Paper],
         updated: dict[str, dt.datetime] | None = None) -> str:
    """An Atom feed of ``papers`` (already in feed order); ``updated`` as ``updated_times`` gives."""
    site = build.site
    updated = updated if updated is not None else updated_times(build.papers)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", site.absolute(self_path))
    _text(feed, "title", title)
    _text(feed, "subtitle", subtitle)
    newest = max((updated[p.path] for p in papers), default=max(updated.values(), default=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
    _text(feed, "updated", _instant(newest))
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "type": "application/atom+xml", "href": site.absolute(self_path)})
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html", "href": site.absolute(page_path)})
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", site.name)
    _text(author, "uri", site.absolute(""))
    _text(feed, "generator", "LM Reading List (MkDocs hooks)")
    for paper in papers:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        url = site.absolute(paper.url)
        _text(entry, "id", url)
        _text(entry, "title", plain(paper.title), type="text")
        ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html", "href": url})
        _text(entry, "published", _stamp(paper.published))
        _text(entry, "updated", _instant(updated[paper.path]))
        for name in paper.authors or [authors_text(paper) or "Unknown authors"]:
            _text(ET.SubElement(entry, f"{{{ATOM}}}author"), "name", name)
        for topic_id in paper.topics:
            topic: Topic = build.topics[topic_id]
            ET.SubElement(entry, f"{{{ATOM}}}category",
                          {"term": topic.id, "label": topic.name, "scheme": site.absolute("topics/")})
        _text(entry, "summary", plain(paper.abstract), type="text")  # formulas as text, like the title
    ET.indent(feed, space=" ")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def files(build: Build) -> dict[str, Callable[[], str]]:
    """The site feed and one feed per topic, by name, each with what makes its text.
    Withdrawn papers are left out: a feed announces papers to read. The papers of every feed
    come from one pass over the list in ``latest`` order; in the preview each feed's text is
    kept under what it shows (its papers, their times, its texts)."""
    @cache
    def inputs() -> tuple[dict[str | None, list[Paper]], dict[str, dt.datetime]]:  # shared by every feed, made when the first is
        ordered = build.latest_order
        updated = build.kept_while("feed-times", latest_fields, partial(_updated_times, ordered))  # made from the order alone
        shown: dict[str | None, list[Paper]] = {None: [], **{t.id: [] for t in build.taxonomy.topics}}
        full = 0
        for paper in ordered:  # ``latest`` is a total order: filtering it orders each feed
            if paper.withdrawn:
                continue
            for name in (None, *paper.topics):
                if len(papers := shown[name]) < COUNT:
                    papers.append(paper)
                    full += len(papers) == COUNT
            if full == len(shown):
                break
        return shown, updated

    def feed(name: str | None, **texts: str) -> str:
        shown, updated = inputs()
        papers = shown[name]
        # A feed of no papers is dated by the newest paper of all (``atom``): the first in order.
        times = {p.path: updated[p.path] for p in papers[:COUNT] + build.latest_order[:1]}
        key = (tuple(papers), tuple(times.items()), tuple(texts.items()))
        return build.kept(f"feed:{texts['self_path']}", key, partial(atom, build, papers=papers, updated=times, **texts))

    made: dict[str, Callable[[], str]] = {"feed.xml": partial(
        feed, None, title=build.site.name, subtitle=f"The latest papers added to {build.site.name}.",
        self_path="feed.xml", page_path="")}
    for topic in build.taxonomy.topics:
        made[f"{topic.url}feed.xml"] = partial(feed, topic.id, title=f"{build.site.name}: {topic.name}",
                                               subtitle=topic.description, self_path=f"{topic.url}feed.xml", page_path=topic.url)
    return made


def generate(build: Build) -> list[GeneratedPage]:
    return build.plain_files(files(build))
