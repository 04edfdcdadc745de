"""``verify --read-models``: the read models recomputed from the events and compared row by row
(projections/check.py). Altered with raw SQL as the database's owner would; every check on SQLite
and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date

import click
import pytest
from click.testing import CliRunner

from ledger import demo
from projections import read
from projections.runner import catch_up
from tests.owner import Owner


@pytest.fixture
def played(app, db_url):
    """The demo ledger with its read models caught up, and its owner for raw SQL."""
    demo.play(app, today=date(2026, 11, 20))
    catch_up(app)
    return app, Owner(app, db_url)


def _one(owner, sql, params=()):
    rows = owner.sql(sql, params)
    assert rows, sql
    return rows[0]


def test_untouched_ledger_has_no_differences(played):
    app, _ = played
    result = read.check_read_models(app)
    assert result.ok, [d.message_en for d in result.differences[:5]]
    assert result.differences == [] and result.notes == []
    assert result.clients == 6 and result.events == result.last and result.rows > result.events
    assert set(result.checked) == {"clients", "grades", "register", "nonconformities", "deadlines", "summaries", "trail"}


def test_read_models_not_built_yet_are_notes_not_differences(app):
    demo.play(app, today=date(2026, 11, 20))
    result = read.check_read_models(app)
    assert result.ok and {n.kind for n in result.notes} == {"not built"}


def test_changed_grade_in_the_client_list(played):
    app, owner = played
    uscc, grade = _one(owner, f"SELECT uscc, grade FROM {owner.trail('rm_clients')} WHERE grade IS NOT NULL ORDER BY uscc")
    owner.sql(f"UPDATE {owner.trail('rm_clients')} SET grade = ? WHERE uscc = ?", ("Z", uscc))
    result = read.check_read_models(app)
    assert not result.ok and result.total == 1
    first = result.first
    assert (first.kind, first.projection, first.table, first.key) == ("changed", "clients", "rm_clients", {"uscc": uscc})
    assert first.columns == [{"column": "grade", "stored": "Z", "expected": grade}]
    assert uscc in first.message_en and "grade" in first.message_zh
    assert result.repair == "certledger rebuild --projection clients"


def test_changed_status_inside_the_show_summary(played):
    app, owner = played
    uscc, text = _one(owner, f"SELECT uscc, summary FROM {owner.trail('rm_client_summaries')} ORDER BY uscc")
    summary = json.loads(text)
    summary["stage"] = "certified" if summary["stage"] != "certified" else "applied"
    owner.sql(f"UPDATE {owner.trail('rm_client_summaries')} SET summary = ? WHERE uscc = ?",
              (json.dumps(summary, ensure_ascii=False, indent=1), uscc))  # re-indented: equal JSON is no difference
    result = read.check_read_models(app)
    assert result.total == 1
    first = result.first
    assert (first.table, first.key, first.columns[0]["column"]) == ("rm_client_summaries", {"uscc": uscc}, "summary.stage")
    assert first.columns[0]["stored"] == summary["stage"]


def test_deleted_register_row(played):
    app, owner = played
    cid, = _one(owner, f"SELECT certification_id FROM {owner.trail('rm_certificates')} ORDER BY certification_id")
    owner.sql(f"DELETE FROM {owner.trail('rm_certificates')} WHERE certification_id = ?", (cid,))
    first = read.check_read_models(app).first
    assert (first.kind, first.projection, first.table, first.key) == ("missing", "register", "rm_certificates", {"certification_id": cid})


def test_extra_rows_of_a_known_and_of_an_unknown_client(played):
    app, owner = played
    row = _one(owner, f"SELECT uscc, name FROM {owner.trail('rm_clients')} ORDER BY uscc")
    owner.sql(f"INSERT INTO {owner.trail('rm_open_nonconformities')} (uscc, nc_id, name, audit_id, severity, clause, description, "
              "status, raised_on, actor) VALUES (?, 'NC-X', ?, 'A-1', 'major', '4.1', 'made up', 'open', '2026-01-02', 'x')", row)
    owner.sql(f"INSERT INTO {owner.trail('rm_clients')} (uscc, name, address, registered_on, stage, events) "
              "VALUES ('91110000000000000X', 'Ghost', 'nowhere', '2026-01-02', 'certified', 1)")
    result = read.check_read_models(app)
    assert result.total == 2
    kinds = [(d.kind, d.table, d.key) for d in result.differences]
    assert kinds == [("extra", "rm_clients", {"uscc": "91110000000000000X"}),
                     ("extra", "rm_open_nonconformities", {"uscc": row[0], "nc_id": "NC-X"})]
    assert set(result.projections) == {"clients", "nonconformities"}


def test_changed_deadline_date(played):
    app, owner = played
    uscc, key = _one(owner, f"SELECT uscc, {'key' if owner.sqlite else chr(34) + 'key' + chr(34)} FROM {owner.trail('rm_open_deadlines')} "
                            "WHERE due IS NOT NULL ORDER BY uscc")
    owner.sql(f"UPDATE {owner.trail('rm_open_deadlines')} SET due = ? WHERE uscc = ? AND {'key' if owner.sqlite else chr(34) + 'key' + chr(34)} = ?",
              (date(2099, 1, 1), uscc, key))
    first = read.check_read_models(app).first
    assert (first.kind, first.table, first.key) == ("changed", "rm_open_deadlines", {"uscc": uscc, "key": key})
    assert [c["column"] for c in first.columns] == ["due"] and first.columns[0]["stored"] == "2099-01-01"


def test_altered_trail_row_and_tracking_position(played):
    app, owner = played
    owner.sql(f"UPDATE {owner.trail('rm_audit_trail')} SET actor = 'mallory' WHERE position = (SELECT min(position) FROM {owner.trail('rm_audit_trail')})")
    owner.sql(f"UPDATE {owner.trail('rm_tracking')} SET position = position + 5 WHERE name = 'grades'")
    result = read.check_read_models(app)
    assert [(d.kind, d.table) for d in result.differences] == [("tracking", "rm_tracking"), ("changed", "rm_audit_trail")]
    assert result.first.projection == "grades" and result.first.columns[0]["column"] == "position"
    assert result.differences[1].columns[0]["stored"] == "mallory"


def test_rebuild_repairs_everything(played):
    app, owner = played
    owner.sql(f"UPDATE {owner.trail('rm_clients')} SET stage = 'withdrawn'")
    owner.sql(f"DELETE FROM {owner.trail('rm_certificates')}")
    assert read.check_read_models(app).total > 6
    app.rebuild_read_models()
    assert read.check_read_models(app).ok


@click.command()
@click.option("--db", "db")
@click.option("--json", "as_json", is_flag=True)
def _verify_read_models(db: str, as_json: bool) -> None:
    """The part of ``verify --read-models`` that cli/readcheck.py owns."""
    from cli.output import settings
    from cli.readcheck import report_read_models

    s = settings()
    s.db, s.lang, s.json = db, "en", as_json
    if not report_read_models(s.app(existing=True), s):
        raise click.exceptions.Exit(1)


def test_command_line_names_the_first_difference_and_the_repair(played, db_url):
    _, owner = played
    ok = CliRunner().invoke(_verify_read_models, ["--db", db_url])
    assert ok.exit_code == 0, ok.output
    assert "Read models verified" in ok.output
    uscc, = _one(owner, f"SELECT uscc FROM {owner.trail('rm_clients')} ORDER BY uscc")
    owner.sql(f"UPDATE {owner.trail('rm_clients')} SET certificate_status = 'valid', grade = 'AAA' WHERE uscc = ?", (uscc,))
    bad = CliRunner().invoke(_verify_read_models, ["--db", db_url])
    assert bad.exit_code == 1
    assert f"First difference: Read model clients (table rm_clients), row uscc={uscc}" in bad.output
    assert "run certledger rebuild --projection clients" in bad.output
    as_json = CliRunner().invoke(_verify_read_models, ["--db", db_url, "--json"])
    data = json.loads(as_json.stdout)["read_models"]
    assert as_json.exit_code == 1 and data["verified"] is False and data["first"]["key"] == {"uscc": uscc}
    assert data["repair"] == "certledger rebuild --projection clients" and data["differences"] == 1


def test_json_goes_into_the_callers_object(played, db_url):
    from cli.readcheck import report_read_models

    app, _ = played
    data: dict = {}
    settings = type("S", (), {"json": True, "lang": "en", "t": lambda self, zh, en: en})()
    assert report_read_models(app, settings, data) is True
    assert data["read_models"]["verified"] is True and data["read_models"]["details"] == []
