"""A read-only snapshot through the database driver alone (no SQLAlchemy, no eventsourcing), as the
backends open it for ``show`` (projections/fastread.py). SQLite's is here, not in its backend's
module, so that ``show`` imports neither that module nor the audit trail's classes (D50)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Iterator

SQLITE_EVENTS = "stored_events"  # the library's SQLite module names its table so for every application (D1)


class FastReader:
    """Reads of one snapshot: the last event's position, and any query (``?`` placeholders)."""

    def __init__(self, conn: Any, last_sql: str, mark: str) -> None:
        self.conn, self.last_sql, self.mark = conn, last_sql, mark

    def last_position(self) -> int:
        return int(self.one(self.last_sql)[0] or 0)

    def one(self, sql: str, params: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
        return self.conn.execute(sql.replace("?", self.mark), params).fetchone()


def may_write(path: Path) -> bool:
    """Whether this process may write the SQLite ledger ``path`` and its folder (where SQLite makes its
    ``-wal`` and ``-shm`` files)."""
    import os

    return os.access(path, os.W_OK) and os.access(path.parent or Path("."), os.W_OK)


def read_uri(path: Path) -> str | None:
    """The URI through which this process reads the SQLite ledger ``path`` without changing anything
    beside it (D57), or None when it cannot: ``mode=ro`` when it may write there, or when the
    ``-wal`` and ``-shm`` files are there already (a writer is at work: the reader shares its view);
    ``mode=ro&immutable=1`` when nobody may write the ledger (neither file nor folder has any write
    permission, or a read-only file system), so that no ``-wal``/``-shm`` are made; None when this
    user may not write but others may and those files are not there (reading would leave them, owned
    by this user, beside the owner's ledger; ``immutable`` would miss or tear a concurrent write)."""
    import os

    base = path.resolve().as_uri()
    if may_write(path) or (os.path.exists(f"{path}-wal") and os.path.exists(f"{path}-shm")):
        return f"{base}?mode=ro"
    folder = path.parent or Path(".")
    try:
        nobody = (not os.stat(path).st_mode & 0o222 or not os.stat(folder).st_mode & 0o222
                  or bool(os.statvfs(folder).f_flag & os.ST_RDONLY))
    except OSError:
        return f"{base}?mode=ro"  # SQLite will say what is wrong
    return f"{base}?mode=ro&immutable=1" if nobody else None


def uri_path(name: str) -> str:
    """The file a SQLite database name stands for: the path of a ``file:`` URI (``read_uri``'s), or
    the name itself."""
    if not name.startswith("file:"):
        return name
    from urllib.parse import unquote, urlsplit

    return unquote(urlsplit(name).path)


@contextlib.contextmanager
def sqlite_snapshot(path: Path) -> Iterator[FastReader | None]:
    """One read-only snapshot of a SQLite ledger with sqlite3 alone, or None when there is no
    ledger file or it can only be read by the full road (which says why)."""
    import sqlite3

    uri = read_uri(path) if path.is_file() else None
    if uri is None:
        yield None
        return
    conn = sqlite3.connect(uri, uri=True, timeout=5, isolation_level=None)
    try:
        conn.execute("BEGIN")  # one snapshot for every read
        yield FastReader(conn, f"SELECT max(rowid) FROM {SQLITE_EVENTS}", "?")
    finally:
        conn.close()
