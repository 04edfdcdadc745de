"""The benchmark's second baseline for the import (issue 18, item 8; bench/library_save.py): the
events an import wrote, saved again with the library's own batched save into a fresh ledger of the
same kind, in a fresh process. Held here: it saves every event the import wrote, as the same stored
rows (same order, same bytes), in batches, on SQLite and PostgreSQL. Not timed. The benchmark is run
as its users run it, ``python -m bench.library_save SOURCE TARGET BATCH`` (the tests import nothing
of ``bench/``)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from ledger.bootstrap import bootstrap
from ledger.importer import run_import
from ledger.synthetic import dumps, generate
from tests.conftest import PG_URL, drop_pg_schema, pg_schema_url


ROOT = Path(__file__).resolve().parents[2]


def library_save(source: str, target: str, batch: int) -> dict:
    """``python -m bench.library_save`` in a process of its own: its JSON, with the wall time around it."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "bench.library_save", source, target, str(batch)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    wall = time.perf_counter() - start
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    seconds = wall - result["prep_s"]
    return {**result, "wall_s": wall, "seconds": seconds, "events_per_s": result["events"] / seconds}


def rows(url: str) -> list[tuple]:
    """Every stored event row of the ledger at ``url``, in log order, as stored."""
    app = bootstrap(url, existing=True)
    try:
        out, start = [], 0
        while True:
            page = app.recorder.select_notifications(start, 1000, inclusive_of_start=False)
            if not page:
                return out
            out += [(n.originator_id, n.originator_version, n.topic, bytes(n.state)) for n in page]
            start = page[-1].id
    finally:
        app.close()


def test_the_library_save_writes_the_imported_events_again_as_the_same_rows(db_url, tmp_path: Path):
    data = [dumps(x).encode() for x in generate(6, 3)]
    app = bootstrap(db_url)
    try:
        report = run_import(app, data, actor="导入员")
        assert report.ok and report.written == len(data)
    finally:
        app.close()
    source_rows = rows(db_url)
    imported = len(source_rows)
    if db_url.startswith("postgresql"):
        target, schema = pg_schema_url()
    else:
        target, schema = str(tmp_path / "library-save.sqlite"), None
    assert target != db_url
    try:
        batch = 40  # several saves, the last one short
        assert imported > 2 * batch
        result = library_save(db_url, target, batch)
        assert result["events"] == imported
        assert result["batch"] == batch
        assert result["prep_s"] < result["wall_s"] and result["seconds"] > 0 and result["events_per_s"] > 0
        assert rows(target) == source_rows
    finally:
        if schema is not None and PG_URL:
            drop_pg_schema(schema)


def test_the_batch_is_the_import_transactions_worth_of_events():
    from ledger.importer import CHUNK, events_per_transaction

    assert events_per_transaction(events=102, lines=100) == round(CHUNK * 1.02)
    assert events_per_transaction(events=0, lines=0) == 1


def test_the_save_is_the_library_s_own_recorder(db_url, tmp_path: Path):
    """The baseline is the library's batched save: its plain application recorder, not this project's
    (SQLite's write turn around each save, PostgreSQL's pipelined commit), with the ledger's settings."""
    from ledger.config import resolve_database

    ours = resolve_database(db_url).backend().eventsourcing_env()
    assert "APPLICATION_RECORDER_TOPIC" in ours  # what the ledger itself uses
    app = bootstrap(db_url)
    try:
        assert run_import(app, [dumps(x).encode() for x in generate(2, 5)], actor="导入员").ok
        assert type(app.recorder).__name__ not in ("SQLiteApplicationRecorder", "PostgresApplicationRecorder")
    finally:
        app.close()
    if db_url.startswith("postgresql"):
        target, schema = pg_schema_url()
    else:
        target, schema = str(tmp_path / "plain.sqlite"), None
    try:
        result = library_save(db_url, target, 10)
        expected = "PostgresApplicationRecorder" if db_url.startswith("postgresql") else "SQLiteApplicationRecorder"
        assert result["recorder"] == expected
    finally:
        if schema is not None and PG_URL:
            drop_pg_schema(schema)
