"""Text to HTML: escaping, math spans, plain titles, first sentences, safe notes."""

from __future__ import annotations

import pytest

from readinglist.render import first_sentence, note_html, plain, relative, rich


@pytest.mark.parametrize(("text", "html"), [
    ("Towards $\\infty$-LLMs", 'Towards <math display="inline"><mrow><mi>∞</mi></mrow></math>-LLMs'),
    ("costs $5 and $10", "costs $5 and $10"),  # prices are not math
    ("$$E=mc^2$$ done", '<math display="block"><mrow><mi>E</mi><mo>=</mo><mi>m</mi><msup><mi>c</mi><mn>2</mn></msup></mrow></math> done'),
    ("<b>x</b> & $<y>$", '&lt;b&gt;x&lt;/b&gt; &amp; <math display="inline"><mrow><mo>&lt;</mo><mi>y</mi><mo>&gt;</mo></mrow></math>'),
])
def test_rich_escapes_and_marks_math(text, html):
    assert str(rich(text)) == html


def test_plain_titles_for_the_browser_tab():
    assert plain("Towards $\\infty$-LLMs") == "Towards ∞-LLMs"
    assert plain("$O(n^2)$ attention with $\\alpha \\leq \\beta$") == "O(n²) attention with α ≤ β"


def test_first_sentence_skips_abbreviations_and_cuts_long_ones():
    assert first_sentence("We use e.g. heads. Then more.") == "We use e.g. heads."
    assert first_sentence("Short. Second.") == "Short."
    long = "word " * 100
    assert first_sentence(long, limit=50).endswith(" …") and len(first_sentence(long, limit=50)) <= 52


def test_notes_are_markdown_without_raw_html_or_unsafe_links():
    html = str(note_html("*em* <script>x</script> [a](javascript:x) [b](https://ok.org) ![i](https://x/y.png)\n\n[r][1]\n\n[1]: data:x"))
    assert "<em>em</em>" in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert '<span>a</span>' in html and '<a href="https://ok.org" rel="nofollow noopener">b</a>' in html
    assert "<img" not in html and "<span>i</span>" in html and "data:" not in html


@pytest.mark.parametrize(("target", "base", "url"), [
    ("topics/x/", "", "topics/x/"), ("", "topics/x/", "../../"), ("", "", "./"),
    ("papers/2024/a/", "papers/2024/b/", "../../../papers/2024/a/"), ("https://x.org/", "a/", "https://x.org/"),
])
def test_relative_urls(target, base, url):
    assert relative(target, base) == url
