"""Complaints and appeals beyond their first steps (004 §14.1-14.2, §6.9): a complaint accepted or
refused with its notice by people not involved in what it concerns, the certified client told of a
complaint against it, an unscheduled surveillance linked to its cause, an appeal's decision limit
extended, and an upheld appeal's effect: a decision superseding the one appealed. Pure checks over
the client's history; the periods are the procedure's (ledger/rules/deadlines_cases.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from aggregates.errors import NotFound, RuleViolation
from aggregates.policy.appeals import appeal_state, concerned_people, involved_in
from aggregates.policy.common import get, not_before, require, require_text
from aggregates.vocabulary import AUDIT_KINDS, CERTIFICATE_STATUSES, IN_FORCE, word

# A complaint's states as a refusal says them (trial item 10: words, not codes).
_COMPLAINT_STATES = {"open": ("已受理，待处理", "accepted, open"), "accepted": ("已受理", "accepted"),
                     "refused": ("不予受理", "refused"), "resolved": ("已处理完毕", "resolved")}

# What gives an upheld appeal against an act other than a certification decision its effect (004 §14.1.3 (4):
# the appeal's decision binds the body), named in the refusal of ``appeal redecide``.
EFFECT_OF = {
    "refusal": ("appeal effect（恢复申请评审的受理）", "appeal effect (the application accepted)"),
    "suspension": ("appeal effect（撤销暂停、恢复证书）", "appeal effect (the suspension annulled, the certificate restored)"),
    "withdrawal": ("appeal effect（撤销撤证决定、恢复证书）", "appeal effect (the withdrawal reversed, the certificate reinstated)"),
    "scope_reduction": ("appeal effect（恢复认证范围）", "appeal effect (the scope restored)"),
}


def effect_command(client: Any, appeal: dict[str, Any]) -> str:
    """The command that gives an upheld appeal its effect: a new decision for an appealed certification
    decision, ``appeal effect`` for every other appealable act."""
    return "appeal redecide" if appeal["against"] in client.decisions else "appeal effect"


def _people(names: list[str], rule: str, zh: str, en: str) -> list[str]:
    members = list(dict.fromkeys(p.strip() for p in names if p and p.strip()))
    require(bool(members), rule, zh, en)
    return members


def check_complaint_admission(client: Any, *, complaint_id: str, accepted: bool, deciders: list[str], concerns: list[str],
                              reason: str, notice_on: date, occurred_on: date) -> tuple[list[str], list[str], str]:
    """A complaint accepted or refused once (004 §14.2.2), with the 受理通知 sent no earlier than the
    decision, by people not involved in the audits and decisions it concerns (004 §14.2.3.4). Returns
    the deciders, the concerns and the reason, trimmed."""
    complaint = get(client, client.complaints, complaint_id, "投诉", "complaint")
    require(
        complaint["status"] == "open" and not complaint.get("admission"),
        "004 §14.2.2",
        f"投诉 {complaint_id} 已有受理决定或已处理完毕（{word(_COMPLAINT_STATES, complaint['status'])}）；如需记录书面处理结果，"
        f"请用 certledger complaint resolve --client {client.uscc} --complaint {complaint_id} --result 处理结果。",
        f"Complaint {complaint_id} already has its admission decision or is resolved ({word(_COMPLAINT_STATES, complaint['status'], 'en')}); "
        f"to record its written result use certledger complaint resolve --client {client.uscc} --complaint {complaint_id} --result TEXT.",
    )
    members = _people(deciders, "004 §14.2.3.4", "请用 --decider 列出作出受理决定的人员。", "Name who decided with --decider (repeat for each).")
    refs = list(dict.fromkeys(c.strip() for c in concerns if c and c.strip()))
    unknown = [r for r in refs if r not in client.audits and r not in client.decisions]
    if unknown:
        known = ", ".join([*client.audits, *client.decisions]) or "—"
        raise NotFound(
            "ledger: reference exists",
            f"{client.name} 没有审核或认证决定 {', '.join(unknown)}；--concerns 可为：{known}。",
            f"{client.name} has no audit or decision {', '.join(unknown)}; --concerns takes one of: {known}.",
        )
    for ref, people in concerned_people(client, refs).items():
        involved = people & set(members)
        require(
            not involved,
            "004 §14.2.3.4",
            f"{'、'.join(sorted(involved))} 参与了投诉所涉及的{'审核' if ref in client.audits else '认证决定'} {ref}，"
            "不能对该投诉作出决定（004 §14.2.3.4）；请由与投诉事项无关的人员以 --decider 作出决定。",
            f"{', '.join(sorted(involved))} took part in {'audit' if ref in client.audits else 'decision'} {ref}, which the "
            "complaint concerns, and may not decide on it (004 §14.2.3.4); name people not involved with --decider.",
        )
    if not accepted:
        reason = require_text(reason, "不予受理投诉的理由", "the reason for refusing the complaint", "004 §14.2.2")
    not_before(occurred_on, complaint["received_on"], "投诉收到日期", "the date the complaint was received")
    not_before(notice_on, occurred_on, "受理决定日期", "the date of the admission decision")
    return members, refs, (reason or "").strip()


def check_client_informed(client: Any, *, complaint_id: str, how: str, occurred_on: date) -> str:
    """The certified client told of an accepted complaint against it (004 §14.2.3.3), once. Returns
    what it was told and how, trimmed."""
    complaint = get(client, client.complaints, complaint_id, "投诉", "complaint")
    admission = complaint.get("admission") or {}
    require(
        bool(admission.get("accepted")),
        "004 §14.2.3.3",
        f"投诉 {complaint_id} 尚未受理（或不予受理）；请先用 complaint admit --accept 记录受理决定。",
        f"Complaint {complaint_id} is not accepted; record its acceptance first with complaint admit --accept.",
    )
    require(
        bool(admission.get("about_client")),
        "004 §14.2.3.3",
        f"投诉 {complaint_id} 受理时未标明针对获证客户（--about-client），无须告知该客户；书面处理结果用 complaint resolve 记录。",
        f"Complaint {complaint_id} was not accepted as one against the certified client (--about-client): there is no "
        "duty to tell the client; record the written result with complaint resolve.",
    )
    informed = complaint.get("client_informed")
    require(
        informed is None,
        "004 §14.2.3.3",
        f"已于 {informed and informed['on']} 将投诉 {complaint_id} 告知该客户。",
        f"The client was told of complaint {complaint_id} on {informed and informed['on']}.",
    )
    not_before(occurred_on, admission["on"], "投诉受理日期", "the date the complaint was accepted")
    return require_text(how, "告知的方式和内容", "how and what the client was told", "004 §14.2.3.3")


def cause_of(client: Any, *, complaint: str, regulator: str, regulator_on: date | None) -> tuple[str, str, date, str]:
    """The one cause of an unscheduled surveillance linked here (004 §6.9 a, c): (kind, id, the date
    its period counts from, description). A notified change (b) is linked by the changes area after
    its assessment (``change link --audit``). A regulator action gets its id (RA1, RA2...) here."""
    given = [k for k, v in (("complaint", complaint), ("regulator", regulator)) if (v or "").strip()]
    require(
        len(given) == 1,
        "004 §6.9",
        "请给出非例行监督的一个原因：--complaint（投诉，004 §6.9 a）或 --regulator（行政监管部门查处或媒体曝光，c）之一；"
        "信息通报的变更（b）在评审后用 change link --change N.. --audit A.. 关联。",
        "Give the one cause of the unscheduled surveillance: --complaint (004 §6.9 a) or --regulator (a regulator's action or "
        "media exposure, c); a notified change (b) is linked after its assessment with change link --change N.. --audit A...",
    )
    if given[0] == "complaint":
        c = get(client, client.complaints, complaint.strip(), "投诉", "complaint")
        require(
            c["status"] != "refused",
            "004 §6.9 a",
            f"投诉 {c['id']} 已不予受理，不能作为非例行监督的原因；请用 --regulator 给出其他原因，或不关联。",
            f"Complaint {c['id']} was refused and cannot be the cause of an unscheduled surveillance; give another cause "
            "with --regulator, or link none.",
        )
        since = (c.get("admission") or {}).get("on") or c["received_on"]
        return "complaint", c["id"], since, c["subject"]
    require(
        regulator_on is not None,
        "004 §6.9 c",
        "请用 --regulator-on 给出本机构获知监管部门查处或媒体曝光的日期。",
        "Give with --regulator-on the date the body learned of the regulator's action or the media exposure.",
    )
    assert regulator_on is not None
    not_before(regulator_on, client.registered_on, "该组织的登记日期", "the client's registration date")
    n = sum(1 for a in client.audits.values() for x in a.get("causes", ()) if x["kind"] == "regulator")
    return "regulator", f"RA{n + 1}", regulator_on, regulator.strip()


def check_unscheduled_link(client: Any, *, audit_id: str, kind: str, cause_id: str, since: date, occurred_on: date) -> dict[str, Any]:
    """An unscheduled surveillance audit (004 §6.9) linked to a cause it follows, once per cause.
    Returns the audit."""
    audit = get(client, client.audits, audit_id, "审核", "audit")
    require(
        audit["kind"] == "unscheduled",
        "004 §6.9",
        f"审核 {audit_id} 是{AUDIT_KINDS[audit['kind']][0]}，不是非例行监督；请先用 audit plan --kind unscheduled 策划非例行监督。",
        f"Audit {audit_id} is a {AUDIT_KINDS[audit['kind']][1]}, not an unscheduled surveillance; plan one with "
        "audit plan --kind unscheduled.",
    )
    linked = [a["id"] for a in client.audits.values() for x in a.get("causes", ()) if x["kind"] == kind and x["id"] == cause_id]
    require(
        not linked,
        "004 §6.9",
        f"{cause_id} 已关联非例行监督 {', '.join(linked)}。",
        f"{cause_id} is already linked to unscheduled surveillance {', '.join(linked)}.",
    )
    require(
        audit["planned_on"] >= since,
        "004 §6.9",
        f"审核 {audit_id} 于 {audit['planned_on']} 策划，早于其原因 {cause_id}（{since}）；非例行监督在原因出现之后策划，请为此另行策划（audit plan --kind unscheduled）。",
        f"Audit {audit_id} was planned on {audit['planned_on']}, before its cause {cause_id} ({since}); an unscheduled "
        "surveillance follows its cause: plan one for it (audit plan --kind unscheduled).",
    )
    not_before(occurred_on, audit["planned_on"], "审核策划日期", "the audit's planning date")
    return audit


def _decision_limit_open(client: Any, appeal_id: str) -> dict[str, Any]:
    appeal = get(client, client.appeals, appeal_id, "申诉", "appeal")
    require(
        appeal["status"] in ("accepted", "heard"),
        "004 §14.1.3 (4)",
        f"申诉 {appeal_id} {appeal_state(client, appeal)[0]}；只有已受理、尚未裁定的申诉才能延期。",
        f"Appeal {appeal_id} {appeal_state(client, appeal)[1]}; only an accepted appeal not yet decided can be extended.",
    )
    return appeal


def check_appeal_extension(client: Any, *, appeal_id: str, approved_by: str, reason: str, occurred_on: date) -> tuple[str, str]:
    """The extension of an accepted appeal's decision limit, once, approved by the responsible
    manager with its special circumstances (004 §14.1.3 (4)). The limit and the notice's timing are
    the procedure's (ledger/rules/deadlines_cases.py). Returns the approver and the reason."""
    appeal = _decision_limit_open(client, appeal_id)
    ext = appeal.get("extension")
    require(
        ext is None,
        "004 §14.1.3 (4)",
        f"申诉 {appeal_id} 已于 {ext and ext['on']} 延期至 {ext and ext['until']}；不能再次延期，请在期限内用 appeal decide 作出裁定。",
        f"Appeal {appeal_id} was already extended on {ext and ext['on']} to {ext and ext['until']}; it is not extended "
        "twice: decide it within that limit with appeal decide.",
    )
    approved_by = require_text(approved_by, "批准延期的主管领导（--approved-by）", "the manager who approved the extension (--approved-by)",
                               "004 §14.1.3 (4)")
    reason = require_text(reason, "延期的特殊情况", "the special circumstances of the extension", "004 §14.1.3 (4)")
    not_before(occurred_on, appeal["admitted_on"], "申诉受理日期", "the date the appeal was accepted")
    return approved_by, reason


