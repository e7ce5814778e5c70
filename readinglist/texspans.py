"""Where the TeX math of a title or abstract is: ``$$display$$`` and ``$inline$``, found in
linear time.

The rule is the one the regular expression

    \\$\\$(.+?)\\$\\$|(?<![\\\\$\\w])\\$(?=[^\\s$])(.+?)(?<=[^\\s\\\\])\\$(?![\\w$])      (DOTALL)

states: a ``$`` not preceded by a backslash, a word character or another ``$``, with no space
just inside the signs ("costs $5 and $6" is not math). Run by ``re``, that expression is
quadratic on text with many openings and no closing (``$a `` repeated: every opening scans to
the end), so a 20,000-character abstract took 48 s to render. Here the closing positions are
listed once and each opening takes the next one: the same matches (tests/test_hostile_inputs.py
checks this against the expression on random text), in O(n log n).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class TexMatch:
    """One formula; ``group``, ``start`` and ``end`` as on an ``re.Match`` of the expression
    above (group 1: display body, group 2: inline body, the other None)."""

    text: str
    begin: int
    finish: int
    display: bool

    def start(self) -> int:
        return self.begin

    def end(self) -> int:
        return self.finish

    def group(self, n: int = 0) -> str | None:
        if n == 0:
            return self.text[self.begin:self.finish]
        if n == 1:
            return self.text[self.begin + 2:self.finish - 2] if self.display else None
        if n == 2:
            return None if self.display else self.text[self.begin + 1:self.finish - 1]
        raise IndexError(n)


def _word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def tex_matches(text: str) -> Iterator[TexMatch]:
    """Every formula of ``text``, left to right, not overlapping."""
    n = len(text)
    dollars = [i for i, ch in enumerate(text) if ch == "$"]
    if len(dollars) < 2:
        return
    # "$$" at q (for a display formula's end), and an inline formula's possible closing "$".
    doubles = [q for q in dollars if q + 1 < n and text[q + 1] == "$"]
    closers = [q for q in dollars
               if q > 0 and not text[q - 1].isspace() and text[q - 1] != "\\"
               and (q + 1 == n or (not _word(text[q + 1]) and text[q + 1] != "$"))]
    p = 0
    for p0 in dollars:
        if p0 < p:
            continue  # inside the previous formula
        if p0 + 1 < n and text[p0 + 1] == "$":
            k = bisect_left(doubles, p0 + 3)  # the body holds at least one character
            if k < len(doubles):
                q = doubles[k]
                yield TexMatch(text, p0, q + 2, True)
                p = q + 2
                continue
        if (p0 + 1 < n and not text[p0 + 1].isspace() and text[p0 + 1] != "$"
                and (p0 == 0 or (text[p0 - 1] not in "\\$" and not _word(text[p0 - 1])))):
            k = bisect_left(closers, p0 + 2)
            if k < len(closers):
                q = closers[k]
                yield TexMatch(text, p0, q + 1, False)
                p = q + 1
