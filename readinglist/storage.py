"""Writing paper files without ever losing one: atomic writes, all-or-nothing imports, and
recovery from an import that was killed.

The guarantee (the README's "Nothing is lost" states it for users): after ``write_all``
returns, every file holds its new text; if it raises, or the process is killed at any point,
then as soon as the next run of any importer has called ``recover`` either every file holds
its new text or every file holds its old one, byte for byte, and no temporary file is left.
No file is ever seen half written.

How: ``write_all`` works in two phases around one commit point.

1. *Prepare.* Each new text goes to a temporary file beside its target
   (``.<name>.<pid>.tmp``: hidden, so the catalog never reads it); one ``os.sync`` puts them
   all on disk. A failure here (disk full, a read-only folder, a year "folder" that is a file)
   removes the temporaries and raises ``StorageError`` with one located message: no target
   has changed. A kill here leaves only temporaries, which ``recover`` deletes (roll back).
2. *Commit.* A journal listing every (temporary, target) pair is written to a temporary file,
   synced, and renamed to ``<root>/.import-journal.json``: that rename is the commit point.
3. *Apply.* Each temporary is renamed over its target (``os.replace``, atomic per file), the
   folders are synced, and the journal is deleted. A kill here leaves the journal, and
   ``recover`` finishes the renames (roll forward): the new texts were all on disk before the
   journal existed.

While a journal exists the list is half applied, so ``catalog.load_catalog`` reports it as a
problem (the build and the validator stop) until a run of an importer, or
``python -m readinglist.storage papers``, completes it.

One file alone needs no journal: ``write_atomic`` (temporary file, ``fsync``, rename).
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import sys
from collections.abc import Iterable
from pathlib import Path

JOURNAL = ".import-journal.json"
# ".<name>.<pid>.<random>.tmp"; older runs wrote no random part.
_TEMPORARY = re.compile(r"\..+\.(\d{1,20})(?:\.[0-9a-f]{1,32})?\.tmp")


class StorageError(Exception):
    """A write failed; the message names the file and says what happened to the others."""


def journal_path(root: str | Path) -> Path:
    return Path(root) / JOURNAL


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` so that ``path`` holds either its old content or the new one, never a
    part: a temporary file in the same folder, flushed to disk, then renamed over it.
    Raises ``StorageError`` (nothing changed) when the file cannot be written."""
    path = Path(path)
    tmp = None
    try:
        _make_folder(path.parent)
        tmp = _write_temporary(path, text, sync=True)
        os.replace(tmp, path)
    except OSError as exc:
        _remove(tmp)
        raise StorageError(_located(exc, path) + "; the file was not changed") from None
    except BaseException:
        _remove(tmp)
        raise


def write_all(files: dict[Path, str], root: str | Path) -> None:
    """Write every file of ``files`` (all under ``root``), all or nothing (see the module
    docstring). Raises ``StorageError`` with one located message, having changed no file,
    when a file cannot be prepared; when the apply phase itself fails (rare: the folders were
    writable a moment before) the journal is kept so that the next run completes it, and the
    message says so."""
    root = Path(root)
    if len(files) <= 1:
        for path, text in files.items():
            write_atomic(path, text)
        return
    pending: list[tuple[Path, Path]] = []
    journal_tmp: Path | None = None
    try:
        for target, text in files.items():
            _make_folder(target.parent)
            pending.append((_write_temporary(target, text, sync=False), target))
        os.sync()  # one sync for every temporary: far cheaper than an fsync per file
        record = {"version": 1, "pid": os.getpid(),
                  "files": [[tmp.relative_to(root).as_posix(), target.relative_to(root).as_posix()] for tmp, target in pending]}
        journal_tmp = _write_temporary(journal_path(root), json.dumps(record, indent=1) + "\n", sync=True)
        os.replace(journal_tmp, journal_path(root))  # the commit point
        journal_tmp = None
    except OSError as exc:
        where = getattr(exc, "rl_path", None) or (pending[-1][1] if pending else root)
        for tmp, _ in pending:
            _remove(tmp)
        _remove(journal_tmp)
        raise StorageError(_located(exc, where) + "; no file was changed") from None
    except BaseException:
        for tmp, _ in pending:
            _remove(tmp)
        _remove(journal_tmp)
        raise
    try:
        _apply(root, pending)
    except OSError as exc:
        raise StorageError(_located(exc, root) + f"; the import is half applied and {_show(journal_path(root))} "
                           "records it: run the import again (or python -m readinglist.storage) to complete it") from None


