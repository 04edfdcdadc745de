"""Read models gathered by the import's worker processes instead of rebuilt after them.

An import in worker processes (``ledger.importer.run_import_in_workers``) used to leave the read
models to the end: with most of the log new, every client was read back, decoded and replayed
(about a quarter of the import's time). The workers already hold each client's state and each
saved event, so here they compute the rows themselves:

- ``Gatherer`` (in each worker): from each save's recordings, the audit-trail rows; when a client
  leaves the session's memory as saved (``CertLedger.session(on_leave=...)``), its rows of every
  per-client read model (``ClientProjection.rows``), computed once, from the state at its last
  saved version. Rows are prepared for the driver
  (``projections.db.prepare_insert``) and sent to the importing process in pickled batches.
- ``Gathered`` (in the importing process): records the read models' position before the import
  (they are caught up first), spools the batches to a temporary file (memory stays flat), and at
  the end ``install``s them in ONE transaction through the writer (projections/writer.py), under the
  read models' write lock.

``install`` writes only what it can prove complete; otherwise it returns False and the caller
brings the read models up to date from the log as before (``runner.bring_up_to_date``):

- every read model is still at the position and fingerprint recorded before the import (no other
  process caught up meanwhile) and its tables exist;
- the events after that position are exactly the ones the workers saved: as many, the highest
  being the log's last (positions are unique, so count and bounds make the sets equal);
- every event the workers saved had its client's rows computed at or after it, at a saved state (a
  refused save, say a concurrent write, drops the session's clients without that: the log decides).

Rows of clients that existed before the import are replaced (deleted by USCC first); a client whose
rows arrive twice (evicted from a session, loaded again and changed) keeps the later ones. When the
read models were empty before the import, their indexes are dropped for the inserts and built after,
as in a rebuild.
"""

from __future__ import annotations

import contextlib
import pickle
import tempfile
from collections import defaultdict
from typing import Any, Callable
from uuid import UUID

from sqlalchemy import text

from aggregates.people import is_person_event
from projections import tables as t
from projections.base import ClientProjection, Projection
from projections.db import Prepared, create_read_model_engine, engine_for, insert_statement, prepare_insert, table_names
from projections.registry import all_projections
from projections.trail import AuditTrail
from projections.writer import Writer

SEND_ROWS = 5000  # trail rows per batch sent from a worker
SEND_CLIENTS = 200  # clients' rows per batch (a client's summary row alone is several kilobytes)


class Gatherer:
    """In an import worker: the read-model rows of what this worker saves (see the module's doc).

    ``send(payload)`` takes each pickled batch; ``finish()`` returns the worker's summary."""

    def __init__(self, app: Any, send: Callable[[bytes], None]) -> None:
        engine = create_read_model_engine(app.env)  # for its dialect and schema: it never connects
        self.dialect = engine.dialect
        self.schema = (engine.get_execution_options().get("schema_translate_map") or {}).get(None)
        projections = all_projections()
        self.per_client = [p for p in projections if isinstance(p, ClientProjection)]
        self.trail = [p for p in projections if isinstance(p, AuditTrail)]
        # Any other kind of read model cannot be gathered here: the log decides (install refuses).
        self.unsupported = len(self.per_client) + len(self.trail) != len(projections)
        self.trail_sql, self.trail_values = insert_statement(self.dialect, self.schema, t.audit_trail, list(AuditTrail.COLUMNS))
        self.send = send
        self.usccs: dict[UUID, str] = {}  # each client's USCC once known (its registration, or it left memory)
        self.unsent: dict[UUID, int] = {}  # clients saved since they last left memory: their last saved version
        self.waiting: dict[UUID, list[tuple[int, Any]]] = defaultdict(list)  # events whose client's USCC is not known yet
        self.events = 0
        self.low: int | None = None
        self.high = 0
        self.out_trail: list[tuple[Any, ...]] = []  # AuditTrail.values
        self.out_clients: list[tuple[str, Prepared]] = []
        self.pending = 0

    def saved(self, recordings: list[Any]) -> None:
        """One committed save's recordings, in position order (``run_import``'s ``on_saved``):
        the trail rows of its events (kept back for a client whose USCC is not known yet)."""
        usccs, unsent, row, out = self.usccs, self.unsent, AuditTrail.values, self.out_trail
        for r in recordings:
            ev = r.domain_event
            if is_person_event(ev):  # the body's people (issue 15): no client's rows
                continue
            client_id = ev.originator_id
            unsent[client_id] = ev.originator_version
            uscc = usccs.get(client_id)
            if uscc is None:
                uscc = getattr(ev, "uscc", None) if ev.originator_version == 1 else None
                if uscc is None:
                    self.waiting[client_id].append((r.notification.id, ev))
                    continue
                usccs[client_id] = uscc
            out.append(row(r.notification.id, ev, uscc))
        self.events += len(recordings)
        self.pending += len(recordings)
        first, last = recordings[0].notification.id, recordings[-1].notification.id
        self.low = first if self.low is None else min(self.low, first)
        self.high = max(self.high, last)
        if self.pending >= SEND_ROWS:
            self._send()

    def left(self, client: Any) -> None:
        """A client leaving the session's memory as saved (``CertLedger.session``'s ``on_leave``):
        its rows, if this import saved events of it since it last left. A client whose state is
        not its last saved event's stays unsent, and ``finish`` says incomplete."""
        version = self.unsent.get(client.id)
        if version is None or version != client.version:
            return
        del self.unsent[client.id]
        uscc = self.usccs[client.id] = client.uscc
        held = self.waiting.pop(client.id, ())
        self.out_trail.extend(AuditTrail.values(position, ev, uscc) for position, ev in held)
        self.pending += len(held)
        prepared: Prepared = []
        for p in self.per_client:
            for table, rows in p.rows(client).items():
                if rows:
                    prepared.extend(prepare_insert(self.dialect, self.schema, t.table(table), rows))
        self.out_clients.append((uscc, prepared))
        if len(self.out_clients) >= SEND_CLIENTS:
            self._send()

    def _send(self) -> None:
        trail = [(self.trail_sql, self.trail_values(self.out_trail))] if self.out_trail and self.trail else []
        if trail or self.out_clients:
            self.send(pickle.dumps((trail, self.out_clients), protocol=pickle.HIGHEST_PROTOCOL))
        self.out_trail, self.out_clients, self.pending = [], [], 0

    def finish(self) -> tuple[int, int | None, int, bool]:
        """Send what is left; returns (events saved, lowest and highest position, complete)."""
        self._send()
        complete = not self.unsupported and not self.unsent and not self.waiting
        return self.events, self.low, self.high, complete


