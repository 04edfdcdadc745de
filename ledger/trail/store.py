"""Where the audit trail meets the database: reading events in commit order, the trail's own
tables (checkpoints, leaf hashes, the ledger's origin) and the append-only triggers.

Events are read straight from the event store's table through the application's own connection
pool (one read transaction, rows as tuples): several times faster than ``select_notifications``,
which builds a UUID and an object per row.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from aggregates.errors import RuleViolation

BATCH = 5000
CHECKPOINTS = "trail_checkpoints"
LEAVES = "trail_leaves"
META = "trail_meta"
REFUSAL = "certledger: the audit trail is append-only (001 §12); record a correcting event instead"

# (position, originator id (16 bytes; on SQLite its 32 hex digits), version, topic, state)
EventRow = tuple[int, "bytes | str", int, str, bytes]


@dataclass(frozen=True)
class StoredCheckpoint:
    id: int
    size: int
    root: bytes
    note: str
    nodes: list[bytes]
    created_at: str


# (leaf index, position, originator id, version, leaf hash)
LeafRow = tuple[int, int, bytes, int, bytes]


class AppendOnlyNotInstalled(RuleViolation):
    pass


def store_for(app: Any) -> "TrailStore":
    module = type(app.recorder).__module__
    if module.startswith("eventsourcing.sqlite"):
        return SqliteTrailStore(app)
    if module.startswith("eventsourcing.postgres"):
        return PostgresTrailStore(app)
    raise RuntimeError(f"the audit trail does not support the recorder {type(app.recorder).__qualname__}")


def _split_nodes(blob: bytes) -> list[bytes]:
    return [bytes(blob[i:i + 32]) for i in range(0, len(blob), 32)]


class TrailStore:
    kind = ""
    gaps_expected = False
    hex_ids = False  # whether event rows carry the originator id as hex text

    def __init__(self, app: Any) -> None:
        self.app = app
        self.recorder = app.recorder
        self.datastore = app.recorder.datastore
        self.events_table = app.recorder.events_table_name


class SqliteTrailStore(TrailStore):
    kind = "sqlite"
    hex_ids = True

    @contextmanager
    def _read(self) -> Iterator[Any]:
        with self.datastore.transaction(commit=False) as c:
            raw = c.sqlite_cursor
            raw.row_factory = None
            yield raw

    @contextmanager
    def snapshot(self, timeout: float = 30.0) -> Iterator["SqliteSnapshot"]:
        with self._read() as c:
            c.execute(f"SELECT max(rowid), count(*) FROM {self.events_table}")
            horizon, count = c.fetchone()
            c.execute(f"SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('{META}', '{CHECKPOINTS}', '{LEAVES}')")
            missing = {META, CHECKPOINTS, LEAVES} - {r[0] for r in c.fetchall()}
            yield SqliteSnapshot(self, c, horizon or 0, count, missing)

    def install(self) -> None:
        t = self.events_table
        statements = [
            f"CREATE TABLE IF NOT EXISTS {META} (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {CHECKPOINTS} (id INTEGER PRIMARY KEY, tree_size INTEGER NOT NULL, "
            "root BLOB NOT NULL, note TEXT NOT NULL, nodes BLOB NOT NULL, created_at TEXT NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {LEAVES} (leaf_index INTEGER PRIMARY KEY, position INTEGER NOT NULL, "
            "originator_id BLOB NOT NULL, originator_version INTEGER NOT NULL, leaf_hash BLOB NOT NULL)",
        ]
        for table in (t, CHECKPOINTS, LEAVES, META):
            for op in ("UPDATE", "DELETE"):
                statements.append(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_append_only_{op.lower()} BEFORE {op} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}: {op} on {table} refused'); END"
                )
        statements.append(f"INSERT OR IGNORE INTO {META} (key, value) VALUES ('origin', 'certledger/{uuid.uuid4()}')")
        with self.datastore.transaction(commit=False) as c:
            if self._installed(c):
                return
        with self.datastore.transaction(commit=True) as c:
            for s in statements:
                c.execute(s)

    def _installed(self, c: Any) -> bool:
        """All eight triggers (UPDATE and DELETE on the events and the three trail tables) and the
        ledger's origin are there."""
        tables = (self.events_table, CHECKPOINTS, LEAVES, META)
        c.execute(f"SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%append_only%' "
                  f"AND tbl_name IN ({', '.join('?' * len(tables))})", tables)
        if c.fetchone()[0] != 2 * len(tables):
            return False
        c.execute(f"SELECT count(*) FROM {META} WHERE key = 'origin'")
        return c.fetchone()[0] == 1

    @contextmanager
    def writer(self) -> Iterator["SqliteWriter"]:
        """One write transaction for a checkpoint: its new leaves and its row, or nothing."""
        with self.datastore.transaction(commit=True) as c:
            yield SqliteWriter(c)

    def first_event(self, originator_id: bytes) -> bytes | None:
        with self._read() as c:
            c.execute(f"SELECT state FROM {self.events_table} WHERE originator_id = ? ORDER BY originator_version LIMIT 1",
                      (originator_id.hex(),))
            row = c.fetchone()
            return bytes(row[0]) if row else None