def upheld_effect_pending(client: Any, decision_id: str) -> dict[str, Any] | None:
    """The upheld appeal against ``decision_id`` whose effect (a superseding decision) is not yet
    recorded, or None."""
    for a in client.appeals.values():
        if a["against"] == decision_id and a["status"] == "decided" and a["outcome"] == "upheld" and not a.get("effect"):
            return a
    return None


def _upheld(client: Any, appeal_id: str) -> dict[str, Any]:
    """An appeal decided as upheld and not yet given its effect."""
    appeal = get(client, client.appeals, appeal_id, "申诉", "appeal")
    require(
        appeal["status"] == "decided" and appeal["outcome"] == "upheld",
        "004 §14.1.3 (4)",
        f"申诉 {appeal_id} 未裁定为成立：{appeal_state(client, appeal)[0]}；只有裁定为成立（appeal decide --outcome upheld）的申诉才需要落实。",
        f"Appeal {appeal_id} is not upheld: it {appeal_state(client, appeal)[1]}; only an appeal decided as upheld "
        "(appeal decide --outcome upheld) is given an effect.",
    )
    done = appeal.get("effect")
    require(not done, "004 §14.1.3 (4)", f"申诉 {appeal_id} 的结果已经落实（{done}）。", f"Appeal {appeal_id} was already given effect ({done}).")
    return appeal


