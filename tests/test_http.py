"""The HTTP layer (readinglist/http.py) against a local server that misbehaves on purpose
(tests/hostile_server.py): retries, Retry-After, the overall deadline over a whole transfer,
the size cap after decompression, redirects, broken bodies and hostile JSON. Every failure is a
one-line ``FetchError``. Clocks and sleeps are injected: no test waits for time to pass."""

from __future__ import annotations

import email.utils
import gzip
import json
import time
import tracemalloc
import zlib

import pytest

from fakeapi import FakeTime
from hostile_server import HostileServer, Raw, ResetAfter, Trickle, chunked, closed_port, gzip_bomb, response
from readinglist.http import MAX_JSON_DEPTH, MAX_REDIRECTS, USER_AGENT, FetchError, Http, NotFound, parse_json


def client(fake: FakeTime, **kw) -> Http:
    kw = {"timeout": 5.0, "retries": 3, "backoff": 1.0, "deadline": 300.0, **kw}
    return Http(sleep=fake.sleep, clock=fake.clock, now=lambda: 1_700_000_000.0, **kw)


@pytest.fixture
def server():
    with HostileServer() as s:
        yield s


def one_line(exc: pytest.ExceptionInfo) -> str:
    text = str(exc.value)
    assert "\n" not in text and "Traceback" not in text
    return text


def test_success_sends_the_project_user_agent(server):
    seen = []

    def reply(conn):
        seen.append(conn)
        Raw(response(200, b'{"ok": 1}'))(conn)

    server.route("/a", reply)
    fake = FakeTime()
    assert client(fake).get_json(server.url + "/a") == {"ok": 1}
    assert fake.slept == []
    assert "example" not in USER_AGENT and "https://github.com/;" not in USER_AGENT


def test_connection_refused_is_retried_with_doubling_backoff_then_one_line():
    fake = FakeTime()
    with pytest.raises(FetchError) as exc:
        client(fake, retries=3, backoff=2.0).get(closed_port() + "/x")
    assert fake.slept == [2.0, 4.0, 8.0]
    assert "after 4 attempts" in one_line(exc) and "cannot connect (connection refused)" in one_line(exc)


def test_4xx_is_not_retried_and_404_is_not_found(server):
    server.route("/bad", Raw(response(400, b"{}")))
    fake = FakeTime()
    with pytest.raises(FetchError) as exc:
        client(fake).get(server.url + "/bad")
    assert "HTTP 400" in one_line(exc) and fake.slept == []
    with pytest.raises(NotFound):
        client(fake).get(server.url + "/missing")
    assert server.hits.count("/bad") == 1


def test_5xx_then_success(server):
    server.route("/x", Raw(response(502)), Raw(response(500)), Raw(response(200, b"[]")))
    fake = FakeTime()
    assert client(fake).get_json(server.url + "/x") == []
    assert fake.slept == [1.0, 2.0]


@pytest.mark.parametrize("header, expected", [
    ("7", 7.0),
    ("120", 60.0),  # capped at 60 s
    ("99999999999999999999", 60.0),
    (email.utils.formatdate(1_700_000_000 + 30, usegmt=True), 30.0),  # an HTTP date, 30 s ahead
    (email.utils.formatdate(1_700_000_000 - 30, usegmt=True), 1.0),  # in the past: the backoff
    ("soon", 1.0),  # unreadable: the backoff
])
def test_retry_after_as_seconds_or_http_date_is_honoured_and_capped(server, header, expected):
    server.route("/x", Raw(response(429, b"", {"Retry-After": header})), Raw(response(200, b"{}")))
    fake = FakeTime()
    client(fake).get_json(server.url + "/x")
    assert fake.slept == [pytest.approx(expected)]


def test_the_deadline_stops_retries(server):
    server.route("/x", Raw(response(500)))
    fake = FakeTime()
    with pytest.raises(FetchError) as exc:
        client(fake, retries=50, backoff=4.0, deadline=30.0).get(server.url + "/x")
    assert "overall deadline of 30 s" in one_line(exc)
    assert sum(fake.slept) <= 30.0 and len(server.hits) < 10


def test_the_deadline_bounds_a_body_sent_one_byte_at_a_time(server):
    """Each byte comes well within the per-read timeout, so only the deadline can stop it.
    The fake clock moves one second per reading: the client reads a handful of bytes."""
    server.route("/slow", Trickle(size=100_000, interval=0.001))
    fake = FakeTime(step=1.0)
    start = time.perf_counter()
    with pytest.raises(FetchError) as exc:
        client(fake, deadline=20.0).get(server.url + "/slow")
    assert "overall deadline of 20 s" in one_line(exc) and "still arriving" in one_line(exc)
    assert time.perf_counter() - start < 5  # far less than the 100 s the body would take


def test_the_deadline_holds_where_no_socket_timeout_reaches(server):
    """Header lines trickled a byte at a time: no single read times out and the body loop is
    never reached; the worker-thread bound (real seconds) still ends the request."""
    server.route("/slow", Trickle(size=10, interval=0.001, headers_too=True))
    start = time.perf_counter()
    with pytest.raises(FetchError) as exc:
        Http(timeout=5.0, retries=0, deadline=0.1).get(server.url + "/slow")
    assert "deadline" in one_line(exc)
    assert time.perf_counter() - start < 4


