"""MkDocs hooks that turn ``papers/`` into the site.

Events used, in build order:

- ``on_startup``: note whether this process is ``mkdocs serve`` (the preview) and ``--dirty``.
- ``on_serve`` (preview, once): put the error overlay in front of the server
  (``readinglist.preview``): while a file is broken, every page request gets the error page;
  and give the server a native file watcher.
- ``on_files``: load and validate every paper file once (``readinglist.catalog``); if any file
  is wrong, list every problem and stop the build (``mkdocs build``), or, in the preview, build
  only the error page (also at the navigation's pages) and keep serving. Otherwise add the
  generated files (paper pages, home, topics, dates, feeds, exports) with ``File.generated``.
  TeX math is already MathML in those pages (``readinglist.math``): no math assets are added.
  Paper pages are kept out of the navigation: the nav is rendered into every page, so listing
  N papers makes a build O(N^2). As soon as the catalog is loaded, the search indexer starts
  in a child process (``readinglist.pages.search.SearchIndexer``: Pagefind over one record per
  paper), so that it works on the second core while MkDocs renders the pages. A one-off build
  first forks a worker (``readinglist.worker``) that computes the related papers, the feeds and
  the export files meanwhile; those files are added with empty text for now. In the preview
  with ``--dirty`` (``make serve``), a generated file whose inputs are unchanged since this
  process last wrote it is left out of the files: its output stays (``readinglist.incremental``).
- ``on_nav``: the navigation is kept for the sitemap (see ``on_post_build``).
- ``on_page_markdown``: a generated page's source is empty; its metadata (what front matter
  would hold: title, description, search exclusion) is set here, with no YAML to write or
  parse.
- ``on_page_content``: the page's HTML body, rendered from the autoescaped templates, takes the
  place of the (empty) converted Markdown. Markdown never parses it: safer, and it saves most
  of the time Python-Markdown would spend re-parsing large HTML blocks.
- ``on_page_context`` (last, priority -100): a paper page's tail (citation, related papers) is
  appended last (it kept Material's search plugin, when the site used it, from indexing and
  parsing citations).
- ``on_env``: the build's freshness facts (``readinglist.status``: build time, commit, newest
  ``added``, last import) become the template global ``reading_list_status`` for the footer
  (``overrides/partials/copyright.html``); not in the preview, whose pages are rebuilt only
  when they change (the home page and ``status.json`` show the facts there). The worker's
  feeds and export files get their text (MkDocs copies plain files next).
- ``on_post_build``: wait for the search indexer and move its bundle into ``site/pagefind/``
  (a failed indexer fails the build; in the dirty preview a thread does it after the rebuild,
  so pages never wait for search); write the stage timings if asked. In the dirty preview:
  note what was written, and write the sitemap over all pages (MkDocs' lists only the files
  of this rebuild).
- ``on_build_error``: stop the indexer and remove its files, and stop the worker.

State: a one-off build keeps nothing. ``mkdocs serve`` loads this module once and calls it on
every rebuild: it keeps parsed papers, derived data and the keys of written pages between
rebuilds, each under the inputs it was made from, so nothing stale is ever reused.

``READINGLIST_SEARCH=off`` builds without the search index (``scripts/bench.py`` measures the
build with and without it). If ``READINGLIST_TIMINGS`` names a file, the seconds spent per
stage are written to it as JSON (``scripts/bench.py`` reads them). ``READINGLIST_POLLING=1``
keeps MkDocs' polling file watcher in the preview. ``READINGLIST_WORKER=off`` builds without
the worker (everything in this process: the same output, more slowly).
"""

from __future__ import annotations

import gc
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.utils import get_build_date

from readinglist import incremental, preview, worker
from readinglist.catalog import load_catalog
from readinglist.model import shown
from readinglist.pages import generate_all, worker_jobs
from readinglist.pages.build import Build, GeneratedPage, Site
from readinglist.pages.search import BUILD_NICENESS, BUNDLE, SearchIndexer, pagefind_executable, pickled_paper
from readinglist.status import build_facts
from readinglist.taxonomy import TaxonomyError, load_taxonomy

log = logging.getLogger("mkdocs.plugins.reading_list")

#: This build's generated pages by source URI, and its Build (for timings).
_pages: dict[str, GeneratedPage] = {}
_build: Build | None = None
_indexer: SearchIndexer | None = None

