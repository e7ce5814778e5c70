"""A raw-socket HTTP server on 127.0.0.1 that misbehaves on purpose, for the HTTP layer's
tests: bodies sent a byte at a time, gzip bombs, connections reset half way, broken chunked
encoding, corrupt gzip, redirect loops. ``http.server`` cannot say these things, so each
behaviour writes its bytes to the socket itself.

    with HostileServer() as server:
        server.route("/x", Raw(b"HTTP/1.1 200 OK\\r\\n..."), ...)   # served in order, last repeats
        http.get(server.url + "/x")
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Behaviour = Callable[[socket.socket], None]


def response(status: int = 200, body: bytes = b"", headers: dict[str, str] | None = None, *, reason: str = "X") -> bytes:
    """The bytes of a plain HTTP/1.1 response with a Content-Length."""
    head = {"Content-Type": "application/json", "Content-Length": str(len(body)), "Connection": "close", **(headers or {})}
    lines = [f"HTTP/1.1 {status} {reason}"] + [f"{k}: {v}" for k, v in head.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@dataclass
class Raw:
    """Send these bytes, then close."""

    data: bytes

    def __call__(self, conn: socket.socket) -> None:
        conn.sendall(self.data)


@dataclass
class Trickle:
    """Headers promising ``size`` bytes, then the body one byte every ``interval`` seconds
    (the server's pace, not the test's: the client's clock is injected)."""

    size: int = 10_000
    interval: float = 0.002
    headers_too: bool = False
    """Trickle the header lines as well (no socket timeout ever fires)."""

    def __call__(self, conn: socket.socket) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {self.size}\r\nContent-Type: application/json\r\n"
        if self.headers_too:
            head += "X-Slow: " + "a" * 60_000 + "\r\n"
        data = head.encode() + b"\r\n" + b" " * self.size
        for i in range(len(data)):
            conn.sendall(data[i:i + 1])
            time.sleep(self.interval)


@dataclass
class ResetAfter:
    """Promise ``size`` bytes, send ``sent`` of them, then reset the connection (RST)."""

    size: int = 1000
    sent: int = 100

    def __call__(self, conn: socket.socket) -> None:
        conn.sendall(response(200, b"x" * self.sent, {"Content-Length": str(self.size)}))
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def gzip_bomb(decoded_bytes: int) -> bytes:
    """A small gzip body that inflates to ``decoded_bytes`` zero bytes."""
    return gzip.compress(b"\0" * decoded_bytes, 9)


def chunked(raw_body: bytes, headers: dict[str, str] | None = None) -> Raw:
    """A chunked response whose body (chunk sizes included) is ``raw_body`` as given."""
    head = {"Transfer-Encoding": "chunked", "Content-Type": "application/json", "Connection": "close", **(headers or {})}
    lines = ["HTTP/1.1 200 OK"] + [f"{k}: {v}" for k, v in head.items()]
    return Raw(("\r\n".join(lines) + "\r\n\r\n").encode() + raw_body)


@dataclass
class HostileServer:
    routes: dict[str, list[Behaviour]] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def route(self, path: str, *behaviours: Behaviour) -> None:
        self.routes[path] = list(behaviours)

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            request = b""
            try:
                while b"\r\n\r\n" not in request and len(request) < 65536:
                    data = conn.recv(4096)
                    if not data:
                        return
                    request += data
                path = request.split(b" ", 2)[1].decode("latin-1")
                self.hits.append(path)
                key = path.split("?", 1)[0]
                behaviours = self.routes.get(key)
                if not behaviours:
                    Raw(response(404, b'{"error": "Not Found"}'))(conn)
                    return
                behaviour = behaviours.pop(0) if len(behaviours) > 1 else behaviours[0]
                behaviour(conn)
            except OSError:
                pass  # the client gave up and left: that is what these tests provoke

    def __enter__(self) -> HostileServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop = True
        self.sock.close()


def closed_port() -> str:
    """The URL of a local port nobody listens on (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"
