"""MkDocs hooks that turn ``papers/`` into the site.

Events used, in build order:

- ``on_files``: load and validate every paper file once (``readinglist.catalog``), stop the
  build with every problem listed if any file is wrong, and add the generated pages (paper
  pages, home, topics, dates) with ``File.generated``. Paper pages are kept out of the
  navigation: the nav is rendered into every page, so listing N papers makes a build O(N^2).

The hook keeps no state between builds: ``mkdocs serve`` loads this module once and calls it
again on every rebuild, and each call starts from the files on disk.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from readinglist.catalog import load_catalog  # noqa: E402
from readinglist.pages import Site, generate_all  # noqa: E402
from readinglist.taxonomy import TaxonomyError, load_taxonomy  # noqa: E402

log = logging.getLogger("mkdocs.plugins.reading_list")


def on_files(files: Files, config) -> Files:
    project = Path(config.config_file_path).resolve().parent
    try:
        taxonomy = load_taxonomy(project / "topics.yml")
    except TaxonomyError as exc:
        raise PluginError(str(exc)) from None
    catalog = load_catalog(project / "papers", taxonomy)
    if catalog.problems:
        for problem in catalog.problems:
            log.error(str(problem))
        raise PluginError(f"{len(catalog.problems)} problem(s) in the paper files (listed above); "
                          "'python scripts/validate.py' lists the same.")
    site = Site(config.site_name, config.site_description or "", config.site_url or "")
    for page in generate_all(catalog, taxonomy, site):
        if files.get_file_from_path(page.src_uri) is not None:
            raise PluginError(f"docs/{page.src_uri} clashes with a generated page; remove or rename it")
        inclusion = InclusionLevel.UNDEFINED if page.in_nav_ok else InclusionLevel.NOT_IN_NAV
        files.append(File.generated(config, page.src_uri, content=page.content, inclusion=inclusion))
    log.info("reading list: %d papers, %d topics", len(catalog.papers), len(taxonomy.topics))
    return files
