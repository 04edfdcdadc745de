"""Scale benchmark: a realistic body of clients through the real CLI, each figure beside a raw
sqlite3 baseline measured in the same run on the same rows.

Standalone script, not part of the test suite (docs/performance.md explains the figures):

    python bench/run.py                 # 10,000 clients (about 540k events; 10-15 minutes)
    python bench/run.py --quick         # 500 clients: a smoke run of every step (about a minute)
    python bench/run.py --clients 2000 --keep /tmp/bench   # keep the ledgers and the workload

Steps, each a fresh ``certledger`` process (so the figures include interpreter start-up, imports
and every database round trip a user pays for):

  1. The workload (``ledger.synthetic.generate``): N clients' full lifecycles across the five
     schemes, plus one busy client with about 200 events for show/explain. Not timed.
  2. Two ledgers: a small one (N/5 clients) and the full one. For each: ``certledger import FILE``
     (commands, rule checks, events saved in batches, read models caught up) followed by
     ``certledger checkpoint`` (the audit trail's leaf hashes and a signed tree head). Baseline:
     the same stored event rows inserted with sqlite3 ``executemany`` into a table of the same
     shape, 500 rows per transaction, same pragmas (WAL, synchronous=NORMAL). Second baseline
     (``bench.library_save``): the same events read back and saved with eventsourcing's own
     ``Application.save(*events)`` into a fresh ledger of the same kind, in batches of the
     import's transaction size, in a fresh process (no rules, no read models); beside it the
     import alone (without the checkpoint).
  3. ``certledger rebuild`` on both ledgers: events/s and the peak resident memory of the process
     (``os.wait4``); memory must not grow with the number of events. Baseline: reading every event
     row with sqlite3 and ``json.loads`` of its state.
  4. ``certledger verify``. Baseline: reading every event row and one SHA-256 per row.
  5. ``certledger show`` and ``certledger explain`` of the busy client, wall time end to end
     (best of 5). Baseline: selecting that client's event rows with sqlite3 in a fresh process.
  6. Eight writer processes at once (``bench.concurrency``), on SQLite and on PostgreSQL: written
     commands per second, each write followed by a read-model catch-up as the CLI does.
  7. PostgreSQL (``--pg URL``, a fresh schema dropped afterwards; ``--no-pg`` leaves it out): the
     small workload imported and rebuilt; the library's batched save of its events into another
     fresh schema as the import's baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterable, Iterator

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGETS = {"import": 30_000, "rebuild": 60_000, "verify": 200_000, "show": 0.35, "explain": 0.35}
BUSY_EXTRA = 50  # complaint receive + resolve pairs added to the busy client (100 events)


@dataclass
class Run:
    seconds: float
    max_rss_mb: float
    out: str
    worker_rss_mb: float = 0.0  # the largest worker process's peak (0: no workers)


def certledger(args: list[str], env: dict[str, str], stdin: Any = subprocess.DEVNULL, wrapper: str | None = None) -> Run:
    """Run ``certledger ARGS`` in a fresh process; wall time."""
    cmd = [sys.executable, *(["-c", wrapper] if wrapper else ["-m", "cli.main"]), *args]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    out, err = proc.communicate()
    seconds = time.perf_counter() - t
    if proc.returncode != 0:
        sys.stderr.write(err.decode(errors="replace")[-3000:])
        raise SystemExit(f"certledger {' '.join(args)} exited {proc.returncode}")
    return Run(seconds, 0.0, out.decode())


# Runs the real CLI and, at exit, writes the process's own peak resident memory (VmHWM) to the
# file named by BENCH_HWM_FILE. Read in the child because getrusage/wait4's ru_maxrss of a child
# also counts the parent's memory at fork time (the benchmark process itself is large).
# The largest worker process's peak (RUSAGE_CHILDREN, an upper bound: it may count the moment
# before the worker's exec) is written after it.
_HWM_WRAPPER = """
import atexit, os, resource, sys
def _hwm():
    with open('/proc/self/status') as f, open(os.environ['BENCH_HWM_FILE'], 'w') as out:
        out.write(next(line.split()[1] for line in f if line.startswith('VmHWM:')))
        out.write(' %d' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
atexit.register(_hwm)
sys.argv = ['certledger', *sys.argv[1:]]
from cli.main import main
main()
"""


def certledger_rss(args: list[str], env: dict[str, str]) -> Run:
    """Like ``certledger`` but also reads the process's own peak resident memory (VmHWM, in MB)."""
    with tempfile.TemporaryDirectory() as tmp:
        hwm = Path(tmp) / "hwm"
        run = certledger(args, {**env, "BENCH_HWM_FILE": str(hwm)}, wrapper=_HWM_WRAPPER)
        own, workers = (int(x) / 1024 for x in hwm.read_text().split())
        return Run(run.seconds, own, run.out, workers)


# ------------------------------------------------------------------------------------ workload


def busy_client_lines(story: list[dict[str, Any]], extra: int = BUSY_EXTRA) -> list[dict[str, Any]]:
    """``extra`` complaints received and resolved for the client of ``story`` after its last line,
    one working week apart, never on or after the workload's last day."""
    from ledger.synthetic import LAST_DAY

    code = story[0]["client"]
    existing = sum(1 for x in story if x["command"] == "complaint receive")
    day = max(date.fromisoformat(x["on"]) for x in story) + timedelta(days=1)
    step = max(1, min(7, (LAST_DAY - day).days // (2 * extra + 1)))
    out = []
    for k in range(existing + 1, existing + extra + 1):
        out.append({"command": "complaint receive", "client": code, "complainant": f"顾客 {k} 号", "subject": "交货延迟",
                    "on": day.isoformat(), "actor": "张伟"})
        day += timedelta(days=step)
        out.append({"command": "complaint resolve", "client": code, "complaint": f"C{k}",
                    "result": "经核实已整改并书面答复投诉人", "on": day.isoformat(), "actor": "张伟"})
        day += timedelta(days=step)
    if day >= LAST_DAY:
        raise SystemExit("the busy client's extra lines would pass the workload's last day")
    return out


def write_workload(path: Path, n_clients: int, seed: int) -> tuple[int, str]:
    """The workload's lines in ``path``, with the busy client's extra lines at the end (their dates
    are after every line of that client, and the file stays ordered by date per client)."""
    from ledger.synthetic import client_story, dumps, generate

    # The busy client: among the first clients, the one with the longest story that holds a certificate.
    candidates = [(len(s), i, s) for i in range(min(n_clients, 40)) for s in [client_story(i, seed)]
                  if any(x["command"] == "certificate issue" for x in s)]
    _n, busy_i, story = max(candidates, key=lambda c: (c[0], -c[1]))
    lines = 0
    with path.open("w", encoding="utf-8") as fh:
        for line in generate(n_clients, seed):
            fh.write(dumps(line) + "\n")
            lines += 1
        for line in busy_client_lines(story):
            fh.write(dumps(line) + "\n")
            lines += 1
    return lines, story[0]["client"]


# ------------------------------------------------------------------------------------ baselines

EVENT_COLUMNS = "originator_id, originator_version, topic, state"


def _rows(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as c:
        return c.execute(f"SELECT {EVENT_COLUMNS} FROM stored_events ORDER BY rowid").fetchall()


def raw_insert(db: Path, scratch: Path, chunk: int = 500) -> float:
    """Events/s of inserting the ledger's own event rows with sqlite3, ``chunk`` rows per transaction."""
    rows = _rows(db)
    scratch.unlink(missing_ok=True)
    c = sqlite3.connect(scratch, isolation_level=None)
    c.execute("PRAGMA journal_mode=WAL")
    c.execute("PRAGMA synchronous=NORMAL")
    c.execute("CREATE TABLE stored_events (originator_id TEXT, originator_version INTEGER, topic TEXT, state BLOB, "
              "PRIMARY KEY (originator_id, originator_version))")
    t = time.perf_counter()
    for i in range(0, len(rows), chunk):
        c.execute("BEGIN")
        c.executemany(f"INSERT INTO stored_events ({EVENT_COLUMNS}) VALUES (?, ?, ?, ?)", rows[i:i + chunk])
        c.execute("COMMIT")
    seconds = time.perf_counter() - t
    c.close()
    for suffix in ("", "-wal", "-shm"):
        Path(str(scratch) + suffix).unlink(missing_ok=True)
    return len(rows) / seconds


def raw_decode(db: Path) -> float:
    """Events/s of reading every event row and decoding its JSON state."""
    t = time.perf_counter()
    with sqlite3.connect(db) as c:
        n = 0
        for (state,) in c.execute("SELECT state FROM stored_events ORDER BY rowid"):
            json.loads(state)
            n += 1
    return n / (time.perf_counter() - t)


def raw_hash(db: Path) -> float:
    """Events/s of reading every event row and hashing it once (SHA-256)."""
    import hashlib

    t = time.perf_counter()
    with sqlite3.connect(db) as c:
        n = 0
        for oid, version, topic, state in c.execute(f"SELECT {EVENT_COLUMNS} FROM stored_events ORDER BY rowid"):
            hashlib.sha256(b"\x00" + state).digest()
            n += 1
    return n / (time.perf_counter() - t)


def raw_client_select(db: Path, uscc: str) -> tuple[float, int]:
    """Wall time of a fresh Python process that selects one client's event rows with sqlite3."""
    from aggregates.uscc import client_id_for

    oid = client_id_for(uscc).hex
    code = ("import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); "
            "print(len(c.execute('SELECT state FROM stored_events WHERE originator_id=? ORDER BY originator_version', (sys.argv[2],)).fetchall()))")
    best, n = float("inf"), 0
    for _ in range(5):
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code, str(db), oid], capture_output=True, check=True, text=True).stdout
        best = min(best, time.perf_counter() - t)
        n = int(out.strip())
    return best, n


# ------------------------------------------------------------------------------------ the run


def event_count(db: Path) -> int:
    with sqlite3.connect(db) as c:
        return c.execute("SELECT count(*) FROM stored_events").fetchone()[0]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}"


def ledger_env(work: Path, db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTLEDGER_")}
    env.update(CERTLEDGER_DB=str(db), CERTLEDGER_ACTOR="bench", CERTLEDGER_KEY=str(work / "signing.key"),
               CERTLEDGER_LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""))
    return env


CONCURRENT_COMMANDS = 40  # complaints per writer process in the concurrency figure


@contextmanager
def pg_schema(url: str) -> Iterator[str | None]:
    """A fresh schema on the PostgreSQL server of ``url`` (None if the server cannot be reached),
    dropped afterwards."""
    import uuid

    try:
        import psycopg
        from psycopg import sql

        from ledger.config import resolve_database

        pg = resolve_database(url).pg or {}
        conn = psycopg.connect(dbname=pg["dbname"], host=pg["host"], port=pg["port"], user=pg.get("user") or None,
                               password=pg.get("password") or None, autocommit=True, connect_timeout=5)
    except Exception:  # noqa: BLE001 - no server: the figures are left out, and said so
        yield None
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    try:
        yield f"{url}{'&' if '?' in url else '?'}schema={schema}"
    finally:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        conn.close()


def pg_event_count(url: str) -> int:
    from ledger.bootstrap import bootstrap

    app = bootstrap(url, existing=True)
    try:
        return app.recorder.max_notification_id() or 0
    finally:
        app.close()


def beside_library_save(source: str, target: str, events: int, lines: int, import_s: float, checkpoint_s: float,
                        env: dict[str, str]) -> dict[str, Any]:
    """The library's batched save of the imported events (``bench.library_save``) and the import's
    ratios to it: the import alone, and with its checkpoint (the row's figure)."""
    from bench import library_save
    from ledger.importer import events_per_transaction

    if not target.startswith("postgresql"):
        for suffix in ("", "-wal", "-shm"):
            Path(target + suffix).unlink(missing_ok=True)
    lib = library_save.run(source, target, events_per_transaction(events, lines), env)
    if not target.startswith("postgresql"):
        for suffix in ("", "-wal", "-shm"):
            Path(target + suffix).unlink(missing_ok=True)
    if lib["events"] != events and not target.startswith("postgresql"):  # PostgreSQL's ids may have gaps: ``events`` is the last id
        raise SystemExit(f"the library's save wrote {lib['events']} events, the import {events}")
    out = {"import_per_s": events / import_s, "library_save_per_s": lib["events_per_s"], "library_save": lib,
           "library_ratio": events / import_s / lib["events_per_s"]}
    if checkpoint_s:
        out["library_ratio_with_checkpoint"] = events / (import_s + checkpoint_s) / lib["events_per_s"]
    return out


def ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}x" if base else "-"


