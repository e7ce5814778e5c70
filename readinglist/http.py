"""The one HTTP layer of the scripts: ``requests`` with a timeout on every request, a
User-Agent naming the project, retries with exponential backoff on connection errors, timeouts
and 5xx, ``Retry-After`` honoured on 429, and an overall deadline.

When it gives up it raises ``FetchError`` with one line saying what failed, which URL, and
what to do; the scripts print that line and exit non-zero, without a traceback.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

USER_AGENT = "lm-reading-list/1.0 (+https://github.com/; scripts/fetch_daily.py, scripts/new_paper.py)"


class FetchError(Exception):
    """A request failed for good; ``str()`` is the one line to show the user."""


class NotFound(FetchError):
    """The server answered 404: the thing asked for does not exist there."""


@dataclass
class Http:
    """A session with the project's network rules. ``sleep`` and ``clock`` are injectable
    so tests need not wait."""

    timeout: float = 20.0
    """Seconds for connecting and for each read of one request."""
    retries: int = 4
    """Further attempts after a failed one (connection error, timeout, 5xx, 429)."""
    backoff: float = 1.0
    """First wait between attempts, doubled each time (capped at ``max_wait``)."""
    max_wait: float = 60.0
    deadline: float = 300.0
    """Seconds all requests of this session may take together."""
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    session: requests.Session = field(default_factory=requests.Session)
    _start: float | None = None

    def __post_init__(self) -> None:
        self.session.headers["User-Agent"] = USER_AGENT

    def get(self, url: str, *, params: dict | None = None, accept: str = "application/json") -> requests.Response:
        """GET ``url``; returns a 2xx response or raises ``FetchError`` / ``NotFound``."""
        if self._start is None:
            self._start = self.clock()
        shown = requests.Request("GET", url, params=params).prepare().url or url
        wait = self.backoff
        problem = ""
        for attempt in range(self.retries + 1):
            remaining = self.deadline - (self.clock() - self._start)
            if remaining <= 0:
                raise FetchError(f"gave up on {shown}: the overall deadline of {self.deadline:.0f} s has passed"
                                 f" (last problem: {problem or 'none'}); try again later")
            try:
                response = self.session.get(url, params=params, timeout=min(self.timeout, remaining),
                                            headers={"Accept": accept})
            except requests.Timeout:
                problem = f"no answer within {self.timeout:g} s"
            except requests.ConnectionError as exc:
                problem = f"cannot connect ({_reason(exc)})"
            else:
                if response.status_code == 404:
                    raise NotFound(f"{shown}: not found (HTTP 404)")
                if response.status_code == 429:
                    problem = "rate limited (HTTP 429)"
                    wait = max(wait, _retry_after(response.headers.get("Retry-After")) or 0)
                elif response.status_code >= 500:
                    problem = f"server error (HTTP {response.status_code})"
                elif response.status_code >= 400:
                    raise FetchError(f"{shown}: refused with HTTP {response.status_code}; check the request (is the date or id right?)")
                else:
                    return response
            if attempt == self.retries:
                break
            delay = min(wait, self.max_wait, max(0.0, self.deadline - (self.clock() - self._start)))
            self.sleep(delay)
            wait = min(wait * 2, self.max_wait)
        raise FetchError(f"gave up on {shown} after {self.retries + 1} attempts: {problem}; "
                         "check the network or the service's status and try again later")

    def get_json(self, url: str, *, params: dict | None = None) -> Any:
        response = self.get(url, params=params)
        try:
            return response.json()
        except ValueError:
            raise FetchError(f"{response.url}: the answer is not valid JSON (starts with {response.text[:60]!r}); "
                             "the API may have changed, or try again later") from None


def _reason(exc: Exception) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "Temporary failure in name resolution",
                   "Connection reset", "Remote end closed connection"):
        if marker in text:
            return marker.lower()
    return type(exc).__name__


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