class Gathered:
    """In the importing process: what the workers gathered, spooled, then installed at the end."""

    def __init__(self, app: Any) -> None:
        from projections.runner import catch_up

        self.app = app
        self.projections: list[Projection] = all_projections()
        positions = catch_up(app)  # the read models start current: the import's events come after
        self.start = min(positions.values(), default=0)
        self.spool = tempfile.TemporaryFile(prefix="certledger-import-rows-")
        self.batches = 0
        self.events = 0
        self.low: int | None = None
        self.high = 0
        self.complete = True

    def receive(self, payload: bytes) -> None:
        """A pickled batch from a worker (kept as it came, in order)."""
        self.spool.write(len(payload).to_bytes(8, "big"))
        self.spool.write(payload)
        self.batches += 1

    def worker_done(self, summary: tuple[int, int | None, int, bool]) -> None:
        events, low, high, complete = summary
        self.events += events
        if low is not None:
            self.low = low if self.low is None else min(self.low, low)
        self.high = max(self.high, high)
        self.complete = self.complete and complete

    def _batches(self) -> Any:
        self.spool.seek(0)
        for _ in range(self.batches):
            size = int.from_bytes(self.spool.read(8), "big")
            yield pickle.loads(self.spool.read(size))

    def install(self, progress: Callable[[int, int], None] | None = None) -> bool:
        """Write the gathered rows and move every read model to the log's last position, in one
        transaction (the writer's), if they are provably complete (the module's doc); False
        (nothing written) if not, for the caller to bring the read models up to date from the log."""
        from ledger.store import committed_horizon
        from projections.bulk import events_table
        from projections.runner import WRITERS_WAIT

        if not self.complete or not self.events or self.low is None:
            return False
        # Counting the events after the start proves them the workers' only once no open transaction
        # can still commit one below the last (the catch-up's rule, projections.runner).
        if committed_horizon(self.app, WRITERS_WAIT) is None:
            return False
        names = [p.name for p in self.projections]
        with Writer.open(engine_for(self.app)) as writer:
            positions = writer.positions(names)
            if any(positions.get(p.name) != (self.start, p.fingerprint()) for p in self.projections):
                return False
            existing = table_names(writer.conn)
            tables = [table for p in self.projections for table in p.tables]
            if any(table.name not in existing for table in tables):
                return False
            events, pos = events_table(self.app, writer.conn)
            last, count = writer.conn.execute(text(f"SELECT max({pos}), count(*) FROM {events} WHERE {pos} > :start"),
                                              {"start": self.start}).one()
            if count != self.events or last != self.high or self.low <= self.start:
                return False
            empty = self.start == 0  # then the tables are empty: filled first, indexed after, as a rebuild does
            with writer.filling(tables) if empty else contextlib.nullcontext():
                self._write_rows(writer, replace=not empty, progress=progress)
            writer.advance(names, last)
        self.spool.close()
        return True

    def _write_rows(self, writer: Writer, *, replace: bool, progress: Callable[[int, int], None] | None) -> None:
        client_tables = [table for p in self.projections if p.replaces_clients for table in p.tables]
        seen: set[str] = set()
        done = 0
        for trail, clients in self._batches():
            writer.write(trail)
            done += sum(len(values) for _, values in trail)
            latest = dict(clients)  # a client that left twice in one batch: its later rows
            # Rows already there are replaced: the client's earlier rows from this import (it left
            # memory in an earlier batch too) or, for a ledger that had read models, from before it.
            writer.remove_clients(client_tables, [uscc for uscc in latest if uscc in seen or replace])
            seen.update(latest)
            merged: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
            for prepared in latest.values():
                for sql, values in prepared:
                    merged[sql].extend(values)
            writer.write(list(merged.items()))
            if progress:
                progress(self.start + done * (self.high - self.start) // self.events, self.high)