#: How this process was started (``on_startup``): ``mkdocs serve`` previews, ``--dirty``
#: keeps unchanged output. A build started any other way (``mkdocs build``, tests calling
#: MkDocs' ``build()``) is a one-off that stops on the first broken file.
_serving = False
_dirty = False
#: What survives ``mkdocs serve`` rebuilds (``readinglist.incremental``), and the problems of
#: the latest build, which the preview serves as its error page (``readinglist.preview``).
_memory = incremental.Memory()
_problems = preview.Problems()
#: Collects garbage after each rebuild instead of during it, once the first build is done.
_collector: preview.IdleCollector | None = None
#: This build's generated files being (re)written, by source URI (noted as written at the end).
_pending: dict[str, incremental.Written] = {}
#: The source URIs of this build's generated pages in order, and whether any was left out.
_order: list[str] = []
_left_out = False
_files: Files | None = None
#: Plain files whose text the worker computes (``readinglist.worker``), set in ``on_env``.
_later: list[tuple[File, Callable[[], str]]] = []
_nav = None
_env = None
#: The dirty preview's search bundle, finished by a thread after the rebuild.
_finisher: _Finisher | None = None


def on_startup(command: str, dirty: bool) -> None:
    global _serving, _dirty
    _serving, _dirty = command == "serve", dirty


def on_config(config):
    """In the preview: garbage is collected after the rebuild (``preview.IdleCollector``); the
    theme's file listing (MkDocs walks every theme file on every rebuild to find its static
    files) is kept while no theme folder changed."""
    if _collector is not None:
        _collector.pause()
    if _serving:
        theme = config.theme
        make_env = theme.get_env

        def get_env():
            env = make_env()
            list_templates = env.list_templates

            def listed(extensions=None, filter_func=None):
                key = (tuple(theme.dirs), tuple(sorted(theme.static_templates)), extensions, getattr(filter_func, "__qualname__", None))
                return _memory.list_files(key, list(theme.dirs), lambda: list_templates(extensions, filter_func))
            env.list_templates = listed
            return env
        theme.get_env = get_env
    return config


def on_serve(server, config, builder):
    """Put the error overlay in front of the live-reload server and give it a native file
    watcher (see ``readinglist.preview``)."""
    server.set_app(preview.error_overlay(server.get_app(), server.mount_path, _problems))
    # The first build is done. What it keeps (parsed papers, each text's terms, derived pieces:
    # millions of objects at 10,000 papers) would otherwise be traversed by every full garbage
    # collection, seconds of each later rebuild: collected once, then left out of collections.
    global _collector
    gc.collect()
    gc.freeze()
    _collector = preview.IdleCollector()
    if os.environ.get("READINGLIST_POLLING") != "1" and not preview.watch_natively(server):
        log.info("reading list: the preview polls for file changes (no native file watcher here)")
    return server


