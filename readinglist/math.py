"""TeX math in titles and abstracts, converted once, when the site is built.

``$...$`` (inline) and ``$$...$$`` (display) become MathML, which browsers render natively
(MathML Core): pages need no math JavaScript, CSS or fonts, nothing moves after the page
loads, and the formula reads the same with JavaScript off. The same conversion gives a
plain-text form (``$\\infty$`` -> ``∞``, ``$O(n^2)$`` -> ``O(n²)``) for places that cannot
hold markup: the browser tab, social meta tags, feed titles.

The TeX comes from strangers, so the converter's output is never trusted as markup:
``latex2mathml`` builds an element tree, and this module keeps only MathML elements and
attributes it knows (no links, colours, sizes or styles), checks every attribute value, and
serialises the tree itself, escaping all text. Anything the converter fails on, or that
yields an unknown command or element, falls back to the literal text (``$\\frac{a$`` stays
``$\\frac{a$``): never an error, never a broken page.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from latex2mathml.converter import convert_to_element
from markupsafe import Markup, escape

from .texspans import tex_matches

#: ``$$display$$`` or ``$inline$``: a ``$`` not preceded by a backslash, a word character or
#: another ``$``, with no space just inside the signs ("costs $5 and $6" is not math). This is
#: the rule; ``texspans.tex_matches`` applies it in linear time (``re`` takes quadratic time on
#: hostile text such as ``"$a " * 6000``), so only ever match with that.
TEX = re.compile(r"\$\$(.+?)\$\$|(?<![\\$\w])\$(?=[^\s$])(.+?)(?<=[^\s\\])\$(?![\w$])", re.DOTALL)

#: Formulas longer than this stay literal text: titles and abstracts hold short formulas,
#: and it bounds the converter's time and output on hostile input.
MAX_TEX = 500

#: MathML Core's elements (plus ``menclose``, which latex2mathml uses for ``\boxed``).
ELEMENTS = frozenset("""math semantics annotation mrow mi mo mn ms mtext mspace msup msub msubsup mfrac
    msqrt mroot mover munder munderover mtable mtr mtd mstyle mpadded mphantom menclose merror
    mmultiscripts mprescripts none""".split())

_WORD = re.compile(r"^[a-z]+(-[a-z]+)*$")  # bold, double-struck, bold-italic
_BOOL = re.compile(r"^(true|false)$")
_LENGTH = re.compile(r"^-?(\d{1,2}(\.\d{1,4})?|\.\d{1,4})(em|ex|mu|pt)?$")  # at most 99 units: no page-wide spaces
_LIST = re.compile(r"^[a-z0-9. -]{1,60}$")
#: Attribute -> the values it may take. Everything else (href, mathcolor, mathbackground,
#: mathsize, style, class, id, on*) is dropped.
ATTRIBUTES = {
    "display": re.compile(r"^(inline|block)$"), "mathvariant": _WORD, "stretchy": _BOOL, "fence": _BOOL,
    "separator": _BOOL, "accent": _BOOL, "accentunder": _BOOL, "largeop": _BOOL, "movablelimits": _BOOL,
    "symmetric": _BOOL, "displaystyle": _BOOL, "form": re.compile(r"^(prefix|infix|postfix)$"),
    "scriptlevel": re.compile(r"^[+-]?\d$"), "lspace": _LENGTH, "rspace": _LENGTH, "minsize": _LENGTH,
    "maxsize": _LENGTH, "width": _LENGTH, "height": _LENGTH, "depth": _LENGTH, "voffset": _LENGTH,
    "linethickness": _LENGTH, "notation": _LIST, "columnalign": _LIST, "rowalign": _LIST,
    "columnspacing": _LIST, "rowspacing": _LIST, "columnlines": _LIST, "rowlines": _LIST, "frame": _WORD,
}
#: Elements that take a fixed number of children: fewer means the TeX was cut short (``\\frac{a``).
_ARITY = {"msup": 2, "msub": 2, "mfrac": 2, "mroot": 2, "mover": 2, "munder": 2, "msubsup": 3, "munderover": 3}
#: Ordinary symbols latex2mathml writes as operators: as <mo> they get operator spacing
#: ("towards  ∞  context"); TeX sets them as ordinary symbols, like <mi>.
_ORDINARY = frozenset("∞∂∇ℓℏ∅")
_TOKENS = frozenset({"mi", "mo", "mn", "ms", "mtext"})
_SUPERSCRIPT = str.maketrans("0123456789+-−=()in", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁱⁿ")
_SUBSCRIPT = str.maketrans("0123456789+-−=()", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎")
_TIGHT = set("()[]{}|‖⟨⟩,.;:!'′″/")  # operators written without spaces around them


class _Unsupported(Exception):
    """The converter produced something this module will not show: fall back to text."""


@dataclass(frozen=True)
class Segment:
    """A piece of a title or abstract: literal ``text``, or a formula (``tex`` set) whose
    ``text`` is how it was written, dollar signs included."""

    text: str
    tex: str | None = None
    display: bool = False


def segments(text: str) -> Iterator[Segment]:
    """``text`` cut into literal text and formulas, in order."""
    last = 0
    for match in tex_matches(text):
        if match.start() > last:
            yield Segment(text[last:match.start()])
        display = match.group(1) is not None
        yield Segment(text[match.start():match.end()], match.group(1) if display else match.group(2), display)
        last = match.end()
    if last < len(text):
        yield Segment(text[last:])


@lru_cache(maxsize=4096)
def _tree(tex: str, display: bool) -> ET.Element | None:
    """latex2mathml's tree for ``tex``, cleaned (see the module docstring), or None."""
    if len(tex) > MAX_TEX or not tex.strip():
        return None
    try:
        root = convert_to_element(tex, display="block" if display else "inline")
        return _clean(root)
    except _Unsupported:
        return None
    except Exception:  # malformed TeX: the converter raises many kinds (RecursionError too)
        return None