class SqliteWriter:
    def __init__(self, c: Any) -> None:
        self.c = c

    def add_leaves(self, leaves: list[tuple[int, int, bytes, int, bytes]]) -> None:
        self.c.executemany(f"INSERT INTO {LEAVES} VALUES (?, ?, ?, ?, ?)", leaves)

    def add_checkpoint(self, size: int, root: bytes, note: str, nodes: list[bytes], created_at: str) -> int:
        self.c.execute(f"INSERT INTO {CHECKPOINTS} (tree_size, root, note, nodes, created_at) VALUES (?, ?, ?, ?, ?)",
                       (size, root, note, b"".join(nodes), created_at))
        return self.c.lastrowid


class SqliteSnapshot:
    def __init__(self, store: SqliteTrailStore, c: Any, horizon: int, count: int, missing: set[str]) -> None:
        self.store, self.c, self.horizon, self.count = store, c, horizon, count
        self.missing = missing  # trail tables that are not there (dropped by the owner)

    def origin(self) -> str | None:
        if META in self.missing:
            return None
        self.c.execute(f"SELECT value FROM {META} WHERE key = 'origin'")
        row = self.c.fetchone()
        return row[0] if row else None

    def checkpoints(self) -> list[StoredCheckpoint]:
        if CHECKPOINTS in self.missing:
            return []
        self.c.execute(f"SELECT id, tree_size, root, note, nodes, created_at FROM {CHECKPOINTS} ORDER BY id")
        return [StoredCheckpoint(r[0], r[1], bytes(r[2]), r[3], _split_nodes(r[4]), r[5]) for r in self.c.fetchall()]

    def events(self, after: int | None = None) -> Iterator[list[EventRow]]:
        """Every event up to the snapshot's horizon in position order (after ``after`` if given: a
        forged row may sit at position 0 or below, so verify reads without a lower bound)."""
        # A second cursor on the same connection reads inside the same transaction. The state is
        # read as a BLOB whatever its storage class (a row not written by the library may hold TEXT).
        cur = self.c.connection.cursor()
        try:
            cur.row_factory = None
            low = "" if after is None else f"rowid > {int(after)} AND "
            cur.execute(f"SELECT rowid, originator_id, originator_version, topic, CAST(state AS BLOB) "
                        f"FROM {self.store.events_table} WHERE {low}rowid <= ? ORDER BY rowid", (self.horizon,))
            while rows := cur.fetchmany(BATCH):
                yield rows
        finally:
            cur.close()

    @contextmanager
    def leaf_hashes(self, from_index: int = 0) -> Iterator["LeafReader"]:
        if LEAVES in self.missing:
            yield NoLeaves()
            return
        cur = self.c.connection.cursor()
        try:
            cur.row_factory = None
            cur.execute(f"SELECT leaf_hash FROM {LEAVES} WHERE leaf_index >= ? ORDER BY leaf_index", (from_index,))
            yield LeafReader(cur)
        finally:
            cur.close()

    def leaf_count(self) -> int:
        if LEAVES in self.missing:
            return 0
        self.c.execute(f"SELECT count(*) FROM {LEAVES}")
        return self.c.fetchone()[0]

    def leaf_row(self, index: int) -> LeafRow | None:
        if LEAVES in self.missing:
            return None
        self.c.execute(f"SELECT leaf_index, position, originator_id, originator_version, leaf_hash FROM {LEAVES} "
                       "WHERE leaf_index = ?", (index,))
        r = self.c.fetchone()
        return (r[0], r[1], bytes(r[2]), r[3], bytes(r[4])) if r else None

    def leaf_of(self, originator_id: bytes, version: int) -> LeafRow | None:
        """The checkpointed leaf of an event, if any (used to tell a reordering from a forgery)."""
        if LEAVES in self.missing:
            return None
        self.c.execute(f"SELECT leaf_index, position, originator_id, originator_version, leaf_hash FROM {LEAVES} "
                       "WHERE originator_id = ? AND originator_version = ? ORDER BY leaf_index LIMIT 1", (originator_id, version))
        r = self.c.fetchone()
        return (r[0], r[1], bytes(r[2]), r[3], bytes(r[4])) if r else None


