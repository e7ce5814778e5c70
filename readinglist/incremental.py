"""What lets ``mkdocs serve --dirty`` (``make serve``) rebuild only what changed: the hook's
memory between rebuilds.

MkDocs loads the hook module once per ``mkdocs serve`` process and calls it on every rebuild,
so state kept here survives rebuilds (a new process starts from nothing). In dirty mode MkDocs
never empties the site folder, so the output of earlier rebuilds stays there. The hook uses
that:

- every generated page carries a ``key``: a value, compared with ``==``, holding everything its
  output depends on besides what the ``fingerprint`` covers (the papers shown, their order, the
  page's links and counts, its metadata). A generated file whose key equals the key of the
  output an earlier rebuild of this process wrote is left out of MkDocs' files altogether: its
  output stays as it is, and MkDocs makes no ``File`` or ``Page`` object for it (that per-page
  work, not the rendering, is most of a rebuild at 10,000 papers). Pages of the navigation stay
  in the files, marked not modified, so that the navigation resolves;
- the ``fingerprint`` covers what every page depends on: ``mkdocs.yml``, the theme overrides,
  ``topics.yml``, the page code and templates, the hand-written pages' names, the site's name
  and URL. When it changes, every page is rebuilt once;
- derived data is kept under the inputs it is computed from: each parsed paper under its file's
  identity (``catalog.load_catalog(cache=...)``), each text's terms under the text; the related
  papers are updated for the papers whose title, abstract, topics or place changed
  (``related.update``).

Keys name papers as ``(path, paper)``: ``Paper`` equality ignores the path, and a renamed file
moves its page. Nothing here imports MkDocs.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import jinja2
import jinja2.bccache

from .model import Paper

T = TypeVar("T")


def paper_ids(papers: list[Paper]) -> tuple:
    """Papers as they enter a key: ``(path, paper)`` pairs, in order."""
    return tuple(zip([p.path for p in papers], papers, strict=True))


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


def _mtime(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


class TemplateCache(jinja2.BytecodeCache):
    """Compiled theme templates kept in memory. MkDocs makes a new Jinja environment for every
    build, which would compile Material's templates again each time (most of a small rebuild);
    Jinja finds kept code by the template's name and file and checks its source's checksum
    before using it, so one cache serves every build of a process (``COMPILED``), whatever its
    project: an edited template is compiled afresh."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if (code := self._code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


#: The compiled templates of every build in this process (the preview's rebuilds; a process
#: that builds several sites, as the tests do).
COMPILED = TemplateCache()


@dataclass
class Written:
    """What the site folder holds for one generated file."""

    key: object
    """The key of the page whose output it is."""
    output: str
    """The output file's absolute path."""
    url: str | None
    """The page's URL (``None`` for a plain file): the sitemap lists it."""


@dataclass
class Memory:
    """Derived data and written-page keys of earlier builds of this process."""

    papers: dict = field(default_factory=dict)
    """``catalog.load_catalog``'s cache: each file's parse under its identity."""
    fingerprint: object = None
    """What every page depends on, as of the written pages' build (see the module docstring)."""
    written: dict[str, Written] = field(default_factory=dict)
    """Source URI -> what the site folder holds for it, written by an earlier build."""
    related: object = None
    """The related papers and what updating them needs (``readinglist.related.Related``;
    ``object`` here: this module imports no NumPy)."""
    terms: dict[str, Counter] = field(default_factory=dict)
    """Each paper's text (title twice and abstract) -> its terms, for related papers."""
    derived: dict[str, tuple[Paper, dict[tuple, object]]] = field(default_factory=dict)
    """``path -> (paper, {(kind, *inputs): value})``: what is made from one paper (its list
    entries, page metadata, citation base key, export fragments), see ``Build.per_paper``. The
    paper is compared by identity first (an unchanged file's parse is the same object), so
    finding a value hashes no paper."""
    kept: dict[str, tuple[object, object]] = field(default_factory=dict)
    """``name -> (inputs, value)``: a value made from many papers (a feed's text, an export's,
    the citation keys), kept under its inputs, see ``Build.kept``."""
    listing: tuple[object, tuple, list[str]] | None = None
    """(key, every folder's modification time, the file names): the theme's file listing."""
    sitemap: tuple[object, bytes, bytes] | None = None
    """(every page's URL in order, the site URL and date; ``sitemap.xml`` and its gzip bytes)."""
    search: object = None
    """The inputs of the search bundle the site folder holds (``None``: none, or unknown)."""

    def reset_output(self, fingerprint: object) -> bool:
        """Start a build whose shared inputs are ``fingerprint``. If they changed, no written
        output counts as current any more (it is still known, to be removed if its page is
        gone). Returns whether they changed."""
        if fingerprint == self.fingerprint:
            return False
        self.fingerprint = fingerprint
        self.derived.clear()  # made with the old templates, topics or site
        self.kept.clear()
        for written in self.written.values():
            written.key = None
        return True

    def prune(self, papers: list[Paper]) -> None:
        """Forget what was derived from papers no longer in the list (a changed paper's values
        were replaced when it was first asked for)."""
        for path in self.derived.keys() - {p.path for p in papers}:
            del self.derived[path]

    def keep(self, name: str, inputs: object, make: Callable[[], T]) -> T:
        """``make()``, or the value kept under ``name`` if it was made from equal ``inputs``
        (compared with ``==``: a tuple of the same objects compares at C speed)."""
        if (hit := self.kept.get(name)) is not None and hit[0] == inputs:
            return hit[1]  # type: ignore[return-value]
        value = make()
        self.kept[name] = (inputs, value)
        return value

    def list_files(self, key: object, roots: list[str], make: Callable[[], list[str]]) -> list[str]:
        """``make()``: a listing of the files under ``roots``, kept under ``key`` while no
        folder under them changed (adding, removing or renaming a file changes its folder's
        modification time; a new folder changes its parent's). Checking costs one ``stat``
        per folder instead of a walk over every file (the theme has 14,000 icons)."""
        hit = self.listing
        if hit is not None and hit[0] == key and all(_mtime(folder) == stamp for folder, stamp in hit[1]):
            return list(hit[2])
        stamps = tuple((folder, _mtime(folder)) for root in roots for folder, _, _ in os.walk(root))  # before the listing
        files = make()
        self.listing = (key, stamps, list(files))
        return files

    def unchanged(self, src_uri: str, key: object) -> bool:
        """Whether the site folder already holds this file's output for ``key``."""
        return key is not None and (kept := self.written.get(src_uri)) is not None and kept.key == key
