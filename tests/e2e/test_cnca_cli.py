"""The regulator's monthly report and the IAF CertSearch workbook on the command line (issue 17 items
4 and 5; issue 15 item 6): ``audit plan --method`` by code or word, ``report cnca`` read back with
python-calamine, ``report submit`` and the report's row in ``due``, ``register export --format
xlsx``; bad input exits 1 (or 2 for a usage error) with the rule named, no traceback, nothing written."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from cli.main import root
from tests.integration.test_cnca_report import APPROVAL, SHEETS, _certified
from tests.integration.test_people import WANG, ZGC


def _ledger(tmp_path) -> str:
    from ledger.bootstrap import bootstrap

    db = str(tmp_path / "ledger.sqlite")
    app = bootstrap(db)
    _certified(app)
    app.close()
    return db


def _events(db: str) -> int:
    from ledger.bootstrap import bootstrap

    app = bootstrap(db)
    try:
        return app.event_count()
    finally:
        app.close()


def test_report_cnca_and_report_submit_on_the_command_line(tmp_path):
    db = _ledger(tmp_path)

    def run(*args: str, env: dict[str, str] | None = None):
        return CliRunner(env=env).invoke(root, ["--db", db, "--actor", "张伟", *args], catch_exceptions=False)

    # the audit method by its word; the echo names it
    r = run("audit", "plan", "--client", ZGC, "--kind", "surveillance", "--member", "王芳", "--start", "2026-04-20",
            "--method", "远程审核", "--man-days", "1", "--man-days-reason", "远程审核，经批准", "--on", "2026-04-15")
    assert r.exit_code == 0, r.output
    assert "远程审核" in r.stdout
    out = tmp_path / "march.xlsx"
    r = run("report", "cnca", "--month", "2026-03", "--out", str(out), "--approval", APPROVAL.lower(), "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["rows"] == {"审核计划信息表": 2, "证书信息表": 1, "审核结果信息表": 2} and data["approval"] == APPROVAL
    wb = CalamineWorkbook.from_path(str(out))
    assert wb.sheet_names == SHEETS
    plans = wb.get_sheet_by_name("审核计划信息表").to_python()
    assert plans[0][:2] == ["审核计划编号", "认证机构批准号"] and all(row[0].startswith(APPROVAL + "-2026-") for row in plans[1:])
    assert WANG in plans[2] and "FS03" in plans[2]
    april = tmp_path / "april.xlsx"
    r = run("report", "cnca", "--month", "2026-04", "--out", str(april), env={"CERTLEDGER_BODY_APPROVAL": APPROVAL})
    assert r.exit_code == 0 and "2026-04" in r.stdout
    rows = CalamineWorkbook.from_path(str(april)).get_sheet_by_name("审核计划信息表").to_python()
    assert len(rows) == 2 and "FS02" in rows[1]

    # bad input: exit 1, the rule named, no traceback, no workbook
    for month in ("2026-3", "2026-13", "13/2026"):
        bad = tmp_path / f"bad-{month.replace('/', '_')}.xlsx"
        r = run("report", "cnca", "--month", month, "--out", str(bad), "--approval", APPROVAL, "--lang", "en")
        assert r.exit_code == 1 and "YYYY-MM" in r.stderr and "市监认证函〔2021〕102号" in r.stderr
        assert "Traceback" not in r.stderr + r.stdout and not bad.exists()
    r = run("report", "cnca", "--month", "2026-03", "--out", str(tmp_path / "none.xlsx"))
    assert r.exit_code == 1 and "CERTLEDGER_BODY_APPROVAL" in r.stderr and not (tmp_path / "none.xlsx").exists()
    r = run("report", "cnca", "--month", "2026-03", "--out", str(tmp_path / "none.xlsx"), "--approval", "CNCA R 1")
    assert r.exit_code == 1 and "--approval" in r.stderr

    # the deadline in due, until the submission is recorded
    env = {"CERTLEDGER_BODY_APPROVAL": APPROVAL}
    listed = json.loads(run("due", "--on", "2026-05-01", "--kind", "cnca_report", "--json", env=env).stdout)["deadlines"]
    assert [(x["key"], x["due"]) for x in listed] == [("cnca_report:2026-03", "2026-04-10"), ("cnca_report:2026-04", "2026-05-10")]
    text = run("due", "--on", "2026-05-01", "--kind", "cnca_report", env=env).stdout
    assert "（本机构）" in text and "report submit --month 2026-03" in text
    before = _events(db)
    r = run("report", "submit", "--month", "2026-04", "--reference", "R", "--on", "2026-04-28", "--lang", "en")
    assert r.exit_code == 1 and "only after the month ends" in r.stderr and _events(db) == before
    r = run("report", "submit", "--month", "2026-03", "--reference", "CNCA-RCPT-1", "--on", "2026-04-08")
    assert r.exit_code == 0 and "认证信息报送已记录" in r.stdout and "CNCA-RCPT-1" in r.stdout
    listed = json.loads(run("due", "--on", "2026-05-01", "--kind", "cnca_report", "--json", env=env).stdout)["deadlines"]
    assert [x["key"] for x in listed] == ["cnca_report:2026-04"]


def test_register_export_as_the_iaf_certsearch_workbook(tmp_path):
    db = _ledger(tmp_path)

    def run(*args: str):
        return CliRunner().invoke(root, ["--db", db, *args], catch_exceptions=False)

    out = tmp_path / "iaf.xlsx"
    r = run("register", "export", "--format", "xlsx", "--out", str(out))
    assert r.exit_code == 0 and "1" in r.stderr
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Certifications").to_python()
    from projections.export import HEADER

    assert rows[0] == HEADER and len(rows) == 2
    row = dict(zip(rows[0], rows[1]))
    assert row["Certification Status"] == "Active" and row["Certified Entity Unique ID"] == ZGC
    assert row["Certification Issue Date"] == "20260313"
    for name in ("Certification Original Issue Date", "Certification Issue Date", "Certification Expiry Date", "Status Last Changed"):
        assert re.fullmatch(r"\d{8}", row[name]), (name, row[name])
    # a suspended certificate reads Suspended
    CliRunner().invoke(root, ["--db", db, "--actor", "张伟", "certificate", "suspend", "--client", ZGC, "--reason-code", "7.2.1f",
                              "--reason", "未按期监督", "--months", "3", "--on", "2026-04-01"], catch_exceptions=False)
    assert run("register", "export", "--format", "xlsx", "--out", str(out)).exit_code == 0
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Certifications").to_python()
    assert dict(zip(rows[0], rows[1]))["Certification Status"] == "Suspended"
    r = run("register", "export", "--format", "xlsx")
    assert r.exit_code == 2 and "--out" in r.output
