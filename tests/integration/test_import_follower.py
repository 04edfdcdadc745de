"""Read models kept current during an import from the events just saved (projections.Follower):
row for row what a rebuild from the first event gives, each event applied once, and a fallback to
the log when someone else wrote in between."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ledger.synthetic import dumps, generate, uscc
from tests.integration.test_projections import positions, table_rows


def workload_lines(n_clients: int, seed: int = 3) -> list[bytes]:
    return [dumps(x).encode() for x in generate(n_clients, seed)]


def follow_import(app, lines, batch_size: int = 300):
    from ledger.importer import run_import
    from projections import Follower

    follower = Follower(app, batch_size=batch_size)
    report = run_import(app, lines, actor="导入", on_saved=follower.saved)
    return report, follower, follower.finish()


def needs_recordings(app) -> None:
    with app.session():
        if app.flush() != []:
            pytest.skip("ledger.app.CertLedger.flush does not return the recordings yet")


def test_an_import_followed_leaves_the_read_models_a_rebuild_would_build(app):
    from projections import rebuild

    needs_recordings(app)
    report, follower, position = follow_import(app, workload_lines(25))
    assert report.ok and report.written > 500
    assert not follower.failed and position == app.event_count()
    assert set(positions(app).values()) == {app.event_count()}
    followed = table_rows(app)
    rebuild(app)
    assert table_rows(app) == followed
    assert len(followed["rm_audit_trail"]) == app.event_count()


def test_events_saved_by_someone_else_meanwhile_are_read_from_the_log_and_applied_once(app):
    from projections import Follower, rebuild

    needs_recordings(app)
    lines = workload_lines(12)
    follower = Follower(app, batch_size=50)
    from ledger.importer import run_import

    half = len(lines) // 2
    run_import(app, lines[:half], actor="导入", on_saved=follower.saved)
    # Another writer records an event that the follower never sees as a recording.
    other = json.loads(lines[0])
    day = date.fromisoformat(other["on"])
    app.notify_change(client=other["client"], kind="address", changed_on=day, description="经营场所迁址", actor="张伟", on=day)
    run_import(app, lines[half:], actor="导入", on_saved=follower.saved)
    assert follower.finish() == app.event_count()
    followed = table_rows(app)
    assert len(followed["rm_audit_trail"]) == app.event_count()
    rebuild(app)
    assert table_rows(app) == followed


def test_a_refused_line_gives_the_follower_nothing_to_apply(app):
    needs_recordings(app)
    lines = workload_lines(3)
    bad = dict(json.loads(lines[1]), client=uscc(999))  # a client that was never registered
    report, follower, position = follow_import(app, [*lines[:1], dumps(bad).encode(), *lines[1:]])
    assert [e.line for e in report.errors] == [2]
    assert position == app.event_count()
    assert len(table_rows(app)["rm_audit_trail"]) == app.event_count()
