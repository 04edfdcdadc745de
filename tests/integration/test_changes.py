"""Changes administered end to end (issue 9, item 2): master data changed by event and read as of any
date, notified changes assessed (reissue 换证, unscheduled surveillance, suspension), lateness in show
and due, on SQLite and PostgreSQL; the main commands and their refusals on the command line."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from aggregates.errors import RuleViolation
from cli.main import root
from ledger.demo import play
from ledger.demo_changes import play_changes
from projections import read
from projections.summaries import client_summary

TODAY = date(2026, 11, 20)
START = TODAY - timedelta(days=360)


def d(n: int) -> date:
    return START + timedelta(days=n)


@pytest.fixture
def demo(app):
    codes = play(app, today=TODAY)
    return app, codes


def test_the_demo_continues_with_changes(demo):
    app, codes = demo
    play_changes(app, codes, TODAY)
    hz, sz, nc, bj, su, _ = (app.client(c) for c in codes)
    # Hangzhou: address and sites changed by event, N1 assessed, the certificate reissued as version 2
    assert hz.address == "浙江省杭州市余杭区仓前街道文一西路1号"
    cert = hz.certificate
    assert cert["version"] == 2 and [v["version"] for v in cert["versions"]] == [1, 2]
    assert cert["versions"][0]["address"] == "浙江省杭州市西湖区云栖小镇88号" and cert["versions"][1]["change_id"] == "N1"
    assert cert["sites"][0]["address"].startswith("浙江省杭州市余杭区")
    # the register, its export and its as-of read carry the contents' version (换证)
    row = read.register(app, today=TODAY, client=codes[0])[0]
    assert row["version"] == 2 and row["version_on"] == cert["versions"][1]["issued_on"]
    assert read.register(app, today=TODAY, client=codes[0], as_of=cert["versions"][1]["issued_on"] - timedelta(days=1))[0]["version"] == 1
    from projections.export import export_row

    assert export_row(row)["Certificate Version"] == "2"
    assert hz.change_assessments["N1"]["assessor"] == "赵敏" and hz.change_follow_ups["N1"] == {"audit": "A3"}
    assert sz.change_assessments["N1"]["outcomes"] == ["recorded"]
    assert hz.master_value("legal_representative") == "刘建国"
    assert bj.headcount == 60
    assert su.applications["AP1"]["business_lines"] == ["电子元器件制造", "电子元器件销售"] and su.business_lines == ["电子元器件制造", "电子元器件销售"]
    # Hangzhou's second notice came 20 days after the change: late in show, its assessment listed by due, flagged
    view = client_summary(hz)["changes"]["notified_changes"][1]
    assert view["late"] and view["days_late"] == 10 and view["citable_as"] == "7.2.1b"
    rows = [r for r in read.due(app, today=TODAY) if r["uscc"] == codes[0] and r["kind"] == "change_assessment"]
    assert len(rows) == 1 and "逾期" in rows[0]["what_zh"] and "7.2.1b" in rows[0]["note_zh"] and rows[0]["clause"] == "001 §4.2.3"


def test_master_data_as_of_any_date_in_show_and_register(demo):
    app, codes = demo
    hz = codes[0]
    app.record_change(client=hz, name="杭州云栖数智科技有限公司", description="更名", actor="张伟", on=d(200))
    before, after = d(199), d(200)
    assert read.summary(None, hz, as_of=before, open_app=lambda: app)["name"] == "杭州云栖质量科技有限公司"
    assert read.summary(None, hz, as_of=after, open_app=lambda: app)["name"] == "杭州云栖数智科技有限公司"
    old = read.register(app, today=TODAY, as_of=before, client=hz)
    new = read.register(app, today=TODAY, as_of=after, client=hz)
    assert old[0]["name"] == "杭州云栖质量科技有限公司" and new[0]["name"] == "杭州云栖数智科技有限公司"
    now = read.register(app, today=TODAY, client=hz)
    assert now[0]["name"] == "杭州云栖数智科技有限公司"
    # a change recorded late, effective earlier than one already recorded, does not replace it
    app.record_change(client=hz, name="杭州云栖过渡名称有限公司", description="更正：中间曾用名", actor="张伟", on=d(190))
    assert app.client(hz).name == "杭州云栖数智科技有限公司"
    assert app.client(hz, as_of=d(195)).name == "杭州云栖过渡名称有限公司"


def test_refusals_name_the_clause_and_write_nothing(demo):
    app, codes = demo
    hz, sz = codes[0], codes[1]
    before = app.event_count()
    with pytest.raises(RuleViolation) as e:
        app.record_change(client=hz, description="无", actor="张伟", on=d(200))
    assert e.value.rule == "004 §15" and "change record --name" in e.value.message_en
    with pytest.raises(RuleViolation) as e:
        app.record_change(client=hz, address="浙江省杭州市西湖区云栖小镇88号", actor="张伟", on=d(200))
    assert "same as the value in force" in e.value.message_en
    with pytest.raises(RuleViolation) as e:  # nothing on the certificate changed: record the change first
        app.assess_change(client=hz, change="N1", outcome=["reissue"], conclusion="换证", actor="张伟", on=d(200))
    assert e.value.rule == "004 §9.3 2)" and "change record --change N1" in e.value.message_en
    with pytest.raises(RuleViolation) as e:
        app.assess_change(client=hz, change="N1", outcome=["recorded", "scope"], conclusion="x", actor="张伟", on=d(200))
    assert e.value.rule == "001 §4.2.3"
    with pytest.raises(RuleViolation) as e:  # notified in time, not assessed: no suspension citing it
        app.suspend_for_change(client=sz, change="N1", reason="x", actor="张伟", on=d(300))
    assert "change assess --change N1 --outcome suspension" in e.value.message_en
    with pytest.raises(RuleViolation) as e:
        app.declare_business_lines(client=hz, application="AP1", line=["软件"], actor="张伟", on=d(200))
    assert e.value.rule == "004 §4.18.2" and "change record --business-line" in e.value.message_en
    assert app.event_count() == before


def test_a_late_notification_is_cited_for_a_suspension(demo):
    app, codes = demo
    nc = codes[2]
    app.notify_change(client=nc, kind="address", changed_on=d(300), description="迁址", actor="张伟", on=d(330))
    sid = app.suspend_for_change(client=nc, change="N1", reason="未按合同约定在 10 日内通报迁址", actor="张伟", on=d(335))
    c = app.client(nc)
    assert c.suspensions[sid]["reason_code"] == "7.2.1b" and c.certificate_status == "suspended"
    assert c.change_follow_ups["N1"] == {"suspension": sid}
    with pytest.raises(RuleViolation):  # once
        app.suspend_for_change(client=nc, change="N1", reason="again", actor="张伟", on=d(336))


def test_an_assessment_deciding_follow_ups_lists_them_until_linked(demo):
    app, codes = demo
    sz = codes[1]  # 004
    app.notify_change(client=sz, kind="scope", changed_on=d(330), description="新增线上零售业务", actor="张伟", on=d(332))
    app.record_change(client=sz, change="N2", business_line=["日用百货批发", "日用百货零售", "线上零售"],
                      actor="张伟", on=d(330))
    app.assess_change(client=sz, change="N2", outcome=["unscheduled", "scope", "suspension"], conclusion="范围扩大须评价",
                      actor="张伟", on=d(334))
    kinds = {(r["kind"], r["key"]) for r in read.due(app, today=TODAY) if r["uscc"] == sz}
    assert ("change_follow_up", "change_follow_up:N2:unscheduled") in kinds and ("change_follow_up", "change_follow_up:N2:scope") in kinds
    assert ("suspension_due", "suspension_due:change:N2") in kinds
    aid = app.plan_audit(client=sz, kind="unscheduled", member=["陈静"], start=d(340), actor="张伟", on=d(336))
    app.link_change(client=sz, change="N2", audit=aid, actor="张伟", on=d(336))
    app.suspend_for_change(client=sz, change="N2", reason_code="8.1c", reason="经评审决定暂停", actor="张伟", on=d(337))
    keys = {r["key"] for r in read.due(app, today=TODAY) if r["uscc"] == sz}
    assert "change_follow_up:N2:unscheduled" not in keys and "suspension_due:change:N2" not in keys
    assert app.client(sz).business_lines[-1] == "线上零售"


@pytest.fixture
def cli_demo(tmp_path):
    from ledger import clock
    from ledger.bootstrap import bootstrap

    db = str(tmp_path / "changes.sqlite")
    app = bootstrap(db)
    today = clock.today()
    codes = play(app, today=today)
    app.close()

    def invoke(*args: str):
        return CliRunner().invoke(root, ["--db", db, "--actor", "张伟", *args], catch_exceptions=False)

    def count() -> int:
        a = bootstrap(db)
        try:
            return a.event_count()
        finally:
            a.close()

    return invoke, codes, today, count


def test_cli_record_assess_and_show(cli_demo):
    invoke, codes, today, count = cli_demo
    hz = codes[0]
    r = invoke("change", "record", "--client", hz, "--name", "杭州云栖数智科技有限公司", "--change", "N1", "--on", (today - timedelta(days=5)).isoformat())
    assert r.exit_code == 0 and "主数据变更已记录" in r.output and "MD1" in r.output
    r = invoke("change", "assess", "--client", hz, "--change", "N1", "--outcome", "reissue", "--conclusion", "更名换证", "--assessor", "赵敏")
    assert r.exit_code == 0 and "v2" in r.output
    r = invoke("show", hz)
    assert "杭州云栖数智科技有限公司" in r.output and "证书版本" in r.output and "评审人 赵敏" in r.output
    r = invoke("show", hz, "--lang", "en")
    assert "Certificate versions" in r.output and "Assessed" in r.output


def test_cli_refusals_exit_1_and_write_nothing(cli_demo):
    invoke, codes, today, count = cli_demo
    hz = codes[0]
    before = count()
    r = invoke("change", "record", "--client", hz, "--description", "无")
    assert r.exit_code == 1 and "004 §15" in r.output and "change record --name" in r.output and "Traceback" not in r.output
    r = invoke("change", "assess", "--client", hz, "--change", "N1", "--outcome", "reissue", "--conclusion", "换证", "--lang", "en")
    assert r.exit_code == 1 and "004 §9.3 2)" in r.output and "change record --change N1" in r.output
    r = invoke("change", "suspend", "--client", hz, "--change", "N1", "--reason", "x")
    assert r.exit_code == 1 and "change assess --change N1 --outcome suspension" in r.output
    assert count() == before
