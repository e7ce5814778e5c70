"""Oracles for a built site, independent of the code that builds it: an HTML parser for pages,
PyYAML for the paper files' front matter, feedparser for feeds, bibtexparser for BibTeX.

``check_list_invariants(papers_dir, site)`` returns every way a built site disagrees with the
papers it was built from, for any content: each paper has its page, is on each of its topic
pages and its year page (following the pager when a list is split), is in ``papers.json``,
``papers.bib`` and, if among the 50 latest additions and not withdrawn, the feed; every feed parses; every
``.bib`` parses with no duplicate keys. ``test_live_list.py`` runs it on the live list, the
proof test on a list grown by every workflow.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import bibtexparser
import feedparser
import yaml

FEED_SIZE = 50


class Page(HTMLParser):
    """The parts of a built page the tests look at."""

    def __init__(self, html: str):
        super().__init__()
        self.links: list[tuple[str, str]] = []  # (href, class)
        self.rels: dict[str, str] = {}  # rel="prev"/"next" -> href
        self.srcs: list[str] = []
        self.entries: list[str] = []  # hrefs of .rl-entry__title links, in order
        self.upvotes: list[int] = []  # data-upvotes of list entries, in order
        self.nav_links: list[str] = []
        self.h1: list[str] = []
        self._in_nav = 0
        self._in_h1 = False
        self.title = ""
        self._in_title = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "nav" and "md-nav" in classes:
            self._in_nav += 1
        elif tag == "nav" and self._in_nav:
            self._in_nav += 1
        if tag == "a" and a.get("href") is not None:
            self.links.append((a["href"], a.get("class") or ""))
            if "rl-entry__title" in classes:
                self.entries.append(a["href"])
            if a.get("rel") in ("prev", "next"):
                self.rels[a["rel"]] = a["href"]
            if self._in_nav:
                self.nav_links.append(a["href"])
        if tag == "li" and "rl-entry" in classes and a.get("data-upvotes") is not None:
            self.upvotes.append(int(a["data-upvotes"]))
        if tag in ("img", "script") and a.get("src"):
            self.srcs.append(a["src"])
        if tag == "link" and a.get("href"):
            self.srcs.append(a["href"])
        if tag == "h1":
            self._in_h1 = True
            self.h1.append("")
        if tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "nav" and self._in_nav:
            self._in_nav -= 1
        if tag == "h1":
            self._in_h1 = False
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_h1:
            self.h1[-1] += data
        if self._in_title:
            self.title += data


def page(site: Path, url: str) -> Page:
    return Page((site / url / "index.html").read_text(encoding="utf-8"))


def resolve(url: str, href: str) -> str:
    """Site path a link on page ``url`` points at, e.g. 'papers/2024/x/'."""
    return urljoin(f"http://site/{url}", href).removeprefix("http://site/")


def list_pages(site: Path, url: str) -> list[tuple[str, Page]]:
    """A list's pages in order, following rel="next" from its first page."""
    pages, seen = [], set()
    while url not in seen:
        seen.add(url)
        p = page(site, url)
        pages.append((url, p))
        if "next" not in p.rels:
            break
        url = resolve(url, p.rels["next"])
    return pages


def listed(site: Path, url: str) -> list[str]:
    """Every paper URL a (possibly split) list shows, in order."""
    return [resolve(u, h) for u, p in list_pages(site, url) for h in p.entries]


@dataclass(frozen=True)
class Entry:
    """A paper as its file's front matter says, read with PyYAML alone."""

    url: str
    title: str
    published: dt.date
    added: dt.date
    topics: tuple[str, ...]
    arxiv: str | None
    withdrawn: bool = False


def front_matter(papers_dir: Path) -> list[Entry]:
    entries = []
    for path in sorted(papers_dir.rglob("*.md")):
        if path.name.startswith("."):
            continue
        text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
        data = yaml.safe_load(text.split("\n---\n", 1)[0].removeprefix("---\n"))
        arxiv = data.get("arxiv")
        entries.append(Entry(url="papers/" + path.relative_to(papers_dir).as_posix().removesuffix(".md") + "/",
                             title=str(data["title"]), published=data["published"], added=data["added"],
                             topics=tuple(data["topics"]), arxiv=None if arxiv is None else str(arxiv),
                             withdrawn=data.get("withdrawn") is not None))
    return entries


