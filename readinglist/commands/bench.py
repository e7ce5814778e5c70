"""Benchmark the site build at a given number of papers.

    python scripts/bench.py --papers 1000 [--repeat 3] [--json]

Generates N synthetic but realistic papers (titles, ~200-word abstracts drawn from the seed
papers' vocabulary, one to three topics, dates over ten years, some with arXiv ids and links)
in a temporary copy of the project, then measures:

- the full ``mkdocs build`` time, and a bare MkDocs + Material build of the same paper pages
  with no hooks and papers out of the nav (the floor of this stack), and their ratio;
- search (Pagefind): the same full build without the search index (``READINGLIST_SEARCH=off``)
  and the slowdown search causes; the indexer's own wall time and its share of the build, how
  long the build waited for it, its peak memory; the index's size on disk; and the bytes a
  real browser (Playwright, Chromium) downloads under ``/pagefind/`` for a first search of a
  common and of a rare word (skipped without a browser);
- the time of each hook stage (load and validate, paper pages, related papers, topics, dates,
  feeds, exports), from the hook's READINGLIST_TIMINGS report; with the cold build's worker
  (``readinglist.worker``), the seconds of each of its jobs and how long the build waited for
  it (``worker_seconds``: the stages that asked for its results include that wait);
- peak memory, site size, the largest HTML page, the number of pages;
- Material's search index of the bare build (what its reader downloads at the first search, gzipped);
- importer throughput on a synthetic scrape of N entries (the real CLI, writing N files);
- the preview (``mkdocs serve --dirty``, what ``make serve`` runs): seconds from writing a file
  until the served pages show it, for an edited title, changed upvotes, a new paper, a deleted
  one, a broken file (the error page) and its fix; ``--preview-only`` measures only that.

Builds are repeated (--repeat) and the median is reported, with the minimum alongside.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from readinglist import cli
from readinglist.catalog import load_catalog, make_slug, new_path
from readinglist.model import Paper, dump_paper
from readinglist.orderings import newest_first
from readinglist.pages.listing import PAGE_SIZE
from readinglist.taxonomy import load_taxonomy

ROOT = Path(__file__).resolve().parents[2]
PARTS = ("mkdocs.yml", "topics.yml", "docs", "overrides", "hooks", "readinglist", "scripts", "package.json")
PY = sys.executable
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}

# Runs mkdocs in this process so that ru_maxrss is the build's own peak memory.
_MKDOCS = """
import atexit, resource, runpy, sys
out = sys.argv.pop(1)
atexit.register(lambda: open(out, "w").write("%d %d" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                                                        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)))
sys.argv[0] = "mkdocs"
runpy.run_module("mkdocs", run_name="__main__")
"""


#: The seed papers' abstracts (the frozen fixture, not the live list: the synthetic papers, and
#: so the figures, stay comparable however the list grows).
SEED_PAPERS = ROOT / "tests" / "fixtures" / "papers"


def vocabulary() -> list[str]:
    words: list[str] = []
    for path in sorted(SEED_PAPERS.rglob("*.md")):
        words += re.findall(r"[A-Za-z][A-Za-z-]{2,}", path.read_text(encoding="utf-8").split("---", 2)[-1])
    return words


def synthetic_papers(n: int, seed: int = 7) -> list[Paper]:
    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible on purpose
    words = vocabulary()
    topics = load_taxonomy(ROOT / "topics.yml").ids
    start = dt.date(2016, 1, 1).toordinal()
    span = dt.date(2025, 12, 31).toordinal() - start
    papers: list[Paper] = []
    taken: set[str] = set()
    for i in range(n):
        title_words = [rng.choice(words) for _ in range(rng.randint(5, 11))]
        title = " ".join(title_words).capitalize() + f" {i}"
        sentences = []
        for _ in range(rng.randint(9, 12)):
            sentence = " ".join(rng.choice(words) for _ in range(rng.randint(14, 24)))
            sentences.append(sentence.capitalize() + ".")
        published = dt.date.fromordinal(start + rng.randrange(span))
        links: tuple[tuple[str, str], ...] = (("code", f"https://github.com/example/repo-{i}"),) if rng.random() < 0.4 else ()
        if rng.random() < 0.2:
            links += (("project", f"https://example.org/project-{i}"),)
        paper = Paper(
            title=title,
            published=published,
            added=published + dt.timedelta(days=rng.randint(0, 30)),
            topics=tuple(rng.sample(topics, rng.randint(1, 3))),
            abstract=" ".join(sentences),
            author_count=rng.randint(1, 30),
            upvotes=int(rng.paretovariate(1.2)) - 1,
            arxiv=f"{published:%y%m}.{10000 + i:05d}" if rng.random() < 0.7 else None,
            links=links,
        )
        path = new_path(paper, taken)
        taken.add(path)
        papers.append(replace(paper, path=path))
    return papers


def copy_project_files(dest: Path) -> None:
    """Copy what a build of the project needs (``PARTS``) into ``dest``, and link its
    ``node_modules`` (npm packages are shared, not copied). The tests make their projects so too."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / part)
    (dest / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)


