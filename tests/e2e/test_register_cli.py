"""The register and rebuild commands as a user meets them: listing, CSV and JSON Lines export with
IAF CertSearch columns and CNCA status words, as-of and as-recorded, and refusals without tracebacks."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta

import pytest
from click.testing import CliRunner

from cli.main import root

TODAY = date.today()


@pytest.fixture
def ledger(tmp_path):
    """The demo year on a SQLite file, plus a late-recorded suspension of the Hangzhou client."""
    from ledger.bootstrap import bootstrap
    from ledger.demo import play
    from projections import dispose

    db = str(tmp_path / "ledger.sqlite")
    app = bootstrap(db)
    codes = play(app, today=TODAY)
    before_late = datetime.now().astimezone()
    suspended_on = TODAY - timedelta(days=20)
    app.suspend(client=codes[0], reason_code="7.2.1f", reason="组织主动请求暂停", months=2, actor="张伟", on=suspended_on)
    dispose(app)
    app.close()
    return {"db": db, "codes": codes, "before_late": before_late, "suspended_on": suspended_on}


def run(ledger, *args: str):
    return CliRunner().invoke(root, ["--db", ledger["db"], *args], catch_exceptions=False)


def test_the_register_lists_certificates_with_chinese_status_words(ledger):
    r = run(ledger, "register", "show")
    assert r.exit_code == 0, r.stderr
    assert "暂停" in r.stdout and "有效" in r.stdout and "CL-" in r.stdout
    english = run(ledger, "--lang", "en", "register", "show", "--status", "暂停")
    assert "Suspended" in english.stdout and ledger["codes"][0] in english.stdout
    assert ledger["codes"][1] not in english.stdout


def test_the_csv_export_opens_in_a_spreadsheet_with_iaf_columns_and_cnca_words(ledger, tmp_path):
    out = tmp_path / "register.csv"
    r = run(ledger, "register", "export", "--format", "csv", "--out", str(out))
    assert r.exit_code == 0, r.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert list(rows[0])[:5] == ["Certification Identity Number", "Certificate Number", "Certification Status",
                                 "Certified Entity Unique ID", "Certified Entity Name"]
    assert "Certification Expiry Date" in rows[0] and "Certification Original Issue Date" in rows[0]
    by_client = {row["Certified Entity Unique ID"]: row for row in rows}
    assert by_client[ledger["codes"][0]]["Certification Status"] == "暂停"
    assert by_client[ledger["codes"][1]]["Certification Status"] == "有效"
    assert {row["Certification Status"] for row in rows} <= {"有效", "暂停", "撤销", "注销", "过期"}


def test_the_jsonl_export_as_of_a_date_before_the_late_suspension_shows_it_valid(ledger):
    day_before = (ledger["suspended_on"] - timedelta(days=1)).isoformat()
    r = run(ledger, "register", "export", "--format", "jsonl", "--as-of", day_before)
    assert r.exit_code == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    status = {row["Certified Entity Unique ID"]: row["Certification Status"] for row in rows}
    assert status[ledger["codes"][0]] == "有效"
    now = json.loads(run(ledger, "register", "export", "--format", "jsonl").stdout.splitlines()[0])
    assert now["Certification Status"] == "暂停"  # the earliest certificate is Hangzhou's


def test_as_recorded_before_the_late_entry_shows_what_the_ledger_knew_then(ledger):
    moment = ledger["before_late"].isoformat()
    r = run(ledger, "register", "show", "--json", "--as-recorded", moment, "--client", ledger["codes"][0])
    assert r.exit_code == 0, r.stderr
    assert [row["status"] for row in json.loads(r.stdout)] == ["valid"]
    as_of = run(ledger, "register", "show", "--json", "--as-of", TODAY.isoformat(), "--client", ledger["codes"][0])
    assert [row["status"] for row in json.loads(as_of.stdout)] == ["suspended"]


def test_as_of_before_the_client_existed_answers_no_such_client_then(ledger):
    r = run(ledger, "--lang", "en", "register", "show", "--client", ledger["codes"][0], "--as-of", "2000-01-01")
    assert r.exit_code == 1
    assert "existed" in r.stderr and "no such client then" in r.stderr and "Traceback" not in r.stderr


def test_a_malformed_date_is_a_usage_error(ledger):
    r = run(ledger, "register", "show", "--as-of", "yesterday")
    assert r.exit_code == 2 and "YYYY-MM-DD" in r.stderr


def test_rebuild_shows_progress_on_stderr_and_the_positions_on_stdout(ledger):
    r = run(ledger, "--lang", "en", "rebuild", "--projection", "register", "--projection", "trail")
    assert r.exit_code == 0, r.stderr
    assert "Rebuilding read models" in r.stderr
    assert "register" in r.stdout and "trail" in r.stdout and "clients" not in r.stdout
    again = run(ledger, "register", "show", "--json")
    assert len(json.loads(again.stdout)) == 4


def test_rebuild_of_an_unknown_read_model_lists_the_known_ones(ledger):
    r = run(ledger, "--lang", "en", "rebuild", "--projection", "registr")
    assert r.exit_code == 1 and "Traceback" not in r.stderr
    for name in ("clients", "grades", "register", "nonconformities", "summaries", "trail"):
        assert name in r.stderr
