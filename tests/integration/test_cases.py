"""Complaints and appeals beyond their first steps (issue 9, items 3 and 4), through the application
on SQLite and PostgreSQL: complaint acceptance with its notice and impartial deciders, the client
informed, the written result counted from acceptance, unscheduled surveillance linked to its cause,
appeal extension (004 §14.1.3 (4)) and the effect of an upheld appeal (a superseding decision)."""

from datetime import date, timedelta

import pytest

from aggregates.errors import RuleViolation
from ledger.demo import CLIENTS, _uscc
from ledger.rules.deadlines import client_deadlines
from ledger.rules.scoring import load_scheme
from ledger.synthetic import score_sheet

ZGC = _uscc(CLIENTS[0].uscc)  # 001
HZX = _uscc(CLIENTS[1].uscc)  # 004


def _certified(app, uscc, scheme="zgc-ru015", quality=0.86, refuse=False, year=2026):
    """Application through a scored, completed stage 2 audit and its decision (A2, D1); certificate
    issued when granted."""
    app.submit_application(client=uscc, name="某公司", address="某地", scheme=scheme, scope="s",
                           site=[{"name": "总部", "address": "某地"}], headcount=30, actor="admin", on=date(year, 3, 2))
    app.review_application(client=uscc, application="AP1", accept=True, actor="admin", on=date(year, 3, 3))
    app.sign_contract(client=uscc, contract_no="K1", actor="admin", on=date(year, 3, 4))
    app.plan_audit(client=uscc, kind="stage1", member=["王芳"], start=date(year, 3, 5), actor="admin", on=date(year, 3, 4))
    app.complete_audit(client=uscc, audit="A1", conclusion="ok", actor="王芳", on=date(year, 3, 5))
    app.plan_audit(client=uscc, kind="stage2", member=["王芳", "李强"], start=date(year, 3, 10), actor="admin", on=date(year, 3, 6))
    for item, facet, value in score_sheet(load_scheme(scheme), quality, seed=5):
        app.enter_score(client=uscc, audit="A2", item=item, facet=facet, value=value, actor="李强", on=date(year, 3, 10))
    app.complete_audit(client=uscc, audit="A2", conclusion="推荐", actor="王芳", on=date(year, 3, 11))
    result = app.decide(client=uscc, audit="A2", decider="赵敏", reason="r", refuse=refuse, actor="admin", on=date(year, 3, 12))
    if result["granted"]:
        app.issue_certificate(client=uscc, decision=result["decision"], actor="admin", on=date(year, 3, 13))
    return result


def _refused(app, fn, rule):
    before = app.event_count()
    with pytest.raises(RuleViolation) as e:
        fn()
    assert e.value.rule == rule and app.event_count() == before
    return e.value


# ------------------------------------------------------------------ complaints