def check_superseding(client: Any, *, appeal_id: str, decider: str, occurred_on: date) -> tuple[dict[str, Any], dict[str, Any]]:
    """An upheld appeal against a certification decision, not yet given effect, and a decider not
    involved in the decision appealed (004 §14.1.3 (6)). Returns the appeal and the decision appealed;
    the decision's own rules (001 §4.6) are ``decisions.check_decidable(..., supersedes=...)``."""
    appeal = _upheld(client, appeal_id)
    against = appeal["against"]
    if against not in client.decisions:
        kind = client.appealable.get(against, {}).get("kind", "")
        zh, en = EFFECT_OF.get(kind, ("相应的命令", "the corresponding command"))
        raise RuleViolation(
            "004 §14.1.3 (4)",
            f"申诉 {appeal_id} 针对的 {against} 不是认证决定，不以新的认证决定产生效果；请用 {zh} 落实申诉结果。",
            f"Appeal {appeal_id} is against {against}, which is not a certification decision, so its effect is not a new "
            f"decision: give it effect with {en}.",
        )
    appealed = client.decisions[against]
    on_audit = [d["id"] for d in client.decisions.values() if d["audit_id"] == appealed["audit_id"]]
    later = on_audit[on_audit.index(against) + 1:]
    require(
        not later,
        "004 §14.1.3 (4)",
        f"审核 {appealed['audit_id']} 在 {against} 之后已有认证决定 {', '.join(later)}；请针对最新的决定提出申诉。",
        f"Audit {appealed['audit_id']} has decision {', '.join(later)} after {against}; appeal the latest decision.",
    )
    name = (decider or "").strip()
    involved = involved_in(client, client.appealable[against]) & {name}
    require(
        not involved,
        "004 §14.1.3 (6)",
        f"{name} 参与了被申诉的决定 {against}，不能作出取代它的新决定（004 §14.1.3 (6)）；请由与申诉事项无关的人员以 --decider 作出。",
        f"{name} took part in the decision appealed ({against}) and may not make the decision that supersedes it "
        "(004 §14.1.3 (6)); name someone not involved with --decider.",
    )
    not_before(occurred_on, appeal["decided_on"], "申诉裁定日期", "the date the appeal was decided")
    return appeal, appealed


