"""The topics of the list, defined once in ``topics.yml``, and the keyword rules that suggest
them for new papers (the importers use them; curators have the last word)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

from .model import MAX_ABSTRACT, MAX_TITLE

#: Weight of a keyword found in the title, and the score a topic needs to be suggested.
TITLE_WEIGHT = 3
THRESHOLD = 3
MAX_SUGGESTED = 4
_ID = re.compile(r"^[a-z][a-z0-9-]*$")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: A run of characters a whole-word match cannot start inside (see ``_found``).
_WORD = re.compile(r"[\w-]*")


class TaxonomyError(ValueError):
    """``topics.yml`` itself is wrong: a maintainer's mistake, reported with the file."""


@dataclass(frozen=True)
class Topic:
    id: str
    name: str
    description: str
    keywords: tuple[re.Pattern[str], ...]

    @property
    def url(self) -> str:
        return f"topics/{self.id}/"


@dataclass(frozen=True)
class Taxonomy:
    topics: tuple[Topic, ...]
    fallback: str

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.topics)

    def __getitem__(self, topic_id: str) -> Topic:
        return self._by_id[topic_id]

    @cached_property
    def _by_id(self) -> dict[str, Topic]:
        return {t.id: t for t in self.topics}

    def scores(self, title: str, abstract: str) -> dict[str, int]:
        """Keyword score of every topic for a paper (0 for no match)."""
        # One search per keyword over title and abstract together: the first whole-word match
        # tells whether the title has one (weight 3) or only the abstract (weight 1).
        # Bounded input whatever the caller checked: keyword scoring costs time per character.
        title, abstract = title[:MAX_TITLE], abstract[:MAX_ABSTRACT]
        text = f"{title}\n{abstract}".lower()
        split = len(title)
        result = {}
        for topic in self.topics:
            score = 0
            for pattern in topic.keywords:
                at = _found(pattern, text)
                if at >= 0:
                    score += TITLE_WEIGHT if at < split else 1
            result[topic.id] = score
        return result

    def matching(self, title: str, abstract: str) -> tuple[str, ...]:
        """Topics the keyword rules put a paper in, best first (may be empty: out of scope)."""
        scores = self.scores(title, abstract)
        ranked = sorted((t for t in self.ids if scores[t] >= THRESHOLD), key=lambda t: (-scores[t], self.ids.index(t)))
        return tuple(ranked[:MAX_SUGGESTED])

    def suggest(self, title: str, abstract: str) -> tuple[str, ...]:
        """Topics for a new paper: the matching ones, or the fallback topic."""
        return self.matching(title, abstract) or (self.fallback,)


def _found(pattern: re.Pattern[str], text: str) -> int:
    """Where ``pattern`` first matches ``text`` as whole words, or -1. The left word boundary
    is checked here rather than with a look-behind in the pattern: a pattern that starts with
    a literal is searched some twenty times faster by ``re``, and importers score every paper."""
    match = pattern.search(text)
    while match is not None:
        start = match.start()
        if start == 0 or not (text[start - 1].isalnum() or text[start - 1] in "_-"):
            return start
        # No match can start inside this word: go on after it. Searching again from
        # start + 1 made a long word that repeats a keyword ('interpretinterpret...')
        # quadratic, as each try ran to the end of the word.
        word = _WORD.match(text, start)  # always matches ([\w-]* may be empty)
        match = pattern.search(text, (word.end() if word else start) + 1)
    return -1


