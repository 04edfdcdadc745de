"""The deadline engine: every open deadline of a client, computed from its state alone.

``client_deadlines(client, calendar)`` is pure and deterministic: it reads no clock and no
database, only the replayed Client aggregate, the client's procedure (``ledger.rules.procedures``) and
the working-day calendar. A read model can call it on every replayed state and store the rows.
``select_open(rows, on, within)`` is the selection behind ``certledger due``: it adds the days
left against a date and sorts overdue first (the rows come from the read model, or from every
client replayed: projections/read.py).

Each row is JSON-shaped::

    {"key": "regulator_report:CL-2026-...-01", "kind": "regulator_report", "clause": "001 §4.6.6",
     "procedure": "001", "what_zh": ..., "what_en": ..., "since": date, "due": date | None,
     "provisional": bool, "period_zh": "30 个工作日", "period_en": "30 working days",
     "ref": {"certificate": "CL-..."}, "note_zh": "", "note_en": ""}

``since`` is the day the period counts from (not counted itself). A row whose ``since`` lies after
the date asked about is not open yet: it waits for a period to lapse first (withdrawal after a
suspension lapses, suspension after a surveillance is missed). ``due`` is None only for a
suspension that runs until a licensing decision (001 §7.2.2). Every interpretation is in
docs/deadlines.md.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any, Iterable

from aggregates.client import Client
from aggregates.errors import RuleViolation
from aggregates.vocabulary import IN_FORCE, OPEN_APPEAL_STATUSES
from ledger.rules.calendar import Calendar, Deadline
from ledger.rules.deadlines_changes import KINDS as CHANGE_KINDS_DUE, change_deadlines, notification_lateness
from ledger.rules.deadlines_reporting import KINDS as REPORTING_KINDS, reporting_deadlines
from ledger.rules.deadlines_cases import KINDS as CASE_KINDS, case_deadlines  # complaints and appeals (issue 9)
from ledger.rules.cnca import KINDS as CNCA_KINDS
from ledger.rules.deadlines_objections import KINDS as OBJECTION_KINDS, objection_deadlines  # 004 §5.2.1
from ledger.rules.procedures import Procedure, procedure_for

__all__ = ["KINDS", "client_deadlines", "notification_deadlines", "select_open"]

# Kinds of open deadline, with their Chinese and English names (for listings and filters).
KINDS: dict[str, tuple[str, str]] = {
    "refusal_notice": ("不予受理通知", "refusal notice"),
    "regulator_report": ("报送认监委", "report to the CNCA"),
    "surveillance": ("监督审核", "surveillance audit"),
    "suspension_due": ("暂停证书", "suspension due"),
    "suspension_end": ("暂停期限届满", "end of suspension"),
    "withdrawal_due": ("撤销证书", "withdrawal due"),
    "recertification": ("再认证审核", "recertification audit"),
    "recertification_nc": ("再认证不符合项验证", "recertification nonconformity verified"),
    "validity": ("证书有效期届满", "certificate expiry"),
    "appeal_admission": ("申诉受理决定", "appeal accepted or refused"),
    "appeal_hearing": ("申诉会议", "appeal hearing"),
    "appeal_hearing_notice": ("申诉会议通知", "notice of the appeal hearing"),
    "appeal_result": ("申诉书面处理结果", "written result of the appeal"),
    "complaint_result": ("投诉书面处理意见", "written result of the complaint"),
    **REPORTING_KINDS,
    **CASE_KINDS,  # complaints and appeals (issue 9)
    **CHANGE_KINDS_DUE,  # changes (issue 9)
    **OBJECTION_KINDS,  # the client's objection to an audit team (004 §5.2.1)
    **CNCA_KINDS,  # the body's monthly report to the CNCA (issue 17): a body-level row (projections/body_due.py)
}

def _row(
    kind: str, ref_id: str, clause: str, procedure: Procedure, what_zh: str, what_en: str,
    since: date, deadline: Deadline | None, ref: dict[str, str], *, due: date | None = None,
    period: tuple[str, str] | None = None, note: tuple[str, str] = ("", ""),
) -> dict[str, Any]:
    if deadline is not None:
        due, provisional, period_zh, period_en = deadline.due, deadline.provisional, deadline.rule, deadline.rule_en
    else:
        provisional = False
        period_zh, period_en = period or ("", "")
    return {
        "key": f"{kind}:{ref_id}", "kind": kind, "clause": clause, "procedure": procedure.id,
        "what_zh": what_zh, "what_en": what_en, "since": since, "due": due, "provisional": provisional,
        "period_zh": period_zh, "period_en": period_en, "ref": ref, "note_zh": note[0], "note_en": note[1],
    }


# ---------------------------------------------------------------------------------------- parts


def _refusal_notices(c: Client, p: Procedure, cal: Calendar) -> Iterable[dict[str, Any]]:
    period = p.periods.refusal_notice
    if period is None:
        return
    for app in c.applications.values():
        # The ledger records the review; the notice to the applicant is its own act (see docs).
        if app["status"] != "refused" or app.get("refusal_notified_on"):
            continue
        yield _row(
            "refusal_notice", app["id"], period.clause, p,
            f"书面通知申请方不予受理申请 {app['id']} 及其理由",
            f"Tell the applicant in writing that application {app['id']} is refused, and why",
            app["reviewed_on"], period.end(cal, app["reviewed_on"]), {"application": app["id"]},
        )


def _regulator_report(c: Client, cert: dict[str, Any], p: Procedure, cal: Calendar) -> Iterable[dict[str, Any]]:
    if cert["reported_on"] is not None:
        return
    period = p.periods.regulator_report
    yield _row(
        "regulator_report", cert["number"], period.clause, p,
        f"向国家认监委报送证书 {cert['number']} 的信息",
        f"Report certificate {cert['number']} to the CNCA",
        cert["issued_on"], period.end(cal, cert["issued_on"]), {"certificate": cert["number"]},
    )


def _decision_on(c: Client, cert: dict[str, Any]) -> date:
    """The date of the certification decision that issued this certificate (surveillance decisions
    later re-grade it, but the cycle counts from the decision that granted it)."""
    for d in c.decisions.values():
        if d.get("certificate_no") == cert["number"]:
            return d["on"]
    return cert["issued_on"]


def _surveillance_deadline(c: Client, cert: dict[str, Any], p: Procedure, cal: Calendar) -> tuple[int, date, Deadline, str] | None:
    """The next surveillance of the certificate's cycle: (number, since, deadline, clause), or
    None when the cycle's surveillances are done or the recertification comes first."""
    anchor = _decision_on(c, cert)
    done = sorted(
        (a for a in c.audits.values()
         if a["kind"] == "surveillance" and a["status"] == "completed" and a["completed_on"] >= anchor),
        key=lambda a: a["completed_on"],
    )
    if len(done) >= p.periods.surveillances_per_cycle:
        return None
    period = p.periods.first_surveillance if not done else p.periods.surveillance_interval
    since = anchor if not done else done[-1]["completed_on"]
    deadline, clause = period.end(cal, since), period.clause
    year_rule = p.periods.surveillance_calendar_year
    if done and year_rule is not None:
        # 001 §5.2.1: once a year; the 15 months of §5.2.2 is the outer limit of an extension.
        year_end = date(since.year + 1, 12, 31)
        if year_end < deadline.due:
            deadline = Deadline(year_end, False, f"每个日历年至少一次（{since.year + 1} 年内）",
                                f"at least once per calendar year (within {since.year + 1})")
            clause = year_rule
    if deadline.due >= cert["valid_until"]:
        return None  # the recertification audit, due before expiry, takes its place (001 §5.2.1)
    return len(done) + 1, since, deadline, clause


