"""The read models' SQLAlchemy engine: the same database as the ledger's events, one engine per app.

SQLite: the same file as the event table (``SQLITE_DBNAME``), with a busy timeout and explicit
transactions (``BEGIN`` / ``BEGIN IMMEDIATE``), because the sqlite3 driver's implicit transactions
would commit DDL on its own and start write transactions too late. PostgreSQL: the same database
and schema as the event table (``POSTGRES_SCHEMA``), through ``schema_translate_map`` so the table
definitions stay schema-free.
"""

from __future__ import annotations

import contextlib
import weakref
from datetime import date, datetime
from typing import Any, Callable, Iterable, Iterator

from sqlalchemy import URL, Connection, Date, DateTime, Engine, create_engine, event

from aggregates.errors import RuleViolation

_ENGINES: "weakref.WeakKeyDictionary[Any, Engine]" = weakref.WeakKeyDictionary()
IMMEDIATE = "certledger_immediate"


def engine_for(app: Any) -> Engine:
    """The engine for ``app``'s database, created once and disposed with the app object."""
    engine = _ENGINES.get(app)
    if engine is None:
        engine = create_read_model_engine(app.env)
        _ENGINES[app] = engine
        weakref.finalize(app, engine.dispose)
    return engine


def dispose(app: Any) -> None:
    """Close the read models' connections of ``app`` (call beside ``app.close()``)."""
    engine = _ENGINES.pop(app, None)
    if engine is not None:
        engine.dispose()


def create_read_model_engine(env: Any) -> Engine:
    module = env.get("PERSISTENCE_MODULE") or ""
    if module == "eventsourcing.sqlite":
        return _sqlite_engine(env.get("SQLITE_DBNAME") or "", float(env.get("SQLITE_LOCK_TIMEOUT") or 30))
    if module == "eventsourcing.postgres":
        return _postgres_engine(env)
    raise RuleViolation(
        "ledger: read models",
        f"读模型只支持 SQLite 文件和 PostgreSQL 账本，当前持久化模块为“{module or '内存'}”。",
        f"Read models need a SQLite file or PostgreSQL ledger; the persistence module is '{module or 'in memory'}'.",
    )


def _sqlite_text(value: Any) -> Any:
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
    Rows written through ``insert_statement`` arrive as that text already."""
    import sqlite3

    sqlite3.register_adapter(date, _sqlite_text)
    sqlite3.register_adapter(datetime, _sqlite_text)


def _sqlite_engine(path: str, timeout: float) -> Engine:
    _register_sqlite_adapters()
    if not path or path == ":memory:" or path.startswith("file::memory:"):
        raise RuleViolation(
            "ledger: read models",
            "内存中的 SQLite 账本没有读模型；请使用 SQLite 文件。",
            "An in-memory SQLite ledger has no read models; use a SQLite file.",
        )
    engine = create_engine(URL.create("sqlite+pysqlite", database=path), connect_args={"timeout": timeout})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see below)
        dbapi_connection.execute("PRAGMA foreign_keys=ON")
        # The ledger's file is in WAL mode (eventsourcing sets it). Read-model transactions need
        # not be durable against power loss, only atomic: they are rebuilt from the events, and a
        # lost transaction takes its tracking position with it. NORMAL drops the fsync per commit.
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # A writer takes the write lock at BEGIN, so two catch-ups cannot interleave and a reader
        # never has to upgrade its lock (which SQLite refuses without waiting).
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(IMMEDIATE) else "BEGIN")

    return engine


def _postgres_engine(env: Any) -> Engine:
    url = URL.create(
        "postgresql+psycopg",
        username=env.get("POSTGRES_USER") or None,
        password=env.get("POSTGRES_PASSWORD") or None,
        host=env.get("POSTGRES_HOST") or "127.0.0.1",
        port=int(env.get("POSTGRES_PORT") or 5432),
        database=env.get("POSTGRES_DBNAME"),
    )
    engine = create_engine(url, pool_size=2, max_overflow=2, pool_pre_ping=True,
                           connect_args={"connect_timeout": int(env.get("POSTGRES_CONNECT_TIMEOUT") or 5)})
    schema = env.get("POSTGRES_SCHEMA") or None
    if schema:
        engine = engine.execution_options(schema_translate_map={None: schema})
    return engine


def schema_of(conn: Connection) -> str | None:
    """The schema the read-model tables live in (PostgreSQL), None for the default one."""
    return (conn.get_execution_options().get("schema_translate_map") or {}).get(None)


def table_names(conn: Connection) -> set[str]:
    from sqlalchemy import inspect

    return set(inspect(conn).get_table_names(schema=schema_of(conn)))


@contextlib.contextmanager
def indexes_after(conn: Connection, tables: Iterable[Any]) -> Iterator[None]:
    """Fill ``tables`` (empty) with their indexes dropped, and build the indexes after: faster than
    indexing row by row. In ``conn``'s transaction."""
    tables = list(tables)
    for table in tables:
        for index in table.indexes:
            index.drop(conn)
    yield
    for table in tables:
        for index in table.indexes:
            index.create(conn)


