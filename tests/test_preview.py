"""The live preview (issue 12): ``mkdocs serve --dirty`` rebuilds only what changed, never
serves stale pages, and shows an error page at every URL while a file is broken.

The oracle for "never stale" is a clean preview build of the same files by a fresh hook module
in another folder: after every kind of change, the incrementally rebuilt site must hold exactly
the same files with exactly the same bytes."""

from __future__ import annotations

import gzip
import logging
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_serve import free_port

from conftest import copy_project, run
from readinglist.preview import Problems, error_overlay, is_page_request

SERVE_URL = "http://127.0.0.1:8000/"
#: The test's clock: builds stamp this time (footer, status.json, sitemap), whenever they run.
EPOCH = "1764300000"
NEW_PAPER = ("---\ntitle: Freshly Added Paper About Routing Experts\npublished: 2024-05-01\nauthor_count: 1\n"
             "topics: [surveys]\nadded: 2026-11-28\n---\n\nAn abstract about routing experts and sparse attention.\n")


class Sites:
    """One project built two ways: incrementally, as ``mkdocs serve --dirty`` does (one hook
    module kept across rebuilds, one site folder never emptied), and from scratch in a copy
    with a fresh hook module (the oracle)."""

    def __init__(self, tmp_path: Path):
        self.tmp = tmp_path
        self.project = copy_project(tmp_path / "preview")
        self.site = tmp_path / "site-incremental"
        self.clean_site = tmp_path / "site-clean"
        self.started = False
        self.oracles = 0

    @staticmethod
    def _build(project: Path, site: Path, *, dirty: bool, start: bool) -> None:
        from mkdocs.commands.build import build
        from mkdocs.config import load_config

        config = load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(site))
        config.site_url = SERVE_URL
        if start:
            config.plugins.on_startup(command="serve", dirty=dirty)
        build(config, serve_url=SERVE_URL, dirty=dirty)

    def rebuild(self) -> None:
        """One serve rebuild (the first one starts the 'server'). MkDocs loads the hook module
        once per path and process, as ``mkdocs serve`` does."""
        self._build(self.project, self.site, dirty=True, start=not self.started)
        self.started = True

    def assert_same(self) -> None:
        """The incremental site is the clean one: same files, same bytes."""
        self.oracles += 1
        oracle = self.tmp / f"oracle-{self.oracles}"  # a new path: a new hook module, with no memory
        shutil.copytree(self.project, oracle, symlinks=True)
        if self.clean_site.exists():
            shutil.rmtree(self.clean_site)
        self._build(oracle, self.clean_site, dirty=False, start=True)
        ours, theirs = files_of(self.site), files_of(self.clean_site)
        assert sorted(ours) == sorted(theirs), set(ours) ^ set(theirs)
        stale = [name for name in theirs if ours[name] != theirs[name]]
        assert not stale, f"stale after an incremental rebuild: {stale[:10]}"

    def page(self, url: str) -> str:
        return (self.site / url / "index.html").read_text(encoding="utf-8")

    def paper(self, name: str) -> Path:
        return next((self.project / "papers").rglob(name))


def files_of(site: Path) -> dict[str, bytes]:
    found = {}
    for path in site.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data) + b"\ngzip mtime %d" % int.from_bytes(data[4:8], "little")
            found[path.relative_to(site).as_posix()] = data
    return found


def written_since(site: Path, mark: int) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() and p.stat().st_mtime_ns > mark}


@pytest.fixture
def sites(tmp_path: Path, monkeypatch) -> Sites:
    monkeypatch.setenv("READINGLIST_SEARCH", "off")  # the bundle has its own test below
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    sites = Sites(tmp_path)
    sites.rebuild()
    return sites


