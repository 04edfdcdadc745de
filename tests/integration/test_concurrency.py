"""Eight processes writing at once, to one shared client and each to its own, on SQLite and on
PostgreSQL: no event is lost or duplicated, every conflict is retried or refused with the rule
"ledger: concurrent writes", each client's versions stay contiguous and notification ids strictly
increase; the read models (caught up by every writer after every write, as the CLI does) agree with
a replay and with a rebuild; ``certledger verify`` passes after a checkpoint.

Writers are separate processes (multiprocessing, spawn), each with its own CertLedger and database
connections, like users running ``certledger`` at the same moment. They record complaints, which
are always legal, so every refusal is a concurrency refusal.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections import Counter
from datetime import date
from typing import Any

import pytest

from aggregates.uscc import make_uscc
from tests.integration.test_crash_safety import (
    assert_each_client_is_contiguous,
    assert_read_models_agree,
    assert_trail_verifies,
)

PROCESSES = 8
DEFAULT_COMMANDS, SLOW_COMMANDS = 25, 150
DAY = date(2026, 11, 2)
CONFLICT = "ledger: concurrent writes"
SHARED = make_uscc("91330100CCWRTA000")


def own_client(p: int) -> str:
    return make_uscc(f"91330100CCWRTA{p + 1:03d}")


def register(app: Any, uscc: str) -> None:
    app.submit_application(client=uscc, name=f"并发测试{uscc[-4:]}有限公司", address="杭州市西湖区", scheme="zgc-ru015",
                           scope="企业质量信用管理", site=[{"name": "总部", "address": "杭州市西湖区"}], headcount=30,
                           actor="张伟", on=DAY)


# ------------------------------------------------------------------------------ the writers (child processes)


def open_ledger(db: str, attempts: int = 5) -> Any:
    """bootstrap(db), tried again when opening raced another process's opening on PostgreSQL
    (a known bug, see test_eight_processes_opening_the_same_postgresql_ledger_at_once_all_open_it):
    these tests are about concurrent writes."""
    from ledger.bootstrap import bootstrap
    from ledger.store.errors import DatabaseUnavailable

    for attempt in range(attempts):
        try:
            return bootstrap(db)
        except DatabaseUnavailable as e:
            if "concurrently" not in str(e) or attempt == attempts - 1:
                raise


def write_complaints(db: str, p: int, commands: int, barrier: Any, results: Any) -> None:
    """Writer ``p``: ``commands`` complaints, alternately on the shared client and on its own, each
    tagged ``P<p>-<k>`` as complainant; reports (tag, client, outcome, detail) for each."""
    out: list[tuple[str, str, str, str]] = []
    try:
        from aggregates.errors import RuleViolation
        from projections import catch_up

        app = open_ledger(db)
        barrier.wait(timeout=120)
        for k in range(commands):
            tag, client = f"P{p}-{k}", SHARED if k % 2 == 0 else own_client(p)
            try:
                cid = app.receive_complaint(client=client, complainant=tag, subject="并发写入测试", actor=f"写入者{p}", on=DAY)
                out.append((tag, client, "ok", cid))
            except RuleViolation as e:
                out.append((tag, client, "refused", e.rule))
            except Exception:  # noqa: BLE001 - reported to the test, which fails on it
                out.append((tag, client, "error", traceback.format_exc()))
            try:
                catch_up(app)
            except Exception:  # noqa: BLE001 - the CLI logs this and leaves it to the next catch-up
                out.append((tag, client, "catch-up failed", traceback.format_exc(limit=0)))
        app.close()
    except Exception:  # noqa: BLE001
        barrier.abort()
        out.append(("", "", "error", traceback.format_exc()))
    results.put((p, out))


def run_writers(db: str, commands: int) -> list[tuple[str, str, str, str]]:
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(PROCESSES), ctx.Queue()
    procs = [ctx.Process(target=write_complaints, args=(db, p, commands, barrier, results)) for p in range(PROCESSES)]
    for proc in procs:
        proc.start()
    reports = dict(results.get(timeout=600) for _ in procs)
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    return [row for p in sorted(reports) for row in reports[p]]


# ------------------------------------------------------------------------------ the checks


def assert_concurrent_writes_are_exact(db: str, commands: int, tmp_path) -> list[str]:
    """Run the writers and check the stored events; returns the catch-ups that failed (the CLI
    logs those and leaves them to the next catch-up)."""
    from ledger.bootstrap import bootstrap
    from projections import catch_up, dispose

    setup = bootstrap(db)
    for uscc in [SHARED] + [own_client(p) for p in range(PROCESSES)]:
        register(setup, uscc)
    catch_up(setup)  # as the CLI does after a write
    dispose(setup)
    setup.close()

    outcomes = run_writers(db, commands)

    errors = [detail for _, _, outcome, detail in outcomes if outcome == "error"]
    assert not errors, errors[0]
    refused = Counter(detail for _, _, outcome, detail in outcomes if outcome == "refused")
    assert set(refused) <= {CONFLICT}, refused  # a conflict is retried, or refused with this rule
    # A retry holds the write turn from its load to its save, so it cannot meet another conflict (D52:
    # SQLite's flock, PostgreSQL's advisory lock every save takes shared): a command is never refused.
    assert not refused, refused
    succeeded = {tag: (client, cid) for tag, client, outcome, cid in outcomes if outcome == "ok"}
    catch_up_failures = [detail for _, _, outcome, detail in outcomes if outcome == "catch-up failed"]
    outcomes = [row for row in outcomes if row[2] != "catch-up failed"]
    assert len(outcomes) == PROCESSES * commands
    assert all(client == SHARED for tag, client, outcome, _ in outcomes if outcome == "refused"), \
        "a writer alone on its own client is never refused"

    app = bootstrap(db)
    try:
        by_client = assert_each_client_is_contiguous(app)
        complaints = [ev for evs in by_client.values() for ev in evs if type(ev).__name__ == "ComplaintReceived"]
        stored = Counter(ev.complainant for ev in complaints)
        assert set(stored) == set(succeeded), "every successful write is stored, and nothing else"
        assert set(stored.values()) == {1}, "no write is stored twice"
        for uscc in [SHARED] + [own_client(p) for p in range(PROCESSES)]:
            client = app.client(uscc)
            ids = list(client.complaints)
            assert ids == [f"C{n}" for n in range(1, len(ids) + 1)]
            mine = {cid for tag, (c, cid) in succeeded.items() if c == uscc}
            assert mine == set(ids), f"{uscc}: the ids the writers were told are the ids stored"
        assert_read_models_agree(app)
    finally:
        dispose(app)
        app.close()
    assert_trail_verifies(db, tmp_path)
    return catch_up_failures


# ------------------------------------------------------------------------------ the tests


def test_eight_processes_writing_at_once_to_sqlite_lose_and_duplicate_nothing(sqlite_url, tmp_path):
    assert assert_concurrent_writes_are_exact(sqlite_url, DEFAULT_COMMANDS, tmp_path) == []


@pytest.mark.postgres
def test_eight_processes_writing_at_once_to_postgresql_lose_and_duplicate_nothing(pg_url, tmp_path):
    # Catch-ups lock the rm_tracking rows in name order, so concurrent catch-ups never deadlock.
    assert assert_concurrent_writes_are_exact(pg_url, DEFAULT_COMMANDS, tmp_path) == []


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite_url", "pg_url"])
def test_eight_processes_writing_many_commands_at_once_lose_and_duplicate_nothing(backend, request, tmp_path):
    assert assert_concurrent_writes_are_exact(request.getfixturevalue(backend), SLOW_COMMANDS, tmp_path) == []


def race_to_register(db: str, p: int, barrier: Any, results: Any) -> None:
    """Writer ``p`` submits the first application of the same new client as everyone else."""
    try:
        from aggregates.errors import RuleViolation

        app = open_ledger(db)
        barrier.wait(timeout=120)
        try:
            register(app, SHARED)
            results.put((p, "ok", ""))
        except RuleViolation as e:
            results.put((p, "refused", e.rule))
        app.close()
    except Exception:  # noqa: BLE001
        barrier.abort()
        results.put((p, "error", traceback.format_exc()))


def test_eight_processes_registering_the_same_client_at_once_register_it_once(db_url):
    from ledger.bootstrap import bootstrap

    bootstrap(db_url).close()  # tables exist before the race
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(PROCESSES), ctx.Queue()
    procs = [ctx.Process(target=race_to_register, args=(db_url, p, barrier, results)) for p in range(PROCESSES)]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=300) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    assert not [d for _, o, d in outcomes if o == "error"], outcomes
    app = bootstrap(db_url)
    try:
        kinds = [type(ev).__name__ for ev in app.events.get(app.client(SHARED).id)]
        applications = kinds.count("ApplicationSubmitted")
        assert kinds.count("Registered") == 1 and kinds[:2] == ["Registered", "ApplicationSubmitted"]
        assert sum(1 for _, o, _ in outcomes if o == "ok") == applications
        refusals = {d for _, o, d in outcomes if o == "refused"}
        assert len(refusals) <= 2 and CONFLICT in refusals | {CONFLICT}, refusals  # named, never a crash
    finally:
        app.close()


def test_a_first_catch_up_waits_for_another_writer_instead_of_failing(sqlite_url):
    import sqlite3
    import threading
    import time

    from ledger.bootstrap import bootstrap
    from projections import catch_up, dispose

    app = bootstrap(sqlite_url)
    register(app, SHARED)
    other = sqlite3.connect(sqlite_url, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE scratch (x)")
    other.execute("BEGIN IMMEDIATE")  # another process is writing
    other.execute("INSERT INTO scratch VALUES (1)")

    def finish() -> None:
        time.sleep(0.3)
        other.execute("COMMIT")

    writer = threading.Thread(target=finish)
    writer.start()
    try:
        positions = catch_up(app)  # should wait for the lock (SQLITE_LOCK_TIMEOUT), then succeed
        assert positions and min(positions.values()) == app.event_count()
    finally:
        writer.join()
        other.close()
        dispose(app)
        app.close()


def open_repeatedly(db: str, p: int, barrier: Any, results: Any) -> None:
    from ledger.bootstrap import bootstrap

    barrier.wait(timeout=120)
    try:
        for _ in range(5):
            bootstrap(db).close()
        results.put((p, "ok"))
    except Exception as e:  # noqa: BLE001
        results.put((p, f"{type(e).__name__}: {e}"))


@pytest.mark.postgres
def test_eight_processes_opening_the_same_postgresql_ledger_at_once_all_open_it(pg_url):
    from ledger.bootstrap import bootstrap

    bootstrap(pg_url).close()  # the tables exist: opening only checks them
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(PROCESSES), ctx.Queue()
    procs = [ctx.Process(target=open_repeatedly, args=(pg_url, p, barrier, results)) for p in range(PROCESSES)]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=300) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    assert [o for _, o in outcomes if o != "ok"] == []
