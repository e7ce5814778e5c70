"""TeX math converted at build time (readinglist/math.py): MathML for pages, plain text for
tabs, meta tags and feeds; malformed or hostile TeX never breaks a page. The oracle for
"is this safe markup" is Python's HTML parser, not the code under test."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import time
from html.parser import HTMLParser

import feedparser
import pytest

from conftest import copy_project, mkdocs_build_in_process
from readinglist import math
from readinglist.catalog import make_slug
from readinglist.model import Paper
from readinglist.pages.feeds import updated_times

ALLOWED = math.ELEMENTS


class _Markup(HTMLParser):
    """Every element and attribute in a fragment, and its text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs

    def handle_data(self, data):
        self.text += data


def parsed(html: str) -> _Markup:
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return parser


@pytest.mark.parametrize(("tex", "tags", "text"), [
    ("\\infty", {"math", "mrow", "mi"}, "∞"),  # an ordinary symbol, not an operator
    ("x^2", {"math", "mrow", "msup", "mi", "mn"}, "x2"),
    ("\\frac{1}{\\sqrt{d_k}}", {"math", "mrow", "mfrac", "mn", "msqrt", "msub", "mi"}, "1dk"),
    ("\\alpha \\leq \\beta", {"math", "mrow", "mi", "mo"}, "α≤β"),
    ("\\mathcal{O}(n \\log n)", {"math", "mrow", "mi", "mo"}, "𝒪(nlogn)"),
])
def test_good_tex_becomes_mathml(tex, tags, text):
    html = math.mathml(tex)
    assert html is not None
    markup = parsed(str(html))
    assert set(markup.tags) == tags
    assert markup.text == text
    assert markup.tags[0] == "math" and ("display", "inline") in markup.attrs


def test_display_math_is_a_block():
    assert ("display", "block") in parsed(str(math.mathml("E=mc^2", display=True))).attrs
    assert str(math.html_with_math("$$E=mc^2$$")).startswith('<math display="block">')


@pytest.mark.parametrize(("text", "plain"), [
    ("Towards $\\infty$-LLMs", "Towards ∞-LLMs"),
    ("$x^2$ and $O(n^2)$", "x² and O(n²)"),
    ("$\\alpha \\leq \\beta$", "α ≤ β"),
    ("$10^{-3}$ error", "10⁻³ error"),
    ("$x_i$", "x_i"),
    ("$\\frac{1}{2}$", "1/2"),
    ("$x^{ab}$", "x^ab"),
    ("costs $5 and $10", "costs $5 and $10"),
    ("no math at all", "no math at all"),
])
def test_plain_text_reads_well(text, plain):
    assert math.plain(text) == plain
    assert "\\" not in math.plain(text)


@pytest.mark.parametrize("text", [
    "Broken $\\frac{a$ formula",          # a missing argument
    "Broken $\\sqrt$ formula",            # a command with nothing after it
    "Broken $x^$ formula",
    "Unknown $\\foobar x$ command",       # would show as a raw command name
    "Unclosed $\\begin{matrix}$ env",
    "Huge $" + "{" * 3000 + "$ formula",  # longer than MAX_TEX
    "Deep $" + "{" * 400 + "x" + "}" * 400 + "$ nesting",
])
def test_malformed_tex_falls_back_to_the_literal_text(text):
    html = str(math.html_with_math(text))
    assert "<math" not in html
    assert parsed(html).text == text
    assert math.plain(text) == text


@pytest.mark.parametrize("tex", [
    "<script>alert(1)</script>",
    "\\text{<img src=x onerror=alert(1)>}",
    "\\href{javascript:alert(1)}{x}",
    "\\color{red}{x} \\colorbox{black}{y}",
    "\\Huge x \\hspace{1000em} y",
    "\\style{color:red}{x}",
    "\" onmouseover=\"alert(1)",
    "x & y < z > w",
    "{{ config }} {% raw %}",
])
def test_hostile_tex_never_becomes_markup(tex):
    html = str(math.html_with_math(f"Title ${tex}$ end"))
    markup = parsed(html)
    assert set(markup.tags) <= ALLOWED
    for name, value in markup.attrs:
        assert name in math.ATTRIBUTES, name
        assert value is None or ":" not in value
    assert "script" not in markup.tags and "img" not in markup.tags
    assert not any(name in ("href", "mathcolor", "mathbackground", "mathsize", "style") for name, _ in markup.attrs)
    assert markup.text.startswith("Title ") and markup.text.endswith(" end")
    plain = math.plain(f"Title ${tex}$ end")
    assert plain.startswith("Title ")


