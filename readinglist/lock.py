"""One writer at a time on a ``papers/`` folder: the import lock.

Two imports on one folder at once (a nightly job and a maintainer, two containers sharing a
checkout) would each plan against what they read and then overwrite each other's work. Every
script that writes paper files therefore holds ``papers/.import.lock`` from before it reads the
catalog until after its last write, so a second run waits, then plans against what the first
one wrote.

The lock file is created atomically *with its content* (written to a private temporary file,
then hard-linked to the lock name, which fails if the name exists), so a lock file is never
seen half written. It records who holds it: process id, host name, the kernel's boot id, the
PID namespace, the process's start time, a random token and the time it was taken.

A lock is declared stale (and removed) only when that is certain: same host, same boot, same
PID namespace, and the process is gone or the pid now belongs to a younger process (pid
reuse). A lock from another host or another PID namespace (another container) is never
broken, whatever its pid says: that pid means nothing here. The message then says who holds
it and since when, so an operator can remove a lock left by a crashed machine by hand.
Breaking a stale lock is itself guarded (``.import.lock.break``), so two runs that both find
the same stale lock cannot end up deleting each other's fresh one.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import secrets
import socket
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LOCK_NAME = ".import.lock"
_MAX_LOCK_BYTES = 4096
#: A break guard older than this is from a run that died while breaking a stale lock.
_BREAK_GUARD_STALE = 60.0


class LockBusy(Exception):
    """Another run holds the lock; ``str()`` is the one line to show."""


@dataclass(frozen=True)
class Holder:
    """Who holds a lock, as its file says."""

    pid: int
    host: str
    boot_id: str
    pid_ns: str
    proc_start: str
    token: str
    since: str
    command: str = ""

    def describe(self) -> str:
        where = "" if self.host == socket.gethostname() else f" on host {self.host}"
        what = f" ({self.command})" if self.command else ""
        return f"pid {self.pid}{where} since {self.since}{what}"


def _read_first_line(path: str) -> str:
    try:
        with open(path, encoding="ascii", errors="replace") as handle:
            return handle.readline(200).strip()
    except OSError:
        return ""


def _boot_id() -> str:
    return _read_first_line("/proc/sys/kernel/random/boot_id")


def _pid_namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""


def process_start(pid: int) -> str:
    """The start time of process ``pid`` in clock ticks since boot (``/proc/<pid>/stat``,
    field 22), or "" if there is no such process or no ``/proc``."""
    text = _read_first_line(f"/proc/{pid}/stat")
    # The command name (field 2) is in parentheses and may itself hold spaces and ')'.
    fields = text.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else ""


def current_holder(command: str = "", *, now: Callable[[], dt.datetime] | None = None) -> Holder:
    started = (now or (lambda: dt.datetime.now(dt.UTC)))()
    return Holder(pid=os.getpid(), host=socket.gethostname(), boot_id=_boot_id(), pid_ns=_pid_namespace(),
                  proc_start=process_start(os.getpid()), token=secrets.token_hex(8),
                  since=started.strftime("%Y-%m-%d %H:%M:%S UTC"), command=command[:200])


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # exists but is not ours, or cannot be asked: assume alive
    return True


def is_stale(holder: Holder, me: Holder) -> bool:
    """Whether ``holder``'s lock certainly belongs to a process that no longer runs."""
    if not holder.host or holder.host != me.host:
        return False  # another machine (or container with its own host name): cannot know
    if holder.boot_id and me.boot_id and holder.boot_id != me.boot_id:
        return True  # this machine has rebooted since: every process of that boot is gone
    if not holder.boot_id or holder.boot_id != me.boot_id or not holder.pid_ns or holder.pid_ns != me.pid_ns:
        return False  # another PID namespace (container) on this machine: its pid means nothing here
    if not _alive(holder.pid):
        return True
    # The pid exists: stale only if it now belongs to another (younger) process.
    current = process_start(holder.pid)
    return bool(current and holder.proc_start and current != holder.proc_start)


