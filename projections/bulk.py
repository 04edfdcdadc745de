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

import os
from collections import defaultdict
from typing import Any, Callable, Iterator
from uuid import UUID

from sqlalchemy import Connection, text

from aggregates.people import is_person_event
from ledger.store import backend_for
from projections.base import Projection
from projections.db import Prepared, prepare_insert, schema_of
from projections.tables import table as table_of
from projections.writer import Writer

CLIENTS_PER_STEP = 250  # clients read, replayed and written per step
INSERT_ROWS = 5000  # rows per INSERT executemany
# Steps run in worker processes (one per core, at most MAX_WORKERS) when there are at least this
# many events: below it, starting the workers costs more than they save. CERTLEDGER_BUILD_WORKERS
# sets the number (1: in this process), read through the application's configuration.
PARALLEL_MIN_EVENTS = 50_000
MAX_WORKERS = 4
ENV_WORKERS = "CERTLEDGER_BUILD_WORKERS"


def events_table(app: Any, conn: Connection) -> tuple[str, str]:
    """The event table's qualified name and its position column, as SQL text (the backend's)."""
    return backend_for(app.env).events_source(conn)


def last_position(app: Any, conn: Connection) -> int:
    """The highest event position, read in the caller's transaction."""
    table, pos = events_table(app, conn)
    return int(conn.execute(text(f"SELECT max({pos}) FROM {table}")).scalar() or 0)


def fetch_rows(conn: Connection, source: tuple[str, str], ids: list[Any], last: int) -> list[tuple[Any, ...]]:
    """The clients ``ids``' events up to ``last`` in (client, version) order, from the event table
    and position column ``source`` (``events_table``), as the driver's own tuples (SQLAlchemy's
    result rows cost about 3 % of a rebuild's CPU)."""
    table, pos = source
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (f"SELECT originator_id, originator_version, topic, state, {pos} FROM {table} "
           f"WHERE originator_id IN ({', '.join([mark] * len(ids))}) AND {pos} <= {mark} "
           "ORDER BY originator_id, originator_version")
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, (*ids, last))
        return cursor.fetchall()
    finally:
        cursor.close()


def _client_id(key: Any, row: Any) -> UUID:
    from ledger.store.errors import DamagedHistory

    if isinstance(key, UUID):
        return key
    try:
        return UUID(key)
    except (TypeError, ValueError, AttributeError):
        raise DamagedHistory(repr(key)[:40], ("客户标识不是 UUID", "the client id is not a UUID"), row[1], row[4]) from None


def clients_in(rows: list[Any]) -> Iterator[tuple[UUID, list[Any]]]:
    """The rows of ``fetch_rows`` (ordered by client, then version) grouped by client."""
    start = 0
    while start < len(rows):
        key = rows[start][0]
        end = start
        while end < len(rows) and rows[end][0] == key:
            end += 1
        yield _client_id(key, rows[start]), rows[start:end]
        start = end


def replay_client(client_id: UUID, rows: list[Any], to_event: Callable[[Any], Any]) -> Iterator[tuple[int, Any, Any]]:
    """Replay one client's rows: (position, event, the client after it) for each. A row that does
    not decode or replay raises ``DamagedHistory`` naming the client, version and position."""
    from eventsourcing.persistence import StoredEvent

    from ledger.store.errors import DamagedHistory, inconsistent_history, replay_failures

    client = None
    for _, version, topic, state, position in rows:
        if not isinstance(state, (bytes, bytearray, memoryview)):
            raise DamagedHistory(client_id, ("存储的内容不是字节串", "its stored state is not bytes"), version, position)
        try:
            ev = to_event(StoredEvent(client_id, version, topic, bytes(state)))
            client = ev.mutate(client)
        except replay_failures() as e:
            raise inconsistent_history(client_id, e, version, position) from None
        yield position, ev, client


def _step(conn: Connection, source: tuple[str, str], ids: list[Any], last: int, to_event: Callable[[Any], Any],
          projections: list[Projection]) -> tuple[int, Prepared]:
    """One step: the clients ``ids``' events up to ``last``, each client replayed once, and every
    projection's rows for them, prepared for the driver's executemany. Raises RuleViolation if a
    client's events do not replay (the store was altered)."""
    out: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    rows = fetch_rows(conn, source, ids, last)
    for client_id, mine in clients_in(rows):
        client, events = None, []
        for position, ev, client in replay_client(client_id, mine, to_event):
            events.append((position, ev))
        if is_person_event(events[-1][1]):  # the body's people (issue 15): no client's read model
            continue
        for p in projections:
            for tbl, part in p.build_rows(client, events).items():
                out[tbl].extend(part)
    schema = schema_of(conn)
    prepared = [statement for tbl, part in out.items() for j in range(0, len(part), INSERT_ROWS)
                for statement in prepare_insert(conn.dialect, schema, table_of(tbl), part[j:j + INSERT_ROWS])]
    return len(rows), prepared


