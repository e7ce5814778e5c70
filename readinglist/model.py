"""The paper model: one frozen ``Paper`` per file, parsed and validated in one place.

A paper file is YAML front matter between two ``---`` fences, then the abstract::

    ---
    title: 'QwenLong-CPRS: Towards $\\infty$-LLMs with Dynamic Context Optimization'
    published: 2025-05-23
    author_count: 15
    upvotes: 3
    topics: [long-context, efficient-inference]
    added: 2026-11-28
    ---

    This technical report presents QwenLong-CPRS, ...

The rules on values are written once, in ``paper_problems``: it checks a ``Paper`` whatever
made it and returns findings (``Finding``: a key and a message, no line). ``parse_paper`` checks only
what is about the file (front matter, YAML types, keys), builds the paper, calls
``paper_problems`` and puts each finding at the line of its key; the importer calls it on
the papers it plans and puts them at their source entry. ``parse_paper`` never raises for bad
input: it returns the problems it found, each naming the line and key, so that a contributor
sees every mistake of a file at once. ``dump_paper`` is its inverse: ``parse_paper(dump_paper(p))
== p`` for every valid paper.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urlsplit

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Every key a paper's front matter may hold, in the order files are written.
KEYS = ("title", "published", "authors", "author_count", "upvotes", "arxiv", "links",
        "topics", "added", "withdrawn", "note")
REQUIRED = ("title", "published", "topics", "added")
MAX_TITLE = 300
#: Larger abstracts are refused: a real one is a few hundred words.
MAX_ABSTRACT = 20_000
EARLIEST = dt.date(1900, 1, 1)
#: Limits on the curator's note, checked before Markdown sees it: Python-Markdown's link
#: parser rescans the rest of the text from every unmatched '[' (a note of 4,000 '[' took
#: 23 s), and it recurses once per level of nested lists or quotes (RecursionError at a few
#: hundred). Within these limits the slowest note renders in a few milliseconds of work per
#: bracket (tests/test_hostile_inputs.py).
MAX_NOTE = 2_000
MAX_NOTE_BRACKETS = 20
MAX_NOTE_NESTING = 6

_NEW_ARXIV = re.compile(r"^(\d{2})(0[1-9]|1[0-2])\.\d{4,5}$")
_OLD_ARXIV = re.compile(r"^[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7}$")
_VERSION = re.compile(r"v\d+$")
_LINK_KIND = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STR = "tag:yaml.org,2002:str"
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff\ud800-\udfff]")
#: What a terminal or a CI log must never receive raw from input: C0/C1 controls (ESC starts a
#: terminal escape sequence, CR rewrites the line), line and paragraph separators, bidi
#: controls and other invisible format characters (they reorder or hide what is shown),
#: lone surrogates.
#: Unicode categories that must never reach a terminal or a log as they are: controls (Cc),
#: invisible format characters such as bidi overrides and zero-width spaces (Cf), lone
#: surrogates (Cs) and line or paragraph separators (Zl, Zp).
_UNSHOWABLE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
#: Longest whole number accepted for a count: more digits are a mistake, and Python refuses
#: to convert more than 4,300 digits anyway.
MAX_DIGITS = 9
_INT = "tag:yaml.org,2002:int"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file, located for the person who must fix it."""

    path: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        key = f" {shown(self.key)}:" if self.key else ""
        return f"{shown(self.path)}:{self.line}:{key} {shown(self.message)}"


