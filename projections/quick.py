"""The catch-up after a write on SQLite with the sqlite3 driver alone (D41): the common case of a
write command, a few events of one client appended to read models that are otherwise current.

``CertLedger.execute`` calls ``after_write(app)`` first; it answers False, having written nothing,
whenever the general catch-up (projections.runner, through SQLAlchemy) must run instead:

- not a SQLite file ledger, or a read-only one;
- the tracking table or a read model's table missing, a stored fingerprint not the code's
  (``projections.states.code_fingerprints``), the read models not all at one position;
- more than ``QUICK_EVENTS`` events to apply, or ids that do not follow the position one by one;
- any error at all (a history that does not replay, a value the driver refuses...): the general
  path meets it again and names it, or rebuilds.

Otherwise it does what the general path does, in the same order and with the same rows: under the
catch-up's turn (``catch_up_turn``: a catch-up already running chases these events, D36), in one
``BEGIN IMMEDIATE`` transaction, it reads the positions, the events after them, replays their
clients (the states the ledger object shares, ``states_for``: the client the command just saved
is taken as it is, not replayed again, D54), deletes the clients' old rows,
inserts the projections' rows (``batch_rows``, keyed by table name) and moves the positions; then
looks again for events another writer committed meanwhile. The values are stored as the general
path's writer stores them (projections/db.py): dates and times as the sqlite3 adapters' text
(``sqlite_text``), booleans as integers, the tracking row's time in SQLAlchemy's SQLite format.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from aggregates.people import is_person_event
from ledger.store.sqlite import EVENTS, SqliteBackend, sqlite_text
from projections.base import Batch, Projection, chunks
from projections.registry import all_projections
from projections.states import code_fingerprints, states_for

QUICK_EVENTS = 1000  # beyond this many events to apply, the general catch-up (batches, progress) runs
CHASES = 20  # rounds of "look again" before leaving the rest to the general catch-up


class _General(Exception):
    """The general catch-up must run: nothing was written by this transaction."""


def after_write(app: Any) -> bool:
    """Catch the read models up after a write with the driver alone; False (nothing written) when
    the general catch-up must run instead (the module's doc)."""
    env = app.env
    if env.get("PERSISTENCE_MODULE") != "eventsourcing.sqlite" or getattr(app, "read_only", False):
        return False
    backend = SqliteBackend.from_env(env)
    if not backend.path.is_file():
        return False
    try:
        projections = all_projections()
        for _ in range(CHASES):
            with backend.catch_up_turn() as mine:
                if not mine:
                    return True  # a catch-up is running: it chases the log, these events included
                position = _apply_pending(app, backend, projections)
            # Let go of the turn, look again: a writer that found the turn taken committed before.
            if (app.recorder.max_notification_id() or 0) <= position:
                return True
        return False
    except Exception:  # noqa: BLE001 - the general catch-up meets the problem again and names it
        return False


def _apply_pending(app: Any, backend: SqliteBackend, projections: list[Projection]) -> int:
    """Apply every event after the read models' position, in one transaction; returns the position."""
    names = [p.name for p in projections]
    marks = ", ".join("?" * len(names))
    states = states_for(app)
    with backend.quick_writer() as conn:
        tracked = {name: (int(pos), fp) for name, pos, fp in conn.execute(
            f"SELECT name, position, fingerprint FROM rm_tracking WHERE name IN ({marks})", names)}
        if len(tracked) != len(names) or any(tracked[n][1] != fp for n, fp in code_fingerprints(projections).items()):
            raise _General
        wanted = [table for p in projections for table in p.table_names]
        found = {r[0] for r in conn.execute(
            f"SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ({', '.join('?' * len(wanted))})", wanted)}
        if len(found) != len(set(wanted)):
            raise _General
        positions = {pos for pos, _ in tracked.values()}
        if len(positions) != 1:
            raise _General
        position = positions.pop()
        last = int(conn.execute(f"SELECT max(rowid) FROM {EVENTS}").fetchone()[0] or 0)
        if last - position > QUICK_EVENTS:
            raise _General
        if last <= position:
            return position
        notifications = app.recorder.select_notifications(position, last - position, inclusive_of_start=False)
        batch = Batch()
        expected = position + 1
        for n in notifications:
            if n.id != expected:
                raise _General
            expected += 1
            ev = app.mapper.to_domain_event(n)
            batch.events.append((n.id, ev))
            if not is_person_event(ev):  # a person's or the body's event: positions move on, no client
                batch.clients[ev.originator_id] = states.advance(ev)
        if not batch.events:
            return position
        for p in projections:
            if p.replaces_clients:
                _remove_clients(conn, p.table_names, [c.uscc for c in batch.clients.values()])
            for table, rows in p.batch_rows(batch).items():
                _insert(conn, table, rows)
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite DateTime text
        conn.execute(f"UPDATE rm_tracking SET position = ?, updated_at = ? WHERE name IN ({marks})",
                     [batch.last_position, stamp, *names])
        return batch.last_position


def _remove_clients(conn: Any, tables: tuple[str, ...], usccs: list[str]) -> None:
    for table in tables:
        for part in chunks(usccs):
            conn.execute(f'DELETE FROM "{table}" WHERE uscc IN ({", ".join("?" * len(part))})', part)


def _stored(value: Any) -> Any:
    """A value as the general path's writer stores it on SQLite (projections/db.py)."""
    if type(value) is bool:
        return int(value)
    return sqlite_text(value)


def _insert(conn: Any, table: str, rows: list[dict[str, Any]]) -> None:
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        shapes.setdefault(tuple(row), []).append(row)
    for keys, part in shapes.items():
        sql = f'INSERT INTO "{table}" ({", ".join(f"{chr(34)}{k}{chr(34)}" for k in keys)}) VALUES ({", ".join("?" * len(keys))})'
        conn.executemany(sql, [tuple(_stored(row[k]) for k in keys) for row in part])