def test_a_complaint_is_accepted_by_uninvolved_people_with_its_notice_and_the_client_told(app):
    _certified(app, HZX, "hzx-mr0118")
    app.receive_complaint(client=HZX, complainant="顾客 陈某", subject="退货超时", actor="admin", on=date(2026, 4, 1))
    rows = {r["kind"]: r for r in client_deadlines(app.client(HZX), app.calendar)}
    assert rows["complaint_acceptance"]["due"] == date(2026, 4, 8) and rows["complaint_acceptance"]["clause"] == "004 §14.2.2"
    # 李强 was on the team of A2, which carried D1: not impartial (004 §14.2.3.4)
    e = _refused(app, lambda: app.admit_complaint(client=HZX, complaint="C1", accept=True, decider=["李强"], concerns=["D1"],
                                                  actor="admin", on=date(2026, 4, 3)), "004 §14.2.3.4")
    assert "李强" in e.message_en and "--decider" in e.message_en and "李强" in e.message_zh
    _refused(app, lambda: app.admit_complaint(client=HZX, complaint="C1", accept=True, decider=["孙丽"], concerns=["A9"],
                                              actor="admin", on=date(2026, 4, 3)), "ledger: reference exists")
    e = _refused(app, lambda: app.admit_complaint(client=HZX, complaint="C1", refuse=True, decider=["孙丽"], actor="admin",
                                                  on=date(2026, 4, 3)), "004 §14.2.2")
    assert "reason" in e.message_en
    e = _refused(app, lambda: app.inform_client_of_complaint(client=HZX, complaint="C1", how="电话", actor="admin",
                                                             on=date(2026, 4, 3)), "004 §14.2.3.3")
    assert "complaint admit --accept" in e.message_en
    app.admit_complaint(client=HZX, complaint="C1", accept=True, decider=["孙丽"], concerns=["D1", "A2"], about_client=True,
                        notice_on=date(2026, 4, 3), actor="admin", on=date(2026, 4, 2))
    c = app.client(HZX).complaints["C1"]
    assert c["status"] == "accepted" and c["admission"]["deciders"] == ["孙丽"] and c["admission"]["concerns"] == ["D1", "A2"]
    assert c["admission"]["notice_on"] == date(2026, 4, 3) and c["admission"]["client_certified"]
    assert [x["id"] for x in app.client(HZX).open_complaints] == ["C1"]
    _refused(app, lambda: app.admit_complaint(client=HZX, complaint="C1", accept=True, decider=["孙丽"], actor="admin",
                                              on=date(2026, 4, 3)), "004 §14.2.2")
    rows = {r["kind"]: r for r in client_deadlines(app.client(HZX), app.calendar)}
    assert "complaint_acceptance" not in rows
    # 30 working days from the acceptance (2026-04-02), not from receipt: the Labour Day and Qingming holidays skipped
    assert rows["complaint_result"]["since"] == date(2026, 4, 2) and rows["complaint_result"]["clause"] == "004 §14.2.3.1"
    assert rows["complaint_client"]["due"] == rows["complaint_result"]["due"]
    app.inform_client_of_complaint(client=HZX, complaint="C1", how="书面函告投诉内容", actor="admin", on=date(2026, 4, 5))
    _refused(app, lambda: app.inform_client_of_complaint(client=HZX, complaint="C1", how="again", actor="admin",
                                                         on=date(2026, 4, 6)), "004 §14.2.3.3")
    assert "complaint_client" not in {r["kind"] for r in client_deadlines(app.client(HZX), app.calendar)}
    # The written result is recorded by someone not involved either (李强 was on the team of A2).
    e = _refused(app, lambda: app.resolve_complaint(client=HZX, complaint="C1", result="不属实", actor="李强", on=date(2026, 4, 20)),
                 "004 §14.2.3.4")
    assert "--actor" in e.message_en
    app.resolve_complaint(client=HZX, complaint="C1", result="部分属实，已整改", actor="孙丽", on=date(2026, 4, 20))
    assert app.client(HZX).complaints["C1"]["status"] == "resolved"
    assert not {"complaint_result", "complaint_client"} & {r["kind"] for r in client_deadlines(app.client(HZX), app.calendar)}


def test_a_refused_complaint_is_closed_by_its_notice(app):
    _certified(app, HZX, "hzx-mr0118")
    app.receive_complaint(client=HZX, complainant="匿名", subject="与认证无关的劳资纠纷", actor="admin", on=date(2026, 4, 1))
    app.admit_complaint(client=HZX, complaint="C1", refuse=True, decider=["孙丽"], reason="不属于认证事项", actor="admin",
                        on=date(2026, 4, 2))
    assert app.client(HZX).open_complaints == []
    e = _refused(app, lambda: app.resolve_complaint(client=HZX, complaint="C1", result="x", actor="admin", on=date(2026, 4, 3)),
                 "004 §14.2.2")
    assert "complaint receive" in e.message_en
    kinds = {r["kind"] for r in client_deadlines(app.client(HZX), app.calendar)}
    assert not {"complaint_acceptance", "complaint_result"} & kinds


# ------------------------------------------------------------------ unscheduled surveillance