def on_files(files: Files, config) -> Files:
    global _pages, _build, _pending, _order, _left_out, _files, _later
    _stop_indexer()
    _pages, _build, _pending, _order, _left_out, _files, _later = {}, None, {}, [], False, files, []
    project = Path(config.config_file_path).resolve().parent
    memory = _memory if _serving else None
    incremental_build = memory is not None and _dirty
    if memory is not None and not _dirty:
        memory.written.clear()  # MkDocs empties the site folder before every build
    # Before anything is derived: a change of the shared inputs rebuilds every page.
    changed = incremental_build and _memory.reset_output(_fingerprint(project, config))
    start = time.perf_counter()
    problems: list[str] = []
    try:
        taxonomy = load_taxonomy(project / "topics.yml")
    except TaxonomyError as exc:
        problems, broken = [shown(str(exc))], 1
    else:
        catalog = load_catalog(project / "papers", taxonomy, cache=memory.papers if memory is not None else None)
        problems, broken = [str(p) for p in catalog.problems], len({p.path for p in catalog.problems})
    if problems:
        for line in problems:
            log.error(line)
        if not _serving:
            raise PluginError(f"{len(problems)} problem(s) in the paper files (listed above); "
                              "'python scripts/validate.py' lists the same.")
        log.error("The preview shows these %d problem(s) at every page until they are fixed.", len(problems))
        pages = preview.problems_pages(problems, broken)
    else:
        if not config.site_url:
            raise PluginError("mkdocs.yml: site_url is required (feeds, exports and citations use absolute URLs)")
        facts, found = build_facts(catalog.papers, project, project / "papers")
        for problem in found:
            if problem.path == "SOURCE_DATE_EPOCH":  # MkDocs itself would stop on it later, with a traceback
                raise PluginError(f"{problem}; unset it or give seconds since 1970")
            log.warning(str(problem))  # a broken import record: a warning (fails --strict), the site says "no import recorded"
        # Stage timings only when asked (scripts/bench.py): otherwise nothing is wrapped or timed.
        timings = {"load": time.perf_counter() - start} if os.environ.get("READINGLIST_TIMINGS") else None
        build = Build(catalog, taxonomy, Site(config.site_name, config.site_description or "", config.site_url),
                      facts=facts, timings=timings, memory=memory)
        if memory is None and worker.enabled():  # forked before the indexer starts: it shares none of its files
            build.background = worker.Background(worker_jobs(build))
        # The preview indexes once the pages are written (on_post_build), unless it has no bundle yet.
        _start_indexer(build, config, now=not incremental_build or not (Path(config.site_dir) / BUNDLE / "pagefind.js").is_file(),
                       niceness=BUILD_NICENESS if memory is None else 0)
        pages = generate_all(build)
        _build = build
    _problems.set(problems)
    if changed:
        for file in files.documentation_pages():  # dirty mode would skip hand-written pages by their mtime
            file.is_modified = _modified  # type: ignore[method-assign]
    for page in pages:
        if page.src_uri in files.src_uris:  # generated URIs are POSIX: no need for get_file_from_path's PurePath
            raise PluginError(f"docs/{page.src_uri} clashes with a generated page; remove or rename it")
        if page.body is not None:
            _order.append(page.src_uri)
        key = None
        if incremental_build:
            key = page.content if page.body is None else (page.key, page.meta) if page.key is not None else None
            if _memory.unchanged(page.src_uri, key):
                if not page.in_nav_ok:
                    _left_out = True  # MkDocs never sees it: its output stays as it is
                    continue
                kept = File.generated(config, page.src_uri, content=page.content)  # the navigation needs its page
                kept.is_modified = _not_modified  # type: ignore[method-assign]  # MkDocs' own override point for dirty builds
                files.append(kept)
                continue
        inclusion = InclusionLevel.UNDEFINED if page.in_nav_ok or page.body is None else InclusionLevel.NOT_IN_NAV
        file = File.generated(config, page.src_uri, content=page.content, inclusion=inclusion)
        files.append(file)
        if incremental_build:
            _memory.written.pop(page.src_uri, None)  # until it is written again
            _pending[page.src_uri] = incremental.Written(key, file.abs_dest_path, file.url if page.body is not None else None)
        if page.body is not None:
            _pages[page.src_uri] = page
        elif page.later is not None:
            _later.append((file, page.later))
    if incremental_build and not problems:
        _remove_stale_output(_memory, {page.src_uri for page in pages}, Path(config.site_dir))
    if _build is not None:
        note = f"; {len(_pending)} of {len(pages)} generated files rebuilt" if incremental_build else ""
        log.info("reading list: %d papers, %d topics%s", len(_build.papers), len(_build.taxonomy.topics), note)
    return files


def on_nav(nav, config, files):
    global _nav
    _nav = nav
    return nav


def on_page_markdown(markdown: str, page, config, files) -> str:
    if (generated := _pages.get(page.file.src_uri)) is not None:
        page.meta = dict(generated.meta or {})
    return markdown


def on_page_content(html: str, page, config, files) -> str:
    generated = _pages.get(page.file.src_uri)
    return generated.body() if generated is not None and generated.body is not None else html


@event_priority(-100)
def on_page_context(context, page, config, nav):
    generated = _pages.pop(page.file.src_uri, None)
    if generated is not None and generated.tail is not None:
        page.content += generated.tail()
    return context


def on_env(env, config, files):
    global _env
    _env = env
    env.bytecode_cache = incremental.COMPILED  # the theme compiled once per process, not once per build
    if _serving:
        # The footer's facts change with every rebuild (its time) or paper (its count), and the
        # preview rewrites only the pages that changed: it shows none (the home page does).
        env.globals["reading_list_status"] = None
    else:
        env.globals["reading_list_status"] = _build.facts.summary() if _build is not None and _build.facts else None
    for file, text in _later:  # MkDocs copies the plain files next
        file.content_string = text()
    return env


