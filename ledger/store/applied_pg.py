"""The import's applied lines on PostgreSQL: the library's recorder writing them with its events
(ledger/store/applied.py describes the table; a module of its own so that a SQLite ledger never
imports psycopg)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from eventsourcing.persistence import PersistenceError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder

from ledger.store.applied import FILES, LOOKUP, TABLE, KWARG, FileRecord, Row, missing_table


class PostgresLinesRecorder(PostgresApplicationRecorder):
    """The library's PostgreSQL recorder, writing an import's applied lines with its events."""

    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events") -> None:
        from psycopg.sql import SQL, Identifier

        super().__init__(datastore, events_table_name=events_table_name)
        self._lines_table = Identifier(self.datastore.schema, TABLE)
        self.sql_create_statements.append(SQL(
            "CREATE TABLE IF NOT EXISTS {} (key bytea PRIMARY KEY, digest bytea, source text NOT NULL, "
            "line bigint NOT NULL, line_id text, applied_at text NOT NULL)").format(self._lines_table))
        self._files_table = Identifier(self.datastore.schema, FILES)
        self.sql_create_statements.append(SQL(
            "CREATE TABLE IF NOT EXISTS {} (name text NOT NULL, sha256 bytea NOT NULL, source text NOT NULL, "
            "lines bigint NOT NULL, sketch bytea NOT NULL, started boolean NOT NULL, recorded_at text NOT NULL, "
            "PRIMARY KEY (name, sha256))").format(self._files_table))
        self.sql_create_statements.append(SQL(
            "CREATE UNIQUE INDEX IF NOT EXISTS {} ON {} (source) WHERE started").format(Identifier(FILES + "_started"), self._files_table))
        # Rows without a line_id (the usual case) go as one bytea of their keys and one text of their
        # line numbers: psycopg dumps a Python list element by element, about 30 us a row here.
        self._insert_plain = SQL(
            "INSERT INTO {} (key, source, line, applied_at) "
            "SELECT substring(%(keys)s::bytea FROM %(width)s * (i - 1)::int + 1 FOR %(width)s), %(source)s, n, %(at)s "
            "FROM unnest(string_to_array(%(lines)s, ',')::bigint[]) WITH ORDINALITY AS u(n, i)").format(self._lines_table)
        self._insert_named = SQL(
            "INSERT INTO {} (key, digest, source, line, line_id, applied_at) "
            "SELECT * FROM unnest(%s::bytea[], %s::bytea[], %s::text[], %s::bigint[], %s::text[], %s::text[])").format(self._lines_table)
        self._select_lines = SQL(
            "SELECT key, digest, source, line FROM {} WHERE key = ANY(ARRAY("
            "SELECT substring(%(keys)s::bytea FROM %(width)s * i + 1 FOR %(width)s) FROM generate_series(0, %(count)s - 1) AS i))"
        ).format(self._lines_table)

    def _lines(self, curs: Any, rows: list[Row]) -> None:
        """Write one save's rows (one source and one moment, keys of one width)."""
        plain = [r for r in rows if r[4] is None]
        named = [r for r in rows if r[4] is not None]
        if plain:
            curs.execute(self._insert_plain, {"keys": b"".join(r[0] for r in plain), "width": len(plain[0][0]), "source": plain[0][2],
                                              "lines": ",".join(str(r[3]) for r in plain), "at": plain[0][5]})
        if named:
            curs.execute(self._insert_named, [list(col) for col in zip(*named)])

    def _insert_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        super()._insert_events(curs, stored_events, **kwargs)
        rows = kwargs.get(KWARG)
        if rows and stored_events:  # in the library's transaction, before the table lock and the events (synced with them)
            self._lines(curs, rows)

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        rows = kwargs.get(KWARG)
        if rows and (self.datastore.enable_db_functions or not stored_events):
            return self._insert_with_lines(stored_events, rows)
        return super().insert_events(stored_events, **kwargs)

    def _insert_with_lines(self, stored_events: Sequence[StoredEvent], rows: list[Row]) -> Sequence[int] | None:
        """The library's insert function (``db_functions=y``, which it calls in autocommit) and the
        lines in one transaction; or the lines alone, when the lines made no event."""
        ids: list[int] = []
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            if stored_events:
                pg_events = [self.construct_pg_stored_event(e.originator_id, e.originator_version, e.topic, e.state)
                             for e in stored_events]
                curs.execute(self.sql_invoke_pg_function_insert_events, (pg_events,), prepare=True)
                ids = [r[self.pg_function_name_insert_events] for r in curs.fetchall()]
            self._lines(curs, rows)
        return ids or None

    def applied_lines(self, keys: Iterable[bytes]) -> dict[bytes, tuple["bytes | None", str, int]]:
        """Which of ``keys`` (all of one width) are applied: key -> (digest, source, line)."""
        keys = list(keys)
        found: dict[bytes, tuple[bytes | None, str, int]] = {}
        try:
            with self.datastore.transaction(commit=False) as curs:
                for i in range(0, len(keys), LOOKUP):
                    part = keys[i:i + LOOKUP]
                    curs.execute(self._select_lines, {"keys": b"".join(part), "width": len(part[0]), "count": len(part)})
                    found.update((bytes(r["key"]), (r["digest"] and bytes(r["digest"]), r["source"], r["line"])) for r in curs.fetchall())
        except PersistenceError as e:
            if "does not exist" in str(e):
                raise missing_table(e) from None
            raise
        return found

    def applied_count(self, source: str | None = None) -> int:
        from psycopg.sql import SQL

        with self.datastore.transaction(commit=False) as curs:
            if source is None:
                curs.execute(SQL("SELECT count(*) AS n FROM {}").format(self._lines_table))
            else:
                curs.execute(SQL("SELECT count(*) AS n FROM {} WHERE source = %s").format(self._lines_table), (source,))
            return curs.fetchone()["n"]

    def import_files(self, name: str) -> list[FileRecord]:
        """The files imported before under ``name`` (``ledger.import_sources``), oldest first."""
        from psycopg.sql import SQL

        try:
            with self.datastore.transaction(commit=False) as curs:
                curs.execute(SQL("SELECT sha256, source, lines, sketch, started, recorded_at FROM {} WHERE name = %s "
                                 "ORDER BY recorded_at, source").format(self._files_table), (name,))
                return [(bytes(r["sha256"]), r["source"], r["lines"], bytes(r["sketch"]), r["started"], r["recorded_at"])
                        for r in curs.fetchall()]
        except PersistenceError as e:
            if "does not exist" in str(e):
                raise missing_table(e, FILES) from None
            raise

    def record_import_file(self, name: str, record: FileRecord) -> bool:
        """Record a file under ``name``; False if that content is recorded already or another file
        started its source (both unique), and nothing was written."""
        from psycopg.sql import SQL

        with self.datastore.transaction(commit=True) as curs:
            curs.execute(SQL("INSERT INTO {} (name, sha256, source, lines, sketch, started, recorded_at) "
                             "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING").format(self._files_table),
                         (name, *record))
            return curs.rowcount == 1