def test_an_unscheduled_surveillance_is_linked_to_its_cause_with_its_deadline(app):
    _certified(app, HZX, "hzx-mr0118")
    app.receive_complaint(client=HZX, complainant="顾客", subject="质量问题", actor="admin", on=date(2026, 4, 1))
    app.admit_complaint(client=HZX, complaint="C1", accept=True, decider=["孙丽"], about_client=True, actor="admin", on=date(2026, 4, 2))
    e = _refused(app, lambda: app.link_unscheduled(client=HZX, audit="A2", complaint="C1", actor="admin", on=date(2026, 4, 3)), "004 §6.9")
    assert "audit plan --kind unscheduled" in e.message_en
    app.plan_audit(client=HZX, kind="unscheduled", member=["陈静"], start=date(2026, 4, 10), actor="admin", on=date(2026, 4, 3))
    _refused(app, lambda: app.link_unscheduled(client=HZX, audit="A3", actor="admin", on=date(2026, 4, 3)), "004 §6.9")
    _refused(app, lambda: app.link_unscheduled(client=HZX, audit="A3", regulator="市场监管局立案调查", actor="admin",
                                               on=date(2026, 4, 3)), "004 §6.9 c")
    assert app.link_unscheduled(client=HZX, audit="A3", complaint="C1", actor="admin", on=date(2026, 4, 3)) == "C1"
    _refused(app, lambda: app.link_unscheduled(client=HZX, audit="A3", complaint="C1", actor="admin", on=date(2026, 4, 3)), "004 §6.9")
    assert app.link_unscheduled(client=HZX, audit="A3", regulator="市场监管局立案调查", regulator_on=date(2026, 3, 30),
                                actor="admin", on=date(2026, 4, 4)) == "RA1"
    row = next(r for r in client_deadlines(app.client(HZX), app.calendar) if r["kind"] == "unscheduled_surveillance")
    # the earliest cause sets the period: the regulator's action, learned of on 2026-03-30
    assert row["ref"] == {"audit": "A3", "cause": "RA1"} and row["since"] == date(2026, 3, 30)
    assert row["clause"].startswith("004 §6.9") and row["due"] == app.calendar.add_working_days(date(2026, 3, 30), 30).due
    audit = app.client(HZX).audits["A3"]
    assert [x["id"] for x in audit["causes"]] == ["C1", "RA1"]


# ------------------------------------------------------------------ appeals: extension


def _accepted_appeal(app):
    _certified(app, HZX, "hzx-mr0118")
    app.lodge_appeal(client=HZX, against="D1", grounds="评分偏低", actor="admin", on=date(2026, 3, 16))
    app.admit_appeal(client=HZX, appeal="AL1", accept=True, decider=["孙丽"], actor="admin", on=date(2026, 3, 18))


def test_an_appeal_is_extended_with_notice_at_least_ten_days_before_the_three_month_limit(app):
    _accepted_appeal(app)
    row = next(r for r in client_deadlines(app.client(HZX), app.calendar) if r["kind"] == "appeal_decision")
    assert row["due"] == date(2026, 6, 18) and row["clause"] == "004 §14.1.3 (4)"
    e = _refused(app, lambda: app.extend_appeal(client=HZX, appeal="AL1", until=date(2026, 7, 31), notice_on=date(2026, 6, 10),
                                                approved_by="钱总", reason="需现场调查", actor="admin", on=date(2026, 6, 10)),
                 "004 §14.1.3 (4)")
    assert "2026-06-08" in e.message_en and "appeal decide" in e.message_en
    e = _refused(app, lambda: app.extend_appeal(client=HZX, appeal="AL1", until=date(2026, 10, 1), notice_on=date(2026, 6, 1),
                                                approved_by="钱总", reason="需现场调查", actor="admin", on=date(2026, 6, 1)),
                 "004 §14.1.3 (4) (length set by the body)")
    assert "2026-09-18" in e.message_en and "--until" in e.message_en
    _refused(app, lambda: app.extend_appeal(client=HZX, appeal="AL1", until=date(2026, 7, 31), notice_on=date(2026, 6, 1),
                                            approved_by=" ", reason="需现场调查", actor="admin", on=date(2026, 6, 1)), "004 §14.1.3 (4)")
    app.extend_appeal(client=HZX, appeal="AL1", until=date(2026, 7, 31), notice_on=date(2026, 6, 1), approved_by="钱总",
                      reason="需现场调查", actor="admin", on=date(2026, 6, 1))
    ext = app.client(HZX).appeals["AL1"]["extension"]
    assert ext == {"limit": date(2026, 6, 18), "until": date(2026, 7, 31), "notice_on": date(2026, 6, 1), "approved_by": "钱总",
                   "reason": "需现场调查", "on": date(2026, 6, 1), "actor": "admin"}
    row = next(r for r in client_deadlines(app.client(HZX), app.calendar) if r["kind"] == "appeal_decision")
    assert row["due"] == date(2026, 7, 31)
    _refused(app, lambda: app.extend_appeal(client=HZX, appeal="AL1", until=date(2026, 8, 31), notice_on=date(2026, 6, 2),
                                            approved_by="钱总", reason="再延", actor="admin", on=date(2026, 6, 2)), "004 §14.1.3 (4)")


def test_no_extension_under_a_procedure_that_sets_none(app):
    _certified(app, ZGC)
    app.lodge_appeal(client=ZGC, against="D1", grounds="评分偏低", actor="admin", on=date(2026, 3, 16))
    app.admit_appeal(client=ZGC, appeal="AL1", accept=True, decider=["孙丽"], actor="admin", on=date(2026, 3, 18))
    e = _refused(app, lambda: app.extend_appeal(client=ZGC, appeal="AL1", until=date(2026, 7, 1), approved_by="钱总", reason="r",
                                                actor="admin", on=date(2026, 4, 1)), "001 §11")
    assert "appeal decide --appeal AL1" in e.message_en