def _surveillance(c: Client, cert: dict[str, Any], p: Procedure, cal: Calendar) -> Iterable[dict[str, Any]]:
    if cert["status"] not in IN_FORCE:
        return
    nxt = _surveillance_deadline(c, cert, p, cal)
    if nxt is None:
        return
    n, since, deadline, clause = nxt
    ordinal_zh, ordinal_en = ("第一次", "first") if n == 1 else (f"第{'二三四五'[n - 2] if n <= 5 else n}次", f"no. {n}")
    planned = [a for a in c.audits.values() if a["kind"] == "surveillance" and a["status"] == "planned"]
    note = ("", "")
    if planned:
        a = planned[-1]
        note = (f"已策划审核 {a['id']}，{a['start_on']} 开始；完成后计为已实施",
                f"audit {a['id']} is planned to start on {a['start_on']}; it counts once completed")
    since_zh = "认证决定" if n == 1 else "上次监督审核完成"
    since_en = "the certification decision" if n == 1 else "the completion of the last surveillance"
    yield _row(
        "surveillance", f"{cert['number']}:{n}", clause, p,
        f"完成证书 {cert['number']} 的{ordinal_zh}监督审核（自{since_zh}起计）",
        f"Complete the {ordinal_en} surveillance audit of certificate {cert['number']} (counted from {since_en})",
        since, deadline, {"certificate": cert["number"], "surveillance": str(n)}, note=note,
    )
    if cert["status"] == "valid":
        # 001 §5.2.3: a surveillance not done in time leads to suspension (7.2) or withdrawal
        # (7.3), within 5 working days of the day the lapse is established (the due date).
        act = p.periods.suspension_act
        yield _row(
            "suspension_due", f"{cert['number']}:surveillance-{n}", act.clause, p,
            f"如{ordinal_zh}监督审核逾期未实施：暂停或撤销证书 {cert['number']}（{p.periods.surveillance_overdue_clause}）",
            f"If the {ordinal_en} surveillance is missed: suspend or withdraw certificate {cert['number']} "
            f"({p.periods.surveillance_overdue_clause})",
            deadline.due, act.end(cal, deadline.due),
            {"certificate": cert["number"], "cause": f"surveillance:{n}", "cause_clause": p.periods.surveillance_overdue_clause},
        )


