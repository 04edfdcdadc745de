"""A brand-new ledger opened by several processes at the same moment (issue 18): each creates what
it finds missing — the schema, the event store's tables, the read models' tables — and writes at
once; none of them fails (PostgreSQL's CREATE TABLE races two creators of one table: "duplicate key
value violates unique constraint pg_type_typname_nsp_index" or "relation already exists"), and the
read models agree with the events. SQLite serialises creation by its own write lock; it is run too.
"""

from __future__ import annotations

import multiprocessing
import traceback
from typing import Any

import pytest

from tests.integration.test_concurrency import DAY, own_client, register

PROCESSES = 6


def open_and_write(db: str, p: int, barrier: Any, results: Any) -> None:
    """Writer ``p``: open the (fresh) ledger the moment every writer is ready, register its own
    client, record a complaint, catch the read models up, as the CLI does."""
    try:
        from ledger.bootstrap import bootstrap
        from projections import catch_up, dispose

        barrier.wait(timeout=120)
        app = bootstrap(db)
        catch_up(app)  # a first read: the read-model tables are created here
        register(app, own_client(p))
        app.receive_complaint(client=own_client(p), complainant=f"P{p}", subject="首次创建并发测试", actor=f"写入者{p}", on=DAY)
        catch_up(app)
        dispose(app)
        app.close()
        results.put((p, "ok"))
    except BaseException:  # noqa: BLE001 - reported to the test, which fails on it
        results.put((p, traceback.format_exc()))


@pytest.mark.parametrize("rounds", [2])
def test_processes_opening_a_fresh_ledger_at_once_all_create_and_write(db_url, rounds):
    from ledger.bootstrap import bootstrap
    from projections import dispose, read

    ctx = multiprocessing.get_context("spawn")
    for r in range(rounds):  # a second round: the same race against existing tables changes nothing
        barrier, results = ctx.Barrier(PROCESSES), ctx.Queue()
        procs = [ctx.Process(target=open_and_write, args=(db_url, p + r * PROCESSES, barrier, results)) for p in range(PROCESSES)]
        for proc in procs:
            proc.start()
        outcomes = [results.get(timeout=300) for _ in procs]
        for proc in procs:
            proc.join(timeout=60)
        failures = [o for _, o in outcomes if o != "ok"]
        assert failures == [], failures[0]
    app = bootstrap(db_url)
    try:
        assert {c.uscc for c in app.clients()} == {own_client(p) for p in range(rounds * PROCESSES)}
        assert read.check_read_models(app).ok
        assert len(read.clients(app)) == rounds * PROCESSES
    finally:
        dispose(app)
        app.close()