# ------------------------------------------------------------------ appeals: the effect of an upheld appeal


def _upheld(app, uscc, outcome="upheld"):
    app.lodge_appeal(client=uscc, against="D1", grounds="评分偏低", actor="admin", on=date(2026, 3, 16))
    app.admit_appeal(client=uscc, appeal="AL1", accept=True, decider=["孙丽"], actor="admin", on=date(2026, 3, 18))
    app.decide_appeal(client=uscc, appeal="AL1", outcome=outcome, result="经复核", decider=["孙丽", "周强"], actor="admin",
                      on=date(2026, 4, 1))


def test_an_upheld_appeal_regrades_the_certificate_through_a_superseding_decision(app):
    first = _certified(app, ZGC)
    assert first["grade"] == "A"
    _upheld(app, ZGC)
    c = app.client(ZGC)
    for e in c.effective_entries("A2"):  # the scores the appeal found wrong, corrected (allowed only now)
        if "percent" in e["value"]:
            app.correct_score(client=ZGC, entry=e["id"], value={"percent": 100}, reason="申诉 AL1 成立：复核评分",
                              actor="李强", on=date(2026, 4, 2))
    e = _refused(app, lambda: app.supersede_decision(client=ZGC, appeal="AL1", decider="赵敏", reason="r", actor="admin",
                                                     on=date(2026, 4, 3)), "004 §14.1.3 (6)")
    assert "赵敏" in e.message_en and "--decider" in e.message_en
    _refused(app, lambda: app.decide(client=ZGC, audit="A2", decider="钱七", reason="r", actor="admin", on=date(2026, 4, 3)),
             "001 §4.6")  # concluded: only an upheld appeal leads to a second decision
    result = app.supersede_decision(client=ZGC, appeal="AL1", decider="钱七", reason="依申诉 AL1 复核结果", actor="admin",
                                    on=date(2026, 4, 3))
    assert result["decision"] == "D2" and result["supersedes"] == "D1" and result["grade"] == "AAA" and result["next"] is None
    c = app.client(ZGC)
    assert c.decisions["D1"]["superseded_by"] == "D2" and c.decisions["D1"]["grade"] == "A"  # kept
    assert c.decisions["D2"]["appeal_id"] == "AL1" and c.appeals["AL1"]["effect"] == "D2"
    assert c.certificate["grade"] == "AAA" and c.certificate["decision_id"] == "D2"
    # the scores stand again; a second effect is refused
    current = next(x["id"] for x in c.effective_entries("A2") if "percent" in x["value"])
    _refused(app, lambda: app.correct_score(client=ZGC, entry=current, value={"percent": 90}, reason="x", actor="李强",
                                            on=date(2026, 4, 4)), "ledger: decided scores stand")
    _refused(app, lambda: app.supersede_decision(client=ZGC, appeal="AL1", decider="钱七", reason="r", actor="admin",
                                                 on=date(2026, 4, 4)), "004 §14.1.3 (4)")
    explanation = app.explain(ZGC)
    assert explanation["decision"]["id"] == "D2" and explanation["check"]["matches"]
    assert "AL1" in explanation["superseding"]["en"] and "D1" in explanation["superseding"]["zh"]
    from projections.summaries import client_summary

    latest = client_summary(app.client(ZGC))["latest_decision"]
    assert latest["id"] == "D2" and latest["supersedes"] == "D1" and latest["appeal_id"] == "AL1"
    assert [r["type"] for r in app.history(ZGC)].count("CertificationDecided") == 1
    assert [r["type"] for r in app.history(ZGC)][-1] == "DecisionSuperseded"


def test_an_upheld_appeal_against_a_refusal_makes_the_certification_issuable(app):
    first = _certified(app, ZGC, refuse=True)
    assert not first["granted"] and app.client(ZGC).applications["AP1"]["concluded"] == "not_granted"
    _refused(app, lambda: app.supersede_decision(client=ZGC, appeal="AL9", decider="钱七", reason="r", actor="admin",
                                                 on=date(2026, 4, 3)), "ledger: reference exists")
    _upheld(app, ZGC, outcome="dismissed")
    e = _refused(app, lambda: app.supersede_decision(client=ZGC, appeal="AL1", decider="钱七", reason="r", actor="admin",
                                                     on=date(2026, 4, 3)), "004 §14.1.3 (4)")
    assert "appeal decide --outcome upheld" in e.message_en


