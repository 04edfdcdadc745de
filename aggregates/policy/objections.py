"""The client's objection to an audit team's composition (004 §5.2.1: "申请人如对评审组组成有异议，可向
HZX 提出") and its answer; what an objection means for the audit (aggregates/objections.py).

- An objection is raised against a planned audit, naming the members objected to (none: the team as a
  whole), with the applicant's reason; one open objection per audit at a time.
- While it is open the audit does not proceed: scores, exclusions, nonconformities, corrections and
  completion are refused, naming ``audit objection-answer``.
- The answer is the body's: never by someone on the audit's team or named in the objection.
- Dismissed: the audit proceeds. Upheld: the team of a plan never changes, so the audit does not
  proceed; it is cancelled (``audit cancel``) and planned again (``audit plan``) without the members
  objected to (an objection to the whole team: without anyone on it, ``barred_by``) — the one road by which an audit's team changes. The new plan of the same kind for the
  same application may not name them, and the cancelled audit does not count as the application's
  audit of that kind (aggregates/policy/audits.py ``check_plan``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from aggregates.errors import RuleViolation
from aggregates.policy.common import get, not_before, require, require_text

OBJECTION = "004 §5.2.1"


def team_of(audit: dict[str, Any]) -> list[str]:
    """Everyone on an audit's team: the members (leader among them) and the technical experts."""
    experts = list((audit.get("calculation") or {}).get("technical_experts") or [])
    return list(dict.fromkeys([*audit["team"], audit["leader"], *experts]))


def open_objection(audit: dict[str, Any]) -> dict[str, Any] | None:
    for o in audit.get("objections") or []:
        if o["answer"] is None:
            return o
    return None


def check_objection(client: Any, *, audit_id: str, members: list[str], reason: str, occurred_on: date) -> tuple[list[str], str]:
    """An objection to a planned audit's team: the members named are on it, a reason, no objection
    of the audit still unanswered. Returns the members (trimmed, once each) and the reason."""
    audit = get(client, client.audits, audit_id, "审核", "audit")
    require(audit["status"] == "planned", OBJECTION,
            f"审核 {audit_id} 已{'取消' if audit['status'] == 'cancelled' else '完成'}，不能再对其审核组提出异议。",
            f"Audit {audit_id} is already {audit['status']}; its team can no longer be objected to.")
    not_before(occurred_on, audit["planned_on"], "审核策划日期", "the audit's planning date")
    named = list(dict.fromkeys(m.strip() for m in members if m and m.strip()))
    team = team_of(audit)
    strangers = [m for m in named if m not in team]
    require(not strangers, OBJECTION, f"{'、'.join(strangers)} 不在审核 {audit_id} 的审核组中（{'、'.join(team)}）。",
            f"{', '.join(strangers)} {'is' if len(strangers) == 1 else 'are'} not on the team of audit {audit_id} ({', '.join(team)}).")
    pending = open_objection(audit)
    require(pending is None, OBJECTION,
            f"审核 {audit_id} 已有未答复的异议 {pending['id'] if pending else ''}；请先答复：audit objection-answer --client {client.uscc} "
            f"--audit {audit_id} --upheld 或 --dismissed --reason …。",
            f"Audit {audit_id} already has an unanswered objection {pending['id'] if pending else ''}; answer it first: audit "
            f"objection-answer --client {client.uscc} --audit {audit_id} --upheld or --dismissed --reason ….")
    reason = require_text(reason, "申请人提出异议的理由（--reason）", "The applicant's reason for the objection (--reason)", OBJECTION)
    return named, reason


def barred_by(audit: dict[str, Any], objection: dict[str, Any]) -> list[str]:
    """Who an upheld objection bars from the audit planned again: the members objected to; an
    objection to the team as a whole (no member named), everyone on the team (trial 12, item 7)."""
    return list(objection["members"]) or team_of(audit)


