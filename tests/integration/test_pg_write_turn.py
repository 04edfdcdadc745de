"""PostgreSQL's write turns, one per client (D60, ``PostgresLinesRecorder.client_turn`` in
ledger/store/applied_pg.py): a command holds its client's advisory lock exclusive from its load to its
save, so writers of one client queue and never race; every other save of that client takes the lock
shared in its transaction, before the table lock; writers of other clients never wait. Seen through
``pg_locks`` (who holds and who waits, holding no lock on the event table meanwhile), never by timing;
real processes write beside the test's."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import date

import pytest

from aggregates.uscc import client_id_for, make_uscc
from tests.integration.test_client_cache import ROOT, another_process_receives, complainants
from tests.integration.test_crash_safety import certledger_command
from tests.integration.test_ledger_persistence import OTHER, USCC, apply

pytestmark = pytest.mark.postgres
DAY = date(2026, 1, 6)
SESSION_WRITER = """
import sys
from datetime import date
from ledger.bootstrap import bootstrap
app = bootstrap(sys.argv[1], existing=True)
with app.session():  # an import's session: saved in one flush, never retried
    app.receive_complaint(client=sys.argv[2], complainant="会话一", subject="服务", actor="admin", on=date(2026, 1, 6))
    app.receive_complaint(client=sys.argv[2], complainant="会话二", subject="服务", actor="admin", on=date(2026, 1, 6))
app.close()
"""
MANY_CLIENTS = """
import sys
from datetime import date
from aggregates.uscc import make_uscc
from ledger.bootstrap import bootstrap
app = bootstrap(sys.argv[1], existing=True)
with app.session():  # one flush of more clients than a save takes turns for
    for n in range(int(sys.argv[2])):
        app.submit_application(client=make_uscc(f"91330100TURNB{n:04d}"), name=f"轮次{n}有限公司", address="杭州市", scheme="zgc-ru015",
                               scope="企业质量信用管理", site=[{"name": "总部", "address": "杭州市"}], headcount=10, actor="admin",
                               on=date(2026, 1, 5))
app.close()
"""


@pytest.fixture
def ledger(pg_url):
    from ledger.bootstrap import bootstrap

    app = bootstrap(pg_url)
    apply(app)
    apply(app, uscc=OTHER)
    yield app
    app.close()


def turn_key(app, uscc: str) -> int:
    from ledger.store.applied_pg import client_turn_key

    return client_turn_key(app.recorder.datastore.schema, client_id_for(uscc))


def turn_locks(app, uscc: str, mode: str, granted: bool) -> list[int]:
    """The backends holding (``granted``) or waiting for the client's write turn in ``mode``."""
    from ledger.store import advisory

    with app.recorder.datastore.get_connection() as conn:  # the two-integer form: classid, objid, objsubid 2
        rows = conn.execute("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 AND mode = %s AND granted = %s "
                            "AND classid::text::bigint = %s AND objid::text::bigint = (%s::bigint & 4294967295) AND database = "
                            "(SELECT oid FROM pg_database WHERE datname = current_database())",
                            (mode, granted, advisory.CLIENT_TURN, turn_key(app, uscc))).fetchall()
    return [r["pid"] for r in rows]


def event_table_locks(app, pid: int) -> int:
    with app.recorder.datastore.get_connection() as conn:
        return conn.execute("SELECT count(*) AS n FROM pg_locks WHERE pid = %s AND relation = to_regclass(%s)",
                            (pid, f'"{app.recorder.datastore.schema}"."{app.recorder.events_table_name}"')).fetchone()["n"]


def wait_for_waiters(app, uscc: str, mode: str, procs: list[subprocess.Popen], count: int = 1) -> list[int]:
    """The backends waiting for the client's turn in ``mode``, once ``count`` of them do (a bound on the
    test, not a figure)."""
    deadline = time.monotonic() + 120
    while len(waiting := turn_locks(app, uscc, mode, False)) < count:
        for proc in procs:
            assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline, f"nothing waited for the client's turn ({mode})"
        time.sleep(0.05)
    return waiting


def receive(pg_url: str, uscc: str, complainant: str) -> list[str]:
    return [*certledger_command(), "--db", pg_url, "--actor", "admin", "complaint", "receive", "--client", uscc,
            "--complainant", complainant, "--subject", "服务", "--on", DAY.isoformat()]


def hold_turn(app, uscc: str):
    """This process holding the client's turn, as a command does: the lock goes with the block's first
    read of the client (one round trip with it)."""
    import contextlib

    @contextlib.contextmanager
    def held():
        with app.recorder.client_turn(client_id_for(uscc)):
            app.recorder.select_events(client_id_for(uscc), limit=1)
            yield

    return held()


