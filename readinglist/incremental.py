"""What lets ``mkdocs serve`` rebuild only what changed (the hook's memory between rebuilds).

MkDocs loads the hook module once per ``mkdocs serve`` process and calls it on every rebuild,
so state kept here survives rebuilds (and is rebuilt from nothing by a new process). In dirty
mode (``mkdocs serve --dirty``, what ``make serve`` runs) MkDocs keeps the previous output and
skips, for each page, reading, rendering, theming and writing when ``File.is_modified()`` says
False. Generated pages always say True, so ``Memory`` decides for them instead:

- every generated page carries a ``key``: a value, compared with ``==``, holding everything its
  output depends on besides what ``Memory.fingerprint`` covers (the papers shown, their order,
  the page's links and counts, its metadata). A page whose key equals the key of the output
  written by an earlier rebuild of this process is not modified;
- ``fingerprint`` covers what every page depends on: ``mkdocs.yml``, the theme overrides, the
  taxonomy, the page code and templates, the names of the hand-written pages, the site's name
  and URL. When it changes, every page is rebuilt once;
- derived data is kept under the inputs it is computed from: each parsed paper under its file's
  identity (``catalog.load_catalog(cache=...)``), the related papers under every paper's title,
  abstract and topics, list entries under the paper and the page depth, exports under their
  papers.

Keys name papers as ``(path, paper)``: ``Paper`` equality ignores the path, and a renamed
file moves its page. Nothing here imports MkDocs.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import jinja2.bccache

from .model import Paper


def paper_ids(papers: list[Paper]) -> tuple:
    """Papers as they enter a key: ``(path, paper)`` pairs, in order."""
    return tuple((p.path, p) for p in papers)


def tree_fingerprint(paths: list[Path]) -> tuple:
    """``(path, size, mtime)`` of every file under ``paths`` (files or folders), sorted;
    compiled-Python caches are left out."""
    found = []
    for root in paths:
        if root.is_file():
            stat = root.stat()
            found.append((str(root), stat.st_size, stat.st_mtime_ns))
            continue
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                stat = os.stat(os.path.join(folder, name))
                found.append((os.path.join(folder, name), stat.st_size, stat.st_mtime_ns))
    return tuple(found)


class TemplateCache(jinja2.BytecodeCache):
    """Compiled theme templates kept in memory. MkDocs makes a new Jinja environment for every
    rebuild, which would compile Material's templates again each time (most of a small
    rebuild); Jinja checks each template's source checksum before reusing its code."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if (code := self._code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


@dataclass
class Memory:
    """Derived data and written-page keys of earlier builds of this process."""

    papers: dict = field(default_factory=dict)
    """``catalog.load_catalog``'s cache: each file's parse under its identity."""
    fingerprint: object = None
    """What every page depends on, as of the written pages' build (see the module docstring)."""
    written: dict[str, tuple[object, str]] = field(default_factory=dict)
    """Source URI -> (key, output path) of what the site folder holds for it."""
    related: tuple[object, dict] | None = None
    """(titles, abstracts and topics of every paper in order, ``path -> related paths``)."""
    terms: dict[str, Counter] = field(default_factory=dict)
    """Each paper's text (title twice and abstract) -> its terms, for related papers."""
    citation_keys: tuple[object, dict[str, str]] | None = None
    """(what citation keys are made of, for every paper in order; ``path -> key``)."""
    entries: dict = field(default_factory=dict)
    """``(path, paper, depth, compact) -> list entry HTML`` (see ``Build.entry``)."""
    fragments: dict[tuple, str] = field(default_factory=dict)
    """``(path, paper, kind, citation key) -> text``: each paper's part of the export files."""
    contents: dict[str, tuple[object, str]] = field(default_factory=dict)
    """Source URI -> (key, text) of generated plain files (feeds, exports)."""
    templates: TemplateCache = field(default_factory=TemplateCache)
    """The theme's compiled templates."""
    search: dict[str, list] = field(default_factory=dict)
    """Page URL -> its search index entries, as last indexed (the hook completes the search
    plugin's index with them in dirty mode)."""

    def reset_output(self, fingerprint: object) -> bool:
        """Start a build whose shared inputs are ``fingerprint``; forget every written page if
        they changed (or if the site folder was emptied). Returns whether anything is kept."""
        if fingerprint != self.fingerprint:
            self.fingerprint = fingerprint
            self.written.clear()
            self.entries.clear()
            self.fragments.clear()
            self.contents.clear()
        return bool(self.written)

    def unchanged(self, src_uri: str, key: object) -> bool:
        """Whether the site folder already holds this page's output for ``key``."""
        return (kept := self.written.get(src_uri)) is not None and kept[0] == key

    def prune(self, papers: list[Paper]) -> None:
        """Forget list entries and fragments of papers no longer in the list (or changed), once
        they have grown well past what the list needs (hashing every paper costs a rebuild time)."""
        if len(self.entries) <= 12 * len(papers) + 100 and len(self.fragments) <= 6 * len(papers) + 100:
            return
        current = set(paper_ids(papers))
        self.entries = {key: html for key, html in self.entries.items() if (key[0], key[1]) in current}
        self.fragments = {key: text for key, text in self.fragments.items() if (key[0], key[1]) in current}
