"""BibTeX entries for the papers: stable, readable keys, names citation managers can split,
and text escaped so that entries compile and nothing from a paper file becomes a TeX command.

Keys are ``<first author's surname><year><first title word>`` in lowercase ASCII
(``vaswani2017attention``), or without author names ``<first title word><year><second title
word>`` (``qwenlongcprs2025towards``: a hyphenated word is one word). When two papers would
share a key, the one added first (then published first, then by path) keeps the bare key and
the others get ``b``, ``c`` ... in that order.

Every entry is ``@misc``, as arXiv's own export is: ``author`` as ``Last, First and ...``,
``eprint``/``archivePrefix``/``primaryClass`` and an arXiv ``url`` for arXiv papers, another
``url`` otherwise, a ``key`` to sort by when no author is known, and a ``note`` on withdrawn
papers. Text is UTF-8 (names keep their accents). Outside ``$...$`` math every TeX special
character is written as a text symbol (``\\textbackslash{}``, ``\\&`` ...), so braces stay
balanced and no command from a title survives; math is kept only when its braces balance and
its commands are on a small allow-list of math symbols, otherwise it is escaped as text.
"""

from __future__ import annotations

import re

from slugify import slugify

from .model import Paper
from .orderings import in_order_added
from .render import long_date

# Braces and backslashes become text symbols: BibTeX counts every brace, even after a
# backslash, so "\{" would unbalance the field.
_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
            "$": r"\$", "&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_",
            "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
            "<": r"\textless{}", ">": r"\textgreater{}"}
_MATH = re.compile(r"\$[^$]+\$")
_MATH_COMMAND = re.compile(r"\\([A-Za-z]+|.)")
#: The TeX commands a title's math may use: symbols and font switches, nothing that reads
#: files, defines macros or changes catcodes.
MATH_COMMANDS = frozenset("""
    alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi
    pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta
    Lambda Xi Pi Sigma Upsilon Phi Psi Omega infty times cdot cdots ldots dots leq le geq ge neq
    approx sim simeq equiv pm mp to rightarrow leftarrow Rightarrow leftrightarrow mapsto in
    notin subset subseteq cup cap sum prod int partial nabla sqrt frac ell log exp min max
    mathcal mathbf mathrm mathit mathbb mathsf mathtt boldsymbol text textrm textbf textit
    operatorname hat tilde bar vec prime circ star ast top bot forall exists emptyset mid
    langle rangle lceil rceil lfloor rfloor left right
""".split()) | {"%", "&", "_", "#", "{", "}", ",", ";", "!", " ", "$"}
_STOP = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "is", "are", "do", "how", "what", "when", "why"}
_OLD_ARXIV_CLASS = re.compile(r"^([a-z-]+(?:\.[A-Z]{2})?)/")
#: Surname particles (von parts). Lowercase words before the surname always are one;
#: these capitalised ones too, when they are not the first word.
_PARTICLES = {"Van", "Von", "De", "Der", "Den", "Ter", "Ten", "Vander", "Zu"}
_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}


def escape_text(text: str) -> str:
    """Text with every BibTeX/LaTeX special character written as a text symbol."""
    return "".join(_SPECIAL.get(ch, ch) for ch in text)


def escape_title(title: str) -> str:
    """Like ``escape_text``, but ``$...$`` math that is safe (see ``safe_math``) is kept."""
    out, last = [], 0
    for match in _MATH.finditer(title):
        if safe_math(match.group(0)):
            out.append(escape_text(title[last:match.start()]))
            out.append(match.group(0))
            last = match.end()
    out.append(escape_text(title[last:]))
    return "".join(out)


def safe_math(math: str) -> bool:
    """Whether ``$...$`` can go into BibTeX as it is: braces balance (counted the way BibTeX
    counts them, backslash or not), every command is an allowed math symbol, and no bare
    ``%``, ``#`` or ``&`` (a comment or an alignment in TeX)."""
    depth = 0
    for ch in math:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    if depth:
        return False
    bare = _MATH_COMMAND.sub("", math)
    if any(ch in bare for ch in "%#&\\"):
        return False
    return all(command in MATH_COMMANDS for command in _MATH_COMMAND.findall(math))