def recover(root: str | Path, *, locked: bool = False) -> list[str]:
    """Complete an import that was killed after its commit point, and delete temporary files
    that killed runs left behind. Returns what was done, one line each, for the terminal.
    Without ``locked``, files of a run that may still be going (its pid is alive here) are left
    alone; with it (the caller holds the import lock of ``readinglist.lock``, so no other import
    writes to this folder) every journal and temporary file is stale, whatever its pid, which
    also covers runs in another PID namespace. Raises ``StorageError`` if the journal cannot be
    read or applied."""
    root = Path(root)
    done: list[str] = []
    if not root.is_dir():
        return done
    journal = journal_path(root)
    if journal.exists():
        pairs, pid = _read_journal(root)
        if not locked and pid is not None and pid != os.getpid() and _alive(pid):
            return [f"{_show(journal)}: an import (process {pid}) is still running; not touched"]
        try:
            moved = _apply(root, [(tmp, target) for tmp, target in pairs if tmp.exists()])
        except OSError as exc:
            raise StorageError(_located(exc, journal) + "; the interrupted import could not be completed") from None
        done.append(f"completed an interrupted import: {moved} more file(s) written, as recorded in {_show(journal)}")
    for tmp in sorted(root.rglob(".*.tmp")):
        match = _TEMPORARY.fullmatch(tmp.name)
        if match is None or tmp.is_symlink() or not tmp.is_file():
            continue  # not one of ours: never delete what we did not write
        pid = int(match.group(1))
        if not locked and pid != os.getpid() and _alive(pid):
            continue
        try:
            tmp.unlink()
        except OSError as exc:
            done.append(f"{_show(tmp)}: left by an interrupted run, but cannot be removed: {exc.strerror}")
        else:
            done.append(f"removed {_show(tmp)}, left by an interrupted run")
    return done


def _apply(root: Path, pending: Iterable[tuple[Path, Path]]) -> int:
    """Make the journal durable, rename each temporary over its target, sync their folders,
    delete the journal."""
    _sync_folder(root)
    moved, folders = 0, set()
    for tmp, target in pending:
        os.replace(tmp, target)
        folders.add(target.parent)
        moved += 1
    for folder in sorted(folders):
        _sync_folder(folder)
    journal_path(root).unlink(missing_ok=True)
    return moved


def _read_journal(root: Path) -> tuple[list[tuple[Path, Path]], int | None]:
    journal = journal_path(root)
    try:
        record = json.loads(journal.read_text(encoding="utf-8"))
        pairs = [(root / tmp, root / target) for tmp, target in record["files"]]
        pid = record.get("pid")
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise StorageError(f"{_show(journal)}: cannot read the journal of an interrupted import ({exc}); "
                           "check the .tmp files beside the papers, then delete it") from None
    inside = root.resolve()
    for tmp, target in pairs:
        # Our own file, but hand-edited or corrupted it must still not move files elsewhere.
        for path in (tmp, target):
            if not path.resolve().is_relative_to(inside) or not path.name.endswith((".md", ".tmp")):
                raise StorageError(f"{_show(journal)}: names {path}, outside the papers folder; not applied")
    return pairs, pid if isinstance(pid, int) else None


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:  # a file stands where a folder must be
        exc.rl_path = _first_file(folder)  # type: ignore[attr-defined]
        raise
    except OSError as exc:
        exc.rl_path = folder  # type: ignore[attr-defined]
        raise


def _first_file(folder: Path) -> Path:
    for parent in reversed((folder, *folder.parents)):
        if parent.exists() and not parent.is_dir():
            return parent
    return folder


def _write_temporary(target: Path, text: str, *, sync: bool) -> Path:
    """A new hidden temporary file beside ``target`` holding ``text``. Plain ``open(..., "x")``
    is three times faster than ``mkstemp`` and keeps the usual file mode; a leftover of a
    killed run with this same pid is replaced. The random part keeps two runs in different PID
    namespaces (containers sharing a checkout) from colliding."""
    tmp = target.parent / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        try:
            handle = open(tmp, "x", encoding="utf-8", newline="\n")
        except FileExistsError:
            tmp.unlink()
            handle = open(tmp, "x", encoding="utf-8", newline="\n")
    except OSError as exc:
        exc.rl_path = target  # type: ignore[attr-defined]
        raise
    try:
        with handle:
            handle.write(text)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
    except BaseException as exc:
        _remove(tmp)
        if isinstance(exc, OSError):
            exc.rl_path = target  # type: ignore[attr-defined]
        raise
    return tmp


def _sync_folder(folder: Path) -> None:
    """Make renames in ``folder`` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.EBADF):
            raise
    finally:
        os.close(fd)


def _remove(path: Path | None) -> None:
    if path is not None:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass  # recover() retries on the next run


def _alive(pid: int) -> bool:
    if pid <= 0 or pid > 2**31 - 1:
        return False  # not a process id this system can have
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _located(exc: OSError, path: Path) -> str:
    path = getattr(exc, "rl_path", None) or path
    reason = exc.strerror or str(exc)
    if isinstance(exc, FileExistsError) and path.exists() and not path.is_dir():
        reason = "a file is in the way of a folder of that name"
    elif isinstance(exc, NotADirectoryError):
        reason = "a file is in the way of a folder of that name"
    return f"{_show(path)}: cannot write: {reason}"


def _show(path: Path) -> str:
    """A path as the user gave it, relative to the current folder when it is inside."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


def main(argv: list[str] | None = None) -> int:
    """``python -m readinglist.storage [PAPERS_DIR]``: complete an interrupted import."""
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0] if args else "papers")
    try:
        lines = recover(root)
    except StorageError as exc:
        print(exc, file=sys.stderr)
        return 1
    for line in lines or [f"{_show(root)}: nothing to recover"]:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
