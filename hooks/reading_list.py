"""MkDocs hooks that turn ``papers/`` into the site.

Events used, in build order:

- ``on_files``: load and validate every paper file once (``readinglist.catalog``), stop the
  build with every problem listed if any file is wrong, then add the generated files (paper
  pages, home, topics, dates, feeds, exports) with ``File.generated``. TeX math is already
  MathML in those pages (``readinglist.math``): no math assets are added. Paper pages are kept
  out of the navigation: the nav is rendered into every page, so listing N papers makes a
  build O(N^2). As soon as the catalog is loaded, the search indexer starts in a child
  process (``readinglist.pages.search.SearchIndexer``: Pagefind over one record per paper), so
  that it works on the second core while MkDocs renders the pages.
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
  (``overrides/partials/copyright.html``).
- ``on_post_build``: wait for the search indexer and move its bundle into ``site/pagefind/``
  (a failed indexer fails the build); write the stage timings if asked.
- ``on_build_error``: stop the indexer and remove its files.

State lives for one build only: ``on_files`` replaces it, so ``mkdocs serve`` (which loads this
module once and calls it on every rebuild) always starts from the files on disk.

``READINGLIST_SEARCH=off`` builds without the search index (``scripts/bench.py`` measures the
build with and without it). If ``READINGLIST_TIMINGS`` names a file, the seconds spent per
stage are written to it as JSON (``scripts/bench.py`` reads them).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files, InclusionLevel

from readinglist.catalog import load_catalog
from readinglist.model import shown
from readinglist.pages import generate_all
from readinglist.pages.build import Build, GeneratedPage, Site
from readinglist.pages.search import SearchIndexer, pagefind_executable
from readinglist.status import build_facts
from readinglist.taxonomy import TaxonomyError, load_taxonomy

log = logging.getLogger("mkdocs.plugins.reading_list")

#: This build's generated pages by source URI, and its Build (for timings).
_pages: dict[str, GeneratedPage] = {}
_build: Build | None = None
_indexer: SearchIndexer | None = None

def on_files(files: Files, config) -> Files:
    global _pages, _build
    _stop_indexer()
    _pages, _build = {}, None
    project = Path(config.config_file_path).resolve().parent
    start = time.perf_counter()
    try:
        taxonomy = load_taxonomy(project / "topics.yml")
    except TaxonomyError as exc:
        raise PluginError(shown(str(exc))) from None
    catalog = load_catalog(project / "papers", taxonomy)
    if catalog.problems:
        for problem in catalog.problems:
            log.error(str(problem))
        raise PluginError(f"{len(catalog.problems)} problem(s) in the paper files (listed above); "
                          "'python scripts/validate.py' lists the same.")
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
                  facts=facts, timings=timings)
    _start_indexer(build, config)
    for page in generate_all(build):
        if files.get_file_from_path(page.src_uri) is not None:
            raise PluginError(f"docs/{page.src_uri} clashes with a generated page; remove or rename it")
        inclusion = InclusionLevel.UNDEFINED if page.in_nav_ok or page.body is None else InclusionLevel.NOT_IN_NAV
        files.append(File.generated(config, page.src_uri, content=page.content, inclusion=inclusion))
        if page.body is not None:
            _pages[page.src_uri] = page
    _build = build
    log.info("reading list: %d papers, %d topics", len(catalog.papers), len(taxonomy.topics))
    return files


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
    env.globals["reading_list_status"] = _build.facts.summary() if _build is not None and _build.facts else None
    return env


def on_post_build(config) -> None:
    global _indexer
    if _indexer is not None:
        indexer, _indexer = _indexer, None
        try:
            timings = indexer.finish(Path(config.site_dir))
        except RuntimeError as exc:
            raise PluginError(f"search index: {exc}") from None
        if _build is not None and _build.timings is not None:
            _build.timings.update(timings)
    if (target := os.environ.get("READINGLIST_TIMINGS")) and _build is not None and _build.timings is not None:
        Path(target).write_text(json.dumps(_build.timings))


def on_build_error(error) -> None:
    _stop_indexer()


def _start_indexer(build: Build, config) -> None:
    """Start Pagefind on the catalog now, in a child process; ``on_post_build`` collects it."""
    global _indexer
    config.extra["reading_list_search"] = {"topics": {t.id: t.name for t in build.taxonomy.topics}}
    if os.environ.get("READINGLIST_SEARCH", "").lower() == "off":
        return
    try:
        pagefind_executable()
    except FileNotFoundError as exc:
        raise PluginError(f"search index: {exc}") from None
    work = Path(tempfile.mkdtemp(prefix="readinglist-search-"))
    # The bundle is written inside the site folder (cleaned by MkDocs before on_files), so
    # moving it into place at the end is a rename, whatever file system the site is on.
    site_dir = Path(config.site_dir)
    site_dir.mkdir(parents=True, exist_ok=True)
    output = Path(tempfile.mkdtemp(prefix=".pagefind-", dir=site_dir))
    output.rmdir()  # Pagefind creates it
    _indexer = SearchIndexer(build.papers, {t.id: t.name for t in build.taxonomy.topics}, work, output)


def _stop_indexer() -> None:
    global _indexer
    if _indexer is not None:
        _indexer.cancel()
        _indexer = None