def _failed_surveillance(c: Client, cert: dict[str, Any], p: Procedure, cal: Calendar) -> Iterable[dict[str, Any]]:
    """A surveillance decision that did not grant, with the certificate still valid and nothing
    done about it since: the cause of a suspension is verified on the decision date."""
    if cert["status"] != "valid":
        return
    anchor = _decision_on(c, cert)
    act = p.periods.suspension_act
    for d in c.decisions.values():
        if d["application_id"] is not None or d["granted"] or d["on"] < anchor or d.get("superseded_by"):  # superseded on appeal (cases, issue 9)
            continue
        if any(s["number"] == cert["number"] and s["on"] >= d["on"] for s in c.suspensions.values()):
            continue
        clause = p.periods.failed_surveillance_clause
        yield _row(
            "suspension_due", d["id"], act.clause, p,
            f"监督决定 {d['id']} 未通过：暂停证书 {cert['number']}（{clause}），或撤销",
            f"Surveillance decision {d['id']} did not grant: suspend certificate {cert['number']} ({clause}), or withdraw it",
            d["on"], act.end(cal, d["on"]), {"certificate": cert["number"], "decision": d["id"], "cause_clause": clause},
        )


def _suspension(c: Client, cert: dict[str, Any], p: Procedure, cal: Calendar) -> Iterable[dict[str, Any]]:
    if cert["status"] != "suspended" or not cert.get("suspension_id"):
        return
    s = c.suspensions[cert["suspension_id"]]
    ref = {"certificate": cert["number"], "suspension": s["id"]}
    if s["until"] is None:
        yield _row(
            "suspension_end", s["id"], p.max_suspension_clause, p,
            f"暂停 {s['id']}（{s['reason_code']}）持续至相关单位作出许可决定之日；取得许可后恢复，未获批准则撤销",
            f"Suspension {s['id']} ({s['reason_code']}) runs until the licensing decision; restore once granted, withdraw if refused",
            s["start"], None, ref, period=("至许可决定之日（001 §7.2.2）", "until the licensing decision (001 §7.2.2)"),
        )
        return
    months = p.max_suspension_months
    yield _row(
        "suspension_end", s["id"], p.max_suspension_clause, p,
        f"暂停 {s['id']} 期满：核实暂停原因已消除并恢复证书 {cert['number']}",
        f"Suspension {s['id']} ends: verify the cause is cleared and restore certificate {cert['number']}",
        s["start"], None, ref, due=s["until"],
        period=(f"记录的暂停期限，至 {s['until']}（最长 {months} 个月，不顺延）",
                f"the recorded suspension period, until {s['until']} (at most {months} months, not extended)"),
    )
    why = p.reason("withdrawal", p.periods.lapse_withdrawal_reason)
    act = p.periods.withdrawal_act
    yield {**_row(
        "withdrawal_due", s["id"], act.clause, p,
        f"如暂停期满原因仍未消除：撤销证书 {cert['number']}（{why.clause}）",
        f"If the suspension lapses with its cause unresolved: withdraw certificate {cert['number']} ({why.clause})",
        s["until"], act.end(cal, s["until"]), {**ref, "cause_clause": why.clause},
    ), "opens": s["until"] + timedelta(days=1)}  # not due while the suspension runs, its last day included (reporting, issue 9)


