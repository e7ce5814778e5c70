"""Is the list alive? The facts a build records (when, which commit, how many papers, the
newest ``added``, the last import run) and the staleness rules, shared by the build
(``pages/status.py``, the footer), ``scripts/status.py`` and ``scripts/fetch_daily.py``.

The import workflow records each run in ``papers/.last-import.json`` (``fetch_daily.py
--record``), committed with its pull request. The catalog reads ``*.md`` only, so it never
sees that file. Its content is treated as hostile input like any other file: a broken record
gives a located ``Problem``, never a traceback.

Time comes from one injectable clock, ``now()``: ``SOURCE_DATE_EPOCH`` when set (reproducible
builds, tests), else the system's UTC time.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .model import Paper, Problem, parse_date

#: Where the import workflow records its last run, relative to the project.
RECORD_NAME = ".last-import.json"
RECORD_VERSION = 1
#: A record is a few hundred bytes; anything much larger is not one (bounded memory).
MAX_RECORD_BYTES = 64 * 1024
#: The counts a record holds, in the order they are written.
COUNT_KEYS = ("listed", "new", "updated", "unchanged", "out_of_scope", "withdrawn", "rejected", "refreshed", "gone")

#: Staleness rules (days). A list is stale when its newest paper was added more than
#: NEW_PAPER_DAYS ago, when the last import ran more than IMPORT_DAYS ago, or when the import
#: has found nothing new on EMPTY_WEEKDAYS consecutive weekdays (the API may have changed).
NEW_PAPER_DAYS = 7
IMPORT_DAYS = 2
EMPTY_WEEKDAYS = 5
#: The site shows a note when a page is viewed more than this many days after its build.
NOTE_AFTER_DAYS = 3

_SHA = re.compile(r"^[0-9a-f]{7,64}$")
_UTC_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def now(env: Mapping[str, str] | None = None) -> tuple[dt.datetime, list[Problem]]:
    """The current UTC time, or ``SOURCE_DATE_EPOCH`` (seconds since 1970) when set, so that
    tests and reproducible builds are deterministic. A malformed value is a problem (and the
    system time is returned): a build meant to be reproducible must not silently not be."""
    env = os.environ if env is None else env
    raw = env.get("SOURCE_DATE_EPOCH")
    if raw is not None and raw.strip():
        value = raw.strip()
        if re.fullmatch(r"\d{1,12}", value):
            return dt.datetime.fromtimestamp(int(value), dt.UTC), []
        return _system_now(), [Problem("SOURCE_DATE_EPOCH", 0, "", f"{value[:40]!r} is not a whole number of seconds since 1970")]
    return _system_now(), []


def _system_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def format_time(moment: dt.datetime) -> str:
    """``2026-11-28T05:41:07Z``: the one way times are written in records and status.json."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def commit(project: Path, env: Mapping[str, str] | None = None) -> str | None:
    """The commit being built: ``GITHUB_SHA`` in GitHub Actions, else ``git rev-parse HEAD``
    when the project is a git checkout, else None. Never fails: a build without git is fine."""
    env = os.environ if env is None else env
    sha = (env.get("GITHUB_SHA") or "").strip().lower()
    if _SHA.match(sha):
        return sha
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    sha = result.stdout.strip().lower()
    return sha if result.returncode == 0 and _SHA.match(sha) else None


@dataclass(frozen=True)
class ImportRun:
    """One run of the nightly import, as ``papers/.last-import.json`` records it."""

    run: dt.datetime
    """When the import ran (UTC)."""
    first: dt.date
    """The first day fetched."""
    last: dt.date
    """The last day fetched."""
    counts: dict[str, int] = field(default_factory=dict)
    """What it did: ``new``, ``updated``, ``refreshed`` ... (``COUNT_KEYS``)."""
    last_new: dt.date | None = None
    """The most recent day an import found a new paper (carried from run to run)."""

    def to_json(self) -> dict:
        return {"version": RECORD_VERSION, "run": format_time(self.run),
                "days": {"from": self.first.isoformat(), "until": self.last.isoformat()},
                "counts": {k: self.counts.get(k, 0) for k in COUNT_KEYS},
                "last_new": self.last_new.isoformat() if self.last_new else None}


