"""The catch-up after a write on PostgreSQL with psycopg alone (projections.quick_pg, D51), and what
came with it: the same rows as a rebuild; taken by ``execute`` after a write without the general
path (a write command in a fresh process imports no SQLAlchemy); not taken, nothing written,
whenever the read models are not in the state it handles (a table dropped by another process is
then recreated by the general path); left to a catch-up holding the turn, which the save itself
sees (``catch_up_running``); with eight writer processes, the read models at the log's last event
when they are done, with no catch-up after them; the save's single pipeline refusing a conflict as
before; and the register read at every write seeing what another process committed."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import traceback
from datetime import date
from typing import Any

import psycopg
import pytest

from aggregates.errors import RuleViolation
from aggregates.policy.people import id_check_character
from aggregates.uscc import make_uscc
from ledger.people_actor import RULE as WRITER_RULE
from tests.integration.test_crash_safety import assert_read_models_agree
from tests.refusals import refused
from tests.staff import ADMIN, register_admin

pytestmark = pytest.mark.postgres

DAY = date(2026, 3, 2)
USCC = "91330100716105852F"
WRITERS = 8
SHARED = make_uscc("91330100QKPGWR000")


def own_client(p: int) -> str:
    return make_uscc(f"91330100QKPGWR{p + 1:03d}")


def connect(app: Any) -> Any:
    """A connection of its own to the ledger's database, the ledger's schema first on the path."""
    from ledger.store import backend_for

    backend = backend_for(app.env)
    conn = backend._connect(autocommit=True)
    conn.execute(psycopg.sql.SQL("SET search_path TO {}").format(psycopg.sql.Identifier(backend.schema)))
    return conn


def dump(app: Any) -> dict[str, list[tuple]]:
    """Every read-model table's rows, sorted (the tracking rows without their time)."""
    with connect(app) as conn:
        names = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'rm_%'")]
        out = {}
        for name in sorted(names):
            sql = "SELECT name, position, fingerprint FROM rm_tracking" if name == "rm_tracking" else f'SELECT * FROM "{name}"'
            out[name] = sorted(conn.execute(sql).fetchall(), key=repr)
        return out


def positions(app: Any) -> dict[str, int]:
    with connect(app) as conn:
        return dict(conn.execute("SELECT name, position FROM rm_tracking").fetchall())


def submit(app: Any, uscc: str = USCC, actor: str = ADMIN) -> None:
    app.submit_application(client=uscc, name="杭州某科技有限公司", address="杭州市西湖区", scheme="zgc-ru015", scope="企业质量信用管理",
                           site=[{"name": "总部", "address": "杭州市西湖区"}], headcount=30, actor=actor, on=DAY)


def complaint(app: Any, actor: str = ADMIN, uscc: str = USCC, who: str = "顾客") -> None:
    app.receive_complaint(client=uscc, complainant=who, subject="交货延迟", actor=actor, on=DAY)


@pytest.fixture
def ledger(pg_url):
    from ledger.bootstrap import bootstrap
    from projections import dispose

    app = bootstrap(pg_url)
    app.update_read_models()  # the read models exist, at the first event
    yield app
    dispose(app)
    app.close()


def test_the_driver_alone_stores_exactly_what_a_rebuild_stores(ledger):
    from ledger.demo import play
    from projections.quick_pg import after_write

    play(ledger, to_the_end=True)  # the demo's whole year: people, the body, every area's events
    last = ledger.recorder.max_notification_id()
    assert 300 < last < 1000
    assert after_write(ledger) is True
    assert set(positions(ledger).values()) == {last}
    quick = dump(ledger)
    assert len(quick) == 8 and all(quick.values())  # every read model's table filled, not just the trail
    ledger.rebuild_read_models()
    assert dump(ledger) == quick


def test_a_write_catches_up_without_the_general_path(ledger, monkeypatch):
    from projections import runner

    submit(ledger)
    ledger.update_read_models()

    def general(*args, **kwargs):
        raise AssertionError("the general catch-up ran")

    monkeypatch.setattr(runner, "catch_up", general)
    ledger.execute("complaint receive", {"client": USCC, "complainant": "顾客", "subject": "交货延迟"}, actor=ADMIN)
    last = ledger.recorder.max_notification_id()
    assert set(positions(ledger).values()) == {last}
    with connect(ledger) as conn:
        assert conn.execute("SELECT events FROM rm_client_summaries").fetchone() == (ledger.client(USCC).version,)
        assert conn.execute("SELECT type FROM rm_audit_trail WHERE position = %s", (last,)).fetchone() == ("ComplaintReceived",)


