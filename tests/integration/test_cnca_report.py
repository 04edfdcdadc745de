"""The regulator's monthly report (issue 17 item 4) and the audit method and team identity numbers it
reads (issue 15 item 6), through the application on SQLite and PostgreSQL: the workbook written from
the events and read back with python-calamine, the report's deadline in ``due`` as a body-level row,
its submission recorded as the body's event (and refused when wrong, writing nothing), and the
clients' read models and the audit trail passing over the body's events."""

from datetime import date

import pytest
from python_calamine import CalamineWorkbook

from aggregates.errors import RuleViolation
from ledger.cnca_report import build, write_workbook
from ledger.rules import cnca
from tests.integration.test_people import CHEN, LI, WANG, ZGC, _contracted, _refused, _staff

APPROVAL = "CNCA-R-2021-123"
SHEETS = ["审核计划信息表", "证书信息表", "审核结果信息表"]


def _certified(app):
    """王芳 leads, 李强 audits, 陈工 is the technical expert: A1 stage 1 (on-site, as given: 001's default is off-site), A2 stage 2 (mixed),
    scored, decided and certified, all in March 2026."""
    from ledger.rules.scoring import load_scheme
    from ledger.synthetic import score_sheet

    _staff(app)
    _contracted(app, ZGC, "zgc-ru015")
    app.plan_audit(client=ZGC, kind="stage1", member=["王芳"], start=date(2026, 3, 5), method="FS01", actor="张伟", on=date(2026, 3, 4))
    app.complete_audit(client=ZGC, audit="A1", conclusion="文件评审符合", actor="王芳", on=date(2026, 3, 5))
    app.plan_audit(client=ZGC, kind="stage2", member=["王芳", "李强"], expert=["陈工"], start=date(2026, 3, 10), method="FS03",
                   actor="张伟", on=date(2026, 3, 6))
    for item, facet, value in score_sheet(load_scheme("zgc-ru015"), 0.86, seed=5):
        app.enter_score(client=ZGC, audit="A2", item=item, facet=facet, value=value, actor="李强", on=date(2026, 3, 10))
    app.raise_nonconformity(client=ZGC, audit="A2", severity="minor", clause="A.8", description="记录不全", actor="王芳", on=date(2026, 3, 10))
    app.complete_audit(client=ZGC, audit="A2", conclusion="推荐认证", actor="王芳", on=date(2026, 3, 11))
    app.submit_correction(client=ZGC, nc="NC1", correction="补全记录", corrective_action="修订记录表", actor="张伟", on=date(2026, 3, 11))
    decided = app.decide(client=ZGC, audit="A2", decider="赵敏", reason="符合", actor="张伟", on=date(2026, 3, 12))
    app.issue_certificate(client=ZGC, decision=decided["decision"], actor="张伟", on=date(2026, 3, 13))


