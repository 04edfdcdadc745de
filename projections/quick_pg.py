"""The catch-up after a write on PostgreSQL with psycopg alone (D51): the common case of a write
command, a few events appended to read models that are otherwise current, in two round trips to
the server instead of the general path's thirty-odd statements (projections.runner, through
SQLAlchemy, which a writing process then never imports).

``CertLedger.update_read_models`` calls ``after_write(app)`` first; it answers False, having
written nothing, whenever the general catch-up must run instead:

- not a PostgreSQL ledger, or a read-only one (a standby);
- a tracking row missing, a stored fingerprint not the code's (``projections.states.code_fingerprint``),
  the read models not all at one position; a read model's table missing (the statement fails);
- more than ``QUICK_EVENTS`` events to apply;
- any error at all (a history that does not replay, a value the server refuses...): the general
  path meets it again and names it, or rebuilds.

Otherwise it does what the general path does (``runner._follow`` with ``leave_to_running``), in
the same order and with the same rows, on a connection of the application's own pool:

0. nothing at all when the save of this write saw, right after its commit, a catch-up holding the
   turn (``recorder.catch_up_running``, ledger/store/applied_pg.py): that one reads the log's last
   id after it lets the turn go, so it applies these events (D36's argument, D51);
1. one pipeline: ``BEGIN``; the turn (a transaction-level advisory lock, ``catch_up_turn_key``) and
   the tracking rows ``FOR UPDATE SKIP LOCKED`` (which the general path holds while it runs): when
   either is held, this write's events are left to the holder, which chases the log after it lets
   go; the events after the lowest position, read in the same transaction;
2. the events are settled as the general path settles them (``projections.states.settled``: ids
   that follow the position one by one, or below the committed horizon, taken at a gap: item 3 of
   issue 18, never passing an id a slower writer may still commit), their clients replayed in
   memory (the states the ledger object shares, ``states_for``);
3. one pipeline: the rows of these clients deleted from every client table (one statement), the
   new rows inserted, the positions moved, ``COMMIT``, and the log's last id read after the
   commit: events whose writers found the turn taken were committed before, so they show there,
   and the loop applies them (the chase).

The commit is asynchronous (``synchronous_commit = off``, for this transaction only): the rows and
the positions are derived data and stay together, so a crash may lose the last catch-up, never
split it, and the next catch-up does it again. The event writes keep their synchronous commit.
Values are passed to the driver as the general writer's COPY passes them (projections/db.py: the
column types of these tables have no bind processor on PostgreSQL).
"""

from __future__ import annotations

import functools
from datetime import datetime, timezone
from typing import Any, Callable

from aggregates.people import is_person_event
from ledger.store import advisory
from ledger.store.applied_pg import catch_up_turn_key
from projections.base import Batch, Projection
from projections.registry import all_projections
from projections.states import code_fingerprint, settled, states_for

QUICK_EVENTS = 1000  # beyond this many events to apply, the general catch-up (batches, progress) runs
CHASES = 20  # rounds of "look again" before leaving the rest to the general catch-up
WRITERS_WAIT = 5.0  # as runner.WRITERS_WAIT: at a gap, the wait for the event writers open then


class _General(Exception):
    """The general catch-up must run: nothing was written by this transaction."""


class _Busy(Exception):
    """Another catch-up holds the turn: it applies these events too."""


def after_write(app: Any) -> bool:
    """Catch the read models up after a write with psycopg alone; False (nothing written) when the
    general catch-up must run instead (the module's doc)."""
    env = app.env
    if env.get("PERSISTENCE_MODULE") != "eventsourcing.postgres" or getattr(app, "read_only", False):
        return False
    recorder = app.recorder
    if getattr(recorder, "catch_up_running", False):
        recorder.catch_up_running = False
        return True  # a catch-up held its turn right after this write's commit: it applies these events
    try:
        sql = _Statements.of(app)
        for _ in range(CHASES):
            done, position, top = _round(app, sql)
            if done or top <= position:
                return True
        return False
    except Exception:  # noqa: BLE001 - the general catch-up meets the problem again and names it
        return False