def library_line(r: dict[str, Any]) -> str:
    """The import alone (no checkpoint) beside the library's batched save of its events (issue 18, item 8)."""
    extra = f"  (with checkpoint {r['library_ratio_with_checkpoint']:.2f}x)" if "library_ratio_with_checkpoint" in r else ""
    return report_line("  import alone, library's save", f"{r['import_per_s']:,.0f}/s", f"{r['library_save_per_s']:,.0f}/s save",
                       ratio(r["import_per_s"], r["library_save_per_s"]), ">= 1.0x", r["library_ratio"] >= 1.0) + extra


def report_line(name: str, value: str, baseline: str, r: str, target: str, ok: bool | None) -> str:
    mark = "" if ok is None else ("ok" if ok else "BELOW TARGET")
    return f"{name:<34} {value:>14} {baseline:>16} {r:>7}   {target:<22} {mark}"


def main(argv: Iterable[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clients", type=int, default=10_000, help="clients in the full ledger (default 10000)")
    p.add_argument("--quick", action="store_true", help="500 clients: a smoke run of every step")
    p.add_argument("--seed", type=int, default=1, help="workload seed (default 1)")
    p.add_argument("--keep", metavar="DIR", help="work in DIR and keep the ledgers and workload there")
    p.add_argument("--pg", metavar="URL", default=os.environ.get("CERTLEDGER_TEST_PG_URL") or "postgresql://postgres@127.0.0.1:5432/test",
                   help="PostgreSQL server for the PostgreSQL figures (default $CERTLEDGER_TEST_PG_URL or the local test "
                        "database); each run uses a fresh schema, dropped afterwards")
    p.add_argument("--no-pg", action="store_true", help="leave out the PostgreSQL figures")
    args = p.parse_args(list(argv) if argv is not None else None)
    n_full = 500 if args.quick else args.clients
    n_small = max(50, n_full // 5)

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="certledger-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"certledger scale benchmark, {date.today().isoformat()}\nmachine: {machine()}\nwork dir: {work}\n", flush=True)

    results: dict[str, Any] = {}
    ledgers: dict[str, Path] = {}
    busy = ""
    for size, n in (("small", n_small), ("full", n_full)):
        jsonl = work / f"workload-{n}.jsonl"
        t = time.perf_counter()
        lines, busy = write_workload(jsonl, n, args.seed)
        print(f"[{size}] workload: {n} clients, {lines} lines ({time.perf_counter() - t:.1f}s to generate)", flush=True)
        db = work / f"ledger-{n}.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        env = ledger_env(work, db)
        if not (work / "signing.key").exists():
            certledger(["keys", "init"], env)
        certledger(["init"], env)  # the one road to a new ledger (D57)
        imp = certledger_rss(["import", str(jsonl)], env)
        cp = certledger_rss(["checkpoint"], env)
        events = event_count(db)
        results[f"import_{size}"] = {"events": events, "lines": lines, "import_s": imp.seconds, "checkpoint_s": cp.seconds,
                                     "events_per_s": events / (imp.seconds + cp.seconds), "max_rss_mb": max(imp.max_rss_mb, cp.max_rss_mb),
                                     "worker_rss_mb": imp.worker_rss_mb,
                                     "raw_insert_per_s": raw_insert(db, work / "raw-insert.sqlite"),
                                     **beside_library_save(str(db), str(work / "library-save.sqlite"), events, lines, imp.seconds, cp.seconds, env)}
        print(f"[{size}] import {imp.seconds:.1f}s + checkpoint {cp.seconds:.1f}s for {events} events "
              f"(peak {imp.max_rss_mb:.0f} MB; largest worker {imp.worker_rss_mb:.0f} MB); library's batched save "
              f"{results[f'import_{size}']['library_save']['seconds']:.1f}s", flush=True)
        reb = certledger_rss(["rebuild"], env)
        results[f"rebuild_{size}"] = {"events": events, "seconds": reb.seconds, "events_per_s": events / reb.seconds,
                                      "max_rss_mb": reb.max_rss_mb, "worker_rss_mb": reb.worker_rss_mb,
                                      "raw_decode_per_s": raw_decode(db)}
        print(f"[{size}] rebuild {reb.seconds:.1f}s (peak {reb.max_rss_mb:.0f} MB; largest worker {reb.worker_rss_mb:.0f} MB)", flush=True)
        ledgers[size] = db

    db = ledgers["full"]
    env = ledger_env(work, db)
    ver = certledger_rss(["verify"], env)
    events = event_count(db)
    results["verify"] = {"events": events, "seconds": ver.seconds, "events_per_s": events / ver.seconds,
                         "max_rss_mb": ver.max_rss_mb, "raw_hash_per_s": raw_hash(db)}
    print(f"[full] verify {ver.seconds:.1f}s (peak {ver.max_rss_mb:.0f} MB)", flush=True)

    raw_s, busy_events = raw_client_select(db, busy)
    for cmd in ("show", "explain"):
        best = min(certledger([cmd, busy], env).seconds for _ in range(5))
        results[cmd] = {"seconds": best, "client_events": busy_events, "raw_select_s": raw_s}

    # ---------------------------------------------------------------------------- PostgreSQL and concurrency
    from bench import concurrency

    cc_sqlite = work / "concurrency.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(str(cc_sqlite) + suffix).unlink(missing_ok=True)
    results["concurrency_sqlite"] = concurrency.run(str(cc_sqlite), commands=CONCURRENT_COMMANDS)
    print(f"[concurrency] SQLite: {results['concurrency_sqlite']}", flush=True)
    if not args.no_pg:
        with pg_schema(args.pg) as url:
            if url is None:
                print(f"[postgresql] {args.pg} is not reachable: PostgreSQL figures left out", flush=True)
            else:
                env = ledger_env(work, Path("unused"))
                env["CERTLEDGER_DB"] = url
                jsonl = work / f"workload-{n_small}.jsonl"
                certledger(["init"], env)  # the one road to a new ledger (D57)
                imp = certledger(["import", str(jsonl)], env)
                events = pg_event_count(url)
                with pg_schema(args.pg) as target:
                    lib = beside_library_save(url, target, events, results["import_small"]["lines"], imp.seconds, 0.0, env) if target else {}
                reb = certledger(["rebuild"], env)
                results["postgres_import"] = {"events": events, "seconds": imp.seconds, "events_per_s": events / imp.seconds, **lib}
                results["postgres_rebuild"] = {"events": events, "seconds": reb.seconds, "events_per_s": events / reb.seconds}
                print(f"[postgresql] import {imp.seconds:.1f}s, rebuild {reb.seconds:.1f}s for {events} events", flush=True)
        with pg_schema(args.pg) as url:
            if url is not None:
                results["concurrency_postgres"] = concurrency.run(url, commands=CONCURRENT_COMMANDS)
                print(f"[concurrency] PostgreSQL: {results['concurrency_postgres']}", flush=True)

    # ---------------------------------------------------------------------------- the table
    f = results
    print(f"\nResults ({n_full} clients; baselines = raw sqlite3 on the same rows, and the library's batched save of the same "
          "events, same run)\n")
    print(report_line("figure", "certledger", "raw baseline", "ratio", "target", None))
    for size in ("small", "full"):
        r = f[f"import_{size}"]
        ok = r["events_per_s"] >= TARGETS["import"] and r["events_per_s"] >= 0.25 * r["raw_insert_per_s"]
        print(report_line(f"import+checkpoint, {r['events']} ev", f"{r['events_per_s']:,.0f}/s", f"{r['raw_insert_per_s']:,.0f}/s insert",
                          ratio(r["events_per_s"], r["raw_insert_per_s"]), ">= 30k/s, >= 0.25x", ok))
        print(library_line(r))
    for size in ("small", "full"):
        r = f[f"rebuild_{size}"]
        print(report_line(f"rebuild, {r['events']} ev", f"{r['events_per_s']:,.0f}/s", f"{r['raw_decode_per_s']:,.0f}/s decode",
                          ratio(r["events_per_s"], r["raw_decode_per_s"]), ">= 60k/s", r["events_per_s"] >= TARGETS["rebuild"]))
        print(report_line("  rebuild peak memory", f"{r['max_rss_mb']:.0f} MB", "", "", "flat in events", None))
    r = f["verify"]
    print(report_line(f"verify, {r['events']} ev", f"{r['events_per_s']:,.0f}/s", f"{r['raw_hash_per_s']:,.0f}/s hash",
                      ratio(r["events_per_s"], r["raw_hash_per_s"]), ">= 200k/s", r["events_per_s"] >= TARGETS["verify"]))
    for cmd in ("show", "explain"):
        r = f[cmd]
        print(report_line(f"{cmd}, client of {r['client_events']} ev", f"{r['seconds']:.3f} s", f"{r['raw_select_s']:.3f} s select",
                          ratio(r["seconds"], r["raw_select_s"]), "<= 0.35 s", r["seconds"] <= TARGETS[cmd]))
    for name, label in (("postgres_import", "PostgreSQL import"), ("postgres_rebuild", "PostgreSQL rebuild")):
        if name in f:
            r = f[name]
            print(report_line(f"{label}, {r['events']} ev", f"{r['events_per_s']:,.0f}/s", "", "", "", None))
            if "library_save_per_s" in r:
                print(library_line(r))
    for name, label in (("concurrency_sqlite", "SQLite"), ("concurrency_postgres", "PostgreSQL")):
        if name in f:
            r = f[name]
            print(report_line(f"{r['processes']} writers, {label}", f"{r['written_per_s']:,.0f} cmd/s", "", "", "",
                              None) + f"  ({r['written']} written, {r['refused']} refused as concurrent)")
    small, full = f["rebuild_small"], f["rebuild_full"]
    growth = full["max_rss_mb"] / small["max_rss_mb"] if small["max_rss_mb"] else 0
    print(f"\nrebuild memory: {small['max_rss_mb']:.0f} MB at {small['events']} events, {full['max_rss_mb']:.0f} MB at "
          f"{full['events']} events ({growth:.2f}x for {full['events'] / small['events']:.1f}x the events)")
    (work / "results.json").write_text(json.dumps({"date": date.today().isoformat(), "machine": machine(), "clients": n_full,
                                                   "results": results}, indent=2))
    print(f"results: {work / 'results.json'}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