def test_a_refused_decision_superseded_on_appeal_leads_to_the_certificate(app):
    _certified(app, ZGC, refuse=True)
    _upheld(app, ZGC)
    result = app.supersede_decision(client=ZGC, appeal="AL1", decider="钱七", reason="申诉成立，予以认证", actor="admin",
                                    on=date(2026, 4, 3))
    assert result["granted"] and result["next"] == "certificate issue --decision D2"
    assert app.client(ZGC).applications["AP1"]["concluded"] is None and app.client(ZGC).stage == "decided"
    _refused(app, lambda: app.issue_certificate(client=ZGC, decision="D1", actor="admin", on=date(2026, 4, 5)), "001 §4.6.4")
    number = app.issue_certificate(client=ZGC, decision="D2", actor="admin", on=date(2026, 4, 5))
    c = app.client(ZGC)
    assert c.certificate["number"] == number and c.certificate["grade"] == result["grade"] and c.stage == "valid"


def _appeal_upheld(app, uscc, against, lodged, decided):
    app.lodge_appeal(client=uscc, against=against, grounds="g", actor="admin", on=lodged)
    app.admit_appeal(client=uscc, appeal="AL1", accept=True, decider=["孙丽"], actor="admin", on=lodged)
    app.decide_appeal(client=uscc, appeal="AL1", outcome="upheld", result="申诉成立", decider=["孙丽"], actor="admin", on=decided)


def test_an_upheld_appeal_against_a_suspension_annuls_it_and_restores_the_certificate(app):
    _certified(app, HZX, "hzx-mr0118")
    app.suspend(client=HZX, reason_code="8.1c", reason="违反程序", months=3, actor="admin", on=date(2026, 3, 20))
    _appeal_upheld(app, HZX, "SU1", date(2026, 3, 23), date(2026, 3, 30))
    e = _refused(app, lambda: app.supersede_decision(client=HZX, appeal="AL1", decider="钱七", reason="r", actor="admin",
                                                     on=date(2026, 4, 1)), "004 §14.1.3 (4)")
    assert "appeal effect" in e.message_en and "appeal effect" in e.message_zh
    row = next(r for r in client_deadlines(app.client(HZX), app.calendar) if r["kind"] == "appeal_effect")
    assert row["key"] == "appeal_effect:AL1" and "appeal effect --appeal AL1" in row["what_en"] and row["due"] == date(2026, 5, 22)
    _refused(app, lambda: app.give_appeal_effect(client=HZX, appeal="AL1", reason=" ", actor="admin", on=date(2026, 4, 1)),
             "004 §14.1.3 (4)")
    _refused(app, lambda: app.give_appeal_effect(client=HZX, appeal="AL1", reason="r", actor="admin", on=date(2026, 3, 29)),
             "ledger: business dates in order")
    # while the body itself has a conflict with the client it does not act for it, the appeal's effect included
    app.execute("body conflict", {"client": HZX, "kind": "asset", "detail": "本机构持有该公司股份", "on": "2026-03-31"}, actor="admin")
    e = _refused(app, lambda: app.give_appeal_effect(client=HZX, appeal="AL1", reason="依申诉裁定撤销暂停", actor="admin",
                                                     on=date(2026, 4, 1)), "004 §4.2 d) 1)")
    assert "body conflict-end" in e.message_en and "upheld appeal its effect" in e.message_en
    app.execute("body conflict-end", {"client": HZX, "reason": "股份已全部转让", "on": "2026-04-01"}, actor="admin")
    result = app.give_appeal_effect(client=HZX, appeal="AL1", reason="依申诉裁定撤销暂停", actor="admin", on=date(2026, 4, 1))
    assert result["kind"] == "suspension" and result["status"] == "valid"
    c = app.client(HZX)
    assert c.certificate["status"] == "valid" and c.suspensions["SU1"]["annulled_by"]["appeal"] == "AL1"
    assert c.suspensions["SU1"]["restored_on"] == date(2026, 4, 1) and c.appeals["AL1"]["effect"] == "SU1"
    assert [a["act"] for a in c.reportable_acts()] == ["suspension", "restoration"]  # the CNCA is told of the restoration
    assert not [r for r in client_deadlines(c, app.calendar) if r["kind"] == "appeal_effect"]
    _refused(app, lambda: app.give_appeal_effect(client=HZX, appeal="AL1", reason="r", actor="admin", on=date(2026, 4, 2)),
             "004 §14.1.3 (4)")
    assert app.history(HZX)[-1]["type"] == "AppealEffectGiven"


