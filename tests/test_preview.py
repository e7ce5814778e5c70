"""The live preview (issue 12): ``mkdocs serve --dirty`` rebuilds only what changed, never
serves stale pages, and shows an error page at every URL while a file is broken.

The oracle for "never stale" is a clean build of the same files by a fresh hook in another
folder: after every kind of change, the incrementally rebuilt site must hold exactly the same
files with exactly the same bytes."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_serve import free_port

from conftest import copy_project, run
from readinglist.catalog import make_slug
from readinglist.model import Paper, dump_paper
from readinglist.preview import error_overlay, is_page_request
from readinglist.taxonomy import load_taxonomy

SERVE_URL = "http://127.0.0.1:8000/"
WORDS = ("sparse attention retrieval heads long context memory tokens routing experts quantization "
         "pruning distillation benchmark hallucination alignment reward multilingual vision speech").split()


def make_papers(ids: tuple[str, ...], n: int = 9) -> list[Paper]:
    papers = []
    for i in range(n):
        words = [WORDS[(i * 3 + k) % len(WORDS)] for k in range(4)]
        title = f"{' '.join(words).capitalize()} study {i}"
        published = dt.date(2023 + i % 2, 1 + i % 12, 1 + i)  # added: another object, or YAML writes an alias
        abstract = " ".join(words * 3 + [WORDS[(i + k) % len(WORDS)] for k in range(12)]) + "."
        paper = Paper(title=title, published=published, added=published + dt.timedelta(days=1), topics=(ids[i % 3], ids[(i + 1) % 3])[: 1 + i % 2],
                      abstract=abstract.capitalize(), author_count=1 + i, upvotes=i * 7 % 11, arxiv=f"{published:%y%m}.{10000 + i}")
        papers.append(replace(paper, path=f"{published.year}/{make_slug(title)}.md"))
    return papers


def write(project: Path, paper: Paper) -> Path:
    path = project / "papers" / paper.path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_paper(paper), encoding="utf-8")
    return path


class Sites:
    """One project built two ways: incrementally, as ``mkdocs serve --dirty`` does (one hook
    module kept across rebuilds, one site folder never emptied), and from scratch in a copy
    with a fresh hook module (the oracle)."""

    def __init__(self, tmp_path: Path):
        from mkdocs.commands.build import build

        self._build = build
        self.project = copy_project(tmp_path / "preview", papers=False)
        self.oracle = tmp_path / "oracle"
        self.site = tmp_path / "site-incremental"
        self.clean_site = tmp_path / "site-clean"
        self.started = False

    def _config(self, project: Path, site: Path):
        from mkdocs.config import load_config

        config = load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(site))
        config.site_url = SERVE_URL
        return config

    def rebuild(self) -> None:
        """One serve rebuild (the first one starts the 'server')."""
        config = self._config(self.project, self.site)
        if not self.started:
            config.plugins.on_startup(command="serve", dirty=True)
            self.started = True
        self._build(config, serve_url=SERVE_URL, dirty=True)

    def clean(self) -> None:
        """A from-scratch build of the same files, in a new process (no memory of earlier
        builds, in the hook or in the plugins MkDocs keeps across rebuilds)."""
        if self.oracle.exists():
            shutil.rmtree(self.oracle)
        shutil.copytree(self.project, self.oracle, symlinks=True)
        run(Path(sys.executable).parent / "mkdocs", "build", "-q", "-d", self.clean_site, cwd=self.oracle,
            env={"SITE_URL": SERVE_URL}, check=True)

    def assert_same(self) -> None:
        """The incremental site is the clean one: same files, same bytes."""
        self.clean()
        ours, theirs = files_of(self.site), files_of(self.clean_site)
        assert sorted(ours) == sorted(theirs), (set(ours) ^ set(theirs))
        stale = [name for name in theirs if ours[name] != theirs[name]]
        assert not stale, f"stale after an incremental rebuild: {stale[:10]}"

    def page(self, url: str) -> str:
        return (self.site / url / "index.html").read_text(encoding="utf-8")


def files_of(site: Path) -> dict[str, bytes]:
    found = {}
    for path in site.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            if path.name == "search_index.json":  # entries in any order: the search does not care
                index = json.loads(data)
                index["docs"].sort(key=lambda entry: json.dumps(entry, sort_keys=True))
                data = json.dumps(index, sort_keys=True).encode()
            found[path.relative_to(site).as_posix()] = data
    return found


@pytest.fixture
def sites(tmp_path: Path) -> Sites:
    sites = Sites(tmp_path)
    ids = load_taxonomy(sites.project / "topics.yml").ids
    sites.papers = make_papers(ids)
    for paper in sites.papers:
        write(sites.project, paper)
    sites.rebuild()
    return sites


def written_since(site: Path, mark: float) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html") if p.stat().st_mtime_ns > mark}


def test_every_kind_of_change_leaves_no_stale_page(sites: Sites):
    project, papers = sites.project, sites.papers
    sites.assert_same()

    # An edited title: its page, the lists it is on, the related lists that show it.
    edited = replace(papers[4], title=papers[4].title + " revisited")
    write(project, edited)
    mark = time.time_ns()
    sites.rebuild()
    assert "revisited" in sites.page(edited.url)
    rewritten = written_since(sites.site, mark)
    assert len(rewritten) < len(list(sites.site.rglob("*.html"))) / 2, "an edit rewrote most of the site"
    sites.assert_same()

    # Only the upvotes: the home page's "most upvoted" and the sort order by upvotes.
    write(project, replace(edited, upvotes=999))
    sites.rebuild()
    sites.assert_same()

    # A new paper, then a deleted one.
    ids = load_taxonomy(project / "topics.yml").ids
    new = replace(make_papers(ids, 10)[9], title="Freshly added paper about routing experts")
    new = replace(new, path=f"{new.published.year}/{make_slug(new.title)}.md")
    write(project, new)
    sites.rebuild()
    assert "Freshly added paper" in sites.page(new.url)
    sites.assert_same()
    (project / "papers" / papers[2].path).unlink()
    sites.rebuild()
    assert not (sites.site / papers[2].url / "index.html").exists()
    sites.assert_same()

    # A renamed file (the page moves, lists link to the new URL).
    old = project / "papers" / papers[3].path
    old.rename(old.with_name(old.stem + "-2.md"))
    sites.rebuild()
    sites.assert_same()

    # topics.yml: a topic's name shows on every page carrying it.
    taxonomy = project / "topics.yml"
    first = load_taxonomy(taxonomy).topics[0]
    taxonomy.write_text(taxonomy.read_text().replace(f"name: {first.name}\n", f"name: {first.name} (renamed)\n", 1))
    sites.rebuild()
    assert f"{first.name} (renamed)" in sites.page(first.url)
    sites.assert_same()

    # The theme's template (the page code's templates are fingerprinted alike, but in this
    # process the hook renders with the copy the tests import).
    template = project / "overrides/main.html"
    text = template.read_text()
    cut = text.rindex("{% endblock %}")
    template.write_text(text[:cut] + "<!-- template edited -->\n" + text[cut:])
    sites.rebuild()
    assert "template edited" in sites.page(papers[0].url)
    sites.assert_same()


def test_unchanged_rebuild_writes_no_page(sites: Sites):
    mark = time.time_ns()
    sites.rebuild()
    assert written_since(sites.site, mark) <= {"404.html"}


def test_broken_file_shows_the_problems_then_the_fixed_site(sites: Sites, caplog):
    project, paper = sites.project, sites.papers[1]
    path = project / "papers" / paper.path
    good = path.read_text()
    path.write_text(re.sub(r"(?m)^published: .*$", "published: 2024-13-45", good))
    with caplog.at_level(logging.ERROR, logger="mkdocs.plugins.reading_list"):
        sites.rebuild()  # no exception: the preview keeps serving
    expected = subprocess.run([sys.executable, str(project / "scripts/validate.py"), "--papers-dir", str(project / "papers")],
                              capture_output=True, text=True, cwd=project).stdout.splitlines()[0]
    assert expected.startswith(f"papers/{paper.path}:")
    assert expected in caplog.messages  # the terminal shows the validator's text
    page = sites.page("readinglist-problems")
    assert expected in text_of(page)
    assert expected in text_of(sites.page(""))  # the navigation's pages say the same

    path.write_text(good)
    sites.rebuild()
    assert not (sites.site / "readinglist-problems").joinpath("index.html").exists()
    sites.assert_same()


def test_one_off_build_still_stops_on_a_broken_file(tmp_path: Path, caplog):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    project = copy_project(tmp_path / "p", papers=False)
    paper = make_papers(load_taxonomy(project / "topics.yml").ids, 2)[0]
    write(project, paper).write_text(dump_paper(paper).replace("title:", "titel:"))
    with pytest.raises(Abort):
        build(load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(tmp_path / "site")))
    assert f"papers/{paper.path}:2: titel: unknown key" in caplog.text
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
])
def test_page_requests(path, page):
    assert is_page_request(path, "/") is page


def test_overlay_answers_the_error_page_after_the_server_answered():
    from readinglist.preview import Problems

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


def poll(url: str, predicate, seconds: float = 120) -> tuple[int, str]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, body = fetch(url)
        if status and predicate(status, body):
            return status, body
        time.sleep(0.2)
    raise AssertionError(f"{url}: no such answer within {seconds} s (last: {status})")


def test_serve_shows_the_error_page_at_once_and_recovers(tmp_path: Path):
    project = copy_project(tmp_path / "p", papers=False)
    papers = make_papers(load_taxonomy(project / "topics.yml").ids, 4)
    for paper in papers:
        write(project, paper)
    broken = project / "papers" / papers[0].path
    good = broken.read_text()
    broken.write_text(good.replace("\ntopics:", "\ntopics: [no-such-topic]\nx:"))  # broken from the start
    port = free_port()
    log = (project / "serve.log").open("w")
    server = subprocess.Popen([str(Path(sys.executable).parent / "mkdocs"), "serve", "--dirty", "--livereload", "-a", f"127.0.0.1:{port}"],
                              cwd=project, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    try:
        base = f"http://127.0.0.1:{port}/"
        _, body = poll(base + papers[1].url, lambda s, b: s == 500)
        assert f"papers/{papers[0].path}:" in text_of(body) and "livereload" in body  # reloads itself when fixed
        assert fetch(base + "no/such/page/")[0] == 500
        broken.write_text(good)
        _, body = poll(base + papers[0].url, lambda s, b: s == 200)
        assert papers[0].title in body
        broken.write_text(good.replace("published:", "published: not-a-date\nfoo:"))
        poll(base + papers[0].url, lambda s, b: s == 500 and f"papers/{papers[0].path}:" in text_of(b))
        broken.write_text(good)
        poll(base + papers[0].url, lambda s, b: s == 200 and papers[0].title in b)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    output = (project / "serve.log").read_text()
    assert f"papers/{papers[0].path}:" in output  # the terminal listed the problems too


# --------------------------------------------------------------------------------------------
# Pieces kept between rebuilds produce the same bytes as computing the whole at once


@pytest.mark.parametrize("n", [0, 1, 7])
def test_papers_json_from_fragments_is_the_whole_dump(tmp_path: Path, n: int):
    from readinglist.catalog import Catalog
    from readinglist.incremental import Memory
    from readinglist.pages import Build, Site, exports

    taxonomy = load_taxonomy(copy_project(tmp_path / "p", papers=False) / "topics.yml")
    papers = [replace(p, title=p.title + ' <b>"&"</b> ünï $\\alpha$', note="a </script> note") for p in make_papers(taxonomy.ids, n)]
    for memory in (None, Memory()):
        build = Build(Catalog(papers), taxonomy, Site("Site", "About", "https://example.org/x/"), memory=memory)
        whole = json.dumps({"version": exports.VERSION, "papers": [exports.paper_record(p, build) for p in papers]},
                           ensure_ascii=True, indent=1)
        whole = whole.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"
        assert exports.papers_json(build) == whole
        assert exports.papers_json(build) == whole  # the second time from kept fragments
        assert json.loads(whole)["papers"] == json.loads(exports.papers_json(build))["papers"]