def _clean(element: ET.Element, depth: int = 0) -> ET.Element:
    tag = element.tag.rsplit("}", 1)[-1]
    if tag not in ELEMENTS or depth > 60:
        raise _Unsupported(tag)
    attrib = {k: v for k, v in element.attrib.items() if k in ATTRIBUTES and ATTRIBUTES[k].match(v)}
    clean = ET.Element(tag, attrib)
    if element.text:
        # latex2mathml writes characters as entity references in the text ("&#x0221E;").
        text = html.unescape(element.text)
        if tag in ("mi", "mo") and text.startswith("\\") and len(text) > 1:
            raise _Unsupported(text)  # an unknown command: show the TeX as written instead
        clean.text = text
        if tag == "mo" and text in _ORDINARY:
            clean.tag = "mi"
    for child in element:
        clean.append(_clean(child, depth + 1))
    if len(clean) != _ARITY.get(tag, len(clean)):
        raise _Unsupported(tag)
    return clean


@lru_cache(maxsize=4096)
def mathml(tex: str, display: bool = False) -> Markup | None:
    """``tex`` as a MathML ``<math>`` element (text escaped, only known elements and
    attributes), or None when it cannot be converted."""
    tree = _tree(tex, display)
    if tree is None:
        return None
    # No <annotation> with the TeX source: search indexes and copied text would show raw TeX.
    math = ET.Element("math", {"display": "block" if display else "inline"})
    math.extend(list(tree))
    return Markup(ET.tostring(math, encoding="unicode", method="html"))  # noqa: S704 - built from a cleaned tree; ElementTree escapes text and attributes


def text(tex: str, display: bool = False) -> str | None:
    """``tex`` as readable plain text (``\\alpha \\leq \\beta`` -> ``α ≤ β``, ``n^2`` -> ``n²``,
    ``x^{ab}`` -> ``x^ab``, ``\\frac{a+b}{2}`` -> ``(a + b)/2``), or None when it cannot be
    converted."""
    tree = _tree(tex, display)
    if tree is None:
        return None
    return re.sub(r"\s+", " ", _text(tree)).strip()


def _text(element: ET.Element) -> str:
    tag = element.tag
    children = list(element)
    if tag in _TOKENS:
        token = (element.text or "").replace("\xa0", " ")
        if tag == "mo" and token.strip() not in _TIGHT and token.strip():
            return f" {token.strip()} "
        if tag == "mi" and len(token) > 1:  # a function name: log, softmax
            return f" {token} "
        return token
    if tag == "mspace":
        return " "
    parts = [_text(child) for child in children]
    if tag in ("msup", "msub", "msubsup") and len(parts) >= 2:
        base = parts[0]
        if tag == "msub":
            return base + _script(parts[1], _SUBSCRIPT, "_")
        if tag == "msup":
            return base + _script(parts[1], _SUPERSCRIPT, "^")
        return base + _script(parts[1], _SUBSCRIPT, "_") + _script(parts[2], _SUPERSCRIPT, "^")
    if tag == "mfrac" and len(parts) == 2:
        return f"{_group(parts[0])}/{_group(parts[1])}"
    if tag == "msqrt":
        return "√" + _group("".join(parts))
    if tag == "mroot" and len(parts) == 2:
        return _script(parts[1], _SUPERSCRIPT, "^") + "√" + _group(parts[0])
    if tag in ("mover", "munder", "munderover") and parts:
        return parts[0]  # the accent or limits add little to a title in a tab
    if tag == "annotation":
        return ""
    return "".join(parts)


def _script(script: str, table: dict[int, int], sign: str) -> str:
    script = script.strip()
    compact = script.replace(" ", "")
    if compact and all(ord(c) in table for c in compact):
        return compact.translate(table)
    return sign + _group(script)


def _group(part: str) -> str:
    part = part.strip()
    return part if len(part) <= 1 or re.fullmatch(r"\w+", part) else f"({part})"


def html_with_math(source: str) -> Markup:
    """Escaped HTML for a title or abstract, each formula as MathML (or, if it cannot be
    converted, as the literal text it was written as)."""
    out = []
    for segment in segments(source):
        converted = mathml(segment.tex, segment.display) if segment.tex is not None else None
        out.append(converted if converted is not None else escape(segment.text))
    return Markup("").join(out)


def plain(source: str) -> str:
    """A title or abstract as plain text, each formula as readable text (or as written,
    if it cannot be converted)."""
    out = []
    for segment in segments(source):
        converted = text(segment.tex, segment.display) if segment.tex is not None else None
        out.append(converted if converted is not None else segment.text)
    return "".join(out)


def has_math(source: str) -> bool:
    return next(iter(tex_matches(source)), None) is not None