def test_an_upheld_appeal_against_a_withdrawal_reinstates_the_certificate_while_it_is_valid(app):
    _certified(app, ZGC)
    app.withdraw(client=ZGC, reason_code="7.3.1e", reason="r", actor="admin", on=date(2026, 4, 1))
    _appeal_upheld(app, ZGC, "W1", date(2026, 4, 2), date(2026, 4, 20))
    result = app.give_appeal_effect(client=ZGC, appeal="AL1", reason="撤销证书的决定依申诉撤回", actor="admin", on=date(2026, 4, 21))
    c = app.client(ZGC)
    assert result["status"] == "valid" and c.certificate["status"] == "valid" and c.stage == "valid"
    assert c.withdrawals["W1"]["reversed_by"]["on"] == date(2026, 4, 21)
    assert [a["act"] for a in c.reportable_acts()] == ["withdrawal", "restoration"]
    from projections.summaries import client_summary

    assert client_summary(c)["certificate"]["status"] == "valid"


def test_a_withdrawal_reversed_after_the_validity_ended_points_to_a_new_certification(app):
    _certified(app, ZGC, year=2023)
    valid_until = app.client(ZGC).certificate["valid_until"]
    app.withdraw(client=ZGC, reason_code="7.3.1e", reason="r", actor="admin", on=date(2023, 4, 3))
    _appeal_upheld(app, ZGC, "W1", date(2023, 4, 4), date(2023, 4, 20))
    e = _refused(app, lambda: app.give_appeal_effect(client=ZGC, appeal="AL1", reason="r", actor="admin",
                                                     on=valid_until + timedelta(days=1)), "001 §8.2")
    assert "application submit" in e.message_en and "application submit" in e.message_zh


def test_an_upheld_appeal_against_a_refused_application_accepts_it(app):
    app.submit_application(client=ZGC, name="某公司", address="某地", scheme="zgc-ru015", scope="s",
                           site=[{"name": "总部", "address": "某地"}], headcount=30, actor="admin", on=date(2026, 3, 2))
    app.review_application(client=ZGC, application="AP1", refuse=True, reason="范围不明", actor="admin", on=date(2026, 3, 3))
    _appeal_upheld(app, ZGC, "AP1", date(2026, 3, 5), date(2026, 3, 20))
    _refused(app, lambda: app.sign_contract(client=ZGC, contract_no="K1", actor="admin", on=date(2026, 3, 21)), "001 §4.2.2")
    app.give_appeal_effect(client=ZGC, appeal="AL1", reason="受理申请", actor="admin", on=date(2026, 3, 21))
    assert app.client(ZGC).applications["AP1"]["status"] == "accepted"
    app.sign_contract(client=ZGC, contract_no="K1", actor="admin", on=date(2026, 3, 22))
    assert app.client(ZGC).stage == "contracted"


def test_an_upheld_appeal_against_a_scope_reduction_restores_the_scope(app):
    _certified(app, HZX, "hzx-mr0118")
    app.change_scope(client=HZX, kind="reduce", scope="s（部分）", reason="r", actor="admin", on=date(2026, 3, 20))
    _appeal_upheld(app, HZX, "SC1", date(2026, 3, 23), date(2026, 3, 30))
    e = _refused(app, lambda: app.give_appeal_effect(client=HZX, appeal="AL9", reason="r", actor="admin", on=date(2026, 4, 1)),
                 "ledger: reference exists")
    assert "AL9" in e.message_en
    app.give_appeal_effect(client=HZX, appeal="AL1", reason="恢复原认证范围", actor="admin", on=date(2026, 4, 1),
                           site=[{"name": "总部", "address": "某地"}, {"name": "二厂", "address": "某市"}])
    c = app.client(HZX)
    assert c.certificate["scope"] == "s" and [s["name"] for s in c.certificate["sites"]] == ["总部", "二厂"]
    assert c.scope_changes["SC1"]["reversed_by"]["appeal"] == "AL1"


def test_a_scope_reduction_changed_again_is_restored_by_a_scope_change(app):
    _certified(app, HZX, "hzx-mr0118")
    app.change_scope(client=HZX, kind="reduce", scope="s（部分）", reason="r", actor="admin", on=date(2026, 3, 20))
    _appeal_upheld(app, HZX, "SC1", date(2026, 3, 23), date(2026, 3, 30))
    app.change_scope(client=HZX, kind="extend", scope="s（扩大）", reason="r", actor="admin", on=date(2026, 3, 31))
    e = _refused(app, lambda: app.give_appeal_effect(client=HZX, appeal="AL1", reason="r", actor="admin", on=date(2026, 4, 1)),
                 "004 §14.1.3 (4)")
    assert "SC2" in e.message_en and "certificate scope --kind extend" in e.message_zh


