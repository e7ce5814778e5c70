"""MkDocs hooks that turn ``papers/`` into the site.

Events used, in build order:

- ``on_startup``: note whether this process is ``mkdocs serve`` (the preview) and ``--dirty``.
- ``on_serve`` (preview, once): put the error overlay in front of the server
  (``readinglist.preview``): while a file is broken, every page request gets the error page.
- ``on_files``: load and validate every paper file once (``readinglist.catalog``); if any file
  is wrong, list every problem and stop the build (``mkdocs build``), or, in the preview,
  build only the error page (also at the navigation's pages) and keep serving. Otherwise add
  the generated files (paper pages, home, topics, dates, feeds, exports) with
  ``File.generated``, and KaTeX's browser files from ``node_modules/`` (installed by ``make
  setup``). Paper pages are kept out of the navigation: the nav is rendered into every page,
  so listing N papers makes a build O(N^2). In the preview with ``--dirty``, a generated
  file whose inputs are unchanged since it was last written is marked not modified, so MkDocs
  skips it (``readinglist.incremental``).
- ``on_page_markdown``: a generated page's source is empty; its metadata (what front matter
  would hold: title, description, search exclusion) is set here, with no YAML to write or
  parse.
- ``on_page_content``: the page's HTML body, rendered from the autoescaped templates, takes the
  place of the (empty) converted Markdown. Markdown never parses it: safer, and it saves most
  of the time Python-Markdown would spend re-parsing large HTML blocks.
- ``on_page_context`` (last, priority -100): a paper page's tail (citation, related papers) is
  appended after Material's search plugin has indexed the page, so the index holds titles and
  abstracts only and the plugin parses less.
- ``on_post_page``: the preview notes which output a page's file now holds.
- ``on_post_build`` (first, priority 100): in the dirty preview, hand the search plugin the
  whole index (it only saw the rebuilt pages); write the stage timings if asked.

State: a one-off build keeps nothing. ``mkdocs serve`` loads this module once and calls it on
every rebuild: it keeps parsed papers, derived data and the keys of written pages between
rebuilds, each under the inputs it was made from, so nothing stale is ever reused.

If ``READINGLIST_TIMINGS`` names a file, the seconds spent per stage are written to it as JSON
(``scripts/bench.py`` reads them).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files, InclusionLevel

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from readinglist import incremental, preview  # noqa: E402
from readinglist.catalog import load_catalog  # noqa: E402
from readinglist.pages import Build, GeneratedPage, Site, generate_all  # noqa: E402
from readinglist.taxonomy import TaxonomyError, load_taxonomy  # noqa: E402

log = logging.getLogger("mkdocs.plugins.reading_list")

#: This build's generated pages by source URI, and its Build (for timings).
_pages: dict[str, GeneratedPage] = {}
_build: Build | None = None

#: KaTeX's files the pages use (see extra_javascript / extra_css in mkdocs.yml).
KATEX_FILES = ("katex.min.js", "katex.min.css")

#: How this process was started (``on_startup``): ``mkdocs serve`` previews, ``--dirty``
#: keeps unchanged output. A build started any other way (``mkdocs build``, tests calling
#: MkDocs' ``build()``) is a one-off that stops on the first broken file.
_serving = False
_dirty = False
#: What survives ``mkdocs serve`` rebuilds (``readinglist.incremental``), and the problems of
#: the latest build, which the preview serves as its error page (``readinglist.preview``).
_memory = incremental.Memory()
_problems = preview.Problems()
#: Generated files of this build that are being (re)written: source URI -> (key, output path).
_pending: dict[str, tuple[object, str]] = {}
_files: Files | None = None
_rendered: set[str] = set()
#: Plain files whose text a worker computes meanwhile; set in ``on_env``, before MkDocs writes them.
_later: list[tuple[File, Callable[[], str]]] = []


def on_startup(command: str, dirty: bool) -> None:
    global _serving, _dirty
    _serving, _dirty = command == "serve", dirty


def on_serve(server, config, builder):
    """Put the error overlay in front of the live-reload server and give it a native file
    watcher (see ``readinglist.preview``)."""
    server.set_app(preview.error_overlay(server.get_app(), server.mount_path, _problems))
    if os.environ.get("READINGLIST_POLLING") != "1" and not preview.watch_natively(server):
        log.info("reading list: the preview polls for file changes (no native file watcher here)")
    return server


def on_files(files: Files, config) -> Files:
    global _pages, _build, _pending, _files, _rendered, _later
    _pages, _build, _pending, _files, _rendered, _later = {}, None, {}, files, set(), []
    project = Path(config.config_file_path).resolve().parent
    memory = _memory if _serving else None
    # Before anything is derived: a change of the shared inputs drops what was derived from them.
    keep = memory is not None and _dirty and memory.reset_output(_fingerprint(project, config))
    start = time.perf_counter()
    problems: list[str] = []
    try:
        taxonomy = load_taxonomy(project / "topics.yml")
    except TaxonomyError as exc:
        problems, broken = [str(exc)], 1
    else:
        catalog = load_catalog(project / "papers", taxonomy, cache=memory.papers if memory else None)
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
        build = Build(catalog, taxonomy, Site(config.site_name, config.site_description or "", config.site_url), memory=memory)
        if memory is None and os.environ.get("READINGLIST_WORKER", "1") != "0":
            build.start_background()  # the second core computes related papers and exports meanwhile
        build.timings["load"] = time.perf_counter() - start
        pages = generate_all(build)
        _build = build
    _problems.set(problems)
    if memory is not None and not keep:
        memory.written.clear()  # the site folder was emptied (or the shared inputs changed)
        for file in files.documentation_pages():  # dirty mode would skip hand-written pages by their mtime
            file.is_modified = _modified
    for page in pages:
        if files.get_file_from_path(page.src_uri) is not None:
            raise PluginError(f"docs/{page.src_uri} clashes with a generated page; remove or rename it")
        inclusion = InclusionLevel.UNDEFINED if page.in_nav_ok or page.body is None else InclusionLevel.NOT_IN_NAV
        file = File.generated(config, page.src_uri, content=page.content, inclusion=inclusion)
        files.append(file)
        if page.later is not None:
            _later.append((file, page.later))
        if memory is not None:
            key = (page.key if page.key is not None else page.content, page.meta)
            if keep and memory.unchanged(page.src_uri, key):
                file.is_modified = _not_modified  # MkDocs' dirty mode skips the page: its output is current
                continue
            memory.written.pop(page.src_uri, None)  # until it is written again
            _pending[page.src_uri] = (key, file.abs_dest_path)
        if page.body is not None:
            _pages[page.src_uri] = page
    if memory is not None and keep and not problems:
        _remove_stale_output(memory, {page.src_uri for page in pages})
    _add_katex(files, config, project)
    if _build is not None:
        changed = f"; {len(_pending)} of {len(pages)} generated files changed" if memory is not None and keep else ""
        log.info("reading list: %d papers, %d topics%s", len(catalog.papers), len(taxonomy.topics), changed)
    return files


def on_env(env, config, files):
    """Every page has been read and rendered; MkDocs renders the theme and writes files next."""
    if _serving:
        env.bytecode_cache = _memory.templates  # compiled once per server, not once per rebuild
    for file, text in _later:
        file.content_string = text()
    return env


def on_page_markdown(markdown: str, page, config, files) -> str:
    if (generated := _pages.get(page.file.src_uri)) is not None:
        page.meta = dict(generated.meta or {})
    return markdown


def on_page_content(html: str, page, config, files) -> str:
    generated = _pages.get(page.file.src_uri)
    return generated.body() if generated is not None else html


@event_priority(-100)
def on_page_context(context, page, config, nav):
    _rendered.add(page.url)
    generated = _pages.pop(page.file.src_uri, None)
    if generated is not None and generated.tail is not None:
        page.content += generated.tail()
    return context


def on_post_page(output: str, page, config) -> str:
    if (pending := _pending.pop(page.file.src_uri, None)) is not None:
        _memory.written[page.file.src_uri] = pending
    return output


@event_priority(100)  # before the search plugin writes its index
def on_post_build(config) -> None:
    if _serving:
        for src_uri, pending in _pending.items():  # plain files, copied before the pages were built
            _memory.written[src_uri] = pending
        _pending.clear()
        if _dirty and not _problems.get():
            _complete_search_index(config)
        if _build is not None:
            _memory.prune(_build.papers)
    if (target := os.environ.get("READINGLIST_TIMINGS")) and _build is not None:
        Path(target).write_text(json.dumps(_build.timings))


def _not_modified() -> bool:
    return False


def _modified() -> bool:
    return True


def _fingerprint(project: Path, config) -> tuple:
    """What every page depends on (see ``readinglist.incremental``)."""
    docs = Path(config.docs_dir)
    watched = [Path(config.config_file_path), project / "topics.yml", project / "overrides", project / "readinglist",
               Path(__file__)]
    return (incremental.tree_fingerprint([p for p in watched if p.exists()]),
            sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*")),
            config.site_url, config.site_name, config.site_description)


def _remove_stale_output(memory: incremental.Memory, current: set[str]) -> None:
    """Delete what earlier builds wrote for generated files that are gone (a deleted or
    renamed paper, the error page): dirty mode never empties the site folder."""
    for src_uri in [s for s in memory.written if s not in current]:
        _, output = memory.written.pop(src_uri)
        Path(output).unlink(missing_ok=True)


def _complete_search_index(config) -> None:
    """Material's search plugin, in dirty mode, indexes only the pages rebuilt and merges them
    into its previous index assuming one page changed. Keep every page's entries here and hand
    it the whole index: current pages only, rebuilt ones fresh."""
    plugin = next((p for p in config.plugins.values() if hasattr(p, "search_index") and hasattr(p, "search_index_prev")), None)
    if plugin is None or _files is None:
        return
    index = _memory.search
    fresh: dict[str, list] = {}
    for entry in plugin.search_index.entries:
        fresh.setdefault(entry["location"].split("#", 1)[0], []).append(entry)
    for url in _rendered:
        index[url] = fresh.get(url, [])
    urls = [f.url for f in _files.documentation_pages(inclusion=InclusionLevel.is_in_serve)]
    for url in set(index) - set(urls):
        del index[url]
    plugin.search_index.entries = [entry for url in urls for entry in index.get(url, ())]
    plugin.search_index_prev = None


def _add_katex(files: Files, config, project: Path) -> None:
    """KaTeX comes from the npm registry at set-up (package.json), never from a CDN: the
    site must render math offline, and third-party code is not committed."""
    dist = project / "node_modules" / "katex" / "dist"
    if not (dist / "katex.min.js").is_file():
        raise PluginError(f"KaTeX is missing ({dist}): run 'make setup' (or 'npm ci') to install it")
    sources = [dist / name for name in KATEX_FILES] + sorted((dist / "fonts").glob("*.woff2"))
    for source in sources:
        uri = "assets/katex/" + source.relative_to(dist).as_posix()
        files.append(File.generated(config, uri, abs_src_path=str(source)))
