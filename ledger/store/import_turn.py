"""One import of a source at a time (issue 18 item 2, D56): an exclusive lock per import source,
held by the importing process from before its first line is read to after its last save.

- SQLite: a POSIX record lock (``fcntl.lockf``) on one byte of the file ``LEDGER-import`` beside
  the ledger, the byte chosen by the source's CRC-32 (one file for every source; two sources
  sharing a byte only take turns needlessly). Where that file cannot be made (a read-only folder)
  there is no turn: the write then fails on SQLite's own locks anyway. The file is made with the
  ledger's mode and group (``sqlite_turn.lock_file``; one this user cannot write beside a ledger
  they may write is refused). POSIX record locks belong to the process, not to a descriptor, and
  closing any descriptor on the file drops them all: so a process opens the file once (one
  descriptor shared by its turns, closed when its last turn ends), lets go of its byte with
  ``LOCK_UN`` rather than by closing, and its threads take turns on a byte with an in-process lock
  before the record lock. Two imports of a source exclude each other whether they run in two
  processes or in two threads of one.
- PostgreSQL: a session advisory lock keyed by ``hashtext`` of the schema and the source in the
  import turns' own namespace (``advisory.IMPORT_TURN``: a source never meets the write turn), on a
  connection of its own held for the import.

Either lock goes with the process that holds it: an import killed or crashed frees it at once. A
second import of the same source waits for the first (``on_wait`` is told, once), then skips
every line the first applied.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import zlib

from ledger.store import advisory
from typing import Any, Callable, Iterator

KEY = "certledger-import:{schema}:{source}"


@contextlib.contextmanager
def import_turn(app: Any, source: str, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the import turn of ``source`` on the ledger of ``app``, waiting for it if another
    import of that source holds it."""
    module = app.env.get("PERSISTENCE_MODULE") or ""
    if module == "eventsourcing.sqlite":
        from ledger.store.sqlite import SqliteBackend

        with _file_turn(SqliteBackend.from_env(app.env).path, source, on_wait):
            yield
    elif module == "eventsourcing.postgres":
        from ledger.store.postgres import PostgresBackend

        with _advisory_turn(PostgresBackend.from_env(app.env), source, on_wait):
            yield
    else:  # an in-memory ledger: one process
        yield


_files: dict[str, list[Any]] = {}  # lock file -> [descriptor, turns of this process using it]
_bytes: dict[tuple[str, int], threading.Lock] = {}  # (lock file, byte) -> this process's turn on it
_guard = threading.Lock()


@contextlib.contextmanager
def _file_turn(path: Any, source: str, on_wait: Callable[[], None] | None) -> Iterator[None]:
    from ledger.store.sqlite_turn import lock_file

    text = str(path)
    if not text or text == ":memory:" or text.startswith("file::memory:"):
        yield
        return
    name, offset = f"{text}-import", zlib.crc32(source.encode()) & 0x3FFFFFFF
    with _guard:
        entry = _files.get(name)
        if entry is None:
            fd = lock_file(text, "-import")
            if fd is None:  # no file to lock: SQLite's own locks, as before
                entry = None
            else:
                entry = _files[name] = [fd, 0]
        if entry is not None:
            entry[1] += 1
        mine = _bytes.setdefault((name, offset), threading.Lock())
    if entry is None:
        yield
        return
    try:
        waited = not mine.acquire(blocking=False)
        if waited:
            if on_wait is not None:
                on_wait()
            mine.acquire()
        try:
            _lock_byte(entry[0], offset, waited, on_wait)
            try:
                yield
            finally:
                fcntl.lockf(entry[0], fcntl.LOCK_UN, 1, offset)
        finally:
            mine.release()
    finally:
        with _guard:
            entry[1] -= 1
            if entry[1] == 0:  # no turn of this process left on it: closing drops nothing held
                del _files[name]
                os.close(entry[0])


def _lock_byte(fd: int, offset: int, waited: bool, on_wait: Callable[[], None] | None) -> None:
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, offset)
    except OSError:
        if on_wait is not None and not waited:
            on_wait()
        fcntl.lockf(fd, fcntl.LOCK_EX, 1, offset)


@contextlib.contextmanager
def _advisory_turn(backend: Any, source: str, on_wait: Callable[[], None] | None) -> Iterator[None]:
    key = KEY.format(schema=backend.schema or "public", source=source)
    conn = backend._connect(autocommit=True)
    try:
        if not conn.execute(f"SELECT pg_try_advisory_lock({advisory.IMPORT_TURN}, hashtext(%s))", (key,)).fetchone()[0]:
            if on_wait is not None:
                on_wait()
            conn.execute(f"SELECT pg_advisory_lock({advisory.IMPORT_TURN}, hashtext(%s))", (key,))
        yield
    finally:
        conn.close()  # ends the session: the lock goes with it