def make_project(dest: Path, papers: list[Paper]) -> Path:
    copy_project_files(dest)
    for paper in papers:
        target = dest / "papers" / paper.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dump_paper(paper), encoding="utf-8")
    return dest


def make_bare_project(dest: Path, papers: list[Paper]) -> Path:
    """The floor: the same paper pages as plain Markdown, Material and search, no hooks."""
    (dest / "docs").mkdir(parents=True)
    (dest / "docs/index.md").write_text("# Home\n")
    for paper in papers:
        target = dest / "docs/papers" / paper.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"# {paper.title}\n\n{paper.published} · {paper.n_authors} authors\n\n{paper.abstract}\n", encoding="utf-8")
    (dest / "mkdocs.yml").write_text(
        "site_name: Bare\nsite_url: https://example.org/\ntheme:\n  name: material\n  font: false\n"
        "plugins:\n  - search\nnav:\n  - Home: index.md\nnot_in_nav: |\n  /papers/**\n")
    return dest


def build(project: Path, *, search: bool = True) -> dict:
    timings = project / "timings.json"
    rss = project / "rss.txt"
    timings.unlink(missing_ok=True)
    env = {**ENV, "READINGLIST_TIMINGS": str(timings), **({} if search else {"READINGLIST_SEARCH": "off"})}
    start = time.perf_counter()
    result = subprocess.run([PY, "-c", _MKDOCS, str(rss), "build", "-q", "-d", str(project / "site")], cwd=project,
                            env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"build failed in {project}:\n{result.stderr[-3000:]}")
    own, children = (int(x) for x in rss.read_text().split())
    stages = json.loads(timings.read_text()) if timings.exists() else {}
    # The search indexer's figures are reported apart from the hook's stages.
    search_figures = {k: stages.pop(k) for k in list(stages) if k.startswith("search")}
    worker_figures = {k.removeprefix("worker_"): stages.pop(k) for k in list(stages) if k.startswith("worker_")}
    return {"seconds": seconds, "peak_rss_mb": own / 1024, "children_peak_rss_mb": children / 1024,
            "stages": stages, "search": search_figures, "worker": worker_figures}


def site_figures(site: Path) -> dict:
    html = list(site.rglob("*.html"))
    largest = max(html, key=lambda p: p.stat().st_size)
    figures = {
        "pages": sum(1 for p in html if p.name == "index.html"),
        "site_mb": sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 1e6,
        "largest_html_kb": largest.stat().st_size / 1e3,
        "largest_html": largest.relative_to(site).as_posix(),
    }
    index = site / "search/search_index.json"  # Material's (the bare build's)
    if index.exists():
        raw = index.read_bytes()
        figures.update(search_index_kb=len(raw) / 1e3, search_index_gzip_kb=len(gzip.compress(raw, 6)) / 1e3)
    bundle = site / "pagefind"
    if bundle.is_dir():
        files = [p for p in bundle.rglob("*") if p.is_file()]
        figures.update(pagefind_index_kb=sum(p.stat().st_size for p in files) / 1e3, pagefind_files=len(files))
    return figures


