"""Loads that do not replay a client's whole history (D52, ledger/client_cache.py): a ledger object
keeps each client as its stored events left it and reads only the newer events. What a command
changed and did not save never comes back from the cache (a refusal, a failed save, a conflict);
another process's events are seen; a damaged newer event is refused as a full replay refuses it;
the cache holds at most its size. On SQLite and PostgreSQL, with real processes for the other
writer. (Upcasting on the cached road: tests/integration/test_event_evolution.py loads a client,
stores an old-shaped event behind it and loads again.)"""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path

import pytest

from aggregates.errors import RuleViolation
from aggregates.uscc import client_id_for, make_uscc
from ledger.store.errors import DamagedHistory
from tests.integration.test_crash_safety import certledger_command
from tests.integration.test_ledger_persistence import USCC, apply
from tests.owner import Owner

ROOT = Path(__file__).resolve().parents[2]
DAY = date(2026, 1, 6)


def complainants(app, uscc=USCC) -> list[str]:
    return [row["fields"]["complainant"] for row in app.history(uscc) if "complainant" in row["fields"]]


def replayed(db_url: str, uscc: str = USCC):
    """The client as a fresh ledger object replays it from all its events."""
    from ledger.bootstrap import bootstrap

    other = bootstrap(db_url, existing=True)
    try:
        return other.repository.get(client_id_for(uscc))
    finally:
        other.close()


def another_process_receives(db_url: str, complainant: str, uscc: str = USCC) -> None:
    r = subprocess.run([*certledger_command(), "--db", db_url, "--actor", "admin", "complaint", "receive", "--client", uscc,
                        "--complainant", complainant, "--subject", "另一进程", "--on", DAY.isoformat()],
                       capture_output=True, text=True, cwd=ROOT, env={**os.environ}, timeout=120)
    assert r.returncode == 0, r.stderr


def test_a_refused_command_then_a_good_one(app, db_url):
    apply(app)
    app.client(USCC)  # the client is now kept
    assert client_id_for(USCC) in app._clients
    before = app.event_count()
    with pytest.raises(RuleViolation):
        apply(app)  # refused by the client's own check: an application is pending

    def changed_then_refused(client):
        client.receive_complaint(complainant="不应留下", subject="服务", actor="admin", occurred_on=DAY)
        raise RuleViolation("test: refused after a change", "拒绝", "refused")

    with pytest.raises(RuleViolation):
        app._run(USCC, "complaint receive", changed_then_refused)
    assert app.event_count() == before
    assert complainants(app) == []
    app.receive_complaint(client=USCC, complainant="顾客", subject="服务", actor="admin", on=DAY)
    assert complainants(app) == ["顾客"]
    assert vars(app.client(USCC)) == vars(replayed(db_url))


def test_a_conflict_from_another_process_then_a_retry_that_sees_its_event(app, db_url):
    """On PostgreSQL a command holds its client's turn from its load to its save (D60), so the other
    process's write cannot come between them: it queues (seen in ``pg_locks``) and commits after this
    one, and the next load reads its event."""
    apply(app)
    version = app.client(USCC).version
    loaded = []
    queued: list[subprocess.Popen] = []
    postgres = db_url.startswith("postgresql")

    def receive(client):
        loaded.append(client.version)
        if len(loaded) == 1 and not postgres:  # another process commits to this client between this load and its save
            another_process_receives(db_url, "另一进程")
        elif len(loaded) == 1:
            from tests.integration.test_pg_write_turn import receive as command, wait_for_waiters

            queued.append(subprocess.Popen(command(db_url, USCC, "另一进程"), cwd=ROOT, stderr=subprocess.PIPE, text=True))
            wait_for_waiters(app, USCC, "ExclusiveLock", queued)
        return client.receive_complaint(complainant="本进程", subject="服务", actor="admin", occurred_on=DAY)

    app._run(USCC, "complaint receive", receive)
    if postgres:
        assert queued[0].wait(timeout=120) == 0, queued[0].stderr.read()
        assert loaded == [version]  # no conflict, no retry
        assert complainants(app) == ["本进程", "另一进程"]
    else:
        assert loaded == [version, version + 1]  # the retry's load read the other's event
        assert complainants(app) == ["另一进程", "本进程"]
    assert vars(app.client(USCC)) == vars(replayed(db_url))


def test_a_session_whose_save_fails_keeps_nothing_it_changed(app, db_url):
    apply(app)
    app.client(USCC)
    with pytest.raises(RuleViolation) as e:
        with app.session():
            app.receive_complaint(client=USCC, complainant="会话", subject="服务", actor="admin", on=DAY)
            another_process_receives(db_url, "另一进程")
    assert e.value.rule == "ledger: concurrent writes"
    assert client_id_for(USCC) not in app._clients  # forgotten with the session's copies
    assert complainants(app) == ["另一进程"]
    assert vars(app.client(USCC)) == vars(replayed(db_url))


def test_a_damaged_newer_event_is_refused_as_a_full_replay_refuses_it(app, db_url):
    apply(app)
    version = app.client(USCC).version  # kept at this version
    another_process_receives(db_url, "另一进程")
    owner = Owner(app, db_url)
    owner.drop_triggers()
    owner.sql("UPDATE EVENTS SET topic = 'aggregates.client:Client.Withdrawn' WHERE originator_id = ? AND originator_version = ?",
              (client_id_for(USCC).hex if owner.sqlite else client_id_for(USCC), version + 1))
    with pytest.raises(DamagedHistory) as cached:
        app.client(USCC)
    assert client_id_for(USCC) not in app._clients
    from ledger.bootstrap import bootstrap

    fresh = bootstrap(db_url, existing=True)
    try:
        with pytest.raises(DamagedHistory) as full:
            fresh.client(USCC)
    finally:
        fresh.close()
    assert str(cached.value) == str(full.value) and f"version {version + 1}" in cached.value.message_en


def test_the_cache_holds_at_most_its_size(app, db_url):
    app._clients.maxsize = 2
    codes = [make_uscc(f"91330100CACHE{n:04d}") for n in range(5)]
    for code in codes:
        apply(app, uscc=code)
    for code in codes:
        app.receive_complaint(client=code, complainant=f"顾客{code[-3:]}", subject="服务", actor="admin", on=DAY)
        assert len(app._clients) <= 2
    assert [complainants(app, code) for code in codes] == [[f"顾客{code[-3:]}"] for code in codes]
    assert all(app.client(code).version == replayed(db_url, code).version for code in codes)