def load_taxonomy(path: str | Path) -> Taxonomy:
    """Read and check ``topics.yml``; raises ``TaxonomyError`` with every problem, each as
    ``topics.yml:LINE: message`` (topic and key named), never a traceback."""
    path = Path(path)
    shown = _shown(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise TaxonomyError(f"{shown}: cannot read the taxonomy: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        line = exc.object.count(b"\n", 0, exc.start) + 1
        raise TaxonomyError(f"{shown}:{line}: not UTF-8 text "
                            f"(byte 0x{exc.object[exc.start]:02x}); save it as UTF-8") from None
    # One parse gives both the data and the node tree (for line numbers); libyaml's loader is
    # ten times faster than PyYAML's pure-Python one, and every script and build reads this file.
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark, context = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        context_text = getattr(exc, "context", None)
        where = f" ({context_text} on line {context.line + 1})" if context is not None and context_text else ""
        raise TaxonomyError(f"{shown}:{line}: invalid YAML: {getattr(exc, 'problem', None) or exc}{where}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict) or not isinstance(data.get("topics"), list) or not data["topics"]:
        raise TaxonomyError(f"{shown}:1: expected a mapping with a non-empty 'topics' list (and 'fallback': a topic id)")
    lines = _item_lines(node)
    topics: list[Topic] = []
    problems: list[str] = []
    first_line: dict[str, int] = {}
    for i, item in enumerate(data["topics"]):
        line = lines[i] if i < len(lines) else 1
        where = f"{shown}:{line}: topic #{i + 1}"
        if not isinstance(item, dict) or set(item) != {"id", "name", "description", "keywords"}:
            found = ", ".join(map(str, item)) if isinstance(item, dict) else type(item).__name__
            problems.append(f"{where}: expected exactly the keys id, name, description, keywords (found: {found})")
            continue
        if not isinstance(item["id"], str) or not _ID.match(item["id"]):
            problems.append(f"{where}: id {item['id']!r} must be lowercase letters, digits and '-'")
            continue
        where = f"{shown}:{line}: topic '{item['id']}'"
        if item["id"] in first_line:
            problems.append(f"{where}: id '{item['id']}' is defined twice (first at line {first_line[item['id']]})")
            continue
        first_line[item["id"]] = line
        if not isinstance(item["keywords"], list):
            found = "empty" if item["keywords"] is None else f"{type(item['keywords']).__name__} {str(item['keywords'])[:40]!r}"
            problems.append(f"{where}: keywords is {found}; expected a list of patterns (write [] for a topic no rule suggests)")
            continue
        if not isinstance(item["name"], str) or not item["name"].strip() or not isinstance(item["description"], str):
            problems.append(f"{where}: name and description must be text")
            continue
        bad = False
        for k in item["keywords"]:
            if isinstance(k, str) and not k.strip():
                problems.append(f"{where}: an empty keyword would match every paper")
                bad = True
                continue
            # Matched against lower-cased text (see Taxonomy.scores and _found).
            if not isinstance(k, str) or re.search(r"[A-Z]", re.sub(r"\\.", "", k)):
                problems.append(f"{where}: keyword {k!r} must be a lowercase pattern")
                bad = True
        if bad:
            continue
        try:
            keywords = tuple(re.compile(rf"(?:{k})(?![\w-])") for k in item["keywords"])
        except re.error as exc:
            problems.append(f"{where}: bad keyword pattern: {exc}")
            continue
        slow = [k for k in item["keywords"] if _backtracks(k)]
        if slow:
            problems.append(f"{where}: keyword {slow[0]!r} repeats a repetition (like '(a+)+') or refers back to a group; "
                            "such a pattern can take exponential time on a long abstract: write it without nesting")
            continue
        topics.append(Topic(item["id"], str(item["name"]), str(item["description"]), keywords))
    fallback = data.get("fallback")
    if not problems and fallback not in {t.id for t in topics}:
        problems.append(f"{shown}:{_key_line(node, 'fallback')}: fallback {fallback!r} is not one of the topic ids")
    if problems:
        raise TaxonomyError("\n".join(problems))
    return Taxonomy(tuple(topics), str(fallback))


def _backtracks(pattern: str) -> bool:
    """Whether ``pattern`` has a repetition inside a repetition (``(a+)+``, ``(\\w*\\s?)*``) or a
    back-reference: the shapes that make a backtracking matcher exponential. Read from the
    parse tree of Python's own regex compiler (``re._parser``, stable since 3.11), so no
    spelling hides one."""
    from re import _parser  # type: ignore[attr-defined]  # the compiler's parser: no public API exposes the tree

    def walk(items, inside_repeat: bool) -> bool:
        for op, arg in items:
            name = str(op)
            if name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
                _low, high, sub = arg
                repeats = high is _parser.MAXREPEAT or high > 1
                if (inside_repeat and repeats) or walk(sub, inside_repeat or repeats):
                    return True
            elif name in {"GROUPREF", "GROUPREF_EXISTS"}:
                return True
            elif name == "SUBPATTERN":
                if walk(arg[-1], inside_repeat):
                    return True
            elif name == "BRANCH":
                if any(walk(branch, inside_repeat) for branch in arg[1]):
                    return True
            elif name in {"ASSERT", "ASSERT_NOT", "ATOMIC_GROUP"}:
                if walk(arg[-1], inside_repeat):
                    return True
        return False

    return walk(_parser.parse(pattern), False)


def _item_lines(node) -> list[int]:
    """Line of each item of the ``topics`` list, from the YAML node tree."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "topics" and isinstance(value, yaml.SequenceNode):
                return [item.start_mark.line + 1 for item in value.value]
    return []


def _key_line(node, name: str) -> int:
    if isinstance(node, yaml.MappingNode):
        for key, _ in node.value:
            if key.value == name:
                return key.start_mark.line + 1
    return 1


def _shown(path: Path) -> str:
    """The path relative to the current folder when inside it (clickable in a terminal)."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)
