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
    from ledger.trail import install_append_only

    try:
        app = CertLedger(env=backend.eventsourcing_env())
    except (PersistenceError, OSError, sqlite3.DatabaseError) as e:
        raise DatabaseUnavailable(
            "ledger: database",
            f"无法打开账本数据库 {backend.display()}：{e}",
            f"Cannot open the ledger database {backend.display()}: {e}",
        ) from None
    install_append_only(app)  # idempotent: triggers refusing UPDATE, DELETE, TRUNCATE of events
    return app