def insert_rows(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    """INSERT ``rows`` (dicts) through the driver's ``executemany`` (PostgreSQL: COPY), one statement
    per shape of row (``prepare_insert``): each statement is built once and each value goes
    through its column type's own bind processor, without the Core's per-row work (a third of a
    bulk write's time when measured). Unlike the Core, not the dialect's processors: on SQLite,
    dates and times are stored as the driver's adapters write them (``_register_sqlite_adapters``,
    ``insert_statement``). Rows of several shapes once went through the Core and were stored
    differently; every row now takes this one path."""
    for sql, values in prepare_insert(conn.dialect, schema_of(conn), table, rows):
        write_prepared(conn, sql, values)


def write_prepared(conn: Connection, sql: str, values: list[tuple[Any, ...]]) -> None:
    """Write rows prepared by ``prepare_insert`` in ``conn``'s transaction: PostgreSQL's COPY (about
    twice as fast as executemany there), SQLite's executemany."""
    if sql.startswith("COPY "):
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(sql) as copy:
            for row in values:
                copy.write_row(row)
        return
    conn.exec_driver_sql(sql, values)


Prepared = list[tuple[str, list[tuple[Any, ...]]]]  # (INSERT or COPY statement, values) per shape of row


def prepare_insert(dialect: Any, schema: str | None, table: Any, rows: list[dict[str, Any]]) -> Prepared:
    """The statements that write ``rows`` and their values as the driver takes them (``COPY ...
    FROM STDIN`` on PostgreSQL, ``INSERT`` for executemany elsewhere): one per shape of row (its
    keys, in order; a projection's rows normally have one), in the order the shapes first occur."""
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        shapes.setdefault(tuple(row), []).append(row)
    prepared: Prepared = []
    for keys, part in shapes.items():
        sql, convert = insert_statement(dialect, schema, table, list(keys))
        prepared.append((sql, convert([tuple(row[k] for k in keys) for row in part])))
    return prepared


def _processor(dialect: Any, type_: Any) -> Callable[[Any], Any] | None:
    if dialect.name == "sqlite" and isinstance(type_, (Date, DateTime)):
        return _sqlite_text
    return type_.bind_processor(dialect)


def insert_statement(dialect: Any, schema: str | None, table: Any, keys: list[str]) -> tuple[str, Callable[[list[tuple[Any, ...]]], list[tuple[Any, ...]]]]:
    """For rows of ``table`` given as tuples of the columns ``keys``: the statement that writes
    them (``COPY`` on PostgreSQL, ``INSERT`` for executemany elsewhere) and a function converting
    their values as the column types' own bind processors would (see ``insert_rows``); on SQLite,
    dates and times as the text the driver's adapters store for them (``_register_sqlite_adapters``),
    so that rows prepared in another process pickle small and the writing process calls no adapter."""
    processors = [(i, p) for i, p in enumerate(_processor(dialect, table.c[k].type) for k in keys) if p is not None]
    quote = dialect.identifier_preparer.quote
    name = f"{quote(schema)}.{quote(table.name)}" if schema else quote(table.name)
    columns = ", ".join(quote(k) for k in keys)
    if dialect.name == "postgresql":
        sql = f"COPY {name} ({columns}) FROM STDIN"
    else:
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        sql = f"INSERT INTO {name} ({columns}) VALUES ({', '.join([mark] * len(keys))})"

    def convert(values: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        if not processors:
            return values
        out = []
        for row in values:
            v = list(row)
            for i, p in processors:
                v[i] = p(v[i])
            out.append(tuple(v))
        return out

    return sql, convert