def _read(path):
    wb = CalamineWorkbook.from_path(str(path))
    return wb.sheet_names, {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def test_audit_plans_record_the_method_and_the_teams_identity_numbers(app):
    _certified(app)
    audits = app.client(ZGC).audits
    assert audits["A1"]["method"] == "FS01" and audits["A2"]["method"] == "FS03"  # as given (the catalogue takes its word too: e2e)
    assert audits["A2"]["team_ids"] == [
        {"name": "王芳", "role": "leader", "document_kind": "resident_id", "document_number": WANG},
        {"name": "李强", "role": "member", "document_kind": "resident_id", "document_number": LI},
        {"name": "陈工", "role": "expert", "document_kind": "resident_id", "document_number": CHEN},
    ]
    before = app.event_count()
    with pytest.raises(RuleViolation) as e:
        app.plan_audit(client=ZGC, kind="surveillance", member=["王芳"], start=date(2026, 9, 1), method="FS09", actor="张伟",
                       on=date(2026, 8, 1))
    assert "FS01" in e.value.message_en and app.event_count() == before


def test_the_monthly_workbook_reads_back_with_its_sheets_headers_and_rows(app, tmp_path):
    _certified(app)
    report = build(app, "2026-03", APPROVAL)
    counts = write_workbook(report, str(tmp_path / "march.xlsx"))
    assert counts == {"审核计划信息表": 2, "证书信息表": 1, "审核结果信息表": 2}
    names, sheets = _read(tmp_path / "march.xlsx")
    assert names == SHEETS
    defn = cnca.definition()
    for sheet in defn.sheets:
        assert sheets[sheet.name][0] == sheet.headers  # the fixed headers, on row 1
    plans = [dict(zip(sheets["审核计划信息表"][0], r)) for r in sheets["审核计划信息表"][1:]]
    assert [p["审核方式"] for p in plans] == ["FS01", "FS03"]
    assert [p["审核计划编号"] for p in plans] == [f"{APPROVAL}-2026-{ZGC}-A1", f"{APPROVAL}-2026-{ZGC}-A2"]
    a2 = plans[1]
    assert a2["审核组长证件号码"] == WANG and a2["审核组成员证件号码"] == LI and a2["技术专家证件号码"] == CHEN
    assert a2["统一社会信用代码"] == ZGC and a2["认证项目代码"] == "ZGC-RU015" and a2["审核开始日期"] == "2026-03-10"
    assert a2["审核结束日期"] >= a2["审核开始日期"] and a2["审核人日"] > 0
    for p in plans:  # codes upper-case
        for header in ("审核计划编号", "认证机构批准号", "统一社会信用代码", "认证项目代码", "审核方式"):
            assert p[header] == p[header].upper() and p[header]
    results = [dict(zip(sheets["审核结果信息表"][0], r)) for r in sheets["审核结果信息表"][1:]]
    assert [(r["审核计划编号"][-2:], r["审核完成日期"], r["一般不符合项数"], r["审核方式"]) for r in results] == [
        ("A1", "2026-03-05", 0, "FS01"), ("A2", "2026-03-11", 1, "FS03")]
    cert = dict(zip(sheets["证书信息表"][0], sheets["证书信息表"][1]))
    number = app.client(ZGC).current_certificate
    assert cert["证书编号"] == number.upper() and cert["证书状态"] == "有效" and cert["信息变化日期"] == "2026-03-13"
    assert cert["审核计划编号"] == f"{APPROVAL}-2026-{ZGC}-A2" and report.warnings == []


def test_an_empty_month_has_headers_only_and_a_bad_month_or_no_approval_is_refused(app, tmp_path):
    _certified(app)
    write_workbook(build(app, "2026-02", APPROVAL), str(tmp_path / "feb.xlsx"))
    names, sheets = _read(tmp_path / "feb.xlsx")
    assert names == SHEETS and all(len(rows) == 1 for rows in sheets.values())
    for bad in ("2026-13", "2026/03", "March", ""):
        with pytest.raises(RuleViolation) as e:
            build(app, bad, APPROVAL)
        assert e.value.rule == "市监认证函〔2021〕102号" and "YYYY-MM" in e.value.message_en
    with pytest.raises(RuleViolation) as e:
        build(app, "2026-03", None)
    assert "CERTLEDGER_BODY_APPROVAL" in e.value.message_en


def test_the_reports_deadline_is_due_until_its_submission_is_recorded(app, monkeypatch):
    from projections import read

    _certified(app)
    app.update_read_models()
    assert [r for r in read.due(app, today=date(2026, 4, 20)) if r["kind"] == "cnca_report"] == []  # the body does not report yet
    monkeypatch.setenv("CERTLEDGER_BODY_APPROVAL", APPROVAL)
    rows = [r for r in read.due(app, today=date(2026, 4, 20)) if r["kind"] == "cnca_report"]
    assert [(r["key"], r["due"], r["overdue"], r["uscc"]) for r in rows] == [("cnca_report:2026-03", date(2026, 4, 10), True, "")]
    assert rows[0]["clause"] == "市监认证函〔2021〕102号"
    assert [r["key"] for r in read.due(app, today=date(2026, 4, 20), find=read.find("due", kind=["cnca_report"]))] == ["cnca_report:2026-03"]
    assert read.due(app, today=date(2026, 4, 20), find=read.find("due", client=ZGC, kind=["cnca_report"])) == []
    # refusals write nothing: a month not yet ended, no reference, a bad month
    _refused(app, lambda: app.submit_report(month="2026-04", reference="R", actor="张伟", on=date(2026, 4, 8)), "市监认证函〔2021〕102号")
    _refused(app, lambda: app.submit_report(month="2026-03", reference=" ", actor="张伟", on=date(2026, 4, 8)), "市监认证函〔2021〕102号")
    _refused(app, lambda: app.submit_report(month="2026-3x", reference="R", actor="张伟", on=date(2026, 4, 8)), "市监认证函〔2021〕102号")
    app.execute("report submit", {"month": "2026-03", "reference": "CNCA-RCPT-0001", "on": "2026-04-08"}, actor="张伟")
    assert [r for r in read.due(app, today=date(2026, 4, 20)) if r["kind"] == "cnca_report"] == []
    # as of a day before the submission, it was open then
    then = [r for r in read.due(app, today=date(2026, 4, 20), on=date(2026, 4, 5)) if r["kind"] == "cnca_report"]
    assert [(r["key"], r["days_left"]) for r in then] == [("cnca_report:2026-03", 5)]
    # a second submission of the month is a correction, and says what it corrects
    _refused(app, lambda: app.submit_report(month="2026-03", reference="R2", actor="张伟", on=date(2026, 4, 9)), "市监认证函〔2021〕102号")
    app.submit_report(month="2026-03", reference="CNCA-RCPT-0002", correction="补报技术专家证件号码", actor="张伟", on=date(2026, 4, 9))
    body = app.body()
    assert [(s["period"], s["reference"], s["correction"]) for s in body.submissions] == [
        ("2026-03", "CNCA-RCPT-0001", ""), ("2026-03", "CNCA-RCPT-0002", "补报技术专家证件号码")]


def test_the_read_models_and_the_trail_pass_over_the_bodys_events(app):
    from ledger.trail import make_checkpoint, verify_trail
    from ledger.trail.note import Signer
    from projections import read

    _contracted(app, ZGC, "zgc-ru015")
    app.submit_report(month="2026-02", reference="R-1", actor="张伟", on=date(2026, 3, 9))
    app.update_read_models()
    app.rebuild_read_models()
    result = read.check_read_models(app)
    assert result.ok and result.clients == 1 and result.last == app.event_count()
    assert [r["uscc"] for r in read.clients(app)] == [ZGC]
    signer = Signer.generate("test.body")
    make_checkpoint(app, signer)
    report = verify_trail(app, signer.verifier)
    assert report.ok, report.findings
