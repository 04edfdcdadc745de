"""What reaches the body from outside: changes the client notifies (001 §4.2.2 c, 004 §15),
complaints (004 §14.2) and appeals (001 §11, 004 §14.1), whose panels and deciders took no part in
the decision appealed (004 §14.1.3 (6)). The appeal's periods are the procedure's
(ledger/rules/lifecycle.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from aggregates.errors import NotFound
from aggregates.policy.common import after_registration, get, not_before, require, require_choice, require_text
from aggregates.vocabulary import APPEAL_OUTCOMES, APPEAL_STATUSES, CHANGE_KINDS, OPEN_APPEAL_STATUSES, word


def check_change_notice(client: Any, *, kind: str, changed_on: date, description: str, occurred_on: date) -> str:
    """A change the client notifies, dated no later than the notice; returns the description."""
    require_choice(kind, CHANGE_KINDS, "变更类型", "change kind")
    description = require_text(description, "变更内容", "a description of the change", "004 §15")
    require(
        changed_on <= occurred_on,
        "004 §15",
        f"变更发生日期 {changed_on} 晚于通报日期 {occurred_on}；请核对日期。",
        f"The change date {changed_on} is after the date it was notified {occurred_on}; check the dates.",
    )
    after_registration(client, occurred_on)
    return description


def check_complaint(client: Any, *, complainant: str, subject: str, occurred_on: date) -> tuple[str, str]:
    complainant = require_text(complainant, "投诉人", "the complainant", "004 §14.2.1")
    subject = require_text(subject, "投诉内容", "what the complaint is about", "004 §14.2.1")
    after_registration(client, occurred_on)
    return complainant, subject


def check_complaint_result(client: Any, *, complaint_id: str, result: str, occurred_on: date, actor: str | None = None) -> str:
    """The written result of an open complaint (004 §14.2.3.1), recorded by someone not involved in
    what it concerns (004 §14.2.3.4, as its acceptance); returns it."""
    complaint = get(client, client.complaints, complaint_id, "投诉", "complaint")
    require(complaint["status"] != "refused", "004 §14.2.2",
            f"投诉 {complaint_id} 已不予受理（{(complaint.get('admission') or {}).get('on')}），受理通知即其答复，无须书面处理结果；"
            "如有新的投诉，请用 complaint receive 记录。",
            f"Complaint {complaint_id} was refused ({(complaint.get('admission') or {}).get('on')}); its notice is the answer and "
            "there is no written result; record a new complaint with complaint receive.")
    require(complaint["status"] in ("open", "accepted"), "004 §14.2.3", f"投诉 {complaint_id} 已于 {complaint['resolved_on']} 处理完毕。",
            f"Complaint {complaint_id} was resolved on {complaint['resolved_on']}.")
    result = require_text(result, "处理结果（书面通知内容）", "the written result", "004 §14.2.3.1")
    not_before(occurred_on, complaint["received_on"], "投诉收到日期", "the date the complaint was received")
    if complaint.get("admission"):
        not_before(occurred_on, complaint["admission"]["on"], "投诉受理日期", "the date the complaint was accepted")
        recorder = (actor or "").strip()
        for ref, people in concerned_people(client, complaint["admission"].get("concerns") or []).items():
            require(recorder not in people, "004 §14.2.3.4",
                    f"{recorder} 参与了投诉所涉及的{'审核' if ref in client.audits else '认证决定'} {ref}，不得处理该投诉；"
                    "请由未参与的人员以 --actor 记录处理结果。",
                    f"{recorder} took part in {'audit' if ref in client.audits else 'decision'} {ref}, which the complaint "
                    "concerns, and may not decide its result (004 §14.2.3.4); record it with --actor naming someone not involved.")
    return result


def check_appeal(client: Any, *, against: str, grounds: str, occurred_on: date) -> str:
    """An appeal against one of the client's appealable decisions (004 §14.1.1), one open appeal per
    decision, with written grounds; returns the grounds. Its lodging period is the procedure's."""
    appealable = client.appealable
    if against not in appealable:
        known = ", ".join(f"{k}（{v['kind']}，{v['on']}）" for k, v in appealable.items()) or "—"
        raise NotFound(
            "004 §14.1.1",
            f"{client.name} 没有可申诉的决定 {against}；可申诉的决定：{known}。",
            f"{client.name} has no appealable decision {against}; appealable decisions: {known}.",
        )
    pending = [a["id"] for a in client.appeals.values() if a["against"] == against and a["status"] in OPEN_APPEAL_STATUSES]
    require(
        not pending,
        "004 §14.1",
        f"针对 {against} 的申诉 {', '.join(pending)} 尚未结案；请在该申诉中补充理由，而非重复提出。",
        f"Appeal {', '.join(pending)} against {against} is still open; add to it rather than lodging another.",
    )
    grounds = require_text(grounds, "申诉理由（书面）", "the written grounds of the appeal", "004 §14.1.1")
    not_before(occurred_on, appealable[against]["on"], f"被申诉决定 {against} 的日期", f"the date of decision {against}")
    return grounds


