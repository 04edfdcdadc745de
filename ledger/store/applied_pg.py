"""The import's applied lines on PostgreSQL: the library's recorder writing them with its events
(ledger/store/applied.py describes the table; a module of its own so that a SQLite ledger never
imports psycopg). The same recorder keeps the clients' write turns on PostgreSQL (``client_turn``,
D60): an advisory lock per client that a command holds exclusive from its load to its save and that
every other save of that client takes shared."""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from eventsourcing.persistence import InterfaceError, Notification, OperationalError, PersistenceError, StoredEvent
from eventsourcing.utils import retry
from eventsourcing.postgres import PostgresApplicationRecorder

from ledger.store import advisory
from ledger.store.applied import FILES, LOOKUP, TABLE, KWARG, FileRecord, Row, missing_table


def catch_up_turn_key(schema: str) -> str:
    """The key of the read models' catch-up turn after a write (a transaction-level advisory lock,
    ``hashtext`` of this in namespace ``advisory.CATCH_UP``; projections/quick_pg.py, D51)."""
    return f"certledger-catch-up:{schema}"


def client_turn_key(schema: str, aggregate_id: Any) -> int:
    """The key of one client's write turn (D60; any aggregate's, a person's or the body's alike), in
    namespace ``advisory.CLIENT_TURN``: a 32-bit number from the schema and the aggregate's id, so
    that the ledgers of one database keep apart. Two ids that meet on one key only wait for each
    other, as one client's writers do; nothing else."""
    return int.from_bytes(hashlib.blake2b(f"{schema}:{aggregate_id}".encode(), digest_size=4).digest(), "big", signed=True)


SHARED_TURNS = 64  # a save of more aggregates than this (an import's flush) takes no turns (D60)


_LIBRARY_ERRORS = ("InterfaceError", "OperationalError", "DataError", "IntegrityError", "InternalError", "ProgrammingError",
                   "NotSupportedError", "DatabaseError")


@contextlib.contextmanager
def _library_errors() -> Iterator[None]:
    """psycopg's errors raised as the library's, as ``datastore.get_connection`` raises them (a save
    on the connection that holds a client's write turn does not go through it)."""
    import psycopg
    from eventsourcing import persistence

    try:
        yield
    except psycopg.Error as e:
        for name in _LIBRARY_ERRORS:
            if isinstance(e, getattr(psycopg, name)):
                raise getattr(persistence, name)(str(e)) from e
        raise persistence.PersistenceError(str(e)) from e