def bib_problems(path: Path) -> tuple[list[str], list]:
    """Problems of one .bib file (failed or duplicate blocks) and its entries."""
    library = bibtexparser.parse_string(path.read_text(encoding="utf-8"))
    problems = [f"{type(b).__name__} at line {b.start_line}: {b.raw[:80]!r}" for b in library.failed_blocks]
    return problems, library.entries


def check_list_invariants(papers_dir: Path, site: Path) -> list[str]:
    """Every disagreement between the papers' files and the site built from them."""
    problems: list[str] = []
    papers = front_matter(papers_dir)
    data = json.loads((site / "papers.json").read_text(encoding="utf-8"))
    site_url = data["papers"][0]["url"].split("papers/")[0] if data["papers"] else ""
    json_ids = [p["id"] for p in data["papers"]]
    if sorted(json_ids) != sorted(p.url.removeprefix("papers/").rstrip("/") for p in papers):
        problems.append(f"papers.json ids differ from the files: {sorted(set(json_ids) ^ {p.url[7:-1] for p in papers})}")
    if len(set(json_ids)) != len(json_ids):
        problems.append("papers.json lists a paper twice")

    by_topic: dict[str, set[str]] = {}
    by_year: dict[int, set[str]] = {}
    for p in papers:
        if not (site / p.url / "index.html").is_file():
            problems.append(f"{p.url}: no page")
        for topic in p.topics:
            by_topic.setdefault(topic, set()).add(p.url)
        by_year.setdefault(p.published.year, set()).add(p.url)
    for topic, urls in by_topic.items():
        shown = listed(site, f"topics/{topic}/")
        if missing := urls - set(shown):
            problems.append(f"topics/{topic}/: missing {sorted(missing)}")
        if extra := set(shown) - urls:
            problems.append(f"topics/{topic}/: lists papers not in the topic {sorted(extra)}")
        if len(shown) != len(set(shown)):
            problems.append(f"topics/{topic}/: lists a paper twice")
    for year, urls in by_year.items():
        shown = listed(site, f"dates/{year}/")
        if set(shown) != urls or len(shown) != len(urls):
            problems.append(f"dates/{year}/: lists {len(shown)} papers, the files say {len(urls)}: "
                            f"{sorted(set(shown) ^ urls)}")

    # The feed: the 50 latest additions, by `added` then `published`; withdrawn papers never.
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    if feed.bozo:
        problems.append(f"feed.xml does not parse: {feed.bozo_exception}")
    listed_papers = [p for p in papers if not p.withdrawn]
    ranked = sorted(listed_papers, key=lambda p: (p.added, p.published), reverse=True)
    links = {e.link for e in feed.entries}
    if len(feed.entries) != min(FEED_SIZE, len(listed_papers)):
        problems.append(f"feed.xml has {len(feed.entries)} entries, expected {min(FEED_SIZE, len(listed_papers))}")
    problems += [f"feed.xml: has {p.url}, which is withdrawn" for p in papers if p.withdrawn and site_url + p.url in links]
    if ranked:
        cut = (ranked[min(FEED_SIZE, len(ranked)) - 1].added, ranked[min(FEED_SIZE, len(ranked)) - 1].published)
        for p in ranked:
            key, url = (p.added, p.published), site_url + p.url
            if key > cut and url not in links:
                problems.append(f"feed.xml: missing {p.url}, one of the latest additions")
            if key < cut and url in links:
                problems.append(f"feed.xml: has {p.url}, not one of the latest additions")
    for path in sorted(site.rglob("feed.xml")):
        parsed = feedparser.parse(path.read_bytes())
        if parsed.bozo:
            problems.append(f"{path.relative_to(site)} does not parse: {parsed.bozo_exception}")

    # BibTeX: every file parses, no duplicate keys, every paper in papers.bib.
    for path in sorted(site.rglob("*.bib")):
        found, entries = bib_problems(path)
        problems += [f"{path.relative_to(site)}: {f}" for f in found]
        keys = [e.key for e in entries]
        if len(keys) != len(set(keys)):
            problems.append(f"{path.relative_to(site)}: duplicate keys")
        if path == site / "papers.bib":
            # papers.json (checked against the files above) names each paper's key.
            keys_of = {p["id"]: p["bibtex_key"] for p in data["papers"]}
            for p in papers:
                if keys_of.get(p.url.removeprefix("papers/").rstrip("/")) not in set(keys):
                    problems.append(f"papers.bib: no entry for {p.url}")
            if len(entries) != len(papers):
                problems.append(f"papers.bib has {len(entries)} entries for {len(papers)} papers")
    return problems
