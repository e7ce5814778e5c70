"""A local HTTP server on 127.0.0.1 that replays recorded API responses, for the network
tests (never the internet), and the fake clock their HTTP clients wait on."""

from __future__ import annotations

import http.server
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

API = Path(__file__).parent / "fixtures" / "api"


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    content_type: str = "application/json"

    @classmethod
    def file(cls, name: str, **kw) -> Reply:
        kind = "application/atom+xml" if name.endswith(".xml") else "application/json"
        return cls(body=(API / name).read_bytes(), content_type=kind, **kw)


class FakeTime:
    """A clock that moves only when told: by ``sleep``, or by ``step`` on every reading."""

    def __init__(self, step: float = 0.0):
        self.now = 1000.0
        self.step = step
        self.slept: list[float] = []

    def clock(self) -> float:
        self.now += self.step
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class FakeApi:
    """Routes ``path?query`` to a list of replies, served in order (the last one repeats).
    Unknown routes get 404. ``requests`` records (path+query, headers, time) of every hit."""

    def __init__(self):
        self.routes: dict[str, list[Reply]] = {}
        self.requests: list[tuple[str, dict[str, str], float]] = []
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                key = parts.path + (f"?{parts.query}" if parts.query else "")
                api.requests.append((key, dict(self.headers), time.monotonic()))
                replies = api.routes.get(key)
                reply = (replies.pop(0) if len(replies) > 1 else replies[0]) if replies else Reply(404, b'{"error":"Not Found"}')
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.body.encode() if isinstance(reply.body, str) else reply.body
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and left

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        # serve_forever checks for shutdown every poll_interval (0.5 s by default): every test
        # using the server would wait that long when it stops.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)

    def route(self, key: str, *replies: Reply) -> None:
        self.routes[key] = list(replies)

    def hits(self, key: str) -> list[float]:
        return [t for k, _, t in self.requests if k == key]

    def __enter__(self) -> FakeApi:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
