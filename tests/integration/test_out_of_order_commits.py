"""Read models never pass an event that a slower transaction will still commit below it (issue 13,
item 3; projections/runner.py, D7 and the decision on the committed horizon).

On PostgreSQL notification ids come from a sequence when a row is inserted and become visible when
the transaction commits. Without the library's table lock (``db_functions=y``) a transaction that
took id n can commit after another that took n+1. These tests hold such a transaction open for
real: a writer inserts a client's event through the library's own insert (its insert function, or
the table lock and INSERT in the default mode) and keeps its transaction open, while another
writer commits a higher id; the catch-up run in between must not pass the lower id, and once the
slow transaction commits (or rolls back) the read models hold exactly what was committed.
"""

from __future__ import annotations

import contextlib
import threading
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from aggregates.uscc import client_id_for, make_uscc
from projections import tables as t
from tests.integration.test_crash_safety import assert_read_models_agree

DAY = date(2026, 11, 2)
SLOW, FAST = make_uscc("91330100LATECM001"), make_uscc("91330100LATECM002")


def register(app: Any, uscc: str) -> None:
    app.submit_application(client=uscc, name=f"乱序提交{uscc[-4:]}有限公司", address="杭州市西湖区", scheme="zgc-ru015",
                           scope="企业质量信用管理", site=[{"name": "总部", "address": "杭州市西湖区"}], headcount=30,
                           actor="张伟", on=DAY)


class HeldOpen:
    """A writer that records a complaint of ``uscc`` through the library's own insert, exactly as
    ``save`` does in the ledger's mode (the insert function with ``db_functions=y``, else the
    EXCLUSIVE table lock and INSERT), but keeps the transaction open until ``commit``/``rollback``."""

    def __init__(self, app: Any, uscc: str, tag: str) -> None:
        client = app.repository.get(client_id_for(uscc))
        client.receive_complaint(complainant=tag, subject="慢事务中的投诉", actor="慢写入者", occurred_on=DAY)
        self.hold(app, client)

    def hold(self, app: Any, aggregate: Any) -> None:
        stored = [app.mapper.to_stored_event(e) for e in aggregate.collect_events()]
        rec = app.recorder
        self._stack = contextlib.ExitStack()
        conn = self._stack.enter_context(rec.datastore.get_connection())
        self._tx = conn.transaction()
        self._tx.__enter__()
        with conn.cursor() as curs:
            if rec.datastore.enable_db_functions:
                events = [rec.construct_pg_stored_event(e.originator_id, e.originator_version, e.topic, e.state) for e in stored]
                curs.execute(rec.sql_invoke_pg_function_insert_events, (events,))
                self.ids = [row[rec.pg_function_name_insert_events] for row in curs.fetchall()]
            else:
                rec._insert_stored_events(curs, stored)  # LOCK TABLE ... IN EXCLUSIVE MODE, NOTIFY, INSERT
                self.ids = [row["notification_id"] for row in curs.fetchall()]

    def commit(self) -> None:
        self._tx.__exit__(None, None, None)
        self._stack.close()

    def rollback(self) -> None:
        self._tx.__exit__(RuntimeError, RuntimeError("rolled back by the test"), None)
        self._stack.close()


@pytest.fixture
def ledger(request):
    """Three ledger objects on one ledger (the slow writer's, the fast writer's, the reader's): a
    PostgreSQL ledger in the mode of ``request.param`` (or a SQLite file, "sqlite"), with the two
    clients registered and caught up."""
    from ledger.bootstrap import bootstrap
    from projections import catch_up, dispose

    if request.param == "sqlite":
        url = request.getfixturevalue("sqlite_url")
    else:
        url = request.getfixturevalue("pg_url") + ("&db_functions=y" if request.param == "db_functions" else "")
    apps = [bootstrap(url) for _ in range(3)]
    register(apps[0], SLOW)
    register(apps[0], FAST)
    catch_up(apps[2])
    yield apps
    for app in apps:
        dispose(app)
        app.close()


