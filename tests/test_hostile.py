"""Hostile input: a site built from papers full of markup, scripts and template syntax shows
all of it as text; feeds, JSON and BibTeX escape it for their formats; an interrupted import
loses nothing."""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import ROOT, copy_project, mkdocs_build, run
from readinglist.catalog import write_all_atomic

TITLE = '<script>alert("t")</script> {{ config.site_name }} {% include "x" %} ]]> &amp; $\\href{javascript:alert(1)}{x}$'
ABSTRACT = """<img src=x onerror=alert(1)> </textarea><svg onload=alert(2)> <iframe src="javascript:alert(3)"></iframe>
[click](javascript:alert(4)) {{ 7*7 }} {% raw %} <a href="javascript:alert(5)">a</a> &lt;b&gt; `code`

<style>body{display:none}</style> <object data="x.swf"></object> <!-- comment --> <meta http-equiv="refresh" content="0;url=https://evil.example">"""
NOTE = """Read *this* and `that`.

<script>alert(6)</script> <a href="javascript:alert(7)" onclick="alert(8)">raw link</a>

[md link](javascript:alert(9)) [data](data:text/html;base64,PHNjcmlwdD4=) [ok](https://example.org/ok)
![img](https://evil.example/pixel.png) <https://example.org/auto> [ref][r] [ent](&#106;avascript:alert(10))

[r]: javascript:alert(11)
"""
HOSTILE = f"""---
title: {json.dumps(TITLE)}
published: 2024-05-01
authors: ["<b>Bold</b> Author", "Robert'); DROP TABLE papers;--", "{{{{ 1+1 }}}}"]
upvotes: 3
links:
  code: 'https://example.org/"onmouseover="alert(12)'
  project: https://example.org/a?b=<c>&d='e'
topics: [surveys]
added: 2024-05-02
note: {json.dumps(NOTE)}
---

{ABSTRACT}
"""
BENIGN = """---
title: A Benign Twin With a Note
published: 2024-05-01
authors: [Ada Lovelace]
upvotes: 3
links:
  code: https://example.org/code
topics: [surveys]
added: 2024-05-02
note: |
  Read *this* and `that`: [ok](https://example.org/ok) <https://example.org/auto>.
---

An abstract with $x^2$ math.
"""
SLUG = "script-alert-t-script-config-site-name-include-x-amp-href-javascript-alert-1-x"


class Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attrs: set[tuple[str, str]] = set()
        self.urls: list[str] = []
        self.script_text: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self._in_script = tag in ("script", "style")
        for name, value in attrs:
            self.attrs.add((tag, name))
            if name in ("href", "src", "action", "formaction", "data", "poster") and value:
                self.urls.append(value)

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        (self.script_text if self._in_script else self.text).append(data)


def collect(site: Path) -> Collector:
    collector = Collector()
    for page in sorted(site.rglob("*.html")):
        collector.feed(page.read_text(encoding="utf-8"))
    return collector


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    built = {}
    for name, text in (("benign", BENIGN), ("hostile", HOSTILE)):
        project = copy_project(tmp_path_factory.mktemp(name) / "project")
        slug = SLUG if name == "hostile" else "a-benign-twin-with-a-note"
        (project / f"papers/2024/{slug}.md").write_text(text, encoding="utf-8")
        result = mkdocs_build(project)
        assert result.returncode == 0, result.stderr
        built[name] = project / "site"
    return built


def test_the_hostile_paper_is_valid_input(sites):
    assert (sites["hostile"] / f"papers/2024/{SLUG}/index.html").exists()