def test_under_004_a_complaint_is_admitted_before_its_written_result(app):
    _certified(app, HZX, "hzx-mr0118")
    app.receive_complaint(client=HZX, complainant="顾客", subject="s", actor="admin", on=date(2026, 4, 1))
    e = _refused(app, lambda: app.resolve_complaint(client=HZX, complaint="C1", result="r", actor="admin", on=date(2026, 4, 3)),
                 "004 §14.2.2")
    assert "complaint admit" in e.message_en and "complaint admit" in e.message_zh
    app.admit_complaint(client=HZX, complaint="C1", accept=True, decider=["孙丽"], actor="admin", on=date(2026, 4, 2))
    app.resolve_complaint(client=HZX, complaint="C1", result="已处理", actor="孙丽", on=date(2026, 4, 3))
    assert app.client(HZX).complaints["C1"]["status"] == "resolved"
    # 001 sets no acceptance decision: a received complaint's result may follow directly
    _certified(app, ZGC)
    app.receive_complaint(client=ZGC, complainant="顾客", subject="s", actor="admin", on=date(2026, 4, 1))
    app.resolve_complaint(client=ZGC, complaint="C1", result="已处理", actor="孙丽", on=date(2026, 4, 3))


def test_a_withdrawal_after_a_suspension_reversed_on_appeal_leaves_nothing_overdue(app):
    _certified(app, HZX, "hzx-mr0118")
    app.suspend(client=HZX, reason_code="8.1c", reason="违反程序", months=1, actor="admin", on=date(2026, 3, 20))
    app.withdraw(client=HZX, reason_code="8.3c", reason="暂停期满未纠正", actor="admin", on=date(2026, 4, 21))
    _appeal_upheld(app, HZX, "W1", date(2026, 4, 22), date(2026, 5, 6))
    app.give_appeal_effect(client=HZX, appeal="AL1", reason="撤销决定依申诉撤回", actor="admin", on=date(2026, 5, 7))
    c = app.client(HZX)
    assert c.certificate["status"] == "valid" and c.certificate.get("suspension_id") is None
    assert c.suspensions["SU1"]["restored_on"] == date(2026, 5, 7) and c.suspensions["SU1"]["annulled_by"]["with"] == "W1"
    # told once (a restoration under the withdrawal reversed), no publication or recall of a reversed withdrawal
    assert [(a["act"], a["id"]) for a in c.reportable_acts()] == [("suspension", "SU1"), ("withdrawal", "W1"), ("restoration", "W1")]
    kinds = {(r["kind"], r["key"]) for r in client_deadlines(c, app.calendar)}
    assert ("website_publication", "website_publication:withdrawal:W1") not in kinds and not any(k == "recall" for k, _ in kinds)
    assert not any(k in ("suspension_end", "withdrawal_due") for k, _ in kinds), kinds


def test_an_unscheduled_surveillance_of_a_withdrawn_certificate_is_cancelled_not_left_overdue(app):
    _certified(app, HZX, "hzx-mr0118")
    app.receive_complaint(client=HZX, complainant="顾客", subject="s", actor="admin", on=date(2026, 4, 1))
    app.admit_complaint(client=HZX, complaint="C1", accept=True, decider=["孙丽"], actor="admin", on=date(2026, 4, 2))
    app.plan_audit(client=HZX, kind="unscheduled", member=["王芳"], start=date(2026, 4, 10), actor="admin", on=date(2026, 4, 3))
    app.link_unscheduled(client=HZX, audit="A3", complaint="C1", actor="admin", on=date(2026, 4, 3))
    assert any(r["kind"] == "unscheduled_surveillance" for r in client_deadlines(app.client(HZX), app.calendar))
    app.withdraw(client=HZX, reason_code="8.3c", reason="r", actor="admin", on=date(2026, 4, 8))
    assert not any(r["kind"] == "unscheduled_surveillance" for r in client_deadlines(app.client(HZX), app.calendar))
    _refused(app, lambda: app.cancel_audit(client=HZX, audit="A3", reason=" ", actor="admin", on=date(2026, 4, 9)), "001 §4.4.5")
    app.cancel_audit(client=HZX, audit="A3", reason="证书已撤销，非例行监督不再进行", actor="admin", on=date(2026, 4, 9))
    c = app.client(HZX)
    assert c.audits["A3"]["status"] == "cancelled" and c.audits["A3"]["cancelled"]["reason"].startswith("证书已撤销")
    assert not c.open_audits and app.history(HZX)[-1]["type"] == "AuditCancelled"
    item, facet, value = next(iter(score_sheet(load_scheme("hzx-mr0118"), 0.86, seed=5)))
    e = _refused(app, lambda: app.enter_score(client=HZX, audit="A3", item=item, facet=facet, value=value, actor="王芳",
                                              on=date(2026, 4, 10)), "001 §4.4.5")
    assert "audit plan" in e.message_en
    _refused(app, lambda: app.cancel_audit(client=HZX, audit="A3", reason="again", actor="admin", on=date(2026, 4, 10)), "001 §4.4.5")
    e = _refused(app, lambda: app.cancel_audit(client=HZX, audit="A2", reason="r", actor="admin", on=date(2026, 4, 10)), "001 §4.4.5")
    assert "completed" in e.message_en


