"""The checks every area uses. Messages are formatted only when a check refuses: these run on every
command, the commonest thousands of times in an import."""

from __future__ import annotations

from datetime import date
from typing import Any

from aggregates.errors import NotFound, RuleViolation
from aggregates.vocabulary import CERTIFICATE_STATUSES, word


def require(condition: bool, rule: str, zh: str, en: str) -> None:
    if not condition:
        raise RuleViolation(rule, zh, en)


def require_text(value: str | None, what_zh: str, what_en: str, rule: str = "001 §12.2") -> str:
    """The text trimmed, or a refusal naming what must be given."""
    text = (value or "").strip()
    if not text:
        raise RuleViolation(rule, f"必须填写{what_zh}。", f"{what_en} is required.")
    return text


def require_choice(value: str, table: dict[str, tuple[str, str]], what_zh: str, what_en: str) -> None:
    """``value`` is a key of the closed vocabulary ``table`` (aggregates.vocabulary)."""
    if value not in table:
        known = ", ".join(f"{k}（{v[0]}）" for k, v in table.items())
        known_en = ", ".join(f"{k} ({v[1]})" for k, v in table.items())
        raise RuleViolation(
            "ledger: vocabulary",
            f"未知的{what_zh}“{value}”；可选：{known}。",
            f"Unknown {what_en} '{value}'; choose one of: {known_en}.",
        )


def not_before(day: date, earlier: date, what_zh: str, what_en: str) -> None:
    """Business dates in order (docs/decisions.md D4): a thing is not dated before what it depends on."""
    if day < earlier:
        raise RuleViolation(
            "ledger: business dates in order",
            f"业务日期 {day} 早于{what_zh}（{earlier}）；请核对日期。",
            f"Business date {day} is before {what_en} ({earlier}); check the date.",
        )


def after_registration(client: Any, occurred_on: date) -> None:
    not_before(occurred_on, client.registered_on, "该组织的登记日期", "the client's registration date")


def get(client: Any, table: dict[str, dict[str, Any]], key: str, what_zh: str, what_en: str) -> dict[str, Any]:
    """The thing ``key`` of one of the client's tables (applications, audits...), or NotFound listing them."""
    try:
        return table[key]
    except KeyError:
        known = ", ".join(table) or "—"
        raise NotFound(
            "ledger: reference exists",
            f"{client.name} 没有{what_zh} {key}；现有：{known}。",
            f"{client.name} has no {what_en} {key}; existing: {known}.",
        ) from None


def current_certificate(client: Any, *statuses: str, occurred_on: date) -> dict[str, Any]:
    """The current certificate, if its status allows the action, dated no earlier than the
    certificate's issue and its suspension's record."""
    cert = client.certificate
    require(cert is not None, "001 §8", "该组织没有证书。", "The client has no certificate.")
    assert cert is not None
    not_before(occurred_on, cert["issued_on"], f"证书 {cert['number']} 的签发日期", f"the issue date of certificate {cert['number']}")
    if cert.get("suspension_id"):
        suspension = client.suspensions[cert["suspension_id"]]
        not_before(occurred_on, max(suspension["start"], suspension["on"]), "暂停的记录日期", "the date the suspension was recorded")
    if statuses and cert["status"] not in statuses:
        allowed_zh = "、".join(word(CERTIFICATE_STATUSES, s) for s in statuses)
        allowed_en = ", ".join(word(CERTIFICATE_STATUSES, s, "en") for s in statuses)
        # The way on from where the certificate is (no dead end): what would be accepted instead.
        way_zh, way_en = {
            "suspended": ("恢复用 certledger certificate restore，或撤销用 certledger certificate withdraw",
                          "restore it with certledger certificate restore, or withdraw it with certledger certificate withdraw"),
            "valid": ("暂停用 certledger certificate suspend", "suspend it with certledger certificate suspend"),
        }.get(cert["status"], ("证书已终止，重新认证须从 certledger application submit 开始",
                               "the certificate has ended; a new certification starts with certledger application submit"))
        raise RuleViolation(
            "ledger: certificate status",
            f"证书 {cert['number']} 当前状态为“{word(CERTIFICATE_STATUSES, cert['status'])}”，此操作只适用于状态为“{allowed_zh}”的证书；{way_zh}。",
            f"Certificate {cert['number']} is {word(CERTIFICATE_STATUSES, cert['status'], 'en')}; this action applies only to a "
            f"certificate that is {allowed_en}; {way_en}.",
        )
    return cert
