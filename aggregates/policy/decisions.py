"""The certification decision (001 §4.6, 004 §5.7): on a completed audit that can carry one, by
someone outside the application's audit teams, once, with major nonconformities closed and minor
ones answered."""

from __future__ import annotations

from datetime import date
from typing import Any

from aggregates.policy.common import get, not_before, require, require_text
from aggregates.vocabulary import AUDIT_KINDS, CERTIFICATE_STATUSES, DECIDABLE_AUDIT_KINDS, IN_FORCE


def check_decidable(client: Any, *, audit_id: str, decider: str, occurred_on: date, actor: str | None = None,
                    supersedes: str | None = None) -> dict[str, Any]:
    """All rules of the client's history that a certification decision on this audit must meet.
    The application calls it before it spends time scoring; ``check_decision`` calls it again.
    ``supersedes``: the decision an upheld appeal replaces (aggregates/policy/cases.py), the one
    legal way to a second decision on an audit and on a concluded application. Returns the audit."""
    audit = get(client, client.audits, audit_id, "审核", "audit")
    require(
        audit["kind"] in DECIDABLE_AUDIT_KINDS,
        "004 §5.3",
        f"审核 {audit_id} 是第一阶段（文件评价），不能据此作出认证决定。",
        f"Audit {audit_id} is stage 1 (document review) and cannot carry a certification decision.",
    )
    require(
        audit["status"] == "completed",
        "001 §4.6.1",
        f"审核 {audit_id} 尚未完成（审核报告），不能作出认证决定；请先完成审核：audit complete --client {client.uscc} --audit {audit_id} "
        "--conclusion ...（评价须完整：每个指标已评分或删减）。",
        f"Audit {audit_id} is not completed (no audit report); complete it before deciding: audit complete --client {client.uscc} "
        f"--audit {audit_id} --conclusion ... (its evaluation whole: every item scored or excluded).",
    )
    not_before(occurred_on, audit["completed_on"], "审核完成日期", "the audit's completion date")
    decider = (decider or "").strip()
    require(bool(decider), "001 §4.6", "必须指明认证决定人员。", "The decider must be named.")
    if audit["application_id"]:
        app = client.applications[audit["application_id"]]
        require(
            supersedes is not None or not app.get("concluded"),
            "001 §4.6",
            f"申请 {app['id']} 已有结论（{'已发证' if app.get('concluded') == 'certified' else '未通过'}），不能再作认证决定；"
            "如对该决定有异议，请提出申诉（appeal lodge）；重新认证须从 application submit 开始。",
            f"Application {app['id']} is already concluded ({'certified' if app.get('concluded') == 'certified' else 'not granted'}); "
            "no further decision is made on it: appeal the decision (appeal lodge), or apply again (application submit).",
        )
        others = [a for a in client.audits.values() if a["application_id"] == audit["application_id"] and a["id"] != audit_id]
        for other in others:
            require(
                decider not in other["team"],
                "001 §4.6.2",
                f"{decider} 是该申请审核 {other['id']}（{AUDIT_KINDS[other['kind']][0]}）的审核组成员，不得参与认证决定（001 §4.6.2）；"
                "请以 --decider 指定审核组以外的人员。",
                f"{decider} was on the team of audit {other['id']} ({AUDIT_KINDS[other['kind']][1]}) of this application and may "
                "not take part in its certification decision (001 §4.6.2); name someone outside the audit teams with --decider.",
            )
    # Whoever records the decision is part of it: not a member of the audit teams either.
    teams = [a for a in client.audits.values()
             if a["id"] == audit_id or (audit["application_id"] and a["application_id"] == audit["application_id"])]
    recorder = (actor or "").strip()
    on_team = [a["id"] for a in teams if recorder and recorder in a["team"]]
    require(
        not on_team,
        "001 §4.6.2",
        f"记录认证决定的人员 {recorder} 是审核 {', '.join(on_team)} 的审核组成员：认证决定（包括其记录）须由审核组以外的人员作出（001 §4.6.2）；"
        "请由审核组以外的人员以 --actor 记录。",
        f"{recorder}, who records the decision, was on the team of audit {', '.join(on_team)}: the certification decision, its "
        "record included, is made by people outside the audit team (001 §4.6.2); record it with --actor naming someone else.",
    )
    if audit["application_id"] is None:
        cert = client.certificate
        status = cert["status"] if cert is not None else None
        zh_status, en_status = CERTIFICATE_STATUSES.get(status or "", (status, status))
        require(
            cert is not None and status in IN_FORCE,
            "004 §5.8",
            f"审核 {audit_id} 是监督（或特别）审核，其决定针对有效或暂停中的证书；该组织"
            + ("没有证书" if cert is None else f"的证书 {cert['number']} 已{zh_status}") + "，不能据此作出决定。"
            "重新认证须从 certledger application submit 开始。",
            f"Audit {audit_id} is a surveillance (or unscheduled) audit, whose decision is on a certificate in force (valid or "
            "suspended); the client " + ("holds no certificate" if cert is None else f"certificate {cert['number']} is {en_status.lower()}")
            + ", so no decision is made on it. A new certification starts with certledger application submit.",
        )
    require(
        decider not in audit["team"],
        "001 §4.6.2",
        f"{decider} 是审核 {audit_id} 的审核组成员，不得参与该审核项目的认证决定（001 §4.6.2）；请以 --decider 指定审核组以外的人员。",
        f"{decider} was on the team of audit {audit_id} and may not take part in its certification decision "
        "(001 §4.6.2); name a person outside the audit team with --decider.",
    )
    already = [d["id"] for d in client.decisions.values() if d["audit_id"] == audit_id]
    require(
        not already or (supersedes is not None and already[-1] == supersedes),
        "ledger: one decision per audit",
        f"审核 {audit_id} 已有认证决定 {', '.join(already)}；如有异议请走申诉程序（appeal lodge），申诉成立后用 appeal redecide 作出新决定。",
        f"Audit {audit_id} already carries decision {', '.join(already)}; to contest it, lodge an appeal (appeal lodge); once "
        "it is upheld, appeal redecide records the new decision.",
    )
    ncs = [n for n in client.nonconformities.values() if n["audit_id"] == audit_id]
    major_open = [n["id"] for n in ncs if n["severity"] == "major" and n["status"] != "closed"]
    require(
        not major_open,
        "001 §4.6.3 b",
        f"严重不符合项 {', '.join(major_open)} 的纠正和纠正措施尚未验证有效（001 §4.6.3 b）；请先验证关闭。",
        f"Major nonconformities {', '.join(major_open)} have no verified correction and corrective action "
        "(001 §4.6.3 b); verify and close them first.",
    )
    minor_open = [n["id"] for n in ncs if n["severity"] == "minor" and n["status"] == "open"]
    require(
        not minor_open,
        "001 §4.6.3 c",
        f"一般不符合项 {', '.join(minor_open)} 尚无纠正和纠正措施计划（001 §4.6.3 c）；请先录入并接受计划。",
        f"Minor nonconformities {', '.join(minor_open)} have no accepted plan of correction and corrective "
        "action (001 §4.6.3 c); record it first.",
    )
    return audit


def check_decision(client: Any, *, audit_id: str, decider: str, granted: bool, grade: str | None, reason: str,
                   occurred_on: date, actor: str | None = None) -> tuple[dict[str, Any], str]:
    """The decision itself: granted only on a grade, with a reason. Returns the audit and the reason."""
    audit = check_decidable(client, audit_id=audit_id, decider=decider, occurred_on=occurred_on, actor=actor)
    require(
        not granted or grade is not None,
        "001 附录A 评分结果",
        "得分未达到任何等级，不能作出通过认证的决定。",
        "The score reaches no grade: certification cannot be granted.",
    )
    return audit, require_text(reason, "决定理由", "the reason for the decision", "001 §4.6.4")