def shown(text: str) -> str:
    """``text`` made safe to print on a terminal, in a log or a GitHub annotation: every
    control, bidi or invisible format character becomes a visible escape (``\\x1b``,
    ``\\u202e``), so input can neither run terminal escape sequences nor start a new line."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(_escape_char(ch) if unicodedata.category(ch) in _UNSHOWABLE else ch for ch in text)


def _escape_char(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


@dataclass(frozen=True)
class Paper:
    """One paper of the list, as its file describes it."""

    title: str
    """Verbatim title; may hold TeX math between ``$`` signs."""
    published: dt.date
    """Publication date (arXiv's first version, or the venue's)."""
    added: dt.date
    """The day the paper joined the list."""
    topics: tuple[str, ...]
    """Topic ids from the taxonomy, at least one."""
    abstract: str
    """The body of the file, stripped of surrounding blank lines."""
    authors: tuple[str, ...] = ()
    author_count: int | None = None
    upvotes: int | None = None
    arxiv: str | None = None
    links: tuple[tuple[str, str], ...] = ()
    """Ordered ``(kind, url)`` pairs: ``code``, ``project``, ``data``, ``pdf`` ..."""
    note: str | None = None
    """The curator's note, Markdown."""
    withdrawn: dt.date | None = None
    """When the paper was withdrawn (the day it was announced or seen), or None. A withdrawn
    paper keeps its page but is marked everywhere and left out of the feeds."""
    path: str = field(default="", compare=False)
    """Where the file lives. ``load_catalog`` and the importers set it relative to the papers
    folder (``2024/some-title.md``, what ``url``, ``slug`` and ``src_uri`` use); a paper from
    ``parse_paper`` alone carries the path it was given for messages (``papers/2024/x.md``)."""
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False, hash=False)
    """Line of each key in the file, for errors found after parsing (duplicates, paths)."""

    @property
    def n_authors(self) -> int | None:
        return len(self.authors) if self.authors else self.author_count

    @property
    def slug(self) -> str:
        return self.path.rsplit("/", 1)[-1].removesuffix(".md")

    @property
    def url(self) -> str:
        """Site-relative URL of the paper page, e.g. ``papers/2024/some-title/``."""
        return f"papers/{self.path.removesuffix('.md')}/"

    @property
    def src_uri(self) -> str:
        return f"papers/{self.path}"

    @property
    def title_key(self) -> str:
        return normalise_title(self.title)

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)


#: Unicode categories that do not tell two titles apart: spaces, dashes, brackets, quotes,
#: connectors, combining accents. Other punctuation and symbols do (``C++`` vs ``C#``).
_IGNORED_CATEGORIES = {"Zs", "Zl", "Zp", "Pd", "Ps", "Pe", "Pi", "Pf", "Pc", "Mn", "Cc", "Cf"}
_IGNORED_PUNCTUATION = frozenset(".,;:!?'\"\u00b7\u2026\u00a1\u00bf/\\")


def normalise_title(title: str) -> str:
    """The form two titles are compared in to find duplicates: case, accents, spacing, dashes,
    quotes, brackets and sentence punctuation do not count; letters, digits and symbols do
    (``C++``, ``C#`` and ``C`` are three papers). A title of nothing but ignored characters is
    compared as written (case and spacing aside): an empty key would match every such title."""
    text = unicodedata.normalize("NFKD", title).casefold()
    key = "".join(ch for ch in text if ch not in _IGNORED_PUNCTUATION and unicodedata.category(ch) not in _IGNORED_CATEGORIES)
    return key or "=" + " ".join(text.split())


def parse_date(text: str) -> dt.date | None:
    if not _DATE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def arxiv_problem(value: str) -> str | None:
    """Why ``value`` is not an arXiv id without version, or None if it is one."""
    if _NEW_ARXIV.match(value) or _OLD_ARXIV.match(value):
        return None
    if _VERSION.search(value) and arxiv_problem(_VERSION.sub("", value)) is None:
        return f"'{value}' has a version suffix; write the id without it: '{_VERSION.sub('', value)}'"
    return (f"'{value}' is not an arXiv id; expected a new-style id like '2408.04303' "
            "or an old-style one like 'hep-th/9901001', without version")


def url_problem(value: str) -> str | None:
    """Why ``value`` is not an absolute http(s) URL, or None if it is one."""
    if any(ch.isspace() for ch in value):
        return f"'{value}' contains white space; expected an absolute http(s) URL"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError as exc:  # e.g. 'https://[::1': an unclosed IPv6 address
        return f"'{value}' is not a valid URL ({exc}); expected an absolute http(s) URL"
    if parts.scheme not in ("http", "https"):
        return f"'{value}' is not an absolute http(s) URL (e.g. https://github.com/org/repo)"
    if not parts.hostname:
        return f"'{value}' has no host name; expected an absolute http(s) URL"
    return None