def read_holder(lock: Path) -> Holder | None:
    """The holder recorded in ``lock``; None if it cannot be read as a lock file (never
    follows a symbolic link, never reads more than a few kB)."""
    try:
        fd = os.open(lock, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        raw = os.read(fd, _MAX_LOCK_BYTES + 1)
    finally:
        os.close(fd)
    try:
        data = json.loads(raw.decode("utf-8")) if len(raw) <= _MAX_LOCK_BYTES else None
        if not isinstance(data, dict):
            return None
        values: dict[str, Any] = {k: (int(v) if k == "pid" else str(v)) for k, v in data.items() if k in Holder.__dataclass_fields__}
        return Holder(**values)
    except (ValueError, TypeError, AttributeError, RecursionError):
        return None


class ImportLock:
    """The lock on one papers folder. Use ``with import_lock(folder): ...``."""

    def __init__(self, folder: Path, command: str = "", *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self.me = current_holder(command)
        self.clock = clock
        self.sleep = sleep
        self.held = False

    def try_acquire(self) -> Holder | None:
        """Take the lock if it is free (or stale); otherwise return who holds it."""
        tmp = self.folder / f".import.lock.{self.me.pid}.{self.me.token}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(self.me.__dict__, handle)
            for _ in range(3):
                try:
                    self._create(tmp)
                except FileExistsError:
                    holder = read_holder(self.path)
                    if holder is None or not is_stale(holder, self.me) or not self._break(holder):
                        return holder or Holder(0, "?", "", "", "", "", "an unknown time")
                    continue
                self.held = True
                return None
            return read_holder(self.path) or Holder(0, "?", "", "", "", "", "an unknown time")
        finally:
            tmp.unlink(missing_ok=True)

    def _create(self, tmp: Path) -> None:
        """Create the lock file holding ``tmp``'s content, or raise ``FileExistsError``. A hard
        link makes it appear complete; on a file system without hard links it is created
        with ``O_EXCL`` and then written (a reader that sees it empty meanwhile treats it as
        held, never as stale)."""
        try:
            os.link(tmp, self.path)
        except FileExistsError:
            raise
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS):
                raise
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(tmp.read_text(encoding="utf-8"))

    def _break(self, stale: Holder) -> bool:
        """Remove the lock file if it still is ``stale``'s; True if it was removed."""
        guard = self.folder / f"{LOCK_NAME}.break"
        try:
            fd = os.open(guard, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        except FileExistsError:
            try:
                age = time.time() - guard.lstat().st_mtime
            except FileNotFoundError:
                return False
            if age > _BREAK_GUARD_STALE:
                guard.unlink(missing_ok=True)
            return False
        os.close(fd)
        try:
            again = read_holder(self.path)
            if again is None or again.token != stale.token:
                return False  # someone else broke it and took the lock meanwhile
            self.path.unlink()
            return True
        except FileNotFoundError:
            return False
        finally:
            guard.unlink(missing_ok=True)

    def acquire(self, wait: float = 0.0, on_wait: Callable[[Holder], None] | None = None) -> None:
        """Take the lock, waiting up to ``wait`` seconds for another run to finish; raise
        ``LockBusy`` naming the holder if it is still held then."""
        start = self.clock()
        told = False
        delay = 0.05
        while (holder := self.try_acquire()) is not None:
            if self.clock() - start >= wait:
                hint = (f"wait for it to finish, or, if it no longer runs, delete {self.path}"
                        if holder.pid else f"{self.path} cannot be read as a lock file; delete it if no import is running")
                raise LockBusy(f"another import is running on {self.folder} ({holder.describe()}); {hint}")
            if not told and on_wait is not None:
                on_wait(holder)
                told = True
            self.sleep(min(delay, max(0.0, wait - (self.clock() - start))))
            delay = min(delay * 2, 1.0)

    def release(self) -> None:
        """Remove the lock file, if it is still ours."""
        if not self.held:
            return
        self.held = False
        holder = read_holder(self.path)
        if holder is not None and holder.token == self.me.token:
            self.path.unlink(missing_ok=True)


@contextmanager
def import_lock(folder: Path, command: str = "", *, wait: float = 0.0,
                on_wait: Callable[[Holder], None] | None = None) -> Iterator[ImportLock]:
    """Hold the import lock of ``folder`` (created if missing) for the ``with`` block."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    lock = ImportLock(folder, command)
    lock.acquire(wait, on_wait)
    try:
        yield lock
    finally:
        lock.release()