def test_every_kind_of_change_leaves_no_stale_page(sites: Sites):
    project = sites.project
    sites.assert_same()

    # An edited title: its page, the lists it is on, the related lists that show it.
    path = sites.paper("stabilizing-transformers-for-reinforcement-learning.md")
    path.write_text(path.read_text().replace("title: Stabilizing Transformers", "title: Revisited Stabilizing Transformers"))
    mark = time.time_ns()
    sites.rebuild()
    assert "Revisited Stabilizing" in sites.page("papers/2019/stabilizing-transformers-for-reinforcement-learning")
    rewritten = written_since(sites.site, mark)
    pages = list(sites.site.rglob("*.html"))
    assert len([p for p in rewritten if p.endswith(".html")]) < len(pages) / 2, "an edit rewrote most of the site"
    sites.assert_same()

    # Only the upvotes: the home page's "most upvoted" and the sort order by upvotes.
    path.write_text(re.sub(r"(?m)^upvotes: .*$", "upvotes: 999", path.read_text()))
    sites.rebuild()
    sites.assert_same()

    # A new paper, then a deleted one.
    new = project / "papers/2024/freshly-added-paper-about-routing-experts.md"
    new.write_text(NEW_PAPER)
    sites.rebuild()
    assert "Freshly Added Paper" in sites.page("papers/2024/freshly-added-paper-about-routing-experts")
    sites.assert_same()
    gone = sorted((project / "papers").rglob("*.md"))[3]
    gone.unlink()
    sites.rebuild()
    assert not (sites.site / "papers" / gone.parent.name / gone.stem / "index.html").exists()
    sites.assert_same()

    # A renamed file (the page moves, lists link to the new URL).
    old = sorted((project / "papers").rglob("*.md"))[5]
    old.rename(old.with_name(old.stem + "-2.md"))
    sites.rebuild()
    sites.assert_same()

    # topics.yml: a topic's name shows on every page carrying it.
    taxonomy = project / "topics.yml"
    text = taxonomy.read_text()
    name = re.search(r"(?m)^\s+name: (.+)$", text).group(1)
    taxonomy.write_text(text.replace(f"name: {name}\n", f"name: {name} renamed\n", 1))
    sites.rebuild()
    assert f"{name} renamed" in sites.page("topics")
    sites.assert_same()

    # The theme's template (the page code's templates are fingerprinted alike).
    template = project / "overrides/main.html"
    text = template.read_text()
    cut = text.rindex("{% endblock %}")
    template.write_text(text[:cut] + "<!-- template edited -->\n" + text[cut:])
    sites.rebuild()
    assert "template edited" in sites.page("papers/2019/stabilizing-transformers-for-reinforcement-learning")
    sites.assert_same()


def test_unchanged_rebuild_writes_no_page_and_the_sitemap_lists_every_page(sites: Sites):
    mark = time.time_ns()
    sites.rebuild()
    # The home page and status.json carry the build's facts; nothing else is rewritten.
    rewritten = {p for p in written_since(sites.site, mark) if p.endswith(".html")}
    assert rewritten <= {"404.html", "index.html"}, rewritten
    sitemap = (sites.site / "sitemap.xml").read_text()
    urls = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    pages = {SERVE_URL + p.parent.relative_to(sites.site).as_posix() + "/" for p in sites.site.rglob("index.html")}
    assert {u.replace(SERVE_URL + "./", SERVE_URL) for u in urls} == {u.replace("/./", "/") for u in pages}
    sites.assert_same()


def test_no_page_of_the_preview_shows_stale_facts(sites: Sites):
    project = sites.project
    (project / "papers/2024/freshly-added-paper-about-routing-experts.md").write_text(NEW_PAPER)
    sites.rebuild()
    count = len(list((project / "papers").rglob("*.md")))
    assert "rl-freshness" not in sites.page("papers/2024/freshly-added-paper-about-routing-experts")  # no footer facts
    home = text_of(sites.page(""))
    assert f"{count} papers" in home
    assert f'"papers": {count}' in (sites.site / "status.json").read_text()
    stale = [p for p in sites.site.rglob("*.html") if 'class="rl-freshness"' in p.read_text() and p.parent != sites.site]
    assert not stale


def test_broken_file_shows_the_problems_then_the_fixed_site(sites: Sites, caplog):
    project = sites.project
    path = sites.paper("stabilizing-transformers-for-reinforcement-learning.md")
    good = path.read_text()
    path.write_text(re.sub(r"(?m)^published: .*$", "published: 2024-13-45", good))
    with caplog.at_level(logging.ERROR, logger="mkdocs.plugins.reading_list"):
        sites.rebuild()  # no exception: the preview keeps serving
    expected = run("scripts/validate.py", "--papers-dir", project / "papers", cwd=project).stdout.splitlines()[0]
    assert expected.startswith("papers/2019/stabilizing-transformers-for-reinforcement-learning.md:")
    assert expected in caplog.messages  # the terminal shows the validator's text
    assert expected in text_of(sites.page("readinglist-problems"))
    assert expected in text_of(sites.page(""))  # the navigation's pages say the same

    path.write_text(good)
    sites.rebuild()
    assert not (sites.site / "readinglist-problems").exists()
    sites.assert_same()


def test_one_off_build_still_stops_on_a_broken_file(tmp_path: Path, caplog, monkeypatch):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    monkeypatch.setenv("READINGLIST_SEARCH", "off")
    project = copy_project(tmp_path / "p")
    path = next((project / "papers").rglob("*.md"))
    path.write_text(path.read_text().replace("title:", "titel:", 1))
    with pytest.raises(Abort):
        build(load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(tmp_path / "site")))
    assert f"papers/{path.parent.name}/{path.name}:2: titel: unknown key" in caplog.text
    assert not (tmp_path / "site" / "readinglist-problems").exists()


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def text_of(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts)


