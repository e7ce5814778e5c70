"""Turning paper text into HTML: the only place where text from a paper file meets markup.

Everything from a paper file is *text*: titles and abstracts are escaped by Jinja's
autoescaping (templates in ``templates/``), with one exception made on purpose, TeX math
between ``$`` signs, which becomes MathML when the site is built (``math.py``: its output is
rebuilt from a checked element tree, text escaped). The curator's note is Markdown, rendered
with raw HTML switched off and only http(s)/mailto links kept.

Generated pages never go through Markdown: their source is empty, and the hook puts the HTML
rendered here (``render``, from the templates) in place of the converted Markdown in
``on_page_content``. So no Markdown or template syntax inside a title or abstract is ever
interpreted, and Python-Markdown never re-parses large HTML blocks.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
import markdown
from markupsafe import Markup

from . import math
from .model import Paper, note_problem
from .text import first_sentence

TEMPLATES = Path(__file__).parent / "templates"

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
LINK_LABELS = {"code": "Code", "project": "Project page", "data": "Data", "pdf": "PDF",
               "video": "Video", "slides": "Slides", "blog": "Blog post", "demo": "Demo",
               "model": "Model", "poster": "Poster"}


# --------------------------------------------------------------------------------------------
# Text helpers (pure)


def rich(text: str) -> Markup:
    """Escaped HTML for a title or abstract, with ``$...$`` / ``$$...$$`` as MathML (``math.py``)."""
    return math.html_with_math(text)


def plain(text: str) -> str:
    """A title as readable plain text (for the browser tab, meta tags, feed titles): TeX math
    becomes Unicode (``$\\infty$`` -> ``∞``, ``$n^2$`` -> ``n²``), or stays as written if it
    cannot be converted."""
    return math.plain(text)


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def long_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def short_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1][:3]} {day.year}"


def authors_text(paper: Paper, *, most: int = 8) -> str:
    if paper.authors:
        names = list(paper.authors)
        if len(names) > most:
            return ", ".join(names[:most]) + f" and {len(names) - most} more"
        return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]
    if paper.author_count:
        return f"{paper.author_count} author{'s' if paper.author_count != 1 else ''}"
    return ""


def link_label(kind: str) -> str:
    base, _, n = kind.partition("-")
    label = LINK_LABELS.get(base, base.replace("-", " ").capitalize())
    return f"{label} {n}" if n.isdigit() else LINK_LABELS.get(kind, kind.replace("-", " ").capitalize())


def relative(target: str, base: str) -> str:
    """URL of site path ``target`` as seen from the page at site path ``base``. Both are
    directory URLs (``topics/x/``; ``""`` is the home page), so going up is one ``../`` per
    ``/`` of ``base``."""
    if urlsplit(target).scheme:
        return target
    return "../" * base.count("/") + target or "./"


# --------------------------------------------------------------------------------------------
# The curator's note: Markdown without raw HTML, links limited to safe schemes


def _scheme(value: str) -> str | None:
    """The scheme of a link Markdown made, or None if it cannot be read (``http://[::1``).
    An e-mail autolink's href is obfuscated as character references behind Markdown's
    placeholder for '&': decode it first, or ``<a@b.org>`` would lose its mailto link."""
    decoded = html.unescape(value.replace(markdown.util.AMP_SUBSTITUTE, "&")).strip()
    try:
        return urlsplit(decoded).scheme.lower()
    except ValueError:
        return None


class _SafeLinks(markdown.treeprocessors.Treeprocessor):
    def run(self, root):
        for element in root.iter():
            for attr in ("href", "src"):
                value = element.get(attr)
                if value is not None and _scheme(value) not in ("http", "https", "mailto"):
                    del element.attrib[attr]
            if element.tag == "a":
                if element.get("href"):
                    element.set("rel", "nofollow noopener")
                else:  # its URL was unsafe: keep the text, drop the link
                    element.tag = "span"
                    element.attrib.clear()
            if element.tag == "img":
                element.tag = "span"  # no remote images from a note either
                element.text = element.get("alt", "")
                element.attrib.clear()


class _NoRawHtml(markdown.Extension):
    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_SafeLinks(md), "safe_links", 0)


def note_html(text: str) -> Markup:
    """The curator's note rendered from Markdown; raw HTML shows as text. A note over the
    size or nesting limits (``model.note_problem``; the validator refuses it) is never given
    to Markdown: it is shown as escaped plain paragraphs, so rendering time stays bounded."""
    if note_problem(text) is not None:
        return Markup("").join(Markup("<p>%s</p>") % p for p in paragraphs(text))
    rendered = markdown.markdown(text, extensions=[_NoRawHtml()], output_format="html")
    return Markup(rendered)  # noqa: S704 - built by Markdown with raw HTML disabled, links filtered


# --------------------------------------------------------------------------------------------
# Templates


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
    )
    env.filters.update(rich=rich, plain=plain, first_sentence=first_sentence, long_date=long_date,
                       short_date=short_date, authors=authors_text, link_label=link_label,
                       note_html=note_html, paragraphs=paragraphs)
    return env


def render(template: str, base: str, **context) -> str:
    """Render ``template`` for the page at site path ``base``; ``url(x)`` in the template
    gives the relative URL of site path ``x``."""
    return environment().get_template(template).render(url=lambda target: relative(target, base), **context).strip()
