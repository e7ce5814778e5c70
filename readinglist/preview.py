"""The live preview (``mkdocs serve``) while a file is broken: an error page at every URL.

A build that stops with an error leaves ``mkdocs serve`` waiting for a good build before it
answers any request, so the browser would hang with no message. In serve mode the hook
therefore lets the build succeed and publishes the problems here; ``error_overlay`` wraps the
server's WSGI application so that every page request is answered with the error page
(``PAGE``, a generated page listing the problems, with MkDocs' live-reload script), until a
good build clears the problems and the browser reloads into the real page. Feeds, exports,
assets and the live-reload channel are passed through untouched.

Nothing here imports MkDocs: the overlay is plain WSGI, the page is an autoescaped template.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from functools import partial

from .pages.build import GeneratedPage, index_meta
from .render import render

#: Where the error page is generated (source URI) and served (URL, below the mount path).
PAGE = "readinglist-problems.md"
PAGE_URL = "readinglist-problems/"
#: Pages the navigation links to: while the build is broken they hold the error page too,
#: so the navigation resolves and nothing else needs rendering.
NAV_PAGES = ("index.md", "topics/index.md", "dates/index.md")


class Problems:
    """The problems of the latest finished build, shared between the build (which sets them)
    and the server's request threads (which read them)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lines: tuple[str, ...] = ()

    def set(self, lines: Iterable[str]) -> None:
        with self._lock:
            self._lines = tuple(lines)

    def get(self) -> tuple[str, ...]:
        with self._lock:
            return self._lines


def problems_pages(lines: list[str], files: int) -> list[GeneratedPage]:
    """The error page, and the navigation's pages holding the same text."""
    meta = index_meta("Preview paused: problems in the files")
    body = partial(render, "problems.html", "", problems=list(lines), files=files)  # no links: any base will do
    return [GeneratedPage(src, meta=meta, body=body, key=("problems", tuple(lines))) for src in (PAGE, *NAV_PAGES)]


def watch_natively(server) -> bool:
    """Give MkDocs' live-reload server a native file watcher (inotify on Linux) instead of its
    polling one. Polling stats every watched file twice a second: at 10,000 papers that is a
    quarter of a core all the time, competing with every rebuild for the interpreter. The
    paths already watched move to the new watcher; ``False`` (polling kept) where no native
    watcher can start.

    The native watcher is told to report changes only (``CHANGES``). MkDocs rebuilds on any
    event it hears, and inotify also reports a file being opened or closed after reading: every
    rebuild reads ``mkdocs.yml``, ``topics.yml`` and the templates, so each rebuild would start
    the next one, for ever (``tests/test_preview.py``)."""
    try:
        from watchdog.observers import Observer
        from watchdog.observers.inotify_c import inotify_init

        descriptor = inotify_init()  # can this process watch files natively? (limits, containers)
        if descriptor < 0:
            return False
        os.close(descriptor)
        observer = Observer()
    except (ImportError, OSError, AttributeError):  # not Linux, or no inotify: MkDocs' own watcher stays
        return False
    schedule = observer.schedule

    def changes_only(handler, path, *, recursive=False, event_filter=None):  # what server.watch() calls
        return schedule(handler, path, recursive=recursive, event_filter=list(CHANGES))

    observer.schedule = changes_only  # type: ignore[method-assign,assignment]
    watched = dict(server._watched_paths)  # MkDocs 1.6 (the last 1.x): path -> times watched
    for path, times in watched.items():
        for _ in range(times):
            server.unwatch(path)
    server.observer = observer
    for path, times in watched.items():
        for _ in range(times):
            server.watch(path)
    return True


def _changes() -> tuple[type, ...]:
    """The watchdog events that mean a file's content or place changed (not opened, read or
    closed after reading)."""
    try:
        from watchdog import events
    except ImportError:
        return ()
    return (events.FileCreatedEvent, events.FileModifiedEvent, events.FileDeletedEvent, events.FileMovedEvent,
            events.FileClosedEvent, events.DirCreatedEvent, events.DirDeletedEvent, events.DirMovedEvent)


#: What the preview's native watcher reports (see ``watch_natively``).
CHANGES = _changes()


def is_page_request(path: str, mount_path: str) -> bool:
    """Whether a request path asks for an HTML page (not an asset, feed or export)."""
    if not path.startswith(mount_path) and path + "/" != mount_path:
        return False
    rest = path[len(mount_path):]
    if rest.startswith("livereload/"):
        return False
    last = rest.rsplit("/", 1)[-1]
    return last == "" or last.endswith(".html") or "." not in last


def error_overlay(app: Callable, mount_path: str, problems: Problems) -> Callable:
    """Wrap a WSGI ``app`` (MkDocs' live-reload server): while ``problems`` holds any, a page
    request is answered with the error page (status 500) instead of the page asked for.

    The wrapped app answers first, because it holds a request until a running rebuild is
    over: what is decided next is about the newest finished build, never an older one."""
    target = mount_path + PAGE_URL

    def wrapped(environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if not is_page_request(path, mount_path):
            return app(environ, start_response)
        answer: list[tuple] = []

        def hold(status: str, headers: list, exc_info=None):
            answer.append((status, headers, exc_info))
            return lambda data: None

        result = app(environ, hold)
        if not problems.get() or (answer and answer[0][0].startswith("3")):
            status, headers, exc_info = answer[0]
            start_response(status, headers, exc_info) if exc_info else start_response(status, headers)
            return result
        if hasattr(result, "close"):
            result.close()

        answer.clear()
        result = app({**environ, "PATH_INFO": target}, hold)
        body = b"".join(result)
        if hasattr(result, "close"):
            result.close()
        status, headers, _ = answer[0]
        if status.startswith("200"):
            # Served at any depth: a <base> makes the page's relative links (styles, scripts,
            # navigation) resolve as they do at the error page's own URL.
            status, body = "500 Internal Server Error", body.replace(b"<head>", b'<head><base href="%s">' % target.encode(), 1)
        start_response(status, [(k, v) for k, v in headers if k.lower() != "content-length"]
                       + [("Content-Length", str(len(body)))])
        return [body]

    return wrapped


class IdleCollector:
    """Python's cyclic garbage collection, moved out of the preview's rebuilds into the idle
    time after them. Once the first build is frozen out of the collector, a rebuild at 10,000
    papers still made a tenth to a quarter of a second of full collections (over what earlier
    rebuilds kept and this one made), while the reader waits for the page. ``pause`` at the
    start of a rebuild; ``resume`` at its end turns collection back on and collects ``delay``
    seconds later (a timer thread), unless another rebuild starts first (which postpones it).
    ``collect`` and ``timer`` are injectable for tests."""

    def __init__(self, delay: float = 2.0, *, collect: Callable[[], object] | None = None,
                 enable: Callable[[], None] | None = None, disable: Callable[[], None] | None = None,
                 timer: Callable[[float, Callable[[], object]], threading.Timer] | None = None) -> None:
        import gc

        self.delay = delay
        self._collect = collect or gc.collect
        self._enable, self._disable = enable or gc.enable, disable or gc.disable
        self._timer_factory = timer or threading.Timer
        self._timer: threading.Timer | None = None
        self.paused = False

    def pause(self) -> None:
        """A rebuild starts: no collection until ``resume``."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._disable()
        self.paused = True

    def resume(self) -> None:
        """The rebuild is done (or failed): collect soon, in the background."""
        if not self.paused:
            return
        self.paused = False
        self._enable()
        timer = self._timer_factory(self.delay, self._collect)
        timer.daemon = True
        timer.start()
        self._timer = timer