def test_a_clients_writers_wait_for_its_turn_and_other_clients_writers_do_not(ledger, pg_url):
    before = complainants(ledger, OTHER)
    # a command of the client waits to take the turn, before its load
    with hold_turn(ledger, USCC):
        assert len(turn_locks(ledger, USCC, "ExclusiveLock", True)) == 1
        command = subprocess.Popen(receive(pg_url, USCC, "命令"), cwd=ROOT, stderr=subprocess.PIPE, text=True)
        try:
            [queued] = wait_for_waiters(ledger, USCC, "ExclusiveLock", [command])
            assert event_table_locks(ledger, queued) == 0
            # another client's command goes through while this client's turn is held
            other = subprocess.run(receive(pg_url, OTHER, "别的组织"), cwd=ROOT, capture_output=True, text=True, timeout=120)
            assert other.returncode == 0, other.stderr
            assert complainants(ledger, OTHER) == [*before, "别的组织"]
            assert complainants(ledger) == [] and command.poll() is None  # nothing committed to the held client
        except BaseException:
            command.kill()
            raise
    assert command.wait(timeout=120) == 0, command.stderr.read()
    assert complainants(ledger) == ["命令"]
    # a session's save (an import's flush) of the client waits for the turn shared, before the table lock
    with hold_turn(ledger, USCC):
        session = subprocess.Popen([sys.executable, "-c", SESSION_WRITER, pg_url, USCC], cwd=ROOT, stderr=subprocess.PIPE, text=True)
        try:
            [saving] = wait_for_waiters(ledger, USCC, "ShareLock", [session])
            # waiting for the turn, it holds no lock on the event table: the committed horizon does not wait for it
            assert event_table_locks(ledger, saving) == 0
            assert complainants(ledger) == ["命令"]
        except BaseException:
            session.kill()
            raise
    assert session.wait(timeout=120) == 0, session.stderr.read()
    assert complainants(ledger) == ["命令", "会话一", "会话二"]
    assert turn_locks(ledger, USCC, "ExclusiveLock", True) == []  # let go


def test_a_command_holds_its_clients_turn_from_its_load_to_its_save_and_lets_it_go_with_the_commit(ledger, pg_url):
    """The command's own save runs on the turn's connection, taking the client's turn shared there
    without waiting for itself; a writer of the same client started meanwhile queues and commits after
    it; the turn is let go in the save's round trip, not later."""
    late: list[subprocess.Popen] = []
    holders: list[int] = []

    def act(client):
        holders.extend(turn_locks(ledger, USCC, "ExclusiveLock", True))  # taken with the load
        assert len(holders) == 1
        late.append(subprocess.Popen(receive(pg_url, USCC, "后到者"), cwd=ROOT, stderr=subprocess.PIPE, text=True))
        wait_for_waiters(ledger, USCC, "ExclusiveLock", late)
        return client.receive_complaint(complainant="先到者", subject="服务", actor="admin", occurred_on=DAY)

    calls = []
    original = ledger.recorder.datastore.get_connection

    def counted():
        calls.append(1)
        return original()

    try:
        assert ledger._run(USCC, "complaint receive", act) == "C1"
    finally:
        for proc in late:
            assert proc.wait(timeout=120) == 0, proc.stderr.read()
    assert complainants(ledger) == ["先到者", "后到者"]  # nobody committed between the command's load and save
    assert turn_locks(ledger, USCC, "ExclusiveLock", True) == []
    # the unlock went with the save: the turn's connection is back in the pool holding nothing
    with ledger.recorder.datastore.get_connection() as conn:
        assert conn.execute("SELECT count(*) AS n FROM pg_locks WHERE pid = %s AND locktype = 'advisory'", (holders[0],)).fetchone()["n"] == 0
    ledger.recorder.datastore.get_connection = counted
    try:
        assert ledger._run(USCC, "complaint receive", lambda c: c.receive_complaint(
            complainant="再一个", subject="服务", actor="admin", occurred_on=DAY)) == "C3"
    finally:
        del ledger.recorder.datastore.get_connection
    assert len(calls) == 1  # the load, the act and the save on one connection: the turn's


def test_a_refused_command_lets_its_clients_turn_go(ledger, pg_url):
    from aggregates.errors import RuleViolation

    def refused(client):
        assert len(turn_locks(ledger, USCC, "ExclusiveLock", True)) == 1
        raise RuleViolation("test: refused", "拒绝", "refused")

    with pytest.raises(RuleViolation):
        ledger._run(USCC, "complaint receive", refused)
    assert turn_locks(ledger, USCC, "ExclusiveLock", True) == []
    another_process_receives(pg_url, "之后")
    assert complainants(ledger) == ["之后"]