_NOTE_NESTING = re.compile(r"^([ \t]*)((?:(?:[-*+]|[0-9]{1,9}[.)])(?:[ \t]+|$)|>[ \t]*)+)", re.MULTILINE)
_NOTE_MARKER = re.compile(r"[-*+>]|[0-9]{1,9}[.)]")


def note_problem(text: str) -> str | None:
    """Why a curator's note is too large or too deeply nested to be rendered, or None. The
    validator reports it, and ``render.note_html`` shows such a note as plain text instead of
    handing it to Markdown (one rule, two places that rely on it)."""
    if len(text) > MAX_NOTE:
        return f"is {len(text):,} characters long; a note has at most {MAX_NOTE:,}"
    if (brackets := text.count("[")) > MAX_NOTE_BRACKETS:
        return f"has {brackets} '[' brackets; a note has at most {MAX_NOTE_BRACKETS} (each link takes one)"
    for match in _NOTE_NESTING.finditer(text):
        depth = len(_NOTE_MARKER.findall(match.group(2))) + len(match.group(1).expandtabs(4)) // 4
        if depth > MAX_NOTE_NESTING:
            line = text.count("\n", 0, match.start()) + 1
            return (f"nests lists or quotes {depth} levels deep (line {line} of the note); "
                    f"a note nests at most {MAX_NOTE_NESTING} levels")
    return None


def control_character(text: str) -> str | None:
    """The first control character of ``text`` (tabs and newlines allowed), as ``U+0007``."""
    match = _CONTROL.search(text)
    return f"U+{ord(match.group()):04X}" if match else None


# --------------------------------------------------------------------------------------------
# Rules on values: written once, for a Paper from any source (a file, a scrape, an API)


@dataclass(frozen=True)
class Finding:
    """A rule that one value of a paper breaks, not yet located: whoever made the paper (the
    file reader, the importer) knows where the value came from and makes it a ``Problem``."""

    key: str
    """The key as a contributor writes it: ``title``, ``topics``, ``links.code``."""
    message: str
    item: int | None = None
    """Which item of a list or mapping value (``authors``, ``topics``, ``links``), from 0."""
    offset: int | None = None
    """Where in a text value (the abstract) the problem is, as a character index."""


