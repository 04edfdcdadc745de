"""The one derivation of a certificate's status (ledger.rules.certificate_status.certificate_status) and the
withdrawal that is not due while a suspension runs: pure, on Client aggregates built in memory."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from aggregates.client import Client
from ledger.rules.calendar import Calendar
from ledger.rules.deadlines import client_deadlines, select_open
from ledger.rules.certificate_status import certificate_status
from projections.register import as_on, register_rows
from projections.status import summary_as_on
from projections.summaries import client_summary

D = date
CAL = Calendar()


def certified(issued_on: date = D(2023, 3, 6)) -> Client:
    start = issued_on - timedelta(days=40)
    c = Client.register(uscc="91330100716105852F", name="杭州云栖质量科技有限公司", address="杭州市", actor="admin", occurred_on=start)
    ap = c.submit_application(scheme_id="zgc-ru015", scope="企业质量信用管理", sites=[{"name": "总部", "address": "杭州市"}],
                              headcount=50, kind="initial", actor="admin", occurred_on=start)
    c.review_application(application_id=ap, accepted=True, reason="", actor="admin", occurred_on=start)
    c.sign_contract(contract_no="HT-1", actor="admin", occurred_on=start)
    a1 = c.plan_audit(kind="stage1", team=["王芳"], leader="", man_days=Decimal("0.5"), sites=[], start_on=start, actor="admin", occurred_on=start)
    c.complete_audit(audit_id=a1, conclusion="符合", actor="王芳", occurred_on=start)
    a2 = c.plan_audit(kind="stage2", team=["王芳"], leader="", man_days=Decimal(2), sites=[], start_on=start, actor="admin", occurred_on=start)
    c.complete_audit(audit_id=a2, conclusion="推荐", actor="王芳", occurred_on=start)
    d = c.decide(audit_id=a2, decider="赵敏", scheme_id="zgc-ru015", scheme_version="1", score=Decimal(850), max_score=Decimal(1000),
                 percent=Decimal(85), grade="A", granted=True, reason="符合", evaluation={}, actor="admin", occurred_on=issued_on)
    until = CAL.add_years(issued_on, 3, extend_to_working_day=False).due - timedelta(days=1)
    c.issue_certificate(decision_id=d, number="CL-1", valid_from=issued_on, valid_until=until, standard="GB/T", actor="admin", occurred_on=issued_on)
    return c


def status(c: Client, on: date) -> str | None:
    return certificate_status(c.certificate, on, c.suspensions)


def test_status_before_issue_during_validity_and_after_its_last_day():
    c = certified()
    assert status(c, D(2023, 3, 5)) is None
    assert status(c, D(2023, 3, 6)) == "valid"
    assert c.certificate["valid_until"] == D(2026, 3, 5)
    assert status(c, D(2026, 3, 5)) == "valid", "the last day of validity is still valid"
    assert status(c, D(2026, 3, 6)) == "expired", "the day after, expired though no expiry was recorded (001 §8.2)"


def test_a_suspension_counts_from_its_start_to_the_day_before_its_restoration_and_a_withdrawal_from_its_day():
    c = certified()
    c.suspend(reason_code="7.2.1f", reason="主动请求暂停", start=D(2024, 1, 10), until=D(2024, 4, 10), actor="admin", occurred_on=D(2024, 1, 10))
    c.restore(reason="原因已消除", actor="admin", occurred_on=D(2024, 3, 1))
    c.suspend(reason_code="7.2.1f", reason="再次暂停", start=D(2024, 6, 1), until=D(2024, 9, 1), actor="admin", occurred_on=D(2024, 6, 1))
    c.withdraw(reason_code="7.3.1e", reason="暂停期满未解决", actor="admin", occurred_on=D(2024, 9, 5))
    assert [status(c, x) for x in (D(2024, 1, 9), D(2024, 1, 10), D(2024, 2, 29), D(2024, 3, 1))] == ["valid", "suspended", "suspended", "valid"]
    assert status(c, D(2024, 9, 2)) == "suspended", "a lapsed suspension is still a suspension until the withdrawal is recorded"
    assert status(c, D(2024, 9, 5)) == "withdrawn" and status(c, D(2030, 1, 1)) == "withdrawn"


def test_show_and_the_register_say_the_same_after_the_validity_ends():
    """The bug: show --as-of a day after the validity ended said valid while the register said expired."""
    c = certified()
    day = D(2026, 6, 1)
    shown = summary_as_on(client_summary(c), day)
    listed = [as_on(r, day, c.suspensions) for r in register_rows(c)]
    assert shown["certificate"]["status"] == listed[0]["status"] == "expired"
    assert shown["certificate"]["status_recorded"] == "valid" and shown["stage"] == "expired"
    assert summary_as_on(client_summary(c), D(2025, 6, 1))["certificate"]["status"] == "valid"


def test_a_withdrawal_is_not_due_while_the_suspension_runs_its_last_day_included():
    """The bug: due listed the withdrawal (001 §7.3.1 e) on the suspension's last day."""
    c = certified()
    c.suspend(reason_code="7.2.1f", reason="主动请求暂停", start=D(2025, 3, 28), until=D(2025, 9, 28), actor="admin", occurred_on=D(2025, 3, 28))
    rows = [{"uscc": c.uscc, "client_name": c.name, **r} for r in client_deadlines(c, CAL)]
    kinds = lambda on: {r["kind"] for r in select_open(rows, on)}  # noqa: E731
    assert "withdrawal_due" not in kinds(D(2025, 9, 28)), "the suspension still runs on its last day"
    assert "suspension_end" in kinds(D(2025, 9, 28))
    assert "withdrawal_due" in kinds(D(2025, 9, 29))
    assert status(c, D(2025, 9, 28)) == "suspended"
