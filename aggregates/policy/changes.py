"""The checks of the changes area (aggregates/changes.py): master data changed by event, the
declared business lines of an application, the assessment of a notified change (001 §4.2.3; 004
§6.9, §6.9.2, §9.3 2), §15) and its follow-ups. Pure functions over the client's state that refuse
with ``RuleViolation`` naming the clause and a command that would be accepted, or return the cleaned
values."""

from __future__ import annotations

from datetime import date
from typing import Any

from aggregates.policy.common import after_registration, current_certificate, get, not_before, require, require_choice, require_text
from aggregates.vocabulary import CHANGE_OUTCOMES, INCIDENT_CHANGE_KINDS, MASTER_DATA_FIELDS

TEXT_FIELDS = ("name", "address", "legal_representative")
LIST_FIELDS = ("top_management", "licences", "business_lines")
SCOPE_FIELDS = ("sites", "business_lines")  # kept on a certificate or an application (_holder)


def clean_lines(lines: list[str], rule: str) -> list[str]:
    """Business lines: non-empty, each named once, in the order given."""
    out: list[str] = []
    for line in lines:
        text = (line or "").strip()
        require(bool(text), rule, "经营类别（业务线）名称不能为空。", "A business line needs a name.")
        require(text not in out, rule, f"经营类别“{text}”重复。", f"Business line '{text}' is given twice.")
        out.append(text)
    return out


def _clean_sites(sites: list[dict[str, str]]) -> list[dict[str, str]]:
    names: list[str] = []
    out = []
    for s in sites:
        name, address = (s.get("name") or "").strip(), (s.get("address") or "").strip()
        require(bool(name and address), "004 §15", "每个场所须写作“名称=地址”，两者都不能为空。", "Each site is NAME=ADDRESS, neither empty.")
        require(name not in names, "004 §15", f"场所“{name}”重复。", f"Site '{name}' is given twice.")
        names.append(name)
        out.append({"name": name, "address": address})
    return out


def current_values(client: Any) -> dict[str, Any]:
    """Every master-data field's value in force now."""
    return {f: client.master_value(f) for f in MASTER_DATA_FIELDS}


def check_record(client: Any, *, values: dict[str, Any], change_id: str | None, occurred_on: date
                 ) -> tuple[dict[str, Any], dict[str, Any], dict[str, list[str]]]:
    """A change of master data effective on ``occurred_on``: at least one field, each changed.
    Returns the cleaned values, the values they replace, and where the scope fields are kept."""
    after_registration(client, occurred_on)
    clean: dict[str, Any] = {}
    for field, value in values.items():
        if field in TEXT_FIELDS:
            clean[field] = require_text(value, MASTER_DATA_FIELDS[field][0], MASTER_DATA_FIELDS[field][1], "004 §15")
        elif field == "headcount":
            require(isinstance(value, int) and value >= 1, "004 §16.2", "认证范围覆盖的人数应为正整数。", "The headcount must be a whole number of at least 1.")
            clean[field] = value
        elif field == "sites":
            clean[field] = _clean_sites(value)
        elif field == "business_lines":
            clean[field] = clean_lines(value, "004 §4.18.2")
        else:
            clean[field] = [x.strip() for x in value if x and x.strip()]
            require(bool(clean[field]), "004 §15", f"必须给出{MASTER_DATA_FIELDS[field][0]}。", f"{MASTER_DATA_FIELDS[field][1]} must be given.")
    require(
        bool(clean), "004 §15",
        "没有给出要变更的主数据；请至少给出一项，例如 change record --name 新名称 --on 生效日期。",
        "No master data given to change; give at least one field, e.g. change record --name NEW-NAME --on EFFECTIVE-DATE.",
    )
    now = current_values(client)
    same = [f for f, v in clean.items() if v == now[f]]
    require(
        not same, "ledger: a change changes something",
        f"{'、'.join(MASTER_DATA_FIELDS[f][0] for f in same)}与现行值相同；只给出确有变化的项。",
        f"{', '.join(MASTER_DATA_FIELDS[f][1] for f in same)}: same as the value in force; give only what changes.",
    )
    if change_id:
        change = get(client, client.changes, change_id, "信息通报", "notified change")
        require(
            change["kind"] not in INCIDENT_CHANGE_KINDS, "004 §15",
            f"信息通报 {change_id} 是投诉或事故，不是主数据变更；请改为关联变更类的通报，或不写 --change。",
            f"Notified change {change_id} is a complaint or incident, not a change of master data; link a change "
            "(legal status, address, representative...) or leave out --change.",
        )
    holders: dict[str, list[str]] = {}
    for field in (f for f in SCOPE_FIELDS if f in clean):
        holders[field] = _holder(client, field, occurred_on)
    return clean, {f: now[f] for f in clean}, holders