def dump_record(run: ImportRun) -> str:
    return json.dumps(run.to_json(), indent=2) + "\n"


def parse_record(text: str, path: str) -> tuple[ImportRun | None, list[Problem]]:
    """An import record from its text, or None and every problem found, each located
    (``papers/.last-import.json:3: run: ...``)."""
    if len(text) > MAX_RECORD_BYTES:
        return None, [Problem(path, 1, "", f"is {len(text):,} characters; an import record is a small JSON object")]
    text = text.removeprefix("\ufeff")  # a byte-order mark, as in paper files, is accepted
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        return None, [Problem(path, exc.lineno, "", f"is not valid JSON ({exc.msg}, column {exc.colno})")]
    except RecursionError:
        return None, [Problem(path, 1, "", "is nested too deeply to be an import record")]
    except ValueError:  # NaN / Infinity, or an integer of thousands of digits
        return None, [Problem(path, 1, "", "is not valid JSON (a number that is NaN, Infinity or thousands of digits long)")]
    if not isinstance(data, dict):
        return None, [Problem(path, 1, "", f"must be a JSON object, not {_kind(data)}")]

    def line(key: str) -> int:
        match = re.search(r'"' + re.escape(key) + r'"\s*:', text)
        return text.count("\n", 0, match.start()) + 1 if match else 1

    problems: list[Problem] = []

    def bad(key: str, message: str) -> None:
        problems.append(Problem(path, line(key.split(".")[-1]), key, message))

    if data.get("version") != RECORD_VERSION:
        bad("version", f"{_shown(data.get('version'))} is not a known version (expected {RECORD_VERSION})")
    unknown = sorted(set(data) - {"version", "run", "days", "counts", "last_new"})
    for key in unknown:
        bad(str(key)[:40], "unknown key")
    run = None
    raw_run = data.get("run")
    if isinstance(raw_run, str) and _UTC_TIME.match(raw_run):
        try:
            run = dt.datetime.strptime(raw_run, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        except ValueError:
            pass
    if run is None:
        bad("run", f"{_shown(raw_run)} is not a UTC time (YYYY-MM-DDTHH:MM:SSZ)")
    days = data.get("days")
    first = last = None
    if not isinstance(days, dict):
        bad("days", f"must be an object {{\"from\": YYYY-MM-DD, \"until\": YYYY-MM-DD}}, not {_kind(days)}")
    else:
        first, last = _day(days.get("from"), "days.from", bad), _day(days.get("until"), "days.until", bad)
        if first and last and last < first:
            bad("days.until", f"{last} is before days.from {first}")
    counts = data.get("counts")
    clean: dict[str, int] = {}
    if not isinstance(counts, dict):
        bad("counts", f"must be an object of counts, not {_kind(counts)}")
    else:
        for key, value in counts.items():
            if key not in COUNT_KEYS:
                bad(f"counts.{str(key)[:40]}", f"unknown count; known: {', '.join(COUNT_KEYS)}")
            elif not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 10**9:
                bad(f"counts.{key}", f"{_shown(value)} is not a count (a whole number >= 0)")
            else:
                clean[key] = value
    last_new = None
    if data.get("last_new") is not None:
        last_new = _day(data.get("last_new"), "last_new", bad)
    if problems or run is None or first is None or last is None:
        return None, problems
    return ImportRun(run, first, last, clean, last_new), []


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _day(value, key: str, bad) -> dt.date | None:
    day = parse_date(value) if isinstance(value, str) else None
    if day is None:
        bad(key, f"{_shown(value)} is not a date (YYYY-MM-DD)")
    return day


def _kind(value) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(type(value), "a number")


def _shown(value) -> str:
    """A value from the file, shortened and quoted, safe to print on one line."""
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 60 else text[:57] + "..."


def read_record(path: Path, shown: str) -> tuple[ImportRun | None, list[Problem]]:
    """The record at ``path``: (None, []) when there is none yet."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_RECORD_BYTES + 1)
    except FileNotFoundError:
        return None, []
    except OSError as exc:
        return None, [Problem(shown, 0, "", f"cannot be read ({exc.strerror})")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(shown, raw.count(b"\n", 0, exc.start) + 1, "", "is not valid UTF-8")]
    return parse_record(text, shown)


@dataclass(frozen=True)
class Facts:
    """What a build knows about the list's freshness: the footer, the home page and
    ``/status.json`` show it."""

    built: dt.datetime
    commit: str | None
    papers: int
    newest_added: dt.date | None
    last_import: ImportRun | None

    def summary(self) -> dict[str, str | None]:
        """The footer's fields as text: ``built`` (ISO time, for the stale-note script),
        ``updated`` (its date), ``papers`` ("1,234 papers"), ``last_import`` (a date or None)."""
        return {"built": format_time(self.built), "updated": self.built.date().isoformat(),
                "papers": f"{self.papers:,} paper{'s' if self.papers != 1 else ''}",
                "last_import": self.last_import.run.date().isoformat() if self.last_import else None,
                "commit": self.commit}

    def to_json(self) -> dict:
        return {"version": 1, "built": format_time(self.built), "commit": self.commit, "papers": self.papers,
                "newest_added": self.newest_added.isoformat() if self.newest_added else None,
                "last_import": self.last_import.to_json() if self.last_import else None}


def newest_added(papers: list[Paper]) -> dt.date | None:
    return max((p.added for p in papers), default=None)


def build_facts(papers: list[Paper], project: Path, papers_dir: Path,
                env: Mapping[str, str] | None = None) -> tuple[Facts, list[Problem]]:
    """The facts of a build of ``papers``, and the problems found on the way (a malformed
    ``SOURCE_DATE_EPOCH``, a broken import record): the build reports them as warnings."""
    built, problems = now(env)
    run, found = read_record(papers_dir / RECORD_NAME, f"{papers_dir.name}/{RECORD_NAME}")
    return Facts(built, commit(project, env), len(papers), newest_added(papers), run), problems + found


def per_month(papers: list[Paper], today: dt.date, months: int = 12) -> list[tuple[str, int]]:
    """Papers added per month over the last ``months`` months, oldest first, this month
    included; months with none are listed with 0."""
    keys = []
    year, month = today.year, today.month
    for _ in range(months):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    counts = dict.fromkeys(reversed(keys), 0)
    for paper in papers:
        key = f"{paper.added.year:04d}-{paper.added.month:02d}"
        if key in counts:
            counts[key] += 1
    return list(counts.items())


def weekdays_after(day: dt.date, today: dt.date) -> int:
    """Weekdays (Monday to Friday) after ``day`` up to and including ``today``."""
    count, current = 0, day + dt.timedelta(days=1)
    # At most a few weeks in practice; whole weeks are counted at once so a very old date is cheap.
    if (today - current).days > 14:
        weeks = (today - current).days // 7 - 1
        count, current = weeks * 5, current + dt.timedelta(days=7 * weeks)
    while current <= today:
        count += current.weekday() < 5
        current += dt.timedelta(days=1)
    return count


def stale_reasons(newest: dt.date | None, run: ImportRun | None, today: dt.date) -> list[str]:
    """Why the list looks stale on ``today`` (empty: it looks alive). Each reason is one line."""
    reasons = []
    if newest is None:
        reasons.append("the list has no papers")
    elif (today - newest).days > NEW_PAPER_DAYS:
        reasons.append(f"no new paper for {(today - newest).days} days (newest added {newest}; limit {NEW_PAPER_DAYS} days)")
    if run is None:
        reasons.append(f"no import run is recorded (papers/{RECORD_NAME} is missing)")
    else:
        if (today - run.run.date()).days > IMPORT_DAYS:
            reasons.append(f"the last import ran {(today - run.run.date()).days} days ago ({run.run.date()}; limit {IMPORT_DAYS} days)")
        if run.last_new is not None and (empty := weekdays_after(run.last_new, today)) >= EMPTY_WEEKDAYS:
            reasons.append(f"the import has found nothing new on {empty} consecutive weekdays (last new paper found "
                           f"{run.last_new}): has the Hugging Face API changed?")
    return reasons