def test_a_completed_audit_is_reopened_before_its_scores_are_corrected(app):
    app.submit_application(client=ZGC, name="某公司", address="某地", scheme="zgc-ru015", scope="s",
                           site=[{"name": "总部", "address": "某地"}], headcount=30, actor="admin", on=date(2026, 3, 2))
    app.review_application(client=ZGC, application="AP1", accept=True, actor="admin", on=date(2026, 3, 3))
    app.sign_contract(client=ZGC, contract_no="K1", actor="admin", on=date(2026, 3, 4))
    app.plan_audit(client=ZGC, kind="stage1", member=["王芳"], start=date(2026, 3, 5), actor="admin", on=date(2026, 3, 4))
    app.complete_audit(client=ZGC, audit="A1", conclusion="ok", actor="王芳", on=date(2026, 3, 5))
    app.plan_audit(client=ZGC, kind="stage2", member=["王芳", "李强"], start=date(2026, 3, 10), actor="admin", on=date(2026, 3, 6))
    for item, facet, value in score_sheet(load_scheme("zgc-ru015"), 0.86, seed=5):
        app.enter_score(client=ZGC, audit="A2", item=item, facet=facet, value=value, actor="李强", on=date(2026, 3, 10))
    app.complete_audit(client=ZGC, audit="A2", conclusion="推荐", actor="王芳", on=date(2026, 3, 11))
    entry = next(e for e in app.client(ZGC).effective_entries("A2") if "percent" in e["value"])
    e = _refused(app, lambda: app.correct_score(client=ZGC, entry=entry["id"], value={"percent": 50}, reason="复核", actor="李强",
                                                on=date(2026, 3, 12)), "001 §4.4.5")
    assert "audit reopen" in e.message_en and "audit reopen" in e.message_zh
    app.reopen_audit(client=ZGC, audit="A2", reason="复核评分", actor="王芳", on=date(2026, 3, 12))
    app.correct_score(client=ZGC, entry=entry["id"], value={"percent": 50}, reason="复核", actor="李强", on=date(2026, 3, 12))


def test_a_surveillance_scores_the_certificates_business_lines_not_those_of_a_new_application(app):
    """Found when tried: a recertification application declaring other lines changed the lines a
    surveillance of the current certificate is scored by (004 §4.18.2 per the scope audited)."""
    _certified(app, HZX, "hzx-mr0118")
    app.plan_audit(client=HZX, kind="surveillance", member=["王芳"], start=date(2026, 4, 10), actor="admin", on=date(2026, 4, 1))
    app.submit_application(client=HZX, name="某公司", address="某地", scheme="hzx-mr0118", scope="批发；零售", kind="recertification",
                           site=[{"name": "总部", "address": "某地"}], headcount=30, actor="admin", on=date(2026, 4, 2))
    c = app.client(HZX)
    assert c.business_lines_for("A3") == ["s"] and c.business_lines == ["批发", "零售"]
    scheme = load_scheme("hzx-mr0118")
    item, _, value = next(x for x in score_sheet(scheme, 0.86, seed=5)
                          if scheme.part(scheme.resolve_item(x[0]).part).facet_from == "business_lines")
    app.enter_score(client=HZX, audit="A3", item=item, facet=None, value=value, actor="王芳", on=date(2026, 4, 10))
    with pytest.raises(RuleViolation) as e:  # the recertification's own audits will score per line; this one does not
        app.enter_score(client=HZX, audit="A3", item=item, facet="批发", value=value, actor="王芳", on=date(2026, 4, 10))
    assert e.value.rule == "004 4.18.2"
