"""The PostgreSQL backend: the ledger in one schema (eventsourcing.postgres, its table
``certledger_events`` from the application's name; notification ids have gaps), the read models
beside the events in the same schema, the audit trail's tables and triggers, a read-only snapshot
for ``show`` with psycopg alone, and the set-up lock that lets several processes open a new ledger
at once."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aggregates.errors import RuleViolation
from ledger.store.pg_logins import install as install_logins, installed as logins_installed
from ledger.store.reader import FastReader
from ledger.store.errors import READ_ONLY, DatabaseUnavailable
from ledger.store.trail import (ATTESTATIONS, BATCH, CHECKPOINTS, GUARDED, HEADS, LEAVES, META, REFUSAL, AppendOnlyNotInstalled,
                                EventRow, LeafReader, LeafRow, NoLeaves, StoredAttestation, StoredCheckpoint, TrailStore,
                                split_nodes)

EVENTS = "certledger_events"  # the library names it from the application's name ("certledger")
_YES, _NO = ("y", "yes", "1", "true"), ("n", "no", "0", "false")


class PostgresBackend:
    kind = "postgres"
    events_table = EVENTS
    position = "notification_id"

    def __init__(self, pg: dict[str, str]) -> None:
        self.pg = pg

    @classmethod
    def from_env(cls, env: Any) -> "PostgresBackend":
        return cls({
            "dbname": env.get("POSTGRES_DBNAME") or "", "host": env.get("POSTGRES_HOST") or "127.0.0.1",
            "port": env.get("POSTGRES_PORT") or "5432", "user": env.get("POSTGRES_USER") or "",
            "password": env.get("POSTGRES_PASSWORD") or "", "schema": env.get("POSTGRES_SCHEMA") or "",
            "db_functions": env.get("POSTGRES_ENABLE_DB_FUNCTIONS") or "",
            "create_tables": "n" if (env.get("CREATE_TABLE") or "").lower() in _NO else "",
        })

    @property
    def schema(self) -> str:
        return self.pg.get("schema") or ""

    def display(self) -> str:
        pg = self.pg
        schema = f"?schema={pg['schema']}" if pg.get("schema") else ""
        return f"postgresql://{pg.get('user', '')}@{pg.get('host')}:{pg.get('port')}/{pg.get('dbname')}{schema}"

    def eventsourcing_env(self) -> dict[str, str]:
        pg = self.pg
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": pg["dbname"],
            "POSTGRES_HOST": pg["host"],
            "POSTGRES_PORT": pg["port"],
            "POSTGRES_USER": pg.get("user", ""),
            "POSTGRES_PASSWORD": pg.get("password", ""),
            "POSTGRES_CONNECT_TIMEOUT": "5",
            "POSTGRES_POOL_SIZE": "2",
            "POSTGRES_MAX_OVERFLOW": "2",
            "POSTGRES_LOCK_TIMEOUT": "10",
            # the recorder that writes an import's applied lines with its events (ledger/store/applied.py)
            "APPLICATION_RECORDER_TOPIC": "ledger.store.applied_pg:PostgresLinesRecorder",
        }
        if pg.get("schema"):
            env["POSTGRES_SCHEMA"] = pg["schema"]
        # An INSERT/SELECT-only application role (docs/audit-trail.md): the library's insert
        # function instead of its table lock, and no attempt to create tables it does not own.
        if pg.get("db_functions", "").lower() in _YES:
            env["POSTGRES_ENABLE_DB_FUNCTIONS"] = "y"
        if pg.get("create_tables", "").lower() in _NO:
            env["CREATE_TABLE"] = "n"
        if pg.get("standby"):
            # A hot standby (docs/scaling.md): nothing to create, nothing to write; the application
            # reads what the primary wrote (CertLedger.read_only) and refuses writes.
            env["CREATE_TABLE"] = "n"
            env[READ_ONLY] = "standby"
        return env

    def _connect(self, **options: Any) -> Any:
        import psycopg

        pg = self.pg
        return psycopg.connect(dbname=pg["dbname"], host=pg["host"], port=pg["port"], user=pg.get("user") or None,
                               password=pg.get("password") or None, connect_timeout=5, **options)

    def _unreachable(self, e: Exception) -> DatabaseUnavailable:
        return DatabaseUnavailable(
            "ledger: database",
            f"无法连接 PostgreSQL {self.display()}：{str(e).strip()}",
            f"Cannot reach PostgreSQL {self.display()}: {str(e).strip()}",
        )

    def _connect_or_refuse(self) -> Any:
        """An autocommit connection, or the refusal saying the server cannot be reached."""
        import psycopg

        try:
            return self._connect(autocommit=True)
        except psycopg.Error as e:
            raise self._unreachable(e) from None

    def _holds_events(self, conn: Any) -> bool:
        """Whether the schema holds a ledger: its event table (D57)."""
        return conn.execute("SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = %s",
                            (self.schema or "public", EVENTS)).fetchone() is not None

    def holds_ledger(self) -> bool:
        """Whether the schema holds a ledger (its event table)."""
        import psycopg

        with self._connect_or_refuse() as conn:
            try:
                return self._holds_events(conn)
            except psycopg.Error as e:  # the connection lost on the way
                raise self._unreachable(e) from None

    @contextlib.contextmanager
    def prepare(self, existing: bool = False) -> Iterator[None]:
        """Opening a ledger creates tables, the library's insert function and the append-only
        triggers; several processes doing it at once collide ("tuple concurrently updated"). A
        session advisory lock, keyed on the schema, makes them take turns while the caller opens
        the ledger; the schema named in the URL is created if it is missing. ``existing`` (every
        command but ``init``, D57): a schema holding no ledger is refused before anything is created."""
        import psycopg
        from psycopg import sql

        schema = self.schema
        conn = self._connect_or_refuse()
        with conn:
            if existing and not self._holds_events(conn):
                where = f"模式 {schema} 中" if schema else "public 模式中"
                where_en = f"schema {schema}" if schema else "the public schema"
                raise DatabaseUnavailable(
                    "ledger: database",
                    f"PostgreSQL {self.display()} 的{where}没有 certledger 账本；请核对 --db 或 CERTLEDGER_DB（模式名是否拼错）。"
                    f"新账本只由 certledger --db '{self.display()}' init 创建。本次没有创建或改动任何内容。",
                    f"PostgreSQL {self.display()} holds no certledger ledger in {where_en}; check --db or CERTLEDGER_DB (a mistyped "
                    f"schema name?). A new ledger is created only by certledger --db '{self.display()}' init. Nothing was created "
                    "or changed.",
                )
            if conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                self.pg["standby"] = "y"  # a hot standby: read-only, its tables are the primary's
                if schema and conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone() is None:
                    raise DatabaseUnavailable(
                        "ledger: read-only standby",
                        f"PostgreSQL {self.display()} 是只读的热备库，其中没有模式 {schema} 的账本；请核对 --db。",
                        f"PostgreSQL {self.display()} is a read-only hot standby holding no ledger in schema {schema}; check --db.",
                    )
                yield
                return
            key = f"certledger-setup:{self.pg['dbname']}:{schema or 'public'}"
            conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (key,))
            try:
                # Only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even
                # when the schema exists, which an application role does not have.
                if schema and conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone() is None:
                    try:
                        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
                    except psycopg.Error as e:
                        raise DatabaseUnavailable(
                            "ledger: database",
                            f"无法在 PostgreSQL {self.display()} 中创建模式 {schema}：{str(e).strip()}",
                            f"Cannot create schema {schema} in PostgreSQL {self.display()}: {str(e).strip()}",
                        ) from None
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (key,))

    # ------------------------------------------------------------------ read models

    @contextlib.contextmanager
    def catch_up_turn(self) -> Iterator[bool]:
        """Every catch-up has a turn here: the read models' tracking rows are their lock, and a
        catch-up after a write skips them when held (projections.runner, ``SKIP LOCKED``)."""
        yield True

    def read_model_engine(self) -> Any:
        """The SQLAlchemy engine of the read models: the same database and schema as the event
        table, through ``schema_translate_map`` so the table definitions stay schema-free."""
        from sqlalchemy import URL, create_engine

        pg = self.pg
        url = URL.create("postgresql+psycopg", username=pg.get("user") or None, password=pg.get("password") or None,
                         host=pg.get("host") or "127.0.0.1", port=int(pg.get("port") or 5432), database=pg.get("dbname"))
        engine = create_engine(url, pool_size=2, max_overflow=2, pool_pre_ping=True, connect_args={"connect_timeout": 5})
        if self.schema:
            engine = engine.execution_options(schema_translate_map={None: self.schema})
        return engine

    def events_source(self, conn: Any) -> tuple[str, str]:
        """The event table (schema-qualified) and its position column, as SQL text."""
        quote = conn.dialect.identifier_preparer.quote
        name = quote(EVENTS)
        return (f"{quote(self.schema)}.{name}" if self.schema else name), self.position

    # ------------------------------------------------------------------ show, with the driver alone

    @contextlib.contextmanager
    def fast_reader(self) -> Iterator[FastReader]:
        """One read-only, repeatable-read snapshot with psycopg alone, the schema first on the path."""
        from psycopg import sql

        with self._connect() as conn:
            conn.read_only = True
            with conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                conn.execute(sql.SQL("SET LOCAL search_path TO {}").format(sql.Identifier(self.schema or "public")))
                yield FastReader(conn, f"SELECT max(notification_id) FROM {EVENTS}", "%s")

    # ------------------------------------------------------------------ audit trail

    def trail(self, app: Any) -> "PostgresTrailStore":
        return PostgresTrailStore(app)


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
            sql.SQL("CREATE TABLE IF NOT EXISTS {} (client bytea PRIMARY KEY, version bigint NOT NULL, position bigint NOT NULL)").format(
                self._q(HEADS)),
            sql.SQL("CREATE TABLE IF NOT EXISTS {} (id bigserial PRIMARY KEY, checkpoint_id bigint NOT NULL, kind text NOT NULL, "
                    "body bytea NOT NULL, created_at text NOT NULL)").format(self._q(ATTESTATIONS)),
            sql.SQL("CREATE OR REPLACE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    "RAISE EXCEPTION '{}: % on %.% refused', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME "
                    "USING ERRCODE = 'insufficient_privilege'; END $$").format(fn, sql.SQL(REFUSAL)),
        ]
        for table in (t, *GUARDED):
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
                    install_logins(conn, self.schema, t)  # logins by person (issue 15 item 5)
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
        """All the triggers (row and TRUNCATE on the events and the guarded trail tables) and the
        ledger's origin are there."""
        from psycopg import sql
        from psycopg.rows import tuple_row

        names = [f'"{self.schema}"."{t}"' for t in (self.events_table, *GUARDED)]
        cur = conn.cursor(row_factory=tuple_row)
        cur.execute("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE '%%append_only%%' "
                    "AND tgrelid = ANY(ARRAY[" + ", ".join(["to_regclass(%s)"] * len(names)) + "])", names)
        if cur.fetchone()[0] != 2 * len(names):
            return False
        cur.execute(sql.SQL("SELECT count(*) FROM {} WHERE key = 'origin'").format(self._q(META)))
        if cur.fetchone()[0] != 1:
            return False
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", (f'"{self.schema}"."{HEADS}"',))
        return bool(cur.fetchone()[0]) and logins_installed(conn, self.schema, self.events_table)

    def _wait_for_writers(self, conn: Any, timeout: float) -> int:
        """The highest notification id below which no event can still appear: every transaction
        that could hold a lower id has finished (see docs/audit-trail.md, "Gaps"); refused when a
        writer stays open longer than ``timeout``."""
        horizon, settled = self._horizon(conn, timeout, 0.05)
        if not settled:
            raise RuleViolation(
                "ledger: audit trail snapshot",
                f"有写入事件的事务已超过 {timeout:.0f} 秒未结束，无法确定已提交事件的范围；请稍后重试。",
                f"A transaction writing events has been open for more than {timeout:.0f} s, so the committed "
                "range cannot be fixed; try again later.",
            )
        return horizon

    def committed_horizon(self, timeout: float, poll: float = 0.005) -> int | None:
        """The same rule for the read models' catch-up (projections.runner), on a connection of its
        own: the horizon once the writers open now have ended, or None if one is still open after
        ``timeout`` seconds (the caller then stops short of any gap)."""
        with self.datastore.get_connection() as conn:
            horizon, settled = self._horizon(conn, timeout, poll)
        return horizon if settled else None

    def _horizon(self, conn: Any, timeout: float, poll: float) -> tuple[int, bool]:
        """The one rule: read the highest committed id H first, then wait until every transaction
        holding a write lock on the event table at that moment has ended. A transaction that took a
        lower id than H took it before H was committed, so it held its lock when H was read: once
        those have ended, every id up to H is committed or never will be. Returns (H, whether they
        all ended within ``timeout``)."""
        from psycopg import sql
        from psycopg.rows import tuple_row

        cur = conn.cursor(row_factory=tuple_row)
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
                return horizon, False
            if writers:
                time.sleep(poll)
        return horizon, True

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
                tables = (META, CHECKPOINTS, LEAVES, HEADS, ATTESTATIONS)
                cur.execute("SELECT " + ", ".join(["to_regclass(%s) IS NULL"] * len(tables)),
                            [f'"{self.schema}"."{t}"' for t in tables])
                missing = {t for t, gone in zip(tables, cur.fetchone()) if gone}
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

    def add_attestation(self, checkpoint_id: int, kind: str, body: bytes, created_at: str) -> int:
        from psycopg import sql

        self.cur.execute(sql.SQL("INSERT INTO {} (checkpoint_id, kind, body, created_at) VALUES (%s, %s, %s, %s) RETURNING id").format(
            self.store._q(ATTESTATIONS)), (checkpoint_id, kind, body, created_at))
        return self.cur.fetchone()[0]

    def put_heads(self, heads: list[tuple[bytes, int, int]], replace_all: bool = False) -> None:
        """Clients' heads as of the checkpoint being written (``replace_all``: the whole cache)."""
        from psycopg import sql

        if replace_all:
            self.cur.execute(sql.SQL("DELETE FROM {}").format(self.store._q(HEADS)))
        if heads:
            self.cur.executemany(sql.SQL("INSERT INTO {} (client, version, position) VALUES (%s, %s, %s) ON CONFLICT (client) "
                                         "DO UPDATE SET version = EXCLUDED.version, position = EXCLUDED.position").format(
                self.store._q(HEADS)), heads)


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

    def heads(self) -> dict[bytes, tuple[int, int]]:
        """The cached heads (client -> (version, position)) of the latest checkpoint."""
        from psycopg import sql

        if HEADS in self.missing:
            return {}
        rows = self._cur().execute(sql.SQL("SELECT client, version, position FROM {}").format(self.store._q(HEADS))).fetchall()
        return {bytes(r[0]): (r[1], r[2]) for r in rows}

    def checkpoints(self) -> list[StoredCheckpoint]:
        from psycopg import sql

        if CHECKPOINTS in self.missing:
            return []
        rows = self._cur().execute(sql.SQL("SELECT id, tree_size, root, note, nodes, created_at FROM {} ORDER BY id").format(
            self.store._q(CHECKPOINTS))).fetchall()
        return [StoredCheckpoint(r[0], r[1], bytes(r[2]), r[3], split_nodes(bytes(r[4])), r[5]) for r in rows]

    def attestations(self) -> list[StoredAttestation]:
        from psycopg import sql

        if ATTESTATIONS in self.missing:
            return []
        rows = self._cur().execute(sql.SQL("SELECT id, checkpoint_id, kind, body, created_at FROM {} ORDER BY id").format(
            self.store._q(ATTESTATIONS))).fetchall()
        return [StoredAttestation(r[0], r[1], r[2], bytes(r[3]), r[4]) for r in rows]

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
            cur.execute(sql.SQL("SELECT leaf_hash, leaf_index, position, originator_id, originator_version FROM {} WHERE leaf_index >= %s ORDER BY leaf_index").format(
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
