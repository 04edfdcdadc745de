"""Rules added after a domain review: each case was accepted before and must be refused now."""

from datetime import date
from decimal import Decimal

import pytest

from aggregates.errors import RuleViolation
from ledger.rules.calendar import Calendar
from ledger.rules.lifecycle import check_hearing
from ledger.rules.procedures import P004
from ledger.rules.scoring import Entry, evaluate, load_scheme
from tests.unit.test_client_aggregate import SITE, audited, certified, decided

D = date


def test_grade_c_of_004_is_not_a_pass():
    scheme = load_scheme("hzx-mr0118")
    entries = [Entry(i.id, None, {"points": 0} if i.rule == "points-range" else {"percent": 20}) for i in scheme.items]
    entries[0] = Entry(scheme.items[0].id, None, {"points": 1})
    facts = {c.id: ({"met": True} if c.rule == "attest" else {"occurrences": []} if c.rule == "lookback" else {"value": 1000})
             for c in scheme.conditions}
    ev = evaluate(scheme, entries, {}, {"facts": facts, "application_date": D(2026, 3, 1)})
    assert ev.grade == "C" and not ev.grants
    assert ev.notes[-1]["id"] == "no-pass" and "4.19" in ev.notes[-1]["zh"]


def test_an_application_has_one_stage2_audit_and_no_decision_after_it_is_concluded():
    c, a2 = audited()
    with pytest.raises(RuleViolation) as e:
        c.plan_audit(kind="stage2", team=["周九"], leader="", man_days=Decimal(3), sites=[], start_on=D(2026, 1, 25), actor="a", occurred_on=D(2026, 1, 21))
    assert e.value.rule == "001 §4.4.1"
    c2, d = decided()
    with pytest.raises(RuleViolation):
        c2.check_decidable(audit_id="A2", decider="钱七", occurred_on=D(2026, 2, 5))


def test_a_stage1_auditor_may_not_decide_the_application():
    c, a2 = audited()  # 王芳 did stage 1 (A1) and is on A2; make a stage 2 without her to isolate stage 1
    c.complete_audit(audit_id=a2, conclusion="推荐", actor="王芳", occurred_on=D(2026, 1, 22))
    with pytest.raises(RuleViolation) as e:
        c.check_decidable(audit_id=a2, decider="王芳", occurred_on=D(2026, 2, 1))
    assert e.value.rule == "001 §4.6.2"


def test_validity_cannot_start_before_the_decision_and_a_suspension_cannot_start_later_than_recorded():
    c, d = decided()
    with pytest.raises(RuleViolation) as e:
        c.issue_certificate(decision_id=d, number="X", valid_from=D(2020, 1, 1), valid_until=D(2022, 12, 31), standard="s", actor="a", occurred_on=D(2026, 2, 3))
    assert e.value.rule == "001 §8.2"
    c = certified()
    with pytest.raises(RuleViolation) as e:
        c.suspend(reason_code="7.2.1a", reason="r", start=D(2030, 1, 1), until=None, actor="a", occurred_on=D(2026, 3, 1))
    assert e.value.rule == "001 §7.2.3"


def test_recertification_keeps_the_certificates_scheme_and_the_procedure_follows_the_certificate():
    c = certified()  # zgc-ru015, procedure 001
    with pytest.raises(RuleViolation) as e:
        c.submit_application(scheme_id="hzx-mr0118", scope="s", sites=SITE, headcount=10, kind="recertification", actor="a", occurred_on=D(2028, 10, 1))
    assert e.value.rule == "001 §6.1"
    assert c.scheme_id == "zgc-ru015"


def test_an_004_hearing_needs_five_working_days_notice_and_falls_within_twenty_working_days():
    c, d = decided()
    al = c.lodge_appeal(against=d, grounds="g", actor="a", occurred_on=D(2026, 2, 5))
    c.admit_appeal(appeal_id=al, accepted=True, reason="", actor="a", occurred_on=D(2026, 2, 6))
    cal = Calendar()
    with pytest.raises(RuleViolation) as e:  # Friday notice, Monday hearing: 1 working day
        check_hearing(c, appeal_id=al, hearing_on=D(2026, 3, 2), notice_on=D(2026, 2, 27), calendar=cal, procedure=P004)
    assert e.value.rule == "004 §14.1.3 (2)" and "5" in e.value.message_en
    with pytest.raises(RuleViolation) as e:  # far beyond 20 working days of receipt
        check_hearing(c, appeal_id=al, hearing_on=D(2026, 5, 6), notice_on=D(2026, 4, 20), calendar=cal, procedure=P004)
    assert "too late" in e.value.message_en
    check_hearing(c, appeal_id=al, hearing_on=D(2026, 3, 2), notice_on=D(2026, 2, 24), calendar=cal, procedure=P004)


def test_absurdly_large_numbers_are_refused_not_a_traceback():
    from ledger.rules.scoring import ScoringError

    scheme = load_scheme("jx-qci-2023")
    with pytest.raises(ScoringError) as e:
        scheme.validate_entry("7.3", None, {"counts": {"invention": 10 ** 40}})
    assert e.value.code == "out-of-range"
    with pytest.raises(ScoringError):
        load_scheme("hzx-mr0118").validate_entry("1.1", None, {"points": Decimal("1e30")})


def test_an_004_item_scored_per_business_line_is_scored_for_every_line():
    scheme = load_scheme("hzx-mr0118")
    first, second = scheme.items[0], scheme.items[1]
    entries = [Entry(i.id, None, {"points": 1} if i.rule == "points-range" else {"percent": 50}) for i in scheme.items[2:]]
    entries += [Entry(first.id, "批发", {"points": 1}),
                Entry(second.id, "批发", {"points": 1}), Entry(second.id, "零售", {"points": 3})]
    ev = evaluate(scheme, entries, {}, {})
    assert ev.missing_items == [f"{first.id}@零售"] and ev.grade is None
    entries.append(Entry(first.id, "零售", {"points": 3}))
    ev = evaluate(scheme, entries, {}, {})
    assert ev.missing_items == []
    assert next(i for i in ev.items if i["id"] == second.id)["earned"] == Decimal(2)  # the mean over the lines


def test_a_second_appeal_against_the_same_decision_waits_for_the_first():
    c, d = decided()
    c.lodge_appeal(against=d, grounds="g", actor="a", occurred_on=D(2026, 2, 5))
    with pytest.raises(RuleViolation) as e:
        c.lodge_appeal(against=d, grounds="again", actor="a", occurred_on=D(2026, 2, 6))
    assert e.value.rule == "004 §14.1" and "AL1" in e.value.message_en
