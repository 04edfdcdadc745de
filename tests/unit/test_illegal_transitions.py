"""Every certificate action from every state it may not start from is refused with the rule that
forbids it, and records nothing (one case per illegal transition)."""

from datetime import date
from decimal import Decimal

import pytest

from aggregates.client import Client
from aggregates.errors import RuleViolation
from tests.unit.test_client_aggregate import SITE, certified

D = date


def in_state(state: str) -> Client:
    """A certified client moved into ``state`` (valid, suspended, withdrawn, cancelled, expired)."""
    c = certified()  # certificate CL-1 valid 2026-02-03 .. 2029-02-02
    if state == "suspended":
        c.suspend(reason_code="7.2.1f", reason="主动请求", start=D(2026, 3, 1), until=D(2026, 9, 1), actor="a", occurred_on=D(2026, 3, 1))
    elif state == "withdrawn":
        c.withdraw(reason_code="7.3.1a", reason="执照吊销", actor="a", occurred_on=D(2026, 3, 1))
    elif state == "cancelled":
        c.cancel(reason="组织申请注销", actor="a", occurred_on=D(2026, 3, 1))
    elif state == "expired":
        c.expire(actor="a", occurred_on=D(2029, 2, 3))
    assert c.certificate_status == state
    return c


def late(state: str) -> date:
    return D(2029, 3, 1) if state == "expired" else D(2026, 4, 1)


ACTIONS = {
    "suspend": lambda c, on: c.suspend(reason_code="7.2.1a", reason="r", start=on, until=None, actor="a", occurred_on=on),
    "restore": lambda c, on: c.restore(reason="r", actor="a", occurred_on=on),
    "withdraw": lambda c, on: c.withdraw(reason_code="7.3.1h", reason="r", actor="a", occurred_on=on),
    "cancel": lambda c, on: c.cancel(reason="r", actor="a", occurred_on=on),
    "expire": lambda c, on: c.expire(actor="a", occurred_on=on),
    "scope": lambda c, on: c.change_scope(kind="reduce", scope="更小的范围", sites=None, reason="r", actor="a", occurred_on=on),
    "surveillance": lambda c, on: c.plan_audit(kind="surveillance", team=["周九"], leader="", man_days=Decimal(1), sites=[], start_on=on, actor="a", occurred_on=on),
    "upgrade": lambda c, on: c.submit_application(scheme_id="zgc-ru015", scope="s", sites=SITE, headcount=10, kind="upgrade", actor="a", occurred_on=on),
    "recertification": lambda c, on: c.submit_application(scheme_id="zgc-ru015", scope="s", sites=SITE, headcount=10, kind="recertification", actor="a", occurred_on=on),
}

# (action, state it may not start from, the rule that forbids it)
ILLEGAL = [
    ("suspend", "suspended", "ledger: certificate status"),
    ("suspend", "withdrawn", "ledger: certificate status"),
    ("suspend", "cancelled", "ledger: certificate status"),
    ("suspend", "expired", "ledger: certificate status"),
    ("restore", "valid", "ledger: certificate status"),
    ("restore", "withdrawn", "ledger: certificate status"),
    ("restore", "cancelled", "ledger: certificate status"),
    ("restore", "expired", "ledger: certificate status"),
    ("withdraw", "withdrawn", "ledger: certificate status"),
    ("withdraw", "cancelled", "ledger: certificate status"),
    ("withdraw", "expired", "ledger: certificate status"),
    ("cancel", "withdrawn", "ledger: certificate status"),
    ("cancel", "cancelled", "ledger: certificate status"),
    ("cancel", "expired", "ledger: certificate status"),
    ("expire", "withdrawn", "ledger: certificate status"),
    ("expire", "cancelled", "ledger: certificate status"),
    ("expire", "expired", "ledger: certificate status"),
    ("expire", "valid", "001 §8.2"),  # before the validity ends
    ("scope", "suspended", "ledger: certificate status"),
    ("scope", "withdrawn", "ledger: certificate status"),
    ("scope", "expired", "ledger: certificate status"),
    ("surveillance", "withdrawn", "001 §5.1"),
    ("surveillance", "cancelled", "001 §5.1"),
    ("surveillance", "expired", "001 §5.1"),
    ("upgrade", "suspended", "004 §6.9.3"),
    ("upgrade", "withdrawn", "004 §6.9.3"),
    ("recertification", "suspended", "001 §6.1"),
    ("recertification", "expired", "001 §6.1"),
]


@pytest.mark.parametrize("action,state,rule", ILLEGAL, ids=[f"{a}-from-{s}" for a, s, _ in ILLEGAL])
def test_an_illegal_transition_is_refused_with_its_rule_and_records_nothing(action, state, rule):
    c = in_state(state)
    before = len(c.pending_events)
    with pytest.raises(RuleViolation) as e:
        ACTIONS[action](c, late(state) if action != "expire" else D(2026, 4, 1) if state == "valid" else late(state))
    assert e.value.rule == rule, e.value.message_en
    assert e.value.message_zh and e.value.message_en
    assert len(c.pending_events) == before and c.certificate_status == state


def test_no_second_certificate_for_one_decision_and_no_second_report():
    c = certified()
    d = c.certificate["decision_id"]
    with pytest.raises(RuleViolation) as e:
        c.issue_certificate(decision_id=d, number="CL-9", valid_from=D(2026, 2, 3), valid_until=D(2029, 2, 2), standard="x", actor="a", occurred_on=D(2026, 2, 4))
    assert e.value.rule == "ledger: one certificate per decision"
    c.report_to_regulator(reference="R1", actor="a", occurred_on=D(2026, 2, 10))
    with pytest.raises(RuleViolation) as e:
        c.report_to_regulator(reference="R2", actor="a", occurred_on=D(2026, 2, 11))
    assert e.value.rule == "001 §4.6.6"


def test_no_restore_after_the_suspension_period_has_lapsed():
    from ledger.rules.lifecycle import check_restoration

    c = in_state("suspended")  # until 2026-09-01
    check_restoration(c, restored_on=D(2026, 9, 1))  # the last day of the suspension: still restorable
    with pytest.raises(RuleViolation) as e:
        check_restoration(c, restored_on=D(2026, 9, 2))
    assert e.value.rule == "001 §7.3.1 e" and "7.3.1e" in e.value.message_en
    c.withdraw(reason_code="7.3.1e", reason="暂停期满未整改", actor="a", occurred_on=D(2026, 9, 2))
    assert c.certificate_status == "withdrawn"

