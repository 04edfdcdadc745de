"""The SQLite backend: the ledger in one file (eventsourcing.sqlite, its table ``stored_events``,
positions are rowids: no gaps), the read models beside the events in the same file, the audit trail's
tables and triggers, and a read-only snapshot for ``show`` with the sqlite3 driver alone."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from aggregates.errors import RuleViolation
from ledger.store.reader import SQLITE_EVENTS, FastReader, sqlite_snapshot
from ledger.store.errors import DatabaseUnavailable
from ledger.store.trail import (ATTESTATIONS, BATCH, CHECKPOINTS, GUARDED, HEADS, LEAVES, META, REFUSAL, EventRow, LeafReader,
                                LeafRow, NoLeaves, StoredAttestation, StoredCheckpoint, TrailStore, split_nodes)

EVENTS = SQLITE_EVENTS  # the library's SQLite module names its table so for every application (D1)
# Execution option of a read-model connection: its write transaction takes SQLite's write lock at
# BEGIN (BEGIN IMMEDIATE). PostgreSQL's engine ignores it (the writer locks the tracking rows instead).
IMMEDIATE = "certledger_immediate"


def sqlite_text(value: Any) -> Any:
    """A date or time as the text the sqlite3 driver's default adapters stored (by exact type, as
    the driver looks adapters up); anything else as it is."""
    kind = type(value)
    if kind is datetime:
        return value.isoformat(" ")
    if kind is date:
        return value.isoformat()
    return value


def _register_sqlite_adapters() -> None:
    """Dates and times in read-model rows were handed to the sqlite3 driver as objects and stored
    as the text its default adapters wrote: ``date.isoformat()`` and ``datetime.isoformat(" ")``.
    Those defaults are deprecated from Python 3.12 (a DeprecationWarning per value written), so the
    same two adapters are registered explicitly: the stored text does not change, on any Python.
    Rows written through ``projections.db.insert_statement`` arrive as that text already (D15)."""
    import sqlite3

    sqlite3.register_adapter(date, sqlite_text)
    sqlite3.register_adapter(datetime, sqlite_text)


def ledger_file_problem(path: Path) -> tuple[str, str] | None:
    """Why ``path`` is not a certledger ledger a command may open (Chinese, English), or None. Read
    without changing the file: its first bytes, then its tables through a read-only connection."""
    import sqlite3

    create = f"certledger --db {path} init"
    nothing = "本次没有创建或改动任何文件。", "Nothing was created or changed."
    if not path.exists():
        where = (f"文件夹 {path.parent} 不存在" if not path.parent.is_dir() else f"没有账本文件 {path}",
                 f"the folder {path.parent} does not exist" if not path.parent.is_dir() else f"there is no ledger file at {path}")
        return (f"{where[0]}；请核对 --db 或 CERTLEDGER_DB。新账本只由 {create} 创建（演示账本由 certledger demo 创建）。{nothing[0]}",
                f"{where[1][0].upper()}{where[1][1:]}; check --db or CERTLEDGER_DB. A new ledger is created only by {create} "
                f"(a demo ledger by certledger demo). {nothing[1]}")
    if not path.is_file():
        return (f"{path} 不是文件；请核对 --db 或 CERTLEDGER_DB。{nothing[0]}", f"{path} is not a file; check --db or CERTLEDGER_DB. {nothing[1]}")
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError as e:
        return (f"无法读取账本文件 {path}：{e.strerror}；请检查它的权限。{nothing[0]}",
                f"Cannot read the ledger file {path}: {e.strerror}; check its permissions. {nothing[1]}")
    if not head:
        return (f"{path} 是空文件，不是 certledger 账本；若要在这里建立新账本，请运行 {create}。{nothing[0]}",
                f"{path} is an empty file, not a certledger ledger; to make a new ledger there, run {create}. {nothing[1]}")
    if head != b"SQLite format 3\x00":
        return (f"{path} 不是 SQLite 数据库，不是 certledger 账本；请核对 --db 或 CERTLEDGER_DB。{nothing[0]}",
                f"{path} is not a SQLite database, so not a certledger ledger; check --db or CERTLEDGER_DB. {nothing[1]}")
    from ledger.store.reader import read_uri

    uri = read_uri(path)
    if uri is None:
        refusal = unreadable_without_leftovers(path)
        return refusal.message_zh, refusal.message_en
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=5)) as conn:
            found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (EVENTS,)).fetchone()
    except sqlite3.Error as e:
        return (f"无法读取 {path}：{e}；它可能已损坏，或不是 certledger 账本。{nothing[0]}",
                f"Cannot read {path}: {e}; it may be damaged or not a certledger ledger. {nothing[1]}")
    if found is None:
        return (f"{path} 是另一个程序的 SQLite 数据库（没有账本的事件表 {EVENTS}），不是 certledger 账本；请核对 --db 或 "
                f"CERTLEDGER_DB。{nothing[0]}",
                f"{path} is another program's SQLite database (it has no {EVENTS} table), not a certledger ledger; check --db "
                f"or CERTLEDGER_DB. {nothing[1]}")
    return None


def unreadable_without_leftovers(path: Path) -> DatabaseUnavailable:
    """The refusal of a read that SQLite could only do by making files beside another user's ledger (D57)."""
    wal, shm = f"{path.name}-wal", f"{path.name}-shm"
    return DatabaseUnavailable(
        "ledger: database",
        f"当前用户可以读取账本 {path}，但无权写入它或它所在的文件夹 {path.parent}，而其他用户仍可能写入它。SQLite（WAL 模式）读取这样的"
        f"账本需要旁边的 {wal}、{shm} 文件：它们现在不在（所有者写入时才在），当前用户也不应在那里创建它们（会妨碍所有者写入）。"
        f"请让当前用户可以写入该文件夹和文件（例如加入它们所属的组并 chmod g+w），或让所有人都不能写入该账本（chmod a-w {path}）后再读取。"
        "本次没有改动任何内容。",
        f"This user may read the ledger {path} but not write it or its folder {path.parent}, while others may still write "
        f"it. SQLite (WAL mode) reads such a ledger only beside its {wal} and {shm} files: they are not there now (they are "
        "while the owner writes), and this user should not make them there (they would be in the owner's way). Let this "
        f"user write the folder and the file (e.g. their group, with chmod g+w), or make the ledger unwritable for "
        f"everyone (chmod a-w {path}) to read it. Nothing was changed.",
    )


