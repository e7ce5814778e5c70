"""What the preview keeps between rebuilds (``readinglist.incremental``) gives what computing
from scratch gives: kept values follow their inputs, kept feeds and exports are the texts a
build without memory makes, the shared orders are the ``orderings`` ones, the theme listing
is made again when a folder changes. (``tests/test_preview.py`` compares whole sites.)"""

from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import replace
from pathlib import Path

from conftest import copy_project
from readinglist.catalog import load_catalog
from readinglist.incremental import Memory
from readinglist.model import Paper
from readinglist.orderings import by_upvotes, latest, newest_first
from readinglist.pages import exports, feeds
from readinglist.pages.build import Build, Site
from readinglist.pages.search import pickled_paper, read_payload, write_payload
from readinglist.taxonomy import load_taxonomy

SITE = Site("Site", "About", "https://example.org/x/")


def test_kept_values_follow_their_inputs():
    memory = Memory()
    made = []

    def make(value):
        made.append(value)
        return value

    assert memory.keep("a", (1, 2), lambda: make("first")) == "first"
    assert memory.keep("a", (1, 2), lambda: make("again")) == "first"  # equal inputs: kept
    assert memory.keep("a", (1, 3), lambda: make("second")) == "second"
    assert memory.keep("b", (1, 3), lambda: make("other")) == "other"  # names are apart
    memory.reset_output(("new fingerprint",))  # the templates or the site changed: nothing kept counts
    assert memory.keep("a", (1, 3), lambda: make("third")) == "third"
    assert made == ["first", "second", "other", "third"]


def _paper(path: str, **fields) -> Paper:
    base = {"title": path, "published": dt.date(2024, 1, 1), "added": dt.date(2025, 1, 1), "topics": ("t",), "abstract": "a"}
    return Paper(**{**base, **fields}, path=path)


def test_per_paper_values_follow_the_paper_not_its_object():
    memory = Memory()
    build = Build(_catalog([]), _taxonomy(), SITE, memory=memory)
    calls = []

    def make(paper, extra):
        calls.append((paper.path, paper.upvotes, extra))
        return (paper.upvotes, extra)

    one = _paper("2024/a.md", upvotes=1)
    assert build.per_paper("k", one, make, 1) == (1, 1)
    assert build.per_paper("k", one, make, 1) == (1, 1)
    assert build.per_paper("k", replace(one), make, 1) == (1, 1)  # an equal paper (a touched file): kept
    assert build.per_paper("k", one, make, 2) == (1, 2)  # other inputs
    assert build.per_paper("k", replace(one, upvotes=5), make, 1) == (5, 1)  # a changed paper
    assert build.per_paper("k", replace(one, upvotes=5), make, 2) == (5, 2)  # its old values are gone
    assert calls == [("2024/a.md", 1, 1), ("2024/a.md", 1, 2), ("2024/a.md", 5, 1), ("2024/a.md", 5, 2)]
    memory.prune([_paper("2024/b.md")])
    assert "2024/a.md" not in memory.derived  # a paper no longer listed


def _catalog(papers):
    from readinglist.catalog import Catalog
    return Catalog(sorted(papers, key=newest_first))


def _taxonomy():
    from readinglist.taxonomy import Taxonomy, Topic
    return Taxonomy((Topic(id="t", name="T", description="Topic t.", keywords=()),
                     Topic(id="u", name="U", description="Topic u.", keywords=())), fallback="t")


def _old_feed(build: Build, name: str | None) -> str:
    """A feed as it was made before the shared pass: each list sorted on its own, the times
    from every paper."""
    papers = build.papers if name is None else build.by_topic[name]
    shown = latest([p for p in papers if not p.withdrawn], feeds.COUNT)
    path = "feed.xml" if name is None else f"topics/{name}/feed.xml"
    title = build.site.name if name is None else f"{build.site.name}: {build.topics[name].name}"
    subtitle = f"The latest papers added to {build.site.name}." if name is None else build.topics[name].description
    return feeds.atom(build, title=title, subtitle=subtitle, self_path=path, page_path="" if name is None else f"topics/{name}/",
                      papers=shown, updated=feeds.updated_times(build.papers))