class NoLeaves:
    """The leaf reader of a ledger whose leaves table is gone."""

    def take(self, k: int) -> list[bytes]:
        return []

    def rest(self) -> Iterator[list[bytes]]:
        return iter(())


class LeafReader:
    """Stored leaf hashes in leaf-index order, taken in step with the events."""

    def __init__(self, cur: Any) -> None:
        self.cur = cur

    def take(self, k: int) -> list[bytes]:
        return [r[0] for r in self.cur.fetchmany(k)] if k > 0 else []

    def rest(self) -> Iterator[list[bytes]]:
        while rows := self.cur.fetchmany(BATCH):
            yield [r[0] for r in rows]


class PostgresTrailStore(TrailStore):
    kind = "postgres"
    gaps_expected = True

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.schema = self.datastore.schema

    def _q(self, name: str) -> Any:
        from psycopg import sql

        return sql.Identifier(self.schema, name)

    def install(self) -> None:
        from psycopg import errors, sql

        t = self.events_table
        fn = sql.Identifier(self.schema, "certledger_refuse_change")
        stmts = [
            sql.SQL("CREATE TABLE IF NOT EXISTS {} (key text PRIMARY KEY, value text NOT NULL)").format(self._q(META)),
            sql.SQL("CREATE TABLE IF NOT EXISTS {} (id bigserial PRIMARY KEY, tree_size bigint NOT NULL, root bytea NOT NULL, "
                    "note text NOT NULL, nodes bytea NOT NULL, created_at text NOT NULL)").format(self._q(CHECKPOINTS)),
            sql.SQL("CREATE TABLE IF NOT EXISTS {} (leaf_index bigint PRIMARY KEY, position bigint NOT NULL, "
                    "originator_id bytea NOT NULL, originator_version bigint NOT NULL, leaf_hash bytea NOT NULL)").format(self._q(LEAVES)),
            sql.SQL("CREATE OR REPLACE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    "RAISE EXCEPTION '{}: % on %.% refused', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME "
                    "USING ERRCODE = 'insufficient_privilege'; END $$").format(fn, sql.SQL(REFUSAL)),
        ]
        for table in (t, CHECKPOINTS, LEAVES, META):
            # DROP + CREATE (not CREATE IF NOT EXISTS, which PostgreSQL lacks for triggers): a
            # trigger that the owner dropped is put back on the next start.
            for name, when in ((f"{table}_append_only_row", "BEFORE UPDATE OR DELETE ON {} FOR EACH ROW"),
                               (f"{table}_append_only_truncate", "BEFORE TRUNCATE ON {} FOR EACH STATEMENT")):
                stmts.append(sql.SQL("DROP TRIGGER IF EXISTS {} ON {}").format(sql.Identifier(name), self._q(table)))
                stmts.append(sql.SQL("CREATE TRIGGER {} " + when + " EXECUTE FUNCTION {}()").format(
                    sql.Identifier(name), self._q(table), fn))
        stmts.append(sql.SQL("INSERT INTO {} (key, value) VALUES ('origin', {}) ON CONFLICT (key) DO NOTHING").format(
            self._q(META), sql.Literal(f"certledger/{uuid.uuid4()}")))
        with self.datastore.get_connection() as conn:
            if self._installed(conn):
                return
            try:
                with conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(hashtext('certledger trail install'))")
                    if self._installed(conn):
                        return
                    for s in stmts:
                        conn.execute(s)
            except errors.InsufficientPrivilege as e:
                raise AppendOnlyNotInstalled(
                    "ledger: audit trail append-only",
                    "账本的仅追加保护（触发器与审计表）尚未安装，而当前数据库角色无权安装：请先用表的所有者角色打开一次账本"
                    f"（见 docs/audit-trail.md）。数据库说：{str(e).strip()}",
                    "The ledger's append-only protection (triggers and trail tables) is not installed and this database "
                    "role may not install it: open the ledger once as the tables' owner (see docs/audit-trail.md). "
                    f"The database said: {str(e).strip()}",
                ) from None

    def _installed(self, conn: Any) -> bool:
        """All eight triggers (row and TRUNCATE on the events and the three trail tables) and the
        ledger's origin are there."""
        from psycopg import sql
        from psycopg.rows import tuple_row

        names = [f'"{self.schema}"."{t}"' for t in (self.events_table, CHECKPOINTS, LEAVES, META)]
        cur = conn.cursor(row_factory=tuple_row)
        cur.execute("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE '%%append_only%%' "
                    "AND tgrelid = ANY(ARRAY[to_regclass(%s), to_regclass(%s), to_regclass(%s), to_regclass(%s)])", names)
        if cur.fetchone()[0] != 8:
            return False
        cur.execute(sql.SQL("SELECT count(*) FROM {} WHERE key = 'origin'").format(self._q(META)))
        return cur.fetchone()[0] == 1

    def _wait_for_writers(self, conn: Any, timeout: float) -> int:
        """The highest notification id below which no event can still appear: every transaction
        that could hold a lower id has finished (see docs/audit-trail.md, "Gaps")."""
        from psycopg.rows import tuple_row

        cur = conn.cursor(row_factory=tuple_row)
        from psycopg import sql

        cur.execute(sql.SQL("SELECT max(notification_id) FROM {}").format(self._q(self.events_table)))
        horizon = cur.fetchone()[0] or 0
        cur.execute("SELECT array_agg(DISTINCT virtualtransaction) FROM pg_locks WHERE relation = to_regclass(%s) "
                    "AND granted AND mode <> 'AccessShareLock' AND pid <> pg_backend_pid()",
                    (f'"{self.schema}"."{self.events_table}"',))
        writers = cur.fetchone()[0] or []
        deadline = time.monotonic() + timeout
        while writers:
            cur.execute("SELECT array_agg(DISTINCT virtualtransaction) FROM pg_locks WHERE virtualtransaction = ANY(%s)", (writers,))
            writers = cur.fetchone()[0] or []
            if writers and time.monotonic() > deadline:
                raise RuleViolation(
                    "ledger: audit trail snapshot",
                    f"有写入事件的事务已超过 {timeout:.0f} 秒未结束，无法确定已提交事件的范围；请稍后重试。",
                    f"A transaction writing events has been open for more than {timeout:.0f} s, so the committed "
                    "range cannot be fixed; try again later.",
                )
            time.sleep(0.05)
        return horizon

    @contextmanager
    def snapshot(self, timeout: float = 30.0) -> Iterator["PostgresSnapshot"]:
        from psycopg.rows import tuple_row

        with self.datastore.get_connection() as conn:
            horizon = self._wait_for_writers(conn, timeout)
            with conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cur = conn.cursor(row_factory=tuple_row)
                from psycopg import sql

                cur.execute(sql.SQL("SELECT count(*) FROM {} WHERE notification_id <= %s").format(self._q(self.events_table)),
                            (horizon,))
                count = cur.fetchone()[0]
                cur.execute("SELECT to_regclass(%s) IS NULL, to_regclass(%s) IS NULL, to_regclass(%s) IS NULL",
                            [f'"{self.schema}"."{t}"' for t in (META, CHECKPOINTS, LEAVES)])
                missing = {t for t, gone in zip((META, CHECKPOINTS, LEAVES), cur.fetchone()) if gone}
                yield PostgresSnapshot(self, conn, horizon, count, missing)

    @contextmanager
    def writer(self) -> Iterator["PostgresWriter"]:
        with self.datastore.get_connection() as conn, conn.transaction():
            yield PostgresWriter(self, conn)

    def first_event(self, originator_id: bytes) -> bytes | None:
        events = self.recorder.select_events(uuid.UUID(bytes=originator_id), limit=1)
        return events[0].state if events else None


