"""Read models in the database: one engine per app (the backend's, ledger.store: the same database
as the ledger's events), the tables that exist, and rows prepared for the driver's ``executemany``
(PostgreSQL: COPY) here or in a worker process, which the writer (projections/writer.py) writes."""

from __future__ import annotations

import weakref
from typing import Any, Callable

from sqlalchemy import Connection, Date, DateTime, Engine

from ledger.store import advisory, backend_for
from ledger.store.sqlite import sqlite_text

_ENGINES: "weakref.WeakKeyDictionary[Any, Engine]" = weakref.WeakKeyDictionary()


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
    """The read models' engine for an eventsourcing environment: the backend's (ledger.store)."""
    return backend_for(env).read_model_engine()


def schema_of(conn: Connection) -> str | None:
    """The schema the read-model tables live in (PostgreSQL), None for the default one."""
    return (conn.get_execution_options().get("schema_translate_map") or {}).get(None)


def creation_turn(conn: Connection) -> None:
    """Take the turn to create or drop read-model tables, until ``conn``'s transaction ends
    (PostgreSQL: a transaction-scoped advisory lock keyed on the schema). Two processes opening a
    brand-new ledger at once would otherwise both find a table missing and both create it, and one
    would fail ("duplicate key value violates unique constraint pg_type_typname_nsp_index"):
    CREATE TABLE IF NOT EXISTS does not make that safe. The second waits, then finds the table.
    SQLite needs nothing: its write transaction (``BEGIN IMMEDIATE``) is already one at a time."""
    if conn.dialect.name != "postgresql":
        return
    from sqlalchemy import text

    conn.execute(text(f"SELECT pg_advisory_xact_lock({advisory.READ_MODELS}, hashtext(:key))"), {"key": f"certledger-read-models:{schema_of(conn) or 'public'}"})


def table_names(conn: Connection) -> set[str]:
    from sqlalchemy import inspect

    return set(inspect(conn).get_table_names(schema=schema_of(conn)))


Prepared = list[tuple[str, list[tuple[Any, ...]]]]  # (INSERT or COPY statement, values) per shape of row


def prepare_insert(dialect: Any, schema: str | None, table: Any, rows: list[dict[str, Any]]) -> Prepared:
    """The statements that write ``rows`` and their values as the driver takes them (``COPY ...
    FROM STDIN`` on PostgreSQL, ``INSERT`` for executemany elsewhere): one per shape of row (its
    keys, in order; a projection's rows normally have one), in the order the shapes first occur.
    Each statement is built once and each value goes through its column type's own bind processor,
    without the Core's per-row work (a third of a bulk write's time when measured); every row of
    every source takes this one path, so dates are stored alike whatever wrote them (D15)."""
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
        return sqlite_text
    return type_.bind_processor(dialect)


def insert_statement(dialect: Any, schema: str | None, table: Any, keys: list[str]) -> tuple[str, Callable[[list[tuple[Any, ...]]], list[tuple[Any, ...]]]]:
    """For rows of ``table`` given as tuples of the columns ``keys``: the statement that writes
    them (``COPY`` on PostgreSQL, ``INSERT`` for executemany elsewhere) and a function converting
    their values as the column types' own bind processors would (see ``prepare_insert``); on SQLite,
    dates and times as the text the driver's adapters store for them (``ledger.store.sqlite``),
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
