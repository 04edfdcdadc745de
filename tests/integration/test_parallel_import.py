"""An import run in worker processes (ledger.importer.run_import_in_workers), on SQLite and
PostgreSQL: the same clients, events and read models as the same file imported in one process, and
bad lines reported with their line numbers, writing nothing."""

from __future__ import annotations

import json

from ledger.synthetic import dumps, generate, uscc
from ledger.importer import run_import, run_import_in_workers, worker_of
from tests.integration.test_crash_safety import event_key, stored_events
from tests.integration.test_projections import table_rows

N_CLIENTS = 14


def lines(n_clients: int = N_CLIENTS, seed: int = 5) -> list[bytes]:
    return [dumps(x).encode() + b"\n" for x in generate(n_clients, seed)]


def events_by_client(app) -> dict:
    out: dict = {}
    for _, ev in stored_events(app):
        out.setdefault(ev.originator_id, []).append(event_key(ev))
    return out


def comparable(rows: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """The read-model tables without what depends on the log's order or the moment of recording:
    the audit-trail index is compared without its position and recorded time."""
    out = dict(rows)
    out["rm_audit_trail"] = sorted(r[1:6] for r in rows["rm_audit_trail"])
    return out


def test_an_import_in_two_workers_stores_what_one_process_stores(app, db_url, tmp_path):
    from ledger.bootstrap import bootstrap
    from projections import catch_up, dispose
    from projections.runner import bring_up_to_date

    data = lines()
    assert len({worker_of(raw, 2) for raw in data}) == 2  # both workers have clients

    single = bootstrap(str(tmp_path / "single.sqlite"))
    report1 = run_import(single, data, actor="导入员")
    catch_up(single)

    report2 = run_import_in_workers(db_url, data, actor="导入员", workers=2)
    bring_up_to_date(app)  # nothing applied yet: built from the first event

    assert report1.ok and report2.ok
    assert (report2.lines, report2.written) == (report1.lines, report1.written) == (len(data), len(data))
    assert events_by_client(app) == events_by_client(single)
    assert comparable(table_rows(app)) == comparable(table_rows(single))
    dispose(single)
    single.close()


def test_bad_lines_are_reported_with_their_numbers_and_write_nothing(app, db_url):
    good = lines(4)
    bad_json = b'{"command": "audit plan", "client": \n'
    bad_utf8 = b'{"command": "nc raise", "client": "\xff\xfe"}\n'
    unknown = json.dumps({"command": "complaint receive", "client": uscc(900, 5), "complainant": "甲", "subject": "乙",
                          "on": "2026-03-02"}).encode() + b"\n"
    data = [good[0], bad_json, *good[1:], bad_utf8, unknown]
    report = run_import_in_workers(db_url, data, actor="导入员", workers=2)
    assert [e.line for e in report.errors] == [2, len(good) + 2, len(good) + 3]
    assert report.errors[0].rule == "ledger: input format" and report.errors[2].rule == "ledger: reference exists"
    assert report.written == len(good) and report.lines == len(data)
    assert sum(len(v) for v in events_by_client(app).values()) == app.event_count()
    assert uscc(900, 5) not in {c.uscc for c in app.clients()}


def test_read_models_far_behind_are_rebuilt_and_a_little_behind_caught_up(app, monkeypatch):
    from projections import catch_up, runner

    data = lines(3)
    half = len(data) // 2
    assert run_import(app, data[:half], actor="导入员").ok
    catch_up(app)
    assert run_import(app, data[half:half + 3], actor="导入员").ok
    chosen = []
    monkeypatch.setattr(runner, "rebuild", lambda a, **k: chosen.append("rebuild") or runner.catch_up(a))
    runner.bring_up_to_date(app)  # a few events behind: followed
    assert chosen == []
    assert run_import(app, data[half + 3:], actor="导入员").ok  # about half the log behind
    monkeypatch.setattr(runner, "BUILD_INSTEAD", 0.3)
    positions = runner.bring_up_to_date(app)
    assert chosen == ["rebuild"] and set(positions.values()) == {app.recorder.max_notification_id()}
