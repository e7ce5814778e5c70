"""The one HTTP layer of the scripts: ``requests`` with a timeout on every network read, a
User-Agent naming the project, retries with exponential backoff on connection errors,
timeouts, broken answers and 5xx, ``Retry-After`` honoured on 429 and 503 (capped at
``max_wait``, 60 s), and an overall deadline that bounds the *whole* run: connecting, headers
and every byte of every body (a server that sends one byte a second is cut off at the
deadline, not after the last byte).

Answers are bounded too: at most ``max_bytes`` after decompression (a gzip bomb is stopped at
the cap, never inflated in memory), at most ``MAX_REDIRECTS`` redirects, and only to http(s)
URLs. JSON is parsed with a nesting limit.

When it gives up it raises ``FetchError`` with one line saying what failed, which URL, and
what to do; the scripts print that line and exit non-zero, without a traceback.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import math
import queue
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3

USER_AGENT = ("lm-reading-list/1.0 (a curated reading list's import scripts: scripts/fetch_daily.py, scripts/new_paper.py; "
              "python-requests)")
MAX_REDIRECTS = 5
#: Deepest JSON nesting accepted: the APIs' answers are three or four levels deep.
MAX_JSON_DEPTH = 40
_CHUNK = 64 * 1024


class FetchError(Exception):
    """A request failed for good; ``str()`` is the one line to show the user."""


class NotFound(FetchError):
    """The server answered 404: the thing asked for does not exist there."""


class _Retry(Exception):
    """One attempt failed in a way worth another try; ``str()`` says how."""


@dataclass(frozen=True)
class Answer:
    """A complete, successful answer: its body is already read (and bounded)."""

    url: str
    status_code: int
    headers: dict[str, str]
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


@dataclass
class Http:
    """A session with the project's network rules. ``sleep`` and ``clock`` are injectable
    so tests need not wait; ``clock`` is also read between the reads of a body, so the
    deadline cuts off a slow body."""

    timeout: float = 20.0
    """Seconds for connecting and for each read of one request."""
    retries: int = 4
    """Further attempts after a failed one (connection error, timeout, 5xx, 429)."""
    backoff: float = 1.0
    """First wait between attempts, doubled each time (capped at ``max_wait``)."""
    max_wait: float = 60.0
    """Longest wait between two attempts, whatever ``Retry-After`` asks."""
    deadline: float = 300.0
    """Seconds all requests of this session may take together."""
    max_bytes: int = 16 * 1024 * 1024
    """Largest answer accepted, after decompression."""
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    now: Callable[[], float] = time.time
    """Wall-clock time, for a ``Retry-After`` given as an HTTP date."""
    session: requests.Session = field(default_factory=requests.Session)
    _start: float | None = None

    def __post_init__(self) -> None:
        for name in ("timeout", "deadline", "max_wait"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")
        if not (math.isfinite(self.backoff) and self.backoff >= 0):
            raise ValueError(f"backoff must be 0 or more seconds, not {self.backoff!r}")
        if not isinstance(self.retries, int) or self.retries < 0:
            raise ValueError(f"retries must be a whole number >= 0, not {self.retries!r}")
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.max_redirects = MAX_REDIRECTS

    def _remaining(self) -> float:
        assert self._start is not None
        return self.deadline - (self.clock() - self._start)

    def get(self, url: str, *, params: dict | None = None, accept: str = "application/json") -> Answer:
        """GET ``url``; returns a 2xx answer or raises ``FetchError`` / ``NotFound``."""
        if self._start is None:
            self._start = self.clock()
        try:
            shown = requests.Request("GET", url, params=params).prepare().url or url
            urlsplit(shown)
        except (requests.RequestException, ValueError) as exc:
            raise FetchError(f"{url}: not a URL that can be fetched ({_reason(exc)})") from None
        if urlsplit(shown).scheme not in ("http", "https"):
            raise FetchError(f"{shown}: only http(s) URLs are fetched")
        wait = self.backoff
        problem = ""
        for attempt in range(self.retries + 1):
            remaining = self._remaining()
            if remaining <= 0:
                raise self._past_deadline(shown, problem)
            try:
                return self._attempt(url, params, accept, shown, remaining)
            except _Retry as exc:
                problem = str(exc)
                wait = max(wait, getattr(exc, "retry_after", 0.0))
            if attempt == self.retries:
                break
            delay = min(wait, self.max_wait, max(0.0, self._remaining()))
            self.sleep(delay)
            wait = min(wait * 2, self.max_wait)
        raise FetchError(f"gave up on {shown} after {self.retries + 1} attempts: {problem}; "
                         "check the network or the service's status and try again later")

    def _past_deadline(self, shown: str, problem: str) -> FetchError:
        return FetchError(f"gave up on {shown}: the overall deadline of {self.deadline:g} s has passed"
                          f" (last problem: {problem or 'none'}); try again later")

    def _attempt(self, url: str, params: dict | None, accept: str, shown: str, remaining: float) -> Answer:
        """One request, run in a worker thread so that the deadline holds even where no
        socket timeout reaches (name resolution, a server trickling headers)."""
        results: queue.Queue = queue.Queue(maxsize=1)
        cancel = threading.Event()

        def work() -> None:
            try:
                results.put(("ok", self._transfer(url, params, accept, shown, cancel)))
            except BaseException as exc:  # handed to the caller's thread, which raises it
                results.put(("error", exc))

        worker = threading.Thread(target=work, name="http-get", daemon=True)
        worker.start()
        # Real seconds: the injected clock may be a test's fake one, which _transfer reads.
        try:
            kind, value = results.get(timeout=max(remaining, 0.001) + 1.0)
        except queue.Empty:
            cancel.set()  # the worker stops at its next read; it is a daemon and holds no file
            raise self._past_deadline(shown, "the answer did not arrive in time") from None
        if kind == "error":
            raise value
        return value

    def _transfer(self, url: str, params: dict | None, accept: str, shown: str, cancel: threading.Event) -> Answer:
        remaining = self._remaining()
        per_read = min(self.timeout, max(remaining, 0.001))
        try:
            response = self.session.get(url, params=params, timeout=per_read, headers={"Accept": accept, "Accept-Encoding": "gzip, deflate"},
                                        stream=True)
        except requests.Timeout:
            raise _Retry(f"no answer within {per_read:g} s") from None
        except requests.TooManyRedirects:
            raise FetchError(f"{shown}: more than {MAX_REDIRECTS} redirects (a redirect loop?); check the URL") from None
        except (requests.exceptions.InvalidSchema, requests.exceptions.MissingSchema,
                requests.exceptions.InvalidURL) as exc:
            raise FetchError(f"{shown}: redirected to a URL that is not http(s) or not valid ({_reason(exc)}); "
                             "refusing to follow it") from None
        except requests.ConnectionError as exc:
            raise _Retry(f"cannot connect ({_reason(exc)})") from None
        except requests.RequestException as exc:
            raise _Retry(f"the request failed ({_reason(exc)})") from None
        except (ValueError, UnicodeError) as exc:  # e.g. redirected to 'http://[::1', which urllib cannot split
            raise FetchError(f"{shown}: redirected to a URL that cannot be read ({exc}); refusing to follow it") from None
        with response:
            final = response.url or shown
            if urlsplit(final).scheme not in ("http", "https"):
                raise FetchError(f"{shown}: redirected to {final}, which is not http(s); refusing it")
            status = response.status_code
            if status == 404:
                raise NotFound(f"{shown}: not found (HTTP 404)")
            if status in (429, 503) or status >= 500:
                retry = _Retry("rate limited (HTTP 429)" if status == 429 else f"server error (HTTP {status})")
                retry.retry_after = _retry_after(response.headers.get("Retry-After"), self.now) or 0.0  # type: ignore[attr-defined]
                raise retry
            if status >= 400:
                raise FetchError(f"{shown}: refused with HTTP {status}; check the request (is the date or id right?)")
            if not 200 <= status < 300:
                raise FetchError(f"{shown}: unexpected answer HTTP {status}")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and len(declared) < 20 and int(declared) > self.max_bytes:
                raise FetchError(self._too_large(shown))
            content = self._read_body(response, shown, cancel)
            return Answer(final, status, dict(response.headers), content)

    def _read_body(self, response: requests.Response, shown: str, cancel: threading.Event) -> bytes:
        """The decoded body, read one network read at a time: the clock is checked between
        reads (the deadline bounds the transfer) and the decoded size after each. Decoding
        is done here, with ``zlib``'s output limit, so a gzip bomb never inflates past the
        cap, and a truncated or corrupt compressed body is an error, not a shorter answer."""
        decoder = _Decoder(response.headers.get("Content-Encoding", ""), shown)
        raw = response.raw
        chunks: list[bytes] = []
        size = 0
        try:
            while True:
                if cancel.is_set():
                    raise _Retry("cancelled")
                if self._remaining() <= 0:
                    raise self._past_deadline(shown, "the answer was still arriving")
                data = raw.read1(_CHUNK, decode_content=False)
                chunk = decoder.feed(data, self.max_bytes - size) if data else decoder.finish()
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(self._too_large(shown))
                chunks.append(chunk)
                if not data:
                    break
        except (urllib3.exceptions.ReadTimeoutError, TimeoutError):
            raise _Retry(f"the answer stopped arriving (nothing for {self.timeout:g} s)") from None
        except (urllib3.exceptions.ProtocolError, urllib3.exceptions.HTTPError, http.client.HTTPException, OSError) as exc:
            raise _Retry(f"the connection broke while the answer was arriving ({_reason(exc)})") from None
        return b"".join(chunks)

    def _too_large(self, shown: str) -> str:
        return (f"{shown}: the answer is larger than {self.max_bytes / 2**20:g} MiB (after decompression); "
                "refusing it: is this the right URL?")

    def get_json(self, url: str, *, params: dict | None = None) -> Any:
        """GET ``url`` and parse its JSON (UTF-8, at most ``MAX_JSON_DEPTH`` levels deep)."""
        answer = self.get(url, params=params)
        return parse_json(answer.content, answer.url)


class _Decoder:
    """Undo a ``Content-Encoding`` (gzip or deflate) with bounded output."""

    def __init__(self, encoding: str, shown: str) -> None:
        self.shown = shown
        name = encoding.strip().lower()
        if name in ("", "identity"):
            self.zlib = None
        elif name in ("gzip", "x-gzip"):
            self.zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif name == "deflate":
            self.zlib = zlib.decompressobj(zlib.MAX_WBITS)
        else:
            raise FetchError(f"{shown}: the answer is compressed with {encoding[:40]!r}, which was not asked for; refusing it")

    def feed(self, data: bytes, room: int) -> bytes:
        """Decoded ``data``; at most ``room + 1`` bytes (one more than fits tells the caller
        the answer is too large)."""
        if self.zlib is None:
            return data
        if self.zlib.eof:
            return b""  # bytes after the end of the compressed stream are ignored
        try:
            return self.zlib.decompress(data, max(room, 0) + 1)
        except zlib.error:
            raise _Retry("the answer's compressed body is corrupt (bad gzip/deflate data)") from None

    def finish(self) -> bytes:
        if self.zlib is not None and not self.zlib.eof:
            raise _Retry("the answer's compressed body is corrupt or cut short (bad gzip/deflate data)")
        return b""


def parse_json(content: bytes, where: str) -> Any:
    """JSON from an answer, or ``FetchError`` in one line: invalid UTF-8 or JSON, numbers of
    thousands of digits, nesting deeper than ``MAX_JSON_DEPTH`` (checked before parsing, so
    the parser never recurses that deep)."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FetchError(f"{where}: the answer is not UTF-8 text (byte {exc.start}); the API may have changed") from None
    depth = _nesting(text)
    if depth > MAX_JSON_DEPTH:
        raise FetchError(f"{where}: the answer's JSON is nested {depth} levels deep (at most {MAX_JSON_DEPTH}); "
                         "refusing it: the API may have changed")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        detail = str(exc).split(":")[0][:80]
        raise FetchError(f"{where}: the answer is not valid JSON ({detail}; starts with {text[:60]!r}); "
                         "the API may have changed, or try again later") from None


def _nesting(text: str) -> int:
    """How deep ``[``/``{`` nest in JSON text, ignoring those inside strings (linear)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _reason(exc: BaseException) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "Temporary failure in name resolution",
                   "Connection reset", "Remote end closed connection", "Connection broken", "IncompleteRead",
                   "InvalidChunkLength", "No connection adapters", "Invalid URL", "Failed to parse"):
        if marker in text:
            return marker.lower()
    return type(exc).__name__


def _retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date (the caller
    caps the wait at ``max_wait``)."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value) if len(value) < 10 else math.inf
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    try:
        return max(0.0, when.timestamp() - now())
    except (OverflowError, ValueError, OSError):
        return None