def split_name(name: str) -> tuple[str, str, str]:
    """``(first, last, suffix)`` of a name written ``First Middle [particles] Last [Jr.]``;
    ``last`` keeps its particles (``van der Waals``)."""
    words = name.split()
    suffix = ""
    if len(words) > 2 and words[-1].lower() in _SUFFIXES:
        suffix = words.pop()
    if len(words) == 1:
        return "", words[0], suffix
    start = len(words) - 1
    while start > 1 and (words[start - 1][:1].islower() or words[start - 1] in _PARTICLES):
        start -= 1
    if start == 1 and words[0][:1].islower():  # "de Vries": no first name at all
        start = 0
    return " ".join(words[:start]), " ".join(words[start:]), suffix


def bibtex_name(name: str) -> str:
    """One author as BibTeX reads names unambiguously: ``Last, First`` (``Last, Jr., First``),
    with a surname of several words (particles) braced so it stays whole, and a name BibTeX
    would misread (a comma, the word 'and', a single word) braced as a whole."""
    words = name.split()
    if "," in name or any(w.lower() == "and" for w in words) or len(words) == 1:
        return "{" + escape_text(" ".join(words)) + "}"
    first, last, suffix = split_name(name)
    last_text = escape_text(last)
    if " " in last:
        last_text = "{" + last_text + "}"
    parts = [last_text] + ([escape_text(suffix)] if suffix else []) + ([escape_text(first)] if first else [])
    return ", ".join(parts)


def _words(text: str, skip_stop: bool = True) -> list[str]:
    # Word by word, so "It's" gives "its" and "Multi-Head" "multihead".
    words = [slugify(w, separator="") for w in _MATH.sub(" ", text).split()]
    words = [w for w in words if w.isalpha() and not (skip_stop and w in _STOP)]
    return words or ["paper"]


def base_key(paper: Paper) -> str:
    """``surname + year + first title word`` (``vaswani2017attention``); without authors,
    the title's first two words around the year (``qwenlongcprs2025towards``)."""
    title = _words(paper.title)
    if paper.authors:
        surname = split_name(paper.authors[0])[1].split()[-1]
        return f"{_words(surname, skip_stop=False)[0]}{paper.published.year}{title[0]}"
    return f"{title[0]}{paper.published.year}{title[1] if len(title) > 1 else ''}"


def citation_keys(papers: list[Paper]) -> dict[str, str]:
    """``paper.path -> key`` for all papers, unique. Suffixes go by ``added``, then
    ``published``, then path, so a paper's key never changes when a later one joins."""
    taken: dict[str, int] = {}
    keys: dict[str, str] = {}
    for paper in in_order_added(papers):
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
    """One ``@misc`` entry; ``url`` is the paper page's absolute URL (used without arXiv or
    another link)."""
    fields: list[tuple[str, str]] = [("title", "{" + escape_title(paper.title) + "}")]
    if paper.authors:
        fields.append(("author", " and ".join(bibtex_name(name) for name in paper.authors)))
    else:  # BibTeX sorts by author, or by key when there is none
        fields.append(("key", key))
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
    if paper.withdrawn:
        fields.append(("note", f"Withdrawn on {long_date(paper.withdrawn)}"))
    width = max(len(name) for name, _ in fields)
    body = ",\n".join(f"  {name:<{width}} = {value if name == 'month' else '{' + value + '}'}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}\n"


def _url(url: str) -> str:
    """A URL safe inside a BibTeX field: braces and backslashes percent-encoded (they would
    unbalance or escape the field), the rest kept for \\url."""
    return url.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def bibliography(papers: list[Paper], keys: dict[str, str], urls: dict[str, str]) -> str:
    return "\n".join(entry(p, keys[p.path], urls[p.path]) for p in papers)
