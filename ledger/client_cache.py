"""Clients as their stored events leave them, kept per process so that a load does not replay a
client's whole history again (D52): the benchmark's writers, an import, a test, and a command's
own retry after a concurrent write load the same clients again and again.

What is kept is a pickled copy of a client exactly as its stored events replayed it, taken before
anyone could change it: never a client a command has changed (a command refused by its checks,
a save that failed), never one of a session's unsaved clients. A load unpickles the copy (a new
object every time, so whatever the caller does to it stays with the caller), reads only the events
stored after its version (the library's mapper: the codec's checks and the events' upcasting
apply to them as to a full replay; each event checks that its version follows the client's) and
applies them; then the copy is renewed. A client that is not held is replayed in full from its
events, as before. A replay that fails (a damaged history) drops the client's copy and is
reported by the caller exactly as a full replay's failure (``CertLedger._damaged`` replays again
from the first event to name the event). At most ``maxsize`` clients are kept, the most
recently used; a failed save in a session drops them all (``CertLedger.flush``).

A command outside a session starts, when it can, from the live client itself instead of a copy
(D64): the state its ledger object's previous successful save of that client left
(``CertLedger._commit`` leaves it as ``_saved_client``) or that the read models' catch-up moved on
since through stored events (``projections.states.ClientStates``). That object is *taken* from
where it was, never shared: whoever holds it next is the command, and it comes back only through
the command's successful save. A command refused after changing it, or a save that failed, leaves
it nowhere (the next load unpickles the copy, the catch-up reads the client again). A read through
``CertLedger.client`` takes it the same way (the reader then holds the only reference). The pickled
copy is then taken again only when it lags ``RENEW`` events behind (its loads read the newer
events from the store), not at every load: pickling the benchmark's shared client of 600 events
took 0.9 ms and unpickling it 1.3 ms (D60's figures).

What a cache cannot see: an event altered in the store after this process replayed it (by its
owner, behind the ledger's back) is found by ``certledger verify`` and by the next process, as a
session's clients held in memory never saw it either."""

from __future__ import annotations

import pickle
from collections import OrderedDict
from typing import Any, Iterable
from uuid import UUID

CLIENT_CACHE = 256  # clients kept per process (a client of 150 events pickles to about 15 kB)
RENEW = 16  # events a kept copy may lag behind the client loaded before it is pickled again


def replay(client: Any, events: Iterable[Any]) -> Any:
    """The library's projector (``eventsourcing.application.project_aggregate``) without its
    per-event ``assert isinstance(event, CanMutateProtocol)``: on Python 3.11 an ``isinstance``
    against a runtime-checkable protocol walks the protocol's attributes every time (15 µs an
    event, a tenth of a replay), and every event the ledger's mapper gives is a domain event whose
    ``mutate`` is called next anyway (D59)."""
    for event in events:
        client = event.mutate(client)
    return client


def _take_live(app: Any, client_id: UUID) -> Any:
    """The live client as its stored events left it, taken from where it was (the module's doc): the
    state this ledger object's last save left, or the read models' state of it; None outside a
    command of its own (a session's loads never take it)."""
    if getattr(app, "_uow", None) is not None:
        return None
    found = app.__dict__
    saved = found.get("_saved_client")
    if saved is not None and saved.id == client_id:
        del found["_saved_client"]
        states = found.get("_read_model_states")
        if states is not None:
            states.take(client_id)  # an older state of it, which the save's state replaces
        return saved
    states = found.get("_read_model_states")
    return states.take(client_id) if states is not None else None


class ClientCache:
    """A bounded, most-recently-used store of pickled clients, each at the version its events gave."""

    def __init__(self, maxsize: int = CLIENT_CACHE) -> None:
        self.maxsize = maxsize
        self._held: OrderedDict[UUID, tuple[bytes, int]] = OrderedDict()  # the pickle, its version

    def __len__(self) -> int:
        return len(self._held)

    def __contains__(self, client_id: object) -> bool:
        return client_id in self._held

    def load(self, app: Any, client_id: UUID) -> Any:
        """The client as its stored events leave it now: the live client or its kept copy, and the
        events after it, or a full replay (``app.repository.get``). Raises what a replay raises (not
        found, damaged)."""
        held = self._held.get(client_id)
        client = _take_live(app, client_id)
        if client is None and held is not None:
            client = pickle.loads(held[0])
        if client is None:
            client = app.repository.get(client_id, projector_func=replay)
        else:
            try:
                for ev in app.events.get(client_id, gt=client.version):
                    client = ev.mutate(client)
            except BaseException:
                self._held.pop(client_id, None)
                raise
            if held is not None and client.version - held[1] < RENEW:  # the copy stands
                self._held.move_to_end(client_id)
                return client
        self._keep(client_id, client)
        return client

    def _keep(self, client_id: UUID, client: Any) -> None:
        if self.maxsize < 1:
            return
        try:
            self._held[client_id] = (pickle.dumps(client, protocol=pickle.HIGHEST_PROTOCOL), client.version)
        except (pickle.PicklingError, TypeError, AttributeError):  # a state that does not pickle: loaded in full each time
            self._held.pop(client_id, None)
            return
        self._held.move_to_end(client_id)
        while len(self._held) > self.maxsize:
            self._held.popitem(last=False)

    def drop(self, client_id: UUID | None = None) -> None:
        """Forget one client's copy, or every copy."""
        if client_id is None:
            self._held.clear()
        else:
            self._held.pop(client_id, None)
