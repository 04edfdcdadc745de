"""Bulk build: read models filled from nothing, client by client, in one transaction.

``rebuild`` and a catch-up that must start a read model from the first event (first use, or its
schema changed) do not follow the log in position order. Following the log recomputes each
client's rows once per batch it appears in and keeps client states in a cache; here instead:

1. under the read models' write lock (SQLite ``BEGIN IMMEDIATE``, PostgreSQL ``FOR UPDATE`` on
   the tracking rows), the tables are dropped and recreated and ``last``, the highest event
   position, is read;
2. the clients' ids are read, then their events ``CLIENTS_PER_STEP`` clients at a time in the
   event table's primary-key order (client, version), positions up to ``last``;
3. each client is replayed once, in memory, and each projection's rows for it
   (``Projection.build_rows``) are inserted into the empty tables;
4. every projection's position is set to ``last`` with its fingerprint, and the transaction commits.

Memory holds one step of clients and their rows: it does not grow with the number of events or
clients. Readers keep seeing the previous read models until the commit; an interrupted build leaves
them as they were. Events saved meanwhile have positions above ``last`` and are applied by the
catch-up that follows (on SQLite they wait for the lock, up to the busy timeout).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable
from uuid import UUID

from sqlalchemy import Connection, bindparam, text

from projections.base import Projection
from projections.db import insert_rows

CLIENTS_PER_STEP = 250  # clients read, replayed and written per step
INSERT_ROWS = 5000  # rows per INSERT executemany


def _events_table(app: Any, conn: Connection) -> tuple[str, str]:
    """The event table's qualified name and its position column, as SQL text."""
    quote = conn.dialect.identifier_preparer.quote
    name = quote(app.recorder.events_table_name)
    if conn.dialect.name == "sqlite":
        return name, "rowid"
    schema = getattr(app.recorder.datastore, "schema", None)
    return (f"{quote(schema)}.{name}" if schema else name), "notification_id"


def last_position(app: Any, conn: Connection) -> int:
    """The highest event position, read in the caller's transaction."""
    table, pos = _events_table(app, conn)
    return int(conn.execute(text(f"SELECT max({pos}) FROM {table}")).scalar() or 0)


def build(app: Any, conn: Connection, projections: list[Projection], last: int,
          progress: Callable[[int, int], None] | None = None) -> int:
    """Fill the (empty) tables of ``projections`` from every event up to position ``last``, inside
    the caller's transaction on ``conn``. Returns the number of events read."""
    from eventsourcing.domain import OriginatorIDError, OriginatorVersionError
    from eventsourcing.persistence import StoredEvent

    from ledger.app import inconsistent_history

    table, pos = _events_table(app, conn)
    ids = [r[0] for r in conn.execute(text(
        f"SELECT DISTINCT originator_id FROM {table} WHERE {pos} <= :last ORDER BY originator_id"), {"last": last})]
    total = conn.execute(text(f"SELECT count(*) FROM {table} WHERE {pos} <= :last"), {"last": last}).scalar() or 0
    query = text(f"SELECT originator_id, originator_version, topic, state, {pos} FROM {table} "
                 f"WHERE originator_id IN :ids AND {pos} <= :last ORDER BY originator_id, originator_version"
                 ).bindparams(bindparam("ids", expanding=True))
    to_event = app.mapper.to_domain_event
    done = 0
    for i in range(0, len(ids), CLIENTS_PER_STEP):
        out: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        rows = conn.execute(query, {"ids": ids[i:i + CLIENTS_PER_STEP], "last": last}).all()
        start = 0
        while start < len(rows):
            key = rows[start][0]
            end = start
            while end < len(rows) and rows[end][0] == key:
                end += 1
            client_id = key if isinstance(key, UUID) else UUID(key)
            client = None
            events = []
            try:
                for _, version, topic, state, position in rows[start:end]:
                    ev = to_event(StoredEvent(client_id, version, topic, bytes(state)))
                    client = ev.mutate(client)
                    events.append((position, ev))
            except (OriginatorVersionError, OriginatorIDError, AssertionError) as e:
                raise inconsistent_history(client_id, e) from None
            for p in projections:
                for tbl, part in p.build_rows(client, events).items():
                    out[tbl].extend(part)
            start = end
        for tbl, part in out.items():
            for j in range(0, len(part), INSERT_ROWS):
                insert_rows(conn, tbl, part[j:j + INSERT_ROWS])
        done += len(rows)
        if progress:
            progress(last if done >= total else (last * done) // max(total, 1), last)
    return done
