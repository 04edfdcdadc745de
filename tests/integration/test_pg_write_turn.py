"""PostgreSQL's write turn (D52, ``PostgresLinesRecorder.turn`` in ledger/store/applied_pg.py): every
save of events takes an advisory lock shared in its transaction, before the table lock; a command's
retry holds it exclusive from its load to its save, so no other writer commits in between and the
retry cannot race again. Seen through ``pg_locks`` (a save waiting for the lock shared, holding no
lock on the event table meanwhile), never by timing; real processes write beside the test's."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import date

import pytest

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


@pytest.fixture
def ledger(pg_url):
    from ledger.bootstrap import bootstrap

    app = bootstrap(pg_url)
    apply(app)
    yield app
    app.close()


def turn_locks(app, mode: str, granted: bool) -> list[int]:
    """The backends holding (``granted``) or waiting for the ledger's write turn in ``mode``."""
    from ledger.store import advisory
    from ledger.store.applied_pg import write_turn_key

    with app.recorder.datastore.get_connection() as conn:  # the two-integer form: classid, objid, objsubid 2
        rows = conn.execute("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 AND mode = %s AND granted = %s "
                            "AND classid::text::bigint = %s AND objid::text::bigint = (hashtext(%s)::bigint & 4294967295) AND database = "
                            "(SELECT oid FROM pg_database WHERE datname = current_database())",
                            (mode, granted, advisory.WRITE_TURN, write_turn_key(app.recorder.datastore.schema))).fetchall()
    return [r["pid"] for r in rows]


def event_table_locks(app, pid: int) -> int:
    with app.recorder.datastore.get_connection() as conn:
        return conn.execute("SELECT count(*) AS n FROM pg_locks WHERE pid = %s AND relation = to_regclass(%s)",
                            (pid, f'"{app.recorder.datastore.schema}"."{app.recorder.events_table_name}"')).fetchone()["n"]


def wait_for_a_waiter(app, proc: subprocess.Popen, count: int = 1) -> list[int]:
    """The backends waiting for the turn shared, once ``count`` of them do (a bound on the test, not a figure)."""
    deadline = time.monotonic() + 120
    while len(waiting := turn_locks(app, "ShareLock", False)) < count:
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline, "no save waited for the write turn"
        time.sleep(0.05)
    return waiting


def test_saves_wait_for_the_turn_shared_before_the_table_lock_and_go_on_when_it_is_let_go(ledger, pg_url):
    apply(ledger, uscc=OTHER)
    before = ledger.event_count()
    with ledger.recorder.turn():
        assert len(turn_locks(ledger, "ExclusiveLock", True)) == 1
        command = subprocess.Popen([*certledger_command(), "--db", pg_url, "--actor", "admin", "complaint", "receive", "--client", USCC,
                                    "--complainant", "命令", "--subject", "服务", "--on", DAY.isoformat()], cwd=ROOT, stderr=subprocess.PIPE,
                                   text=True)
        session = subprocess.Popen([sys.executable, "-c", SESSION_WRITER, pg_url, OTHER], cwd=ROOT, stderr=subprocess.PIPE, text=True)
        try:
            waiting = wait_for_a_waiter(ledger, command, 2)
            assert session.poll() is None, session.stderr.read()
            # waiting for the turn, they hold no lock on the event table: the committed horizon does not wait for them
            assert [event_table_locks(ledger, pid) for pid in waiting] == [0, 0]
            assert ledger.event_count() == before  # nothing committed while the turn is held
        except BaseException:
            command.kill(), session.kill()
            raise
    assert command.wait(timeout=120) == 0, command.stderr.read()
    assert session.wait(timeout=120) == 0, session.stderr.read()
    assert complainants(ledger) == ["命令"] and complainants(ledger, OTHER) == ["会话一", "会话二"]
    assert turn_locks(ledger, "ExclusiveLock", True) == []  # let go


def test_a_retry_holds_the_turn_from_its_load_to_its_save_and_does_not_wait_for_itself(ledger, pg_url):
    """The first attempt meets another process's write (a real conflict); the retry holds the turn: a
    third process's write started meanwhile waits for it, and commits only after the retry's save,
    which runs on the turn's connection without waiting for its own lock."""
    attempts: list[int] = []
    late: list[subprocess.Popen] = []

    def act(client):
        attempts.append(client.version)
        if len(attempts) == 1:
            another_process_receives(pg_url, "先到者")  # commits the client's next version: this attempt's save conflicts
        else:
            assert len(turn_locks(ledger, "ExclusiveLock", True)) == 1  # the retry holds the turn while it acts
            late.append(subprocess.Popen([*certledger_command(), "--db", pg_url, "--actor", "admin", "complaint", "receive", "--client", USCC,
                                          "--complainant", "后到者", "--subject", "服务", "--on", DAY.isoformat()], cwd=ROOT,
                                         stderr=subprocess.PIPE, text=True))
            wait_for_a_waiter(ledger, late[0])
        return client.receive_complaint(complainant="重试者", subject="服务", actor="admin", occurred_on=DAY)

    try:
        assert ledger._run(USCC, "complaint receive", act) == "C2"
        assert attempts[1] == attempts[0] + 1  # the retry loaded the other's write
        assert turn_locks(ledger, "ExclusiveLock", True) == []  # let go with the retry
    finally:
        for proc in late:
            assert proc.wait(timeout=120) == 0, proc.stderr.read()
    assert complainants(ledger) == ["先到者", "重试者", "后到者"]  # nobody committed between the retry's load and save