def test_a_gzip_bomb_is_stopped_at_the_cap_without_inflating_it(server):
    bomb = gzip_bomb(32 * 1024 * 1024)  # 32 MB of zeros in ~32 kB
    server.route("/bomb", Raw(response(200, bomb, {"Content-Encoding": "gzip"})))
    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as exc:
            client(FakeTime(), max_bytes=1024 * 1024).get(server.url + "/bomb")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "larger than 1 MiB" in one_line(exc)
    assert peak < 8 * 1024 * 1024  # never more than a few times the cap


def test_a_declared_length_over_the_cap_is_refused_before_reading(server):
    server.route("/big", Raw(response(200, b"{}", {"Content-Length": "999999999999"})))
    with pytest.raises(FetchError) as exc:
        client(FakeTime(), max_bytes=1000).get(server.url + "/big")
    assert "larger than" in one_line(exc)


def test_redirect_loop(server):
    server.route("/loop", Raw(response(302, b"", {"Location": "/loop"})))
    with pytest.raises(FetchError) as exc:
        client(FakeTime()).get(server.url + "/loop")
    assert f"more than {MAX_REDIRECTS} redirects" in one_line(exc)
    assert len(server.hits) == MAX_REDIRECTS + 1


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://example.org/x", "gopher://x/", "http://[::1"])
def test_redirect_to_another_scheme_or_a_broken_url_is_refused(server, target):
    server.route("/r", Raw(response(302, b"", {"Location": target})))
    with pytest.raises(FetchError) as exc:
        client(FakeTime()).get(server.url + "/r")
    assert "refusing" in one_line(exc) or "not" in one_line(exc)


@pytest.mark.parametrize("behaviour, words", [
    (ResetAfter(size=1000, sent=100), "connection broke"),
    (Raw(response(200, b"x" * 10, {"Content-Length": "50"})), "connection broke"),
    (chunked(b"zz\r\nabc\r\n0\r\n\r\n"), "connection broke"),
    (chunked(b"5\r\nab"), "connection broke"),
    (Raw(response(200, b"this is not gzip at all", {"Content-Encoding": "gzip"})), "corrupt"),
    (Raw(response(200, b"\x1f\x8b\x08\x00garbage", {"Content-Encoding": "gzip"})), "corrupt"),
    (Raw(response(200, b"{}", {"Content-Encoding": "deflate"})), "corrupt"),
])
def test_broken_bodies_are_retried_then_one_line(server, behaviour, words):
    server.route("/b", behaviour)
    fake = FakeTime()
    with pytest.raises(FetchError) as exc:
        client(fake, retries=2).get(server.url + "/b")
    assert words in one_line(exc) and "after 3 attempts" in one_line(exc)
    assert len(fake.slept) == 2


def test_a_broken_body_then_a_good_one(server):
    server.route("/b", ResetAfter(), Raw(response(200, b'{"a": 1}')))
    assert client(FakeTime()).get_json(server.url + "/b") == {"a": 1}


@pytest.mark.parametrize("body, words", [
    (b"[" * 100_000 + b"]" * 100_000, "nested 100000 levels"),
    (b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "nested 50000 levels"),
    (b'{"upvotes": ' + b"9" * 5000 + b"}", "not valid JSON"),
    (b"<html>maintenance</html>", "not valid JSON"),
    (b'{"title": "caf\xe9"}', "not UTF-8"),
    (b"", "not valid JSON"),
])
def test_hostile_json_is_one_line(server, body, words):
    server.route("/j", Raw(response(200, body)))
    with pytest.raises(FetchError) as exc:
        client(FakeTime()).get_json(server.url + "/j")
    assert words in one_line(exc)


def test_json_nesting_at_the_limit_is_fine_and_brackets_in_strings_do_not_count():
    ok = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert parse_json(ok.encode(), "x") is not None
    assert parse_json(json.dumps({"t": "[[[[" * 1000}).encode(), "x") == {"t": "[[[[" * 1000}


@pytest.mark.parametrize("kw", [{"timeout": 0}, {"timeout": float("nan")}, {"deadline": -1}, {"backoff": -1},
                                {"retries": -1}, {"backoff": float("inf")}])
def test_nonsense_settings_are_refused(kw):
    with pytest.raises(ValueError):
        Http(**kw)


@pytest.mark.parametrize("behaviour", [
    chunked(b"4\r\n[1, \r\n3\r\n2, \r\n2\r\n3]\r\n0\r\n\r\n"),
    Raw(response(200, gzip.compress(b"[1, 2, 3]"), {"Content-Encoding": "gzip"})),
    Raw(response(200, zlib.compress(b"[1, 2, 3]"), {"Content-Encoding": "deflate"})),
    chunked(b"%x\r\n" % len(gzip.compress(b"[1, 2, 3]")) + gzip.compress(b"[1, 2, 3]") + b"\r\n0\r\n\r\n", {"Content-Encoding": "gzip"}),
])
def test_well_formed_chunked_and_compressed_answers_are_read(server, behaviour):
    server.route("/ok", behaviour)
    assert client(FakeTime()).get_json(server.url + "/ok") == [1, 2, 3]


def test_an_encoding_that_was_not_asked_for_is_refused(server):
    server.route("/br", Raw(response(200, b"xx", {"Content-Encoding": "br"})))
    with pytest.raises(FetchError) as exc:
        client(FakeTime()).get(server.url + "/br")
    assert "compressed with 'br', which was not asked for" in one_line(exc)
