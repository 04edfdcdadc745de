"""The certledger application: ``CertLedger``, its commands (ledger/handlers.py, one method each),
the session and unit of work that batch them, the queries that replay a client, and the roads to
the read models: ``execute`` (a command by its catalogue name, then the read models caught up) and
``update_read_models`` / ``rebuild_read_models``.

A command reads the clock, loads the client, runs the rules that need the calendar, a scheme or a
procedure (``ledger.rules``), calls one aggregate command (which checks the client's own history
before it records an event) and saves. Nothing is written when a rule refuses.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable, Iterator
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder, ProgrammingError

from aggregates.client import Client
from aggregates.errors import NotFound, RuleViolation, no_such_client
from aggregates.uscc import client_id_for, normalise_uscc
from ledger import clock, logs
from ledger.client_cache import ClientCache
from ledger.commands import find
from ledger.handlers import Handlers
from ledger.rules.evaluation import audit_inputs, scheme_basis
from ledger.rules.scoring import evaluate_kept, load_scheme, scheme_in_force
from ledger.store import codec
from ledger.store.errors import READ_ONLY, DamagedHistory, inconsistent_history, read_only_refusal, replay_failures
from ledger.store.pg_logins import login_refusal

log = logs.get_logger("certledger")

REGISTERED_TOPIC = f"{Client.__module__}:{Client.__qualname__}.Registered"


SESSION_CLIENTS = 2000  # saved clients a session keeps in memory (the most recently used)


@dataclass
class _UnitOfWork:
    """A session of commands: clients loaded or created in it are kept in memory (no reload per
    command); those changed and not yet saved are ``dirty`` until ``flush`` saves them in one
    transaction. After a flush, only the ``SESSION_CLIENTS`` most recently used clients stay (an
    evicted one is loaded again if a later command needs it), so a long import's memory is bounded.
    ``on_saved`` is called with each committed flush's recordings, then ``on_leave`` with each
    client as it leaves memory saved: evicted after a flush, or still held when the session ends
    after its last flush."""

    clients: OrderedDict[UUID, Client] = field(default_factory=OrderedDict)
    dirty: dict[UUID, Client] = field(default_factory=dict)
    on_saved: Callable[[list[Any]], None] | None = None
    on_leave: Callable[[Client], None] | None = None

    def forget(self) -> None:
        """After a save that failed: nothing the session holds in memory can be trusted (its copies of
        clients, people and the body carry events that were not stored, and the library has taken
        them), so everything is loaded again: the clients, the session's people and the body
        (ledger/people.py, ledger/body.py) and the register, which is read again from the log."""
        self.clients = OrderedDict()
        self.dirty = {}
        for held in ("people", "body", "register_read"):
            self.__dict__.pop(held, None)

    def trim(self, keep: int | None = None) -> None:
        keep = SESSION_CLIENTS if keep is None else keep
        while len(self.clients) > keep:
            _, client = self.clients.popitem(last=False)
            if self.on_leave is not None:
                self.on_leave(client)


class CertLedger(Handlers, Application[UUID]):
    """The application: the commands (ledger/handlers.py), the session that batches them, the
    queries that replay a client, and the roads to the read models after a write."""

    name = "certledger"

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self._uow: _UnitOfWork | None = None
        self._schemes: dict[tuple[Any, ...], Any] = {}
        self._clients = ClientCache()  # clients as their stored events left them (D52)

    def close(self) -> None:
        """Close the event store's connections and the read models' (their engine): a command that
        ends gives its database connections back at once, not when the object is collected."""
        # No engine unless its module was imported (D41); ``sys`` may be gone when the library's
        # __del__ calls this while the interpreter shuts down.
        db = (getattr(sys, "modules", None) or {}).get("projections.db")
        if db is not None:
            db.dispose(self)
        super().close()

    @property
    def read_only(self) -> bool:
        """The database takes no writes (a PostgreSQL hot standby, or a SQLite ledger this user may
        not write, found when it was opened, D57): reads work from what was written; a write is
        refused before it runs."""
        return bool(self.env.get(READ_ONLY))

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        self.refuse_if_read_only()  # every road that writes events comes here (commands, sessions, imports)
        try:
            return super().save(*objs, **kwargs)
        except ProgrammingError as e:  # PostgreSQL's login check refused the actor (docs/people.md, D32)
            refusal = login_refusal(e)
            if refusal is None:
                raise
            raise refusal from None

    def refuse_if_read_only(self) -> None:
        """Refuse a write, before anything runs, on a database that takes none."""
        if self.read_only:
            raise read_only_refusal(f"{self.env.get('POSTGRES_HOST', '')}:{self.env.get('POSTGRES_PORT', '')}", self.env)

    @functools.cached_property
    def calendar(self) -> Any:
        """The working-day calendar (built once; it caches each year it reads)."""
        from ledger.rules.calendar import Calendar

        return Calendar()

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        codec.register_transcodings(transcoder)

    def construct_mapper(self) -> Any:
        return codec.construct_mapper(self)

    # ------------------------------------------------------------------ plumbing

    def _actor(self, actor: str | None, on: date | None = None) -> str:
        """The actor every write names, as its events record them: once the register of people holds
        anyone, a registered person who may write on the business date ``on`` (today if none), by
        their registered name (ledger/people_actor.py: the one rule, D37)."""
        actor = (actor or "").strip()
        if not actor:
            raise RuleViolation(
                "ledger: every record names its actor",
                "写入操作必须指明操作人：请使用 --actor 姓名 或设置环境变量 CERTLEDGER_ACTOR。",
                "A write must name its actor: pass --actor NAME or set CERTLEDGER_ACTOR.",
            )
        from ledger.people_actor import writer

        return writer(self, actor, on or clock.today())

    @staticmethod
    def _business_date(on: date | None, what_zh: str = "业务日期", what_en: str = "The business date") -> date:
        today = clock.today()
        if on is None:
            return today
        if on > today:
            raise RuleViolation(
                "ledger: no future dates for things that happened",
                f"{what_zh} {on} 晚于今天（{today}，北京时间）；已发生的事项不能记在将来的日期。",
                f"{what_en} {on} is after today ({today}, Asia/Shanghai); what happened cannot be dated in the future.",
            )
        return on

    def _load(self, uscc: str) -> Client:
        client_id = client_id_for(uscc)
        if self._uow is not None and client_id in self._uow.clients:
            self._uow.clients.move_to_end(client_id)
            return self._uow.clients[client_id]
        try:
            client = self._clients.load(self, client_id)  # the events after a kept copy, or all (D52)
        except replay_failures() as e:
            raise self._damaged(normalise_uscc(uscc), client_id, e) from None
        except AggregateNotFoundError:
            raise no_such_client(normalise_uscc(uscc)) from None
        if self._uow is not None:
            self._uow.clients[client_id] = client
        return client

    def _damaged(self, label: str, client_id: UUID, error: BaseException) -> RuleViolation:
        """The refusal for a client whose events did not replay, naming the first event that does not
        (replayed again one event at a time: only when something is already wrong)."""
        if isinstance(error, DamagedHistory):
            return error.naming(label)
        client: Any = None
        version = None
        try:
            for ev in self.events.get(client_id):
                version = ev.originator_version
                client = ev.mutate(client)
        except replay_failures() as e:
            return inconsistent_history(label, e, version)
        return inconsistent_history(label, error)

    def _exists(self, uscc: str) -> bool:
        client_id = client_id_for(uscc)
        if self._uow is not None and client_id in self._uow.clients:
            return True
        return self.recorder.select_events(client_id, limit=1) != []

    def _register(self, new: Client, result: Any) -> Any:
        """Save a client just registered by its first command (``result`` is that command's)."""
        try:
            self._commit(new)
        except IntegrityError:
            raise RuleViolation(
                "ledger: concurrent writes",
                f"组织 {new.uscc} 刚被另一位用户登记；请重新提交申请。",
                f"Client {new.uscc} was just registered by someone else; submit the application again.",
            ) from None
        log.info("recorded", action="application submit", client=new.uscc)
        return result

    def _commit(self, client: Client) -> None:
        if self._uow is not None:
            self._uow.clients[client.id] = client
            self._uow.dirty[client.id] = client
        else:
            self.save(client)
            earlier = self.__dict__.get("_saved_client")
            if earlier is not None and earlier.id != client.id and "_read_model_states" in self.__dict__:
                # another client's saved state that no catch-up took (one was running): kept, not dropped (D64)
                self._read_model_states.seed(earlier)
            self._saved_client = client  # the catch-up after the write starts from it (projections.states, D54)

    def _run(self, uscc: str, action: str, fn: Any) -> Any:
        """Load, act, save; retry a concurrent-write conflict on the same client twice. On SQLite a
        retry runs whole under the write turn (D52, ledger/store/sqlite_turn.py); on PostgreSQL every
        attempt holds the client's own turn from its load to its save (D60, an advisory lock every
        other save of the client takes shared, ledger/store/applied_pg.py): no other writer can commit
        to the client between its load and its save, and writers of other clients never wait."""
        # bind/reset rather than the bound_contextvars context manager: a quarter of its cost per command
        token = logs.bind(client=normalise_uscc(uscc))
        try:
            for attempt in range(3):
                with self._write_turn(attempt, uscc):
                    client = self._load(uscc)
                    result = fn(client)
                    try:
                        self._commit(client)
                    except IntegrityError:
                        if attempt == 2 or self._uow is not None:
                            raise RuleViolation(
                                "ledger: concurrent writes",
                                f"另一位用户同时修改了该组织的记录；{action} 未写入，请重试。",
                                f"Someone else changed this client at the same time; {action} was not written; try again.",
                            ) from None
                        log.info("retrying after a concurrent write", attempt=attempt + 1)
                        continue
                    log.info("recorded", action=action, version=client.version)
                    return result
        finally:
            logs.reset(token)
        raise AssertionError("unreachable")

    def _write_turn(self, attempt: int, uscc: str | None = None) -> contextlib.AbstractContextManager[Any]:
        """The write turn of an attempt outside a session, where the event store has one: PostgreSQL's
        turn of the client, every attempt (D60); SQLite's write turn, a retry (D52). A session's saves
        (an import's) are not retried and take no turn here."""
        client_turn = getattr(self.recorder, "client_turn", None)
        if client_turn is not None and uscc is not None and self._uow is None:
            return client_turn(client_id_for(uscc))
        turn = getattr(self.recorder, "turn", None)
        return turn() if attempt and turn is not None and self._uow is None else contextlib.nullcontext()

    @contextlib.contextmanager
    def session(self, on_saved: Callable[[list[Any]], None] | None = None,
                on_leave: Callable[[Client], None] | None = None) -> Iterator["CertLedger"]:
        """Run many commands with the clients kept in memory; nothing is saved until ``flush()``
        (which the caller calls as often as it likes) or the end of the block. An exception
        inside the block discards what was not flushed. Used by ``import``. ``on_saved`` sees the
        recordings of each committed flush; then ``on_leave(client)`` each client, as saved, that
        leaves the session's memory (``_UnitOfWork``)."""
        if self._uow is not None:
            raise RuntimeError("sessions do not nest")
        self._uow = _UnitOfWork(on_saved=on_saved, on_leave=on_leave)
        try:
            yield self
            self.flush()
            self._uow.trim(keep=0)
        finally:
            self._uow = None

    def flush(self, **saved: Any) -> list[Any]:
        """Save every client changed in this session in one transaction; returns the recordings
        (each event with its notification id, in order), which a read-model follower can apply
        without reading them back (the session's ``on_saved`` sees them before any client leaves
        memory). A concurrent write to one of them refuses the whole flush (and forgets the
        session's copies, so the next command reloads). ``saved``: what the recorder writes in the
        same transaction, even when no client changed (an import's applied lines: ``import_lines``,
        ledger/store/applied.py)."""
        uow = self._uow
        if uow is None or not (uow.dirty or saved):
            return []
        pending = list(uow.dirty.values())
        uow.dirty = {}
        try:
            recordings = self.save(*pending, **saved)
        except IntegrityError:
            self._forget(uow, pending)
            raise RuleViolation(
                "ledger: concurrent writes",
                "保存期间另一位用户修改了其中的组织记录；这一批未写入，请重试。",
                "Someone else changed one of these clients meanwhile; this batch was not written; try again.",
            ) from None
        except BaseException:  # nothing was saved: the session's copies hold changes that are not
            self._forget(uow, pending)
            raise
        if uow.on_saved is not None and recordings:
            uow.on_saved(recordings)
        uow.trim()
        return recordings

    def _forget(self, uow: _UnitOfWork, pending: list[Client]) -> None:
        """After a failed save: the session forgets what it holds, and the process's kept copies of
        the clients whose save failed go too (they were never changed, D52, but the next load of
        each replays it in full, as before the cache)."""
        uow.forget()
        for client in pending:
            self._clients.drop(client.id)

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """All or nothing: every change made inside the block is saved in one transaction at the
        end; an exception inside the block discards everything."""
        with self.session():
            yield

    # ------------------------------------------------------------------ rulebooks

    def _scheme(self, scheme_id: str, version: str | None = None, on: date | None = None) -> Any:
        """A scheme by id: a given version, or the version in force on a date (001 §13.1). Found
        schemes are remembered for the ledger object's life (an import asks for the same few often;
        reading the scheme folder setting, CERTLEDGER_SCHEMES, per line cost 2 % of an import)."""
        key = (scheme_id, version, on if version is None else None)
        found = self._schemes.get(key)
        if found is not None:
            return found
        found = scheme_in_force(scheme_id, on) if on is not None and version is None else load_scheme(scheme_id, version)
        self._schemes[key] = found
        return found

    def audit_scheme(self, client: Client, audit_id: str) -> Any:
        """The scheme version an audit is scored under (ledger.rules.evaluation.scheme_basis:
        the version in force on the audit's first day, 001 §13.1)."""
        scheme_id, on = scheme_basis(client, audit_id)
        return self._scheme(scheme_id, on=on)

    def evaluate_audit(self, client: Client, audit_id: str, on: date | None = None) -> tuple[Any, Any]:
        """Score an audit from its recorded entries and exclusions under its scheme version: the
        figures, statuses and record a command needs (``KeptEvaluation``), kept for identical inputs
        (a decision scores what its audit's completion scored, D61)."""
        scheme = self.audit_scheme(client, audit_id)
        entries, exclusions, context = audit_inputs(client, audit_id, on)
        return scheme, evaluate_kept(scheme, entries, exclusions, context)


    # ------------------------------------------------------------------ the roads of the command line

    def execute(self, name: str, fields: dict[str, Any], *, actor: str | None) -> Any:
        """One command by its catalogue name (``ledger.commands``: "audit plan"...) with raw fields
        (command-line strings or JSON values), bound and converted by the catalogue. Outside a
        session the read models are then caught up (an import's session keeps them current its
        own way: ledger.importer)."""
        command = find(name)
        self.refuse_if_read_only()
        result = getattr(self, command.method)(**command.bind(fields), actor=actor)
        if self._uow is None:
            self.update_read_models(after_write=True)
        return result

    def update_read_models(self, progress: Callable[[int, int], None] | None = None, *, after_write: bool = False) -> None:
        """Catch the read models up with the events (after a write). The events are saved already,
        so a failure here is logged and left to the next command, which catches up before it reads.
        ``after_write``: a catch-up already running applies this write's events too (it chases the
        log to its end), so this one does not queue behind it (projections.runner.catch_up). After a
        write the driver alone does it in the common case (SQLite: projections.quick, D41; PostgreSQL:
        projections.quick_pg, D51)."""
        if after_write:
            if self.env.get("PERSISTENCE_MODULE") == "eventsourcing.postgres":
                from projections.quick_pg import after_write as quick_catch_up
            else:
                from projections.quick import after_write as quick_catch_up

            if quick_catch_up(self):
                return
        from projections import runner

        try:
            runner.catch_up(self, progress=progress, leave_to_running=after_write)
        except Exception:  # noqa: BLE001 - the write succeeded; reads catch up again
            log.warning("read models not caught up; the next read will", exc_info=True)

    def rebuild_read_models(self, names: list[str] | None = None,
                            progress: Callable[[int, int], None] | None = None) -> list[dict[str, Any]]:
        """Drop the named read models (all by default) and rebuild them from the first event; an
        unknown name is refused before anything is dropped. Returns each one's name, position and
        description."""
        from projections import runner
        from projections.registry import select_projections

        self.refuse_if_read_only()
        chosen = select_projections(names)
        positions = runner.rebuild(self, [p.name for p in chosen], progress=progress)
        return [{"projection": p.name, "position": positions[p.name], "description_zh": p.help_zh,
                 "description_en": p.help_en} for p in chosen]

    def setting(self, name: str, default: int) -> int:
        """A whole-number setting of the ledger's configuration (ledger.config), read when asked."""
        from ledger.config import positive_int_setting

        return positive_int_setting(name, default)

    # ------------------------------------------------------------------ queries

    def client(self, uscc: str, as_of: date | None = None, as_recorded: datetime | None = None) -> Client:
        """The client now, or as the events imply at a past moment.

        ``as_of`` (a business date) replays the events that happened on or before that day, in the
        order they were recorded, including those recorded late; ``as_recorded`` (a moment) replays
        what the ledger itself knew then. Both may be combined.
        """
        if as_of is None and as_recorded is None:
            return self._load(uscc)
        self._load(uscc)  # a clear error for an unknown client
        selected = [
            e for e in self.events.get(client_id_for(uscc))
            if (as_of is None or e.occurred_on <= as_of) and (as_recorded is None or e.timestamp <= as_recorded)
        ]
        if not selected or selected[0].originator_version != 1:
            when_zh = "、".join(x for x in (f"业务日期 {as_of}" if as_of else "", f"记录时刻 {as_recorded}" if as_recorded else "") if x)
            when_en = ", ".join(x for x in (f"business date {as_of}" if as_of else "", f"recorded by {as_recorded}" if as_recorded else "") if x)
            raise NotFound(
                "ledger: no such client then",
                f"截至{when_zh}，账本中还没有统一社会信用代码为 {normalise_uscc(uscc)} 的组织。",
                f"No client with USCC {normalise_uscc(uscc)} existed in the ledger as of {when_en}.",
            )
        client: Any = None
        for e in selected:
            if client is not None:
                # Events left out (dated later) leave gaps in the version sequence; replay across them.
                client.version = e.originator_version - 1
            client = e.mutate(client)
        return client

    def purge(self, uscc: str) -> None:
        """A request to delete a client's records: always refused (see ledger.rules.retention)."""
        from ledger.rules.retention import refuse_purge

        refuse_purge(self._load(uscc), clock.today())

    def explain(self, uscc: str, *, as_of: date | None = None, as_recorded: datetime | None = None,
                audit: str | None = None) -> dict[str, Any]:
        """Why the client's grade is what it is, as of a business date / recording moment."""
        from ledger.explain import decision_rows, explain
        from ledger.signing_shown import mark_signatures

        client = self.client(uscc, as_of=as_of, as_recorded=as_recorded)
        rows = decision_rows(self.history(uscc, check_signatures=False))  # only the decisions' signatures are shown
        mark_signatures(self, client_id_for(uscc), rows, uscc)  # ... and checked (D46, D59)
        return explain(client, audit=audit, scheme_of=self.audit_scheme, history=rows, as_of=as_of, as_recorded=as_recorded)

    def client_label(self, client_id: UUID) -> str:
        """The client's USCC, read from its first event, for a message that knows only its id (its id
        if that event cannot be read)."""
        try:
            first = self.recorder.select_events(client_id, lte=1)
            return str(self.mapper.to_domain_event(first[0]).uscc) if first else str(client_id)
        except Exception:  # noqa: BLE001 - a label for a refusal; the refusal stands without it
            return str(client_id)

    def history(self, uscc: str, *, check_signatures: bool = True) -> list[dict[str, Any]]:
        """The client's events in order: version, type, recorded time, business date, actor, fields;
        each signature checked (``check_signatures=False``: left to the caller, which checks those
        it shows: ``explain``)."""
        client_id = client_id_for(uscc)
        self._load(uscc)  # a clear error for an unknown client
        rows = []
        for ev in self.events.get(client_id):
            fields = {k: v for k, v in ev.__dict__.items() if k not in ("originator_id", "originator_version", "timestamp", "actor", "occurred_on", "originator_topic")}
            rows.append({
                "version": ev.originator_version,
                "type": type(ev).__name__,
                "recorded_at": ev.timestamp,
                "occurred_on": getattr(ev, "occurred_on", None),
                "actor": getattr(ev, "actor", None),
                "fields": fields,
            })
        if check_signatures:
            from ledger.signing_shown import mark_signatures  # a signature shown is a signature checked (trial 6, item 6)

            mark_signatures(self, client_id, rows, uscc)
        return rows

    def clients(self) -> list[Client]:
        """Every registered client, in registration order (a scan of the notification log)."""
        out = []
        start = 1
        while True:
            batch = self.recorder.select_notifications(start, 500, topics=[REGISTERED_TOPIC])
            if not batch:
                break
            for n in batch:
                try:
                    out.append(self.repository.get(n.originator_id))
                except replay_failures() as e:
                    raise self._damaged(self.client_label(n.originator_id), n.originator_id, e) from None
            start = batch[-1].id + 1
        return out

    def event_count(self) -> int:
        return self.recorder.max_notification_id() or 0