def _recertification(c: Client, cert: dict[str, Any], p: Procedure) -> Iterable[dict[str, Any]]:
    if cert["status"] not in IN_FORCE:
        return
    cycle_apps = {a["id"] for a in c.applications.values()
                  if a["kind"] == "recertification" and a["submitted_on"] >= cert["issued_on"]}
    audits = [a for a in c.audits.values() if a["kind"] == "recertification" and a["application_id"] in cycle_apps]
    ref = {"certificate": cert["number"]}
    until = cert["valid_until"]
    period = (f"证书有效期满前（有效期至 {until}）", f"before the certificate expires (valid until {until})")
    if not any(a["status"] == "completed" for a in audits):
        planned = [a for a in audits if a["status"] == "planned"]
        note = (f"已策划再认证审核 {planned[-1]['id']}，{planned[-1]['start_on']} 开始", f"recertification audit {planned[-1]['id']} planned from {planned[-1]['start_on']}") if planned else ("", "")
        yield _row(
            "recertification", cert["number"], p.periods.recertification_clause, p,
            f"如需继续持有证书：在证书 {cert['number']} 期满前完成再认证审核",
            f"To keep the certificate: complete the recertification audit before certificate {cert['number']} expires",
            cert["issued_on"], None, ref, due=until, period=period, note=note,
        )
    audit_ids = {a["id"] for a in audits}
    for nc in c.open_nonconformities:
        if nc["audit_id"] in audit_ids:
            yield _row(
                "recertification_nc", nc["id"], p.periods.recertification_nc_clause, p,
                f"验证再认证不符合项 {nc['id']} 的纠正和纠正措施（原证书期满前）",
                f"Verify the correction and corrective action of recertification nonconformity {nc['id']} (before the certificate expires)",
                nc["raised_on"], None, {**ref, "nonconformity": nc["id"], "audit": nc["audit_id"]}, due=until, period=period,
            )