# --------------------------------------------------------------------------------------------
# The error overlay, as WSGI


@pytest.mark.parametrize(("path", "page"), [
    ("/", True), ("/papers/2024/x/", True), ("/papers/2024/x", True), ("/404.html", True),
    ("/feed.xml", False), ("/assets/extra.css", False), ("/livereload/123/456", False), ("/papers.json", False),
    ("/pagefind/pagefind.js", False),
])
def test_page_requests(path, page):
    assert is_page_request(path, "/") is page


def test_overlay_answers_the_error_page_after_the_server_answered():
    calls = []

    def app(environ, start_response):
        calls.append(environ["PATH_INFO"])
        if environ["PATH_INFO"] == "/old":
            start_response("302 Found", [("Location", "/old/")])
            return []
        start_response("200 OK", [("Content-Type", "text/html")])
        return [f"<head></head>page {environ['PATH_INFO']}".encode()]

    problems = Problems()
    wrapped = error_overlay(app, "/", problems)
    statuses = []

    def start(status, headers, exc_info=None):
        statuses.append(status)

    assert wrapped({"PATH_INFO": "/papers/x/"}, start) == [b"<head></head>page /papers/x/"] and statuses[-1] == "200 OK"
    problems.set(["papers/2024/x.md:3: published: bad"])
    # The error page, its relative links resolved from its own URL at any depth:
    assert wrapped({"PATH_INFO": "/papers/x/"}, start) == [b'<head><base href="/readinglist-problems/"></head>page /readinglist-problems/']
    assert statuses[-1].startswith("500")
    assert calls[-2:] == ["/papers/x/", "/readinglist-problems/"]  # the server was asked first (it waits for a rebuild)
    assert wrapped({"PATH_INFO": "/feed.xml"}, start) == [b"<head></head>page /feed.xml"]
    assert wrapped({"PATH_INFO": "/old"}, start) == [] and statuses[-1] == "302 Found"
    problems.set([])
    assert wrapped({"PATH_INFO": "/papers/x/"}, start) == [b"<head></head>page /papers/x/"] and statuses[-1] == "200 OK"


# --------------------------------------------------------------------------------------------
# mkdocs serve itself


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")
    except OSError:
        return 0, ""


def poll(url: str, predicate, seconds: float = 120, every: float = 0.05) -> tuple[int, str]:
    """``url``'s first answer that ``predicate`` accepts, asked for ``every`` seconds."""
    deadline = time.monotonic() + seconds
    status = 0
    while time.monotonic() < deadline:
        status, body = fetch(url)
        if status and predicate(status, body):
            return status, body
        time.sleep(every)
    raise AssertionError(f"{url}: no such answer within {seconds} s (last: {status})")