def on_post_build(config) -> None:
    global _indexer, _finisher
    if _serving and _dirty:
        _memory.written.update(_pending)
        _pending.clear()
        if _left_out and not _problems.get():
            _write_sitemap(config)
        if _build is not None:
            _memory.prune(_build.papers)
    background = _indexer is None and _serving and _dirty and _build is not None and not _problems.get()
    if background and _build is not None:
        _start_indexer(_build, config, niceness=10)  # after the pages, at a lower priority: they never wait for it
    if _indexer is not None:
        indexer, _indexer = _indexer, None
        if background:
            # The pages do not wait for search: the bundle of the previous rebuild serves until
            # this one is moved into its place.
            _finisher = _Finisher(indexer, Path(config.site_dir), _memory, _search_key(_build) if _build else None)
        else:
            try:
                timings = indexer.finish(Path(config.site_dir))
            except RuntimeError as exc:
                raise PluginError(f"search index: {exc}") from None
            if _build is not None and _build.timings is not None:
                _build.timings.update(timings)
    if _build is not None and _build.background is not None:
        _build.background.cancel()  # only if nothing asked for its results (a build with no feeds or papers)
    if _build is not None and _build.timings is not None and (started := _build.background) is not None:
        # "related": the related papers' work, wherever it ran (the paper pages' stage holds the wait).
        _build.timings.update({f"worker_{name}": seconds for name, seconds in started.seconds.items()},
                              worker_wait=started.waited, related=started.seconds.get("related", 0.0))
    if (target := os.environ.get("READINGLIST_TIMINGS")) and _build is not None and _build.timings is not None:
        Path(target).write_text(json.dumps(_build.timings))
    if _collector is not None:
        _collector.resume()


def on_build_error(error) -> None:
    if _collector is not None:
        _collector.resume()
    _stop_indexer()
    if _build is not None and _build.background is not None:
        _build.background.cancel()


def _not_modified() -> bool:
    return False


def _modified() -> bool:
    return True


def _fingerprint(project: Path, config) -> tuple:
    """What every page depends on (see ``readinglist.incremental``)."""
    docs = Path(config.docs_dir)
    code = Path(incremental.__file__).parent
    watched = [Path(config.config_file_path), project / "topics.yml", project / "overrides", code, Path(__file__)]
    return (incremental.tree_fingerprint([p for p in watched if p.exists()]),
            sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*")),
            config.site_url, config.site_name, config.site_description)


def _remove_stale_output(memory: incremental.Memory, current: set[str], site_dir: Path) -> None:
    """Delete what earlier builds wrote for generated files that are gone (a deleted or
    renamed paper, a removed topic, the error page): dirty mode never empties the site folder."""
    for src_uri in [s for s in memory.written if s not in current]:
        output = Path(memory.written.pop(src_uri).output)
        output.unlink(missing_ok=True)
        for folder in output.parents:  # a page's folder, empty now
            if folder == site_dir or site_dir not in folder.parents:
                break
            try:
                folder.rmdir()
            except OSError:
                break


def _write_sitemap(config) -> None:
    """MkDocs wrote ``sitemap.xml`` from the pages of this rebuild only; write it again from
    every page, the left-out ones as their earlier output: the same bytes as a full build
    (Material's instant navigation reads the sitemap to know the site's pages)."""
    from mkdocs.commands.build import _build_theme_template  # MkDocs 1.6 (the last 1.x), pinned

    built = {file.src_uri: file for file in (_files.documentation_pages() if _files is not None else ())}
    generated = set(_order)
    entries = _SitemapPages(file for file in built.values() if file.src_uri not in generated)
    base = config.site_url or ""
    base = base if not base or base.endswith("/") else base + "/"
    date = get_build_date()
    kept_urls = []
    for src_uri in _order:
        if (file := built.get(src_uri)) is not None:
            entries.append(file)
            kept_urls.append(file.url)
        elif (kept := _memory.written.get(src_uri)) is not None and kept.url is not None:
            entries.append(_KeptPage(kept.url))
            kept_urls.append(kept.url)
    site_dir = Path(config.site_dir)
    signature = (base, date, [file.url for file in entries[:len(entries) - len(kept_urls)]], kept_urls)
    if _memory.sitemap is not None and _memory.sitemap[0] == signature:  # the same pages as last time: the same bytes
        (site_dir / "sitemap.xml").write_bytes(_memory.sitemap[1])
        (site_dir / "sitemap.xml.gz").write_bytes(_memory.sitemap[2])
        return
    for entry in entries:
        if isinstance(entry, _KeptPage):
            entry.place(base, date)
    if _env is not None and _nav is not None:
        _build_theme_template("sitemap.xml", _env, entries, config, _nav)  # type: ignore[arg-type]  # it reads documentation_pages() only
        _memory.sitemap = (signature, (site_dir / "sitemap.xml").read_bytes(), (site_dir / "sitemap.xml.gz").read_bytes())


