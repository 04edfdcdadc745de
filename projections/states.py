"""What every catch-up shares, without SQLAlchemy (the general one, projections.runner, and the
driver-only ones after a write, projections.quick and projections.quick_pg): the client states
replayed in memory, each read model's fingerprint computed once per process, which events a
catch-up may apply (``settled``), and the refusal naming a client whose history does not replay."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any
from uuid import UUID

from ledger.store.errors import DamagedHistory, inconsistent_history, replay_failures
from projections.base import Projection

STATE_CACHE = 4000  # client states kept in memory between batches (the clients active at one time)


class ClientStates:
    """Clients replayed in memory, advanced event by event; a miss reloads from the event store, and
    a state behind reads only the events it lacks. A state is known by its client and version (the
    state after that event), so states kept from one catch-up to the next (``states_for``) stay right
    whoever applied the events between."""

    def __init__(self, app: Any, maxsize: int = STATE_CACHE) -> None:
        self.app = app
        self.maxsize = maxsize
        self._states: OrderedDict[UUID, Any] = OrderedDict()

    def advance(self, ev: Any) -> Any:
        client_id = ev.originator_id
        client = self._states.pop(client_id, None)
        try:
            v = ev.originator_version
            if client is not None and client.version < v - 1:
                # another process applied the events between (D51): read only those, not the whole history
                for earlier in self.app.events.get(client_id, gt=client.version, lte=v - 1):
                    client = earlier.mutate(client)
            if client is None or client.version not in (v - 1, v):
                client = None if v == 1 else self.app.repository.get(client_id, version=v - 1, projector_func=_replay)
            if client is None or client.version == v - 1:
                client = ev.mutate(client)
            # else the state holds this event already (``seed``: the state its own command saved)
        except replay_failures() as e:
            raise named(self.app, inconsistent_history(client_id, e)) from None
        self._states[client_id] = client
        if len(self._states) > self.maxsize:
            self._states.popitem(last=False)
        return client

    def lacking(self, firsts: dict[UUID, int]) -> dict[UUID, tuple[int, int]]:
        """Of the clients a batch touches (each with the version of its first event there), those
        whose kept state is behind the event before it: (the state's version, that event's)."""
        out = {}
        for client_id, v in firsts.items():
            client = self._states.get(client_id)
            if client is not None and client.version < v - 1:
                out[client_id] = (client.version, v - 1)
        return out

    def forward(self, events: list[Any]) -> None:
        """Move kept states on through the events ``lacking`` named, read in one query (D51): each
        event that follows its client's state; a state that an event does not follow, or that does
        not replay, is dropped, and ``advance`` reads and names it as it does any missing state."""
        for ev in events:
            client = self._states.get(ev.originator_id)
            if client is None:
                continue
            try:
                if client.version != ev.originator_version - 1:
                    raise ValueError("not the next version")
                ev.mutate(client)
            except (ValueError, *replay_failures()):
                self._states.pop(ev.originator_id, None)

    def seed(self, client: Any) -> None:
        """A client's state as its command just saved it (the state after its last event)."""
        self._states.pop(client.id, None)
        self._states[client.id] = client
        if len(self._states) > self.maxsize:
            self._states.popitem(last=False)

    def take(self, client_id: UUID) -> Any:
        """A kept state handed over whole (``ledger.client_cache``: a command starts from it; it comes
        back through its save, ``seed``), or None."""
        return self._states.pop(client_id, None)

    def clear(self) -> None:
        self._states.clear()


def _replay(client: Any, events: Any) -> Any:
    """The library's projector without its per-event protocol ``isinstance`` (as
    ``ledger.client_cache.replay``, D59): a state read again in full replays fast."""
    for event in events:
        client = event.mutate(client)
    return client


def states_for(app: Any) -> ClientStates:
    """The client states a ledger object's catch-ups share: a process that writes and catches up
    again and again (an import's lines, a long-running writer) replays each client once, not once
    per catch-up. The client a command just saved outside a session (``CertLedger._commit`` leaves
    it as ``_saved_client``) is taken as the state after its last event (``seed``): the catch-up
    after a write does not load and replay that client again (D54). Safe because the save succeeded:
    the stored events of that client up to its version are exactly those its state went through
    (the ones it was loaded from, then its own, each version unique in the store), and its state
    after triggering them is the state replaying them gives, what the import's gathered rows (D14)
    and the library's own aggregate cache rely on too. ``advance`` uses it only for the event of
    that very version, and moves it on through later events like any state kept."""
    states = getattr(app, "_read_model_states", None)
    if states is None:
        states = app._read_model_states = ClientStates(app)
    saved = app.__dict__.pop("_saved_client", None)
    if saved is not None:
        states.seed(saved)
    return states


def named(app: Any, e: DamagedHistory, position: int | None = None) -> DamagedHistory:
    """The refusal naming the client by its USCC (read models know events by the client's id)."""
    return e.naming(app.client_label(e.client) if isinstance(e.client, UUID) else e.client, position)


def settled(notifications: list[Any], start: int, final: int) -> list[Any]:
    """The leading notifications that no open transaction can still precede: each the id right after
    the previous one (``start`` first), or at or below ``final`` (every id up to which is committed or
    never will be). The first gap above ``final`` ends them."""
    ready = []
    expected = start + 1
    for n in notifications:
        if n.id != expected and n.id > final:
            break
        ready.append(n)
        expected = n.id + 1
    return ready


_FINGERPRINTS: dict[str, str] = {}  # the code's fingerprint of each read model, once per process


def code_fingerprint(projection: Projection) -> str:
    """The projection's fingerprint (projections/catalogue.py), computed once per process: the files
    that shape the rows do not change under a running process, and a catch-up after every write
    would otherwise hash and glob them all again (the largest part of a write's catch-up)."""
    found = _FINGERPRINTS.get(projection.name)
    if found is None:
        found = _FINGERPRINTS[projection.name] = projection.fingerprint()
    return found


def code_fingerprints(projections: list[Projection]) -> dict[str, str]:
    """``code_fingerprint`` of each, those not known yet computed together (``catalogue.fingerprints``:
    each folder listed and each file's ``stat`` taken once for all of them, D54)."""
    missing = [p for p in projections if p.name not in _FINGERPRINTS]
    if missing:
        from projections import catalogue

        own = [p for p in missing if type(p).fingerprint is Projection.fingerprint]
        _FINGERPRINTS.update(catalogue.fingerprints({p.name: p.extra_fingerprint() for p in own}))
        for p in missing:
            if p not in own:  # a read model with a fingerprint of its own making
                _FINGERPRINTS[p.name] = p.fingerprint()
    return {p.name: _FINGERPRINTS[p.name] for p in projections}
