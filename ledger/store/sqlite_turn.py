"""SQLite writers that queue in the kernel (D52): the write turn, an exclusive ``flock`` on a file
beside the ledger (``LEDGER-write``), taken around every save's write transaction (the event store's
recorder, below) and the quick catch-up's after a write (``SqliteBackend.quick_writer``).

SQLite's own write lock does not queue its waiters: each one sleeps in the busy handler (1, 2, 5,
10 ... 100 ms) and tries again, so eight writers leave the lock idle between them, most of all on
a loaded machine where a sleeper wakes late. Waiters on a ``flock`` sleep in the kernel and are woken
when the holder lets go; the holder then meets SQLite's lock free in the common case. SQLite's lock
still decides what is correct: the turn only orders the writers that take it (a rebuild, a
checkpoint, another program's writes do not, and are waited for by SQLite's busy handler as before).

The wait is bounded by the ledger's busy timeout (``CERTLEDGER_SQLITE_BUSY_TIMEOUT``), as SQLite's
is: past it the write is refused as "database is locked" (the CLI's "ledger: database busy"),
nothing written. Where the file cannot be made (a read-only folder) or the ledger is in memory,
every writer goes straight to SQLite's lock, as before. A thread that holds the turn and writes
again (nested) does not wait for itself.

The lock files (this one and the import turn's ``LEDGER-import``) are made with the ledger's mode
bits and group, as SQLite makes ``-wal``/``-shm`` (``lock_file``): a user who may only read the
ledger cannot open them for writing, and only a descriptor open for writing counts as a turn, so a
reader can never hold writers back; a group that may write the ledger may write them. A user who
may write the ledger but not an existing lock file is refused with what to change, never left to
write without the turn."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from eventsourcing.persistence import OperationalError, StoredEvent

from ledger.store.applied import SqliteLinesRecorder

SUFFIX = "-write"
_held = threading.local()  # the lock files this thread holds the turn of


def _no_file(path: str) -> bool:
    """In memory, or a URI: no file beside it to lock."""
    return not path or ":memory:" in path or "mode=memory" in path or path.startswith("file:")


def lock_file(path: str, suffix: str) -> int | None:
    """A descriptor open for writing on the lock file ``path + suffix`` beside the SQLite ledger at
    ``path``, made if missing with the ledger's mode bits (``& 0o666``) and, where this user may,
    its group. None where there is no turn to take: the file cannot be made (a read-only folder)
    or this user may not write the ledger (its writes are refused by SQLite, or up front). A lock
    file this user cannot write beside a ledger they may write is refused (the module's doc)."""
    name = f"{path}{suffix}"
    try:
        fd = os.open(name, os.O_RDWR | os.O_CLOEXEC)  # the common case: there, and this user may write it
    except FileNotFoundError:
        return _made(path, name)
    except PermissionError:
        if os.path.exists(path) and os.access(path, os.W_OK):
            raise _unwritable(name) from None
        return None  # a reader, who holds no turn
    except OSError:  # not a file (a folder in the way, say): SQLite's lock alone, as before
        return None
    if not os.access(path, os.W_OK) and os.path.exists(path):  # the lock file is writable, the ledger no longer
        os.close(fd)
        return None
    return fd


def _made(path: str, name: str) -> int | None:
    """The lock file made with the ledger's mode and group (``lock_file``)."""
    try:
        ledger = os.stat(path)
    except OSError:  # not made yet (an empty ledger file is made by SQLite at its first write)
        ledger = None
    if ledger is not None and not os.access(path, os.W_OK):
        return None  # a reader: no turn to hold, no file made
    mode = (ledger.st_mode & 0o666) if ledger is not None else 0o644
    try:
        fd = os.open(name, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
    except FileExistsError:  # made by another process just now
        return lock_file(path, name[len(path):])
    except OSError:  # a read-only folder, say: SQLite's lock alone, as before
        return None
    with contextlib.suppress(OSError):
        os.fchmod(fd, mode)  # the umask is not the ledger's
    if ledger is not None and hasattr(os, "fchown"):
        with contextlib.suppress(OSError):
            os.fchown(fd, -1, ledger.st_gid)
    return fd


def _unwritable(name: str) -> Exception:
    from ledger.store.errors import DatabaseUnavailable

    return DatabaseUnavailable(
        "ledger: lock file not writable",
        f"当前用户可以写入账本，但不能写入它旁边的锁文件 {name}（写入者依次轮流写入需要它，D52/D56）。"
        f"请让该文件与账本文件的权限相同（例如 chmod g+w 或 chown 给写入者），或在没有命令运行时删除它（下次写入时按账本的权限重建）。本次没有写入任何内容。",
        f"This user may write the ledger but not the lock file beside it, {name} (writers take turns through it, D52/D56). "
        "Give it the ledger file's mode (chmod g+w, say, or chown it to the writer), or remove it while no command runs "
        "(the next write makes it again with the ledger's mode). Nothing was written.",
    )


@contextlib.contextmanager
def write_turn(path: str, timeout: float) -> Iterator[None]:
    """Hold the write turn of the SQLite ledger at ``path`` for the block (the module's doc)."""
    name = f"{path}{SUFFIX}"
    held: set[str] = _held.__dict__.setdefault("names", set())
    if _no_file(path) or name in held:
        yield
        return
    fd = lock_file(path, SUFFIX)
    if fd is None:
        yield
        return
    took = _take(fd, timeout)  # on any exception fd is closed, or handed to its helper thread to close
    if not took:
        raise OperationalError(f"database is locked (waited {timeout:g} s for the ledger's write turn, {name})")
    held.add(name)
    try:
        yield
    finally:
        held.discard(name)
        os.close(fd)  # lets go of the turn


def _take(fd: int, timeout: float) -> bool:
    """Take the exclusive lock on ``fd``: at once if free, else wait in the kernel up to ``timeout``
    seconds (in a helper thread, since ``flock`` itself has no timeout). False, with ``fd`` handed to
    that thread (which closes it once ``flock`` returns), when the wait ran out. Anything raised
    (a failing ``flock``, a ``KeyboardInterrupt`` or an import's ``Stopped`` during the wait) is
    re-raised with ``fd`` closed or handed to the thread, so that no turn outlives the call."""
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        pass
    except BaseException:
        os.close(fd)
        raise
    got, guard, state = threading.Event(), threading.Lock(), {"abandoned": False}

    def wait() -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX)
        with guard:
            if state["abandoned"]:
                os.close(fd)
            else:
                got.set()

    try:
        threading.Thread(target=wait, name="certledger-write-turn", daemon=True).start()
    except BaseException:
        os.close(fd)
        raise
    try:
        if got.wait(timeout):
            return True
    except BaseException:
        with guard:
            if got.is_set():
                os.close(fd)  # the thread got the turn just now: let go of it
            else:
                state["abandoned"] = True  # the thread closes fd once flock returns
        raise
    with guard:
        if got.is_set():
            return True
        state["abandoned"] = True
    return False


class SqliteTurnRecorder(SqliteLinesRecorder):
    """The ledger's SQLite recorder (an import's applied lines with its events, ledger/store/applied.py)
    whose event saves take the write turn around their write transaction."""

    def turn(self) -> contextlib.AbstractContextManager[None]:
        """The ledger's write turn (a command's retry holds it from its load to its save)."""
        pool = self.datastore.pool
        return write_turn(str(pool.db_name), float(pool.lock_timeout or 5))

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        with self.turn():
            return super().insert_events(stored_events, **kwargs)