def _holder(client: Any, field: str, occurred_on: date) -> list[str]:
    """Where a scope field is kept, as read back (aggregates/state.py): sites on the certificate in
    force, else the latest application; business lines on the open application, else the
    certificate in force, else the latest application. ``["certificate", number]`` or
    ``["application", id]``; the change is dated no earlier than that record."""
    cert = client.certificate_in_force
    app = client.open_application if field == "business_lines" else None
    if app is None and cert is not None:
        number = cert["number"]
        since = max([cert["issued_on"]] + [x["on"] for x in client.scope_changes.values() if x["number"] == number])
        not_before(occurred_on, since, f"证书 {number} 的签发或范围变更日期（场所和经营类别记在证书上）",
                   f"certificate {number}'s issue or scope change (sites and business lines are kept on it)")
        return ["certificate", number]
    require(bool(client.applications), "004 §15", "该组织还没有申请；请先提交申请（application submit）。",
            "The client has no application; submit one first (application submit).")
    app = app or list(client.applications.values())[-1]
    not_before(occurred_on, app["submitted_on"], f"申请 {app['id']} 的提交日期", f"the submission of application {app['id']}")
    return ["application", app["id"]]


def check_lines(client: Any, *, application_id: str, lines: list[str], occurred_on: date) -> list[str]:
    """The business lines declared on an application not yet concluded (004 §4.18.2: each line is
    scored separately). After certification they change with ``change record --business-line``."""
    app = get(client, client.applications, application_id, "申请", "application")
    require(
        app["status"] in ("submitted", "accepted") and not app.get("concluded"), "004 §4.18.2",
        f"申请 {application_id} 已结束；获证后的经营类别变更请用 change record --business-line。",
        f"Application {application_id} is concluded; after certification change the business lines with change record --business-line.",
    )
    not_before(occurred_on, app["submitted_on"], "申请提交日期", "the submission date")
    lines = clean_lines(lines, "004 §4.18.2")
    require(bool(lines), "004 §4.18.2", "至少给出一个经营类别（--line）。", "Give at least one business line (--line).")
    require(lines != app.get("business_lines", []), "ledger: a change changes something", "经营类别与已申报的相同。",
            "These business lines are those already declared.")
    return lines


def check_assessment(client: Any, *, change_id: str, assessor: str, outcomes: list[str], conclusion: str,
                     audit_id: str, scope_change_id: str, occurred_on: date) -> tuple[list[str], str, str]:
    """One assessment of a notified change (001 §4.2.3: the body reviews it; 004 §6.9 b): who, when,
    what follows. Returns the outcomes, the assessor and the conclusion."""
    change = get(client, client.changes, change_id, "信息通报", "notified change")
    done = client.change_assessments.get(change_id)
    require(
        done is None, "001 §4.2.3",
        f"信息通报 {change_id} 已于 {done and done['on']} 评审；后续措施请用 change link 或 change suspend 关联。",
        f"Notified change {change_id} was assessed on {done and done['on']}; link follow-ups with change link or change suspend.",
    )
    not_before(occurred_on, change["notified_on"], f"信息通报 {change_id} 的通报日期", f"the notice of change {change_id}")
    outcomes = list(dict.fromkeys(o.strip() for o in outcomes if o and o.strip()))
    require(bool(outcomes), "001 §4.2.3", f"请给出评审结论（--outcome）：{'、'.join(CHANGE_OUTCOMES)}。",
            f"Give the assessment's outcome (--outcome): {', '.join(CHANGE_OUTCOMES)}.")
    for o in outcomes:
        require_choice(o, CHANGE_OUTCOMES, "评审结论", "assessment outcome")
    require(
        "recorded" not in outcomes or len(outcomes) == 1, "001 §4.2.3",
        "“recorded”（记录在案）表示无需进一步措施，不能与其他结论同时给出。",
        "'recorded' means no further action: it cannot be given with another outcome.",
    )
    assessor = require_text(assessor, "评审人", "the assessor", "001 §4.2.3")
    conclusion = require_text(conclusion, "评审意见", "the assessment's conclusion (--conclusion)", "001 §4.2.3")
    if set(outcomes) & {"scope", "reissue", "unscheduled", "suspension"}:
        current_certificate(client, "valid", occurred_on=occurred_on)
    if audit_id:
        check_audit_link(client, audit_id=audit_id, outcomes=outcomes, change_id=change_id)
    if scope_change_id:
        check_scope_link(client, scope_change_id=scope_change_id, outcomes=outcomes, change_id=change_id)
    return outcomes, assessor, conclusion


