"""A client the cache does not hold is replayed with ``ledger.client_cache.replay`` (the library's
projector without its per-event protocol check, D59): the same client as the library's own
replay, on SQLite and PostgreSQL, and a failure inside an event's ``mutate`` still surfaces."""

from __future__ import annotations

import pytest

from aggregates.uscc import client_id_for
from ledger.client_cache import ClientCache, replay
from tests.integration.test_people import ZGC, _audited, _contracted, _staff


def test_a_full_replay_gives_the_librarys_client(app):
    _staff(app)
    _contracted(app, ZGC, "zgc-ru015")
    _audited(app, ZGC, "zgc-ru015")
    client_id = client_id_for(ZGC)
    ours = ClientCache().load(app, client_id)
    library = app.repository.get(client_id)
    assert ours is not library and vars(ours) == vars(library) and ours.version == library.version > 5


def test_replay_applies_each_event_in_order_and_lets_a_failure_through():
    class Event:
        def __init__(self, n):
            self.n = n

        def mutate(self, state):
            if self.n == "bad":
                raise ValueError("damaged")
            return (state or []) + [self.n]

    assert replay(None, [Event(1), Event(2), Event(3)]) == [1, 2, 3]
    with pytest.raises(ValueError, match="damaged"):
        replay(None, [Event(1), Event("bad")])