class SqliteBackend:
    kind = "sqlite"
    events_table = EVENTS
    position = "rowid"

    def __init__(self, path: Path, busy_timeout: int = 30, uri: str | None = None) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self.uri = uri  # a read-only URI (ledger.store.reader.read_uri) when this process may not write the ledger (D57)

    def display(self) -> str:
        return str(self.path)

    @classmethod
    def from_env(cls, env: Any) -> "SqliteBackend":
        name, timeout = env.get("SQLITE_DBNAME") or "", int(float(env.get("SQLITE_LOCK_TIMEOUT") or 30))
        if name.startswith("file:"):  # opened read-only (eventsourcing_env)
            from ledger.store.reader import uri_path

            return cls(Path(uri_path(name)), timeout, uri=name)
        return cls(Path(name), timeout)

    def eventsourcing_env(self) -> dict[str, str]:
        """The library's settings. A ledger this process may not write (its file or its folder) is
        opened read-only (D57): reads work, a write is refused before it runs (CertLedger.read_only)."""
        from ledger.store.errors import READ_ONLY
        from ledger.store.reader import may_write, read_uri

        if self.path.is_file() and not may_write(self.path):
            uri = read_uri(self.path)
            if uri is None:
                raise unreadable_without_leftovers(self.path)
            return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": uri, "SQLITE_LOCK_TIMEOUT": str(self.busy_timeout),
                    "CREATE_TABLE": "n", READ_ONLY: "sqlite"}
        # APPLICATION_RECORDER_TOPIC: the recorder that writes an import's applied lines with its events (ledger/store/applied.py)
        # and takes the write turn around each save (ledger/store/sqlite_turn.py, D52)
        return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(self.path),
                "SQLITE_LOCK_TIMEOUT": str(self.busy_timeout), "APPLICATION_RECORDER_TOPIC": "ledger.store.sqlite_turn:SqliteTurnRecorder"}

    def holds_ledger(self) -> bool:
        """Whether a ledger is there (False: no file, or an empty one, which ``init`` may make one);
        any other file is refused, unchanged."""
        if not self.path.exists() or (self.path.is_file() and self.path.stat().st_size == 0):
            return False
        problem = ledger_file_problem(self.path)
        if problem is not None:
            raise DatabaseUnavailable("ledger: database", *problem)
        return True

    @contextlib.contextmanager
    def prepare(self, existing: bool = False) -> Iterator[None]:
        """Before the ledger is opened. ``existing`` (every command but ``init`` and ``demo``, D57): the
        file must be a certledger ledger already; a missing file or folder, an empty file, a file that
        is not SQLite or another program's SQLite database is refused before anything is opened or
        written. Otherwise (a new ledger: ``init``, ``demo``, the library's ``bootstrap``) its folder is made."""
        if existing:
            problem = ledger_file_problem(self.path)
            if problem is not None:
                raise DatabaseUnavailable("ledger: database", *problem)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise DatabaseUnavailable(
                "ledger: database",
                f"无法创建账本目录 {self.path.parent}：{e.strerror}；请用 --db 或 CERTLEDGER_DB 指定可写的位置。",
                f"Cannot create the ledger's folder {self.path.parent}: {e.strerror}; choose a writable place with --db or CERTLEDGER_DB.",
            ) from None
        yield

    # ------------------------------------------------------------------ read models

    @contextlib.contextmanager
    def catch_up_turn(self) -> Iterator[bool]:
        """The turn of a catch-up that may leave its events to one already running (after a write,
        projections.runner): an exclusive ``flock`` on a file beside the ledger (``LEDGER-catchup``;
        independent of SQLite's own locks), taken without waiting. Yields False when another
        catch-up holds it. Where that file cannot be made (a read-only folder) every catch-up has a
        turn, and they take turns at SQLite's write lock instead."""
        import fcntl
        import os

        try:
            fd = os.open(f"{self.path}-catchup", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            yield True
            return
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(fd)  # lets go of the lock

    def read_model_engine(self) -> Any:
        """The SQLAlchemy engine of the read models: the same file as the events, with the busy
        timeout and explicit transactions (``BEGIN`` / ``BEGIN IMMEDIATE`` with the ``IMMEDIATE``
        execution option), because the sqlite3 driver's implicit transactions would commit DDL on
        their own and start write transactions too late."""
        from sqlalchemy import URL, create_engine, event

        _register_sqlite_adapters()
        path = str(self.path)
        if not path or path == ":memory:" or path.startswith("file::memory:"):
            raise RuleViolation(
                "ledger: read models",
                "内存中的 SQLite 账本没有读模型；请使用 SQLite 文件。",
                "An in-memory SQLite ledger has no read models; use a SQLite file.",
            )
        if self.uri:  # read-only (D57)
            import sqlite3

            uri, timeout = self.uri, float(self.busy_timeout)
            engine = create_engine("sqlite+pysqlite://", creator=lambda: sqlite3.connect(uri, uri=True, timeout=timeout,
                                                                                          check_same_thread=False))
        else:
            engine = create_engine(URL.create("sqlite+pysqlite", database=path), connect_args={"timeout": float(self.busy_timeout)})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see below)
            dbapi_connection.execute("PRAGMA foreign_keys=ON")
            # The ledger's file is in WAL mode (eventsourcing sets it). Read-model transactions need
            # not be durable against power loss, only atomic: they are rebuilt from the events, and a
            # lost transaction takes its tracking position with it. NORMAL drops the fsync per commit.
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # A writer takes the write lock at BEGIN, so two catch-ups cannot interleave and a reader
            # never has to upgrade its lock (which SQLite refuses without waiting).
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(IMMEDIATE) else "BEGIN")

        return engine

    def events_source(self, conn: Any) -> tuple[str, str]:
        """The event table and its position column, as SQL text for a read-model connection."""
        return conn.dialect.identifier_preparer.quote(EVENTS), self.position

    # ------------------------------------------------------------------ show, with the driver alone

    def fast_reader(self) -> contextlib.AbstractContextManager["FastReader | None"]:
        """One read-only snapshot with sqlite3 alone (no SQLAlchemy, no eventsourcing), or None
        when there is no ledger file (ledger.store.reader, which show opens without this module)."""
        return sqlite_snapshot(self.path)

    @contextlib.contextmanager
    def quick_writer(self) -> Iterator[Any]:
        """One write transaction with sqlite3 alone (the read models' catch-up after a write,
        projections.quick): ``BEGIN IMMEDIATE`` at once (the write lock, as the read models' engine
        takes it), committed at the end of the block, rolled back on an exception. The connection's
        settings are the read models' engine's. Under the write turn, as the event saves
        (ledger/store/sqlite_turn.py, D52): the writers after it wait in the kernel, not in SQLite's busy handler."""
        import sqlite3

        from ledger.store.sqlite_turn import write_turn

        with write_turn(str(self.path), float(self.busy_timeout)), \
                contextlib.closing(sqlite3.connect(str(self.path), timeout=float(self.busy_timeout), isolation_level=None)) as conn:
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # ------------------------------------------------------------------ audit trail

    def trail(self, app: Any) -> "SqliteTrailStore":
        return SqliteTrailStore(app)


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
            c.execute(f"SELECT name FROM sqlite_master WHERE type = 'table' AND name IN "
                      f"('{META}', '{CHECKPOINTS}', '{LEAVES}', '{HEADS}', '{ATTESTATIONS}')")
            missing = {META, CHECKPOINTS, LEAVES, HEADS, ATTESTATIONS} - {r[0] for r in c.fetchall()}
            yield SqliteSnapshot(self, c, horizon or 0, count, missing)

    def install(self) -> None:
        t = self.events_table
        statements = [
            f"CREATE TABLE IF NOT EXISTS {META} (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {CHECKPOINTS} (id INTEGER PRIMARY KEY, tree_size INTEGER NOT NULL, "
            "root BLOB NOT NULL, note TEXT NOT NULL, nodes BLOB NOT NULL, created_at TEXT NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {LEAVES} (leaf_index INTEGER PRIMARY KEY, position INTEGER NOT NULL, "
            "originator_id BLOB NOT NULL, originator_version INTEGER NOT NULL, leaf_hash BLOB NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {HEADS} (client BLOB PRIMARY KEY, version INTEGER NOT NULL, position INTEGER NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {ATTESTATIONS} (id INTEGER PRIMARY KEY, checkpoint_id INTEGER NOT NULL, "
            "kind TEXT NOT NULL, body BLOB NOT NULL, created_at TEXT NOT NULL)",
        ]
        for table in (t, *GUARDED):
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
        """All the triggers (UPDATE and DELETE on the events and the guarded trail tables) and the
        ledger's origin are there."""
        tables = (self.events_table, *GUARDED)
        c.execute(f"SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%append_only%' "
                  f"AND tbl_name IN ({', '.join('?' * len(tables))})", tables)
        if c.fetchone()[0] != 2 * len(tables):
            return False
        c.execute(f"SELECT count(*) FROM {META} WHERE key = 'origin'")
        if c.fetchone()[0] != 1:
            return False
        c.execute(f"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{HEADS}'")
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

    def add_attestation(self, checkpoint_id: int, kind: str, body: bytes, created_at: str) -> int:
        self.c.execute(f"INSERT INTO {ATTESTATIONS} (checkpoint_id, kind, body, created_at) VALUES (?, ?, ?, ?)",
                       (checkpoint_id, kind, body, created_at))
        return self.c.lastrowid

    def put_heads(self, heads: list[tuple[bytes, int, int]], replace_all: bool = False) -> None:
        """Clients' heads as of the checkpoint being written (``replace_all``: the whole cache)."""
        if replace_all:
            self.c.execute(f"DELETE FROM {HEADS}")
        self.c.executemany(f"INSERT OR REPLACE INTO {HEADS} (client, version, position) VALUES (?, ?, ?)", heads)


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

    def heads(self) -> dict[bytes, tuple[int, int]]:
        """The cached heads (client -> (version, position)) of the latest checkpoint."""
        if HEADS in self.missing:
            return {}
        self.c.execute(f"SELECT client, version, position FROM {HEADS}")
        return {bytes(r[0]): (r[1], r[2]) for r in self.c.fetchall()}

    def checkpoints(self) -> list[StoredCheckpoint]:
        if CHECKPOINTS in self.missing:
            return []
        self.c.execute(f"SELECT id, tree_size, root, note, nodes, created_at FROM {CHECKPOINTS} ORDER BY id")
        return [StoredCheckpoint(r[0], r[1], bytes(r[2]), r[3], split_nodes(r[4]), r[5]) for r in self.c.fetchall()]

    def attestations(self) -> list[StoredAttestation]:
        if ATTESTATIONS in self.missing:
            return []
        self.c.execute(f"SELECT id, checkpoint_id, kind, CAST(body AS BLOB), created_at FROM {ATTESTATIONS} ORDER BY id")
        return [StoredAttestation(r[0], r[1], r[2], bytes(r[3]), r[4]) for r in self.c.fetchall()]

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
            cur.execute(f"SELECT leaf_hash, leaf_index, position, originator_id, originator_version FROM {LEAVES} WHERE leaf_index >= ? ORDER BY leaf_index", (from_index,))
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
