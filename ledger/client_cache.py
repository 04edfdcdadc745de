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

What a cache cannot see: an event altered in the store after this process replayed it (by its
owner, behind the ledger's back) is found by ``certledger verify`` and by the next process, as a
session's clients held in memory never saw it either."""

from __future__ import annotations

import pickle
from collections import OrderedDict
from typing import Any, Iterable
from uuid import UUID

CLIENT_CACHE = 256  # clients kept per process (a client of 150 events pickles to about 15 kB)


def replay(client: Any, events: Iterable[Any]) -> Any:
    """The library's projector (``eventsourcing.application.project_aggregate``) without its
    per-event ``assert isinstance(event, CanMutateProtocol)``: on Python 3.11 an ``isinstance``
    against a runtime-checkable protocol walks the protocol's attributes every time (15 µs an
    event, a tenth of a replay), and every event the ledger's mapper gives is a domain event whose
    ``mutate`` is called next anyway (D59)."""
    for event in events:
        client = event.mutate(client)
    return client


class ClientCache:
    """A bounded, most-recently-used store of pickled clients, each at the version its events gave."""

    def __init__(self, maxsize: int = CLIENT_CACHE) -> None:
        self.maxsize = maxsize
        self._held: OrderedDict[UUID, bytes] = OrderedDict()

    def __len__(self) -> int:
        return len(self._held)

    def __contains__(self, client_id: object) -> bool:
        return client_id in self._held

    def load(self, app: Any, client_id: UUID) -> Any:
        """The client as its stored events leave it now: its kept copy and the events after it, or
        a full replay (``app.repository.get``). Raises what a replay raises (not found, damaged)."""
        held = self._held.get(client_id)
        if held is None:
            client = app.repository.get(client_id, projector_func=replay)
        else:
            client = pickle.loads(held)
            version = client.version
            try:
                for ev in app.events.get(client_id, gt=version):
                    client = ev.mutate(client)
            except BaseException:
                self._held.pop(client_id, None)
                raise
            if client.version == version:  # nothing new: the copy stands
                if client_id in self._held:
                    self._held.move_to_end(client_id)
                return client
        self._keep(client_id, client)
        return client

    def _keep(self, client_id: UUID, client: Any) -> None:
        if self.maxsize < 1:
            return
        try:
            self._held[client_id] = pickle.dumps(client, protocol=pickle.HIGHEST_PROTOCOL)
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