class _KeptPage:
    """A page left out of this rebuild, as MkDocs' sitemap template reads it (``file.page``)."""

    canonical_url: str | None
    abs_url: str | None

    def __init__(self, url: str) -> None:
        self.url = url
        self.page = self

    def place(self, base: str, date: str) -> None:
        """What MkDocs' ``Page`` sets for its URL (``_set_canonical_url``) and ``update_date``."""
        # urljoin's result for a page URL (relative, no dot segments), without its cost
        if not base:
            self.canonical_url = self.abs_url = None
        elif not self.url.startswith(("/", ".")) and ":" not in self.url and "/." not in self.url:
            self.canonical_url, self.abs_url = base + self.url, urlsplit(base).path + self.url
        else:
            self.canonical_url = urljoin(base, self.url)
            self.abs_url = urlsplit(self.canonical_url).path
        self.is_link = False
        self.update_date = date


class _SitemapPages(list):
    """Pages as MkDocs' sitemap writer takes them (``files.documentation_pages()``)."""

    def documentation_pages(self) -> list:
        return self


def _search_key(build: Build) -> tuple:
    """What the search bundle is made from: each paper and the topics' names."""
    return build.identity, tuple((t.id, t.name) for t in build.taxonomy.topics)


def _start_indexer(build: Build, config, *, now: bool = True, niceness: int = 0) -> None:
    """Start Pagefind on the catalog (unless not ``now``), in a child process; ``on_post_build``
    collects it."""
    global _indexer
    config.extra["reading_list_search"] = {"topics": {t.id: t.name for t in build.taxonomy.topics}}
    if not now or os.environ.get("READINGLIST_SEARCH", "").lower() == "off":
        return
    try:
        pagefind_executable()
    except FileNotFoundError as exc:
        raise PluginError(f"search index: {exc}") from None
    site_dir = Path(config.site_dir)
    if _serving and _dirty and _memory.search == _search_key(build) and (site_dir / BUNDLE / "pagefind.js").is_file():
        return  # the site folder's bundle is made from the same papers
    work = Path(tempfile.mkdtemp(prefix="readinglist-search-"))
    # The bundle is written inside the site folder (cleaned by MkDocs before on_files), so
    # moving it into place at the end is a rename, whatever file system the site is on.
    site_dir.mkdir(parents=True, exist_ok=True)
    output = Path(tempfile.mkdtemp(prefix=".pagefind-", dir=site_dir))
    output.rmdir()  # Pagefind creates it
    _indexer = SearchIndexer(build.papers, {t.id: t.name for t in build.taxonomy.topics}, work, output, niceness=niceness,
                             pickled=partial(build.per_paper, "pickle", make=pickled_paper))


def _stop_indexer() -> None:
    global _indexer, _finisher
    if _indexer is not None:
        _indexer.cancel()
        _indexer = None
    if _finisher is not None:
        _finisher.cancel()
        _finisher = None


class _Finisher:
    """The dirty preview's search bundle: a thread waits for the indexer after the rebuild and
    moves its bundle into place; a newer rebuild cancels it (``cancel`` kills the indexer)."""

    def __init__(self, indexer: SearchIndexer, site_dir: Path, memory: incremental.Memory, key: object) -> None:
        self._indexer, self._site_dir, self._memory, self._key = indexer, site_dir, memory, key
        self._lock = threading.Lock()
        self._cancelled = False
        self.thread = threading.Thread(target=self._run, name="readinglist-search", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        self._indexer.process.wait()  # outside the lock: cancel() may kill it meanwhile
        with self._lock:
            if self._cancelled:
                return
            self._memory.search = None  # the old bundle is about to go
            try:
                self._indexer.finish(self._site_dir)
            except RuntimeError as exc:
                log.error("search index: %s", exc)
            else:
                self._memory.search = self._key

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            self._indexer.cancel()