def check_superseding_outcome(client: Any, appealed: dict[str, Any], granted: bool, grade: str | None) -> None:
    """A superseding decision that does not grant cannot take away a certificate resting on the
    decision appealed (that is a suspension or withdrawal, 001 §7.2-7.3)."""
    require(
        not granted or grade is not None,
        "001 附录A 评分结果",
        "得分未达到任何等级，不能作出通过认证的决定。",
        "The score reaches no grade: certification cannot be granted.",
    )
    cert = client.certificates.get(appealed.get("certificate_no") or "")
    if appealed["application_id"] is None:
        cert = client.certificate
    require(
        granted or cert is None or cert["status"] not in IN_FORCE or appealed["application_id"] is None,
        "001 §7.2",
        f"证书 {cert and cert['number']} 依据被申诉的决定 {appealed['id']} 颁发；成立的申诉不以不通过的决定取消证书。"
        "如需暂停或撤销，请用 certificate suspend 或 certificate withdraw。",
        f"Certificate {cert and cert['number']} rests on the decision appealed ({appealed['id']}); an upheld appeal does "
        "not take it away by a negative decision. To suspend or withdraw it use certificate suspend or certificate withdraw.",
    )


def check_appeal_effect(client: Any, *, appeal_id: str, sites: list[dict[str, str]] | None, reason: str,
                        occurred_on: date) -> dict[str, Any]:
    """The effect of an upheld appeal against an act other than a certification decision (004 §14.1.1
    appealable acts; §14.1.3 (4) the appeal's decision binds): a refused application accepted, a
    running suspension annulled with the certificate restored (an ended one annulled in the record), a
    withdrawal reversed with the certificate valid again while its validity lasts (a suspension it
    followed ends with it: the appeal found the withdrawal wrong), a reduced scope restored (its sites given again with
    ``--site`` if the reduction removed some). Returns the event's fields: ``kind``, ``target``,
    ``number``, ``status`` (the certificate's new status or None), ``scope``, ``sites``, ``reason``."""
    appeal = _upheld(client, appeal_id)
    target = appeal["against"]
    kind = client.appealable.get(target, {}).get("kind", "")
    require(
        kind != "decision", "004 §14.1.3 (4)",
        f"申诉 {appeal_id} 针对认证决定 {target}：其结果以新的认证决定落实，请用 appeal redecide --appeal {appeal_id}。",
        f"Appeal {appeal_id} is against certification decision {target}: its effect is a new decision; use appeal redecide --appeal {appeal_id}.",
    )
    reason = require_text(reason, "落实申诉结果的说明（--reason）", "what the appeal's effect is (--reason)", "004 §14.1.3 (4)")
    not_before(occurred_on, appeal["decided_on"], "申诉裁定日期", "the date the appeal was decided")
    out: dict[str, Any] = {"kind": kind, "target": target, "number": None, "status": None, "scope": None, "sites": None, "reason": reason}
    if sites is not None:
        require(kind == "scope_reduction", "ledger: input format", "--site 只用于恢复被缩小的认证范围。",
                "--site is given only to restore a reduced scope.")
    if kind == "refusal":
        latest = list(client.applications)[-1]
        require(
            latest == target, "004 §14.1.3 (4)",
            f"被拒绝的申请 {target} 之后已有申请 {latest}；申诉结果无需再恢复 {target}，请在 {latest} 上继续。",
            f"Application {latest} was submitted after the refused {target}; carry on with {latest} rather than reviving {target}.",
        )
        return out
    if kind == "suspension":
        s = client.suspensions[target]
        cert = client.certificates[s["number"]]
        out["number"] = cert["number"]
        if cert["status"] == "suspended" and cert.get("suspension_id") == target:
            out["status"] = "valid"
            return out
        require(
            s["restored_on"] is not None, "004 §14.1.3 (4)",
            f"证书 {cert['number']} 在暂停 {target} 之后已为“{word(CERTIFICATE_STATUSES, cert['status'])}”；如对该后续决定有异议，请对其提出申诉（appeal lodge），"
            "或重新申请认证（application submit）。",
            f"Certificate {cert['number']} is {word(CERTIFICATE_STATUSES, cert['status'], 'en').lower()} since suspension {target}; appeal that later act (appeal lodge) "
            "or apply for certification again (application submit).",
        )
        return out  # the suspension already ended: annulled in the record only
    if kind == "withdrawal":
        w = client.withdrawals[target]
        cert = client.certificates[w["number"]]
        out["number"] = cert["number"]
        require(
            cert is client.certificate and cert["status"] == "withdrawn", "004 §14.1.3 (4)",
            f"证书 {cert['number']} 已不是因撤销 {target} 而失效的现行证书（状态：{word(CERTIFICATE_STATUSES, cert['status'])}）；请在现行证书或新的申请上继续。",
            f"Certificate {cert['number']} is no longer the current certificate withdrawn by {target} (status: {word(CERTIFICATE_STATUSES, cert['status'], 'en').lower()}); "
            "carry on with the current certificate or a new application.",
        )
        require(
            cert["valid_until"] >= occurred_on, "001 §8.2",
            f"证书 {cert['number']} 的有效期已于 {cert['valid_until']} 届满，不能恢复；申诉成立的结果请以重新申请认证落实（application submit）。",
            f"Certificate {cert['number']}'s validity ended on {cert['valid_until']}, so it cannot be reinstated; give the appeal "
            "its effect with a new certification (application submit).",
        )
        out["status"] = "valid"  # the appeal reverses the withdrawal and what it ended: a suspension it followed ends with it
        return out
    sc = client.scope_changes[target]
    cert = client.certificates[sc["number"]]
    ids = list(client.scope_changes)
    later = [x for x in ids[ids.index(target) + 1:] if client.scope_changes[x]["number"] == sc["number"]]
    require(
        cert["status"] in IN_FORCE and not later, "004 §14.1.3 (4)",
        f"证书 {cert['number']}（{word(CERTIFICATE_STATUSES, cert['status'])}）在缩小范围 {target} 之后{'又有范围变更 ' + ', '.join(later) if later else '已不在有效期内'}；"
        "请用 certificate scope --kind extend 记录恢复的范围。",
        f"Certificate {cert['number']} ({word(CERTIFICATE_STATUSES, cert['status'], 'en').lower()}) has {'scope changes ' + ', '.join(later) if later else 'left force'} "
        f"since reduction {target}; record the restored scope with certificate scope --kind extend.",
    )
    out.update(number=cert["number"], scope=sc["old_scope"], sites=sites if sites is not None else cert["sites"])
    return out
