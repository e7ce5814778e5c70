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
        match = pattern.search(text, _WORD.match(text, start).end() + 1)
    return -1


def load_taxonomy(path: str | Path) -> Taxonomy:
    """Read and check ``topics.yml``; raises ``TaxonomyError`` naming the file and topic."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise TaxonomyError(f"{path}: cannot read the taxonomy: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("topics"), list):
        raise TaxonomyError(f"{path}: expected a mapping with a 'topics' list")
    topics: list[Topic] = []
    for i, item in enumerate(data["topics"], 1):
        where = f"{path}: topic #{i}"
        if not isinstance(item, dict) or set(item) != {"id", "name", "description", "keywords"}:
            raise TaxonomyError(f"{where}: expected exactly the keys id, name, description, keywords")
        if not isinstance(item["id"], str) or not _ID.match(item["id"]):
            raise TaxonomyError(f"{where}: id {item['id']!r} must be lowercase letters, digits and '-'")
        if any(t.id == item["id"] for t in topics):
            raise TaxonomyError(f"{where}: id '{item['id']}' is defined twice")
        if not isinstance(item["keywords"], list):
            shown = "empty" if item["keywords"] is None else f"{type(item['keywords']).__name__} {str(item['keywords'])[:40]!r}"
            raise TaxonomyError(f"{where} ({item['id']}): keywords is {shown}; expected a list of patterns "
                                "(write [] for a topic no rule suggests)")
        if not isinstance(item["name"], str) or not item["name"].strip() or not isinstance(item["description"], str):
            raise TaxonomyError(f"{where} ({item['id']}): name and description must be text")
        for k in item["keywords"]:
            if isinstance(k, str) and not k.strip():
                raise TaxonomyError(f"{where} ({item['id']}): an empty keyword would match every paper")
            # Matched against lower-cased text (see Taxonomy.scores and _found).
            if not isinstance(k, str) or re.search(r"[A-Z]", re.sub(r"\\.", "", k)):
                raise TaxonomyError(f"{where} ({item['id']}): keyword {k!r} must be a lowercase pattern")
        try:
            keywords = tuple(re.compile(rf"(?:{k})(?![\w-])") for k in item["keywords"])
        except (re.error, TypeError) as exc:
            raise TaxonomyError(f"{where} ({item['id']}): bad keyword pattern: {exc}") from None
        topics.append(Topic(item["id"], str(item["name"]), str(item["description"]), keywords))
    fallback = data.get("fallback")
    if fallback not in {t.id for t in topics}:
        raise TaxonomyError(f"{path}: fallback {fallback!r} is not one of the topic ids")
    return Taxonomy(tuple(topics), fallback)
