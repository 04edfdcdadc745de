"""A command starts from the live client its ledger object last saved or caught up (D64,
ledger/client_cache.py): the object is handed over, never shared with the read models' states, and
comes back only through a successful save. A command refused after changing the client leaves
nothing behind (neither the next command nor the read models see its change); another ledger
object's writes in between are read; the pickled copy is taken again only when it lags RENEW
events behind. On SQLite and PostgreSQL, through ``execute`` as the command line runs commands."""

from __future__ import annotations

from datetime import date

import pytest

from aggregates.errors import RuleViolation
from aggregates.uscc import client_id_for
from ledger.client_cache import RENEW, replay
from tests.integration.test_ledger_persistence import USCC, apply
from tests.integration.test_summary_incremental import rebuilt, stored

DAY = date(2026, 1, 6)
CID = client_id_for(USCC)


def receive(app, who: str) -> None:
    app.execute("complaint receive", {"client": USCC, "complainant": who, "subject": "服务", "on": DAY.isoformat()}, actor="admin")


def from_scratch(app):
    return replay(None, app.events.get(CID))


def test_the_live_client_is_handed_over_and_a_refused_change_leaves_nothing(app):
    apply(app)
    app.update_read_models()  # the read models built: the catch-up after the next write is the quick one
    receive(app, "甲")
    states = app._read_model_states
    live = states._states.get(CID)
    assert live is not None and live.version == from_scratch(app).version  # the catch-up's state of it

    taken = []

    def changed_then_refused(client):
        taken.append(client)
        assert states._states.get(CID) is not client and app.__dict__.get("_saved_client") is not client
        client.receive_complaint(complainant="不应留下", subject="服务", actor="admin", occurred_on=DAY)
        raise RuleViolation("test: refused after a change", "拒绝", "refused")

    before = app.event_count()
    with pytest.raises(RuleViolation):
        app._run(USCC, "complaint receive", changed_then_refused)
    assert taken[0] is live  # the command started from the live state, not from a copy
    assert app.event_count() == before
    assert CID not in states._states  # the changed object went nowhere
    loaded = app.client(USCC)
    assert loaded is not live and vars(loaded) == vars(from_scratch(app))
    receive(app, "乙")  # the next command and its catch-up: nothing of the refused change
    assert [x["complainant"] for x in from_scratch(app).complaints.values()] == ["甲", "乙"]
    assert stored(app, USCC) == rebuilt(app, USCC)


def test_another_ledger_objects_writes_are_read_over_the_live_client(app, db_url):
    from ledger.bootstrap import bootstrap

    apply(app)
    receive(app, "甲")
    other = bootstrap(db_url, existing=True)
    try:
        for who in ("乙", "丙"):
            other.execute("complaint receive", {"client": USCC, "complainant": who, "subject": "服务", "on": DAY.isoformat()},
                          actor="admin")
    finally:
        other.close()
    receive(app, "丁")
    client = from_scratch(app)
    assert [x["complainant"] for x in client.complaints.values()] == ["甲", "乙", "丙", "丁"]
    assert vars(app.client(USCC)) == vars(client)
    assert stored(app, USCC) == rebuilt(app, USCC)


def test_the_pickled_copy_is_taken_again_only_when_it_lags(app):
    apply(app)
    receive(app, "0")
    kept = app._clients._held[CID][1]
    for n in range(1, RENEW):
        receive(app, str(n))
    assert app._clients._held[CID][1] == kept  # fewer than RENEW events behind: not pickled again
    receive(app, "last")
    receive(app, "after")
    assert app._clients._held[CID][1] > kept
    app._read_model_states.clear()  # no live state: the load starts from the copy and the newer events
    app.__dict__.pop("_saved_client", None)
    assert vars(app.client(USCC)) == vars(from_scratch(app))


def _shape(value, path="", seen=None):
    """``value`` as nested plain data, a container met a second time written as the path where it was
    met first: two states with the same shape hold the same values and share the same objects."""
    seen = {} if seen is None else seen
    if isinstance(value, (dict, list, set)):
        if id(value) in seen:
            return ("shared with", seen[id(value)])
        seen[id(value)] = path
    if isinstance(value, dict):
        return ("dict", [(k, _shape(v, f"{path}/{k}", seen)) for k, v in value.items()])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_shape(v, f"{path}/{i}", seen) for i, v in enumerate(value)])
    if isinstance(value, set):
        return ("set", sorted(map(repr, value)))
    return (type(value).__name__, value)


def test_the_live_client_after_every_command_of_the_demo_is_its_replay_values_and_sharing_alike(app):
    """A command starts from the state the last one left (D64), so that state must be exactly what a
    replay of the stored events gives: the same values, types and key order, and no object shared
    between two places of the state unless a replay shares it too (an ``apply`` that changed a list in
    place would otherwise change another place too, in a long-running writer only)."""
    from ledger.demo import play

    commits = []
    plain = app._commit

    def compared(client):
        plain(client)
        if app._uow is None:
            state = {k: v for k, v in vars(client).items() if k != "_pending_events"}
            replayed = {k: v for k, v in vars(replay(None, app.events.get(client.id))).items() if k != "_pending_events"}
            assert _shape(state) == _shape(replayed), (client.uscc, client.version)
            commits.append(client.version)

    app._commit = compared
    play(app, date(2026, 12, 6), to_the_end=True)  # as ``certledger demo`` plays it: changes, cases, reports too
    assert len(commits) > 300, len(commits)