class _Statements:
    """The statements of one ledger (its schema and event table), built once per ledger object."""

    def __init__(self, app: Any) -> None:
        datastore = app.recorder.datastore
        self.datastore = datastore
        schema = _quote(datastore.schema)
        events = f"{schema}.{_quote(app.recorder.events_table_name)}"
        self.projections = all_projections()
        self.names = sorted(p.name for p in self.projections)  # locked in name order, as runner's writer does
        self.fingerprints = {p.name: code_fingerprint(p) for p in self.projections}
        tracking = f"{schema}.rm_tracking"
        self.lock = f"SELECT name, position, fingerprint FROM {tracking} WHERE name = ANY(%s) ORDER BY name FOR UPDATE SKIP LOCKED"
        self.events = (f"SELECT notification_id, originator_id, originator_version, topic, state FROM {events} "
                       f"WHERE notification_id > %s ORDER BY notification_id LIMIT %s")
        self.events_after_tracking = (
            f"SELECT notification_id, originator_id, originator_version, topic, state FROM {events} "
            f"WHERE notification_id > (SELECT min(position) FROM {tracking} WHERE name = ANY(%s)) ORDER BY notification_id LIMIT %s")
        # the rows there are (one missing: the general path creates it), and this transaction's commit
        # made asynchronous (set_config(..., true): for this transaction only), in one statement
        self.count = (f"SELECT count(*), set_config('synchronous_commit', 'off', true), pg_try_advisory_xact_lock({advisory.CATCH_UP}, hashtext(%s)) "
                      f"FROM {tracking} WHERE name = ANY(%s)")
        self.turn = catch_up_turn_key(datastore.schema)
        self.between = (f"SELECT e.notification_id, e.originator_id, e.originator_version, e.topic, e.state FROM {events} e "
                        f"JOIN unnest(%s::uuid[], %s::bigint[], %s::bigint[]) AS w(id, low, high) ON e.originator_id = w.id "
                        f"AND e.originator_version > w.low AND e.originator_version <= w.high ORDER BY e.originator_id, e.originator_version")
        self.advance = f"UPDATE {tracking} SET position = %s, updated_at = %s WHERE name = ANY(%s)"
        self.last = f"SELECT max(notification_id) FROM {events}"
        self.schema = schema
        self._inserts: dict[tuple[str, tuple[str, ...]], str] = {}

    @classmethod
    def of(cls, app: Any) -> "_Statements":
        found = app.__dict__.get("_quick_pg_statements")
        if found is None:
            found = app.__dict__["_quick_pg_statements"] = cls(app)
        return found

    @functools.cached_property
    def delete(self) -> str | None:
        """One statement deleting the given clients' rows from every table of the client read models."""
        tables = [table for p in self.projections if p.replaces_clients for table in p.table_names]
        if not tables:
            return None
        parts = [f"d{i} AS (DELETE FROM {self.schema}.{_quote(table)} WHERE uscc = ANY(%(usccs)s))" for i, table in enumerate(tables)]
        return f"WITH {', '.join(parts)} SELECT 1"

    def insert(self, table: str, keys: tuple[str, ...]) -> str:
        sql = self._inserts.get((table, keys))
        if sql is None:
            sql = self._inserts[(table, keys)] = (
                f"INSERT INTO {self.schema}.{_quote(table)} ({', '.join(_quote(k) for k in keys)}) "
                f"VALUES ({', '.join(['%s'] * len(keys))})")
        return sql


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _round(app: Any, sql: _Statements) -> tuple[bool, int, int]:
    """One transaction: apply the events after the read models' position. Returns (left to another
    catch-up or stopped short of a gap: nothing more to do now, the position reached, the log's last
    id after the commit)."""
    from psycopg.rows import tuple_row

    with sql.datastore.get_connection() as conn:
        locked, counted, events, last = (conn.cursor(row_factory=tuple_row) for _ in range(4))
        try:
            with conn.pipeline() as pipeline:
                with conn.transaction():
                    locked.execute(sql.lock, (sql.names,), prepare=True)
                    counted.execute(sql.count, (sql.turn, sql.names), prepare=True)
                    events.execute(sql.events_after_tracking, (sql.names, QUICK_EVENTS + 1), prepare=True)
                    pipeline.sync()
                    count, _, turn = counted.fetchone()
                    if not turn:
                        raise _Busy
                    position = _positions(sql, locked.fetchall(), count)
                    notifications = _notifications(events.fetchall())
                    if len(notifications) > QUICK_EVENTS:
                        raise _General
                    ready = _settled(app, sql, events, pipeline, position, notifications)
                    batch = _batch(app, ready, lambda lacking: _between(app, sql, events, pipeline, lacking))
                    if batch.events:
                        _write(conn, sql, batch)
                # after the commit: what was committed meanwhile (the chase)
                last.execute(sql.last, prepare=True)
            top = int(last.fetchone()[0] or 0)
        except _Busy:
            return True, 0, 0
    reached = batch.last_position if batch.events else position
    return len(ready) < len(notifications), reached, top