def test_no_element_attribute_or_url_scheme_that_the_theme_does_not_make(sites):
    benign, hostile = collect(sites["benign"]), collect(sites["hostile"])
    assert hostile.tags <= benign.tags, hostile.tags - benign.tags
    assert hostile.attrs <= benign.attrs, hostile.attrs - benign.attrs
    assert not any(name.startswith("on") for _, name in hostile.attrs)
    schemes = {m.group(1).lower() for url in hostile.urls if (m := re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):", url))}
    assert schemes <= {"http", "https", "mailto"}, schemes
    # Text may sit in text attributes (content, title), quoted; never in a URL that runs code.
    assert not [u for u in hostile.urls if re.match(r"\s*(javascript|data|vbscript):", u, re.IGNORECASE)]
    assert not any("alert(" in text for text in hostile.script_text)


def test_hostile_text_is_shown_literally(sites):
    page = Collector()
    page.feed((sites["hostile"] / f"papers/2024/{SLUG}/index.html").read_text(encoding="utf-8"))
    text = " ".join(page.text)
    for literal in ('<script>alert("t")</script>', "{{ config.site_name }}", '{% include "x" %}', "<img src=x onerror=alert(1)>",
                    "</textarea><svg onload=alert(2)>", "{{ 7*7 }}", "<script>alert(6)</script>", "md link",
                    "<b>Bold</b> Author", "&lt;b&gt;"):
        assert literal in text, literal
    html = (sites["hostile"] / f"papers/2024/{SLUG}/index.html").read_text(encoding="utf-8")
    assert "<title>&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt; {{ config.site_name }}" in html
    assert 'href="https://example.org/&#34;onmouseover=&#34;alert(12)"' in html  # one attribute, quoted
    assert 'href="https://example.org/ok"' in html  # safe note links survive


def test_index_pages_and_search_index_escape_the_title(sites):
    topic = (sites["hostile"] / "topics/surveys/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in topic
    fragments = [json.loads(gzip.decompress(f.read_bytes())[12:]) for f in (sites["hostile"] / "pagefind/fragment").iterdir()]
    doc = next(d for d in fragments if d["url"] == f"/papers/2024/{SLUG}/")
    assert "<script>" not in doc["meta"]["title_html"]  # the search results' title: escaped HTML


def test_feed_json_and_bibtex_parse_back_to_the_same_text(sites):
    site = sites["hostile"]
    feed = ET.parse(site / "feed.xml").getroot()  # noqa: S314 - our own output
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entry = next(e for e in feed.findall("a:entry", ns) if SLUG in e.find("a:id", ns).text)
    assert entry.find("a:title", ns).text.startswith('<script>alert("t")</script> {{ config.site_name }}')
    assert entry.find("a:summary", ns).text.startswith("<img src=x onerror=alert(1)>")
    data = json.loads((site / "papers.json").read_text())
    paper = next(p for p in data["papers"] if p["id"] == f"2024/{SLUG}")
    assert paper["title"] == TITLE and paper["note"] == NOTE.strip()
    assert "<" not in (site / "papers.json").read_text()  # escaped as \\u003c: safe to inline
    bib = (site / "papers.bib").read_text()
    entry_text = bib[bib.index("@misc{author2024script"):].split("\n}\n", 1)[0]
    title, author = (line for line in entry_text.splitlines() if line.lstrip().startswith(("title", "author")))
    assert "<" not in title + author and "\\textless{}script\\textgreater{}" in title
    assert "\\{\\{ config.site\\_name \\}\\}" in title
    depth = 0
    for i, ch in enumerate(entry_text):
        if ch in "{}" and entry_text[i - 1] != "\\":
            depth += 1 if ch == "{" else -1
            assert depth >= 0
    assert depth == 1  # only the entry's own "@misc{" is open: the split dropped its closing brace


# --- Never lose data ---------------------------------------------------------------------


def test_a_failure_half_way_through_writing_changes_no_file(tmp_path, monkeypatch):
    existing = {tmp_path / f"{i}.md": f"old {i}\n" for i in range(5)}
    for path, text in existing.items():
        path.write_text(text)
    new = {path: f"new {path.name}\n" for path in existing} | {tmp_path / f"new-{i}.md": "fresh\n" for i in range(5)}
    calls = {"n": 0}
    real_open = open

    def failing_open(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 7:
            raise OSError(28, "No space left on device")
        return real_open(*args, **kwargs)

    monkeypatch.setattr("builtins.open", failing_open)
    with pytest.raises(OSError, match="No space left"):
        write_all_atomic(new)
    monkeypatch.undo()
    assert {p: p.read_text() for p in tmp_path.iterdir()} == existing  # old files intact, nothing new, no temporaries


def test_killed_import_leaves_every_existing_file_intact(tmp_path):
    papers = tmp_path / "papers"
    seed = run("scripts/import_scrape.py", ROOT / "tests/fixtures/hf-daily-papers-scrape.txt", "--papers-dir", papers,
               "--added", "2026-11-28")
    assert seed.returncode == 0
    before = {p: p.read_bytes() for p in papers.rglob("*.md")}
    # A scrape that updates every seed paper (new upvotes) and adds thousands of new ones.
    text = (ROOT / "tests/fixtures/hf-daily-papers-scrape.txt").read_text()
    text = re.sub(r"^(\w{3} \d{1,2}, \d{4})(?: \d+)?$", r"\1 999", text, flags=re.MULTILINE)
    extra = "".join(f"Synthetic Paper Number {i} on Attention Heads\n\nAn abstract about attention heads, number {i}.\n\n"
                    f"  • 2 authors\n·\nMar 3, 2024 {i}\n\n" for i in range(8000))
    scrape = tmp_path / "big.txt"
    scrape.write_text(text + "\n\n" + extra)
    process = subprocess.Popen([sys.executable, str(ROOT / "scripts/import_scrape.py"), str(scrape), "--papers-dir", str(papers),
                                "--added", "2026-11-29"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    deadline = time.monotonic() + 120
    # Wait until it is writing its temporary files (the new papers all go to 2024/), then kill it.
    while sum(name.endswith(".tmp") for name in os.listdir(papers / "2024")) <= 50:
        assert process.poll() is None, "the import finished before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    after = {p: p.read_bytes() for p in papers.rglob("*.md") if not p.name.startswith(".")}
    assert after == before  # every existing file byte for byte, and no new (possibly partial) paper file
    # The next run cleans up what the killed one left and imports everything.
    again = run("scripts/import_scrape.py", scrape, "--papers-dir", papers, "--added", "2026-11-29")
    assert again.returncode == 0, again.stderr
    assert "left by an interrupted run" in again.stderr
    assert "8000 created, 41 updated" in again.stdout
    assert not list(papers.rglob(".*.tmp"))
    assert run("scripts/validate.py", "--papers-dir", papers).returncode == 0