def paper_problems(paper: Paper, topic_ids: Collection[str], *, today: dt.date,
                   unknown: Collection[str] = ()) -> list[Finding]:
    """Every rule on values that ``paper`` breaks, each key checked on its own, then the rules
    between keys (dates in order, ``author_count`` against ``authors``). Nothing here knows
    about YAML, files or lines; ``today`` is the day dates may not be after (plus one day of
    slack). ``unknown`` names keys whose value the caller could not read (its own problem
    says why): their rules, and the rules between keys that involve them, are skipped."""
    found: list[Finding] = []
    skip = set(unknown)

    def check(key: str, problem: str | None, item: int | None = None) -> None:
        if problem is not None and key.split(".")[0] not in skip:
            found.append(Finding(key, problem, item))

    check("title", _title_problem(paper.title))
    check("published", date_problem(paper.published, today))
    for i, name in enumerate(paper.authors):
        check("authors", _text_problem(name, one_line=True), i)
    if paper.author_count is not None:
        check("author_count", count_problem(paper.author_count, 1))
    if paper.upvotes is not None:
        check("upvotes", count_problem(paper.upvotes, 0))
    if paper.arxiv is not None:
        check("arxiv", arxiv_problem(paper.arxiv))
    kinds: set[str] = set()
    for i, (kind, url) in enumerate(paper.links):
        if not _LINK_KIND.match(kind):
            check("links", f"'{kind}' is not a link kind; use a lowercase word like code, project, data, pdf", i)
        elif kind in kinds:
            check("links", f"'{kind}' is given twice", i)
        else:
            kinds.add(kind)
            check(f"links.{kind}", _text_problem(url, one_line=True) or url_problem(url), i)
    known_topics: list[str] = []
    for i, topic in enumerate(paper.topics):
        if problem := _text_problem(topic, one_line=True):
            check("topics", problem, i)
        elif topic in known_topics:
            check("topics", f"'{topic}' is listed twice", i)
        elif topic not in topic_ids:
            check("topics", f"unknown topic '{topic}'; valid topics: {', '.join(sorted(topic_ids))}", i)
        else:
            known_topics.append(topic)
    if not paper.topics:
        check("topics", "needs at least one topic")
    check("added", date_problem(paper.added, today))
    if paper.withdrawn is not None:
        check("withdrawn", date_problem(paper.withdrawn, today))
    if paper.note is not None:
        check("note", _text_problem(paper.note) or note_problem(paper.note))
    if "abstract" not in skip:
        found += _abstract_problems(paper.abstract)

    # Between keys: only when every value involved is known and fine on its own.
    skip |= {f.key.split(".")[0] for f in found}
    if "authors" not in skip and paper.authors and paper.author_count is not None and len(paper.authors) != paper.author_count:
        check("author_count", f"is {paper.author_count} but {len(paper.authors)} authors are listed; "
                              "make them agree or drop author_count")
    if "published" not in skip and paper.added < paper.published:
        check("added", f"{paper.added} is before the publication date {paper.published}; "
                       "a paper joins the list after it is published")
    if "published" not in skip and paper.withdrawn is not None and paper.withdrawn < paper.published:
        check("withdrawn", f"{paper.withdrawn} is before the publication date {paper.published}; "
                           "a paper is withdrawn after it is published")
    return found


def _text_problem(value: str, *, one_line: bool = False) -> str | None:
    """What every text value must be: not blank, no control characters, one line if asked."""
    if not value.strip():
        return "is empty"
    if bad := control_character(value):
        return f"contains the control character {bad}; remove it"
    if one_line and "\n" in value.strip():
        return "must be a single line"
    return None


def _title_problem(title: str) -> str | None:
    if problem := _text_problem(title, one_line=True):
        return problem
    if title != title.strip():
        return "has white space at its start or end"
    if len(title) > MAX_TITLE:
        return f"is {len(title):,} characters long; a title has at most {MAX_TITLE}"
    return None


def date_problem(value: dt.date, today: dt.date) -> str | None:
    """Why ``value`` cannot be a paper's date (published, added, withdrawn), or None."""
    if value < EARLIEST:
        return f"{value} is too early to be right; expected a date after {EARLIEST}"
    # A day of slack: arXiv dates are UTC, contributors may be a day ahead of the build.
    if value > today + dt.timedelta(days=1):
        return f"{value} is in the future"
    return None


def digits_problem(digits: int) -> str:
    """The message for a whole number of ``digits`` digits, more than a count may have."""
    return f"has {digits:,} digits; expected a number of at most {MAX_DIGITS} digits"


def count_problem(value: int, minimum: int) -> str | None:
    """Why ``value`` cannot be a count (``author_count``, ``upvotes``) of at least ``minimum``."""
    if abs(value) >= 10**MAX_DIGITS:
        # str() of a number past 4,300 digits raises; the logarithm is exact enough there.
        size = len(str(abs(value))) if abs(value) < 10**4000 else int(math.log10(abs(value))) + 1
        return digits_problem(size)
    if value < minimum:
        return f"{value} is too small; expected an integer >= {minimum}"
    return None


def _abstract_problems(abstract: str) -> list[Finding]:
    if not abstract:
        return [Finding("abstract", "the abstract (the text after the front matter) is empty")]
    if bad := control_character(abstract):
        found = _CONTROL.search(abstract)
        return [Finding("abstract", f"contains the control character {bad}; remove it", offset=found.start() if found else 0)]
    if len(abstract) > MAX_ABSTRACT:
        return [Finding("abstract", f"is {len(abstract):,} characters long; an abstract has at most {MAX_ABSTRACT:,}")]
    return []