def check_admission(client: Any, *, appeal_id: str, accepted: bool, reason: str, occurred_on: date,
                    deciders: list[str] | None = None, actor: str | None = None) -> tuple[str, list[str]]:
    """An appeal accepted or refused (004 §14.1.2); a refusal needs its reason and, as it decides the
    appeal, the people who decided it, none involved in the decision appealed (004 §14.1.3 (6));
    people named for an acceptance are held to the same. An acceptance naming no one is decided by
    its ``actor``, who is held to the same (trial 12, item 12). Returns the reason and the deciders."""
    appeal = get(client, client.appeals, appeal_id, "申诉", "appeal")
    require(appeal["status"] == "lodged", "004 §14.1.2", f"申诉 {appeal_id} 已作出受理决定。", f"Appeal {appeal_id} already has an admission decision.")
    if not accepted:
        reason = require_text(reason, "不予受理申诉的理由", "the reason for refusing the appeal", "004 §14.1.2")
    members = [p.strip() for p in deciders or () if p and p.strip()]
    require(
        accepted or bool(members), "004 §14.1.3 (6)",
        "不予受理即对申诉作出了决定：请用 --decider 列出作出该决定的人员（与被申诉的决定无关的人员，004 §14.1.3 (6)）。",
        "Refusing an appeal decides it: name who decided with --decider (people not involved in the decision appealed, 004 §14.1.3 (6)).",
    )
    if members:
        _uninvolved(client, appeal, members, "受理决定人员", "an admission decider")
    elif actor:  # no one named: the actor decides the admission
        _uninvolved(client, appeal, [actor], "受理决定人员", "an admission decider")
    not_before(occurred_on, appeal["lodged_on"], "申诉提出日期", "the date the appeal was lodged")
    return (reason or "").strip(), members


def concerned_people(client: Any, concerns: list[str]) -> dict[str, set[str]]:
    """The people involved in each audit or decision a complaint concerns: an audit's team; a
    decision's decider and recorder and its audit's team (``involved_in``)."""
    out: dict[str, set[str]] = {}
    for ref in concerns:
        if ref in client.audits:
            out[ref] = set(client.audits[ref]["team"])
        elif ref in client.decisions:
            d = client.decisions[ref]
            out[ref] = involved_in(client, {"decider": d["decider"], "actor": d["actor"], "audit_id": d["audit_id"]})
    return out


def involved_in(client: Any, appealable: dict[str, Any]) -> set[str]:
    """People involved in an appealable decision: its decider, its recorder, its audit teams."""
    people = {appealable.get("decider"), appealable.get("actor")}
    audit_id = appealable.get("audit_id")
    if audit_id and audit_id in client.audits:
        people.update(client.audits[audit_id]["team"])
        application_id = client.audits[audit_id]["application_id"]
        if application_id:
            for a in client.audits.values():
                if a["application_id"] == application_id:
                    people.update(a["team"])
    return {p for p in people if p}


def _uninvolved(client: Any, appeal: dict[str, Any], people: list[str], role_zh: str, role_en: str, option: str = "--decider") -> None:
    involved = involved_in(client, client.appealable[appeal["against"]]) & set(people)
    require(
        not involved,
        "004 §14.1.3 (6)",
        f"{'、'.join(sorted(involved))} 参与了被申诉的决定 {appeal['against']}，不能作为申诉的{role_zh}（004 §14.1.3 (6)）；"
        f"请以 {option} 另选未参与该决定的申诉投诉处理人员。",
        f"{', '.join(sorted(involved))} took part in the decision appealed ({appeal['against']}) and may not act as {role_en} of the appeal "
        f"(004 §14.1.3 (6)); name someone who took no part in it with {option} (a complaint and appeal handler).",
    )