def _validity(cert: dict[str, Any], p: Procedure, cal: Calendar) -> Iterable[dict[str, Any]]:
    if cert["status"] not in IN_FORCE:
        return
    period = p.periods.validity
    rule = period.end(cal, cert["valid_from"])
    yield _row(
        "validity", cert["number"], period.clause, p,
        f"证书 {cert['number']} 有效期届满：届满后登记过期，或由再认证证书换发",
        f"Certificate {cert['number']} expires: record the expiry afterwards, unless a recertification certificate replaces it",
        cert["valid_from"], None, {"certificate": cert["number"]}, due=cert["valid_until"],
        period=(f"{rule.rule}，有效期至 {cert['valid_until']}", f"{rule.rule_en}, valid until {cert['valid_until']}"),
    )


def _appeals(c: Client, p: Procedure, cal: Calendar) -> Iterable[dict[str, Any]]:
    ps = p.periods
    for a in c.appeals.values():
        if a["status"] not in OPEN_APPEAL_STATUSES:
            continue
        lodged, ref = a["lodged_on"], {"appeal": a["id"], "against": a["against"]}
        if a["status"] == "lodged" and ps.appeal_admission is not None:
            yield _row(
                "appeal_admission", a["id"], ps.appeal_admission.clause, p,
                f"决定是否受理申诉 {a['id']}，并发出受理通知书", f"Accept or refuse appeal {a['id']} and send the notice",
                lodged, ps.appeal_admission.end(cal, lodged), ref,
            )
        if a["status"] == "accepted" and ps.appeal_hearing is not None:
            hearing = ps.appeal_hearing.end(cal, lodged)
            yield _row(
                "appeal_hearing", a["id"], ps.appeal_hearing.clause, p,
                f"如以会议方式处理申诉 {a['id']}：在收到申诉后 {ps.appeal_hearing.length} 个工作日内召开会议",
                f"If appeal {a['id']} is heard at a meeting: hold it within {ps.appeal_hearing.length} working days of receipt",
                lodged, hearing, ref,
            )
            if ps.appeal_hearing_notice is not None:
                n = ps.appeal_hearing_notice.length
                back = cal.add_working_days(hearing.due, -n)
                notice = replace(back, provisional=back.provisional or hearing.provisional,
                                 rule=f"会议前至少 {n} 个工作日", rule_en=f"at least {n} working days before the meeting")
                yield _row(
                    "appeal_hearing_notice", a["id"], ps.appeal_hearing_notice.clause, p,
                    f"如以会议方式处理申诉 {a['id']}：至少提前 {n} 个工作日通知申诉人会议时间和地点（会议在最后期限 {hearing.due} 召开时的最晚通知日）",
                    f"If appeal {a['id']} is heard at a meeting: notify the appellant of its time and place at least {n} working days "
                    f"ahead (the latest day for a meeting on the last permitted day, {hearing.due})",
                    lodged, notice, ref,
                    note=(f"会议期限：收到申诉后 {hearing.rule}", f"meeting: {hearing.rule_en} after receipt"),
                )
        yield _row(
            "appeal_result", a["id"], ps.appeal_result.clause, p,
            f"将申诉 {a['id']} 的处理结果形成书面通知送交申诉人",
            f"Send the written result of appeal {a['id']} to the appellant",
            lodged, ps.appeal_result.end(cal, lodged), ref,
        )


def _complaints(c: Client, p: Procedure, cal: Calendar) -> Iterable[dict[str, Any]]:
    period = p.periods.complaint_result
    if period is None:
        return
    for x in c.complaints.values():
        if x["status"] != "open":
            continue
        yield _row(
            "complaint_result", x["id"], period.clause, p,
            f"以书面方式将投诉 {x['id']} 的处理意见或措施通知投诉人",
            f"Tell the complainant of complaint {x['id']} the result in writing",
            x["received_on"], period.end(cal, x["received_on"]), {"complaint": x["id"]},
        )


# ---------------------------------------------------------------------------------------- API


