"""Where the ledger lives: database URL resolution and the eventsourcing environment for it.

Order: the ``--db`` option, then ``CERTLEDGER_DB``, then the default SQLite file
``$XDG_DATA_HOME/certledger/ledger.sqlite`` (``~/.local/share/certledger/ledger.sqlite``).

Accepted forms: a file path or ``sqlite:///path`` (embedded SQLite), and
``postgresql://user:password@host:port/dbname?schema=NAME`` (PostgreSQL; ``schema`` optional;
``db_functions=y`` and ``create_tables=n`` for an INSERT/SELECT-only role, see docs/audit-trail.md).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from aggregates.errors import RuleViolation

ENV_DB = "CERTLEDGER_DB"
ENV_BUSY_TIMEOUT = "CERTLEDGER_SQLITE_BUSY_TIMEOUT"  # seconds a command waits for a busy SQLite ledger


def default_db_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "certledger" / "ledger.sqlite"


@dataclass(frozen=True)
class Database:
    url: str
    kind: str  # "sqlite" | "postgres"
    sqlite_path: Path | None = None
    pg: dict[str, str] | None = None

    def display(self) -> str:
        if self.kind == "sqlite":
            return str(self.sqlite_path)
        pg = self.pg or {}
        schema = f"?schema={pg['schema']}" if pg.get("schema") else ""
        return f"postgresql://{pg.get('user', '')}@{pg.get('host')}:{pg.get('port')}/{pg.get('dbname')}{schema}"

    def eventsourcing_env(self) -> dict[str, str]:
        if self.kind == "sqlite":
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(self.sqlite_path),
                "SQLITE_LOCK_TIMEOUT": str(positive_int_setting(ENV_BUSY_TIMEOUT, 30)),
            }
        pg = self.pg or {}
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
        }
        if pg.get("schema"):
            env["POSTGRES_SCHEMA"] = pg["schema"]
        # An INSERT/SELECT-only application role (docs/audit-trail.md): the library's insert
        # function instead of its table lock, and no attempt to create tables it does not own.
        if pg.get("db_functions", "").lower() in ("y", "yes", "1", "true"):
            env["POSTGRES_ENABLE_DB_FUNCTIONS"] = "y"
        if pg.get("create_tables", "").lower() in ("n", "no", "0", "false"):
            env["CREATE_TABLE"] = "n"
        return env


def resolve_database(db: str | None = None) -> Database:
    raw = (db or os.environ.get(ENV_DB) or "").strip()
    if not raw:
        path = default_db_path()
        return Database(url=f"sqlite:///{path}", kind="sqlite", sqlite_path=path)
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
        pg = {
            "dbname": dbname,
            "host": parts.hostname or "127.0.0.1",
            "port": str(parts.port or 5432),
            "user": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "schema": (query.get("schema") or [""])[0],
            "db_functions": (query.get("db_functions") or [""])[0],
            "create_tables": (query.get("create_tables") or [""])[0],
        }
        return Database(url=raw, kind="postgres", pg=pg)
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
    return Database(url=f"sqlite:///{path}", kind="sqlite", sqlite_path=path)


def positive_int_setting(name: str, default: int) -> int:
    """A whole-number setting from the environment (``default`` when unset or empty); anything
    but a whole number of at least 1 is refused, naming the variable."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise RuleViolation(
            "ledger: configuration",
            f"环境变量 {name} 的值“{raw}”无效：应为不小于 1 的整数；请改正或删除该变量（默认 {default}）。",
            f"Environment variable {name} is '{raw}': it must be a whole number of at least 1; correct it or unset it "
            f"(default {default}).",
        )
    return int(raw)
