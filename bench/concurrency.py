"""Concurrent writers for the benchmark: ``PROCESSES`` processes recording complaints at once, half
on one shared client and half each on its own, each through ``CertLedger.execute`` as the CLI's
write commands do (the catalogue binds the fields, the command runs and saves, the read models are
caught up) but without starting a process per command (start-up is measured on its own). Throughput is the written commands per second of wall time, from the moment all
writers are ready; a write refused as a concurrent write ("ledger: concurrent writes", after the
application's own retries) is counted, not retried.

Measurement options (``run(..., client="own")`` or ``--own``: every writer on its own client only, no
conflict): each writer also reports its CPU time over the measured window (``getrusage``) and, on
PostgreSQL, its server backends' CPU over the same window (found by ``application_name``, read from
``/proc/<pid>/stat`` when the server runs on this machine; 0 where it cannot be read), so the figures
include CPU per written command on both sides.

    from bench.concurrency import run
    figures = run("postgresql://postgres@127.0.0.1:5432/test?schema=bench_cc", commands=40)

The correctness of the same pattern (nothing lost or duplicated, versions contiguous, read models
agreeing with a replay, verify passing) is what tests/integration/test_concurrency.py checks; this
module only measures.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
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


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _backends_cpu(app: Any, name: str) -> dict[int, float]:
    """CPU seconds of this writer's server backends (PostgreSQL on this machine), by pid."""
    if app.env.get("PERSISTENCE_MODULE") != "eventsourcing.postgres":
        return {}
    with app.recorder.datastore.get_connection() as conn:
        pids = [r["pid"] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", (name,)).fetchall()]
    found = {}
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            found[pid] = (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return found


def _writer(db: str, p: int, commands: int, barrier: Any, results: Any, client: str = "shared") -> None:
    from aggregates.errors import RuleViolation
    from ledger.bootstrap import bootstrap

    name = f"certledger-bench-cc-{os.getpid()}"
    os.environ["PGAPPNAME"] = name  # psycopg (libpq) names this writer's backends
    app = bootstrap(db, existing=True)
    shared, own = _uscc(0), _uscc(p + 1)
    if client == "own":
        shared = own
    written = refused = 0
    barrier.wait(timeout=300)
    server_before = _backends_cpu(app, name)
    cpu_before, started = _cpu(), time.perf_counter()
    for k in range(commands):
        fields = {"client": shared if k % 2 == 0 else own, "complainant": f"P{p}-{k}", "subject": "并发写入基准",
                  "on": DAY.isoformat()}
        try:
            app.execute("complaint receive", fields, actor=f"写入者{p}")  # saves, then catches the read models up
            written += 1
        except RuleViolation:
            refused += 1
    ended, cpu = time.perf_counter(), _cpu() - cpu_before
    server_after = _backends_cpu(app, name)
    server = sum(t - server_before.get(pid, 0.0) for pid, t in server_after.items())
    results.put((p, written, refused, started, ended, cpu, server))
    app.close()


def run(db: str, commands: int = 40, processes: int = PROCESSES, client: str = "shared") -> dict[str, Any]:
    """Set up the clients in ``db`` (a fresh ledger), run the writers, return the figures. ``client``:
    "shared" (half of each writer's commands on one client all share, the benchmark) or "own"."""
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
    procs = [ctx.Process(target=_writer, args=(db, p, commands, barrier, results, client)) for p in range(processes)]
    for proc in procs:
        proc.start()
    rows = [results.get(timeout=900) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    start, end = min(r[3] for r in rows), max(r[4] for r in rows)
    written, refused = sum(r[1] for r in rows), sum(r[2] for r in rows)
    cpu, server = sum(r[5] for r in rows), sum(r[6] for r in rows)
    return {"processes": processes, "commands": processes * commands, "written": written, "refused": refused,
            "seconds": end - start, "written_per_s": written / (end - start), "client": client,
            "writer_cpu_ms_per_written": 1000 * cpu / max(written, 1), "server_cpu_ms_per_written": 1000 * server / max(written, 1),
            "load_average": os.getloadavg()[0]}


if __name__ == "__main__":  # python -m bench.concurrency DB [COMMANDS] [--own]: one figure, on a fresh ledger
    import sys

    args = [a for a in sys.argv[1:] if a != "--own"]
    print(run(args[0], commands=int(args[1]) if len(args) > 1 else 40, client="own" if "--own" in sys.argv else "shared"))
