"""The certificate's life: issue (001 §8), report to the CNCA (001 §4.6.6), suspension and
restoration (001 §7.2, 004 §8.1-8.2), withdrawal (001 §7.3, 004 §8.3), cancellation, expiry
(001 §8.2) and scope changes. The reason codes and the lapse of a suspension are the procedure's
(ledger/rules/procedures.py, lifecycle.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from aggregates.policy.common import current_certificate, get, not_before, require, require_choice, require_text
from aggregates.vocabulary import IN_FORCE, SCOPE_CHANGE_KINDS


def check_issue(client: Any, *, decision_id: str, number: str, valid_from: date, valid_until: date, standard: str,
                occurred_on: date) -> tuple[dict[str, Any], str, date, str | None]:
    """The certificate of a positive decision on an application, once, under a new number. Returns the
    decision, the standard's text, the original issue date (kept on recertification and upgrade) and
    the number of the certificate it replaces."""
    decision = get(client, client.decisions, decision_id, "认证决定", "certification decision")
    require(
        decision["granted"],
        "001 §4.6.4",
        f"认证决定 {decision_id} 为不通过，不能颁发证书（001 §4.6.4、§4.6.5）。",
        f"Decision {decision_id} did not grant certification; no certificate can be issued (001 §4.6.4, §4.6.5).",
    )
    require(
        decision["application_id"] is not None,
        "001 §5.8",
        f"认证决定 {decision_id} 是监督决定，保持现有证书，不另发证书。",
        f"Decision {decision_id} is a surveillance decision: it maintains the current certificate and issues none.",
    )
    require(
        decision["certificate_no"] is None,
        "ledger: one certificate per decision",
        f"认证决定 {decision_id} 已颁发证书 {decision['certificate_no']}。",
        f"Decision {decision_id} already has certificate {decision['certificate_no']}.",
    )
    require(
        number not in client.certificates,
        "001 §8.1 d",
        f"证书编号 {number} 已被使用。",
        f"Certificate number {number} is already used.",
    )
    not_before(occurred_on, decision["on"], "认证决定日期", "the decision date")
    require(
        valid_from >= decision["on"],
        "001 §8.2",
        f"证书有效期起始日 {valid_from} 早于认证决定日期 {decision['on']}；证书不能在决定之前生效。",
        f"The validity cannot start ({valid_from}) before the decision ({decision['on']}).",
    )
    require(
        valid_until > valid_from,
        "001 §8.2",
        "证书有效期的截止日期必须晚于起始日期。",
        "A certificate's validity must end after it starts.",
    )
    standard = require_text(standard, "符合标准的表述（001 §8.1 c）", "the standard and version (001 §8.1 c)", "001 §8.1 c")
    app = client.applications[decision["application_id"]]
    previous = client.certificate
    original_issue_on = occurred_on
    if app["kind"] in ("recertification", "upgrade") and previous is not None and previous["status"] == "valid":
        original_issue_on = previous["original_issue_on"]
    replaces = previous["number"] if previous and previous["status"] == "valid" else None
    return decision, standard, original_issue_on, replaces


def check_report(client: Any, *, occurred_on: date) -> dict[str, Any]:
    """The report to the CNCA of the current certificate, whatever its status (001 §4.6.6), once."""
    cert = current_certificate(client, occurred_on=occurred_on)
    require(
        cert["reported_on"] is None,
        "001 §4.6.6",
        f"证书 {cert['number']} 已于 {cert['reported_on']} 报送认监委。",
        f"Certificate {cert['number']} was reported to the CNCA on {cert['reported_on']}.",
    )
    not_before(occurred_on, cert["issued_on"], "证书签发日期", "the issue date")
    return cert


def check_suspension(client: Any, *, reason: str, start: date, until: date | None, occurred_on: date) -> tuple[dict[str, Any], str]:
    """A valid certificate suspended from a start not after today or its validity's end, to an end
    after the start (001 §7.2.3). Returns the certificate and the reason."""
    cert = current_certificate(client, "valid", occurred_on=occurred_on)
    reason = require_text(reason, "暂停的事实和理由（001 §7.2.3）", "the facts and reason for the suspension (001 §7.2.3)", "001 §7.2.3")
    not_before(start, cert["issued_on"], "证书签发日期", "the issue date")
    require(
        start <= occurred_on and start <= cert["valid_until"],
        "001 §7.2.3",
        f"暂停起始日 {start} 不能晚于记录日期 {occurred_on}，也不能晚于证书有效期截止日 {cert['valid_until']}。",
        f"A suspension cannot start ({start}) after the date it is recorded ({occurred_on}) or after the certificate's "
        f"validity ends ({cert['valid_until']}).",
    )
    if until is not None:
        require(until > start, "001 §7.2.3", "暂停期限必须晚于起始日期。", "The end of the suspension must be after its start.")
    return cert, reason


def check_restoration(client: Any, *, reason: str, occurred_on: date) -> tuple[dict[str, Any], dict[str, Any], str]:
    """A suspended certificate restored once the cause is cleared (004 §8.2). A suspension that has
    lapsed is the procedure's rule (ledger.rules.lifecycle.check_restoration). Returns the
    certificate, its suspension and the reason."""
    cert = current_certificate(client, "suspended", occurred_on=occurred_on)
    suspension = client.suspensions[cert["suspension_id"]]
    reason = require_text(reason, "恢复理由：暂停原因已消除的核实结论（004 §8.2）", "the verified clearance of the cause (004 §8.2)", "004 §8.2")
    not_before(occurred_on, suspension["start"], "暂停起始日期", "the start of the suspension")
    return cert, suspension, reason


def check_withdrawal(client: Any, *, reason: str, occurred_on: date) -> tuple[dict[str, Any], str]:
    cert = current_certificate(client, *IN_FORCE, occurred_on=occurred_on)
    reason = require_text(reason, "撤销的事实和理由（001 §7.3）", "the facts and reason for the withdrawal (001 §7.3)", "001 §7.3.1")
    not_before(occurred_on, cert["issued_on"], "证书签发日期", "the issue date")
    return cert, reason


def check_cancellation(client: Any, *, reason: str, occurred_on: date) -> tuple[dict[str, Any], str]:
    cert = current_certificate(client, *IN_FORCE, occurred_on=occurred_on)
    reason = require_text(reason, "注销理由（获证组织的申请）", "the reason (the client's request)", "001 §7.1")
    not_before(occurred_on, cert["issued_on"], "证书签发日期", "the issue date")
    return cert, reason


def check_expiry(client: Any, *, occurred_on: date) -> dict[str, Any]:
    """A certificate in force expires after the last day of its validity (001 §8.2)."""
    cert = current_certificate(client, *IN_FORCE, occurred_on=occurred_on)
    require(
        occurred_on > cert["valid_until"],
        "001 §8.2",
        f"证书 {cert['number']} 有效期至 {cert['valid_until']}，{occurred_on} 尚未过期。",
        f"Certificate {cert['number']} is valid until {cert['valid_until']}; it has not expired on {occurred_on}.",
    )
    return cert


def check_scope_change(client: Any, *, kind: str, scope: str, sites: list[dict[str, str]] | None, reason: str,
                       occurred_on: date) -> tuple[dict[str, Any], str, str]:
    """A valid certificate's scope reduced or extended to something different. Returns the
    certificate, the new scope and the reason."""
    require_choice(kind, SCOPE_CHANGE_KINDS, "范围变更类型", "scope change kind")
    cert = current_certificate(client, "valid", occurred_on=occurred_on)
    scope = require_text(scope, "变更后的认证范围", "the new scope")
    reason = require_text(reason, "范围变更理由", "the reason for the scope change", "001 §7.1")
    require(
        scope != cert["scope"] or (sites is not None and sites != cert["sites"]),
        "ledger: a change changes something",
        "新的认证范围与现有范围相同。",
        "The new scope is the same as the current one.",
    )
    not_before(occurred_on, cert["issued_on"], "证书签发日期", "the issue date")
    return cert, scope, reason
