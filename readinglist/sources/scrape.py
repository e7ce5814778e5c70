"""Parse scraped Hugging Face "Daily Papers" listings (text copied from the web page).

The listing is a page header, then per paper::

    <title>
    <abstract, one or more paragraphs>
      • 6 authors
    ·
    Aug 8, 2024 2          <- date, then the upvote count if any

Pure functions from text to ``SourceEntry`` objects: no file is read or written here.
"""

from __future__ import annotations

import datetime as dt
import re

from ..model import MAX_ABSTRACT, MAX_DIGITS, MAX_TITLE, Problem
from .entry import SourceEntry, links_in

_AUTHORS = re.compile(r"^\s*[•·*-]?\s*([0-9]+)\s+authors?\s*$", re.IGNORECASE)
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_DATE = re.compile(r"^([A-Za-z]{3})[a-z]*\.?\s+([0-9]{1,2}),\s*([0-9]{4})(?:\s+(\S+))?$")
_SEPARATOR = {"·", "•", "-", "|"}
#: Lines of the web page around the list that are not papers.
_NOISE = re.compile(
    r"^(new|subscribe|daily papers|get trending papers in your email inbox!?|by\s*ak and the research community"
    r"|[A-Z][a-z]{2} \d{1,2}|previous|next|load more|submit|search|system theme"
    r"|(company|website)\b.*|hugging face|©.*|\d+ comments?)$",
    re.IGNORECASE,
)


def normalise_text(text: str) -> str:
    """Undo what copying a web page does to text: BOM, CRLF, non-breaking and odd spaces."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"[\u00a0\u2007\u202f\u2009\u200a]", " ", text).replace("\u200b", "")


def parse_scrape(text: str, source: str) -> tuple[list[SourceEntry], list[Problem]]:
    """Every entry of a scraped listing, and a problem for each entry that cannot be read.

    Entries are anchored on their ``N authors`` line: the lines since the previous entry are
    its title and abstract, the lines after it its date and upvotes."""
    lines = [line.rstrip() for line in normalise_text(text).split("\n")]
    entries: list[SourceEntry] = []
    problems: list[Problem] = []
    start = 0  # first line (0-based) not yet consumed by an entry
    for i, line in enumerate(lines):
        match = _AUTHORS.match(line)
        if not match:
            continue
        block = [(n, lines[n].strip()) for n in range(start, i) if lines[n].strip()]
        block = _strip_noise(block)
        entry_line = block[0][0] + 1 if block else i + 1
        date_index, date_line = _next_content(lines, i + 1)
        if date_line in _SEPARATOR:
            date_index, date_line = _next_content(lines, date_index + 1)
        start = (date_index + 1) if date_index < len(lines) else len(lines)

        def reject(line_no: int, message: str) -> None:
            problems.append(Problem(source, line_no, "", message))

        if len(block) < 2:
            reject(entry_line, "expected a title line and an abstract before the author count")
            continue
        title = re.sub(r"\s+", " ", block[0][1])
        abstract = "\n\n".join(text for _, text in block[1:])
        if len(title) > MAX_TITLE:
            reject(entry_line, f"the title line is {len(title):,} characters long; is the title missing?")
            continue
        if len(abstract) > MAX_ABSTRACT:
            # Checked before anything else reads the text (keyword scoring among others).
            problems.append(Problem(source, entry_line, "abstract",
                                    f"is {len(abstract):,} characters long; an abstract has at most {MAX_ABSTRACT:,}"))
            continue
        if len(match.group(1)) > MAX_DIGITS:
            reject(i + 1, f"the author count has {len(match.group(1)):,} digits; expected a number of authors")
            continue
        if int(match.group(1)) == 0:
            reject(i + 1, "the author count is 0; expected at least 1 author")
            continue
        date_match = _DATE.match(date_line or "")
        if not date_match:
            shown = date_line if date_line is not None else "the end of the file"
            reject(date_index + 1, f"expected a date like 'Aug 8, 2024' (and an optional upvote count) after the author count, found {shown!r}")
            continue
        published = _date(date_match)
        upvotes = date_match.group(4) or "0"
        if published is None:
            day = f"{date_match.group(1)} {date_match.group(2)}, {date_match.group(3)}"
            reject(date_index + 1, f"'{day}' is not a real date; expected a date like 'Aug 8, 2024'")
            continue
        if not re.fullmatch(r"[0-9]+", upvotes):
            shown = upvotes if len(upvotes) <= 40 else upvotes[:40] + "..."
            reject(date_index + 1, f"the upvote count '{shown}' after the date is not a number")
            continue
        if len(upvotes) > MAX_DIGITS:
            reject(date_index + 1, f"the upvote count after the date has {len(upvotes):,} digits; expected at most {MAX_DIGITS}")
            continue
        entries.append(SourceEntry(
            title=title,
            abstract=abstract,
            published=published,
            author_count=int(match.group(1)),
            upvotes=int(upvotes),
            links=links_in(abstract),
            source=source,
            line=entry_line,
            date_line=date_index + 1,
        ))
    if not entries and not problems:
        problems.append(Problem(source, 1, "", "no papers found: expected entries ending in '  • N authors', '·' and a date line"))
    return entries, problems


def _strip_noise(block: list[tuple[int, str]]) -> list[tuple[int, str]]:
    while block and _NOISE.match(block[0][1]):
        block = block[1:]
    return block


def _next_content(lines: list[str], i: int) -> tuple[int, str | None]:
    while i < len(lines) and not lines[i].strip():
        i += 1
    return (i, lines[i].strip()) if i < len(lines) else (i, None)


def _date(match: re.Match[str]) -> dt.date | None:
    month = _MONTHS.get(match.group(1).lower())
    try:
        return dt.date(int(match.group(3)), month, int(match.group(2))) if month else None
    except ValueError:
        return None