# --------------------------------------------------------------------------------------------
# Reading a file: what is about the file (front matter, YAML types, keys, lines); the values
# are then checked by ``paper_problems``.


class _Report:
    """Collects problems for one file; lines are 1-based file lines."""

    def __init__(self, path: str, offset: int):
        self.path = path
        self.offset = offset  # file line of the first YAML line, minus one
        self.problems: list[Problem] = []
        # The line of each value read, by (key, item); item None for the whole value.
        self.lines: dict[tuple[str, int | None], int] = {}

    def at(self, line: int, key: str, message: str) -> None:
        self.problems.append(Problem(self.path, line, key, message))

    def node(self, node: yaml.Node, key: str, message: str) -> None:
        self.at(self.line(node), key, message)

    def line(self, node: yaml.Node) -> int:
        return node.start_mark.line + 1 + self.offset


def split_front_matter(text: str, report: _Report) -> tuple[str, str, int] | None:
    """``(yaml_text, body, body_first_line)``, or None after reporting a problem."""
    if not text.strip():
        report.at(1, "", "the file is empty; a paper file is YAML front matter between '---' lines, then the abstract")
        return None
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        report.at(1, "", "a paper file must start with a line '---' that opens the front matter")
        return None
    for i in range(1, len(lines)):
        if lines[i].rstrip() == "---":
            return "\n".join(lines[1:i]) + "\n", "\n".join(lines[i + 1:]), i + 2
    report.at(1, "", "the front matter is never closed: add a line '---' after its last key")
    return None


#: What a paper holds for a required key the file lacks or gives an unreadable value: never
#: checked (``paper_problems`` skips unknown keys) and never returned.
_PLACEHOLDERS: dict[str, object] = {"title": "", "published": EARLIEST, "added": EARLIEST, "topics": ()}


def parse_paper(text: str, path: str, topic_ids: Iterable[str], *,
                today: dt.date | None = None) -> tuple[Paper | None, list[Problem]]:
    """Parse and validate one paper file's text; ``path`` is only used in messages and kept
    on the paper. Returns the paper (None if anything is wrong) and every problem found.
    What is about the file (front matter, YAML types, keys) is checked here, the values by
    ``paper_problems`` (``today``, by default the clock's, is the latest date allowed)."""
    report = _Report(path, offset=1)
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parts = split_front_matter(text, report)
    if parts is None:
        return None, report.problems
    yaml_text, body, body_line = parts

    root = _compose(yaml_text, report)
    if root is None:
        return None, report.problems
    if not isinstance(root, yaml.MappingNode):
        report.node(root, "", "the front matter must be a set of 'key: value' lines")
        return None, report.problems

    values: dict[str, object] = {}
    lines: dict[str, int] = {}
    unknown: set[str] = set()
    for key_node, value_node in root.value:
        key_line = report.line(key_node)
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
            report.node(key_node, "", "keys must be plain words like 'title'")
            continue
        key = key_node.value
        if key in lines:
            report.at(key_line, key, f"'{key}' is given twice (first on line {lines[key]}); keep one")
            continue
        lines[key] = key_line
        if key not in KEYS:
            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            report.at(key_line, key, f"unknown key; {hint}allowed keys: {', '.join(KEYS)}")
            continue
        report.lines[(key, None)] = report.line(value_node)
        value = _READERS[key](value_node, report, key)
        if value is None:
            unknown.add(key)
        else:
            values[key] = value

    top = report.line(root)
    for key in REQUIRED:
        if key not in lines:
            report.at(top, key, f"required key '{key}' is missing")
            unknown.add(key)

    abstract = body.strip()
    if abstract.startswith("---"):
        report.at(body_line + body[:body.index("---")].count("\n"), "abstract",
                  "a second '---' line follows the front matter; keep one front matter block, then the abstract")
        unknown.add("abstract")

    paper = Paper(**{**_PLACEHOLDERS, **values}, abstract=abstract, path=path, lines=lines)  # type: ignore[arg-type]
    abstract_line = body_line + body[:len(body) - len(body.lstrip())].count("\n")
    for finding in paper_problems(paper, frozenset(topic_ids), today=today or dt.date.today(), unknown=unknown):
        if finding.offset is not None:
            line = abstract_line + abstract.count("\n", 0, finding.offset)
        elif finding.key == "abstract":
            line = body_line
        else:
            line = report.lines.get((finding.key, finding.item)) or report.lines.get((finding.key.split(".")[0], None), top)
        report.at(line, finding.key, finding.message)

    if report.problems:
        return None, report.problems
    return paper, []