def positions(app: Any) -> set[int]:
    from projections import engine_for

    with engine_for(app).connect() as conn:
        return set(conn.execute(select(t.tracking.c.position)).scalars())


def trail_positions(app: Any) -> list[int]:
    from projections import engine_for

    with engine_for(app).connect() as conn:
        return list(conn.execute(select(t.audit_trail.c.position).order_by(t.audit_trail.c.position)).scalars())


def complainants(app: Any, uscc: str) -> list[str]:
    from projections import engine_for, queries

    summary = queries.client_summary(engine_for(app), uscc)
    return sorted(c["complainant"] for c in summary["open_complaints"])


def fast_write(app: Any, tag: str) -> None:
    app.receive_complaint(client=FAST, complainant=tag, subject="快事务中的投诉", actor="快写入者", on=DAY)


@pytest.mark.postgres
@pytest.mark.parametrize("ledger", ["db_functions"], indirect=True)
def test_a_catch_up_does_not_pass_a_lower_id_that_an_open_transaction_still_holds(ledger):
    from projections import catch_up

    slow_app, fast_app, reader = ledger
    before = app_last(reader)
    slow = HeldOpen(slow_app, SLOW, "慢")
    fast_write(fast_app, "快")
    fast_id = app_last(reader)
    assert slow.ids == [before + 1] and fast_id > before + 1, "the slow transaction holds the lower id, uncommitted"
    try:
        reached = catch_up(reader, wait=0.3)  # the slow writer stays open longer than the catch-up waits
        assert set(reached.values()) == {before}, "stopped short of the gap: the lower id may still commit"
        assert positions(reader) == {before}
        assert fast_id not in trail_positions(reader), "the higher id was not applied ahead of the lower one"
    finally:
        slow.commit()
    reached = catch_up(reader)
    assert set(reached.values()) == {fast_id} and positions(reader) == {fast_id}
    assert trail_positions(reader)[-2:] == [before + 1, fast_id]
    assert "慢" in complainants(reader, SLOW) and "快" in complainants(reader, FAST)
    assert_read_models_agree(reader)


@pytest.mark.postgres
@pytest.mark.parametrize("ledger", ["db_functions"], indirect=True)
def test_a_catch_up_waits_for_the_open_transaction_and_then_applies_both_events(ledger):
    from projections import catch_up

    slow_app, fast_app, reader = ledger
    before = app_last(reader)
    slow = HeldOpen(slow_app, SLOW, "慢")
    fast_write(fast_app, "快")
    fast_id = app_last(reader)
    committer = threading.Timer(0.5, slow.commit)
    committer.start()
    try:
        reached = catch_up(reader, wait=60)  # waits for the writer open at the gap, which commits meanwhile
    finally:
        committer.join()
    assert set(reached.values()) == {fast_id}
    assert trail_positions(reader)[-2:] == [before + 1, fast_id]
    assert "慢" in complainants(reader, SLOW) and "快" in complainants(reader, FAST)
    assert_read_models_agree(reader)


@pytest.mark.postgres
@pytest.mark.parametrize("ledger", ["db_functions"], indirect=True)
def test_a_gap_left_by_a_rolled_back_transaction_is_passed_once_it_has_rolled_back(ledger):
    from projections import catch_up

    slow_app, fast_app, reader = ledger
    before = app_last(reader)
    slow = HeldOpen(slow_app, SLOW, "慢")
    fast_write(fast_app, "快")
    fast_id = app_last(reader)
    assert set(catch_up(reader, wait=0.2).values()) == {before}
    roller = threading.Timer(0.3, slow.rollback)
    roller.start()
    try:
        reached = catch_up(reader, wait=60)
    finally:
        roller.join()
    assert set(reached.values()) == {fast_id}
    assert before + 1 not in trail_positions(reader) and trail_positions(reader)[-1] == fast_id
    assert "慢" not in complainants(reader, SLOW) and "快" in complainants(reader, FAST)
    assert_read_models_agree(reader)


