"""Catch-up and rebuild: follow the notification log with a pull loop from each read model's position.

The library's ProjectionRunner needs subscriptions, which SQLite lacks, so the runner pulls: it
reads notifications in batches through the recorder (``select_notifications(position, limit,
inclusive_of_start=False)``), decodes them once through the application's mapper, replays each
client touched in memory (a bounded LRU of client states: memory does not grow with the number of
events), and for each batch writes every projection's rows and its tracking position in ONE
transaction. The transaction first re-reads the positions under a write lock (SQLite ``BEGIN
IMMEDIATE``, PostgreSQL ``SELECT ... FOR UPDATE``) and gives up the batch if another process moved
them, so an event is applied exactly once even with concurrent catch-ups or after a crash.

Positions are notification ids, never counts: ids have gaps on PostgreSQL, and SQLite may reuse the
highest id after a delete (which an append-only table never does).

A position never passes an id that an open transaction may still commit: on PostgreSQL a writer
can commit after another that took a higher id (always without the table lock, ``db_functions=y``;
with it, a rolled-back insert leaves a gap too). A read model moves on over ids that follow its
position one by one; at a gap below an event already visible, it waits (``WRITERS_WAIT``) for the
event writers open at that moment, by the audit trail's rule (``ledger.store.committed_horizon``),
after which every id up to the horizon is committed or never will be. If a writer is still open
then, the catch-up stops short of the gap and the next one continues.

A projection whose stored fingerprint differs from the code's (the code that shapes its rows
changed, projections/catalogue.py), or whose tables are missing, is dropped and rebuilt from the
first event by the next catch-up. Every row is written by the one writer (projections/writer.py).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from sqlalchemy import Connection, Engine

from aggregates.errors import RuleViolation
from aggregates.people import is_person_event
from ledger.store import backend_for, committed_horizon
from ledger.store.errors import DamagedHistory
from ledger.store.log import get_logger
from projections import tables as t
from projections.base import Batch, Projection
from projections.db import creation_turn, engine_for, table_names
from projections.registry import all_projections, select_projections
from projections.states import ClientStates, code_fingerprint, named, settled, states_for
from projections.writer import Writer, tracked

log = get_logger("certledger.projections")

BATCH_SIZE = 5000  # events per read-model transaction: each touched client's rows are recomputed once per batch
BUILD_INSTEAD = 0.5  # bring_up_to_date rebuilds when more than this share of the log is not applied
WRITERS_WAIT = 5.0  # seconds a catch-up waits, at a gap in the ids, for the event writers open then (D7, D-horizon)
BUILD_WAIT = 30.0  # the same for a build, which cannot stop short: it refuses instead

Progress = Callable[[int, int], None]  # (position reached, last position in the log)


def build(app: Any, engine: Engine, projections: list[Projection], *, only_if_stale: bool = False,
          progress: Progress | None = None) -> list[Projection]:
    """Drop the projections' tables and fill them from every event (``projections.bulk``), in one
    transaction under the write lock, ending with their positions at the last event read. With
    ``only_if_stale``, projections that another process has meanwhile brought up to date are left
    alone. Returns the projections built."""
    from projections import bulk

    horizon = committed_horizon(app, BUILD_WAIT)  # the rows are built up to here: nothing can still appear below it
    if horizon is None:
        raise RuleViolation(
            "ledger: read models",
            f"有写入事件的事务已超过 {BUILD_WAIT:.0f} 秒未结束，无法确定已提交事件的范围，读模型未重建；请稍后重试。",
            f"A transaction writing events has been open for more than {BUILD_WAIT:.0f} s, so the committed range "
            "cannot be fixed and the read models were not rebuilt; try again later.",
        )
    with Writer.open(engine) as writer:
        creation_turn(writer.conn)  # tables are dropped and created: one process at a time (projections.db)
        t.tracking.create(writer.conn, checkfirst=True)
        positions = writer.positions([p.name for p in projections])
        if only_if_stale:
            projections = [p for p in projections if _stale(writer.conn, p, positions)]
            if not projections:
                return []
        tables = [table for p in projections for table in p.tables]
        writer.recreate(tables)
        last = min(bulk.last_position(app, writer.conn), horizon)
        with writer.filling(tables):
            try:
                bulk.build(app, writer, projections, last, progress)
            except DamagedHistory as e:
                raise named(app, e) from None
        writer.reset(projections, last)
    return projections


def _stale(conn: Connection, projection: Projection, positions: dict[str, tuple[int, str]],
           existing: set[str] | None = None) -> bool:
    row = positions.get(projection.name)
    if row is None or row[1] != code_fingerprint(projection):
        return True
    existing = table_names(conn) if existing is None else existing
    return any(table.name not in existing for table in projection.tables)


def catch_up(app: Any, names: Iterable[str] | None = None, *, batch_size: int = BATCH_SIZE,
             progress: Progress | None = None, wait: float | None = None, leave_to_running: bool = False) -> dict[str, int]:
    """Bring the read models up to the last event; returns each one's position. Idempotent, and
    fast when nothing is new (one query for the positions, one for the log). A read model whose
    schema fingerprint changed is rebuilt here from the first event. A position never passes an
    id that an open transaction may still commit (the module's doc): at a gap it waits up to
    ``wait`` seconds (``WRITERS_WAIT`` by default) for the writers open then, else stops short of it.

    Catch-ups take turns under the writer's lock, and each chases the log until it finds nothing
    new after letting the lock go. With ``leave_to_running`` (after a write), a catch-up that finds
    another one holding the lock leaves its events to it instead of queueing (PostgreSQL; on SQLite
    the lock is also the event writers', so it waits)."""
    engine = engine_for(app)
    projections = select_projections(names)
    names_ = [p.name for p in projections]
    if getattr(app, "read_only", False):  # a hot standby: the primary's read models, as replicated
        return _current_on_standby(app, engine, projections)
    with engine.connect() as conn:
        existing = table_names(conn)
        known = tracked(conn, names_) if t.tracking.name in existing else None
    if known is None:
        # Created under the write lock, so a first catch-up waits for another writer (SQLite's
        # plain BEGIN would fail at once with "database is locked").
        with Writer.open(engine) as writer:
            creation_turn(writer.conn)
            t.tracking.create(writer.conn, checkfirst=True)
        known = {}
    stale = [p for p in projections if _stale(None, p, known, existing)]  # type: ignore[arg-type]
    if stale:
        for p in build(app, engine, stale, only_if_stale=True):
            if p.name in known:
                log.warning("read model rebuilt from the first event: its schema changed or its tables were dropped", projection=p.name)
            else:
                log.info("read model created", projection=p.name)
        with engine.connect() as conn:
            known = tracked(conn, names_)
    positions = {n: pos for n, (pos, _) in known.items()}
    last = app.recorder.max_notification_id() or 0
    if positions and min(positions.values()) >= last:
        return positions  # nothing new: no lock taken
    if not leave_to_running:
        return _follow(app, engine, projections, positions, last, batch_size, progress, wait, False)[0]
    backend = backend_for(app.env)
    while True:
        with backend.catch_up_turn() as mine:  # SQLite: a file lock beside the ledger; PostgreSQL: always
            if not mine:
                return positions  # another catch-up after a write is running: it chases this write's events too
            positions, finished = _follow(app, engine, projections, positions, last, batch_size, progress, wait, True)
        if not finished:  # left to a running catch-up, or stopped short of a gap an open writer may fill
            return positions
        # Let go, look again: a writer that found the turn taken committed its events before.
        last = app.recorder.max_notification_id() or 0
        if last <= min(positions.values(), default=0):
            return positions


def _follow(app: Any, engine: Engine, projections: list[Projection], positions: dict[str, int], last: int, batch_size: int,
            progress: Progress | None, wait: float | None, leave_to_running: bool) -> tuple[dict[str, int], bool]:
    """The pull loop of ``catch_up``: batches under the writer's lock until the log has nothing
    new after the lock is let go. Returns the positions and whether it got there (not when it left
    its events to a running catch-up, nor when it stopped short of a gap)."""
    names_ = [p.name for p in projections]
    states = states_for(app)
    final = 0  # every id up to here is committed or never will be
    while True:
        # The lock first, then the work: a catch-up that waited for another finds its events
        # applied and does nothing, instead of computing rows that the other one's commit makes void.
        batch, stuck, busy = Batch(), False, False
        with Writer.open(engine) as writer:
            held = writer.positions_unless_busy(names_) if leave_to_running else writer.positions(names_)
            if held is None:
                busy = True
            else:
                positions = {n: pos for n, (pos, _) in held.items()}
                start = min(positions.values(), default=0)
                notifications = app.recorder.select_notifications(start, batch_size, inclusive_of_start=False)
                ready = settled(notifications, start, final)
                if len(ready) < len(notifications):  # a gap below an event already committed
                    horizon = committed_horizon(app, WRITERS_WAIT if wait is None else wait)
                    if horizon is None:
                        stuck = True
                        log.info("catch-up stops short of a gap that an open transaction may still fill", position=start)
                    else:  # at or above the event seen after the gap: the gap is settled, filled or for ever empty
                        final = horizon
                        notifications = app.recorder.select_notifications(start, batch_size, inclusive_of_start=False)
                        ready = settled(notifications, start, final)
                for n in ready:
                    try:
                        ev = app.mapper.to_domain_event(n)
                    except DamagedHistory as e:
                        raise named(app, e, n.id) from None
                    batch.events.append((n.id, ev))
                    if not is_person_event(ev):  # a person's event (issue 15): positions move on, no client to replay
                        batch.clients[ev.originator_id] = states.advance(ev)
                if batch.events:
                    writer.apply(projections, positions, batch)  # read under this lock: they cannot have moved
        if busy:
            # Another catch-up holds the lock: it chases the log to its end after it lets go (below),
            # so it applies this process's events too (``leave_to_running``).
            return positions, False
        if batch.events:
            positions = {n: max(pos, batch.last_position) for n, pos in positions.items()}
            last = max(last, batch.last_position)
            if progress:
                progress(min(positions.values()), last)
        if stuck:
            return positions, False
        # Chase: once the lock is let go, look again. A writer that found the lock held while this
        # catch-up ran committed its events before that, so they are visible now and applied here.
        if not batch.events and (app.recorder.max_notification_id() or 0) <= min(positions.values(), default=0):
            return positions, True


def _current_on_standby(app: Any, engine: Engine, projections: list[Projection]) -> dict[str, int]:
    """On a read-only standby nothing is built or caught up: the read models are those the primary
    keeps current after every write, replicated with the events. Refused when they are not (a model
    missing, of another schema, or behind the events), naming what to run on the primary."""
    names_ = [p.name for p in projections]
    with engine.connect() as conn:
        known = tracked(conn, names_) if t.tracking.name in table_names(conn) else {}
        stale = [p.name for p in projections if _stale(conn, p, known)]
    last = app.recorder.max_notification_id() or 0
    behind = [n for n, (pos, _) in known.items() if pos < last]
    if stale or behind:
        which = ", ".join(stale or behind)
        if app.env.get("CERTLEDGER_READ_ONLY") == "sqlite":  # a SQLite ledger this user may only read (D57)
            raise RuleViolation(
                "ledger: read model out of date",
                f"读模型 {which} " + ("尚未建立或结构已改变" if stale else f"落后于事件（事件位置 {last}）")
                + "；当前用户只能读取这个 SQLite 账本，不能更新读模型：请由可以写入它的用户（账本所有者）运行任意读取命令"
                "（例如 certledger clients）或 certledger rebuild 后再读。",
                f"Read model {which} is " + ("missing or of another schema" if stale else f"behind the events (position {last})")
                + "; this user may only read this SQLite ledger and cannot update it: a user who may write it (its owner) "
                "runs any read (certledger clients, say) or certledger rebuild, then read again.",
            )
        raise RuleViolation(
            "ledger: read model out of date",
            f"只读热备库上的读模型 {which} " + ("尚未建立或结构已改变" if stale else f"落后于事件（事件位置 {last}）")
            + "；热备库不能更新读模型：请在主库上运行任意读取命令（例如 certledger clients）或 certledger rebuild，待复制后再读。",
            f"Read model {which} on this read-only standby is " + ("missing or of another schema" if stale else f"behind the events (position {last})")
            + "; a standby cannot update it: run any read on the primary (certledger clients, say) or certledger rebuild there, "
            "and read again once it has replicated.",
        )
    return {n: pos for n, (pos, _) in known.items()}


def _apply(engine: Engine, projections: list[Projection], positions: dict[str, int], batch: Batch) -> dict[str, int] | None:
    """Write one batch for every projection and advance their positions, in one transaction (the
    writer's); returns the current positions instead if they are not the ones the batch was read for."""
    with Writer.open(engine) as writer:
        return writer.apply(projections, positions, batch)


class Follower:
    """Keeps the read models current during a bulk write (``certledger import``) from the events
    just saved, as the application returned them: no event is read back or decoded, and each
    client's state is advanced in memory (the same bounded ``ClientStates`` as ``catch_up``).

        follower = Follower(app)          # catches up first: the read models start current
        follower.saved(recordings)        # after each save, in order; applies every batch_size events
        follower.finish()                 # applies what is left

    The guarantees are ``catch_up``'s: each batch is written with the tracking positions in one
    transaction that first checks them under a write lock. The events are already saved when the
    follower sees them, so a failure here is logged and the follower stops: the next catch-up
    (every read does one) completes the read models from the log. The follower applies events only while
    they continue the read models' position directly (nothing saved by anyone else in between);
    otherwise — another writer, a gap in PostgreSQL's ids, or a catch-up by another process that
    moved the positions — it falls back to ``catch_up``, which reads from the log.
    """

    def __init__(self, app: Any, names: Iterable[str] | None = None, *, batch_size: int = BATCH_SIZE) -> None:
        self.app = app
        self.names = [p.name for p in select_projections(names)]
        self.batch_size = batch_size
        self.engine = engine_for(app)
        self.projections = select_projections(self.names)
        self.states = ClientStates(app)
        self.batch = Batch()
        self.failed = False
        self.position = self._catch_up()  # the position every read model has reached

    def _catch_up(self) -> int:
        positions = catch_up(self.app, self.names)
        return min(positions.values(), default=0)

    def saved(self, recordings: list[Any]) -> None:
        """The recordings of one save (``Application.save`` returns them), in order."""
        self._guarded(self._saved, recordings)

    def finish(self) -> int | None:
        """Apply what is pending; returns the read models' position (None if the follower failed)."""
        self._guarded(self._apply)
        return None if self.failed else self.position

    def _guarded(self, fn: Callable[..., None], *args: Any) -> None:
        if self.failed:
            return
        try:
            fn(*args)
        except Exception:  # noqa: BLE001 - the events are saved; the next catch-up completes the read models
            self.failed = True
            self.batch = Batch()
            self.states.clear()
            log.warning("read models not kept current during the bulk write; the next read catches up", exc_info=True)

    def _saved(self, recordings: list[Any]) -> None:
        for r in recordings:
            position, ev = r.notification.id, r.domain_event
            last = self.batch.last_position if self.batch.events else self.position
            if position != last + 1 and not self._nothing_between(last, position):
                self._apply()
                self.batch = Batch()
                self.position = self._catch_up()  # reads this event and any others from the log
                if position <= self.position:
                    continue
                # The catch-up stopped short of a gap an open writer may still fill: this event
                # cannot follow yet. Stop following; the catch-up after the import completes them.
                self.failed = True
                self.states.clear()
                log.info("read models not followed past a gap an open writer may fill; the next catch-up continues", position=self.position)
                return
            self.batch.events.append((position, ev))
            if not is_person_event(ev):  # a person's event (issue 15): no client to replay
                self.batch.clients[ev.originator_id] = self.states.advance(ev)
            if len(self.batch.events) >= self.batch_size:
                self._apply()

    def _nothing_between(self, last: int, position: int) -> bool:
        """Nothing can still appear between ``last`` and the follower's own ``position``: the writers
        open now have ended (the horizon is then at or above ``position``) and no event lies between."""
        if committed_horizon(self.app, WRITERS_WAIT) is None:
            return False
        following = self.app.recorder.select_notifications(last, 1, inclusive_of_start=False)
        return bool(following) and following[0].id == position

    def _apply(self) -> None:
        if not self.batch.events:
            return
        batch, self.batch = self.batch, Batch()
        moved = _apply(self.engine, self.projections, {n: self.position for n in self.names}, batch)
        if moved is None:
            self.position = batch.last_position
        else:  # another process moved the positions: let catch_up continue from where they are
            self.position = self._catch_up()


def rebuild(app: Any, names: Iterable[str] | None = None, *, batch_size: int = BATCH_SIZE,
            progress: Progress | None = None) -> dict[str, int]:
    """Drop the named read models (all by default) and rebuild them from the first event, client
    by client (``projections.bulk``), then catch up with anything saved meanwhile. Atomic: readers
    see the previous read models until it commits, and an interruption leaves them as they were."""
    engine = engine_for(app)
    projections = select_projections(names)
    build(app, engine, projections, progress=progress)
    return catch_up(app, [p.name for p in projections], batch_size=batch_size, progress=progress)


def bring_up_to_date(app: Any, *, progress: Progress | None = None) -> dict[str, int]:
    """After a bulk write that did not follow its events (an import in worker processes): catch up,
    or, when most of the log is not applied yet, build every read model from the first event
    instead (``build``: each client replayed once, in worker processes; about three times the
    speed of following so many events one batch at a time)."""
    engine = engine_for(app)
    last = app.recorder.max_notification_id() or 0
    with engine.connect() as conn:
        exists = t.tracking.name in table_names(conn)
        positions = {n: pos for n, (pos, _) in tracked(conn, [p.name for p in all_projections()]).items()} if exists else {}
    behind = last - min(positions.values(), default=0)
    if behind > BUILD_INSTEAD * max(last, 1):
        return rebuild(app, progress=progress)
    return catch_up(app, progress=progress)


def require_current(engine: Engine, names: Iterable[str]) -> None:
    """Refuse to read a read model whose stored schema fingerprint is not the code's (reads that
    went through ``catch_up`` never see this: it rebuilds such read models)."""
    projections = select_projections(names)
    with engine.connect() as conn:
        known = tracked(conn, [p.name for p in projections]) if t.tracking.name in table_names(conn) else {}
    stale = [p.name for p in projections if known.get(p.name, (0, ""))[1] != p.fingerprint()]
    if stale:
        raise RuleViolation(
            "ledger: read model out of date",
            f"读模型 {', '.join(stale)} 尚未建立或其结构已改变；请运行 certledger rebuild --projection {stale[0]}（或不带参数重建全部）。",
            f"Read model {', '.join(stale)} is missing or its schema changed; run certledger rebuild --projection {stale[0]} (or without options to rebuild all).",
        )


def read_models(app: Any, names: Iterable[str] | None = None) -> Engine:
    """Catch up, then return the engine to query the read models with (projections.queries)."""
    catch_up(app, names)
    return engine_for(app)
