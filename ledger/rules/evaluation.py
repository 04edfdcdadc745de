"""An audit's evaluation from a client's records (001 Appendix A, §4.6, §13.1): the scheme version it
is scored under, the engine's inputs, and what a certification decision needs of it."""

from __future__ import annotations

from datetime import date
from typing import Any

from aggregates.errors import RuleViolation
from ledger.rules.scoring import Entry


def scheme_basis(client: Any, audit_id: str) -> tuple[str, date]:
    """The scheme an audit is scored under and the day whose version applies (001 §13.1: the
    version in force on the audit's first day): the certificate's scheme for a surveillance (an
    audit of no application), else its application's (the latest application's, for an audit of
    none when the client holds no certificate)."""
    audit = client.audits.get(audit_id) or client._get(client.audits, audit_id, "审核", "audit")
    cert = client.certificate
    if audit["application_id"] is None and cert is not None:
        return cert["scheme_id"], audit["start_on"]
    app = client.applications[audit["application_id"]] if audit["application_id"] else list(client.applications.values())[-1]
    return app["scheme_id"], audit["start_on"]


def audit_inputs(client: Any, audit_id: str, on: date | None = None) -> tuple[list[Entry], dict[str, str], dict[str, Any]]:
    """The engine's inputs for an audit: its standing entries (a correction replaces the entry it
    corrects), its exclusions with their reasons, and the context: the application date, for
    look-back conditions, is that of the audit's application, or for a surveillance audit (no
    application of its own) that of the latest application submitted on or before ``on``."""
    entries = [Entry(item=e["item"], facet=e["facet"], value=e["value"]) for e in client.effective_entries(audit_id)]
    exclusions = {item: x["reason"] for item, x in client.exclusions.get(audit_id, {}).items()}
    audit = client.audits[audit_id]
    application = client.applications.get(audit["application_id"] or "")
    if application is None:
        candidates = [a for a in client.applications.values() if on is None or a["submitted_on"] <= on]
        application = (candidates or list(client.applications.values()))[-1]
    return entries, exclusions, {"application_date": application["submitted_on"]}


def check_complete(evaluation: Any) -> None:
    """A certification decision rests on a complete evaluation: every item scored or excluded, every
    prerequisite and veto checked."""
    if evaluation.missing_items:
        missing = ", ".join(evaluation.missing_items)
        raise RuleViolation(
            "ledger: every item scored or excluded",
            f"以下指标既未评分也未删减，不能作出认证决定：{missing}。已完成的审核不再接受评分：请用 certledger audit reopen "
            "（说明理由）重新打开审核，评分或删减后再完成审核。",
            f"These items are neither scored nor excluded, so no decision can be made: {missing}. A completed audit takes no "
            "scores: reopen it with certledger audit reopen (with a reason), score or exclude them, and complete it again.",
        )
    if evaluation.unchecked_conditions:
        unchecked = ", ".join(evaluation.unchecked_conditions)
        raise RuleViolation(
            "ledger: every prerequisite checked",
            f"以下前提条件或否决项尚未核查，不能作出认证决定：{unchecked}。请用 certledger audit reopen（说明理由）重新打开审核，"
            "用 score enter 录入核查结果后再完成审核。",
            f"These prerequisites or veto items are not checked yet, so no decision can be made: {unchecked}. Reopen the audit "
            "with certledger audit reopen (with a reason), record them with score enter, and complete it again.",
        )


def check_report_complete(evaluation: Any, audit_id: str) -> None:
    """An audit report gives the decision what it needs (001 §4.4.4.2: the team evaluates against
    Appendix A; §4.4.5.2: the report gives sufficient information for the decision), so a scored
    audit is completed only when every item is scored or excluded and every prerequisite and veto
    checked: completing it earlier would close it to the scores its decision needs."""
    missing = list(evaluation.missing_items)
    unchecked = list(evaluation.unchecked_conditions)
    if not missing and not unchecked:
        return
    zh, en = [], []
    if missing:
        zh.append(f"既未评分也未删减的指标：{', '.join(missing)}")
        en.append(f"items neither scored nor excluded: {', '.join(missing)}")
    if unchecked:
        zh.append(f"尚未核查的前提条件或否决项：{', '.join(unchecked)}")
        en.append(f"prerequisites or veto items not checked: {', '.join(unchecked)}")
    raise RuleViolation(
        "001 §4.4.4.2, §4.4.5.2",
        f"审核 {audit_id} 的评价尚不完整，不能完成审核（审核报告须为认证决定提供充分信息）——{'；'.join(zh)}。"
        f"请先用 certledger score enter --audit {audit_id} 录入评分或核查结果、用 certledger score exclude --audit {audit_id} "
        "删减（并说明理由），再完成审核。",
        f"The evaluation of audit {audit_id} is not whole, so the audit cannot be completed (its report must give the "
        f"decision sufficient information) — {'; '.join(en)}. Record them with certledger score enter --audit {audit_id} or "
        f"exclude them with certledger score exclude --audit {audit_id} (with a reason), then complete the audit.",
    )
