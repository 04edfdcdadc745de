"""An import killed with SIGKILL at a random moment leaves no partial command: what is stored is
exactly the events of the first lines of the file, ending on a line boundary, each client's in
order (a new
client's Registered never without its ApplicationSubmitted); the next catch-up brings the read
models to what a replay of the events says and to what a rebuild from the first event gives; and
``certledger verify`` passes after a checkpoint. On SQLite and on PostgreSQL.

The import file is ``ledger.synthetic``: the lifecycles of a few clients under all five schemes.
Its reference is the same file imported line by line into a scratch ledger, noting after each line
how many events the ledger holds.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ledger import synthetic as workload

DEFAULT_CLIENTS, DEFAULT_TRIALS = 12, 3
SLOW_CLIENTS, SLOW_TRIALS = 40, 20
SEED = 20261122


# ------------------------------------------------------------------------------ shared checks


def certledger_command() -> list[str]:
    """The installed ``certledger`` of this environment (or the same entry point through python)."""
    script = Path(sys.executable).parent / "certledger"
    return [str(script)] if script.exists() else [sys.executable, "-m", "cli.main"]


def event_key(ev: Any) -> tuple:
    """What identifies a stored event apart from the moment it was recorded."""
    fields = {k: v for k, v in ev.__dict__.items() if k != "timestamp"}
    return (ev.originator_id, ev.originator_version, type(ev).__qualname__, repr(sorted(fields.items())))


def stored_events(app: Any) -> list[tuple[int, Any]]:
    """Every stored event with its notification id, in log order."""
    out, start = [], 0
    while True:
        batch = app.recorder.select_notifications(start, 1000, inclusive_of_start=False)
        if not batch:
            return out
        out += [(n.id, app.mapper.to_domain_event(n)) for n in batch]
        start = batch[-1].id


def assert_each_client_is_contiguous(app: Any) -> dict[Any, list[Any]]:
    """Notification ids strictly increase; each client's versions are 1, 2, 3... in log order; a
    client that is registered has its application too. Returns the events by client."""
    events = stored_events(app)
    ids = [i for i, _ in events]
    assert ids == sorted(set(ids)), "notification ids must strictly increase"
    by_client: dict[Any, list[Any]] = {}
    for _, ev in events:
        by_client.setdefault(ev.originator_id, []).append(ev)
    for client_id, evs in by_client.items():
        assert [e.originator_version for e in evs] == list(range(1, len(evs) + 1)), f"client {client_id}: versions not contiguous"
        kinds = [type(e).__name__ for e in evs]
        assert kinds[0] == "Registered", f"client {client_id} starts with {kinds[0]}"
        assert len(kinds) > 1 and kinds[1] == "ApplicationSubmitted", f"client {client_id} is registered without its application"
    return by_client


def as_json(data: Any) -> Any:
    from projections.jsonish import dumps, loads

    return loads(dumps(data))


def table_rows(app: Any) -> dict[str, list[tuple]]:
    """Every read-model table, row by row in primary-key order (tracking left out)."""
    from sqlalchemy import select

    from projections import engine_for
    from projections.db import table_names
    from projections.tables import metadata

    out = {}
    with engine_for(app).connect() as conn:
        existing = table_names(conn)
        for table in metadata.sorted_tables:
            if table.name != "rm_tracking" and table.name in existing:
                out[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*table.primary_key.columns))]
    return out


def assert_read_models_agree(app: Any) -> None:
    """After a catch-up, what ``show`` and ``clients`` read equals a replay of each client's events,
    and every read-model table equals a rebuild from the first event."""
    from projections.clients import client_row
    from projections.summaries import client_summary
    from projections import catch_up, engine_for, queries, rebuild

    catch_up(app)
    engine = engine_for(app)
    replayed = {c.uscc: c for c in app.clients()}
    for uscc, client in replayed.items():
        assert queries.client_summary(engine, uscc) == as_json(client_summary(client)), uscc
    listed = {r["uscc"]: as_json(r) for r in queries.clients(engine)}
    assert listed == {u: as_json(client_row(c)) for u, c in replayed.items()}
    caught_up = table_rows(app)
    rebuild(app)
    assert table_rows(app) == caught_up


def assert_trail_verifies(db: str, key_dir: Path) -> None:
    """``keys init``, ``checkpoint`` and ``verify`` through the command line: verify exits 0."""
    from cli.main import root

    key = str(key_dir / "signing.key")
    runner = CliRunner()
    if not Path(key).exists():
        made = runner.invoke(root, ["keys", "init", "--key", key])
        assert made.exit_code == 0, made.output
    cp = runner.invoke(root, ["--db", db, "checkpoint", "--key", key])
    assert cp.exit_code == 0, cp.output
    verified = runner.invoke(root, ["--db", db, "verify", "--key", key])
    assert verified.exit_code == 0, verified.output + verified.stderr


# ------------------------------------------------------------------------------ the reference


@dataclass(frozen=True)
class Reference:
    path: Path
    lines: int
    events: list[tuple]  # event_key of every event, in log order
    after_line: list[int]  # events stored after each line (index 0: before the first)
    client_events: dict[Any, list[tuple]]  # each client's event keys, in order
    client_after_line: dict[Any, set[int]]  # each client's event count after each of its lines (and 0)


def reference_for(tmp: Path, n_clients: int) -> Reference:
    from ledger.bootstrap import bootstrap
    from ledger.importer import run_import

    path = tmp / f"workload-{n_clients}.jsonl"
    count = workload.write_jsonl(path, n_clients, SEED)
    app = bootstrap(str(tmp / f"reference-{n_clients}.sqlite"))
    after = [0]
    with open(path, "rb") as fh:
        for raw in fh:
            report = run_import(app, [raw], actor="导入员")
            assert report.ok, [e.message_en for e in report.errors]
            after.append(app.event_count())
    stored = stored_events(app)
    events = [event_key(ev) for _, ev in stored]
    app.close()
    assert len(events) == after[-1]
    client_events: dict[Any, list[tuple]] = {}
    client_after: dict[Any, set[int]] = {}
    for (_, ev), key in zip(stored, events):
        client_events.setdefault(ev.originator_id, []).append(key)
    for before, upto in zip(after, after[1:]):  # the events a line added all belong to its client
        if upto > before:
            last = stored[upto - 1][1]
            client_after.setdefault(last.originator_id, {0}).add(last.originator_version)
    return Reference(path, count, events, after, client_events, client_after)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Reference:
    return reference_for(tmp_path_factory.mktemp("crash"), DEFAULT_CLIENTS)


# ------------------------------------------------------------------------------ a trial


@dataclass
class Trial:
    stored: int  # events in the ledger after the kill
    killed: bool  # the import was still running when it was killed
    moment: str
    workers: int = 1


CHUNKS = (7, 50, None)  # lines per transaction: small ones so a short file spans many; None: the importer's own


def import_command() -> list[str]:
    return [*certledger_command(), "import"]


def kill_import_at_random(db: str, ref: Reference, rng: random.Random, tmp: Path, *, chunk: int | None = None,
                          early: bool = False, workers: int = 1) -> Trial:
    """Run ``certledger import`` on a fresh ledger and SIGKILL it: while writing, when the ledger
    reaches a random number of events (in the first half if ``early``), or (one time in four) at a
    random moment after the last event was written, while the read models catch up."""
    from ledger.bootstrap import bootstrap

    total = ref.after_line[-1]
    during_catch_up = not early and rng.random() < 0.25
    target = total if during_catch_up else rng.randint(1, total // 2 if early else total)
    delay = rng.uniform(0, 0.8) if during_catch_up else 0.0
    watcher = bootstrap(db)  # creates the tables before the import starts
    env = {**os.environ, "CERTLEDGER_DB": db, "CERTLEDGER_ACTOR": "导入员", "CERTLEDGER_LOG_LEVEL": "ERROR",
           "CERTLEDGER_IMPORT_WORKERS": str(workers)}
    if chunk is not None:  # small transactions, so that a short file spans many
        env["CERTLEDGER_IMPORT_CHUNK"] = str(chunk)
    with open(tmp / "import.log", "wb") as log:
        proc = subprocess.Popen([*import_command(), str(ref.path)], env=env, stdout=log, stderr=log)
    killed = False
    try:
        reached_at = None
        while proc.poll() is None:
            if reached_at is None and (watcher.recorder.max_notification_id() or 0) >= target:
                reached_at = time.monotonic()
            if reached_at is not None and time.monotonic() - reached_at >= delay:
                proc.send_signal(signal.SIGKILL)
                killed = proc.wait() == -signal.SIGKILL
                break
            time.sleep(0.002)
        proc.wait()
        if workers > 1:  # the workers die with the import (PR_SET_PDEATHSIG); let them be reaped
            time.sleep(0.3)
        stored = len(stored_events(watcher))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        watcher.close()
    return Trial(stored, killed, f"after {target} events + {delay:.2f}s ({'catch-up' if during_catch_up else 'writing'}, "
                                 f"{chunk or 'default'} lines per transaction, {workers} process(es))", workers)


def assert_consistent_after_crash(db: str, ref: Reference, trial: Trial, key_dir: Path) -> None:
    from ledger.bootstrap import bootstrap
    from projections import dispose

    app = bootstrap(db)
    try:
        events = stored_events(app)
        assert len(events) == trial.stored
        if trial.workers == 1:
            # Exactly the events of the first lines, ending on a line boundary. (Within one transaction
            # the log orders events client by client; each client's own order is checked below.)
            assert len(events) in ref.after_line, f"{len(events)} events is not a line boundary ({trial.moment})"
            assert {event_key(ev) for _, ev in events} == set(ref.events[: len(events)]), trial.moment
        else:
            # Workers run different clients' lines side by side: for each client, exactly the events
            # of its first lines, ending on one of its line boundaries.
            by_client: dict[Any, list[tuple]] = {}
            for _, ev in events:
                by_client.setdefault(ev.originator_id, []).append(event_key(ev))
            for client_id, keys in by_client.items():
                assert len(keys) in ref.client_after_line[client_id], f"{client_id}: {len(keys)} events ({trial.moment})"
                assert keys == ref.client_events[client_id][: len(keys)], trial.moment
        if events:
            assert_each_client_is_contiguous(app)
            assert_read_models_agree(app)
    finally:
        dispose(app)
        app.close()
    if trial.stored:
        assert_trail_verifies(db, key_dir)


def run_trials(make_db, ref: Reference, trials: int, tmp: Path, seed: int, workers: int = 1) -> list[Trial]:
    rng = random.Random(seed)
    done = []
    for k in range(trials):
        db = make_db(k)
        # The first trial kills early in small transactions, so the test can never pass vacuously.
        trial = kill_import_at_random(db, ref, rng, tmp, chunk=CHUNKS[k % len(CHUNKS)], early=k == 0, workers=workers)
        assert_consistent_after_crash(db, ref, trial, tmp)
        done.append(trial)
    # Not vacuous: the import was interrupted while it still had lines to write.
    assert any(t.killed and t.stored < ref.after_line[-1] for t in done), [t.moment for t in done]
    return done


# ------------------------------------------------------------------------------ the tests


def test_the_workload_imports_cleanly_and_covers_every_scheme(reference):
    from ledger.rules.scoring import list_schemes

    assert set(workload.SCHEMES) == {s.id for s in list_schemes()}
    assert reference.lines > 300 and reference.after_line[-1] > reference.lines
    assert list(workload.generate(DEFAULT_CLIENTS, SEED)) == list(workload.generate(DEFAULT_CLIENTS, SEED))


def test_an_import_killed_at_random_moments_on_sqlite_leaves_only_whole_commands(reference, tmp_path):
    run_trials(lambda k: str(tmp_path / f"crash-{k}.sqlite"), reference, DEFAULT_TRIALS, tmp_path, SEED)


@pytest.mark.postgres
def run_pg_trials(ref: Any, trials: int, tmp_path: Any, seed: int, workers: int = 1) -> None:
    """Trials on PostgreSQL, each in a fresh schema, all dropped afterwards."""
    from tests.conftest import PG_URL, drop_pg_schema, pg_schema_url

    if not PG_URL:
        pytest.skip("CERTLEDGER_TEST_PG_URL is not set")
    schemas = []

    def make_db(_k: int) -> str:
        url, schema = pg_schema_url()
        schemas.append(schema)
        return url

    try:
        run_trials(make_db, ref, trials, tmp_path, seed, workers)
    finally:
        for schema in schemas:
            drop_pg_schema(schema)


def test_an_import_killed_at_random_moments_on_postgresql_leaves_only_whole_commands(reference, tmp_path):
    run_pg_trials(reference, DEFAULT_TRIALS, tmp_path, SEED + 1)


def test_an_import_in_two_worker_processes_killed_at_random_on_sqlite_leaves_only_whole_commands(reference, tmp_path):
    run_trials(lambda k: str(tmp_path / f"crash-w-{k}.sqlite"), reference, DEFAULT_TRIALS, tmp_path, SEED + 4, workers=2)


def test_an_import_in_two_worker_processes_killed_at_random_on_postgresql_leaves_only_whole_commands(reference, tmp_path):
    run_pg_trials(reference, DEFAULT_TRIALS, tmp_path, SEED + 5, workers=2)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_twenty_random_kills_of_a_larger_import_leave_only_whole_commands(backend, tmp_path):
    ref = reference_for(tmp_path, SLOW_CLIENTS)
    if backend == "sqlite":
        run_trials(lambda k: str(tmp_path / f"crash-{k}.sqlite"), ref, SLOW_TRIALS, tmp_path, SEED + 2)
        run_trials(lambda k: str(tmp_path / f"crash-w-{k}.sqlite"), ref, SLOW_TRIALS, tmp_path, SEED + 6, workers=2)
        return
    run_pg_trials(ref, SLOW_TRIALS, tmp_path, SEED + 3)
    run_pg_trials(ref, SLOW_TRIALS, tmp_path, SEED + 7, workers=2)
