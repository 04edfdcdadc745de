"""Reporting and follow-ups (issue 9, items 5 and 6, and the one status derivation of item 1) on
SQLite and PostgreSQL: what the CNCA and the public are told, with its deadlines in ``due``; a
verified cause and its 5 working days; minor nonconformities verified at the next surveillance; and
``show``, ``show --as-of`` and the register agreeing on a certificate's status. CLI tests run the
main commands and their refusals through click's CliRunner."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from aggregates.errors import RuleViolation
from cli.main import root
from ledger.demo import play
from ledger.demo_reporting import play_reporting
from projections import read

TODAY = date(2026, 11, 20)
START = TODAY - timedelta(days=360)  # ledger.demo.play's first day


def d(n: int) -> date:
    return START + timedelta(days=n)


def due_rows(app, uscc: str, on: date = TODAY, kinds: tuple[str, ...] = ()) -> list[dict]:
    return [r for r in read.due(app, today=TODAY, on=on) if r["uscc"] == uscc and (not kinds or r["kind"] in kinds)]


def refused(app, uscc: str, fn, clause: str, **kwargs) -> RuleViolation:
    """The command is refused naming ``clause`` and nothing is written."""
    before = app.client(uscc).version
    with pytest.raises(RuleViolation) as e:
        fn(client=uscc, actor="张伟", **kwargs)
    assert e.value.rule == clause, e.value.to_dict()
    assert e.value.message_zh and e.value.message_en
    assert app.client(uscc).version == before
    return e.value


def test_each_act_is_due_for_its_report_and_publication_until_recorded(app):
    hz, sz, *_ = play(app, today=TODAY)
    rows = {r["key"]: r for r in due_rows(app, sz, kinds=("act_report", "website_publication"))}
    assert set(rows) == {"act_report:suspension:SU1", "act_report:restoration:SU1", "website_publication:suspension:SU1"}
    report = rows["act_report:suspension:SU1"]
    assert report["clause"] == "001 §7.4" and report["since"] == d(210) and report["overdue"]
    assert report["due"] == app.calendar.add_working_days(d(210), 5).due
    reported = app.report_act(client=sz, kind="suspension", reference="CNCA-2026-SU1", actor="张伟", on=d(292))
    assert reported == {"act": "suspension", "act_id": "SU1"}  # its act and id, for the echo to word
    assert {r["key"] for r in due_rows(app, sz, kinds=("act_report",))} == {"act_report:restoration:SU1"}
    e = refused(app, sz, app.report_act, "001 §7.4", kind="suspension", reference="again", on=d(293))
    assert "已于" in e.message_zh and "restoration" not in e.message_zh
    refused(app, sz, app.report_act, "001 §7.4", kind="withdrawal", reference="X", on=d(293))  # none recorded
    refused(app, sz, app.report_act, "001 §7.4", kind="restoration", reference="  ", on=d(293))  # no reference
    refused(app, sz, app.publish_act, "001 §7.4", kind="restoration", where="网站", on=d(293))
    assert app.publish_act(client=sz, kind="suspension", where="本机构网站公告栏", actor="张伟", on=d(293),
                           note="截图存档") == {"act": "suspension", "act_id": "SU1"}
    assert app.client(sz).annotation_of("suspension:SU1")["note"] == "截图存档"  # a note is attached to the act's key
    assert due_rows(app, sz, kinds=("website_publication",)) == []
    assert app.client(sz).reporting_state["publications"]["suspension:SU1"]["where"] == "本机构网站公告栏"


def test_a_verified_cause_makes_the_act_due_within_5_working_days_until_it_is_recorded(app):
    codes = play(app, today=TODAY)
    bj = codes[3]
    cause = app.verify_cause(client=bj, kind="suspension", reason_code="7.2.1b", verified_on=date(2026, 9, 25),
                             facts="年度管理费逾期未缴，书面催告后仍未履行", actor="张伟", on=date(2026, 9, 28))
    assert cause == "CV1"
    [row] = due_rows(app, bj, kinds=("suspension_due",))
    # Verified Fri Sep 25: Sep 28, 29, 30, then the National Day holiday, Oct 8, 9.
    assert (row["key"], row["since"], row["due"], row["clause"]) == ("suspension_due:CV1", date(2026, 9, 25), date(2026, 10, 9), "001 §7.2.1")
    assert row["ref"]["cause_clause"] == "001 §7.2.1 b"
    refused(app, bj, app.verify_cause, "001 §7.2.1", kind="suspension", reason_code="7.2.1b", verified_on=date(2026, 9, 29),
            facts="  ", on=date(2026, 9, 29))
    app.suspend(client=bj, reason_code="7.2.1b", reason="不履行认证合同义务，经调查核实", months=3, actor="张伟", on=date(2026, 10, 9))
    assert due_rows(app, bj, kinds=("suspension_due",)) == []
    refused(app, bj, app.verify_cause, "001 §7.2.1", kind="suspension", reason_code="7.2.1b", verified_on=date(2026, 10, 12),
            facts="又一原因", on=date(2026, 10, 12))  # already suspended: only a cause of withdrawal
    app.verify_cause(client=bj, kind="withdrawal", reason_code="7.3.1b", facts="拒绝配合监督检查", actor="张伟", on=date(2026, 10, 12))
    [row] = due_rows(app, bj, kinds=("withdrawal_due",))
    assert row["clause"] == "001 §7.3.1" and row["ref"]["cause"] == "CV2"


def test_a_withdrawn_certificate_is_recalled_or_declared_publicly(app):
    codes = play(app, today=TODAY)
    nc = codes[2]
    refused(app, nc, app.recall_withdrawn, "001 §7.3.2", on=d(200))  # nothing withdrawn yet
    app.withdraw(client=nc, reason_code="7.3.1f", reason="已不具备运行条件，经调查核实", actor="张伟", on=d(243))
    [row] = due_rows(app, nc, kinds=("recall",))
    assert (row["since"], row["due"], row["clause"]) == (d(243), app.calendar.add_working_days(d(243), 10).due, "001 §7.3.2")
    assert {r["key"] for r in due_rows(app, nc, kinds=("act_report", "website_publication"))} == {
        "act_report:withdrawal:W1", "website_publication:withdrawal:W1"}
    refused(app, nc, app.recall_withdrawn, "001 §7.3.2", statement="《江西日报》", on=d(250))  # a statement says why no recall
    assert app.recall_withdrawn(client=nc, statement="《江西日报》及本机构网站", reason="已停业，无法联系", actor="张伟", on=d(250)) == "W1"
    assert due_rows(app, nc, kinds=("recall",)) == []
    refused(app, nc, app.recall_withdrawn, "001 §7.3.2", on=d(251))  # once
    kept = app.client(nc).reporting_state["recalls"]["W1"]
    assert kept["recalled"] is False and kept["statement"] == "《江西日报》及本机构网站"


def test_a_minor_nonconformity_closed_on_a_plan_is_due_at_the_next_surveillance_until_verified(app):
    hz, *_ = play(app, today=TODAY)
    [row] = due_rows(app, hz, kinds=("nc_followup",))
    decision = app.client(hz).decisions["D1"]
    assert (row["key"], row["since"], row["clause"]) == ("nc_followup:NC1", decision["on"], "001 §5.6 c")
    assert row["due"] == date(decision["on"].year + 1, decision["on"].month, decision["on"].day)  # the first surveillance: 12 months
    assert any(r["kind"] == "surveillance" and r["due"] == row["due"] for r in due_rows(app, hz))
    app.verify_nonconformity(client=hz, nc="NC1", verification="监督审核中验证：纠正措施有效", actor="王芳", on=d(200))
    assert due_rows(app, hz, kinds=("nc_followup",)) == []


def test_show_show_as_of_and_the_register_agree_on_the_status_as_of_any_date(app):
    """The bug: show --as-of a date after the validity ended said valid while the register said expired."""
    hz, sz, *_ = play(app, today=TODAY)
    cert = app.client(hz).certificate
    after = cert["valid_until"] + timedelta(days=1)

    def shown(uscc: str, day: date | None) -> str:
        return read.summary(None, uscc, as_of=day, open_app=lambda: app, today=after if day is None else None)["certificate"]["status"]

    def listed(uscc: str, day: date | None) -> str:
        return read.register(app, today=after, as_of=day, client=uscc)[0]["status"]

    assert shown(hz, cert["valid_until"]) == listed(hz, cert["valid_until"]) == "valid"
    assert shown(hz, after) == listed(hz, after) == "expired"
    assert shown(hz, None) == listed(hz, None) == "expired", "now (a today after the validity): the read models' path"
    assert shown(sz, d(220)) == listed(sz, d(220)) == "suspended"
    assert shown(sz, d(270)) == listed(sz, d(270)) == "valid", "restored that day"


def test_the_demo_continues_with_reporting_and_leaves_only_the_follow_ups_open(app):
    codes = play(app, today=TODAY)
    play_reporting(app, codes, TODAY)
    open_rows = [r for r in read.due(app, today=TODAY) if r["kind"] in ("act_report", "website_publication", "recall", "nc_followup")]
    assert {(r["kind"], r["key"]) for r in open_rows} == {("nc_followup", "nc_followup:NC1"), ("nc_followup", "nc_followup:NC2")}
    nc = codes[2]
    assert read.summary(None, nc, as_of=TODAY, open_app=lambda: app)["certificate"]["status"] == "withdrawn"
    assert app.client(codes[3]).reporting_state["causes"]["CV1"]["reason_code"] == "7.2.1b"


# ------------------------------------------------------------------------------ command line


@pytest.fixture
def cli(app, db_url):
    def invoke(*args: str):
        return CliRunner().invoke(root, ["--db", db_url, "--actor", "张伟", *args], catch_exceptions=False)

    return invoke


def test_cli_reports_an_act_and_refuses_a_second_report(app, cli):
    codes = play(app, today=TODAY)
    sz = codes[1]
    ok = cli("certificate", "report-act", "--client", sz, "--kind", "suspension", "--reference", "CNCA-1", "--on", str(d(292)))
    assert ok.exit_code == 0, ok.output
    assert "报送认监委已记录" in ok.output and "事项：暂停" in ok.output and "事项编号：SU1" in ok.output
    assert "suspension" not in ok.output  # its act in words, not its code or key
    version = app.client(sz).version
    again = cli("certificate", "report-act", "--client", sz, "--kind", "suspension", "--reference", "CNCA-2", "--on", str(d(293)), "--lang", "en")
    assert again.exit_code == 1
    assert "001 §7.4" in again.output and "was reported to the CNCA" in again.output and "Traceback" not in again.output
    assert app.client(sz).version == version
    bad = cli("certificate", "publish", "--client", sz, "--kind", "restoration", "--where", "网站")
    assert bad.exit_code == 1 and "suspension（暂停）, withdrawal（撤销）" in bad.output  # the choices that would be accepted
    assert app.client(sz).version == version
    pub = cli("certificate", "publish", "--client", sz, "--kind", "暂停", "--where", "网站", "--on", str(d(293)), "--lang", "en")
    assert pub.exit_code == 0 and "act: suspension\n" in pub.output and "act's id: SU1" in pub.output, pub.output
    assert ":SU1" not in pub.output


def test_cli_recall_statement_needs_a_reason_and_cause_and_publish_are_recorded(app, cli):
    codes = play(app, today=TODAY)
    nc = codes[2]
    out = cli("certificate", "cause", "--client", nc, "--kind", "withdrawal", "--reason-code", "7.3.1f",
              "--facts", "已停业", "--verified-on", str(d(240)), "--on", str(d(240)))
    assert out.exit_code == 0 and "CV1" in out.output
    future = cli("certificate", "cause", "--client", nc, "--kind", "withdrawal", "--reason-code", "7.3.1f",
                 "--facts", "x", "--verified-on", "2099-01-01")
    assert future.exit_code == 1 and "Traceback" not in future.output
    unknown = cli("certificate", "cause", "--client", nc, "--kind", "withdrawal", "--reason-code", "9.9", "--facts", "x")
    assert unknown.exit_code == 1 and "7.3.1a" in unknown.output  # names the codes that would be accepted
    assert cli("certificate", "withdraw", "--client", nc, "--reason-code", "7.3.1f", "--reason", "经调查核实", "--on", str(d(243))).exit_code == 0
    version = app.client(nc).version
    no_reason = cli("certificate", "recall", "--client", nc, "--statement", "《江西日报》", "--on", str(d(250)))
    assert no_reason.exit_code == 1 and "001 §7.3.2" in no_reason.output and "--reason" in no_reason.output
    assert app.client(nc).version == version
    assert cli("certificate", "recall", "--client", nc, "--on", str(d(250))).exit_code == 0
    pub = cli("certificate", "publish", "--client", nc, "--kind", "withdrawal", "--where", "本机构网站", "--on", str(d(250)))
    assert pub.exit_code == 0 and "网站公布已记录" in pub.output


def test_cli_show_as_of_after_the_validity_says_expired_like_the_register(app, cli):
    hz, *_ = play(app, today=TODAY)
    after = str(app.client(hz).certificate["valid_until"] + timedelta(days=1))
    shown = cli("show", hz, "--as-of", after)
    listed = cli("register", "show", "--as-of", after, "--client", hz)
    assert shown.exit_code == 0 and listed.exit_code == 0, shown.output + listed.output
    line = next(x for x in shown.output.splitlines() if "证书:" in x or "证书：" in x)
    assert "过期" in line and "有效" not in line
    assert "过期" in listed.output
    assert "有效" in cli("show", hz).output.split("有效期")[0], "today, within the validity"