@pytest.mark.parametrize("damage", ["fingerprint", "table", "positions", "tracking row"])
def test_read_models_it_does_not_handle_are_left_to_the_general_path_untouched(ledger, damage):
    """Another process changed the read models' tables between two writes (a table dropped: the
    quick path keeps no list of tables, its statement fails and nothing is written)."""
    from projections.quick_pg import after_write

    submit(ledger)
    ledger.update_read_models()
    complaint(ledger)
    with connect(ledger) as conn:
        if damage == "fingerprint":  # the code that shapes the rows changed: a rebuild is due
            conn.execute("UPDATE rm_tracking SET fingerprint = 'old' WHERE name = 'deadlines'")
        elif damage == "table":
            conn.execute("DROP TABLE rm_open_nonconformities")
        elif damage == "positions":  # one read model behind the others (a rebuild of it alone, say)
            conn.execute("UPDATE rm_tracking SET position = 1 WHERE name = 'register'")
        else:  # a read model not created yet
            conn.execute("DELETE FROM rm_tracking WHERE name = 'summaries'")
    before = dump(ledger)
    assert after_write(ledger) is False
    assert dump(ledger) == before  # nothing written
    ledger.update_read_models(after_write=True)  # the general path mends it
    assert set(positions(ledger).values()) == {ledger.recorder.max_notification_id()}
    assert "rm_open_nonconformities" in dump(ledger)


def test_a_catch_up_holding_the_turn_is_left_the_events_and_the_save_sees_it(ledger):
    from ledger.store import advisory
    from ledger.store.applied_pg import catch_up_turn_key
    from projections.quick_pg import after_write

    submit(ledger)
    ledger.update_read_models()
    before = positions(ledger)
    with connect(ledger) as other, other.transaction():  # another process's catch-up holds the turn
        other.execute(f"SELECT pg_advisory_xact_lock({advisory.CATCH_UP}, hashtext(%s))", (catch_up_turn_key(ledger.recorder.datastore.schema),))
        complaint(ledger)
        assert ledger.recorder.catch_up_running is True  # seen by the save, after its commit
        assert after_write(ledger) is True
        assert ledger.recorder.catch_up_running is False  # taken once
        complaint(ledger, who="顾客二")
        assert after_write(ledger) is True  # the catch-up's own try at the turn finds it held too
    assert positions(ledger) == before  # left to the holder, which reads the log again once it lets go
    with connect(ledger) as other, other.transaction():  # the general path's holder: the tracking rows
        other.execute("SELECT * FROM rm_tracking FOR UPDATE")
        complaint(ledger, who="顾客三")
        assert ledger.recorder.catch_up_running is False
        assert after_write(ledger) is True
    assert positions(ledger) == before
    assert after_write(ledger) is True  # nobody holds anything now: applied
    assert set(positions(ledger).values()) == {ledger.recorder.max_notification_id()}


def test_a_conflicting_save_is_refused_as_before_and_nothing_is_held(ledger):
    """The save sends its commit in the same pipeline as the insert (D51): a conflict fails the
    insert, the library's IntegrityError is raised, the connection is usable and the table free."""
    from eventsourcing.persistence import IntegrityError, StoredEvent

    from aggregates.uscc import client_id_for

    submit(ledger)
    stored = ledger.recorder.select_events(client_id_for(USCC))
    first = stored[0]
    again = StoredEvent(originator_id=first.originator_id, originator_version=first.originator_version, topic=first.topic,
                        state=first.state)
    with pytest.raises(IntegrityError):
        ledger.recorder.insert_events([again])
    complaint(ledger)  # the next save goes through, on the same pool
    with connect(ledger) as conn:
        assert conn.execute("SELECT count(*) FROM pg_locks WHERE relation = to_regclass('certledger_events') "
                            "AND mode = 'ExclusiveLock'").fetchone() == (0,)
    assert [e.originator_version for e in ledger.recorder.select_events(client_id_for(USCC))] == list(range(1, len(stored) + 2))


