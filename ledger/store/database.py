"""Where a ledger lives: a SQLite file or a PostgreSQL database and schema, parsed from the forms a
user gives (``--db``, ``CERTLEDGER_DB``; ledger.config picks which): a file path or
``sqlite:///path``, and ``postgresql://user:password@host:port/dbname?schema=NAME`` (``schema``
optional; ``db_functions=y`` and ``create_tables=n`` for an INSERT/SELECT-only role, see
docs/audit-trail.md)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit

from aggregates.errors import RuleViolation

# A schema name is a plain SQL identifier (D57): checked before anything is created or quoted
_PLAIN_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


class Database(NamedTuple):  # not a dataclass: show defines none on its fast road (D50)
    url: str
    kind: str  # "sqlite" | "postgres"
    sqlite_path: Path | None = None
    pg: dict[str, str] | None = None
    busy_timeout: int = 30  # seconds a command waits for a busy SQLite ledger

    def display(self) -> str:
        if self.kind == "sqlite":
            return str(self.sqlite_path)
        pg = self.pg or {}
        schema = f"?schema={pg['schema']}" if pg.get("schema") else ""
        return f"postgresql://{pg.get('user', '')}@{pg.get('host')}:{pg.get('port')}/{pg.get('dbname')}{schema}"

    def fast_reader(self) -> Any:
        """``show``'s read-only snapshot with the driver alone (a context manager giving a
        ``ledger.store.reader.FastReader``, or None when there is no SQLite file): SQLite's without
        importing its backend's module (D50), PostgreSQL's from its backend."""
        if self.kind == "sqlite":
            from ledger.store.reader import sqlite_snapshot

            assert self.sqlite_path is not None
            return sqlite_snapshot(self.sqlite_path)
        return self.backend().fast_reader()

    def backend(self) -> Any:
        """The adapter of this database's kind (ledger.store.sqlite or .postgres)."""
        if self.kind == "sqlite":
            from ledger.store.sqlite import SqliteBackend

            assert self.sqlite_path is not None
            return SqliteBackend(self.sqlite_path, self.busy_timeout)
        from ledger.store.postgres import PostgresBackend

        return PostgresBackend(self.pg or {})


def parse_database(raw: str, *, busy_timeout: int = 30) -> Database:
    """A database from the text a user gave (not empty); a form the ledger does not know is refused."""
    if raw.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        parts = urlsplit(raw)
        dbname = parts.path.lstrip("/")
        if not dbname:
            raise RuleViolation(
                "ledger: database URL",
                f"PostgreSQL 地址“{raw}”缺少数据库名；例如 postgresql://user@127.0.0.1:5432/test。",
                f"PostgreSQL URL '{raw}' names no database; for example postgresql://user@127.0.0.1:5432/test.",
            )
        query = parse_qs(parts.query)
        schema = (query.get("schema") or [""])[0]
        if schema and not _PLAIN_IDENTIFIER.fullmatch(schema):
            raise RuleViolation(
                "ledger: database URL",
                f"PostgreSQL 地址中的模式名“{schema}”无效：应以字母或下划线开头，只含字母、数字和下划线，最多 63 个字符"
                "（例如 schema=certledger）。没有创建或改动任何内容。",
                f"The schema name '{schema}' in the PostgreSQL URL is not valid: a letter or underscore, then letters, digits "
                "and underscores, at most 63 characters (for example schema=certledger). Nothing was created or changed.",
            )
        pg = {
            "dbname": dbname,
            "host": parts.hostname or "127.0.0.1",
            "port": str(parts.port or 5432),
            "user": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "schema": schema,
            "db_functions": (query.get("db_functions") or [""])[0],
            "create_tables": (query.get("create_tables") or [""])[0],
        }
        return Database(url=raw, kind="postgres", pg=pg, busy_timeout=busy_timeout)
    if raw.startswith("sqlite:///"):
        path = Path(raw[len("sqlite:///"):])
    elif "://" in raw:
        raise RuleViolation(
            "ledger: database URL",
            f"不支持的数据库地址“{raw}”；请使用 SQLite 文件路径、sqlite:///路径 或 postgresql://…。",
            f"Unsupported database URL '{raw}'; use a SQLite file path, sqlite:///path or postgresql://….",
        )
    else:
        path = Path(raw)
    path = path.expanduser()
    return Database(url=f"sqlite:///{path}", kind="sqlite", sqlite_path=path, busy_timeout=busy_timeout)
