"""Deadlines and period rules of complaints and appeals (issue 9), as rows of ``client_deadlines``
(ledger/rules/deadlines.py adds them with one line) and as the checks of ``appeal extend``:

- ``complaint_acceptance``: a received complaint accepted or refused, its notice sent (004 §14.2.2:
  within a week of receipt; the procedure's ``complaint_acceptance``) until ``complaint admit``;
- ``complaint_result`` of an accepted complaint: its written result within 30 working days of the
  acceptance (004 §14.2.3.1 "自受理起"); a complaint not yet accepted keeps the engine's row, counted
  from receipt;
- ``complaint_client``: the certified client told of an accepted complaint against it (004
  §14.2.3.3 "在适当的时间", no period: by the complaint's written result) until ``complaint inform-client``;
- ``unscheduled_surveillance``: an unscheduled surveillance linked to its cause (a complaint or a
  regulator's action, ``audit link-cause``; a notified change, ``change link --audit``) completed
  within the procedure's ``unscheduled_surveillance`` period of the cause (004 §6.9 sets none);
- ``appeal_decision``: an accepted appeal decided within 3 months of its acceptance, or by the
  extended limit (004 §14.1.3 (4); ``appeal_decision``);
- ``appeal_effect``: an upheld appeal given its effect (``appeal redecide`` for a certification
  decision, ``appeal effect`` for a refusal, suspension, withdrawal or scope reduction) by the
  appeal's written result (004 §14: 60 days of its lodging; the procedure's ``appeal_result``):
  004 §14.1.3 (4) makes the ruling binding but sets no period of its own.

Pure, like the engine: the client's state, the procedure and the calendar. The engine's row builder
is passed in by ``client_deadlines`` (this module imports nothing of deadlines.py). Every
interpretation is in docs/deadlines.md.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Callable, Iterable

from aggregates.errors import RuleViolation
from aggregates.policy.cases import effect_command
from aggregates.vocabulary import UNSCHEDULED_CAUSES
from ledger.rules.calendar import Calendar, Deadline
from ledger.rules.procedures import Period, Procedure, procedure_for

__all__ = ["KINDS", "acceptance_lateness", "appeal_decision_limit", "case_deadlines", "check_appeal_extension", "check_complaint_admitted",
           "complaints_view"]

KINDS: dict[str, tuple[str, str]] = {
    "complaint_acceptance": ("投诉受理决定及受理通知", "complaint accepted or refused, with its notice"),
    "complaint_client": ("将投诉告知获证客户", "certified client told of the complaint"),
    "unscheduled_surveillance": ("非例行监督", "unscheduled surveillance"),
    "appeal_decision": ("申诉裁定期限", "appeal decided"),
    "appeal_effect": ("落实成立的申诉", "upheld appeal given its effect"),
}

Row = Callable[..., dict[str, Any]]


def _before(limit: date, period: Period, calendar: Calendar) -> date:
    """The last day that is at least ``period`` before ``limit`` (a notice given in advance)."""
    if period.unit == "working_days":
        return calendar.add_working_days(limit, -period.length).due
    if period.unit == "days":
        return limit - timedelta(days=period.length)
    return calendar.add_months(limit, -period.length if period.unit == "months" else -12 * period.length,
                               extend_to_working_day=False).due


def appeal_decision_limit(appeal: dict[str, Any], p: Procedure, calendar: Calendar) -> Deadline | None:
    """The last day to decide an accepted appeal (004 §14.1.3 (4): 3 months of its acceptance),
    before any extension; None if the procedure sets none or the appeal is not accepted."""
    period = p.periods.appeal_decision
    if period is None or not appeal.get("admitted") or appeal.get("admitted_on") is None:
        return None
    return period.end(calendar, appeal["admitted_on"])


def check_appeal_extension(client: Any, *, appeal_id: str, until: date, notice_on: date, calendar: Calendar,
                           procedure: Procedure | None = None) -> date | None:
    """004 §14.1.3 (4): the decision limit of an accepted appeal is extended only under a procedure
    that sets it, to a new limit after the old one and at most the procedure's extension beyond it,
    the appellant told at least the procedure's notice before the old limit. Returns the limit
    extended (None for an appeal the aggregate must refuse: unknown, not accepted)."""
    p = procedure or procedure_for(client.scheme_id)
    appeal = client.appeals.get(appeal_id)
    if appeal is None or appeal["status"] not in ("accepted", "heard"):
        return None
    limit = appeal_decision_limit(appeal, p, calendar)
    ext, notice = p.periods.appeal_extension, p.periods.appeal_extension_notice
    if limit is None or ext is None:
        raise RuleViolation(
            p.periods.appeal_result.clause,
            f"程序 {p.id} 未规定申诉的裁定期限及其延期（{p.periods.appeal_result.clause}：{p.periods.appeal_result.length} 日内书面通知处理结果）；"
            f"请在期限内用 appeal decide --appeal {appeal_id} 作出裁定。",
            f"Procedure {p.id} sets no decision limit for an appeal and no extension ({p.periods.appeal_result.clause}: the written "
            f"result within {p.periods.appeal_result.length} days); decide it in time with appeal decide --appeal {appeal_id}.",
        )
    farthest = ext.end(calendar, limit.due).due
    if not limit.due < until <= farthest:
        raise RuleViolation(
            ext.clause,
            f"申诉 {appeal_id} 的裁定期限为 {limit.due}（受理 {appeal['admitted_on']} 后 {limit.rule}）；延期后的期限须晚于该日，"
            f"且不超过 {farthest}（最多延长 {ext.length} 个月）；给出的是 {until}。请用 --until 给出其间的日期。",
            f"Appeal {appeal_id} must be decided by {limit.due} ({limit.rule_en} of its acceptance on {appeal['admitted_on']}); "
            f"the extended limit must be after that day and no later than {farthest} (at most {ext.length} more months); "
            f"got {until}. Give a date in between with --until.",
        )
    if notice is not None:
        latest = _before(limit.due, notice, calendar)
        if notice_on > latest:
            raise RuleViolation(
                notice.clause,
                f"延期须在 {limit.rule}的期限（{limit.due}）届满前至少 {notice.length} 天告知申诉方，即最迟 {latest}；"
                f"{notice_on} 告知已晚，不能延期：请在 {limit.due} 前用 appeal decide --appeal {appeal_id} 作出裁定。",
                f"An extension must be told to the appellant at least {notice.length} days before the limit ({limit.due}), "
                f"that is by {latest}; notice on {notice_on} is too late, so the appeal is not extended: decide it by "
                f"{limit.due} with appeal decide --appeal {appeal_id}.",
            )
    if notice_on < appeal["admitted_on"]:
        raise RuleViolation(
            "ledger: business dates in order",
            f"延期通知日期 {notice_on} 早于申诉受理日期 {appeal['admitted_on']}；请核对日期。",
            f"The notice of the extension ({notice_on}) is before the appeal was accepted ({appeal['admitted_on']}); check the date.",
        )
    return limit.due


def check_complaint_admitted(client: Any, complaint_id: str, procedure: Procedure | None = None) -> None:
    """Under a procedure that decides a complaint's acceptance (004 §14.2.2: within a week, with its
    notice), the written result follows an acceptance: a received complaint is admitted first. An
    unknown complaint is left to the aggregate's refusal."""
    p = procedure or procedure_for(client.scheme_id)
    complaint = client.complaints.get(complaint_id)
    period = p.periods.complaint_acceptance
    if complaint is None or period is None or complaint.get("admission") or complaint["status"] != "open":
        return
    raise RuleViolation(
        period.clause,
        f"投诉 {complaint_id} 尚未作出受理决定；按 {period.clause} 须先决定是否受理并发出受理通知书："
        f"complaint admit --client {client.uscc} --complaint {complaint_id} --accept --decider 姓名（或 --refuse --reason ...），再记录书面处理结果。",
        f"Complaint {complaint_id} has no admission decision yet; under {period.clause} it is accepted or refused first, with its "
        f"notice: complaint admit --client {client.uscc} --complaint {complaint_id} --accept --decider NAME (or --refuse --reason ...), "
        "then record the written result.",
    )