def test_conversion_is_bounded_in_time():
    text = " ".join(f"${'x^{' * 20}y{'}' * 20}$" for _ in range(200))
    start = time.perf_counter()
    math.html_with_math(text)
    math.plain(text)
    assert time.perf_counter() - start < 10


def _paper(path: str, added: str, published: str = "2024-01-01") -> Paper:
    return Paper(title=path, published=dt.date.fromisoformat(published), added=dt.date.fromisoformat(added),
                 topics=("t",), abstract="a", path=path)


def test_feed_entries_have_their_own_updated_time():
    papers = [_paper("2024/a.md", "2025-03-01", "2024-02-01"), _paper("2024/b.md", "2025-03-01", "2024-03-01"),
              _paper("2024/c.md", "2025-03-01", "2024-01-01"), _paper("2024/d.md", "2025-02-01")]
    times = updated_times(papers)
    assert len(set(times.values())) == len(papers)
    for paper in papers:
        moment = times[paper.path]
        assert moment.tzinfo is not None and moment.date() == paper.added  # never before it was added
    # Within a day, the feed's order (newest published first) is kept: b, a, c.
    assert times["2024/b.md"] > times["2024/a.md"] > times["2024/c.md"] > times["2024/d.md"]


@pytest.fixture(scope="module")
def math_site(tmp_path_factory):
    """A site with one paper whose title and abstract hold math, beside two plain ones added the same day."""
    project = copy_project(tmp_path_factory.mktemp("math") / "project", papers=False)
    for title, abstract in ((TITLE, "We bound $\\alpha \\leq \\beta$ for $O(n^2)$ attention. A broken $\\frac{a$ formula."),
                            ("Plain Paper One", "Plain."), ("Plain Paper Two", "Plain.")):
        path = project / "papers" / "2025" / f"{make_slug(title)}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\ntitle: {json.dumps(title)}\npublished: 2025-01-10\nauthor_count: 1\n"
                        f"topics: [long-context]\nadded: 2025-03-05\n---\n\n{abstract}\n")
    result = mkdocs_build_in_process(project)
    assert result.returncode == 0, result.stderr
    return project / "site", "papers/2025/" + make_slug(TITLE) + "/"


TITLE = "Towards $\\infty$ Context with $O(n^2)$ Attention"
PLAIN_TITLE = "Towards ∞ Context with O(n²) Attention"


def test_no_raw_tex_where_a_reader_sees_text(math_site):
    site, url = math_site
    html = (site / url / "index.html").read_text()
    head = html.split("</head>", 1)[0]
    assert f"<title>{PLAIN_TITLE} - " in head
    assert f'<meta property="og:title" content="{PLAIN_TITLE}">' in head
    description = re.search(r'<meta property="og:description" content="([^"]*)"', head).group(1)
    assert "α ≤ β" in description and "$" not in description
    body = parsed(html.split("<body", 1)[1].split('class="rl-paper__tail"', 1)[0])
    assert "math" in body.tags and "\\infty" not in body.text and "\\alpha" not in body.text
    assert "$\\frac{a$" in body.text  # malformed: as written
    # The search record (Pagefind's fragment of the page): plain title, MathML title for results.
    fragments = [json.loads(gzip.decompress(f.read_bytes())[12:]) for f in (site / "pagefind/fragment").iterdir()]
    entry = next(d for d in fragments if d["url"] == "/" + url)
    assert entry["meta"]["title"] == PLAIN_TITLE and "\\infty" not in entry["content"] and "\\alpha" not in entry["content"]
    assert "<math" in entry["meta"]["title_html"]
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo
    titles = {e.title: e for e in feed.entries}
    assert PLAIN_TITLE in titles and "α ≤ β" in titles[PLAIN_TITLE].summary and "\\alpha" not in titles[PLAIN_TITLE].summary
    updated = [e.updated for e in feed.entries]
    assert len(set(updated)) == len(updated) == 3  # added the same day, each its own instant


def test_home_page_social_title_is_the_site_name(math_site):
    site, _ = math_site
    head = (site / "index.html").read_text().split("</head>", 1)[0]
    name = re.search(r"<title>([^<]*)</title>", head).group(1)
    assert f'<meta property="og:title" content="{name}">' in head and name != "Home"


def test_pages_without_math_load_no_math_assets(math_site):
    site, _ = math_site
    assert not (site / "assets" / "katex").exists()
    for page in site.rglob("*.html"):
        text = page.read_text().lower()
        assert "katex" not in text and "mathjax" not in text and ".woff" not in text, page
