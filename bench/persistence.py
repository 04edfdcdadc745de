"""Persistence benchmark: eventsourcing's built-in sqlite/postgres modules vs eventsourcing-sqlalchemy.

Standalone script, not part of the test suite:

    python bench/persistence.py            # 3 runs of 500 aggregates x 10 events, all configurations
    python bench/persistence.py --quick    # 1 run of 100 aggregates (smoke test)

Options: --runs N, --aggregates N, --batch N, --only NAME[,NAME], --pg-url URL, --no-import-times.

Workload, identical for every configuration (one fresh database or schema per run):

  (a) per-command: 500 aggregates x 10 events (1 creation + 9 commands), one save() per command;
      each command after creation does repository.get() -> mutate -> save(), like a CLI command.
  (b) batched: another 500 aggregates x 10 events built in memory and saved --batch aggregates
      per save(*aggs) call (one transaction per call).
  (c) replay: repository.get() of every aggregate written by (a) and (b) (1000 x 10 events).

Figures are events per second, median of the runs. PostgreSQL runs use a unique schema per run
(created here, dropped with CASCADE afterwards), so nothing is left in the database.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

NAMESPACE = uuid.UUID("7f3c1e4a-2b1d-5c3e-9a8f-0d6e4b2a1c90")
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
SCHEMA_PREFIX = "bench_persistence_"


# --- workload ------------------------------------------------------------------------------


class BenchClient(Aggregate):
    """Resembles the certification client: uuid5 id from an 18-character code."""

    @staticmethod
    def create_id(code: str) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, code)

    @event("Registered")
    def __init__(self, code: str, name: str, actor: str, occurred_on: str) -> None:
        self.code = code
        self.name = name
        self.entries: list[dict[str, Any]] = []

    @event("EntryRecorded")
    def record_entry(self, actor: str, occurred_on: str, payload: dict[str, Any]) -> None:
        self.entries.append(payload)


class BenchLedger(Application):
    name = "BenchLedger"


def code_for(prefix: str, i: int) -> str:
    # 18 characters, shaped like a USCC (no real check character).
    return f"91{prefix}{i:014d}X"[:18]


def payload_for(i: int, j: int) -> dict[str, Any]:
    # About 200 bytes once JSON-encoded.
    return {
        "item": f"QC-{j % 40:03d}",
        "score": str(70 + (i + j) % 30),
        "auditor": "张三 / auditor-0042",
        "site": f"site-{i % 7}",
        "note": "surveillance audit entry; evidence reviewed on site " + "x" * 40,
        "ref": f"NC-{i:05d}-{j:02d}",
    }


def day(j: int) -> str:
    return f"2026-11-{1 + j % 28:02d}"


def phase_per_command(app: BenchLedger, n: int, events_per_agg: int) -> int:
    ids = []
    for i in range(n):
        agg = BenchClient(code_for("A", i), f"Org {i}", actor="admin", occurred_on=day(0))
        app.save(agg)
        ids.append(agg.id)
    for j in range(1, events_per_agg):
        for agg_id in ids:
            agg = app.repository.get(agg_id)
            agg.record_entry(actor="auditor", occurred_on=day(j), payload=payload_for(0, j))
            app.save(agg)
    return n * events_per_agg


def phase_batched(app: BenchLedger, n: int, events_per_agg: int, batch: int) -> int:
    pending = []
    for i in range(n):
        agg = BenchClient(code_for("B", i), f"Org {i}", actor="admin", occurred_on=day(0))
        for j in range(1, events_per_agg):
            agg.record_entry(actor="auditor", occurred_on=day(j), payload=payload_for(i, j))
        pending.append(agg)
        if len(pending) == batch:
            app.save(*pending)
            pending = []
    if pending:
        app.save(*pending)
    return n * events_per_agg


def phase_replay(app: BenchLedger, n: int, events_per_agg: int) -> int:
    count = 0
    for prefix in ("A", "B"):
        for i in range(n):
            agg = app.repository.get(BenchClient.create_id(code_for(prefix, i)))
            assert agg.version == events_per_agg, (agg.version, events_per_agg)
            count += agg.version
    return count


# --- configurations ------------------------------------------------------------------------


@dataclass
class Store:
    env: dict[str, str]
    cleanup: Callable[[], None]
    tables: Callable[[], list[str]] = field(default=lambda: [])


def pg_exec(pg_url: str, sql: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        cur = conn.execute(sql)
        return cur.fetchall() if cur.description else []


def sqlite_tables(path: str) -> list[str]:
    import sqlite3

    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        return [r[0] for r in rows]


def pg_tables(pg_url: str, schema: str) -> list[str]:
    rows = pg_exec(
        pg_url,
        f"SELECT table_name FROM information_schema.tables WHERE table_schema = '{schema}' "
        "ORDER BY table_name",
    )
    return [f"{schema}.{r[0]}" for r in rows]


def make_sqlite_file(module: str) -> Callable[[str], Store]:
    def make(_: str) -> Store:
        tmp = tempfile.mkdtemp(prefix="bench-persistence-")
        path = os.path.join(tmp, "events.sqlite")
        if module == "eventsourcing.sqlite":
            env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path}
        else:
            env = {"PERSISTENCE_MODULE": "eventsourcing_sqlalchemy", "SQLALCHEMY_URL": f"sqlite:///{path}"}
        return Store(env, lambda: shutil.rmtree(tmp, ignore_errors=True), lambda: sqlite_tables(path))

    return make


def make_postgres(module: str, pg_url: str, db_functions: bool = False) -> Callable[[str], Store]:
    from urllib.parse import urlsplit

    parts = urlsplit(pg_url)

    def make(tag: str) -> Store:
        schema = f"{SCHEMA_PREFIX}{os.getpid()}_{tag}"
        pg_exec(pg_url, f'CREATE SCHEMA "{schema}"')
        if module == "eventsourcing.postgres":
            env = {
                "PERSISTENCE_MODULE": "eventsourcing.postgres",
                "POSTGRES_DBNAME": parts.path.lstrip("/"),
                "POSTGRES_HOST": parts.hostname or "127.0.0.1",
                "POSTGRES_PORT": str(parts.port or 5432),
                "POSTGRES_USER": parts.username or "postgres",
                "POSTGRES_PASSWORD": parts.password or "",
                "POSTGRES_SCHEMA": schema,
                "POSTGRES_ENABLE_DB_FUNCTIONS": "y" if db_functions else "n",
            }
        else:
            env = {
                "PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
                "SQLALCHEMY_URL": pg_url.replace("postgresql://", "postgresql+psycopg://", 1),
                "SQLALCHEMY_SCHEMA": schema,
            }
        return Store(
            env,
            lambda: pg_exec(pg_url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'),
            lambda: pg_tables(pg_url, schema),
        )

    return make


def close_app(app: Application) -> None:
    app.close()
    # eventsourcing_sqlalchemy's factory does not dispose its engine on close().
    datastore = getattr(app.factory, "datastore", None)
    engine = getattr(datastore, "engine", None)
    if engine is not None and hasattr(engine, "dispose"):
        engine.dispose()


# --- driver --------------------------------------------------------------------------------


def run_once(make: Callable[[str], Store], tag: str, n: int, events: int, batch: int) -> tuple[dict[str, float], list[str]]:
    store = make(tag)
    try:
        app = BenchLedger(env=store.env)
        try:
            rates = {}
            for key, phase in (
                ("a", lambda: phase_per_command(app, n, events)),
                ("b", lambda: phase_batched(app, n, events, batch)),
                ("c", lambda: phase_replay(app, n, events)),
            ):
                t0 = time.perf_counter()
                count = phase()
                rates[key] = count / (time.perf_counter() - t0)
            tables = store.tables()
        finally:
            close_app(app)
    finally:
        store.cleanup()
    return rates, tables


def import_times(repeats: int = 5) -> dict[str, float]:
    """Median wall time of `python -c "import X"` in a fresh interpreter, in seconds."""
    stmts = {
        "bare python": "pass",
        "eventsourcing.application": "import eventsourcing.application",
        "eventsourcing.sqlite": "import eventsourcing.application, eventsourcing.sqlite",
        "eventsourcing.postgres": "import eventsourcing.application, eventsourcing.postgres",
        "eventsourcing_sqlalchemy": "import eventsourcing.application, eventsourcing_sqlalchemy.factory",
        "sqlalchemy (alone)": "import sqlalchemy",
    }
    out = {}
    for label, stmt in stmts.items():
        samples = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", stmt], check=True)
            samples.append(time.perf_counter() - t0)
        out[label] = statistics.median(samples)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="1 run, 100 aggregates")
    p.add_argument("--runs", type=int, default=None)
    p.add_argument("--aggregates", type=int, default=None)
    p.add_argument("--events", type=int, default=10, help="events per aggregate, incl. creation")
    p.add_argument("--batch", type=int, default=50, help="aggregates per save(*aggs) in (b)")
    p.add_argument("--only", default="", help="comma-separated configuration names")
    p.add_argument("--pg-url", default=os.environ.get("CERTLEDGER_TEST_PG_URL", DEFAULT_PG_URL))
    p.add_argument("--no-import-times", action="store_true")
    args = p.parse_args(argv)
    runs = args.runs or (1 if args.quick else 3)
    n = args.aggregates or (100 if args.quick else 500)

    configs: dict[str, Callable[[str], Store]] = {
        "es.sqlite (file)": make_sqlite_file("eventsourcing.sqlite"),
        "es.postgres": make_postgres("eventsourcing.postgres", args.pg_url),
        "es.postgres +DB_FUNCTIONS": make_postgres("eventsourcing.postgres", args.pg_url, db_functions=True),
        "es_sqlalchemy sqlite (file)": make_sqlite_file("eventsourcing_sqlalchemy"),
        "es_sqlalchemy postgres": make_postgres("eventsourcing_sqlalchemy", args.pg_url),
    }
    if args.only:
        wanted = [w.strip() for w in args.only.split(",")]
        configs = {k: v for k, v in configs.items() if any(w in k for w in wanted)}

    print(
        f"# python {sys.version.split()[0]}, {os.cpu_count()} cpus; {n} aggregates x {args.events} "
        f"events per phase, batch {args.batch} aggregates/save, median of {runs} run(s)"
    )
    print(f"{'configuration':30} {'(a) per-save ev/s':>18} {'(b) batched ev/s':>17} {'(c) replay ev/s':>16}")
    for idx, (label, make) in enumerate(configs.items()):
        samples: dict[str, list[float]] = {"a": [], "b": [], "c": []}
        tables: list[str] = []
        for r in range(runs):
            rates, tables = run_once(make, f"{idx}_{r}", n, args.events, args.batch)
            for k, v in rates.items():
                samples[k].append(v)
        med = {k: statistics.median(v) for k, v in samples.items()}
        print(f"{label:30} {med['a']:18,.0f} {med['b']:17,.0f} {med['c']:16,.0f}")
        each = {k: "/".join(f"{x:.0f}" for x in v) for k, v in samples.items()}
        print(f"{'  runs':30} {each['a']:>18} {each['b']:>17} {each['c']:>16}   tables: {', '.join(tables)}")
        sys.stdout.flush()

    if not args.no_import_times:
        print("\n# import time, fresh interpreter, median of 5 (includes interpreter start-up)")
        for label, secs in import_times().items():
            print(f"{label:30} {secs * 1000:8.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