def acceptance_lateness(received_on: date, decided_on: date, notice_on: date | None, p: Procedure,
                        cal: Calendar) -> dict[str, Any] | None:
    """Whether a complaint received on ``received_on`` was accepted or refused (``decided_on``) and
    its notice sent (``notice_on``, never before the decision) within the procedure's
    ``complaint_acceptance`` period (004 §14.2.2: a week): ``due``, ``late``, ``days_late``,
    ``clause``; None under a procedure that sets no such period. A late decision is recorded all the
    same (what happened, happened): the one place of the rule that ``show`` (``complaints_view``),
    ``history`` and ``due`` (the result's row) flag it by."""
    period = p.periods.complaint_acceptance
    if period is None:
        return None
    due = period.end(cal, received_on).due
    done = max(decided_on, notice_on or decided_on)
    return {"due": due, "late": done > due, "days_late": max(0, (done - due).days), "clause": period.clause}


def _admission_lateness(complaint: dict[str, Any], p: Procedure, cal: Calendar) -> dict[str, Any] | None:
    """An admitted complaint's ``acceptance_lateness`` when it was late, else None."""
    a = complaint.get("admission")
    late = acceptance_lateness(complaint["received_on"], a["on"], a.get("notice_on"), p, cal) if a else None
    return late if late and late["late"] else None