def test_a_retry_that_cannot_have_the_turn_within_the_lock_timeout_is_refused_as_busy(ledger, pg_url):
    import psycopg

    from ledger.store import advisory
    from ledger.store.applied_pg import write_turn_key
    from ledger.store.errors import database_busy, lock_wait_exceeded

    ledger.recorder.datastore.lock_timeout = 1  # POSTGRES_LOCK_TIMEOUT, 10 s for the ledger
    holder = psycopg.connect(pg_url.split("?")[0], autocommit=True)  # another session holding the turn shared, as a save would
    holder.execute(f"SELECT pg_advisory_lock_shared({advisory.WRITE_TURN}, hashtext(%s))", (write_turn_key(ledger.recorder.datastore.schema),))

    def act(client):
        if not complainants(ledger):
            another_process_receives(pg_url, "先到者")  # saves beside the shared holder; this attempt then conflicts
        return client.receive_complaint(complainant="重试者", subject="服务", actor="admin", occurred_on=DAY)

    try:
        with pytest.raises(Exception) as caught:
            ledger._run(USCC, "complaint receive", act)
    finally:
        holder.close()
    assert lock_wait_exceeded(caught.value), caught.value  # what the CLI says as "ledger: database busy"
    assert database_busy().rule == "ledger: database busy"
    assert complainants(ledger) == ["先到者"]  # nothing of the refused retry written
    assert ledger._run(USCC, "complaint receive", act) == "C2"  # the turn free again: the command goes through
    assert complainants(ledger) == ["先到者", "重试者"]


def test_a_session_takes_no_turn_and_is_not_retried(ledger, pg_url):
    """An import's session (``_uow``) saves in its flush, taking the turn shared like every save; a
    conflict there refuses the flush as before, without a retry."""
    from aggregates.errors import RuleViolation

    with ledger.session():
        assert ledger._retry_turn(1).__class__.__name__ == "nullcontext"
        ledger.receive_complaint(client=USCC, complainant="会话", subject="服务", actor="admin", on=DAY)
        another_process_receives(pg_url, "另一进程")
        with pytest.raises(RuleViolation) as refused:
            ledger.flush()
    assert refused.value.rule == "ledger: concurrent writes"
    assert complainants(ledger) == ["另一进程"]


def test_a_turn_whose_connection_breaks_is_let_go_with_its_session_and_the_save_goes_on(ledger, pg_url):
    """The server ends the session holding the turn while the retry acts: the lock goes with it, the
    retry's save (tried again by the recorder) runs on a connection of the pool, taking the turn
    shared, and the broken connection is not pooled again."""

    def act(client):
        if not complainants(ledger):
            another_process_receives(pg_url, "先到者")  # this attempt's save conflicts: the retry takes the turn
        else:
            [pid] = turn_locks(ledger, "ExclusiveLock", True)
            with ledger.recorder.datastore.get_connection() as conn:
                assert conn.execute("SELECT pg_terminate_backend(%s) AS done", (pid,)).fetchone()["done"]
            deadline = time.monotonic() + 60  # a bound on the test, not a figure
            while turn_locks(ledger, "ExclusiveLock", True):
                assert time.monotonic() < deadline
                time.sleep(0.05)
        return client.receive_complaint(complainant="重试者", subject="服务", actor="admin", occurred_on=DAY)

    assert ledger._run(USCC, "complaint receive", act) == "C2"
    assert complainants(ledger) == ["先到者", "重试者"]
    another_process_receives(pg_url, "之后")  # nothing left holding the turn
    ledger.receive_complaint(client=USCC, complainant="本进程", subject="服务", actor="admin", on=DAY)
    assert complainants(ledger) == ["先到者", "重试者", "之后", "本进程"]


def test_an_import_turn_whose_key_is_the_write_turns_does_not_hold_writers_back(ledger, pg_url, monkeypatch):
    """``--source`` is chosen by the user: an import turn keyed by the very text of the write turn's
    key lives in a namespace of its own (ledger/store/advisory.py), so a save goes on while it is held."""
    from ledger.store import import_turn
    from ledger.store.applied_pg import write_turn_key

    monkeypatch.setattr(import_turn, "KEY", write_turn_key(ledger.recorder.datastore.schema) + "{schema:.0}{source:.0}")
    before = ledger.event_count()
    with import_turn.import_turn(ledger, "any source"):
        command = subprocess.run([*certledger_command(), "--db", pg_url, "--actor", "admin", "complaint", "receive", "--client", USCC,
                                  "--complainant", "命令", "--subject", "服务", "--on", DAY.isoformat()], cwd=ROOT, capture_output=True,
                                 text=True, timeout=120)  # before: refused as busy after the lock timeout (10 s)
    assert command.returncode == 0, command.stderr
    assert ledger.event_count() > before
