"""Audits and what they record: the plan and its completion (001 §4.3-4.4, 004 §5.2-5.3), score
entries, corrections and exclusions (001 Appendix A), nonconformities and their correction and
verification (001 §4.5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from aggregates.errors import RuleViolation
from aggregates.policy.cases import upheld_effect_pending
from aggregates.policy.objections import check_proceeds, replaced_by_replan  # 004 §5.2.1: the client's objection to the team
from aggregates.policy.common import (after_registration, current_certificate, get, not_before, require, require_choice,
                                      require_text)
from aggregates.vocabulary import AUDIT_KINDS, DECIDABLE_AUDIT_KINDS, IN_FORCE, NC_SEVERITIES


def check_plan(client: Any, *, kind: str, team: list[str], leader: str, man_days: Decimal, start_on: date,
               occurred_on: date) -> tuple[list[str], str, str | None]:
    """An audit plan: a team with its leader, man-days, and the application or certificate it
    belongs to. Returns the team members and leader, trimmed, and the application's id (None for a
    surveillance, which belongs to the certificate)."""
    require_choice(kind, AUDIT_KINDS, "审核类型", "audit kind")
    members = [m.strip() for m in team if m and m.strip()]
    require(bool(members), "001 §4.3.2", "审核组至少需要一名审核员（001 §4.3.2，004 §5.2.2）。", "An audit team needs at least one auditor (001 §4.3.2, 004 §5.2.2).")
    require(len(set(members)) == len(members), "001 §4.3.2", "审核组成员重复。", "The audit team lists someone twice.")
    leader = (leader or members[0]).strip()
    require(leader in members, "004 §5.2.2", f"组长 {leader} 必须是审核组成员。", f"The team leader {leader} must be a team member.")
    require(  # D63: a stage 1 may take none (001 §4.4.2: the document review 不占审核人日)
        man_days > 0 or (kind == "stage1" and man_days == 0),
        "004 §16.2",
        f"审核人日必须大于 0（004 §16.2；只有一阶段可为 0，001 §4.4.2），实际为 {man_days}。",
        f"Audit man-days must be greater than 0 (004 §16.2; only a stage 1 may take 0, 001 §4.4.2); got {man_days}.",
    )
    after_registration(client, occurred_on)
    not_before(start_on, occurred_on, "审核策划日期", "the date the audit is planned")
    app = client.open_application
    status = client.certificate_status
    if kind in ("stage1", "stage2", "transfer"):
        require(
            app is not None and any(c["application_id"] == app["id"] for c in client.contracts.values()),
            "001 §4.2.2",
            "初次认证或转换审核需在受理申请并签订认证合同之后策划。",
            "An initial or transfer audit is planned after the application is accepted and the contract signed.",
        )
        assert app is not None
        not_before(occurred_on, app["reviewed_on"], "受理日期", "the acceptance date")
        if kind == "stage2":
            stage1 = [a for a in client.audits.values() if a["kind"] == "stage1" and a["status"] == "completed" and a["application_id"] == app["id"]]
            require(
                bool(stage1),
                "004 §5.3",
                "第二阶段审核需在第一阶段（文件评价）完成后策划。",
                "A stage 2 audit follows a completed stage 1 (document review).",
            )
            not_before(occurred_on, stage1[-1]["completed_on"], "第一阶段完成日期", "the completion of stage 1")
    elif kind in ("surveillance", "unscheduled"):
        require(
            status in IN_FORCE,
            "001 §5.1",
            f"监督审核只针对持有有效或暂停中证书的组织；当前证书状态：{status or '无证书'}。认证须从 certledger application submit 开始。",
            f"Surveillance is for clients holding a certificate in force; current certificate status: {status or 'none'}. A "
            "certification starts with certledger application submit.",
        )
        current_certificate(client, *IN_FORCE, occurred_on=occurred_on)
    elif kind == "recertification":
        require(
            app is not None and app["kind"] == "recertification" and app["status"] == "accepted",
            "001 §6.1",
            "再认证审核需先受理再认证申请。",
            "A recertification audit needs an accepted recertification application.",
        )
        assert app is not None
        not_before(occurred_on, app["reviewed_on"], "受理日期", "the acceptance date")
    application_id = app["id"] if app is not None and kind not in ("surveillance", "unscheduled") else None
    if application_id is not None:
        same = [a["id"] for a in client.audits.values() if a["application_id"] == application_id and a["kind"] == kind
                and not replaced_by_replan(a)]  # an audit cancelled after an upheld objection to its team is planned again (004 §5.2.1)
        require(
            not same,
            "001 §4.4.1",
            f"申请 {application_id} 已有{AUDIT_KINDS[kind][0]} {', '.join(same)}；一项申请只进行一次该类审核，结论不通过时须重新申请。",
            f"Application {application_id} already has a {AUDIT_KINDS[kind][1]} ({', '.join(same)}); an application has one "
            "audit of each kind, and a new application follows a negative outcome.",
        )
    return members, leader, application_id


def check_completion(client: Any, *, audit_id: str, conclusion: str, occurred_on: date) -> str:
    """The audit report closes the audit (001 §4.4.5); returns the conclusion, trimmed."""
    audit = get(client, client.audits, audit_id, "审核", "audit")
    require(audit["status"] == "planned", "001 §4.4.5", f"审核 {audit_id} 已{'取消' if audit['status'] == 'cancelled' else '完成'}。",
            f"Audit {audit_id} is already {audit['status']}.")
    not_before(occurred_on, audit["start_on"], "审核开始日期", "the audit's start date")
    check_proceeds(client, audit)  # no objection to its team open or upheld (004 §5.2.1)
    return require_text(conclusion, "审核结论（001 §4.4.5.2 h）", "the audit conclusion (001 §4.4.5.2 h)", "001 §4.4.5.2")


def check_reopen(client: Any, *, audit_id: str, reason: str, occurred_on: date) -> str:
    """An audit completed before its evaluation was whole (every item scored or excluded, every
    prerequisite checked: 001 §4.4.4.2, §4.4.5.2) is reopened to take what is missing, with a reason,
    while no decision rests on it. Returns the reason, trimmed."""
    audit = get(client, client.audits, audit_id, "审核", "audit")
    require(audit["status"] == "completed", "001 §4.4.5", f"审核 {audit_id} 尚未完成，无需重新打开；可直接录入评分。",
            f"Audit {audit_id} is not completed; there is nothing to reopen: enter the scores directly.")
    check_undecided(client, audit_id)
    not_before(occurred_on, audit["completed_on"], "审核完成日期", "the audit's completion date")
    return require_text(reason, "重新打开审核的理由", "the reason for reopening the audit", "001 §4.4.5")


def check_cancellation(client: Any, *, audit_id: str, reason: str, occurred_on: date) -> str:
    """A planned audit that will not be completed (the certificate it surveyed withdrawn or cancelled,
    the client's application withdrawn, a surveillance replaced) is cancelled with a reason, so that
    it is no longer open or due; its scores stay in the record and no decision can rest on it.
    Returns the reason, trimmed."""
    audit = get(client, client.audits, audit_id, "审核", "audit")
    require(
        audit["status"] == "planned", "001 §4.4.5",
        f"审核 {audit_id} 已{'取消' if audit['status'] == 'cancelled' else '完成'}，不能取消"
        + ("" if audit["status"] == "cancelled" else "；如其评价不完整且尚无认证决定，可重新打开：audit reopen") + "。",
        f"Audit {audit_id} is already {audit['status']} and cannot be cancelled"
        + ("" if audit["status"] == "cancelled" else "; an incomplete one no decision rests on can be reopened: audit reopen") + ".",
    )
    not_before(occurred_on, audit["planned_on"], "审核策划日期", "the audit's planning date")
    return require_text(reason, "取消审核的理由", "the reason for cancelling the audit", "001 §4.4.5")


def open_audit(client: Any, audit_id: str) -> dict[str, Any]:
    """An audit that takes scores and exclusions: planned (not yet completed), and not a stage 1."""
    audit = get(client, client.audits, audit_id, "审核", "audit")
    if audit["status"] != "planned":  # checked on every score entry: messages formatted only when refused
        if audit["status"] == "cancelled":
            raise RuleViolation(
                "001 §4.4.5",
                f"审核 {audit_id} 已于 {audit['cancelled']['on']} 取消，不能录入评分或删减；请策划新的审核（audit plan）。",
                f"Audit {audit_id} was cancelled on {audit['cancelled']['on']} and takes no scores or exclusions; plan a new audit (audit plan).",
            )
        raise RuleViolation(
            "ledger: no score on a closed audit",
            f"审核 {audit_id} 已于 {audit['completed_on']} 完成并关闭，不能再录入评分或删减；如尚无认证决定，可先重新打开："
            f"audit reopen --client {client.uscc} --audit {audit_id} --reason ...。",
            f"Audit {audit_id} was completed on {audit['completed_on']} and is closed to new scores or exclusions; while no "
            f"decision rests on it, reopen it first: audit reopen --client {client.uscc} --audit {audit_id} --reason ....",
        )
    if "objections" in audit:  # the client objected to its team (004 §5.2.1)
        check_proceeds(client, audit)
    if audit["kind"] not in DECIDABLE_AUDIT_KINDS:
        raise RuleViolation(
            "004 §5.3",
            f"审核 {audit_id} 是{AUDIT_KINDS[audit['kind']][0]}（文件评价），不评分；请在第二阶段审核中评分。",
            f"Audit {audit_id} is a {AUDIT_KINDS[audit['kind']][1]} (document review) and takes no scores; score the stage 2 audit.",
        )
    return audit


def check_undecided(client: Any, audit_id: str, *, upheld_appeal_opens: bool = False,
                    what: tuple[str, str] = ("评分", "scores")) -> None:
    """Scores and nonconformities of an audit stand once a decision rests on them; with
    ``upheld_appeal_opens`` (score corrections), until an appeal against its latest decision is
    upheld and not yet given effect by a new decision (aggregates/policy/cases.py). ``what`` names
    what the refused command would change (Chinese, English)."""
    decided = [d["id"] for d in client.decisions.values() if d["audit_id"] == audit_id]
    if upheld_appeal_opens and decided and upheld_effect_pending(client, decided[-1]) is not None:
        return
    require(
        not decided,
        "ledger: decided scores stand",
        f"审核 {audit_id} 的{what[0]}已用于认证决定 {', '.join(decided)}；决定后不能更改，如有异议请走申诉程序。",
        f"The {what[1]} of audit {audit_id} carried decision {', '.join(decided)}; they cannot change after the decision; use an appeal.",
    )


def check_score_entry(client: Any, *, audit_id: str, item: str, facet: str | None, occurred_on: date) -> None:
    """One score per item (and facet) of an open audit, not for an excluded item."""
    audit = open_audit(client, audit_id)
    not_before(occurred_on, audit["planned_on"], "审核策划日期", "the audit's planning date")
    excluded = client.exclusions[audit_id]
    if item in excluded:  # the checks of this, the commonest command, format only when refused
        raise RuleViolation(
            "001 附录A 评分 b)",
            f"指标 {item} 已在审核 {audit_id} 中删减（理由：{excluded[item].get('reason')}），不能评分。",
            f"Item {item} is excluded in audit {audit_id} (reason: {excluded[item].get('reason')}) and cannot be scored.",
        )
    for e in client.entries.values():  # client.effective_entries(audit_id), without building the list
        if e["item"] == item and e["facet"] == facet and e["audit_id"] == audit_id and e["superseded_by"] is None:
            facet_zh = f"（{facet}）" if facet else ""
            raise RuleViolation(
                "ledger: one score per item",
                f"指标 {item}{facet_zh} 在审核 {audit_id} 中已有评分 {e['id']}（{e['actor']}，{e['on']}）；"
                f"如需更改，请录入更正并说明理由：score correct --client {client.uscc} --entry {e['id']} --value ... --reason ...。",
                f"Item {item}{f' ({facet})' if facet else ''} already has score {e['id']} in audit {audit_id} "
                f"({e['actor']}, {e['on']}); to change it, record a correction with a reason: "
                f"score correct --client {client.uscc} --entry {e['id']} --value ... --reason ....",
            )


def check_correction(client: Any, *, entry_id: str, reason: str, occurred_on: date) -> tuple[dict[str, Any], str]:
    """A correction of the entry that stands, before a decision rests on it, with a reason. Returns
    the entry corrected and the reason, trimmed."""
    old = client.entry(entry_id)
    require(
        old["superseded_by"] is None,
        "ledger: correct the current entry",
        f"评分 {entry_id} 已被 {old['superseded_by']} 更正；请更正当前有效的记录 {old['superseded_by']}。",
        f"Score {entry_id} was already corrected by {old['superseded_by']}; correct the current entry {old['superseded_by']}.",
    )
    check_undecided(client, old["audit_id"], upheld_appeal_opens=True)
    audit = client.audits[old["audit_id"]]
    if audit["status"] == "planned":
        check_proceeds(client, audit)  # no objection to its team open or upheld (004 §5.2.1)
    decided = [d["id"] for d in client.decisions.values() if d["audit_id"] == audit["id"]]
    if audit["status"] != "planned" and not decided:  # completed (its report issued): reopened first (001 §4.4.5)
        raise RuleViolation(
            "001 §4.4.5",
            f"审核 {audit['id']} 已完成（审核报告已出具），其评分不能直接更正；请先重新打开并说明理由："
            f"audit reopen --client {client.uscc} --audit {audit['id']} --reason ...，再更正。",
            f"Audit {audit['id']} is completed (its report issued) and its scores are not corrected as they stand; reopen it "
            f"first with a reason: audit reopen --client {client.uscc} --audit {audit['id']} --reason ..., then correct.",
        )
    reason = require_text(reason, "更正理由", "the reason for the correction", "ledger: corrections carry a reason")
    not_before(occurred_on, old["on"], f"被更正记录 {entry_id} 的日期", f"the date of entry {entry_id}")
    return old, reason


def check_exclusion(client: Any, *, audit_id: str, item: str, reason: str, occurred_on: date) -> str:
    """An item excluded as not applicable (001 Appendix A b): once, and not once scored. Returns the
    reason, trimmed."""
    audit = open_audit(client, audit_id)
    not_before(occurred_on, audit["planned_on"], "审核策划日期", "the audit's planning date")
    reason = require_text(reason, "删减理由（001 附录A 评分 b）", "the reason for the exclusion (001 Appendix A b)", "001 附录A 评分 b)")
    require(
        item not in client.exclusions[audit_id],
        "001 附录A 评分 b)",
        f"指标 {item} 在审核 {audit_id} 中已删减。",
        f"Item {item} is already excluded in audit {audit_id}.",
    )
    scored = [e["id"] for e in client.effective_entries(audit_id) if e["item"] == item]
    require(
        not scored,
        "001 附录A 评分 b)",
        f"指标 {item} 在审核 {audit_id} 中已有评分 {', '.join(scored)}，不能再删减。",
        f"Item {item} already has scores {', '.join(scored)} in audit {audit_id} and cannot be excluded.",
    )
    return reason


def check_nonconformity(client: Any, *, audit_id: str, severity: str, clause: str, description: str,
                        occurred_on: date) -> tuple[str, str]:
    """A nonconformity found in an audit (001 §4.4.5.2 g), before its decision. Returns the clause and
    the description, trimmed."""
    audit = get(client, client.audits, audit_id, "审核", "audit")
    require_choice(severity, NC_SEVERITIES, "不符合项类别", "nonconformity severity")
    check_undecided(client, audit_id, what=("评分和不符合项", "scores and nonconformities"))
    if audit["status"] == "planned":
        check_proceeds(client, audit)  # no objection to its team open or upheld (004 §5.2.1)
    clause = require_text(clause, "不符合的条款", "the clause not met", "001 §4.4.5.2 g")
    description = require_text(description, "不符合事实描述", "a description of the nonconformity", "001 §4.4.5.2 g")
    not_before(occurred_on, audit["start_on"], "审核开始日期", "the audit's start date")
    return clause, description


def check_response(client: Any, *, nc_id: str, correction: str, corrective_action: str, occurred_on: date) -> tuple[str, str]:
    """The client's correction and corrective action (001 §4.5.1) for an open nonconformity."""
    nc = get(client, client.nonconformities, nc_id, "不符合项", "nonconformity")
    require(nc["status"] != "closed", "001 §4.5", f"不符合项 {nc_id} 已关闭。", f"Nonconformity {nc_id} is already closed.")
    correction = require_text(correction, "纠正（001 §4.5.1）", "the correction (001 §4.5.1)", "001 §4.5.1")
    corrective_action = require_text(corrective_action, "纠正措施及原因分析（001 §4.5.1）", "the corrective action and cause analysis (001 §4.5.1)", "001 §4.5.1")
    not_before(occurred_on, nc["raised_on"], "不符合项开具日期", "the date the nonconformity was raised")
    return correction, corrective_action


def check_verification(client: Any, *, nc_id: str, verification: str, occurred_on: date) -> str:
    """The verification that closes a responded nonconformity (001 §4.5.2); returns the finding."""
    nc = get(client, client.nonconformities, nc_id, "不符合项", "nonconformity")
    require(nc["status"] != "closed", "001 §4.5.2", f"不符合项 {nc_id} 已于 {nc['closed_on']} 验证关闭。", f"Nonconformity {nc_id} was verified and closed on {nc['closed_on']}.")
    require(
        nc["status"] == "responded",
        "001 §4.5.2",
        f"不符合项 {nc_id} 尚未提交纠正和纠正措施，无法验证；请先录入纠正（correction）。",
        f"Nonconformity {nc_id} has no correction and corrective action to verify yet; record them first.",
    )
    verification = require_text(verification, "验证结论（001 §4.5.2）", "the verification finding (001 §4.5.2)", "001 §4.5.2")
    not_before(occurred_on, nc["responded_on"], "纠正提交日期", "the date the correction was submitted")
    return verification
