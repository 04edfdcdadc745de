"""The benchmark's second baseline for the import (issue 18, item 8; bench/library_save.py): the
events an import wrote, saved again with the library's own batched save into a fresh ledger of the
same kind, in a fresh process. Held here: it saves every event the import wrote, as the same stored
rows (same order, same bytes), in batches, on SQLite and PostgreSQL. Not timed."""

from __future__ import annotations

from pathlib import Path

from bench import library_save
from ledger.bootstrap import bootstrap
from ledger.importer import run_import
from ledger.synthetic import dumps, generate
from tests.conftest import PG_URL, drop_pg_schema, pg_schema_url


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
        result = library_save.run(db_url, target, batch)
        assert result["events"] == imported
        assert result["batch"] == batch
        assert result["prep_s"] < result["wall_s"] and result["seconds"] > 0 and result["events_per_s"] > 0
        assert rows(target) == source_rows
    finally:
        if schema is not None and PG_URL:
            drop_pg_schema(schema)


def test_the_batch_is_the_import_transactions_worth_of_events():
    from ledger.importer import CHUNK

    assert library_save.batch_for(events=102, lines=100) == round(CHUNK * 1.02)
    assert library_save.batch_for(events=0, lines=0) == 1


def test_the_save_is_the_library_s_own_recorder(db_url, tmp_path: Path):
    """The baseline is the library's batched save: its plain application recorder, not this project's
    (SQLite's write turn around each save, PostgreSQL's pipelined commit), with the ledger's settings."""
    from eventsourcing.postgres import PostgresApplicationRecorder
    from eventsourcing.sqlite import SQLiteApplicationRecorder

    from ledger.config import resolve_database

    ours = resolve_database(db_url).backend().eventsourcing_env()
    assert "APPLICATION_RECORDER_TOPIC" in ours  # what the ledger itself uses
    plain = library_save.library_env(ours)
    assert "APPLICATION_RECORDER_TOPIC" not in plain and plain["PERSISTENCE_MODULE"] == ours["PERSISTENCE_MODULE"]
    if db_url.startswith("postgresql"):
        target, schema = pg_schema_url()
    else:
        target, schema = str(tmp_path / "plain.sqlite"), None
    try:
        app = library_save._library_ledger(target, existing=False)
        try:
            assert type(app.recorder) in (SQLiteApplicationRecorder, PostgresApplicationRecorder)
        finally:
            app.close()
    finally:
        if schema is not None and PG_URL:
            drop_pg_schema(schema)
