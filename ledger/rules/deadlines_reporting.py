"""Deadlines of reporting and follow-ups (issue 9), as rows of ``client_deadlines``
(ledger/rules/deadlines.py adds them with one line):

- ``act_report``: a suspension, restoration, withdrawal, cancellation or scope reduction reported to
  the CNCA (001 §7.4; the procedure's ``status_report`` period) until ``certificate report-act``;
- ``website_publication``: a suspension or withdrawal published on the body's website (001 §7.4;
  ``website_publication``) until ``certificate publish``;
- ``recall``: a withdrawn certificate recalled, or the withdrawal published or declared (001 §7.3.2;
  ``recall``) until ``certificate recall``;
- ``suspension_due`` / ``withdrawal_due`` from a verified cause (001 §7.2.1, §7.3.1: within 5 working
  days of verifying it; ``certificate cause``) until the suspension or withdrawal is recorded;
- ``nc_followup``: a nonconformity closed on an accepted plan (001 §4.6.3 c), verified at the next
  surveillance (001 §5.6 c), until ``nc verify``.

Pure, like the engine: the client's state, the procedure and the calendar. The engine's row builder
and its surveillance deadline are passed in by ``client_deadlines`` (this module imports nothing of
deadlines.py, so the two never import each other). Every interpretation is in docs/deadlines.md.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from aggregates.errors import RuleViolation
from aggregates.reporting import REPORTED_ACTS
from ledger.rules.calendar import Calendar
from ledger.rules.procedures import Procedure

__all__ = ["KINDS", "reporting_deadlines"]

KINDS: dict[str, tuple[str, str]] = {
    "act_report": ("暂停、撤销等报送认监委", "act reported to the CNCA"),
    "website_publication": ("网站公布暂停或撤销", "suspension or withdrawal published on the website"),
    "recall": ("收回撤销的证书或公开声明", "withdrawn certificate recalled or public statement"),
    "nc_followup": ("下次监督审核验证不符合项", "nonconformity verified at the next surveillance"),
}
ENDED = ("withdrawn", "cancelled", "expired", "replaced")


def _acts(c: Any, p: Procedure, cal: Calendar, row: Callable[..., dict[str, Any]]) -> Iterable[dict[str, Any]]:
    report, publish = p.periods.status_report, p.periods.website_publication
    for a in c.reportable_acts():
        zh, en = REPORTED_ACTS[a["act"]]
        ref = {"certificate": a["number"], "act": a["act"], "id": a["id"]}
        if report is not None and a["reported_on"] is None:
            yield row(
                "act_report", f"{a['act']}:{a['id']}", report.clause, p,
                f"向国家认监委报送证书 {a['number']} 的{zh}（{a['id']}，{a['on']}）",
                f"Report the {en} of certificate {a['number']} ({a['id']}, {a['on']}) to the CNCA",
                a["on"], report.end(cal, a["on"]), ref,
            )
        if publish is not None and a["act"] in ("suspension", "withdrawal") and a["published_on"] is None and not a["reversed"]:
            yield row(
                "website_publication", f"{a['act']}:{a['id']}", publish.clause, p,
                f"在本机构网站公布证书 {a['number']} 的{zh}（{a['id']}，{a['on']}）",
                f"Publish the {en} of certificate {a['number']} ({a['id']}, {a['on']}) on the body's website",
                a["on"], publish.end(cal, a["on"]), ref,
            )


def _recalls(c: Any, p: Procedure, cal: Calendar, row: Callable[..., dict[str, Any]]) -> Iterable[dict[str, Any]]:
    period = p.periods.recall
    if period is None:
        return
    done = c.reporting_state["recalls"]
    for w in c.withdrawals.values():
        if w["id"] in done or w.get("reversed_by"):  # reversed on an upheld appeal: nothing to recall
            continue
        yield row(
            "recall", w["id"], period.clause, p,
            f"收回被撤销的证书 {w['number']}；无法收回的，在相关媒体和网站上公布或声明撤销决定",
            f"Recall withdrawn certificate {w['number']}; if it cannot be recalled, publish or declare the withdrawal in the media and on the website",
            w["on"], period.end(cal, w["on"]), {"certificate": w["number"], "withdrawal": w["id"]},
        )


def _causes(c: Any, p: Procedure, cal: Calendar, row: Callable[..., dict[str, Any]]) -> Iterable[dict[str, Any]]:
    for cause in c.reporting_state["causes"].values():
        cert = c.certificates.get(cause["number"])
        if cert is None or cert["status"] in ENDED:
            continue  # no longer in force: nothing left to suspend or withdraw
        day = cause["verified_on"]
        withdrawn = any(w["number"] == cause["number"] and w["on"] >= day for w in c.withdrawals.values())
        suspended = any(s["number"] == cause["number"] and s["on"] >= day for s in c.suspensions.values())
        if withdrawn or (cause["kind"] == "suspension" and suspended):
            continue
        kind = "suspension"
        period = p.periods.suspension_act if cause["kind"] == kind else p.periods.withdrawal_act
        try:
            why = p.reason(cause["kind"], cause["reason_code"])
            clause = why.clause
        except RuleViolation:  # a code of another procedure (the scheme changed): the code as recorded
            clause = cause["reason_code"]
        zh, en = ("暂停", "suspend") if cause["kind"] == kind else ("撤销", "withdraw")
        yield row(
            f"{cause['kind']}_due", cause["id"], period.clause, p,
            f"原因已于 {day} 调查核实（{cause['id']}，{clause}）：{zh}证书 {cause['number']}",
            f"Cause verified on {day} ({cause['id']}, {clause}): {en} certificate {cause['number']}",
            day, period.end(cal, day), {"certificate": cause["number"], "cause": cause["id"], "cause_clause": clause},
        )


def _nc_followups(c: Any, p: Procedure, cal: Calendar, row: Callable[..., dict[str, Any]],
                  next_surveillance: Callable[..., Any]) -> Iterable[dict[str, Any]]:
    clause = p.periods.nc_followup_clause
    cert = c.certificate
    if clause is None or cert is None or cert["status"] not in ("valid", "suspended"):
        return
    pending = []
    for nc in c.nonconformities.values():
        audit = c.audits.get(nc["audit_id"]) or {}
        if nc["status"] != "responded" or audit.get("kind") == "recertification":
            continue  # open ones wait for a plan; a recertification's are verified before expiry (recertification_nc)
        decided = [d for d in c.decisions.values() if d["audit_id"] == nc["audit_id"] and d["granted"]]
        if decided:
            pending.append((nc, decided[-1]))
    if not pending:
        return
    nxt = next_surveillance(c, cert, p, cal)
    for nc, decision in pending:
        ref = {"certificate": cert["number"], "nonconformity": nc["id"], "audit": nc["audit_id"], "decision": decision["id"]}
        what_zh = f"在下次监督审核中验证不符合项 {nc['id']}（计划已于认证决定 {decision['id']} 接受）的纠正和纠正措施"
        what_en = f"Verify the correction and corrective action of nonconformity {nc['id']} (plan accepted with decision {decision['id']}) at the next surveillance"
        if nxt is not None:
            n, _since, deadline, _clause = nxt
            yield row("nc_followup", nc["id"], clause, p, what_zh, what_en, decision["on"], None, ref, due=deadline.due,
                      period=(f"第 {n} 次监督审核的期限（{deadline.due}）", f"the deadline of surveillance no. {n} ({deadline.due})"))
        else:
            until = cert["valid_until"]
            yield row("nc_followup", nc["id"], clause, p, what_zh, what_en, decision["on"], None, ref, due=until,
                      period=(f"本周期无下次监督审核：再认证审核中、证书期满前（{until}）",
                              f"no further surveillance this cycle: at the recertification audit, before expiry ({until})"))


def reporting_deadlines(c: Any, p: Procedure, cal: Calendar, row: Callable[..., dict[str, Any]],
                        next_surveillance: Callable[..., Any]) -> list[dict[str, Any]]:
    """The rows of this area; ``row`` is the engine's row builder, ``next_surveillance`` its
    surveillance deadline ``(client, cert, procedure, calendar) -> (n, since, Deadline, clause) | None``."""
    out: list[dict[str, Any]] = []
    out += _acts(c, p, cal, row)
    out += _recalls(c, p, cal, row)
    out += _causes(c, p, cal, row)
    out += _nc_followups(c, p, cal, row, next_surveillance)
    return out