@pytest.mark.postgres
@pytest.mark.parametrize("ledger", ["table_lock"], indirect=True)
def test_with_the_table_lock_the_later_writer_waits_and_the_read_models_follow_commit_order(ledger):
    from projections import catch_up

    slow_app, fast_app, reader = ledger
    before = app_last(reader)
    slow = HeldOpen(slow_app, SLOW, "慢")
    fast = threading.Thread(target=fast_write, args=(fast_app, "快"))
    fast.start()  # blocks on the table lock the slow writer holds
    try:
        fast.join(timeout=0.5)
        assert fast.is_alive(), "the second writer waits for the table lock"
        reached = catch_up(reader, wait=0.3)  # nothing committed yet: nothing to apply, no gap to wait at
        assert set(reached.values()) == {before}
    finally:
        slow.commit()
        fast.join(timeout=30)
    assert not fast.is_alive()
    last = app_last(reader)
    assert slow.ids == [before + 1] and last > before + 1, "ids in commit order"
    assert set(catch_up(reader).values()) == {last}
    assert trail_positions(reader)[-2:] == [before + 1, last]
    assert "慢" in complainants(reader, SLOW) and "快" in complainants(reader, FAST)
    assert_read_models_agree(reader)


@pytest.mark.postgres
@pytest.mark.parametrize("ledger", ["db_functions"], indirect=True)
def test_a_rebuild_beside_an_open_transaction_builds_only_below_it(ledger, monkeypatch):
    from projections import catch_up, rebuild, runner

    slow_app, fast_app, reader = ledger
    before = app_last(reader)
    slow = HeldOpen(slow_app, SLOW, "慢")
    fast_write(fast_app, "快")
    fast_id = app_last(reader)
    monkeypatch.setattr(runner, "BUILD_WAIT", 0.3)
    monkeypatch.setattr(runner, "WRITERS_WAIT", 0.3)
    try:
        from aggregates.errors import RuleViolation

        with pytest.raises(RuleViolation) as refused:
            rebuild(reader)  # cannot fix the committed range while the slow writer is open
        assert refused.value.rule == "ledger: read models"
        assert positions(reader) == {before}, "a refused rebuild leaves the read models as they were"
    finally:
        slow.commit()
    monkeypatch.undo()
    assert set(rebuild(reader).values()) == {fast_id}
    assert set(catch_up(reader).values()) == {fast_id}
    assert trail_positions(reader)[-2:] == [before + 1, fast_id]
    assert_read_models_agree(reader)


@pytest.mark.postgres
@pytest.mark.parametrize("ledger", ["db_functions"], indirect=True)
def test_an_import_follower_does_not_follow_its_own_events_past_an_open_transaction(ledger, monkeypatch):
    from projections import catch_up, runner

    slow_app, importer_app, reader = ledger
    before = app_last(reader)
    monkeypatch.setattr(runner, "WRITERS_WAIT", 0.3)
    follower = runner.Follower(importer_app)
    slow = HeldOpen(slow_app, SLOW, "慢")
    try:
        with importer_app.session(on_saved=follower.saved):
            fast_write(importer_app, "导入")  # saved at the session's end: a higher id than the open one
        follower.finish()
        assert positions(reader) == {before}, "the follower did not pass the slow writer's id"
        assert app_last(reader) not in trail_positions(reader)
    finally:
        slow.commit()
    monkeypatch.undo()
    last = app_last(reader)
    assert set(catch_up(reader).values()) == {last}
    assert trail_positions(reader)[-2:] == [before + 1, last]
    assert "慢" in complainants(reader, SLOW) and "导入" in complainants(reader, FAST)
    assert_read_models_agree(reader)


def app_last(app: Any) -> int:
    return app.recorder.max_notification_id() or 0


# ------------------------------------------------------------------------------ a write's catch-up and a running one


@pytest.mark.parametrize("ledger", ["sqlite", pytest.param("table_lock", marks=pytest.mark.postgres),
                                    pytest.param("db_functions", marks=pytest.mark.postgres)], indirect=True)