def test_a_command_that_cannot_have_its_turn_within_the_lock_timeout_is_refused_as_busy(ledger, pg_url):
    import psycopg

    from ledger.store import advisory
    from ledger.store.errors import database_busy, lock_wait_exceeded

    ledger.recorder.datastore.lock_timeout = 1  # POSTGRES_LOCK_TIMEOUT, 10 s for the ledger
    holder = psycopg.connect(pg_url.split("?")[0], autocommit=True)  # another session holding the client's turn shared, as a save would
    holder.execute("SELECT pg_advisory_lock_shared(%s, %s::int4)", (advisory.CLIENT_TURN, turn_key(ledger, USCC)))

    def act(client):
        return client.receive_complaint(complainant="等待者", subject="服务", actor="admin", occurred_on=DAY)

    try:
        with pytest.raises(Exception) as caught:
            ledger._run(USCC, "complaint receive", act)
        assert ledger._run(OTHER, "complaint receive", act) == "C1"  # another client's turn is free
    finally:
        holder.close()
    assert lock_wait_exceeded(caught.value), caught.value  # what the CLI says as "ledger: database busy"
    assert database_busy().rule == "ledger: database busy"
    assert complainants(ledger) == []  # nothing of the refused command written
    assert ledger._run(USCC, "complaint receive", act) == "C1"  # the turn free again: the command goes through
    assert complainants(ledger) == ["等待者"]


def test_a_session_takes_no_turn_and_is_not_retried(ledger, pg_url):
    """An import's session (``_uow``) saves in its flush, taking its clients' turns shared like every
    save; a conflict there refuses the flush as before, without a retry."""
    from aggregates.errors import RuleViolation

    with ledger.session():
        assert ledger._write_turn(1, USCC).__class__.__name__ == "nullcontext"
        ledger.receive_complaint(client=USCC, complainant="会话", subject="服务", actor="admin", on=DAY)
        another_process_receives(pg_url, "另一进程")
        with pytest.raises(RuleViolation) as refused:
            ledger.flush()
    assert refused.value.rule == "ledger: concurrent writes"
    assert complainants(ledger) == ["另一进程"]


def test_a_save_of_more_clients_than_it_takes_turns_for_does_not_wait(ledger, pg_url):
    """A flush of more than ``SHARED_TURNS`` aggregates (an import's) takes no turn (the server's lock
    table would fill); one of at most that many waits for a held turn of one of them."""
    from ledger.store.applied_pg import SHARED_TURNS

    one = make_uscc("91330100TURNB0000")  # the first client of the big flush
    with hold_turn(ledger, one):
        big = subprocess.run([sys.executable, "-c", MANY_CLIENTS, pg_url, str(SHARED_TURNS + 1)], cwd=ROOT, capture_output=True,
                             text=True, timeout=120)
        assert big.returncode == 0, big.stderr
        assert ledger.recorder.select_events(client_id_for(one), limit=1) != []  # committed while the turn is held
    with hold_turn(ledger, one):  # a flush of one client: it waits
        small = subprocess.Popen([sys.executable, "-c", SESSION_WRITER, pg_url, one], cwd=ROOT, stderr=subprocess.PIPE, text=True)
        try:
            wait_for_waiters(ledger, one, "ShareLock", [small])
            assert complainants(ledger, one) == []
        except BaseException:
            small.kill()
            raise
    assert small.wait(timeout=120) == 0, small.stderr.read()
    assert complainants(ledger, one) == ["会话一", "会话二"]


def test_a_turn_whose_connection_breaks_is_let_go_with_its_session_and_the_save_goes_on(ledger, pg_url):
    """The server ends the session holding the client's turn while the command acts: the lock goes
    with it, the save (tried again by the recorder) runs on a connection of the pool, taking the turn
    shared, and the broken connection is not pooled again."""

    def act(client):
        [pid] = turn_locks(ledger, USCC, "ExclusiveLock", True)
        with ledger.recorder.datastore.get_connection() as conn:
            assert conn.execute("SELECT pg_terminate_backend(%s) AS done", (pid,)).fetchone()["done"]
        deadline = time.monotonic() + 60  # a bound on the test, not a figure
        while turn_locks(ledger, USCC, "ExclusiveLock", True):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        return client.receive_complaint(complainant="断线者", subject="服务", actor="admin", occurred_on=DAY)

    assert ledger._run(USCC, "complaint receive", act) == "C1"
    assert complainants(ledger) == ["断线者"]
    another_process_receives(pg_url, "之后")  # nothing left holding the turn
    ledger.receive_complaint(client=USCC, complainant="本进程", subject="服务", actor="admin", on=DAY)
    assert complainants(ledger) == ["断线者", "之后", "本进程"]


def test_an_import_turn_on_the_same_number_as_a_clients_turn_does_not_hold_writers_back(ledger, pg_url):
    """``--source`` is chosen by the user: an import turn lives in a namespace of its own
    (ledger/store/advisory.py), so a lock there on the very number of a client's turn stops no save."""
    import psycopg

    from ledger.store import advisory

    holder = psycopg.connect(pg_url.split("?")[0], autocommit=True)
    holder.execute("SELECT pg_advisory_lock(%s, %s::int4)", (advisory.IMPORT_TURN, turn_key(ledger, USCC)))
    try:
        command = subprocess.run(receive(pg_url, USCC, "命令"), cwd=ROOT, capture_output=True, text=True, timeout=120)
    finally:
        holder.close()
    assert command.returncode == 0, command.stderr
    assert complainants(ledger) == ["命令"]