def query_words(papers: list[Paper]) -> tuple[str, str]:
    """A common word (six letters or more, in the most papers) and a rare one: the number that
    ends the title of the middle paper (synthetic titles end with their index; abstracts have
    no digits), so it is in that paper only."""
    counts: dict[str, int] = {}
    for p in papers:
        for word in set(re.findall(r"[a-z]{6,}", (p.title + " " + p.abstract).lower())):
            counts[word] = counts.get(word, 0) + 1
    common = max(sorted(counts), key=lambda word: counts[word])
    return common, papers[len(papers) // 2].title.rsplit(" ", 1)[-1]


def transferred_kb(requests) -> float:
    """Kilobytes on the wire (headers and, compressed, bodies) of finished Playwright requests."""
    return round(sum(s["responseBodySize"] + s["responseHeadersSize"] for s in (r.sizes() for r in requests)) / 1e3, 1)


#: Where Debian puts Chromium, in the order it is preferred: the headless shell (Chromium's
#: old headless mode as a program of its own, what Playwright itself uses for headless runs:
#: the same Blink and V8, about a third of the full browser's CPU for a page load), then the
#: full browser. ``CHROMIUM`` names another.
CHROMIUM_NAMES = ("chromium-headless-shell", "chromium", "chromium-browser")


def chromium_path() -> str | None:
    """The Chromium the browser tests and the bench drive: ``$CHROMIUM``, else the first of
    CHROMIUM_NAMES found on the PATH or in /usr/bin; None if there is none."""
    for candidate in (os.environ.get("CHROMIUM"), *(shutil.which(n) or f"/usr/bin/{n}" for n in CHROMIUM_NAMES)):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def first_search_bytes(site: Path, words: tuple[str, str]) -> dict | None:
    """Bytes a real browser transfers under /pagefind/ for a first search of each word (a fresh
    browser context each, so nothing is cached), typed in the header box of the home page."""
    chromium = chromium_path()
    try:
        from playwright.sync_api import Request, sync_playwright
    except ImportError:
        return None
    if chromium is None:
        return None
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        """Serves text files gzipped when asked, as static hosts (GitHub Pages) do."""

        def log_message(self, *args):
            pass

        def do_GET(self):
            path = Path(self.translate_path(self.path))
            if path.suffix in (".js", ".css", ".json", ".html") and path.is_file() and "gzip" in self.headers.get("Accept-Encoding", ""):
                body = gzip.compress(path.read_bytes(), 6)
                self.send_response(200)
                self.send_header("Content-Type", self.guess_type(str(path)))
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                super().do_GET()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()  # shutdown() waits a poll
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    result: dict[str, str | int | float] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
            for label, word in zip(("common", "rare"), words, strict=True):
                context = browser.new_context()
                page = context.new_page()
                responses: list[Request] = []
                page.on("requestfinished", functools.partial(list.append, responses))  # playwright wraps a function, not a builtin method
                page.goto(base)
                page.wait_for_load_state("networkidle")
                page.locator("#rl-search-input").click()
                page.keyboard.type(word)
                page.wait_for_function("w => (document.querySelector('#rl-search-panel .rl-search__status') || {}).textContent?.includes(w)",
                                       arg=word, timeout=120_000)
                shown = [r for r in responses if "/pagefind/" in r.url]  # what the first results needed
                page.locator("#rl-search-panel .rl-facets").first.wait_for(timeout=120_000)
                page.wait_for_load_state("networkidle")
                hits = page.locator("#rl-search-panel .rl-search__status").inner_text()
                every = [r for r in responses if "/pagefind/" in r.url]  # and the facet counts after them

                result[f"{label}_word"] = word
                result[f"{label}_status"] = hits
                result[f"{label}_first_search_kb"] = transferred_kb(shown)
                result[f"{label}_requests"] = len(shown)
                result[f"{label}_with_facets_kb"] = transferred_kb(every)
                context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return result


def importer_throughput(papers: list[Paper], workdir: Path) -> dict:
    lines = ["Daily Papers", ""]
    for p in papers:
        date_line = f"{p.published:%b} {p.published.day}, {p.published.year} {p.upvotes}"
        lines += [p.title, "", p.abstract, "", f"  • {p.n_authors} authors", "·", date_line, ""]
    scrape = workdir / "scrape.txt"
    scrape.write_text("\n".join(lines), encoding="utf-8")
    start = time.perf_counter()
    result = subprocess.run([PY, str(ROOT / "scripts/import_scrape.py"), str(scrape), "--papers-dir", str(workdir / "imported")],
                            capture_output=True, text=True, env=ENV)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"import failed: {result.stderr[-2000:]}")
    return {"entries": len(papers), "seconds": seconds, "entries_per_second": len(papers) / seconds}