def appeal_state(client: Any, appeal: dict[str, Any]) -> tuple[str, str]:
    """Where an appeal stands, in words, with the command that takes it on (trial item 10: no state
    code, a next step), as the predicate of a sentence about it: "申诉 AL1 尚未作出受理决定…：appeal
    admit …" / "Appeal AL1 has no admission decision yet…"."""
    status, ref = appeal["status"], f"--client {client.uscc} --appeal {appeal['id']}"
    if status == "lodged":
        return (f"尚未作出受理决定（{word(APPEAL_STATUSES, status)}）；请先决定是否受理：certledger appeal admit {ref} --accept"
                f"（或 --refuse --reason 理由 --decider 姓名）",
                f"has no admission decision yet ({word(APPEAL_STATUSES, status, 'en')}); accept or refuse it first: "
                f"certledger appeal admit {ref} --accept (or --refuse --reason TEXT --decider NAME)")
    if status == "heard":
        return (f"已听证；下一步是裁定：certledger appeal decide {ref} --outcome 结果 --result 书面处理结果 --decider 姓名",
                f"is heard; its next step is the decision: certledger appeal decide {ref} --outcome OUTCOME --result TEXT --decider NAME")
    if status == "refused":
        return ("已不予受理，申诉处理已结束", "was refused at admission; the appeal is closed")
    if status == "decided":
        outcome = appeal.get("outcome")
        return (f"已裁定为“{word(APPEAL_OUTCOMES, outcome) if outcome else '—'}”，申诉处理已结束",
                f"is decided: {word(APPEAL_OUTCOMES, outcome, 'en') if outcome else '—'}; the appeal is closed")
    return f"{word(APPEAL_STATUSES, status)}", f"is {word(APPEAL_STATUSES, status, 'en')}"


def check_hearing(client: Any, *, appeal_id: str, hearing_on: date, notice_given_on: date, panel: list[str],
                  occurred_on: date) -> list[str]:
    """The hearing of an accepted appeal by an uninvolved panel, notified before it (004 §14.1.3);
    returns the panel, trimmed. The notice and hearing periods are the procedure's."""
    appeal = get(client, client.appeals, appeal_id, "申诉", "appeal")
    require(
        appeal["status"] == "accepted",
        "004 §14.1.3",
        f"申诉 {appeal_id} {appeal_state(client, appeal)[0]}；只有已受理的申诉才能召开听证会议。",
        f"Appeal {appeal_id} {appeal_state(client, appeal)[1]}; only an accepted appeal is heard.",
    )
    members = [p.strip() for p in panel if p and p.strip()]
    require(bool(members), "004 §14.1.3 (4)", "请列出参加听证的人员。", "Name the people on the hearing panel.")
    _uninvolved(client, appeal, members, "听证人员", "a panel member", "--panel")
    require(
        notice_given_on <= hearing_on,
        "004 §14.1.3 (2)",
        "通知日期不能晚于会议日期。",
        "The notice cannot be given after the hearing.",
    )
    not_before(notice_given_on, appeal["admitted_on"], "申诉受理日期", "the date the appeal was accepted")
    not_before(occurred_on, appeal["admitted_on"], "申诉受理日期", "the date the appeal was accepted")
    return members


def check_appeal_decision(client: Any, *, appeal_id: str, outcome: str, result: str, deciders: list[str],
                          occurred_on: date) -> tuple[list[str], str]:
    """The decision of an accepted appeal by uninvolved people, with its written result (001 §11,
    004 §14.1.3). Returns the deciders and the result, trimmed."""
    appeal = get(client, client.appeals, appeal_id, "申诉", "appeal")
    require(
        appeal["status"] in ("accepted", "heard"),
        "004 §14.1.3",
        f"申诉 {appeal_id} {appeal_state(client, appeal)[0]}；只有已受理的申诉才能作出裁定。",
        f"Appeal {appeal_id} {appeal_state(client, appeal)[1]}; only an accepted appeal can be decided.",
    )
    require_choice(outcome, APPEAL_OUTCOMES, "申诉裁定结果", "appeal outcome")
    members = [p.strip() for p in deciders if p and p.strip()]
    require(bool(members), "004 §14.1.3 (4)", "请列出作出裁定的人员。", "Name the people who decided the appeal.")
    _uninvolved(client, appeal, members, "裁定人员", "a decider")
    result = require_text(result, "书面处理结果（001 §11）", "the written result (001 §11)", "001 §11")
    not_before(occurred_on, appeal["admitted_on"], "申诉受理日期", "the date the appeal was accepted")
    return members, result
