"""Hostile input: a site built from papers full of markup, scripts and template syntax shows
all of it as text; feeds, JSON and BibTeX escape it for their formats. (An interrupted import
losing nothing: ``test_storage.py``.)"""

from __future__ import annotations

import gzip
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import bibtexparser
import pytest

from conftest import copy_project, mkdocs_build_in_process

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


BENIGN_SLUG = "a-benign-twin-with-a-note"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """One build holding both twins beside the fixture papers."""
    project = copy_project(tmp_path_factory.mktemp("hostile") / "project")
    (project / f"papers/2024/{SLUG}.md").write_text(HOSTILE, encoding="utf-8")
    (project / f"papers/2024/{BENIGN_SLUG}.md").write_text(BENIGN, encoding="utf-8")
    result = mkdocs_build_in_process(project)
    assert result.returncode == 0, result.stderr
    return project / "site"


def test_the_hostile_paper_is_valid_input(site):
    assert (site / f"papers/2024/{SLUG}/index.html").exists()


def test_no_element_attribute_or_url_scheme_that_the_theme_does_not_make(site, built_site):
    # What the theme makes: every page of the fixture site, and the benign twin's page (a note
    # with emphasis, code and links). The hostile paper may add nothing to that, on its own page
    # or on any list, feed link or index it appears in.
    benign = collect(built_site)
    benign.feed((site / f"papers/2024/{BENIGN_SLUG}/index.html").read_text(encoding="utf-8"))
    hostile = collect(site)
    assert hostile.tags <= benign.tags, hostile.tags - benign.tags
    assert hostile.attrs <= benign.attrs, hostile.attrs - benign.attrs
    assert not any(name.startswith("on") for _, name in hostile.attrs)
    schemes = {m.group(1).lower() for url in hostile.urls if (m := re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):", url))}
    assert schemes <= {"http", "https", "mailto"}, schemes
    # Text may sit in text attributes (content, title), quoted; never in a URL that runs code.
    assert not [u for u in hostile.urls if re.match(r"\s*(javascript|data|vbscript):", u, re.IGNORECASE)]
    assert not any("alert(" in text for text in hostile.script_text)


def test_hostile_text_is_shown_literally(site):
    page = Collector()
    page.feed((site / f"papers/2024/{SLUG}/index.html").read_text(encoding="utf-8"))
    text = " ".join(page.text)
    for literal in ('<script>alert("t")</script>', "{{ config.site_name }}", '{% include "x" %}', "<img src=x onerror=alert(1)>",
                    "</textarea><svg onload=alert(2)>", "{{ 7*7 }}", "<script>alert(6)</script>", "md link",
                    "<b>Bold</b> Author", "&lt;b&gt;"):
        assert literal in text, literal
    html = (site / f"papers/2024/{SLUG}/index.html").read_text(encoding="utf-8")
    assert "<title>&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt; {{ config.site_name }}" in html
    assert 'href="https://example.org/&#34;onmouseover=&#34;alert(12)"' in html  # one attribute, quoted
    assert 'href="https://example.org/ok"' in html  # safe note links survive


def test_index_pages_and_search_index_escape_the_title(site):
    topic = (site / "topics/surveys/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in topic
    fragments = [json.loads(gzip.decompress(f.read_bytes())[12:]) for f in (site / "pagefind/fragment").iterdir()]
    doc = next(d for d in fragments if d["url"] == f"/papers/2024/{SLUG}/")
    assert "<script>" not in doc["meta"]["title_html"]  # the search results' title: escaped HTML


def test_feed_json_and_bibtex_parse_back_to_the_same_text(site):
    feed = ET.parse(site / "feed.xml").getroot()  # noqa: S314 - our own output
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entry = next(e for e in feed.findall("a:entry", ns) if SLUG in e.find("a:id", ns).text)
    assert entry.find("a:title", ns).text.startswith('<script>alert("t")</script> {{ config.site_name }}')
    assert entry.find("a:summary", ns).text.startswith("<img src=x onerror=alert(1)>")
    data = json.loads((site / "papers.json").read_text())
    paper = next(p for p in data["papers"] if p["id"] == f"2024/{SLUG}")
    assert paper["title"] == TITLE and paper["note"] == NOTE.strip()
    assert "<" not in (site / "papers.json").read_text()  # escaped as \\u003c: safe to inline
    library = bibtexparser.parse_string((site / "papers.bib").read_text())
    assert library.failed_blocks == []  # the hostile entry did not break the file
    assert len(library.entries) == 43
    hostile = next(e for e in library.entries if e.key.startswith("author2024script"))
    title, author = hostile.fields_dict["title"].value, hostile.fields_dict["author"].value
    assert "<" not in title + author and "\\textless{}script\\textgreater{}" in title
    assert "\\textbraceleft{}\\textbraceleft{} config.site\\_name \\textbraceright{}\\textbraceright{}" in title
    assert set(hostile.fields_dict) == {"title", "author", "year", "month", "url"}  # nothing injected a field
