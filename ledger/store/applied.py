"""The import's applied lines (``import_lines``): which import lines the ledger has applied, written
in the SAME transaction as the events they produced (D-import-lines in docs/decisions.md).

The event store's recorders are the library's, subclassed by one hook: ``Application.save(...,
import_lines=rows)`` hands ``rows`` to the recorder's insert, which writes them beside the events
inside the transaction that inserts the events (SQLite: the same ``BEGIN ... COMMIT``; PostgreSQL:
the same transaction as the table lock and the events, or, with ``db_functions=y``, one transaction
around the library's insert function). So a line is recorded if and only if its events are. The
table's key is the line's identity (a SHA-256, ``ledger.importer``): a second insert of the same
identity, by a concurrent import of the same file, fails like a concurrent write of a client, and
nothing of that save is written.

The backends name these recorders in their eventsourcing settings (``APPLICATION_RECORDER_TOPIC``);
the library creates the table with its own tables when it creates those.

    import_lines(key, digest, source, line, line_id, applied_at)
      key        the line's identity (16 bytes), primary key
      digest     for a line with a line_id: the SHA-256 of its bytes (that line_id on other content is refused)
      source     the import's source name (the file's name or --source), line its line number there
      line_id    the line_id given in the line, if any
      applied_at when it was applied (UTC, ISO 8601)

    import_files(name, sha256, source, lines, sketch, started, recorded_at)
      the files imported without --source, by their name (without folder) and content: which import
      (source) each one is, its distinct lines and a sketch of them (ledger/import_sources.py);
      started: the file that began that source (one per source)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from eventsourcing.persistence import PersistenceError, StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder

from aggregates.errors import RuleViolation

TABLE = "import_lines"
FILES = "import_files"
FileRecord = tuple[bytes, str, int, bytes, bool, str]  # sha256, source, lines, sketch, started, recorded_at
KWARG = "import_lines"  # the keyword of Application.save that carries the rows
Row = tuple[bytes, "bytes | None", str, int, "str | None", str]  # key, digest, source, line, line_id, applied_at
LOOKUP = 500  # keys per look-up statement



def missing_table(e: BaseException, table: str = TABLE) -> RuleViolation:
    return RuleViolation(
        "ledger: import lines table",
        f"账本中没有导入记录表 {table}，而当前数据库角色无权创建：请先用表的所有者角色打开一次账本（任何命令均可）。数据库说：{str(e).strip()[:200]}",
        f"The ledger has no table {table} of applied import lines and this database role may not create it: open the "
        f"ledger once as the tables' owner (any command). The database said: {str(e).strip()[:200]}",
    )


class SqliteLinesRecorder(SQLiteApplicationRecorder):
    """The library's SQLite recorder, writing an import's applied lines with its events."""

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(),
                f"CREATE TABLE IF NOT EXISTS {TABLE} (key BLOB PRIMARY KEY, digest BLOB, source TEXT NOT NULL, "
                "line INTEGER NOT NULL, line_id TEXT, applied_at TEXT NOT NULL)",
                f"CREATE TABLE IF NOT EXISTS {FILES} (name TEXT NOT NULL, sha256 BLOB NOT NULL, source TEXT NOT NULL, "
                "lines INTEGER NOT NULL, sketch BLOB NOT NULL, started INTEGER NOT NULL, recorded_at TEXT NOT NULL, "
                "PRIMARY KEY (name, sha256))",
                f"CREATE UNIQUE INDEX IF NOT EXISTS {FILES}_started ON {FILES} (source) WHERE started = 1"]

    def _insert_events(self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        rows = kwargs.get(KWARG)
        if rows:  # inside the transaction of the events (SQLiteAggregateRecorder.insert_events)
            c.executemany(f"INSERT INTO {TABLE} (key, digest, source, line, line_id, applied_at) VALUES (?, ?, ?, ?, ?, ?)", rows)
        return ids

    def applied_lines(self, keys: Iterable[bytes]) -> dict[bytes, tuple["bytes | None", str, int]]:
        """Which of ``keys`` are applied: key -> (digest, source, line)."""
        keys = list(keys)
        found: dict[bytes, tuple[bytes | None, str, int]] = {}
        try:
            with self.datastore.transaction(commit=False) as c:
                for i in range(0, len(keys), LOOKUP):
                    part = keys[i:i + LOOKUP]
                    c.execute(f"SELECT key, digest, source, line FROM {TABLE} WHERE key IN ({', '.join('?' * len(part))})", part)
                    found.update((bytes(r[0]), (r[1] and bytes(r[1]), r[2], r[3])) for r in c.fetchall())
        except PersistenceError as e:
            if "no such table" in str(e):
                raise missing_table(e) from None
            raise
        return found

    def applied_count(self, source: str | None = None) -> int:
        with self.datastore.transaction(commit=False) as c:
            if source is None:
                c.execute(f"SELECT count(*) FROM {TABLE}")
            else:
                c.execute(f"SELECT count(*) FROM {TABLE} WHERE source = ?", (source,))
            return c.fetchone()[0]

    def import_files(self, name: str) -> list[FileRecord]:
        """The files imported before under ``name`` (``ledger.import_sources``), oldest first."""
        try:
            with self.datastore.transaction(commit=False) as c:
                c.execute(f"SELECT sha256, source, lines, sketch, started, recorded_at FROM {FILES} WHERE name = ? "
                          "ORDER BY recorded_at, source", (name,))
                return [(bytes(r[0]), r[1], r[2], bytes(r[3]), bool(r[4]), r[5]) for r in c.fetchall()]
        except PersistenceError as e:
            if "no such table" in str(e):
                raise missing_table(e, FILES) from None
            raise

    def import_sources_of(self, sha256: bytes) -> list[str]:
        """The sources of the files with this content imported before under any name, oldest first."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT source FROM {FILES} WHERE sha256 = ? ORDER BY recorded_at, source", (sha256,))
            return [r[0] for r in c.fetchall()]

    def record_import_file(self, name: str, record: FileRecord) -> bool:
        """Record a file under ``name``; False if that content is recorded already or another file
        started its source (both unique), and nothing was written."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"INSERT OR IGNORE INTO {FILES} (name, sha256, source, lines, sketch, started, recorded_at) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?)", (name, *record[:4], int(record[4]), record[5]))
            return c.sqlite_cursor.rowcount == 1
