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
            f"以下指标既未评分也未删减，不能作出认证决定：{missing}。请先评分或删减（并说明理由）。",
            f"These items are neither scored nor excluded, so no decision can be made: {missing}. Score or exclude them first.",
        )
    if evaluation.unchecked_conditions:
        unchecked = ", ".join(evaluation.unchecked_conditions)
        raise RuleViolation(
            "ledger: every prerequisite checked",
            f"以下前提条件或否决项尚未核查，不能作出认证决定：{unchecked}。请用 score enter 录入核查结果。",
            f"These prerequisites or veto items are not checked yet, so no decision can be made: {unchecked}. Record them with score enter.",
        )
