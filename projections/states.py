"""What every catch-up shares, without SQLAlchemy (the general one, projections.runner, and the
driver-only one after a write, projections.quick): the client states replayed in memory, each read
model's fingerprint computed once per process, and the refusal naming a client whose history does
not replay."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any
from uuid import UUID

from ledger.store.errors import DamagedHistory, inconsistent_history, replay_failures
from projections.base import Projection

STATE_CACHE = 4000  # client states kept in memory between batches (the clients active at one time)


class ClientStates:
    """Clients replayed in memory, advanced event by event; a miss reloads from the event store.
    A state is known by its client and version (the state after that event), so states kept from
    one catch-up to the next (``states_for``) stay right whoever applied the events between."""

    def __init__(self, app: Any, maxsize: int = STATE_CACHE) -> None:
        self.app = app
        self.maxsize = maxsize
        self._states: OrderedDict[UUID, Any] = OrderedDict()

    def advance(self, ev: Any) -> Any:
        client_id = ev.originator_id
        client = self._states.pop(client_id, None)
        try:
            v = ev.originator_version
            if client is None or client.version not in (v - 1, v):
                client = None if v == 1 else self.app.repository.get(client_id, version=v - 1)
            if client is None or client.version == v - 1:
                client = ev.mutate(client)
            # else the state holds this event already (``seed``: the state its own command saved)
        except replay_failures() as e:
            raise named(self.app, inconsistent_history(client_id, e)) from None
        self._states[client_id] = client
        if len(self._states) > self.maxsize:
            self._states.popitem(last=False)
        return client

    def seed(self, client: Any) -> None:
        """A client's state as its command just saved it (the state after its last event)."""
        self._states.pop(client.id, None)
        self._states[client.id] = client
        if len(self._states) > self.maxsize:
            self._states.popitem(last=False)

    def clear(self) -> None:
        self._states.clear()


def states_for(app: Any) -> ClientStates:
    """The client states a ledger object's catch-ups share: a process that writes and catches up
    again and again (an import's lines, a long-running writer) replays each client once, not once
    per catch-up."""
    states = getattr(app, "_read_model_states", None)
    if states is None:
        states = app._read_model_states = ClientStates(app)
    return states


def named(app: Any, e: DamagedHistory, position: int | None = None) -> DamagedHistory:
    """The refusal naming the client by its USCC (read models know events by the client's id)."""
    return e.naming(app.client_label(e.client) if isinstance(e.client, UUID) else e.client, position)


_FINGERPRINTS: dict[str, str] = {}  # the code's fingerprint of each read model, once per process


def code_fingerprint(projection: Projection) -> str:
    """The projection's fingerprint (projections/catalogue.py), computed once per process: the files
    that shape the rows do not change under a running process, and a catch-up after every write
    would otherwise hash and glob them all again (the largest part of a write's catch-up)."""
    found = _FINGERPRINTS.get(projection.name)
    if found is None:
        found = _FINGERPRINTS[projection.name] = projection.fingerprint()
    return found
