"""Lifecycle rules that need the working-day calendar or the client's procedure, run by the
commands (ledger/handlers.py) before they call the aggregate command (rules that need only the
client's history live in aggregates/policy/): appeal lodging and hearings, grade upgrades, the
length of a suspension and its lapse, and a certificate's validity.

Each function reads, computes and raises ``RuleViolation`` naming the clause; none writes.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from aggregates.errors import RuleViolation
from ledger.rules.calendar import Calendar, Deadline
from ledger.rules.procedures import Procedure, Reason, procedure_for

if TYPE_CHECKING:  # annotations only
    from aggregates.client import Client

__all__ = ["appeal_lodging_deadline", "check_appeal_lodging", "check_hearing", "check_restoration", "check_upgrade_application",
           "suspension_until", "upgrade_allowed_from", "validity_until"]


def appeal_lodging_deadline(client: Client, against: str, calendar: Calendar, procedure: Procedure | None = None) -> Deadline | None:
    """The last day to lodge an appeal against decision ``against`` (004 §14.1.1: 10 working days
    of the decision appealed), or None if the procedure sets no limit or there is no such decision."""
    p = procedure or procedure_for(client.scheme_id)
    period = p.periods.appeal_lodging
    decision = client.appealable.get(against)
    if period is None or decision is None:
        return None
    return period.end(calendar, decision["on"])


def check_appeal_lodging(
    client: Client, *, against: str, lodged_on: date, late_override: str, calendar: Calendar,
    procedure: Procedure | None = None,
) -> Deadline | None:
    """004 §14.1.1: an appeal is lodged within 10 working days of the decision appealed. A late
    appeal is refused unless the body records why it admits it anyway (``late_override``).

    Returns the lodging deadline (None where the procedure sets none, as 001 does). An unknown
    ``against`` is left to the aggregate, which names the decisions that can be appealed.
    """
    p = procedure or procedure_for(client.scheme_id)
    deadline = appeal_lodging_deadline(client, against, calendar, p)
    if deadline is None or lodged_on <= deadline.due or (late_override or "").strip():
        return deadline
    assert p.periods.appeal_lodging is not None
    decided_on = client.appealable[against]["on"]
    late = calendar.working_days_between(deadline.due, lodged_on)
    provisional_zh = "（按临时日历计算）" if deadline.provisional else ""
    provisional_en = " (on a provisional calendar)" if deadline.provisional else ""
    raise RuleViolation(
        p.periods.appeal_lodging.clause,
        f"申诉应在被申诉决定 {against}（{decided_on}）后 {deadline.rule}内提出，即最迟 {deadline.due}{provisional_zh}；"
        f"{lodged_on} 已逾期 {late} 个工作日。如本机构仍决定接受，请用 --late-override 写明理由。",
        f"An appeal must be lodged within {deadline.rule_en} of the decision appealed ({against}, {decided_on}), "
        f"that is by {deadline.due}{provisional_en}; {lodged_on} is {late} working day{'s' if late != 1 else ''} late. "
        "If the body admits it anyway, give the reason with --late-override.",
    )


def upgrade_allowed_from(client: Client, calendar: Calendar, procedure: Procedure | None = None) -> Deadline | None:
    """The first day a grade upgrade may be applied for (004 §6.9.3: 6 months after certification),
    counted from the issue of the certificate in force; None without a certificate or a rule."""
    p = procedure or procedure_for(client.scheme_id)
    cert = client.certificate
    if p.periods.upgrade_waiting is None or cert is None:
        return None
    return p.periods.upgrade_waiting.end(calendar, cert["issued_on"])


def check_upgrade_application(
    client: Client, *, kind: str, submitted_on: date, calendar: Calendar, procedure: Procedure | None = None,
) -> None:
    """004 §6.9.3: a grade upgrade (application kind "upgrade") not before 6 months after
    certification. Other kinds pass; a missing or invalid certificate is left to the aggregate."""
    if kind != "upgrade":
        return
    p = procedure or procedure_for(client.scheme_id)
    earliest = upgrade_allowed_from(client, calendar, p)
    cert = client.certificate
    if earliest is None or cert is None or submitted_on >= earliest.due:
        return
    assert p.periods.upgrade_waiting is not None
    raise RuleViolation(
        p.periods.upgrade_waiting.clause,
        f"等级提升须在获证 {earliest.rule}后申请：证书 {cert['number']} 于 {cert['issued_on']} 签发，"
        f"最早可于 {earliest.due} 申请；{submitted_on} 尚早 {(earliest.due - submitted_on).days} 天。",
        f"A grade upgrade may be applied for {earliest.rule_en} after certification: certificate {cert['number']} "
        f"was issued on {cert['issued_on']}, so the earliest day is {earliest.due}; {submitted_on} is "
        f"{(earliest.due - submitted_on).days} days early.",
    )


def suspension_until(
    procedure: Procedure, reason: Reason, start: date, months: int | None, calendar: Calendar,
) -> date | None:
    """The last day of a suspension starting on ``start`` (001 §7.2.2: at most 6 months; a
    suspension for 7.2.1 e may run until the licensing decision, which gives None when no length
    is given). The end is a period of state: never moved to a working day."""
    limit = procedure.max_suspension_months
    if reason.until_licensing_decision and months is None:
        return None
    length = limit if months is None else months
    if length < 1 or (length > limit and not reason.until_licensing_decision):
        clause = procedure.max_suspension_clause
        raise RuleViolation(
            clause,
            f"暂停期为 1 至 {limit} 个月（{clause}；仅 001 §7.2.1 e 情形可至许可决定之日）；给出的是 {length} 个月。",
            f"A suspension lasts 1 to {limit} months ({clause}; only reason 001 §7.2.1 e may run to the licensing decision); got {length}.",
        )
    return calendar.add_months(start, length, extend_to_working_day=False).due


def check_hearing(client: Client, *, appeal_id: str, hearing_on: date, notice_on: date, calendar: Calendar,
                  procedure: Procedure | None = None) -> None:
    """004 §14.1.3 (2): a hearing is held within 20 working days of receiving the appeal, and the
    appellant is told at least 5 working days before it. 001 sets neither; then nothing is checked.
    An unknown appeal is left to the aggregate."""
    p = procedure or procedure_for(client.scheme_id)
    appeal = client.appeals.get(appeal_id)
    if appeal is None:
        return
    notice_period, hearing_period = p.periods.appeal_hearing_notice, p.periods.appeal_hearing
    if notice_period is not None:
        given = calendar.working_days_between(notice_on, hearing_on)
        if given < notice_period.length:
            raise RuleViolation(
                notice_period.clause,
                f"听证会议应至少提前 {notice_period.length} 个工作日通知申诉人；{notice_on} 通知、{hearing_on} 开会只提前 {given} 个工作日。"
                "请推迟会议或更早通知。",
                f"The appellant must be told of the hearing at least {notice_period.length} working days ahead; notice on "
                f"{notice_on} for a hearing on {hearing_on} gives {given}. Move the hearing or give notice earlier.",
            )
    if hearing_period is not None:
        latest = hearing_period.end(calendar, appeal["lodged_on"])
        if hearing_on > latest.due:
            raise RuleViolation(
                hearing_period.clause,
                f"听证会议应在收到申诉（{appeal['lodged_on']}）后 {latest.rule}内举行，即最迟 {latest.due}；{hearing_on} 已超期。",
                f"The hearing must be held within {latest.rule_en} of receiving the appeal ({appeal['lodged_on']}), that is by "
                f"{latest.due}; {hearing_on} is too late.",
            )


def check_restoration(client: Client, *, restored_on: date, procedure: Procedure | None = None) -> None:
    """A suspension whose period has ended with its cause unresolved is not restored: the
    certificate is withdrawn, for the procedure's lapse reason (001 §7.3.1 e, 004 §8.3 c). A client
    with no suspended certificate is left to the aggregate, which names the status."""
    p = procedure or procedure_for(client.scheme_id)
    cert = client.certificate
    if cert is None or cert["status"] != "suspended" or not cert.get("suspension_id"):
        return
    until = client.suspensions[cert["suspension_id"]]["until"]
    if until is None or restored_on <= until:
        return
    why = p.reason("withdrawal", p.periods.lapse_withdrawal_reason)
    raise RuleViolation(
        why.clause,
        f"暂停期已于 {until} 届满，原因未在期内消除：应撤销证书（certificate withdraw，原因 {why.code}），不能恢复。",
        f"The suspension ended on {until} with its cause unresolved: withdraw the certificate (reason {why.code}); it cannot be restored.",
    )


def validity_until(valid_from: date, calendar: Calendar, procedure: Procedure) -> date:
    """The last day of a certificate's validity (001 §8.2, 004 §5.8: three years): the day before
    the same date the validity period later, as certificates are printed (2026-03-13 to
    2029-03-12); the end of a validity is never moved to a working day (docs/decisions.md D6)."""
    return procedure.periods.validity.end(calendar, valid_from).due - timedelta(days=1)