def complaints_view(client: Any, calendar: Calendar | None = None) -> list[dict[str, Any]]:
    """The open complaints as ``show`` prints them, an admitted one with its admission's lateness
    (``acceptance_late``: the ``acceptance_lateness`` of a late one, else None)."""
    p, cal = procedure_for(client.scheme_id), calendar or Calendar()
    return [complaint_view(x, p, cal) for x in client.open_complaints]


def complaint_view(complaint: dict[str, Any], p: Procedure, cal: Calendar) -> dict[str, Any]:
    """One open complaint as ``complaints_view`` gives it (the read model's summary keeps each one's
    text while the complaint is unchanged, projections/summaries.py)."""
    return {**complaint, "acceptance_late": _admission_lateness(complaint, p, cal)}


def _complaints(c: Any, p: Procedure, cal: Calendar, row: Row) -> Iterable[dict[str, Any]]:
    accept, result = p.periods.complaint_acceptance, p.periods.complaint_result
    for x in c.complaints.values():
        ref = {"complaint": x["id"]}
        admission = x.get("admission")
        if x["status"] == "open" and admission is None and accept is not None:
            yield row(
                "complaint_acceptance", x["id"], accept.clause, p,
                f"决定是否受理投诉 {x['id']}，并向投诉方发出受理通知书",
                f"Accept or refuse complaint {x['id']} and send the complainant the notice",
                x["received_on"], accept.end(cal, x["received_on"]), ref,
            )
        if x["status"] != "accepted" or result is None:
            continue
        due = result.end(cal, admission["on"])
        late = _admission_lateness(x, p, cal)
        yield row(
            "complaint_result", x["id"], result.clause, p,
            f"以书面方式将投诉 {x['id']} 的处理意见或措施通知投诉人（自受理起计）" + ("（受理逾期）" if late else ""),
            f"Tell the complainant of complaint {x['id']} the result in writing (counted from its acceptance)" + (" (accepted late)" if late else ""),
            admission["on"], due, ref,
            note=(f"受理逾期 {late['days_late']} 天（应于 {late['due']} 前受理并发出受理通知，{late['clause']}）",
                  f"accepted {late['days_late']} days late (due by {late['due']} with its notice, {late['clause']})") if late else ("", ""),
        )
        if admission.get("client_certified") and not x.get("client_informed"):
            yield row(
                "complaint_client", x["id"], "004 §14.2.3.3", p,
                f"将针对获证客户的投诉 {x['id']} 告知该客户（最迟随书面处理结果）",
                f"Tell the certified client of complaint {x['id']} against it (at the latest with the written result)",
                admission["on"], due, ref,
                note=("004 §14.2.3.3 只说“在适当的时间”：本机构以投诉书面处理结果的期限为限",
                      "004 §14.2.3.3 says only 'at an appropriate time': the body holds it to the complaint's written result"),
            )