def check_answer(client: Any, *, audit_id: str, upheld: bool, dismissed: bool, reason: str, occurred_on: date,
                 actor: str | None = None) -> tuple[dict[str, Any], str]:
    """The body's answer to the audit's open objection: upheld or dismissed, with a reason; the
    body's, so never by someone on the audit's team or named in the objection (impartiality:
    no one judges an objection to themself; trial 12, item 6)."""
    audit = get(client, client.audits, audit_id, "审核", "audit")
    pending = open_objection(audit)
    require(pending is not None, OBJECTION, f"审核 {audit_id} 没有未答复的审核组异议，无从答复。",
            f"Audit {audit_id} has no unanswered objection to its team; there is nothing to answer.")
    assert pending is not None
    if actor:
        named = actor in pending["members"]
        require(actor not in team_of(audit), OBJECTION,
                f"{actor} {'是异议所针对的人员' if named else '在审核 ' + audit_id + ' 的审核组中'}，不能答复对该审核组组成的异议"
                f"（004 §5.2.1；公正性原则，004 §4.2：任何人不评判针对自己的异议）。答复是本机构的决定：请由管理员或不在该审核组、"
                f"未被异议提及的人员以 --actor 记录。",
                f"{actor} {'is named in the objection' if named else 'is on the team of audit ' + audit_id} and may not answer the "
                f"objection to its composition (004 §5.2.1; impartiality, 004 §4.2: no one judges an objection to themself). The "
                "answer is the body's: record it with --actor naming an administrator or someone not on the team and not named in it.")
    require(upheld != dismissed, OBJECTION, "请选择 --upheld（异议成立）或 --dismissed（异议不成立）之一。",
            "Choose exactly one of --upheld or --dismissed.")
    not_before(occurred_on, pending["on"], "异议提出日期", "the date of the objection")
    reason = require_text(reason, "答复的理由（--reason）", "The reason for the answer (--reason)", OBJECTION)
    return pending, reason


def check_proceeds(client: Any, audit: dict[str, Any]) -> None:
    """An audit proceeds (takes scores, nonconformities, its completion) only with no objection to
    its team open and none upheld (cheap when the audit has none: called on every score entry)."""
    objections = audit.get("objections")
    if not objections:
        return
    audit_id = audit["id"]
    pending = open_objection(audit)
    if pending is not None:
        raise RuleViolation(
            OBJECTION,
            f"申请人已于 {pending['on']} 对审核 {audit_id} 的审核组组成提出异议（{pending['id']}），尚未答复；审核在答复前不能继续。"
            f"请先答复：audit objection-answer --client {client.uscc} --audit {audit_id} --upheld 或 --dismissed --reason …。",
            f"The applicant objected to the composition of audit {audit_id}'s team on {pending['on']} ({pending['id']}) and the "
            f"objection is unanswered; the audit cannot proceed until it is answered: audit objection-answer --client {client.uscc} "
            f"--audit {audit_id} --upheld or --dismissed --reason ….")
    upheld = [o for o in objections if o["answer"]["upheld"]]
    if upheld:
        o = upheld[-1]
        who_zh = f"异议所针对的 {'、'.join(o['members'])} 仍在审核组中" if o["members"] else "审核组须整体重新组建"
        who_en = f"{', '.join(o['members'])}, objected to, {'is' if len(o['members']) == 1 else 'are'} still on the team" if o["members"] \
            else "the team must be formed anew"
        barred = barred_by(audit, o)
        without_zh = f"不含 {'、'.join(barred)} "
        without_en = f" without {', '.join(barred)}"
        raise RuleViolation(
            OBJECTION,
            f"对审核 {audit_id} 审核组组成的异议 {o['id']} 已于 {o['answer']['on']} 认定成立，{who_zh}；该审核不能继续。"
            f"请取消并重新策划：audit cancel --client {client.uscc} --audit {audit_id} --reason …，再以{without_zh}的审核组 audit plan。",
            f"Objection {o['id']} to the composition of audit {audit_id}'s team was upheld on {o['answer']['on']} and {who_en}; the "
            f"audit cannot proceed. Cancel it and plan it again: audit cancel --client {client.uscc} --audit {audit_id} --reason …, "
            f"then audit plan{without_en}.")


def replaced_by_replan(audit: dict[str, Any]) -> bool:
    """A cancelled audit whose team was objected to and the objection upheld: re-planned, it does not
    count as the application's audit of its kind (001 §4.4.1)."""
    return audit["status"] == "cancelled" and any(o["answer"] and o["answer"]["upheld"] for o in audit.get("objections") or [])


def check_replan(client: Any, *, kind: str, application_id: str | None, team: list[str]) -> None:
    """A plan that replaces an audit cancelled after an upheld objection (the latest audit of the same
    kind for the same application) names none of the people it bars (``barred_by``)."""
    same = [a for a in client.audits.values() if a["kind"] == kind and a["application_id"] == application_id]
    if not same or not replaced_by_replan(same[-1]):
        return
    barred = {m: o for o in same[-1]["objections"] if o["answer"] and o["answer"]["upheld"] for m in barred_by(same[-1], o)}
    named = [m for m in team if m in barred]
    if named:
        o = barred[named[0]]
        raise RuleViolation(
            OBJECTION,
            f"申请人对审核 {same[-1]['id']} 审核组的异议 {o['id']} 已认定成立，{'、'.join(named)} 不能进入重新策划的审核组；请另选人员。",
            f"The applicant's objection {o['id']} to the team of audit {same[-1]['id']} was upheld: {', '.join(named)} cannot be on "
            "the team of the audit planned again; choose someone else.")