def test_kept_feeds_and_exports_are_the_texts_made_from_scratch(tmp_path: Path):
    taxonomy = _taxonomy()
    day = dt.date(2025, 3, 1)
    papers = [_paper(f"2024/p{i:03d}.md", title=f"Paper {i}", published=dt.date(2024, 1 + i % 12, 1 + i % 27),
                     added=day - dt.timedelta(days=i // 7), topics=("t",) if i % 3 else ("t", "u"), upvotes=i % 11 or None,
                     withdrawn=dt.date(2025, 1, 1) if i % 17 == 0 else None)
              for i in range(130)]  # more than a feed (50) and a list page (100) hold
    memory = Memory()
    steps = [
        lambda ps: ps,
        lambda ps: [replace(ps[0], upvotes=999), *ps[1:]],  # upvotes: no feed shows them
        lambda ps: [replace(ps[3], added=day), *ps[:3], *ps[4:]],  # joins a day: the times of that day move
        lambda ps: [*ps, _paper("2024/zzz.md", title="New", added=day, topics=("u",))],
        lambda ps: [p for p in ps if p.path != "2024/p010.md"],
        lambda ps: [replace(p, path=p.path.replace("p020", "renamed")) if "p020" in p.path else p for p in ps],
        lambda ps: [replace(ps[0], title="Retitled"), *ps[1:]],
        lambda ps: [*ps[:5], replace(ps[5], authors=("Ada Lovelace",), published=dt.date(2024, 12, 31)), *ps[6:]],
        lambda ps: [*ps[:7], replace(ps[7], upvotes=None), *ps[8:]],
        lambda ps: [*ps[:7], replace(ps[7], upvotes=0), *ps[8:]],  # the same place in every order
    ]
    for step in steps:
        papers = step(papers)
        kept = Build(_catalog(papers), taxonomy, SITE, memory=memory)
        fresh = Build(_catalog(papers), taxonomy, SITE)
        made = {name: make() for name, make in {**feeds.files(kept), **exports.files(kept)}.items()}
        assert made == {name: make() for name, make in {**feeds.files(fresh), **exports.files(fresh)}.items()}
        for name in (None, "t", "u"):
            assert made["feed.xml" if name is None else f"topics/{name}/feed.xml"] == _old_feed(fresh, name)
        assert kept.upvote_order == by_upvotes(kept.papers)
        for topic in ("t", "u"):
            assert kept.upvoted[0][topic] == by_upvotes(kept.by_topic[topic])
        assert kept.latest_order == latest(kept.papers)
        assert kept.citation_keys == fresh.citation_keys


def test_catalog_order_with_and_without_the_cache(tmp_path: Path):
    project = copy_project(tmp_path / "p")
    taxonomy = load_taxonomy(project / "topics.yml")
    cache: dict = {}
    plain = load_catalog(project / "papers", taxonomy)
    first = load_catalog(project / "papers", taxonomy, cache=cache)
    again = load_catalog(project / "papers", taxonomy, cache=cache)
    assert len(plain.papers) > 3
    assert plain.papers == sorted(plain.papers, key=newest_first)
    assert [p.path for p in first.papers] == [p.path for p in again.papers] == [p.path for p in plain.papers]
    assert all(a is b for a, b in zip(first.papers, again.papers, strict=True))  # unchanged files: not read again


def test_search_payload_round_trip():
    papers = [_paper("2024/a.md", title="A $x$"), _paper("2024/b.md", upvotes=3)]
    handle = io.BytesIO()
    kept = {p.path: pickled_paper(p) for p in papers}
    write_payload(handle, papers, {"t": "T"}, pickled=lambda p: kept[p.path])
    handle.seek(0)
    loaded, names = read_payload(handle)
    assert loaded == papers and [p.path for p in loaded] == ["2024/a.md", "2024/b.md"] and names == {"t": "T"}


def test_theme_listing_is_made_again_when_a_folder_changes(tmp_path: Path):
    root = tmp_path / "theme"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "a.css").write_text("a")
    memory = Memory()
    calls = []

    def listing():
        calls.append(1)
        return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())

    def stamp(folder: Path, ns: int) -> None:  # the clock moved on (file times have a coarse tick)
        os.utime(folder, ns=(ns, ns))

    assert memory.list_files("k", [str(root)], listing) == ["sub/a.css"]
    assert memory.list_files("k", [str(root)], listing) == ["sub/a.css"]
    assert len(calls) == 1  # nothing changed: no walk
    (root / "sub" / "b.js").write_text("b")
    stamp(root / "sub", 10**18)
    assert memory.list_files("k", [str(root)], listing) == ["sub/a.css", "sub/b.js"]
    (root / "sub" / "deeper").mkdir()
    stamp(root / "sub", 2 * 10**18)
    assert memory.list_files("k", [str(root)], listing) == ["sub/a.css", "sub/b.js"]
    (root / "sub" / "deeper" / "c.svg").write_text("c")  # in a folder the first walk never saw
    stamp(root / "sub" / "deeper", 10**18)
    assert memory.list_files("k", [str(root)], listing) == ["sub/a.css", "sub/b.js", "sub/deeper/c.svg"]
    assert memory.list_files("other key", [str(root)], listing) == ["sub/a.css", "sub/b.js", "sub/deeper/c.svg"]
    assert len(calls) == 5