def test_serve_shows_the_error_page_at_once_recovers_and_keeps_search(tmp_path: Path):
    project = copy_project(tmp_path / "p")
    papers = sorted((project / "papers").rglob("*.md"))
    broken, other = papers[0], papers[1]
    good = broken.read_text()
    broken.write_text(good.replace("\ntopics:", "\ntopics: [no-such-topic]\nx:"))  # broken from the start
    port = free_port()
    log = (project / "serve.log").open("w")
    server = subprocess.Popen([str(Path(sys.executable).parent / "mkdocs"), "serve", "--dirty", "--livereload", "-a", f"127.0.0.1:{port}"],
                              cwd=project, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    shown = f"papers/{broken.parent.name}/{broken.name}:"
    url = f"papers/{broken.parent.name}/{broken.stem}/"
    try:
        base = f"http://127.0.0.1:{port}/"
        _, body = poll(base + f"papers/{other.parent.name}/{other.stem}/", lambda s, b: s == 500)
        assert shown in text_of(body) and "livereload" in body  # reloads itself when fixed
        assert fetch(base + "no/such/page/")[0] == 500
        broken.write_text(good)
        _, body = poll(base + url, lambda s, b: s == 200)
        # Search: the bundle follows the rebuild (a thread moves it into place), never missing.
        poll(base + "pagefind/pagefind.js", lambda s, b: s == 200)
        broken.write_text(good.replace("published:", "published: not-a-date\nfoo:"))
        poll(base + url, lambda s, b: s == 500 and shown in text_of(b))
        assert fetch(base + "pagefind/pagefind.js")[0] == 200  # the last good bundle stays
        entry = fetch(base + "pagefind/pagefind-entry.json")
        broken.write_text(good.replace("title: ", "title: Renamed ", 1))
        poll(base + url, lambda s, b: s == 200 and "Renamed" in b)
        # While the new bundle is made and swapped in, the old one serves: every request is
        # answered until the entry names the new index (its hash follows the content).
        def swapped(status: int, body: str) -> bool:
            assert fetch(base + "pagefind/pagefind.js")[0] == 200
            return (status, body) != entry
        poll(base + "pagefind/pagefind-entry.json", swapped, every=0.02)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    output = (project / "serve.log").read_text()
    assert shown in output  # the terminal listed the problems too
    assert "Traceback" not in output and "search index" not in output



def test_native_watcher_hears_changes_not_reads(tmp_path: Path, caplog):
    """Every rebuild reads mkdocs.yml, topics.yml and the templates; if reading a watched file
    counted as a change, each rebuild would start the next one for ever."""
    import threading

    from mkdocs.livereload import LiveReloadServer

    from readinglist.preview import watch_natively

    watched = tmp_path / "watched"
    watched.mkdir()
    (watched / "topics.yml").write_text("topics: []\n")
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=free_port(), root=str(tmp_path / "site"))
    server.watch(str(watched))
    assert watch_natively(server)
    heard = threading.Event()

    class Heard(logging.Handler):
        def emit(self, record):
            if "edited.md" in record.getMessage():
                heard.set()

    handler = Heard()
    logging.getLogger("mkdocs.livereload").addHandler(handler)
    server.observer.start()
    try:
        with caplog.at_level(logging.DEBUG, logger="mkdocs.livereload"):
            assert (watched / "topics.yml").read_text() == "topics: []\n"  # what every rebuild does
            (watched / "edited.md").write_text("changed\n")  # a change, heard after the read (events come in order)
            assert heard.wait(30), "the watcher never reported the written file"
            with server._rebuild_cond:  # MkDocs logs the event, then sets the flag: wait for it
                assert server._rebuild_cond.wait_for(lambda: server._want_rebuild, timeout=30)
    finally:
        server.observer.stop()
        server.observer.join(timeout=10)
        server.server_close()
        logging.getLogger("mkdocs.livereload").removeHandler(handler)
    events = [r.getMessage() for r in caplog.records if r.name == "mkdocs.livereload"]
    assert any("edited.md" in e for e in events)
    assert not [e for e in events if "topics.yml" in e], events  # opened and closed after reading: no rebuild


# --------------------------------------------------------------------------------------------
# Pieces kept between rebuilds give the same bytes as computing the whole at once


@pytest.mark.parametrize("count", [0, 1, 7])
def test_exports_from_kept_pieces_are_the_whole_dump(tmp_path: Path, count: int):
    import json
    from dataclasses import replace

    from readinglist.bibtex import bibliography
    from readinglist.catalog import load_catalog
    from readinglist.incremental import Memory
    from readinglist.pages import exports
    from readinglist.pages.build import Build, Site
    from readinglist.taxonomy import load_taxonomy

    project = copy_project(tmp_path / "p")
    taxonomy = load_taxonomy(project / "topics.yml")
    catalog = load_catalog(project / "papers", taxonomy)
    catalog.papers[:] = [replace(p, title=p.title + ' <b>"&"</b> ünï', note="a </script> note") for p in catalog.papers[:count]]
    memory = Memory()
    for _ in range(2):  # the second time from the kept pieces
        build = Build(catalog, taxonomy, Site("Site", "About", "https://example.org/x/"), memory=memory)
        whole = json.dumps({"version": exports.VERSION, "papers": [exports.paper_record(p, build) for p in catalog.papers]},
                           ensure_ascii=True, indent=1)
        whole = whole.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"
        assert exports.papers_json(build) == whole
        assert json.loads(exports.papers_json(build)) == json.loads(whole)
        urls = {p.path: build.site.absolute(p.url) for p in catalog.papers}
        assert exports.bib(build, catalog.papers) == bibliography(catalog.papers, build.citation_keys, urls)
    assert sum(len(values) for _, values in memory.derived.values()) >= 2 * count


def test_garbage_is_collected_after_a_rebuild_not_during_it():
    from readinglist.preview import IdleCollector

    events: list[str] = []

    class Timer:
        def __init__(self, delay, action):
            self.delay, self.action, self.daemon = delay, action, False
            events.append(f"timer {delay}")

        def start(self):
            assert self.daemon  # never keeps the server from exiting
            events.append("start")

        def cancel(self):
            events.append("cancel")

    collector = IdleCollector(3.0, collect=lambda: events.append("collect"), enable=lambda: events.append("on"),
                              disable=lambda: events.append("off"), timer=Timer)
    collector.resume()  # no rebuild paused it: nothing to do
    assert events == []
    collector.pause()
    collector.resume()
    assert events == ["off", "on", "timer 3.0", "start"]
    collector.pause()  # the next rebuild starts before the collection: postponed
    assert events[-2:] == ["cancel", "off"]
    collector.resume()
    collector._timer.action()  # the timer fires
    assert events[-4:] == ["on", "timer 3.0", "start", "collect"]
