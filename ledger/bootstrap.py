"""One place where the application meets its database: ``bootstrap(db) -> CertLedger``."""

from __future__ import annotations

import contextlib
from typing import Iterator

from aggregates.errors import RuleViolation
from ledger.config import Database, resolve_database


class DatabaseUnavailable(RuleViolation):
    """The database could not be opened or reached."""


def lock_wait_exceeded(e: BaseException | None) -> bool:
    """A database error saying a lock was not obtained in time (SQLite "database is locked", a
    PostgreSQL lock timeout), from the event store or the read models, without importing either."""
    for _ in range(10):  # the exception and what it was raised from
        if e is None:
            return False
        module = type(e).__module__ or ""
        text = str(e).lower()
        if module.startswith(("eventsourcing", "sqlalchemy", "sqlite3", "psycopg")) and (
                "database is locked" in text or "lock timeout" in text or "could not obtain lock" in text):
            return True
        e = e.__cause__ or e.__context__
    return False


def database_busy() -> DatabaseUnavailable:
    return DatabaseUnavailable(
        "ledger: database busy",
        "账本数据库被另一个进程（例如重建读模型或大批导入）占用，超过了等待时限；本次操作没有完成，请稍后重试"
        "（SQLite 的等待时限可用 CERTLEDGER_SQLITE_BUSY_TIMEOUT 设置，默认 30 秒）。",
        "The ledger database is held by another process (a rebuild or a large import, say) for longer than this "
        "command waits; it was not done: try again shortly (SQLite's wait: CERTLEDGER_SQLITE_BUSY_TIMEOUT, "
        "default 30 s).",
    )


def bootstrap(db: str | None = None, *, database: Database | None = None, existing: bool = False):  # -> CertLedger
    """Open (creating tables if needed) the ledger at ``db`` (see ledger.config for the forms).
    ``existing``: refuse to create a new SQLite ledger (a read command given a mistyped path)."""
    from ledger import logs

    logs.configure()
    database = database or resolve_database(db)
    if database.kind == "sqlite":
        assert database.sqlite_path is not None
        if existing and not database.sqlite_path.exists():
            raise DatabaseUnavailable(
                "ledger: database",
                f"没有账本文件 {database.sqlite_path}；请核对 --db 或 CERTLEDGER_DB（第一次写入时才会创建账本）。",
                f"There is no ledger file at {database.sqlite_path}; check --db or CERTLEDGER_DB (a ledger is created by its first write).",
            )
        try:
            database.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise DatabaseUnavailable(
                "ledger: database",
                f"无法创建账本目录 {database.sqlite_path.parent}：{e.strerror}；请用 --db 或 CERTLEDGER_DB 指定可写的位置。",
                f"Cannot create the ledger's folder {database.sqlite_path.parent}: {e.strerror}; choose a writable place with --db or CERTLEDGER_DB.",
            ) from None
    with _setup_lock(database):
        app = _open(database)
    return app


def _open(database: Database):  # -> CertLedger
    from eventsourcing.persistence import PersistenceError

    from ledger.app import CertLedger

    import sqlite3

    try:
        app = CertLedger(env=database.eventsourcing_env())
    except (PersistenceError, OSError, sqlite3.DatabaseError) as e:
        raise DatabaseUnavailable(
            "ledger: database",
            f"无法打开账本数据库 {database.display()}：{e}",
            f"Cannot open the ledger database {database.display()}: {e}",
        ) from None
    from ledger.trail import install_append_only

    install_append_only(app)  # idempotent: triggers refusing UPDATE, DELETE, TRUNCATE of events
    return app


@contextlib.contextmanager
def _setup_lock(database: Database) -> Iterator[None]:
    """PostgreSQL: opening a ledger creates tables, the library's insert function and the
    append-only triggers; several processes doing it at once collide ("tuple concurrently
    updated"). A session advisory lock, keyed on the schema, makes them take turns; it also
    creates the schema named in the URL if it is missing. SQLite needs none of this."""
    if database.kind != "postgres":
        yield
        return
    import psycopg
    from psycopg import sql

    pg = database.pg or {}
    schema = pg.get("schema") or ""
    try:
        conn = psycopg.connect(dbname=pg["dbname"], host=pg["host"], port=pg["port"], user=pg.get("user") or None,
                               password=pg.get("password") or None, connect_timeout=5, autocommit=True)
    except psycopg.Error as e:
        raise DatabaseUnavailable(
            "ledger: database",
            f"无法连接 PostgreSQL {database.display()}：{str(e).strip()}",
            f"Cannot reach PostgreSQL {database.display()}: {str(e).strip()}",
        ) from None
    with conn:
        key = f"certledger-setup:{pg['dbname']}:{schema or 'public'}"
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (key,))
        try:
            # Only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when
            # the schema exists, which an application role does not have.
            if schema and conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone() is None:
                try:
                    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
                except psycopg.Error as e:
                    raise DatabaseUnavailable(
                        "ledger: database",
                        f"无法在 PostgreSQL {database.display()} 中创建模式 {schema}：{str(e).strip()}",
                        f"Cannot create schema {schema} in PostgreSQL {database.display()}: {str(e).strip()}",
                    ) from None
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (key,))