class PostgresWriter:
    def __init__(self, store: PostgresTrailStore, conn: Any) -> None:
        from psycopg.rows import tuple_row

        self.store, self.cur = store, conn.cursor(row_factory=tuple_row)

    def add_leaves(self, leaves: list[tuple[int, int, bytes, int, bytes]]) -> None:
        from psycopg import sql

        with self.cur.copy(sql.SQL("COPY {} (leaf_index, position, originator_id, originator_version, leaf_hash) FROM STDIN").format(
                self.store._q(LEAVES))) as copy:
            for row in leaves:
                copy.write_row(row)

    def add_checkpoint(self, size: int, root: bytes, note: str, nodes: list[bytes], created_at: str) -> int:
        from psycopg import sql

        self.cur.execute(sql.SQL("INSERT INTO {} (tree_size, root, note, nodes, created_at) VALUES (%s, %s, %s, %s, %s) "
                                 "RETURNING id").format(self.store._q(CHECKPOINTS)), (size, root, note, b"".join(nodes), created_at))
        return self.cur.fetchone()[0]


class PostgresSnapshot:
    def __init__(self, store: PostgresTrailStore, conn: Any, horizon: int, count: int, missing: set[str]) -> None:
        self.store, self.conn, self.horizon, self.count = store, conn, horizon, count
        self.missing = missing  # trail tables that are not there (dropped by the owner)

    def _cur(self) -> Any:
        from psycopg.rows import tuple_row

        return self.conn.cursor(row_factory=tuple_row)

    def origin(self) -> str | None:
        from psycopg import sql

        if META in self.missing:
            return None
        row = self._cur().execute(sql.SQL("SELECT value FROM {} WHERE key = 'origin'").format(self.store._q(META))).fetchone()
        return row[0] if row else None

    def checkpoints(self) -> list[StoredCheckpoint]:
        from psycopg import sql

        if CHECKPOINTS in self.missing:
            return []
        rows = self._cur().execute(sql.SQL("SELECT id, tree_size, root, note, nodes, created_at FROM {} ORDER BY id").format(
            self.store._q(CHECKPOINTS))).fetchall()
        return [StoredCheckpoint(r[0], r[1], bytes(r[2]), r[3], _split_nodes(bytes(r[4])), r[5]) for r in rows]

    def events(self, after: int | None = None) -> Iterator[list[EventRow]]:
        from psycopg import sql
        from psycopg.rows import tuple_row

        low = sql.SQL("") if after is None else sql.SQL("notification_id > {} AND ").format(sql.Literal(int(after)))
        with self.conn.cursor(name="certledger_trail_events", row_factory=tuple_row, binary=True) as cur:
            cur.itersize = BATCH
            cur.execute(sql.SQL("SELECT notification_id, uuid_send(originator_id), originator_version, topic, state FROM {} "
                                "WHERE {}notification_id <= %s ORDER BY notification_id").format(
                self.store._q(self.store.events_table), low), (self.horizon,))
            while rows := cur.fetchmany(BATCH):
                yield rows

    @contextmanager
    def leaf_hashes(self, from_index: int = 0) -> Iterator["LeafReader"]:
        from psycopg import sql
        from psycopg.rows import tuple_row

        if LEAVES in self.missing:
            yield NoLeaves()
            return
        with self.conn.cursor(name="certledger_trail_leaves", row_factory=tuple_row, binary=True) as cur:
            cur.itersize = BATCH
            cur.execute(sql.SQL("SELECT leaf_hash FROM {} WHERE leaf_index >= %s ORDER BY leaf_index").format(
                self.store._q(LEAVES)), (from_index,))
            yield LeafReader(cur)

    def leaf_count(self) -> int:
        from psycopg import sql

        if LEAVES in self.missing:
            return 0
        return self._cur().execute(sql.SQL("SELECT count(*) FROM {}").format(self.store._q(LEAVES))).fetchone()[0]

    def _leaf(self, where: str, params: tuple[Any, ...]) -> LeafRow | None:
        from psycopg import sql

        if LEAVES in self.missing:
            return None
        r = self._cur().execute(sql.SQL("SELECT leaf_index, position, originator_id, originator_version, leaf_hash FROM {} "
                                        "WHERE " + where + " ORDER BY leaf_index LIMIT 1").format(self.store._q(LEAVES)),
                                params).fetchone()
        return (r[0], r[1], bytes(r[2]), r[3], bytes(r[4])) if r else None

    def leaf_row(self, index: int) -> LeafRow | None:
        return self._leaf("leaf_index = %s", (index,))

    def leaf_of(self, originator_id: bytes, version: int) -> LeafRow | None:
        return self._leaf("originator_id = %s AND originator_version = %s", (originator_id, version))