def _compose(yaml_text: str, report: _Report) -> yaml.Node | None:
    if not yaml_text.strip():
        report.at(2, "", "the front matter is empty; it needs at least " + ", ".join(REQUIRED))
        return None
    try:
        return yaml.compose(yaml_text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + report.offset) if mark else 2
        detail = exc.problem or exc.context or "unreadable YAML"
        bad_line = yaml_text.split("\n")[mark.line] if mark and mark.line < yaml_text.count("\n") else ""
        if "\t" in bad_line:
            detail = "a tab character; YAML is indented with spaces only"
        else:
            detail += " (check quotes, brackets and indentation)"
        report.at(line, "", f"invalid YAML: {detail}")
    except yaml.YAMLError as exc:  # e.g. a control character PyYAML will not read
        report.at(2, "", f"invalid YAML: {exc}")
    return None


# One reader per key: each takes the value's node, reports what is wrong with its YAML (a type,
# a shape) and returns the Python value, or None when it is unusable. The value's own rules are
# ``paper_problems``'s.


def _read_text(node: yaml.Node, report: _Report, key: str) -> str | None:
    if not isinstance(node, yaml.ScalarNode) or node.tag != _STR:
        if isinstance(node, yaml.ScalarNode):
            report.node(node, key, f"expected text but YAML reads {node.value!r} as another type; put it in quotes")
        else:
            kind = "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"
            report.node(node, key, f"expected text, found {kind}")
        return None
    return node.value


def _trimmed(value: str) -> str:
    """``value`` without the white space around it, unless that holds a control character
    (U+0085 and U+001C-U+001F count as white space too): then as written, for the rules to
    refuse, as they would refuse it anywhere else in the value."""
    trimmed = value.strip()
    return value if len(trimmed) != len(value) and control_character(value) and not control_character(trimmed) else trimmed


def _read_trimmed(node, report, key):
    value = _read_text(node, report, key)
    return None if value is None else _trimmed(value)


def _read_date(node, report, key):
    raw = node.value if isinstance(node, yaml.ScalarNode) else ""
    if not isinstance(raw, str) or (value := parse_date(raw)) is None:
        report.node(node, key, f"'{raw}' is not a date; expected YYYY-MM-DD, e.g. 2024-08-08")
        return None
    return value


def _read_int(node, report, key, minimum: int):
    if not isinstance(node, yaml.ScalarNode) or node.tag != _INT or not re.fullmatch(r"[0-9]+|-[0-9]+", node.value):
        text = node.value if isinstance(node, yaml.ScalarNode) else "a list or mapping"
        text = text if len(text) <= 40 else f"{text[:20]}...' ({len(text):,} characters) '"
        report.node(node, key, f"'{text}' is not a whole number; expected an integer >= {minimum}")
        return None
    if len(node.value.lstrip("-")) > MAX_DIGITS:  # before int(): Python refuses past 4,300 digits
        report.node(node, key, digits_problem(len(node.value.lstrip("-"))))
        return None
    return int(node.value)