def workers_for(total: int, app: Any) -> int:
    """How many worker processes a build of ``total`` events uses (1: none, in this process): one
    per core (at most ``MAX_WORKERS``) from ``PARALLEL_MIN_EVENTS`` on, unless the ledger's
    configuration (``CERTLEDGER_BUILD_WORKERS``, read by the application: ``app.setting``) says."""
    default = 1 if total < PARALLEL_MIN_EVENTS else max(1, min(os.cpu_count() or 1, MAX_WORKERS))
    return app.setting(ENV_WORKERS, default)


def build(app: Any, writer: Writer, projections: list[Projection], last: int,
          progress: Callable[[int, int], None] | None = None, workers: int | None = None) -> int:
    """Fill the (empty) tables of ``projections`` from every event up to position ``last``, through
    the caller's writer (its transaction). Returns the number of events read. The steps run in
    ``workers`` processes (default ``workers_for``): each reads its clients' events on its own
    connection and sends back prepared rows, which the writer writes, in its transaction."""
    conn = writer.conn
    table, pos = events_table(app, conn)
    ids = [r[0] for r in conn.execute(text(
        f"SELECT DISTINCT originator_id FROM {table} WHERE {pos} <= :last ORDER BY originator_id"), {"last": last})]
    total = conn.execute(text(f"SELECT count(*) FROM {table} WHERE {pos} <= :last"), {"last": last}).scalar() or 0
    steps = [ids[i:i + CLIENTS_PER_STEP] for i in range(0, len(ids), CLIENTS_PER_STEP)]
    workers = workers or workers_for(total, app)
    done = 0

    def write(result: tuple[int, Prepared]) -> None:
        nonlocal done
        count, prepared = result
        writer.write(prepared)
        done += count
        if progress:
            progress(last if done >= total else (last * done) // max(total, 1), last)

    if workers <= 1 or len(steps) <= 1:
        to_event = app.mapper.to_domain_event
        for step in steps:
            write(_step(conn, (table, pos), step, last, to_event, projections))
        return done
    for result in _in_workers(app, [p.name for p in projections], steps, last, workers, (table, pos)):
        write(result)
    return done


def _in_workers(app: Any, names: list[str], steps: list[list[Any]], last: int, workers: int, source: tuple[str, str]) -> Any:
    """The steps' results from ``workers`` fresh processes (spawned: nothing of this process's open
    connections or transaction is shared), at most two steps per worker in flight (flat memory)."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    from aggregates.errors import RuleViolation

    env = {k: v for k, v in app.env.items() if isinstance(v, str)}
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_worker_init, initargs=(env, names, source)) as pool:
        pending = set()
        queue = iter(steps)
        try:
            while True:
                while len(pending) < 2 * workers:
                    step = next(queue, None)
                    if step is None:
                        break
                    pending.add(pool.submit(_worker_step, step, last))
                if not pending:
                    return
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    result = future.result()
                    if result[0] == "refused":
                        raise RuleViolation(*result[1:])
                    yield result[1]
        finally:
            for future in pending:
                future.cancel()


_WORKER: dict[str, Any] = {}


def _worker_init(env: dict[str, str], names: list[str], source: tuple[str, str]) -> None:
    from ledger.store import codec, collector
    from projections.db import create_read_model_engine
    from projections.registry import select_projections

    collector.tune()  # a worker process that only rebuilds: 4 % less CPU (D16)

    # The ledger's mapper (its transcodings) without opening its event store a second time.
    mapper = codec.mapper(env)
    _WORKER.update(engine=create_read_model_engine(env), source=source, to_event=mapper.to_domain_event,
                   projections=select_projections(names))


def _worker_step(ids: list[Any], last: int) -> tuple[str, Any, ...]:
    from aggregates.errors import RuleViolation

    w = _WORKER
    try:
        with w["engine"].connect() as conn:
            return ("rows", _step(conn, w["source"], ids, last, w["to_event"], w["projections"]))
    except RuleViolation as e:  # sent back as data: the exception's own arguments do not pickle
        return ("refused", e.rule, e.message_zh, e.message_en)
