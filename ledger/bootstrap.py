"""One place where the application meets its database: ``bootstrap(db) -> CertLedger``."""

from __future__ import annotations

from ledger.config import resolve_database
from ledger.store.database import Database
from ledger.store.errors import DatabaseUnavailable


def bootstrap(db: str | None = None, *, database: Database | None = None, existing: bool = False):  # -> CertLedger
    """Open (creating tables if needed) the ledger at ``db`` (see ledger.config for the forms).
    ``existing``: refuse to create a new SQLite ledger (a read command given a mistyped path)."""
    from ledger import logs

    logs.configure()
    backend = (database or resolve_database(db)).backend()
    with backend.prepare(existing):
        return _open(backend)


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