def _positions(sql: _Statements, rows: list[tuple[Any, ...]], count: int) -> int:
    """The one position of every read model, under the lock."""
    if count < len(sql.names):
        raise _General  # a read model not created yet: the general path builds it
    if len(rows) < len(sql.names):
        raise _Busy  # SKIP LOCKED left some out: another catch-up holds them
    if any(fp != sql.fingerprints[name] for name, _, fp in rows):
        raise _General
    positions = {int(pos) for _, pos, _ in rows}
    if len(positions) != 1:
        raise _General
    return positions.pop()


def _settled(app: Any, sql: _Statements, cur: Any, pipeline: Any, position: int, notifications: list[Any]) -> list[Any]:
    """The events that no open transaction can still precede (``runner.settled``); at a gap below an
    event already committed, the committed horizon (waiting for the writers open then) first."""
    from ledger.store import committed_horizon

    ready = settled(notifications, position, 0)
    if len(ready) == len(notifications):
        return ready
    horizon = committed_horizon(app, WRITERS_WAIT)  # on a connection of its own; this transaction keeps the turn
    if horizon is None:
        return ready  # a writer still open: stop short of the gap, the next catch-up continues
    cur.execute(sql.events, (position, QUICK_EVENTS + 1), prepare=True)
    pipeline.sync()
    again = _notifications(cur.fetchall())
    if len(again) > QUICK_EVENTS:
        raise _General
    notifications[:] = again
    return settled(again, position, horizon)


def _notifications(rows: list[tuple[Any, ...]]) -> list[Any]:
    from eventsourcing.persistence import Notification

    return [Notification(id=nid, originator_id=originator_id, originator_version=version, topic=topic, state=bytes(state))
            for nid, originator_id, version, topic, state in rows]


def _batch(app: Any, notifications: list[Any], between: Callable[[dict[Any, tuple[int, int]]], list[Any]]) -> Batch:
    states = states_for(app)
    decoded = [(n.id, app.mapper.to_domain_event(n)) for n in notifications]
    firsts: dict[Any, int] = {}
    for _, ev in decoded:
        if not is_person_event(ev):
            firsts.setdefault(ev.originator_id, ev.originator_version)
    lacking = states.lacking(firsts)
    if lacking:  # states another process moved on meanwhile: the events between, in one query for all
        states.forward(between(lacking))
    batch = Batch()
    for position, ev in decoded:
        batch.events.append((position, ev))
        if not is_person_event(ev):  # a person's or the body's event: positions move on, no client
            batch.clients[ev.originator_id] = states.advance(ev)
    return batch


def _between(app: Any, sql: _Statements, cur: Any, pipeline: Any, lacking: dict[Any, tuple[int, int]]) -> list[Any]:
    """The events of each client after its kept state's version and up to the one before the batch's."""
    ids = list(lacking)
    cur.execute(sql.between, (ids, [lacking[i][0] for i in ids], [lacking[i][1] for i in ids]), prepare=True)
    pipeline.sync()
    return [app.mapper.to_domain_event(n) for n in _notifications(cur.fetchall())]


def _write(conn: Any, sql: _Statements, batch: Batch) -> None:
    """Queue the batch's rows and the positions (the pipeline sends them with the commit)."""
    cur = conn.cursor()
    usccs = [c.uscc for c in batch.clients.values()]
    projections: list[Projection] = sql.projections
    if usccs and sql.delete:
        cur.execute(sql.delete, {"usccs": usccs}, prepare=True)
    for p in projections:
        for table, rows in p.batch_rows(batch).items():
            shapes: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
            for row in rows:
                shapes.setdefault(tuple(row), []).append(tuple(row.values()))
            for keys, values in shapes.items():
                cur.executemany(sql.insert(table, keys), values)
    cur.execute(sql.advance, (batch.last_position, datetime.now(timezone.utc), sql.names), prepare=True)
