"""BibTeX entries for the papers: stable, readable keys and text escaped so entries compile.

Keys are ``<first author surname or first title word><year><first title word>`` in lowercase
ASCII (``wang2024git``), with ``b``, ``c`` ... appended in catalog order when two papers would
share one. arXiv papers are ``@misc`` with ``eprint``/``archivePrefix``/``primaryClass``; others
``@misc`` with ``url``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from slugify import slugify

from .model import Paper

_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "%": r"\%",
            "#": r"\#", "_": r"\_", "^": r"\^{}", "~": r"\~{}", "<": r"\textless{}", ">": r"\textgreater{}"}
_MATH = re.compile(r"\$[^$]+\$")
_STOP = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "is", "are", "do", "how", "what", "when", "why"}
_OLD_ARXIV_CLASS = re.compile(r"^([a-z-]+(?:\.[A-Z]{2})?)/")


def escape_text(text: str) -> str:
    """Text with every BibTeX/LaTeX special character escaped."""
    return "".join(_SPECIAL.get(ch, ch) for ch in text)


def escape_title(title: str) -> str:
    """Like ``escape_text``, but ``$...$`` math with balanced braces is kept as math."""
    out, last = [], 0
    for match in _MATH.finditer(title):
        math = match.group(0)
        if _balanced(math) and "\\end" not in math:
            out.append(escape_text(title[last:match.start()]))
            out.append(math)
            last = match.end()
    out.append(escape_text(title[last:]))
    return "".join(out)


def _balanced(text: str) -> bool:
    depth = 0
    for i, ch in enumerate(text):
        if ch == "{" and (i == 0 or text[i - 1] != "\\"):
            depth += 1
        elif ch == "}" and (i == 0 or text[i - 1] != "\\"):
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _words(text: str, skip_stop: bool = True) -> list[str]:
    # Word by word, so "It's" gives "its" and "Multi-Head" "multihead".
    words = [slugify(w, separator="") for w in _MATH.sub(" ", text).split()]
    words = [w for w in words if w.isalpha() and not (skip_stop and w in _STOP)]
    return words or ["paper"]


def base_key(paper: Paper) -> str:
    """``surname + year + first title word`` (``wang2024git``); without authors, the title's
    first two words around the year (``qwenlong2025cprs``)."""
    return _base_key(paper.title, paper.authors[0] if paper.authors else None, paper.published.year)


@lru_cache(maxsize=1 << 16)  # kept across mkdocs serve rebuilds: slugify is the cost of citation keys
def _base_key(title_text: str, first_author: str | None, year: int) -> str:
    title = _words(title_text)
    if first_author:
        return f"{_words(first_author.split()[-1], skip_stop=False)[0]}{year}{title[0]}"
    return f"{title[0]}{year}{title[1] if len(title) > 1 else ''}"


def citation_keys(papers: list[Paper]) -> dict[str, str]:
    """``paper.path -> key`` for all papers, unique; the order of ``papers`` decides suffixes,
    so pass them in a stable order (the catalog's)."""
    taken: dict[str, int] = {}
    keys: dict[str, str] = {}
    for paper in sorted(papers, key=lambda p: (p.added, p.published, p.path)):
        base = base_key(paper)
        n = taken.get(base, 0)
        taken[base] = n + 1
        keys[paper.path] = base if n == 0 else f"{base}{_suffix(n)}"
    return keys


def _suffix(n: int) -> str:
    """1 -> 'b', 2 -> 'c', ... 25 -> 'z', 26 -> 'ba': the first paper keeps the bare key."""
    letters = ""
    while True:
        n, r = divmod(n, 26)
        letters = chr(ord("a") + r) + letters
        if n == 0:
            return letters


def entry(paper: Paper, key: str, url: str) -> str:
    """One ``@misc`` entry; ``url`` is the paper page's absolute URL (used without arXiv)."""
    fields: list[tuple[str, str]] = [("title", "{" + escape_title(paper.title) + "}")]
    if paper.authors:
        fields.append(("author", " and ".join(escape_text(name) for name in paper.authors)))
    fields.append(("year", str(paper.published.year)))
    fields.append(("month", paper.published.strftime("%b").lower()))
    if paper.arxiv:
        fields += [("eprint", paper.arxiv), ("archivePrefix", "arXiv")]
        if match := _OLD_ARXIV_CLASS.match(paper.arxiv):
            fields.append(("primaryClass", match.group(1)))
        fields.append(("url", f"https://arxiv.org/abs/{paper.arxiv}"))
    else:
        links = dict(paper.links)
        fields.append(("url", _url(links.get("pdf") or links.get("project") or url)))
    width = max(len(name) for name, _ in fields)
    body = ",\n".join(f"  {name:<{width}} = {value if name == 'month' else '{' + value + '}'}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}\n"


def _url(url: str) -> str:
    """A URL safe inside a BibTeX field: braces and backslashes percent-encoded (they would
    unbalance or escape the field), the rest kept for \\url."""
    return url.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def bibliography(papers: list[Paper], keys: dict[str, str], urls: dict[str, str]) -> str:
    return "\n".join(entry(p, keys[p.path], urls[p.path]) for p in papers)