class PostgresLinesRecorder(PostgresApplicationRecorder):
    """The library's PostgreSQL recorder, writing an import's applied lines with its events."""

    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events") -> None:
        from psycopg.sql import SQL, Identifier

        super().__init__(datastore, events_table_name=events_table_name)
        self._since_statement: Any = None
        # After the last insert: a catch-up held its turn right after the commit, so it applies the
        # events inserted (``_insert_locked``); taken and reset by projections/quick_pg.py.
        self.catch_up_running = False
        # this thread's client turn (``client_turn``): its connection, key and state, when it holds one
        self._turn_held = threading.local()
        # One statement each, the lock timeout set first (a materialised CTE is evaluated before any row
        # of the query that reads it; ``set_config(..., true)``: for this transaction only: for the turn,
        # the implicit transaction of the autocommit pipeline up to its sync, the turn and the load; for
        # the shared turns, the save's, its table lock included)
        timeout = "WITH t AS MATERIALIZED (SELECT set_config('lock_timeout', %s, true))"
        self._share_turns = SQL(f"{timeout} SELECT count(pg_advisory_xact_lock_shared({advisory.CLIENT_TURN}, k)) "
                                "FROM t, unnest(%s::int4[]) AS k")
        self._take_turn = SQL(f"{timeout} SELECT pg_advisory_lock({advisory.CLIENT_TURN}, %s::int4) FROM t")
        self._let_go_turn = SQL(f"SELECT pg_advisory_unlock({advisory.CLIENT_TURN}, %s::int4)")
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
        self.catch_up_running = False
        rows = kwargs.get(KWARG)
        if self.datastore.enable_db_functions and stored_events or rows and not stored_events:
            return self._insert_with_lines(stored_events, rows or [])
        if not stored_events:
            return super().insert_events(stored_events, **kwargs)
        return self._insert_locked(stored_events, **kwargs)

    # ------------------------------------------------------------------ the clients' write turns (D60)

    @contextlib.contextmanager
    def client_turn(self, aggregate_id: Any) -> Iterator[None]:
        """One client's write turn, held for the block (a command holds it from its load to its save,
        ``CertLedger._run``): a session-level exclusive advisory lock (``client_turn_key``) on a
        connection of the pool kept for the block. Writers of one client queue here; writers of other
        clients never wait for it. Every save of events takes the turns of its aggregates shared in its
        transaction, before the table lock, so nothing else commits to this client while the turn is
        held and the command's save cannot meet a concurrent write.

        No round trip of its own: the lock is sent with the block's first statement on the connection
        (the load, ``select_events``) and let go in the save's pipeline right after its ``COMMIT``
        (``_insert_locked``); only a block that ends without saving (a refused command) sends the
        unlock alone. The wait is bounded by the ledger's lock timeout (``POSTGRES_LOCK_TIMEOUT``):
        past it the library's ``OperationalError`` ("lock timeout", the CLI's "ledger: database busy"),
        nothing written. A connection in doubt (the lock's statement failed, the unlock failed) is
        closed, not pooled: the lock goes with its session. A thread that holds a turn already takes no
        other (no wait for itself)."""
        held = self._turn_held.__dict__
        if held.get("conn") is not None:
            yield
            return
        key = client_turn_key(self.datastore.schema, aggregate_id)
        with self.datastore.get_connection() as conn:
            held.update(conn=conn, key=key, state="pending")
            try:
                yield
            finally:
                state = held["state"]
                held.update(conn=None, key=None, state=None)
                if state == "locked" and not conn.closed:
                    try:
                        conn.execute(self._let_go_turn, (key,), prepare=True)
                    except Exception:  # noqa: BLE001 - a broken session: closing it ends it, and the lock with it
                        conn.close()
                elif state == "doubt" and not conn.closed:
                    conn.close()

    def _held_connection(self) -> Any:
        conn = self._turn_held.__dict__.get("conn")
        return conn if conn is not None and not conn.closed else None

    def _queue_turn(self, conn: Any) -> None:
        """In a pipeline on the turn's connection, before the block's first statement: the turn's lock
        under the lock timeout (a session-level lock: it outlives the pipeline's implicit transaction)."""
        held = self._turn_held.__dict__
        if held.get("state") != "pending":
            return
        held["state"] = "doubt"  # until the pipeline comes back
        conn.execute(self._take_turn, (f"{self.datastore.lock_timeout}s", held["key"]), prepare=True)

    @contextlib.contextmanager
    def _connection(self) -> Iterator[Any]:
        """The connection of a save: the one holding this thread's turn when it holds one, else one
        of the pool's."""
        held = self._held_connection()
        if held is not None:
            with _library_errors():
                yield held
        else:
            with self.datastore.get_connection() as conn:
                yield conn

    def select_events(self, originator_id: Any, *, gt: int | None = None, lte: int | None = None, desc: bool = False,
                      limit: int | None = None) -> Sequence[StoredEvent]:
        """The library's read of one aggregate's events; under a client turn, on the turn's connection
        and in one round trip with the turn's lock (``client_turn``). There, an error is not tried
        again (a lock timeout is the caller's "database busy"), and the connection is closed."""
        conn = self._held_connection()
        if conn is None:
            return super().select_events(originator_id, gt=gt, lte=lte, desc=desc, limit=limit)
        from psycopg.sql import SQL

        statement, params = self.select_events_statement, [originator_id]
        for value, clause in ((gt, " AND originator_version > %s"), (lte, " AND originator_version <= %s")):
            if value is not None:
                params.append(value)
                statement += SQL(clause)
        statement += SQL(" ORDER BY originator_version DESC" if desc else " ORDER BY originator_version ASC")
        if limit is not None:
            params.append(limit)
            statement += SQL(" LIMIT %s")
        with _library_errors():
            try:
                cur = conn.cursor()
                with conn.pipeline():
                    self._queue_turn(conn)
                    cur.execute(statement, params, prepare=True)
                rows = cur.fetchall()
            except BaseException:
                conn.close()  # the turn, if it was had, goes with the session
                raise
            if self._turn_held.__dict__.get("state") == "doubt":
                self._turn_held.state = "locked"
        return [StoredEvent(originator_id=r["originator_id"], originator_version=r["originator_version"], topic=r["topic"],
                            state=bytes(r["state"])) for r in rows]

    def _share_write_turn(self, curs: Any, stored_events: Sequence[StoredEvent]) -> None:
        """First in a save's transaction: the lock timeout, then the turns of the aggregates saved,
        shared (waiting while another process's command holds one; this connection's own turn does
        not make it wait). Before any lock on the event table, so a save that waits here holds none
        (the committed horizon does not wait for it). A save of more than ``SHARED_TURNS`` aggregates
        takes none (D60: an import's flush would fill the server's lock table; a command it races
        retries)."""
        schema = self.datastore.schema
        keys = sorted({client_turn_key(schema, e.originator_id) for e in stored_events})
        if len(keys) <= SHARED_TURNS:
            curs.execute(self._share_turns, (f"{self.datastore.lock_timeout}s", keys), prepare=True)  # with the lock timeout
        else:
            curs.execute(self.lock_table_statements[0], prepare=True)  # SET LOCAL lock_timeout

    def _lock_table(self, curs: Any) -> None:
        for statement in self.lock_table_statements[1:]:  # LOCK TABLE ... IN EXCLUSIVE MODE
            curs.execute(statement, prepare=True)

    def _notify_channel(self, curs: Any) -> None:
        """No ``NOTIFY`` with each insert (D51): nothing here listens (the read models pull the log,
        projections/runner.py), and the server queues a notification inside the table lock's
        critical section at every commit, listened to or not."""

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def _insert_locked(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """The library's insert under its table lock (D7), with the ``COMMIT`` sent in the same
        pipeline as the ``LOCK TABLE`` and the ``INSERT`` (D51): the library syncs after the insert
        and sends the commit only once the ids are back, so the lock that serialises every writer
        was held across a round trip to this process, and across this process's wait for a core
        when the machine is busy. A conflict (another writer saved the same client version) fails
        the insert; the server then skips the commit and the pipeline's error is raised as the
        library's ``IntegrityError``, as before.

        After the commit, in the same round trip, it looks whether a catch-up of the read models
        holds its turn (``catch_up_turn_key``; ``catch_up_running``): that one reads the log again
        once it lets the turn go, so it applies these events, and the catch-up after this write has
        nothing to do (projections/quick_pg.py, D51).

        On the connection of this thread's client turn, the turn is let go in the same round trip,
        right after the ``COMMIT`` (D60); a save that fails leaves it to ``client_turn``'s end."""
        from psycopg.rows import tuple_row

        with self._connection() as conn:
            held = self._turn_held.__dict__ if conn is self._held_connection() else {}
            probe = conn.cursor(row_factory=tuple_row)
            with conn.pipeline():
                if held:
                    self._queue_turn(conn)
                with conn.transaction():
                    with conn.cursor() as curs:
                        self._share_write_turn(curs, stored_events)
                        self._insert_events(curs, stored_events, **kwargs)
                    curs = conn.cursor()
                    self._insert_stored_events(curs, stored_events, **kwargs)  # the table lock and the insert
                # a single-statement transaction of its own: the turn is taken and let go at once, if free
                probe.execute(f"SELECT pg_try_advisory_xact_lock({advisory.CATCH_UP}, hashtext(%s))", (catch_up_turn_key(self.datastore.schema),), prepare=True)
                if held.get("state") in ("locked", "doubt"):
                    conn.execute(self._let_go_turn, (held["key"],), prepare=True)
            if held.get("state") in ("locked", "doubt"):
                held["state"] = "free"
            ids = self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
            self.catch_up_running = not probe.fetchone()[0]
            return ids

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def _insert_with_lines(self, stored_events: Sequence[StoredEvent], rows: list[Row]) -> Sequence[int] | None:
        """The library's insert function (``db_functions=y``, which it calls in autocommit) after the
        turns of its aggregates shared, and the lines, in one transaction and one round trip; or the lines alone,
        when the lines made no event."""
        from psycopg.rows import tuple_row

        with self._connection() as conn:
            turn, insert, lines = conn.cursor(), conn.cursor(row_factory=tuple_row), conn.cursor()
            with conn.pipeline(), conn.transaction():
                if stored_events:
                    self._share_write_turn(turn, stored_events)
                    pg_events = [self.construct_pg_stored_event(e.originator_id, e.originator_version, e.topic, e.state)
                                 for e in stored_events]
                    insert.execute(self.sql_invoke_pg_function_insert_events, (pg_events,), prepare=True)
                self._lines(lines, rows)
            ids = [r[0] for r in insert.fetchall()] if stored_events else []
        return ids or None

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_since_with_last(self, start: int, topics: Sequence[str], limit: int) -> tuple[list[Notification], int]:
        """The notifications of ``topics`` after ``start`` (at most ``limit``, in order) and the log's
        last id, in one round trip (a pipeline of the two queries): the register's read before every
        write (ledger/people.py, D51), which a busy log would otherwise cost a round trip each for
        the last id, the committed horizon and the events."""
        from psycopg.sql import SQL, Identifier

        if self._since_statement is None:
            self._since_statement = SQL(
                "SELECT notification_id, originator_id, originator_version, topic, state FROM {}.{} "
                "WHERE notification_id > %s AND topic = ANY(%s) ORDER BY notification_id LIMIT %s").format(
                Identifier(self.datastore.schema), Identifier(self.events_table_name))
        with self.datastore.get_connection() as conn:
            found, last = conn.cursor(), conn.cursor()
            with conn.pipeline():
                found.execute(self._since_statement, (start, list(topics), limit), prepare=True)
                last.execute(self.max_notification_id_statement, prepare=True)
            rows = found.fetchall()
            top = last.fetchone()["max"] or 0
        return [Notification(id=r["notification_id"], originator_id=r["originator_id"], originator_version=r["originator_version"],
                             topic=r["topic"], state=bytes(r["state"])) for r in rows], top

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

    def import_sources_of(self, sha256: bytes) -> list[str]:
        """The sources of the files with this content imported before under any name, oldest first."""
        from psycopg.sql import SQL

        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL("SELECT source FROM {} WHERE sha256 = %s ORDER BY recorded_at, source").format(self._files_table), (sha256,))
            return [r["source"] for r in curs.fetchall()]

    def record_import_file(self, name: str, record: FileRecord) -> bool:
        """Record a file under ``name``; False if that content is recorded already or another file
        started its source (both unique), and nothing was written."""
        from psycopg.sql import SQL

        with self.datastore.transaction(commit=True) as curs:
            curs.execute(SQL("INSERT INTO {} (name, sha256, source, lines, sketch, started, recorded_at) "
                             "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING").format(self._files_table),
                         (name, *record))
            return curs.rowcount == 1
