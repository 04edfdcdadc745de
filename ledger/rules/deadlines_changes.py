"""Deadlines and the lateness rule of notified changes (004 §15, 001 §4.2.2 c, §4.2.3; 004 §6.9 b).

- ``notification_lateness``: a change is notified within ``change_notification`` of the day it
  happened, an incident within ``incident_notification`` of its occurrence (10 days in 001 and 004);
  later is late. The one place of that rule: ``deadlines.notification_deadlines``, ``show`` and
  ``change suspend`` use it.
- ``change_deadlines``: the rows ``client_deadlines`` adds (``certledger due``): a notified change
  not yet assessed (flagged when it came late: a ground for suspension under the procedure's
  ``change_notification_reason``), a follow-up an assessment called for and not yet linked, and a
  suspension an assessment decided and not yet recorded.
- ``changes_view``: what ``show`` prints of the area.

Pure: the client's state, its procedure and the calendar. The periods are the procedure files'.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Any, Iterable

from aggregates.vocabulary import INCIDENT_CHANGE_KINDS, MASTER_DATA_FIELDS
from ledger.rules.calendar import Calendar, Deadline
from ledger.rules.procedures import Procedure, procedure_for

KINDS: dict[str, tuple[str, str]] = {
    "change_assessment": ("信息通报评审", "assessment of a notified change"),
    "change_follow_up": ("信息通报后续措施", "follow-up of a notified change"),
}


def notification_lateness(change: dict[str, Any], p: Procedure, cal: Calendar) -> dict[str, Any]:
    """When the client had to notify this change and whether it came late."""
    incident = change["kind"] in INCIDENT_CHANGE_KINDS
    period = p.periods.incident_notification if incident else p.periods.change_notification
    deadline = period.end(cal, change["changed_on"])
    return {
        "kind": "incident_notification" if incident else "change_notification", "clause": period.clause,
        "due": deadline.due, "provisional": deadline.provisional, "period_zh": deadline.rule, "period_en": deadline.rule_en,
        "late": change["notified_on"] > deadline.due, "days_late": max(0, (change["notified_on"] - deadline.due).days),
    }


def _row(kind: str, ref_id: str, clause: str, p: Procedure, what: tuple[str, str], since: date, deadline: Deadline,
         ref: dict[str, str], note: tuple[str, str] = ("", "")) -> dict[str, Any]:
    """A row of the shape ``ledger.rules.deadlines`` documents."""
    return {
        "key": f"{kind}:{ref_id}", "kind": kind, "clause": clause, "procedure": p.id, "what_zh": what[0], "what_en": what[1],
        "since": since, "due": deadline.due, "provisional": deadline.provisional, "period_zh": deadline.rule,
        "period_en": deadline.rule_en, "ref": ref, "note_zh": note[0], "note_en": note[1],
    }


def _late_note(change: dict[str, Any], late: dict[str, Any], p: Procedure) -> tuple[str, str]:
    if not late["late"]:
        return "", ""
    code = p.periods.change_notification_reason
    cite_zh = f"；可作为暂停原因 {code}：change suspend --change {change['id']}" if code else ""
    cite_en = f"; citable as suspension reason {code}: change suspend --change {change['id']}" if code else ""
    return (f"通报逾期 {late['days_late']} 天（应于 {late['due']} 前通报，{late['clause']}）{cite_zh}",
            f"notified {late['days_late']} days late (due by {late['due']}, {late['clause']}){cite_en}")


def change_deadlines(client: Any, p: Procedure, cal: Calendar) -> Iterable[dict[str, Any]]:
    """The open deadlines of the changes area (see the module's docstring)."""
    period = p.periods.change_assessment
    assessments, follow_ups = client.change_assessments, client.change_follow_ups
    for ch in client.changes.values():
        ref = {"change": ch["id"]}
        done = assessments.get(ch["id"])
        if done is None:
            if period is None:
                continue
            late = notification_lateness(ch, p, cal)
            flag = ("（通报逾期）", " (notified late)") if late["late"] else ("", "")
            yield _row("change_assessment", ch["id"], period.clause, p,
                       (f"评审信息通报 {ch['id']}{flag[0]}：change assess --change {ch['id']} --outcome ...",
                        f"Assess notified change {ch['id']}{flag[1]}: change assess --change {ch['id']} --outcome ..."),
                       ch["notified_on"], period.end(cal, ch["notified_on"]), {**ref, "late": "yes" if late["late"] else ""},
                       note=_late_note(ch, late, p))
            continue
        linked = follow_ups.get(ch["id"], {})
        cert = client.certificate
        in_force = client.certificate_in_force is not None  # valid or suspended: a suspension does not end the follow-ups
        if period is not None and in_force:
            if "unscheduled" in done["outcomes"] and "audit" not in linked:
                yield _row("change_follow_up", f"{ch['id']}:unscheduled", "004 §6.9 b", p,
                           (f"策划信息通报 {ch['id']} 的非例行监督并关联：audit plan --kind unscheduled，change link --change {ch['id']} --audit ...",
                            f"Plan the unscheduled surveillance for {ch['id']} and link it: audit plan --kind unscheduled, "
                            f"change link --change {ch['id']} --audit ..."),
                           done["on"], period.end(cal, done["on"]), {**ref, "outcome": "unscheduled"})
            if "scope" in done["outcomes"] and "scope_change" not in linked:
                yield _row("change_follow_up", f"{ch['id']}:scope", "004 §9.3 2)", p,
                           (f"记录信息通报 {ch['id']} 引起的认证范围变更并关联：certificate scope，change link --change {ch['id']} --scope-change ...",
                            f"Record the scope change {ch['id']} calls for and link it: certificate scope, "
                            f"change link --change {ch['id']} --scope-change ..."),
                           done["on"], period.end(cal, done["on"]), {**ref, "outcome": "scope"})
        if "suspension" in done["outcomes"] and "suspension" not in linked and cert is not None and cert["status"] == "valid":
            act = p.periods.suspension_act
            yield _row("suspension_due", f"change:{ch['id']}", act.clause, p,
                       (f"信息通报 {ch['id']} 评审决定暂停：暂停证书 {cert['number']}（change suspend --change {ch['id']}）",
                        f"The assessment of {ch['id']} decided a suspension: suspend certificate {cert['number']} "
                        f"(change suspend --change {ch['id']})"),
                       done["on"], act.end(cal, done["on"]), {**ref, "certificate": cert["number"], "cause_clause": act.clause})


@functools.lru_cache(maxsize=1)
def _calendar() -> Calendar:
    return Calendar()


def changes_view(client: Any, calendar: Calendar | None = None) -> dict[str, Any]:
    """What ``show`` prints of the area: the master data in force, its recorded changes, each notified
    change with its lateness, assessment and follow-ups, the certificate's versions."""
    cal = calendar or _calendar()
    p = procedure_for(client.scheme_id)
    notified = []
    for ch in client.changes.values():
        late = notification_lateness(ch, p, cal)
        notified.append({
            **ch, "due": late["due"], "late": late["late"], "days_late": late["days_late"], "clause": late["clause"],
            "citable_as": p.periods.change_notification_reason if late["late"] else None,
            "assessment": client.change_assessments.get(ch["id"]), "follow_ups": client.change_follow_ups.get(ch["id"], {}),
            "records": [r["id"] for r in client.master_data_changes.values() if r["change_id"] == ch["id"]],
        })
    cert = client.certificate
    return {
        "master_data": {f: client.master_value(f) for f in MASTER_DATA_FIELDS},
        "master_data_changes": list(client.master_data_changes.values()),
        "notified_changes": notified,
        "certificate_versions": (cert.get("versions") or []) if cert else [],
        "certificate_version": (cert.get("version") or 1) if cert else None,
    }