def check_audit_link(client: Any, *, audit_id: str, outcomes: list[str], change_id: str) -> None:
    audit = get(client, client.audits, audit_id, "审核", "audit")
    require("unscheduled" in outcomes, "004 §6.9 b", f"信息通报 {change_id} 的评审结论不含非例行监督（unscheduled）。",
            f"The assessment of {change_id} does not call for an unscheduled surveillance (outcome unscheduled).")
    require(
        audit["kind"] == "unscheduled", "004 §6.9 b",
        f"审核 {audit_id} 不是非例行监督；请先策划：audit plan --kind unscheduled。",
        f"Audit {audit_id} is not an unscheduled surveillance; plan one first: audit plan --kind unscheduled.",
    )


def check_scope_link(client: Any, *, scope_change_id: str, outcomes: list[str], change_id: str) -> None:
    get(client, client.scope_changes, scope_change_id, "认证范围变更", "scope change")
    require("scope" in outcomes, "004 §9.3 2)", f"信息通报 {change_id} 的评审结论不含认证范围变更（scope）。",
            f"The assessment of {change_id} does not call for a scope change (outcome scope).")


def check_link(client: Any, *, change_id: str, audit_id: str, scope_change_id: str, occurred_on: date) -> tuple[str, str]:
    """A follow-up recorded after the assessment, linked to it. Returns (kind, ref)."""
    get(client, client.changes, change_id, "信息通报", "notified change")
    done = client.change_assessments.get(change_id)
    require(done is not None, "001 §4.2.3", f"信息通报 {change_id} 尚未评审；请先评审：change assess --change {change_id} --outcome ...。",
            f"Notified change {change_id} is not assessed yet; assess it first: change assess --change {change_id} --outcome ....")
    require(bool(audit_id) != bool(scope_change_id), "ledger: input format", "请给出 --audit 或 --scope-change 之一。",
            "Give exactly one of --audit or --scope-change.")
    not_before(occurred_on, done["on"], "评审日期", "the assessment date")
    kind, ref = ("audit", audit_id) if audit_id else ("scope_change", scope_change_id)
    held = client.change_follow_ups.get(change_id, {}).get(kind)
    require(held is None, "ledger: one follow-up of each kind", f"信息通报 {change_id} 已关联 {held}。", f"Notified change {change_id} is already linked to {held}.")
    if audit_id:
        check_audit_link(client, audit_id=audit_id, outcomes=done["outcomes"], change_id=change_id)
    else:
        check_scope_link(client, scope_change_id=scope_change_id, outcomes=done["outcomes"], change_id=change_id)
    return kind, ref


def check_change_suspension(client: Any, *, change_id: str, late: bool, clause: str) -> dict[str, Any]:
    """A suspension may cite a notified change that came late (004 §15, 001 §4.2.2 c: the duty to
    notify, breached) or one assessed with the outcome suspension. Returns the change."""
    change = get(client, client.changes, change_id, "信息通报", "notified change")
    done = client.change_assessments.get(change_id)
    require(
        late or (done is not None and "suspension" in done["outcomes"]), clause,
        f"信息通报 {change_id} 按期通报，且评审结论不含暂停；请先评审：change assess --change {change_id} --outcome suspension，"
        "或用 certificate suspend 以其他原因暂停。",
        f"Notified change {change_id} came in time and its assessment does not call for suspension; assess it first: "
        f"change assess --change {change_id} --outcome suspension, or suspend for another reason with certificate suspend.",
    )
    held = client.change_follow_ups.get(change_id, {}).get("suspension")
    require(held is None, "ledger: one follow-up of each kind", f"信息通报 {change_id} 已据以暂停（{held}）。",
            f"Notified change {change_id} already led to suspension {held}.")
    return change
