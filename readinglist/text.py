"""Plain-text helpers shared by the pages and the importers (no markup, no dependencies)."""

from __future__ import annotations

import re

_ABBREVIATIONS = ("e.g", "i.e", "et al", "vs", "cf", "fig", "eq", "etc", "approx", "resp", "a.k.a")


def first_sentence(text: str, limit: int = 280) -> str:
    """The abstract's first sentence (abbreviations such as 'e.g.' do not end one), cut at
    ``limit`` characters on a word boundary."""
    paragraph = text.strip().split("\n\n", 1)[0]
    for match in re.finditer(r"[.!?](?=\s+[\"'(\[]?[A-Z0-9])", paragraph):
        before = paragraph[:match.start()].lower()
        if not before.endswith(_ABBREVIATIONS) and not re.search(r"\b[A-Z]$", paragraph[:match.start()]):
            paragraph = paragraph[:match.end()]
            break
    if len(paragraph) > limit:
        paragraph = paragraph[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    return paragraph
