"""The ledger's database as its owner sees it: raw SQL on the events table (SQLite or PostgreSQL),
with the append-only triggers droppable. The tampering tests use it to do what an attacker with
``sqlite3`` or ``psql`` would."""

from __future__ import annotations

import sqlite3
import uuid
from contextlib import contextmanager


class Owner:
    """Raw SQL on the ledger's database, as its owner (who can drop the triggers)."""

    def __init__(self, app, db_url):
        self.app, self.db_url = app, db_url
        self.table = app.recorder.events_table_name
        from eventsourcing.sqlite import SQLiteApplicationRecorder

        self.sqlite = isinstance(app.recorder, SQLiteApplicationRecorder)  # the ledger's subclass of it (ledger/store/applied.py)
        if self.sqlite:
            self.pos = "rowid"
            self.qualified = self.table
        else:
            self.schema = app.recorder.datastore.schema
            self.pos = "notification_id"
            self.qualified = f'"{self.schema}"."{self.table}"'

    @contextmanager
    def connect(self):
        if self.sqlite:
            conn = sqlite3.connect(self.app.recorder.datastore.pool.db_name, isolation_level=None)
            try:
                yield conn
            finally:
                conn.close()
        else:
            import psycopg

            from ledger.config import resolve_database

            pg = resolve_database(self.db_url).pg
            with psycopg.connect(dbname=pg["dbname"], host=pg["host"], port=pg["port"], user=pg["user"] or None,
                                 password=pg["password"] or None, autocommit=True) as conn:
                yield conn

    def sql(self, statement: str, params=()):
        statement = statement.replace("EVENTS", self.qualified).replace("POS", self.pos)
        if not self.sqlite:
            statement = statement.replace("?", "%s")
        with self.connect() as conn:
            cur = conn.execute(statement, params)
            try:
                return cur.fetchall()
            except Exception:  # noqa: BLE001 - a statement without rows
                return []

    def trail(self, name: str) -> str:
        """A trail table's name as SQL (schema-qualified on PostgreSQL)."""
        return name if self.sqlite else f'"{self.schema}"."{name}"'

    def drop_triggers(self):
        if self.sqlite:
            self.sql(f"DROP TRIGGER {self.table}_append_only_update")
            self.sql(f"DROP TRIGGER {self.table}_append_only_delete")
        else:
            self.sql(f'DROP TRIGGER "{self.table}_append_only_row" ON EVENTS')
            self.sql(f'DROP TRIGGER "{self.table}_append_only_truncate" ON EVENTS')

    def unprotect(self, name: str) -> None:
        """Drop the append-only triggers of one of the trail's own tables (trail_leaves, ...)."""
        if self.sqlite:
            self.sql(f"DROP TRIGGER IF EXISTS {name}_append_only_update")
            self.sql(f"DROP TRIGGER IF EXISTS {name}_append_only_delete")
        else:
            self.sql(f'DROP TRIGGER IF EXISTS "{name}_append_only_row" ON {self.trail(name)}')
            self.sql(f'DROP TRIGGER IF EXISTS "{name}_append_only_truncate" ON {self.trail(name)}')

    def row(self, position: int):
        """(client id, version, topic, state) of the event at a position."""
        oid, version, topic, state = self.sql("SELECT originator_id, originator_version, topic, state FROM EVENTS WHERE POS = ?",
                                              (position,))[0]
        return uuid.UUID(str(oid)), version, topic, bytes(state)

    def refusal(self):
        if self.sqlite:
            return sqlite3.IntegrityError
        import psycopg

        return psycopg.errors.InsufficientPrivilege
