"""One place where the application meets its database: ``bootstrap(db) -> CertLedger``."""

from __future__ import annotations

from ledger.config import resolve_database
from ledger.store.database import Database
from ledger.store.errors import DatabaseUnavailable


def bootstrap(db: str | None = None, *, database: Database | None = None, existing: bool = False):  # -> CertLedger
    """Open (creating tables if needed) the ledger at ``db`` (see ledger.config for the forms): the
    library's road, which creates a new ledger. ``existing`` (every command of the CLI, D57): the
    ledger must be there; a missing file or folder, another program's file or a PostgreSQL schema
    holding no ledger is refused before anything is created or changed."""
    from ledger import logs

    logs.configure()
    backend = (database or resolve_database(db)).backend()
    with backend.prepare(existing):
        return _open(backend)


def create(db: str | None = None, *, database: Database | None = None):  # -> tuple[CertLedger, bool]
    """``certledger init``: a new ledger at ``db`` (its folder made; an empty file becomes one), or
    the ledger already there, opened as it is; returns (ledger, whether it was created). Anything
    else there (another program's file) is refused, unchanged (D57)."""
    from ledger import logs

    logs.configure()
    backend = (database or resolve_database(db)).backend()
    there = backend.holds_ledger()
    with backend.prepare(existing=there):
        return _open(backend), not there


def _open(backend):  # -> CertLedger
    import sqlite3

    from eventsourcing.persistence import PersistenceError

    from ledger.app import CertLedger
    from ledger.store import trail_store

    try:
        app = CertLedger(env=backend.eventsourcing_env())
    except (PersistenceError, OSError, sqlite3.DatabaseError) as e:
        raise DatabaseUnavailable(
            "ledger: database",
            f"无法打开账本数据库 {backend.display()}：{e}",
            f"Cannot open the ledger database {backend.display()}: {e}",
        ) from None
    # Idempotent: triggers refusing UPDATE, DELETE, TRUNCATE of events (ledger.trail.install_append_only's
    # one line, without importing the trail's Merkle and signing modules: a command's start, D41)
    trail_store(app).install()
    return app