def test_a_writes_catch_up_leaves_its_event_to_a_running_catch_up_which_chases_it(ledger, request, monkeypatch):
    """After a write, a catch-up that finds another one running (PostgreSQL: holding the read models'
    lock; SQLite: the catch-up turn, a file lock beside the ledger) does not queue behind it: the
    running one, once it lets go, looks at the log again and applies the event."""
    from projections import catch_up, runner

    slow_app, writer_app, reader = ledger
    fast_write(slow_app, "先")  # an event for the running catch-up to work on
    before = app_last(reader)
    inside, release = threading.Event(), threading.Event()

    def pause() -> None:
        if threading.current_thread().name == "running catch-up" and not inside.is_set():
            inside.set()
            assert release.wait(30)

    if request.node.callspec.params["ledger"] == "sqlite":
        # SQLite: the running catch-up pauses holding its turn (the file lock) between batches, when
        # it does not hold SQLite's write lock, which the writer's save needs.
        follow = runner._follow

        def held(*args: Any) -> Any:
            out = follow(*args)
            pause()
            return out

        monkeypatch.setattr(runner, "_follow", held)
    else:  # PostgreSQL: it pauses inside its batch, holding the read models' lock
        advance = runner.ClientStates.advance

        def held(self: Any, ev: Any) -> Any:
            pause()
            return advance(self, ev)

        monkeypatch.setattr(runner.ClientStates, "advance", held)
    reached: dict[str, int] = {}
    at_start = positions(reader)
    assert max(at_start) < before
    running = threading.Thread(target=lambda: reached.update(catch_up(reader, leave_to_running=True)), name="running catch-up")
    running.start()
    try:
        assert inside.wait(30)
        writer_app.execute("complaint receive", {"client": SLOW, "complainant": "后", "subject": "运行中的追赶", "on": DAY.isoformat()},
                           actor="写入者")  # returns without waiting for the running catch-up
        written = app_last(reader)
        assert written > before and written not in trail_positions(reader), "not applied: the running catch-up has the turn"
    finally:
        release.set()
        running.join(timeout=60)
    assert set(reached.values()) == {written}, "the running catch-up chased the log and applied the write's event"
    assert positions(reader) == {written} and trail_positions(reader)[-2:] == [before, written]
    assert "后" in complainants(reader, SLOW)
    assert_read_models_agree(reader)


class HeldOpenGrant(HeldOpen):
    """A role granted to a person, held open the same way (the register's own events)."""

    def __init__(self, app: Any, name: str, role: str) -> None:
        person = app.repository.get(app.find_person(name).id)
        person.grant(roles=[role], actor="张伟", occurred_on=DAY)
        self.hold(app, person)


@pytest.mark.postgres
@pytest.mark.parametrize("ledger", ["db_functions"], indirect=True)
def test_the_register_of_people_does_not_pass_a_grant_an_open_transaction_still_holds(ledger):
    """The writer check reads the register from the log (ledger/people.py): a grant committed below an
    id already read must still be seen once it commits (the log's highest id does not move then)."""
    from aggregates.policy.people import id_check_character
    from tests.staff import register_admin

    slow_app, fast_app, reader = ledger
    register_admin(slow_app, on=DAY)
    number = "11010519900101004" + id_check_character("11010519900101004")
    slow_app.register_person(name="赵六", number=number, actor="张伟", on=DAY)
    assert not reader.find_person("赵六").roles  # the reader has read the register
    slow = HeldOpenGrant(slow_app, "赵六", "auditor")
    fast_write_as = fast_app.receive_complaint(client=FAST, complainant="快", subject="快事务中的投诉", actor="张伟", on=DAY)
    assert fast_write_as and slow.ids[0] < app_last(reader), "the grant holds the lower id, uncommitted"
    try:
        assert not reader.find_person("赵六").roles  # not committed yet
    finally:
        slow.commit()
    assert list(reader.find_person("赵六").roles) == ["auditor"]  # seen, though no higher id came since
