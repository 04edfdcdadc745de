"""The only room that opens database connections or knows the event store's tables: one adapter per
backend (``sqlite``, ``postgres``), chosen by the ledger's database (docs/architecture.md).

    backend_for(env)        the adapter for an application's eventsourcing environment
    trail_store(app)        the audit trail's tables and readers of an application's backend
    committed_horizon(app)  the position below which no event can still appear (writers waited for)
    Database                where a ledger lives (ledger.config resolves it from --db / CERTLEDGER_DB)

An adapter gives the application its eventsourcing settings and prepares a database for opening; it
gives the read models their SQLAlchemy engine and the event table to read from, ``show`` a read-only
snapshot with the driver alone, and the audit trail its tables, triggers and readers. Nothing here
imports SQLAlchemy, eventsourcing or a driver at import time: ``--help`` stays fast.
"""

from __future__ import annotations

from typing import Any

from ledger.store.database import Database


def backend_for(env: Any) -> Any:
    """The adapter for an application's eventsourcing environment (``app.env``): SQLite file or
    PostgreSQL. Anything else has none (an in-memory ledger keeps no read models or trail)."""
    module = env.get("PERSISTENCE_MODULE") or ""
    if module == "eventsourcing.sqlite":
        from ledger.store.sqlite import SqliteBackend

        return SqliteBackend.from_env(env)
    if module == "eventsourcing.postgres":
        from ledger.store.postgres import PostgresBackend

        return PostgresBackend.from_env(env)
    from aggregates.errors import RuleViolation

    raise RuleViolation(
        "ledger: read models",
        f"读模型和审计记录只支持 SQLite 文件和 PostgreSQL 账本，当前持久化模块为“{module or '内存'}”。",
        f"Read models and the audit trail need a SQLite file or PostgreSQL ledger; the persistence module is '{module or 'in memory'}'.",
    )


def trail_store(app: Any) -> Any:
    """The audit trail's store (ledger.store.trail) of the application's backend."""
    return backend_for(app.env).trail(app)


def committed_horizon(app: Any, timeout: float, poll: float = 0.005) -> int | None:
    """The highest event position below which no event can still be committed (the audit trail's
    rule, docs/audit-trail.md "Positions and gaps"), after waiting for the event writers open now;
    None if one is still open after ``timeout`` seconds."""
    return trail_store(app).committed_horizon(timeout, poll)


__all__ = ["Database", "backend_for", "committed_horizon", "trail_store"]