def test_a_write_command_in_a_fresh_process_imports_no_sqlalchemy(ledger, pg_url, tmp_path):
    submit(ledger)
    ledger.update_read_models()
    code = ("import sys\nsys.argv=['certledger','--db'," + repr(pg_url) + ",'complaint','receive','--client'," + repr(USCC) + ","
            "'--complainant','顾客','--subject','交货延迟']\nfrom cli.main import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('sqlalchemy' in sys.modules)")
    env = {**os.environ, "CERTLEDGER_ACTOR": ADMIN, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("CERTLEDGER_LOG_LEVEL", None)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "投诉已记录" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "False"
    assert set(positions(ledger).values()) == {ledger.recorder.max_notification_id()}


def write_through_execute(db: str, p: int, commands: int, barrier: Any, results: Any) -> None:
    """Writer ``p``: complaints as a write command records them (``execute``: the save, then the
    catch-up after the write), alternately on the shared client and on its own."""
    out: list[tuple[str, str]] = []
    try:
        from ledger.bootstrap import bootstrap

        app = bootstrap(db, existing=True)
        barrier.wait(timeout=120)
        for k in range(commands):
            fields = {"client": SHARED if k % 2 == 0 else own_client(p), "complainant": f"P{p}-{k}", "subject": "并发写入测试",
                      "on": DAY.isoformat()}
            try:
                app.execute("complaint receive", fields, actor=f"写入者{p}")
                out.append((f"P{p}-{k}", "ok"))
            except RuleViolation as e:
                out.append((f"P{p}-{k}", e.rule))
        app.close()
    except Exception:  # noqa: BLE001 - reported to the test, which fails on it
        barrier.abort()
        out.append(("", traceback.format_exc()))
    results.put(out)


def test_eight_writers_leave_the_read_models_at_the_last_event_with_no_catch_up_after_them(pg_url):
    """Each writer's catch-up after its write applies its events, or leaves them to a catch-up that
    holds the turn and reads the log again once it lets go (D36, D51): when every writer is done,
    the read models are at the log's last event before anything else catches up, and agree with a
    replay and a rebuild."""
    from ledger.bootstrap import bootstrap
    from projections import catch_up, dispose

    setup = bootstrap(pg_url)
    for uscc in [SHARED] + [own_client(p) for p in range(WRITERS)]:
        submit(setup, uscc)
    catch_up(setup)
    dispose(setup)
    setup.close()
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(WRITERS), ctx.Queue()
    procs = [ctx.Process(target=write_through_execute, args=(pg_url, p, 20, barrier, results)) for p in range(WRITERS)]
    for proc in procs:
        proc.start()
    outcomes = [row for _ in procs for row in results.get(timeout=600)]
    for proc in procs:
        proc.join(timeout=60)
    assert {outcome for _, outcome in outcomes} <= {"ok", "ledger: concurrent writes"}, outcomes
    app = bootstrap(pg_url, existing=True)
    try:
        last = app.recorder.max_notification_id()
        assert set(positions(app).values()) == {last}  # no catch-up ran since the writers
        stored = [e.complainant for c in [SHARED] + [own_client(p) for p in range(WRITERS)] for e in app.events.get(app.client(c).id)
                  if type(e).__name__ == "ComplaintReceived"]
        assert sorted(stored) == sorted(tag for tag, outcome in outcomes if outcome == "ok")
        assert_read_models_agree(app)
    finally:
        dispose(app)
        app.close()


def test_the_register_read_at_each_write_sees_what_another_process_committed(pg_url):
    """The register is read before every write in one round trip (D51): a role granted, then
    withdrawn, by another process is seen by this one's next write."""
    from ledger.bootstrap import bootstrap
    from projections import dispose

    here, there = bootstrap(pg_url), bootstrap(pg_url, existing=True)
    try:
        register_admin(here, on=DAY)
        submit(here)
        number = "11010519900101004" + id_check_character("11010519900101004")
        there.register_person(name="赵六", number=number, actor=ADMIN, on=DAY)
        e = refused(here, lambda: complaint(here, actor="赵六"), WRITER_RULE)  # registered, no role yet
        assert "赵六" in e.message_zh
        there.grant_roles(person="赵六", role=["auditor"], actor=ADMIN, on=DAY)
        complaint(here, actor="赵六")  # the grant is seen
        there.withdraw_roles(person="赵六", role=["auditor"], reason="调岗", actor=ADMIN, on=DAY)
        refused(here, lambda: complaint(here, actor="赵六", who="顾客二"), WRITER_RULE)
    finally:
        for app in (here, there):
            dispose(app)
            app.close()


def test_the_quick_catch_up_never_passes_an_id_a_slower_writer_still_holds(pg_url, monkeypatch):
    """Without the table lock (``db_functions=y``) a slower transaction can commit below an id
    already visible (issue 18, item 3): the catch-up after the fast write stops short of it, with
    no wait longer than the one it is given, and applies both once the slow one commits."""
    from ledger.bootstrap import bootstrap
    from projections import dispose
    from projections import quick_pg
    from tests.integration.test_out_of_order_commits import HeldOpen

    monkeypatch.setattr(quick_pg, "WRITERS_WAIT", 0.2)
    slow_app, fast_app = (bootstrap(pg_url + "&db_functions=y") for _ in range(2))
    try:
        for uscc in (USCC, SHARED):
            submit(slow_app, uscc)
        fast_app.update_read_models()
        start = positions(fast_app)
        slow = HeldOpen(slow_app, USCC, "慢")
        try:
            complaint(fast_app, uscc=SHARED, who="快")
            last = fast_app.recorder.max_notification_id()
            assert slow.ids[0] < last
            assert quick_pg.after_write(fast_app) is True  # handled here, not left to the general path
            assert positions(fast_app) == start  # stopped short of the slow id: nothing passed it
        finally:
            slow.commit()
        assert quick_pg.after_write(fast_app) is True
        assert set(positions(fast_app).values()) == {last}
        assert_read_models_agree(fast_app)
    finally:
        for app in (slow_app, fast_app):
            dispose(app)
            app.close()


def test_the_register_position_never_moves_past_a_grant_a_slower_writer_still_holds(pg_url, monkeypatch):
    """The register's settled position moves on by the committed horizon only (D51): with the move
    tried at every write, a grant held open below an id already read is still seen once committed."""
    from ledger import people
    from ledger.bootstrap import bootstrap
    from projections import dispose
    from tests.integration.test_out_of_order_commits import HeldOpenGrant

    monkeypatch.setattr(people, "REGISTER_SETTLE", 0)
    slow_app, fast_app, reader = (bootstrap(pg_url + "&db_functions=y") for _ in range(3))
    try:
        register_admin(slow_app, on=DAY)
        submit(slow_app)
        number = "11010519900101004" + id_check_character("11010519900101004")
        slow_app.register_person(name="赵六", number=number, actor=ADMIN, on=DAY)
        assert not reader.find_person("赵六").roles  # read, and the position moved on
        slow = HeldOpenGrant(slow_app, "赵六", "auditor")
        try:
            complaint(fast_app)  # a higher id, committed
            assert slow.ids[0] < fast_app.recorder.max_notification_id()
            assert not reader.find_person("赵六").roles  # not committed yet; the position stays below it
            assert reader.__dict__["_register_of_people"].position < slow.ids[0]
        finally:
            slow.commit()
        assert list(reader.find_person("赵六").roles) == ["auditor"]  # seen, though no higher id came since
    finally:
        for app in (slow_app, fast_app, reader):
            dispose(app)
            app.close()


def test_a_kept_state_behind_reads_only_the_events_it_lacks_in_one_query(pg_url, monkeypatch):
    """Another process applied a client's events after this one last kept its state: the catch-up
    reads the events between for every such client in one query (D51), replays nobody in full, and
    writes what a rebuild writes."""
    from ledger.bootstrap import bootstrap
    from projections import dispose
    from projections.quick_pg import after_write

    here, there = bootstrap(pg_url), bootstrap(pg_url, existing=True)
    try:
        here.update_read_models()  # the read models created
        for uscc in (USCC, SHARED):
            submit(here, uscc)
        assert after_write(here) is True  # here keeps both clients' states
        for k in range(3):  # applied by the other process's catch-ups
            complaint(there, uscc=USCC, who=f"甲{k}")
            complaint(there, uscc=SHARED, who=f"乙{k}")
            assert after_write(there) is True
        complaint(there, uscc=USCC, who="丙")
        complaint(there, uscc=SHARED, who="丁")
        reads = []
        real_get = here.repository.get
        real_events = here.events.get
        monkeypatch.setattr(here.repository, "get", lambda *a, **k: reads.append(a) or real_get(*a, **k))
        monkeypatch.setattr(here.events, "get", lambda *a, **k: reads.append(a) or real_events(*a, **k))
        assert after_write(here) is True
        assert reads == []  # no client replayed from its first event, none read on its own
        assert set(positions(here).values()) == {here.recorder.max_notification_id()}
        quick = dump(here)
        here.rebuild_read_models()
        assert dump(here) == quick
    finally:
        for app in (here, there):
            dispose(app)
            app.close()