def client_deadlines(client: Client, calendar: Calendar, *, procedure: Procedure | None = None) -> list[dict[str, Any]]:
    """Every deadline that is open for this client, from its state alone (pure, deterministic).

    ``procedure`` overrides ``procedure_for(client.scheme_id)`` (e.g. with a stricter period).
    Rows are in a stable order: by due date (undated last), then key.
    """
    p = procedure or procedure_for(client.scheme_id)
    rows: list[dict[str, Any]] = []
    rows += _refusal_notices(client, p, calendar)
    cert = client.certificate
    if cert is not None:
        rows += _regulator_report(client, cert, p, calendar)
        rows += _surveillance(client, cert, p, calendar)
        rows += _failed_surveillance(client, cert, p, calendar)
        rows += _suspension(client, cert, p, calendar)
        rows += _recertification(client, cert, p)
        rows += _validity(cert, p, calendar)
    rows += _appeals(client, p, calendar)
    rows += _complaints(client, p, calendar)
    rows += reporting_deadlines(client, p, calendar, _row, _surveillance_deadline)  # reporting and follow-ups (issue 9)
    rows += case_deadlines(client, p, calendar, _row)  # complaints, unscheduled surveillance, appeal decisions (issue 9)
    rows += change_deadlines(client, p, calendar)  # changes (issue 9): ledger/rules/deadlines_changes.py
    rows += objection_deadlines(client, p, _row)  # the client's objection to an audit team (004 §5.2.1)
    rows.sort(key=lambda r: (r["due"] is None, r["due"] or date.max, r["key"]))
    return rows


def notification_deadlines(client: Client, calendar: Calendar, *, procedure: Procedure | None = None) -> list[dict[str, Any]]:
    """The client's own duty to notify changes and incidents within 10 days (004 §15, 001 §4.2.2 c),
    for each notified change: when it was due and whether it came late.

    These deadlines are never *open* in the ledger: the body learns of a change only when it is
    notified, and then the deadline is already met or missed. So they are history, not rows of
    ``client_deadlines``. A late notification is a fact for the next surveillance (001 §5.6 a, h)
    and, if serious, a ground for suspension (001 §7.2.1 b).
    """
    p = procedure or procedure_for(client.scheme_id)
    out = []
    for ch in client.changes.values():
        late = notification_lateness(ch, p, calendar)  # the rule's one place (changes, issue 9)
        out.append({
            "key": f"notification:{ch['id']}", "kind": late["kind"], "clause": late["clause"], "change": ch["id"],
            "change_kind": ch["kind"], "since": ch["changed_on"], "due": late["due"], "provisional": late["provisional"],
            "period_zh": late["period_zh"], "period_en": late["period_en"], "notified_on": ch["notified_on"],
            "late": late["late"], "days_late": late["days_late"],
        })
    return out


def select_open(rows: Iterable[dict[str, Any]], on: date, within: int | None = None) -> list[dict[str, Any]]:
    """The deadlines open on ``on`` among ``rows`` (client_deadlines rows carrying ``uscc`` and
    ``client_name``), with ``days_left`` (calendar days, negative when overdue) and ``overdue``:
    overdue first, then by due date, undated (until a licensing decision) last. A deadline whose
    period has not started by ``on`` is not open yet; ``within`` keeps those due within that many
    days (overdue ones always). The one place that decides what ``due`` shows."""
    if within is not None and within < 0:
        raise RuleViolation(
            "ledger: due --within",
            f"--within 应为 0 或正整数（天数），实际为 {within}。",
            f"--within must be 0 or a positive number of days; got {within}.",
        )
    out = []
    for r in rows:
        opens = r.get("opens") or r["since"]  # "opens": the first day a row is open, when not the day after since (reporting, issue 9)
        if (opens if isinstance(opens, date) else date.fromisoformat(str(opens))) > on:
            continue
        days_left = (r["due"] - on).days if r["due"] is not None else None
        if within is not None and (days_left is None or days_left > within):
            continue
        out.append({**r, "days_left": days_left, "overdue": days_left is not None and days_left < 0})
    out.sort(key=lambda r: (not r["overdue"], r["due"] is None, r["due"] or date.max, r["uscc"], r["key"]))
    return out
