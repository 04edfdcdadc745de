"""The deadline engine on its own: Client aggregates built in memory, the real working-day calendar.

One test (or a few) per deadline of the rulebooks. Expected dates are worked out by hand in the
comments; the 2026 National Day holiday (Oct 1-7 off, Sat Oct 10 worked, Sep 25-27 off for the
Mid-Autumn Festival) is where most of them fall.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest

from aggregates.client import Client
from aggregates.errors import RuleViolation
from ledger.rules.calendar import Calendar, last_published_year
from ledger.rules.deadlines import client_deadlines, notification_deadlines
from ledger.rules.lifecycle import check_appeal_lodging, check_upgrade_application, suspension_until, upgrade_allowed_from
from ledger.rules.procedures import P001, P004, Period

D = date
USCC = "91330100716105852F"
SITE = [{"name": "总部", "address": "杭州市余杭区文一西路969号"}]
ZGC, HZX = "zgc-ru015", "hzx-mr0118"  # procedure 001 and procedure 004
CAL = Calendar()


# ------------------------------------------------------------------------------------ builders


def applied(scheme: str = ZGC, on: date = D(2025, 1, 6)) -> tuple[Client, str]:
    c = Client.register(uscc=USCC, name="杭州云栖质量科技有限公司", address="杭州市西湖区", actor="admin", occurred_on=on)
    ap = c.submit_application(scheme_id=scheme, scope="企业质量信用管理", sites=SITE, headcount=120, kind="initial", actor="admin", occurred_on=on)
    return c, ap


def certified(scheme: str = ZGC, decided_on: date = D(2025, 3, 3), issued_on: date | None = None) -> Client:
    """Initial certification: stage 1 and 2 before ``decided_on``, certificate issued on ``issued_on``
    (default: two days after the decision), valid three years less a day (as ledger.rules.lifecycle.validity_until gives)."""
    start = decided_on - timedelta(days=40)
    c, ap = applied(scheme, start)
    c.review_application(application_id=ap, accepted=True, reason="", actor="admin", occurred_on=start)
    c.sign_contract(contract_no="HT-1", actor="admin", occurred_on=start)
    a1 = c.plan_audit(kind="stage1", team=["王芳"], leader="", man_days=Decimal("0.5"), sites=[], start_on=start, actor="admin", occurred_on=start)
    c.complete_audit(audit_id=a1, conclusion="文件符合", actor="王芳", occurred_on=start)
    a2 = c.plan_audit(kind="stage2", team=["王芳"], leader="", man_days=Decimal(2), sites=[], start_on=start + timedelta(days=1), actor="admin", occurred_on=start)
    c.complete_audit(audit_id=a2, conclusion="推荐认证", actor="王芳", occurred_on=start + timedelta(days=2))
    d = c.decide(audit_id=a2, decider="赵敏", scheme_id=scheme, scheme_version="1", score=Decimal(850), max_score=Decimal(1000),
                 percent=Decimal(85), grade="A", granted=True, reason="符合", evaluation={}, actor="admin", occurred_on=decided_on)
    issued_on = issued_on or decided_on + timedelta(days=2)
    until = CAL.add_years(issued_on, 3, extend_to_working_day=False).due - timedelta(days=1)
    c.issue_certificate(decision_id=d, number="CL-1", valid_from=issued_on, valid_until=until, standard="GB/T 31863-2015",
                        actor="admin", occurred_on=issued_on)
    return c


def reported(c: Client) -> Client:
    c.report_to_regulator(reference="CNCA-1", actor="admin", occurred_on=c.certificate["issued_on"] + timedelta(days=1))
    return c


def surveillance(c: Client, start: date, completed: date | None = None, team: str = "陈静") -> str:
    a = c.plan_audit(kind="surveillance", team=[team], leader="", man_days=Decimal(1), sites=[], start_on=start, actor="admin", occurred_on=start)
    if completed:
        c.complete_audit(audit_id=a, conclusion="继续保持", actor=team, occurred_on=completed)
    return a


def rows(c: Client, kind: str | None = None, **kw) -> list[dict]:
    return [r for r in client_deadlines(c, CAL, **kw) if kind is None or r["kind"] == kind]


def one(c: Client, kind: str, **kw) -> dict:
    found = rows(c, kind, **kw)
    assert len(found) == 1, found
    return found[0]


def appeal_lodged(scheme: str, against_on: date, lodged_on: date) -> tuple[Client, str]:
    """A refused application appealed: the decision appealed is the refusal of ``against_on``."""
    c, ap = applied(scheme, against_on - timedelta(days=3))
    c.review_application(application_id=ap, accepted=False, reason="列入严重违法失信名单", actor="admin", occurred_on=against_on)
    al = c.lodge_appeal(against=ap, grounds="名单已移出", actor="admin", occurred_on=lodged_on)
    return c, al


# ------------------------------------------------------------------------------------ shape


def test_every_row_is_json_shaped_with_its_clause_period_and_reference():
    c = certified()
    for r in client_deadlines(c, CAL):
        assert {"key", "kind", "clause", "what_zh", "what_en", "since", "due", "provisional", "period_zh", "period_en", "ref"} <= r.keys()
        assert r["clause"] and r["what_zh"] and r["what_en"] and r["period_zh"] and r["period_en"] and r["ref"]
        assert isinstance(r["provisional"], bool)
    json.dumps(client_deadlines(c, CAL), default=str, ensure_ascii=False)
    keys = [r["key"] for r in client_deadlines(c, CAL)]
    assert len(keys) == len(set(keys)), "keys are unique within a client"


def test_the_same_state_gives_the_same_rows_and_a_replayed_client_gives_them_too():
    c = certified()
    copy = None
    for e in c.pending_events:
        copy = e.mutate(copy)
    assert client_deadlines(c, CAL) == client_deadlines(c, CAL) == client_deadlines(copy, Calendar())


# ------------------------------------------------------------------------------------ 001 §4.2.1


def test_a_refused_applicant_is_told_within_5_days_and_a_last_day_in_the_holiday_moves_to_the_next_working_day():
    c, ap = applied(ZGC, D(2026, 9, 21))
    c.review_application(application_id=ap, accepted=False, reason="超出本机构能力范围", actor="admin", occurred_on=D(2026, 9, 28))
    r = one(c, "refusal_notice")
    # Sep 28 + 5 days = Oct 3, inside the National Day holiday (Oct 1-7): the next working day is Oct 8.
    assert (r["since"], r["due"], r["clause"]) == (D(2026, 9, 28), D(2026, 10, 8), "001 §4.2.1")
    assert "顺延至 2026-10-08" in r["period_zh"] and r["ref"] == {"application": ap}


def test_an_accepted_application_owes_no_refusal_notice():
    c, ap = applied()
    c.review_application(application_id=ap, accepted=True, reason="", actor="admin", occurred_on=D(2025, 1, 7))
    assert rows(c, "refusal_notice") == []


# ------------------------------------------------------------------------------------ 001 §4.6.6


def test_a_certificate_is_reported_to_the_regulator_within_30_working_days_of_issue():
    c = certified(decided_on=D(2026, 9, 13), issued_on=D(2026, 9, 15))
    r = one(c, "regulator_report")
    # Working days after Sep 15: Sep 16-18, 21-24 (7), 28-30 (10), Oct 8-10 (13, Sat 10 is worked),
    # 12-16 (18), 19-23 (23), 26-30 (28), Nov 2 (29)... counted by hand: the 30th is Nov 2.
    assert (r["since"], r["due"], r["clause"], r["period_zh"]) == (D(2026, 9, 15), D(2026, 11, 2), "001 §4.6.6", "30 个工作日")
    assert r["ref"] == {"certificate": "CL-1"} and r["provisional"] is False
    reported(c)
    assert rows(c, "regulator_report") == []


def test_a_report_due_in_a_year_without_a_published_holiday_notice_is_provisional():
    year = last_published_year()
    c = certified(decided_on=D(year, 12, 8), issued_on=D(year, 12, 10))
    r = one(c, "regulator_report")
    assert r["due"].year == year + 1 and r["provisional"] is True


def test_the_004_procedure_reports_within_the_same_30_working_days_citing_both_rules():
    r = one(certified(HZX, decided_on=D(2026, 9, 13), issued_on=D(2026, 9, 15)), "regulator_report")
    assert r["due"] == D(2026, 11, 2) and r["clause"] == "004 §5.8 + 001 §4.6.6" and r["procedure"] == "004"


# ------------------------------------------------------------------------------------ 001 §5.2


def test_the_first_surveillance_is_due_12_months_after_the_decision_and_a_sunday_is_not_moved():
    c = certified(decided_on=D(2026, 1, 31))
    r = one(c, "surveillance")
    # 2027-01-31 is a Sunday: a maximum interval is not extended to a working day.
    assert (r["since"], r["due"], r["clause"]) == (D(2026, 1, 31), D(2027, 1, 31), "001 §5.2.1")
    assert r["period_zh"] == "12 个月（不顺延）" and r["ref"] == {"certificate": "CL-1", "surveillance": "1"}


def test_a_planned_surveillance_is_noted_but_counts_only_once_completed():
    c = certified(decided_on=D(2025, 3, 3))
    a = surveillance(c, D(2026, 2, 10))
    r = one(c, "surveillance")
    assert r["due"] == D(2026, 3, 3) and a in r["note_zh"] and a in r["note_en"]
    c.complete_audit(audit_id=a, conclusion="继续保持", actor="陈静", occurred_on=D(2026, 2, 11))
    assert one(c, "surveillance")["ref"]["surveillance"] == "2"


def test_surveillances_are_at_most_15_months_apart_and_two_per_cycle_then_the_recertification():
    c = certified(decided_on=D(2025, 3, 3))
    surveillance(c, D(2026, 2, 10), completed=D(2026, 2, 11))
    r = one(c, "surveillance")
    assert (r["since"], r["due"], r["clause"]) == (D(2026, 2, 11), D(2027, 5, 11), "001 §5.2.2")
    surveillance(c, D(2027, 2, 1), completed=D(2027, 2, 2))
    assert rows(c, "surveillance") == [], "the third year is the recertification year (001 §5.2.1)"


def test_after_the_first_surveillance_one_is_due_in_each_calendar_year_within_the_15_months():
    c = certified(decided_on=D(2025, 12, 1))
    surveillance(c, D(2026, 11, 18), completed=D(2026, 11, 19))
    r = one(c, "surveillance")
    # 15 months would run to 2028-02-19, but 2027 needs its surveillance (001 §5.2.1).
    assert (r["due"], r["clause"], r["period_en"]) == (D(2027, 12, 31), "001 §5.2.1", "at least once per calendar year (within 2027)")


def test_the_surveillance_interval_is_a_parameter_the_regulators_2026_rule_tightens_to_12_months():
    c = certified(decided_on=D(2025, 3, 3))
    surveillance(c, D(2026, 2, 10), completed=D(2026, 2, 11))
    stricter = P001.with_periods(surveillance_interval=Period(12, "months", "CNCA 2026", extend=False))
    r = one(c, "surveillance", procedure=stricter)
    assert (r["due"], r["clause"]) == (D(2027, 2, 11), "CNCA 2026")
    first = P001.with_periods(first_surveillance=Period(9, "months", "body rule", extend=False))
    assert one(certified(decided_on=D(2025, 3, 3)), "surveillance", procedure=first)["due"] == D(2025, 12, 3)


def test_under_004_surveillance_is_every_12_months():
    c = certified(HZX, decided_on=D(2025, 3, 3))
    assert (one(c, "surveillance")["due"], one(c, "surveillance")["clause"]) == (D(2026, 3, 3), "004 §6.9.1")
    surveillance(c, D(2026, 2, 10), completed=D(2026, 2, 11))
    assert one(c, "surveillance")["due"] == D(2027, 2, 11)


# ------------------------------------------------------------------------------------ 001 §7.2.1


def test_a_missed_surveillance_makes_the_suspension_due_within_5_working_days_of_the_lapse():
    c = certified(decided_on=D(2025, 9, 28))
    r = one(c, "suspension_due")
    # First surveillance due 2026-09-28. Working days after it: Sep 29, 30, Oct 8, 9, 10 (a worked Saturday).
    assert (r["key"], r["since"], r["due"], r["clause"]) == ("suspension_due:CL-1:surveillance-1", D(2026, 9, 28), D(2026, 10, 10), "001 §7.2.1")
    assert r["ref"]["cause_clause"] == "001 §5.2.3"
    surveillance(c, D(2026, 9, 1), completed=D(2026, 9, 2))
    # The first surveillance was done in time: that cause is gone; the next one waits on the second surveillance.
    assert [x["key"] for x in rows(c, "suspension_due")] == ["suspension_due:CL-1:surveillance-2"]
    assert one(c, "suspension_due")["since"] == one(c, "surveillance")["due"] == D(2027, 12, 2)


def test_a_surveillance_decision_that_does_not_grant_makes_the_suspension_due_within_5_working_days():
    c = certified(decided_on=D(2025, 9, 28))
    a = surveillance(c, D(2026, 9, 1), completed=D(2026, 9, 2))
    d = c.decide(audit_id=a, decider="赵敏", scheme_id=ZGC, scheme_version="1", score=Decimal(500), max_score=Decimal(1000),
                 percent=Decimal(50), grade=None, granted=False, reason="低于 C 级", evaluation={}, actor="admin", occurred_on=D(2026, 9, 28))
    r = next(x for x in rows(c, "suspension_due") if x["ref"].get("decision") == d)
    assert (r["key"], r["since"], r["due"]) == (f"suspension_due:{d}", D(2026, 9, 28), D(2026, 10, 10))
    assert r["ref"]["cause_clause"] == "001 §7.2.1 a"
    c.suspend(reason_code="7.2.1a", reason="监督审核不通过", start=D(2026, 10, 9), until=D(2027, 4, 9), actor="admin", occurred_on=D(2026, 10, 9))
    assert rows(c, "suspension_due") == [], "suspended: no suspension is due any more"


# ------------------------------------------------------------------------------------ 001 §7.2.2, §7.3.1 e


def test_a_suspension_lasts_at_most_6_months_and_its_end_is_never_moved():
    start = D(2026, 1, 10)
    until = suspension_until(P001, P001.reason("suspension", "7.2.1f"), start, None, CAL)
    assert until == D(2026, 7, 10)
    assert suspension_until(P001, P001.reason("suspension", "7.2.1f"), start, 3, CAL) == D(2026, 4, 10)
    for months in (0, 7):
        with pytest.raises(RuleViolation) as e:
            suspension_until(P001, P001.reason("suspension", "7.2.1f"), start, months, CAL)
        assert e.value.rule == "001 §7.2.2" and str(months) in e.value.message_en
    with pytest.raises(RuleViolation) as e:
        suspension_until(P004, P004.reason("suspension", "8.1e"), start, 7, CAL)
    assert e.value.rule.startswith("001 §7.2.2") and "004" in e.value.rule

    c = certified(decided_on=D(2025, 12, 1))
    c.suspend(reason_code="7.2.1f", reason="主动请求暂停", start=start, until=until, actor="admin", occurred_on=start)
    r = one(c, "suspension_end")
    assert (r["since"], r["due"], r["clause"]) == (start, D(2026, 7, 10), "001 §7.2.2")


def test_a_suspension_for_a_lapsed_licence_runs_until_the_licensing_decision_without_a_date():
    reason = P001.reason("suspension", "7.2.1e")
    assert suspension_until(P001, reason, D(2026, 1, 10), None, CAL) is None
    assert suspension_until(P001, reason, D(2026, 1, 10), 9, CAL) == D(2026, 10, 10), "7.2.1 e may exceed 6 months"
    c = certified(decided_on=D(2025, 12, 1))
    c.suspend(reason_code="7.2.1e", reason="生产许可证过期，换证申请已受理", start=D(2026, 1, 10), until=None, actor="admin", occurred_on=D(2026, 1, 10))
    r = one(c, "suspension_end")
    assert r["due"] is None and "许可决定" in r["period_zh"]
    assert rows(c, "withdrawal_due") == []


def test_a_suspension_that_lapses_unresolved_makes_the_withdrawal_due_within_5_working_days():
    c = certified(decided_on=D(2025, 12, 1))
    c.suspend(reason_code="7.2.1f", reason="主动请求暂停", start=D(2026, 3, 28), until=D(2026, 9, 28), actor="admin", occurred_on=D(2026, 3, 28))
    r = one(c, "withdrawal_due")
    # The suspension ends on Sep 28; 5 working days later: Sep 29, 30, Oct 8, 9, 10.
    assert (r["since"], r["due"], r["clause"]) == (D(2026, 9, 28), D(2026, 10, 10), "001 §7.3.1")
    assert r["ref"]["cause_clause"] == "001 §7.3.1 e"
    c.restore(reason="原因已消除，经核实", actor="admin", occurred_on=D(2026, 6, 1))
    assert rows(c, "withdrawal_due") == [] and rows(c, "suspension_end") == []


def test_under_004_a_lapsed_suspension_is_withdrawn_for_no_effective_action():
    c = certified(HZX, decided_on=D(2025, 12, 1))
    c.suspend(reason_code="8.1e", reason="安全事故", start=D(2026, 3, 28), until=D(2026, 9, 28), actor="admin", occurred_on=D(2026, 3, 28))
    assert one(c, "withdrawal_due")["ref"]["cause_clause"] == "004 §8.3 c"


# ------------------------------------------------------------------------------------ appeals: 001 §11, 004 §14


def test_an_appeal_gets_its_written_result_within_60_days_of_receipt():
    c, al = appeal_lodged(ZGC, D(2026, 10, 14), D(2026, 10, 21))
    r = one(c, "appeal_result")
    # Oct 21 + 60 days = Dec 20, a Sunday: the next working day, Dec 21.
    assert (r["since"], r["due"], r["clause"]) == (D(2026, 10, 21), D(2026, 12, 21), "001 §11")
    assert r["ref"] == {"appeal": al, "against": "AP1"}
    assert [x["kind"] for x in rows(c) if x["ref"].get("appeal")] == ["appeal_result"], "001 sets no other appeal deadline"


def test_under_004_an_appeal_is_accepted_or_refused_within_a_week():
    c, al = appeal_lodged(HZX, D(2026, 9, 24), D(2026, 9, 28))
    r = one(c, "appeal_admission")
    # Sep 28 + 7 days = Oct 5, in the National Day holiday: Oct 8.
    assert (r["due"], r["clause"]) == (D(2026, 10, 8), "004 §14.1.2")
    assert one(c, "appeal_result")["clause"] == "004 §14"
    c.admit_appeal(appeal_id=al, accepted=False, reason="超过申诉时限且无正当理由", deciders=["孙丽"], actor="admin", occurred_on=D(2026, 9, 30))
    assert rows(c) == [r for r in rows(c) if r["kind"] == "refusal_notice"], "a refused appeal closes every appeal deadline"


def test_under_004_an_accepted_appeal_is_heard_within_20_working_days_with_5_working_days_notice():
    c, al = appeal_lodged(HZX, D(2026, 9, 18), D(2026, 9, 21))
    c.admit_appeal(appeal_id=al, accepted=True, reason="", deciders=["孙丽"], actor="admin", occurred_on=D(2026, 9, 22))
    hearing, notice = one(c, "appeal_hearing"), one(c, "appeal_hearing_notice")
    # 20 working days after Sep 21: Sep 22-24 (3), 28-30 (6), Oct 8-10 (9), 12-16 (14), 19-23 (19), 26 (20).
    assert (hearing["due"], hearing["clause"]) == (D(2026, 10, 26), "004 §14.1.3 (2)")
    # 5 working days before Oct 26: notice by Oct 19 (Oct 20-23 and 26 lie between).
    assert (notice["due"], notice["clause"], notice["period_zh"]) == (D(2026, 10, 19), "004 §14.1.3 (2)", "会议前至少 5 个工作日")
    assert rows(c, "appeal_admission") == []
    c.hear_appeal(appeal_id=al, hearing_on=D(2026, 10, 20), notice_given_on=D(2026, 10, 12), panel=["孙丽"], actor="admin", occurred_on=D(2026, 10, 20))
    assert rows(c, "appeal_hearing") == rows(c, "appeal_hearing_notice") == []
    assert one(c, "appeal_result")["due"] == D(2026, 11, 20)
    c.decide_appeal(appeal_id=al, outcome="dismissed", result="维持原决定", deciders=["孙丽"], actor="admin", occurred_on=D(2026, 10, 30))
    assert rows(c, "appeal_result") == []


def test_under_004_an_appeal_lodged_within_10_working_days_of_the_decision_is_accepted():
    c, ap = applied(HZX, D(2026, 9, 20))
    c.review_application(application_id=ap, accepted=False, reason="不符合申请条件", actor="admin", occurred_on=D(2026, 9, 24))
    # 10 working days after Sep 24: Sep 28, 29, 30, Oct 8, 9, 10, 12, 13, 14, 15.
    deadline = check_appeal_lodging(c, against=ap, lodged_on=D(2026, 10, 15), late_override="", calendar=CAL)
    assert deadline is not None and deadline.due == D(2026, 10, 15)


def test_under_004_a_late_appeal_is_refused_unless_the_body_records_an_override_with_a_reason():
    c, ap = applied(HZX, D(2026, 9, 20))
    c.review_application(application_id=ap, accepted=False, reason="不符合申请条件", actor="admin", occurred_on=D(2026, 9, 24))
    for override in ("", "   "):
        with pytest.raises(RuleViolation) as e:
            check_appeal_lodging(c, against=ap, lodged_on=D(2026, 10, 16), late_override=override, calendar=CAL)
        assert e.value.rule == "004 §14.1.1"
        assert "2026-10-15" in e.value.message_zh and "--late-override" in e.value.message_en and "1 working day late" in e.value.message_en
    check_appeal_lodging(c, against=ap, lodged_on=D(2026, 10, 16), late_override="申请人提供了邮寄延误的证明", calendar=CAL)


def test_under_001_an_appeal_has_no_lodging_limit_and_an_unknown_decision_is_left_to_the_aggregate():
    c, ap = applied(ZGC, D(2026, 1, 5))
    c.review_application(application_id=ap, accepted=False, reason="不符合", actor="admin", occurred_on=D(2026, 1, 6))
    assert check_appeal_lodging(c, against=ap, lodged_on=D(2026, 11, 1), late_override="", calendar=CAL) is None
    c4, ap4 = applied(HZX, D(2026, 1, 5))
    assert check_appeal_lodging(c4, against="D9", lodged_on=D(2026, 11, 1), late_override="", calendar=CAL) is None


# ------------------------------------------------------------------------------------ 004 §14.2.3.1


def test_under_004_a_complaint_gets_its_written_result_within_30_working_days():
    c = reported(certified(HZX, decided_on=D(2026, 6, 1)))
    cp = c.receive_complaint(complainant="消费者 王某", subject="售后承诺未兑现", actor="admin", occurred_on=D(2026, 9, 15))
    r = one(c, "complaint_result")
    assert (r["since"], r["due"], r["clause"], r["ref"]) == (D(2026, 9, 15), D(2026, 11, 2), "004 §14.2.3.1", {"complaint": cp})
    c.resolve_complaint(complaint_id=cp, result="已书面答复", actor="admin", occurred_on=D(2026, 10, 9))
    assert rows(c, "complaint_result") == []


def test_under_001_a_complaint_has_no_period_of_its_own():
    c = reported(certified(ZGC, decided_on=D(2026, 6, 1)))
    c.receive_complaint(complainant="消费者 王某", subject="售后承诺未兑现", actor="admin", occurred_on=D(2026, 9, 15))
    assert rows(c, "complaint_result") == []


# ------------------------------------------------------------------------------------ 004 §15, 001 §4.2.2 c


def test_the_client_notifies_a_change_or_an_incident_within_10_days_and_a_late_one_shows():
    c = certified(HZX, decided_on=D(2026, 6, 1))
    c.notify_change(kind="incident", changed_on=D(2026, 9, 28), description="仓库叉车伤人事故", actor="admin", occurred_on=D(2026, 10, 8))
    c.notify_change(kind="address", changed_on=D(2026, 9, 20), description="经营场所迁址", actor="admin", occurred_on=D(2026, 10, 9))
    incident, address = notification_deadlines(c, CAL)
    # Sep 28 + 10 days = Oct 8, a working day: notified on Oct 8, on time.
    assert (incident["kind"], incident["due"], incident["late"], incident["clause"]) == ("incident_notification", D(2026, 10, 8), False, "004 §15 (14.2)")
    # Sep 20 + 10 days = Sep 30: notified on Oct 9, 9 days late.
    assert (address["kind"], address["due"], address["late"], address["days_late"]) == ("change_notification", D(2026, 9, 30), True, 9)
    assert not [r for r in client_deadlines(c, CAL) if "notification" in r["kind"]], "the client's duty is never an open deadline of the body"


# ------------------------------------------------------------------------------------ 004 §6.9.3


def test_a_grade_upgrade_may_be_applied_for_from_6_months_after_certification():
    c = certified(HZX, decided_on=D(2026, 2, 1), issued_on=D(2026, 2, 3))
    assert upgrade_allowed_from(c, CAL).due == D(2026, 8, 3)
    with pytest.raises(RuleViolation) as e:
        check_upgrade_application(c, kind="upgrade", submitted_on=D(2026, 8, 2), calendar=CAL)
    assert e.value.rule == "004 §6.9.3" and "2026-08-03" in e.value.message_zh and "1 days early" in e.value.message_en
    check_upgrade_application(c, kind="upgrade", submitted_on=D(2026, 8, 3), calendar=CAL)
    check_upgrade_application(c, kind="recertification", submitted_on=D(2026, 3, 1), calendar=CAL)


def test_an_upgrade_without_a_certificate_is_left_to_the_aggregate():
    c, _ = applied(HZX)
    check_upgrade_application(c, kind="upgrade", submitted_on=D(2025, 1, 6), calendar=CAL)


# ------------------------------------------------------------------------------------ 001 §6.1, §6.3, §8.2


def test_the_recertification_audit_and_its_nonconformities_are_due_before_the_certificate_expires():
    c = certified(decided_on=D(2025, 3, 3))
    until = c.certificate["valid_until"]
    r = one(c, "recertification")
    assert (r["due"], r["clause"]) == (until, "001 §6.1")
    ap = c.submit_application(scheme_id=ZGC, scope="企业质量信用管理", sites=SITE, headcount=120, kind="recertification", actor="admin", occurred_on=D(2027, 11, 1))
    c.review_application(application_id=ap, accepted=True, reason="", actor="admin", occurred_on=D(2027, 11, 2))
    a = c.plan_audit(kind="recertification", team=["王芳"], leader="", man_days=Decimal(2), sites=[], start_on=D(2027, 12, 1), actor="admin", occurred_on=D(2027, 11, 3))
    assert a in one(c, "recertification")["note_en"]
    nc = c.raise_nonconformity(audit_id=a, severity="minor", clause="5.1", description="记录不全", actor="王芳", occurred_on=D(2027, 12, 1))
    c.complete_audit(audit_id=a, conclusion="推荐再认证", actor="王芳", occurred_on=D(2027, 12, 2))
    assert rows(c, "recertification") == []
    r = one(c, "recertification_nc")
    assert (r["due"], r["clause"], r["ref"]["nonconformity"]) == (until, "001 §6.3", nc)
    c.submit_correction(nc_id=nc, correction="补齐", corrective_action="修订程序", actor="admin", occurred_on=D(2027, 12, 10))
    assert rows(c, "recertification_nc"), "a plan is not a verification"
    c.verify_nonconformity(nc_id=nc, verification="有效", actor="王芳", occurred_on=D(2027, 12, 20))
    assert rows(c, "recertification_nc") == []


def test_a_certificate_is_valid_three_years_and_its_end_is_due_for_expiry_or_replacement():
    c = reported(certified(decided_on=D(2025, 3, 3), issued_on=D(2025, 3, 5)))
    r = one(c, "validity")
    assert (r["since"], r["due"], r["clause"]) == (D(2025, 3, 5), D(2028, 3, 4), "001 §8.2")
    assert r["period_zh"].startswith("3 年（不顺延）")
    c.expire(actor="admin", occurred_on=D(2028, 3, 5))
    assert rows(c) == [], "an expired certificate has no open deadline"


def test_under_004_restoring_a_lapsed_suspension_names_004s_withdrawal_reason_not_001s():
    """The lapse rule's clause and code come from the client's procedure (004 §8.3 c), not from 001
    (the aggregate once hard-coded 7.3.1e)."""
    from ledger.rules.lifecycle import check_restoration

    c = certified(HZX)
    c.suspend(reason_code="8.1c", reason="违反认证方案", start=D(2025, 6, 2), until=D(2025, 9, 1), actor="admin", occurred_on=D(2025, 6, 2))
    check_restoration(c, restored_on=D(2025, 9, 1))  # the last day: still restorable
    with pytest.raises(RuleViolation) as e:
        check_restoration(c, restored_on=D(2025, 9, 2))
    assert e.value.rule == "004 §8.3 c" and "8.3c" in e.value.message_en and "8.3c" in e.value.message_zh
    assert "7.3.1" not in e.value.message_en + e.value.message_zh
    with pytest.raises(RuleViolation) as e:
        check_restoration(_suspended_001(), restored_on=D(2025, 9, 2))
    assert e.value.rule == "001 §7.3.1 e" and "7.3.1e" in e.value.message_en


def _suspended_001() -> Client:
    c = certified(ZGC)
    c.suspend(reason_code="7.2.1f", reason="主动请求", start=D(2025, 6, 2), until=D(2025, 9, 1), actor="admin", occurred_on=D(2025, 6, 2))
    return c
