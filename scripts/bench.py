#!/usr/bin/env python3
"""Benchmark the site build at a given number of papers.

    python scripts/bench.py --papers 1000 [--repeat 3] [--json]

Generates N synthetic but realistic papers (titles, ~200-word abstracts drawn from the seed
papers' vocabulary, one to three topics, dates over ten years, some with arXiv ids and links)
in a temporary copy of the project, then measures:

- the full ``mkdocs build`` time, and a bare MkDocs + Material build of the same paper pages
  with no hooks and papers out of the nav (the floor of this stack), and their ratio;
- the time of each hook stage (load and validate, paper pages, related papers, topics, dates,
  feeds, exports), from the hook's READINGLIST_TIMINGS report;
- peak memory, site size, the largest HTML page, the number of pages;
- the bytes a reader downloads for a first search (the search index, gzipped);
- importer throughput on a synthetic scrape of N entries (the real CLI, writing N files);
- how long ``mkdocs serve`` takes to show an edited paper.

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
import urllib.request
from dataclasses import replace
from pathlib import Path

import _bootstrap

from readinglist import cli
from readinglist.catalog import load_catalog, new_path
from readinglist.model import Paper, dump_paper
from readinglist.taxonomy import load_taxonomy

ROOT = _bootstrap.ROOT
PARTS = ("mkdocs.yml", "topics.yml", "docs", "overrides", "hooks", "readinglist", "scripts", "package.json")
PY = sys.executable
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}

# Runs mkdocs in this process so that ru_maxrss is the build's own peak memory.
_MKDOCS = """
import atexit, resource, runpy, sys
out = sys.argv.pop(1)
atexit.register(lambda: open(out, "w").write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))
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
    papers, taken = [], set()
    for i in range(n):
        title_words = [rng.choice(words) for _ in range(rng.randint(5, 11))]
        title = " ".join(title_words).capitalize() + f" {i}"
        sentences = []
        for _ in range(rng.randint(9, 12)):
            sentence = " ".join(rng.choice(words) for _ in range(rng.randint(14, 24)))
            sentences.append(sentence.capitalize() + ".")
        published = dt.date.fromordinal(start + rng.randrange(span))
        links = (("code", f"https://github.com/example/repo-{i}"),) if rng.random() < 0.4 else ()
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


def make_project(dest: Path, papers: list[Paper]) -> Path:
    dest.mkdir(parents=True)
    for part in PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / part)
    (dest / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
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


def build(project: Path) -> dict:
    timings = project / "timings.json"
    rss = project / "rss.txt"
    timings.unlink(missing_ok=True)
    start = time.perf_counter()
    result = subprocess.run([PY, "-c", _MKDOCS, str(rss), "build", "-q", "-d", str(project / "site")], cwd=project,
                            env={**ENV, "READINGLIST_TIMINGS": str(timings)}, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"build failed in {project}:\n{result.stderr[-3000:]}")
    return {"seconds": seconds, "peak_rss_mb": int(rss.read_text()) / 1024,
            "stages": json.loads(timings.read_text()) if timings.exists() else {}}


def site_figures(site: Path) -> dict:
    html = list(site.rglob("*.html"))
    largest = max(html, key=lambda p: p.stat().st_size)
    index = site / "search/search_index.json"
    raw = index.read_bytes()
    return {
        "pages": sum(1 for p in html if p.name == "index.html"),
        "site_mb": sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 1e6,
        "largest_html_kb": largest.stat().st_size / 1e3,
        "largest_html": largest.relative_to(site).as_posix(),
        "search_index_kb": len(raw) / 1e3,
        "search_index_gzip_kb": len(gzip.compress(raw, 6)) / 1e3,
    }


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


def serve_rebuild(project: Path, paper: Paper) -> float:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (project / "serve.log").open("w")
    server = subprocess.Popen([PY, "-m", "mkdocs", "serve", "--livereload", "-a", f"127.0.0.1:{port}"], cwd=project,
                              stdout=log, stderr=subprocess.STDOUT, env=ENV)
    url = f"http://127.0.0.1:{port}/{paper.url}"

    def page() -> str:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            return ""

    try:
        deadline = time.monotonic() + 900
        while "<h1" not in page():
            if time.monotonic() > deadline or server.poll() is not None:
                sys.exit("mkdocs serve did not come up; see " + str(project / "serve.log"))
            time.sleep(0.5)
        time.sleep(1)
        path = project / "papers" / paper.path
        path.write_text(path.read_text().replace(f"title: {paper.title}", f"title: {paper.title} edited"), encoding="utf-8")
        start = time.perf_counter()
        while f"{paper.title} edited" not in page():
            if time.monotonic() > deadline:
                sys.exit("mkdocs serve did not pick up the edit")
            time.sleep(0.2)
        return time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def summarise(runs: list[dict]) -> dict:
    seconds = [r["seconds"] for r in runs]
    stages: dict[str, float] = {}
    for name in runs[0]["stages"]:
        stages[name] = statistics.median(r["stages"][name] for r in runs)
    return {"seconds": statistics.median(seconds), "seconds_min": min(seconds),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs), "stages": stages}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, required=True, metavar="N")
    parser.add_argument("--repeat", type=int, default=3, metavar="K", help="builds of each kind (median reported)")
    parser.add_argument("--no-serve", action="store_true", help="skip the mkdocs serve measurement")
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
        bare = make_bare_project(work / "bare", papers)
        full_runs = [build(project) for _ in range(args.repeat)]
        bare_runs = [build(bare) for _ in range(args.repeat)]
        full, floor = summarise(full_runs), summarise(bare_runs)
        result = {
            "papers": args.papers,
            "repeat": args.repeat,
            "build_seconds": round(full["seconds"], 2),
            "build_seconds_min": round(full["seconds_min"], 2),
            "bare_build_seconds": round(floor["seconds"], 2),
            "bare_build_seconds_min": round(floor["seconds_min"], 2),
            "ratio_to_bare": round(full["seconds"] / floor["seconds"], 3),
            "stages_seconds": {k: round(v, 3) for k, v in full["stages"].items()},
            "related_share_of_build": round(full["stages"].get("related", 0) / full["seconds"], 3),
            "peak_rss_mb": round(full["peak_rss_mb"], 1),
            "bare_peak_rss_mb": round(floor["peak_rss_mb"], 1),
            **{k: round(v, 1) if isinstance(v, float) else v for k, v in site_figures(project / "site").items()},
            "bare_search_index_gzip_kb": round(site_figures(bare / "site")["search_index_gzip_kb"], 1),
            "importer": {k: round(v, 2) if isinstance(v, float) else v for k, v in importer_throughput(papers, work).items()},
        }
        if not args.no_serve:
            result["serve_rebuild_seconds"] = round(serve_rebuild(project, papers[len(papers) // 2]), 2)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}", file=sys.stderr)
    if args.json:
        print(json.dumps(result))
    else:
        width = max(len(k) for k in result)
        for key, value in result.items():
            print(f"{key:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(cli.run(main))