def _unscheduled(c: Any, p: Procedure, cal: Calendar, row: Row) -> Iterable[dict[str, Any]]:
    period = p.periods.unscheduled_surveillance
    if period is None:
        return
    by_change = {ref: n for n, links in (getattr(c, "change_follow_ups", None) or {}).items()
                 for kind, ref in links.items() if kind == "audit"}
    for a in c.audits.values():
        if a["kind"] != "unscheduled" or a["status"] != "planned" or c.certificate_in_force is None:
            # completed or cancelled; or its certificate left force (withdrawn, cancelled, expired): nothing
            # left to survey (cancel it: audit cancel)
            continue
        causes = [(x["kind"], x["id"], x["since"]) for x in a.get("causes", ())]
        if a["id"] in by_change and by_change[a["id"]] in c.changes:
            change = c.changes[by_change[a["id"]]]
            causes.append(("change", change["id"], change["notified_on"]))
        if not causes:
            continue
        kind, cause_id, since = min(causes, key=lambda x: x[2])  # the earliest cause sets the period
        words = UNSCHEDULED_CAUSES[kind]
        yield row(
            "unscheduled_surveillance", a["id"], period.clause, p,
            f"完成非例行监督 {a['id']}（原因：{words[0]} {cause_id}，{since}）",
            f"Complete unscheduled surveillance {a['id']} (cause: {words[1]} {cause_id}, {since})",
            since, period.end(cal, since), {"audit": a["id"], "cause": cause_id},
            note=(f"已策划，{a['start_on']} 开始", f"planned to start on {a['start_on']}"),
        )


def _appeal_decisions(c: Any, p: Procedure, cal: Calendar, row: Row) -> Iterable[dict[str, Any]]:
    for a in c.appeals.values():
        if a["status"] not in ("accepted", "heard"):
            continue
        limit = appeal_decision_limit(a, p, cal)
        if limit is None:
            continue
        ext = a.get("extension")
        ref = {"appeal": a["id"], "against": a["against"]}
        if ext:
            yield row(
                "appeal_decision", a["id"], p.periods.appeal_decision.clause, p,  # type: ignore[union-attr]
                f"对申诉 {a['id']} 作出裁定（已经 {ext['approved_by']} 批准延期至 {ext['until']}）",
                f"Decide appeal {a['id']} (extended to {ext['until']}, approved by {ext['approved_by']})",
                a["admitted_on"], None, ref, due=ext["until"],
                period=(f"受理后 {limit.rule}，延期至 {ext['until']}", f"{limit.rule_en} of acceptance, extended to {ext['until']}"),
                note=("延期不改变 60 日书面处理结果的期限（004 §14）", "the extension does not move the 60-day written result (004 §14)"),
            )
            continue
        yield row(
            "appeal_decision", a["id"], p.periods.appeal_decision.clause, p,  # type: ignore[union-attr]
            f"对申诉 {a['id']} 作出裁定（受理后 {limit.rule}内；如需延期，须提前告知申诉方：appeal extend）",
            f"Decide appeal {a['id']} ({limit.rule_en} of its acceptance; an extension is told to the appellant in advance: appeal extend)",
            a["admitted_on"], limit, ref,
        )


def _appeal_effects(c: Any, p: Procedure, cal: Calendar, row: Row) -> Iterable[dict[str, Any]]:
    period = p.periods.appeal_result
    if period is None:
        return
    for a in c.appeals.values():
        if a["status"] != "decided" or a["outcome"] != "upheld" or a.get("effect"):
            continue
        command = f"{effect_command(c, a)} --appeal {a['id']}"
        yield row(
            "appeal_effect", a["id"], "004 §14.1.3 (4)", p,
            f"落实成立的申诉 {a['id']}（针对 {a['against']}）：{command}",
            f"Give upheld appeal {a['id']} (against {a['against']}) its effect: {command}",
            a["decided_on"], period.end(cal, a["lodged_on"]), {"appeal": a["id"], "against": a["against"]},
            note=("004 §14.1.3 (4) 未规定期限：本机构以申诉书面处理结果的期限（004 §14，提出后 60 日）为限",
                  "004 §14.1.3 (4) sets no period: the body holds it to the appeal's written result (004 §14, 60 days of lodging)"),
        )


def case_deadlines(client: Any, p: Procedure, calendar: Calendar, row: Row) -> list[dict[str, Any]]:
    """The open deadlines of complaints, unscheduled surveillances and appeal decisions."""
    rows: list[dict[str, Any]] = []
    rows += _complaints(client, p, calendar, row)
    rows += _unscheduled(client, p, calendar, row)
    rows += _appeal_decisions(client, p, calendar, row)
    rows += _appeal_effects(client, p, calendar, row)
    return rows
