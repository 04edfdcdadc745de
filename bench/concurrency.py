"""Concurrent writers for the benchmark: ``PROCESSES`` processes recording complaints at once, half
on one shared client and half each on its own, each through ``CertLedger.execute`` as the CLI's
write commands do (the catalogue binds the fields, the command runs and saves, the read models are
caught up) but without starting a process per command (start-up is measured on its own). Throughput is the written commands per second of wall time, from the moment all
writers are ready; a write refused as a concurrent write ("ledger: concurrent writes", after the
application's own retries) is counted, not retried.

    from bench.concurrency import run
    figures = run("postgresql://postgres@127.0.0.1:5432/test?schema=bench_cc", commands=40)

The correctness of the same pattern (nothing lost or duplicated, versions contiguous, read models
agreeing with a replay, verify passing) is what tests/integration/test_concurrency.py checks; this
module only measures.
"""

from __future__ import annotations

import multiprocessing
import time
from datetime import date
from typing import Any

PROCESSES = 8
DAY = date(2026, 11, 2)


def _uscc(n: int) -> str:
    from aggregates.uscc import make_uscc

    return make_uscc(f"91330100BENCH{n:04d}")


def _register(app: Any, uscc: str) -> None:
    app.submit_application(client=uscc, name=f"并发基准{uscc[-4:]}有限公司", address="杭州市西湖区", scheme="zgc-ru015",
                           scope="企业质量信用管理", site=[{"name": "总部", "address": "杭州市西湖区"}], headcount=30,
                           actor="张伟", on=DAY)


def _writer(db: str, p: int, commands: int, barrier: Any, results: Any) -> None:
    from aggregates.errors import RuleViolation
    from ledger.bootstrap import bootstrap

    app = bootstrap(db, existing=True)
    shared, own = _uscc(0), _uscc(p + 1)
    written = refused = 0
    barrier.wait(timeout=300)
    started = time.perf_counter()
    for k in range(commands):
        fields = {"client": shared if k % 2 == 0 else own, "complainant": f"P{p}-{k}", "subject": "并发写入基准",
                  "on": DAY.isoformat()}
        try:
            app.execute("complaint receive", fields, actor=f"写入者{p}")  # saves, then catches the read models up
            written += 1
        except RuleViolation:
            refused += 1
    results.put((p, written, refused, started, time.perf_counter()))
    app.close()


def run(db: str, commands: int = 40, processes: int = PROCESSES) -> dict[str, Any]:
    """Set up the clients in ``db`` (a fresh ledger), run the writers, return the figures."""
    from ledger.bootstrap import bootstrap
    from projections import catch_up, dispose

    setup = bootstrap(db)
    for n in range(processes + 1):
        _register(setup, _uscc(n))
    catch_up(setup)
    dispose(setup)
    setup.close()
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(processes), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(db, p, commands, barrier, results)) for p in range(processes)]
    for proc in procs:
        proc.start()
    rows = [results.get(timeout=900) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    start, end = min(r[3] for r in rows), max(r[4] for r in rows)
    written, refused = sum(r[1] for r in rows), sum(r[2] for r in rows)
    return {"processes": processes, "commands": processes * commands, "written": written, "refused": refused,
            "seconds": end - start, "written_per_s": written / (end - start)}


if __name__ == "__main__":  # python -m bench.concurrency DB [COMMANDS]: one figure, on a fresh ledger
    import sys

    print(run(sys.argv[1], commands=int(sys.argv[2]) if len(sys.argv) > 2 else 40))