def _read_list(node, report, key, *, empty: str):
    """The text items of a YAML list, stripped; the line of each is noted by its index."""
    if not isinstance(node, yaml.SequenceNode):
        report.node(node, key, "expected a list, e.g. [a, b] or one '- item' per line")
        return None
    if not node.value:
        report.node(node, key, empty)
        return None
    items: list[str] = []
    for item in node.value:
        value = _read_text(item, report, key)
        if value is not None:
            report.lines[(key, len(items))] = report.line(item)
            items.append(_trimmed(value))
    return tuple(items) or None


def _read_arxiv(node, report, key):
    if not isinstance(node, yaml.ScalarNode) or not node.value:
        report.node(node, key, "expected an arXiv id like '2408.04303'")
        return None
    # Read the raw text: YAML would read 2408.04300 as the float 2408.043.
    return node.value.strip()


def _read_links(node, report, key):
    if not isinstance(node, yaml.MappingNode):
        report.node(node, key, "expected a mapping of kind to URL, e.g. 'code: https://github.com/org/repo'")
        return None
    links: list[tuple[str, str]] = []
    for kind_node, url_node in node.value:
        kind = kind_node.value if isinstance(kind_node, yaml.ScalarNode) else ""
        url = _read_text(url_node, report, f"{key}.{kind}")
        if url is not None:
            report.lines[(key, len(links))] = report.line(kind_node)
            report.lines[(f"{key}.{kind}", len(links))] = report.line(url_node)
            links.append((kind, _trimmed(url)))
    return tuple(links)


_READERS: dict[str, Callable[[yaml.Node, _Report, str], object]] = {
    "title": _read_text,
    "published": _read_date,
    "added": _read_date,
    "withdrawn": _read_date,
    "authors": partial(_read_list, empty="is an empty list; list the authors or drop the key"),
    "author_count": partial(_read_int, minimum=1),
    "upvotes": partial(_read_int, minimum=0),
    "arxiv": _read_arxiv,
    "links": _read_links,
    "topics": partial(_read_list, empty="needs at least one topic"),
    "note": _read_trimmed,
}


# --------------------------------------------------------------------------------------------
# Writing


try:  # libyaml's emitter: ~10x faster than PyYAML's own
    from yaml import CSafeDumper as _BaseDumper
except ImportError:  # a PyYAML built without libyaml
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]


class _Dumper(_BaseDumper):
    """Writes multi-line text as literal blocks, everything else as PyYAML would (which
    quotes any string YAML would read as another type: 'null', 'yes', '2024-01-01' ...)."""

    def ignore_aliases(self, data: object) -> bool:
        # Never `&id001` / `*id001`: a paper added the day it was published holds one date
        # object twice, and a contributor must be able to read and edit every value in place.
        return True


def _str_representer(dumper: _Dumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar(_STR, value, style=style)


def _list_representer(dumper: _Dumper, value: list) -> yaml.Node:
    # Short lists (topics, a few authors) on one line, long ones one item per line.
    flow = sum(len(str(v)) + 2 for v in value) <= 80
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


def _dict_representer(dumper: _Dumper, value: dict) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=False)


_Dumper.add_representer(str, _str_representer)
_Dumper.add_representer(list, _list_representer)
_Dumper.add_representer(dict, _dict_representer)


def paper_fields(paper: Paper) -> dict[str, object]:
    """The front matter of ``paper`` as an ordered dict, without empty optional keys."""
    data: dict[str, object] = {
        "title": paper.title,
        "published": paper.published,
        "authors": list(paper.authors) or None,
        "author_count": paper.author_count,
        "upvotes": paper.upvotes,
        "arxiv": paper.arxiv,
        "links": dict(paper.links) or None,
        "topics": list(paper.topics),
        "added": paper.added,
        "withdrawn": paper.withdrawn,
        "note": paper.note,
    }
    return {k: v for k, v in data.items() if v is not None}


def dump_paper(paper: Paper) -> str:
    """The text of ``paper``'s file: deterministic, so rewriting an unchanged paper changes no byte."""
    front = yaml.dump(paper_fields(paper), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                      width=10**9)
    return f"---\n{front}---\n\n{paper.abstract.strip()}\n"