def _process_cpu(pid: int) -> float:
    """CPU seconds used so far by a running process (Linux: /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def list_page(base: str, papers: list[Paper], paper: Paper) -> str:
    """The URL of the page of a list (newest first, split every PAGE_SIZE) that shows ``paper``."""
    ordered = sorted(papers, key=newest_first)
    n = ordered.index(paper) // PAGE_SIZE + 1
    return base if n == 1 else f"{base}page/{n}/"


def preview_figures(project: Path, papers: list[Paper]) -> dict:
    """Seconds from writing a file until ``mkdocs serve --dirty`` (what ``make serve`` runs)
    serves the change on every page it shows on, for each kind of edit a curator makes; and
    the server's CPU seconds during each."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (project / "serve.log").open("w")
    server = subprocess.Popen([PY, "-m", "mkdocs", "serve", "--dirty", "--livereload", "-a", f"127.0.0.1:{port}"], cwd=project,
                              stdout=log, stderr=subprocess.STDOUT, env=ENV)
    base = f"http://127.0.0.1:{port}/"

    def page(url: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(base + url, timeout=120) as response:  # noqa: S310 - http://127.0.0.1 only
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
        except OSError:
            return 0, ""

    def until(checks: dict[str, Callable[[int, str], bool]], seconds: float = 1800) -> float:
        """Seconds until every URL's answer passes its check (polled one after the other)."""
        start = time.perf_counter()
        cpu = _process_cpu(server.pid)
        deadline = time.monotonic() + seconds
        for url, check in checks.items():
            while not check(*page(url)):
                if time.monotonic() > deadline or server.poll() is not None:
                    sys.exit(f"mkdocs serve did not show the change at {url}; see {project / 'serve.log'}")
                time.sleep(0.05)
        cpu_seconds.append(round(_process_cpu(server.pid) - cpu, 2))
        return round(time.perf_counter() - start, 2)

    def settle() -> None:
        time.sleep(3)  # the search bundle of the last rebuild is made meanwhile (a thread, not waited for)

    figures: dict = {}
    cpu_seconds: list[float] = []
    try:
        paper = papers[len(papers) // 2]
        year = [p for p in papers if p.published.year == paper.published.year]
        figures["first_build"] = until({paper.url: lambda status, body: status == 200 and "<h1" in body})
        path = project / "papers" / paper.path
        text = path.read_text()
        settle()

        # A typo fixed in a title: the paper page, then its year page.
        edited = f"{paper.title} edited"
        path.write_text(text.replace(f"title: {paper.title}", f"title: {edited}"), encoding="utf-8")
        figures["edit_title_to_paper_page"] = until({paper.url: lambda status, body: edited in body})
        figures["edit_title_to_paper_and_year_page"] = round(figures["edit_title_to_paper_page"] + until(
            {list_page(f"dates/{paper.published.year}/", year, paper): lambda s, b: edited in b}), 2)
        settle()

        # Upvotes changed (no text change: related papers are reused). Made on the edited file:
        # the original text would also undo the title's edit, a text change.
        text = path.read_text()
        path.write_text(re.sub(r"(?m)^upvotes: .*$", "upvotes: 4242", text) if re.search(r"(?m)^upvotes:", text)
                        else text.replace("\ntopics:", "\nupvotes: 4242\ntopics:", 1), encoding="utf-8")
        text = path.read_text()
        figures["edit_upvotes_to_paper_page"] = until({paper.url: lambda s, b: "▲ 4242" in b})
        settle()

        # A new paper, newest of all: its page, its topic, year and home pages.
        newest = max(papers, key=lambda p: (p.published, p.added))
        new = replace(papers[0], title="A freshly written benchmark paper", abstract="Written while the preview runs. " + papers[0].abstract,
                      published=newest.published, added=newest.added, arxiv=None, upvotes=0)
        new = replace(new, path=f"{new.published.year}/{make_slug(new.title)}.md")
        new_file = project / "papers" / new.path
        new_file.write_text(dump_paper(new), encoding="utf-8")
        shown = lambda status, body: "A freshly written benchmark paper" in body  # noqa: E731
        figures["new_paper_to_its_pages"] = until({new.url: shown, f"topics/{new.topics[0]}/": shown,
                                                   f"dates/{new.published.year}/": shown, "": shown})
        settle()

        # The same paper deleted: gone from the home page, its page answers 404.
        new_file.unlink()
        figures["deleted_paper_gone"] = until({"": lambda s, b: s == 200 and "A freshly written benchmark paper" not in b,
                                               new.url: lambda s, b: s == 404})
        settle()

        # A broken file: the error page, then the fixed page.
        path.write_text(text.replace("\npublished:", "\npublished: 2024-13-45\nx-published:", 1), encoding="utf-8")
        figures["broken_file_to_error_page"] = until({paper.url: lambda s, b: s == 500 and "preview is paused" in b})
        settle()
        path.write_text(text, encoding="utf-8")
        figures["fixed_file_to_page"] = until({paper.url: lambda s, b: s == 200 and edited in b and "▲ 4242" in b})
        figures["server_cpu_seconds"] = cpu_seconds
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
    return figures


def summarise(runs: list[dict]) -> dict:
    seconds = [r["seconds"] for r in runs]
    stages: dict[str, float] = {}
    for name in runs[0]["stages"]:
        stages[name] = statistics.median(r["stages"][name] for r in runs)
    search = {name: statistics.median(r["search"][name] for r in runs) for name in runs[0]["search"]}
    worker = {name: statistics.median(r["worker"].get(name, 0.0) for r in runs) for name in runs[0]["worker"]}
    return {"seconds": statistics.median(seconds), "seconds_min": min(seconds),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
            "children_peak_rss_mb": max(r["children_peak_rss_mb"] for r in runs), "stages": stages, "search": search,
            "worker": worker}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, required=True, metavar="N")
    parser.add_argument("--repeat", type=int, default=3, metavar="K", help="builds of each kind (median reported)")
    parser.add_argument("--no-serve", action="store_true", help="skip the preview (mkdocs serve --dirty) measurements")
    parser.add_argument("--preview-only", action="store_true", help="measure the preview (mkdocs serve --dirty) only")
    parser.add_argument("--no-browser", action="store_true", help="skip the first-search download measurement (Playwright)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        papers = synthetic_papers(args.papers)
        project = make_project(work / "project", papers)
        catalog = load_catalog(project / "papers", load_taxonomy(project / "topics.yml"))
        if catalog.problems:
            sys.exit(f"synthetic papers are invalid: {catalog.problems[0]}")
        if args.preview_only:
            result: dict = {"papers": args.papers, "preview_seconds": preview_figures(project, papers)}
            return _report(result, args.json)
        bare = make_bare_project(work / "bare", papers)
        # Interleaved, so that a burst of load on a shared machine hits each kind alike.
        full_runs, plain_runs = [], []
        for _ in range(args.repeat):
            plain_runs.append(build(project, search=False))
            full_runs.append(build(project))
        figures = site_figures(project / "site")  # of the last build: the full one
        bare_runs = [build(bare) for _ in range(args.repeat)]
        full, plain, floor = summarise(full_runs), summarise(plain_runs), summarise(bare_runs)
        result = {
            "papers": args.papers,
            "repeat": args.repeat,
            "build_seconds": round(full["seconds"], 2),
            "build_seconds_min": round(full["seconds_min"], 2),
            "bare_build_seconds": round(floor["seconds"], 2),
            "bare_build_seconds_min": round(floor["seconds_min"], 2),
            "ratio_to_bare": round(full["seconds"] / floor["seconds"], 3),
            "stages_seconds": {k: round(v, 3) for k, v in full["stages"].items()},
            "worker_seconds": {k: round(v, 3) for k, v in full["worker"].items()},
            "related_share_of_build": round(full["stages"].get("related", 0) / full["seconds"], 3),
            "peak_rss_mb": round(full["peak_rss_mb"], 1),
            "bare_peak_rss_mb": round(floor["peak_rss_mb"], 1),
            "build_seconds_without_search": round(plain["seconds"], 2),
            "build_seconds_without_search_min": round(plain["seconds_min"], 2),
            "search_slowdown": round(full["seconds"] / plain["seconds"] - 1, 3),
            "search_index_seconds": round(full["search"].get("search_index", 0), 2),
            "search_index_share_of_build": round(full["search"].get("search_index", 0) / full["seconds"], 3),
            "search_wait_seconds": round(full["search"].get("search_wait", 0), 2),
            "search_cpu_seconds": round(full["search"].get("search_cpu", 0), 2),
            "search_peak_rss_mb": round(full["children_peak_rss_mb"], 1),
            **{k: round(v, 1) if isinstance(v, float) else v for k, v in figures.items()},
            "bare_search_index_gzip_kb": round(site_figures(bare / "site")["search_index_gzip_kb"], 1),
            "importer": {k: round(v, 2) if isinstance(v, float) else v for k, v in importer_throughput(papers, work).items()},
        }
        if not args.no_browser:
            result["first_search"] = first_search_bytes(project / "site", query_words(papers))
        if not args.no_serve:
            result["preview_seconds"] = preview_figures(project, papers)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}", file=sys.stderr)
    return _report(result, args.json)


def _report(result: dict, as_json: bool) -> int:
    if as_json:
        print(json.dumps(result))
    else:
        width = max(len(k) for k in result)
        for key, value in result.items():
            print(f"{key:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(cli.run(main))
