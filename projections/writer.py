"""The one writer of read-model rows. Every source of rows comes through here: the log pull and an
import's follower (``runner``: a batch of events), a rebuild (``bulk``: every client, into empty
tables), and the rows an import's workers gathered (``gather``).

A ``Writer`` is one write transaction: on SQLite ``BEGIN IMMEDIATE`` (the write lock at once), on
PostgreSQL the tracking rows locked ``FOR UPDATE`` (always in name order, so two writers never
deadlock). Rows and the tracking positions they bring a read model to are written together, so an
event is applied exactly once, even after a crash or with two processes at work: a source first
reads the positions under the lock and gives up if another process moved them.

Rows go through the driver's ``executemany`` (PostgreSQL: COPY), prepared by ``projections.db``.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator

from sqlalchemy import Connection, Engine, Table, select

from ledger.store.sqlite import IMMEDIATE
from projections import tables as t
from projections.base import Batch, Projection, Rows, chunks
from projections.db import Prepared, prepare_insert, schema_of


def tracked(conn: Connection, names: list[str], lock: bool = False, skip_locked: bool = False) -> dict[str, tuple[int, str]]:
    """Each read model's position and fingerprint (``lock``: under the writer's lock; ``skip_locked``:
    on PostgreSQL, rows another writer holds are left out instead of waited for)."""
    query = select(t.tracking.c.name, t.tracking.c.position, t.tracking.c.fingerprint).where(t.tracking.c.name.in_(names))
    if lock:
        # Always lock the rows in the same order, so two catch-ups never deadlock each other.
        query = query.order_by(t.tracking.c.name).with_for_update(skip_locked=skip_locked)
    return {r.name: (int(r.position), r.fingerprint) for r in conn.execute(query)}


def now() -> datetime:
    return datetime.now(timezone.utc)


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


class Writer:
    """One write transaction on the read models (see the module's doc)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @classmethod
    @contextlib.contextmanager
    def open(cls, engine: Engine) -> Iterator["Writer"]:
        with engine.connect().execution_options(**{IMMEDIATE: True}) as conn, conn.begin():
            yield cls(conn)

    # ------------------------------------------------------------------ positions

    def positions(self, names: list[str]) -> dict[str, tuple[int, str]]:
        """The read models' positions and fingerprints, under the lock."""
        return tracked(self.conn, names, lock=True)

    def positions_unless_busy(self, names: list[str]) -> dict[str, tuple[int, str]] | None:
        """As ``positions``, or None at once when another read-model writer holds any of them
        (PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` has waited for the lock already)."""
        if self.conn.dialect.name != "postgresql":
            return self.positions(names)
        found = tracked(self.conn, names, lock=True, skip_locked=True)
        return found if len(found) == len(names) else None

    def advance(self, names: list[str], position: int) -> None:
        self.conn.execute(t.tracking.update().where(t.tracking.c.name.in_(names)).values(position=position, updated_at=now()))

    def reset(self, projections: list[Projection], position: int) -> None:
        """After a build: each read model at ``position`` with the code's fingerprint."""
        names = [p.name for p in projections]
        stamp = now()
        self.conn.execute(t.tracking.delete().where(t.tracking.c.name.in_(names)))
        self.conn.execute(t.tracking.insert(), [{"name": p.name, "position": position, "fingerprint": p.fingerprint(),
                                                 "updated_at": stamp} for p in projections])

    # ------------------------------------------------------------------ rows

    def recreate(self, tables: list[Table]) -> None:
        """Empty tables for a build: dropped and created anew (a changed schema comes with them)."""
        t.tracking.create(self.conn, checkfirst=True)
        for table in tables:
            table.drop(self.conn, checkfirst=True)
            table.create(self.conn)

    @contextlib.contextmanager
    def filling(self, tables: Iterable[Table]) -> Iterator[None]:
        """Fill ``tables`` (empty) with their indexes dropped, and build the indexes after: faster
        than indexing row by row."""
        tables = list(tables)
        for table in tables:
            for index in table.indexes:
                index.drop(self.conn)
        yield
        for table in tables:
            for index in table.indexes:
                index.create(self.conn)

    def remove_clients(self, tables: Iterable[Table], usccs: list[str]) -> None:
        """Delete these clients' rows: rows that a client's new rows replace."""
        for table in tables:
            for part in chunks(usccs):
                self.conn.execute(table.delete().where(table.c.uscc.in_(part)))

    def insert(self, rows: Rows) -> None:
        for table, part in rows.items():
            if part:
                self.write(prepare_insert(self.conn.dialect, schema_of(self.conn), t.table(table), part))

    def write(self, prepared: Prepared) -> None:
        """Rows prepared for the driver (here or in another process)."""
        for sql, values in prepared:
            write_prepared(self.conn, sql, values)

    def apply(self, projections: list[Projection], positions: dict[str, int], batch: Batch) -> dict[str, int] | None:
        """A batch of events from the log (or an import's saves) for every projection, each from its
        own position, and their positions moved to the batch's last. If the positions under the
        lock are not ``positions`` (another process got there first), nothing is written and the
        current positions are returned."""
        current = {n: pos for n, (pos, _) in self.positions(list(positions)).items()}
        if current != positions:
            return current
        stamp = now()
        for p in projections:
            part = batch.after(positions[p.name])
            if not part.events:
                continue
            if p.replaces_clients:
                self.remove_clients(p.tables, [c.uscc for c in part.clients.values()])
            self.insert(p.batch_rows(part))
            self.conn.execute(t.tracking.update().where(t.tracking.c.name == p.name).values(position=part.last_position, updated_at=stamp))
        return None
