"""Plain, JSON-shaped views of a client's state for the read commands."""

from __future__ import annotations

from typing import Any

from aggregates.client import Client


def grade_names(scheme_id: str | None, version: str | None, code: str | None) -> dict[str, str] | None:
    """The Chinese and English names of a grade code under the scheme version that gave it."""
    if not (scheme_id and code):
        return None
    from ledger.rules.scoring import ScoringError, load_scheme

    try:
        bands = load_scheme(scheme_id, version).grading.bands
    except ScoringError:
        return None
    for band in bands:
        if band.code == code:
            return {"zh": band.name_zh, "en": band.name_en}
    return None


def client_summary(c: Client) -> dict[str, Any]:
    cert = c.certificate
    cert_view = None
    if cert:
        cert_view = {k: cert[k] for k in ("number", "status", "grade", "scheme_id", "scheme_version", "scope", "sites",
                                          "standard", "issued_on", "valid_from", "valid_until", "original_issue_on",
                                          "status_changed_on", "reported_on")}
        cert_view["suspension"] = c.suspensions.get(cert["suspension_id"]) if cert.get("suspension_id") else None
        cert_view["grade_name"] = grade_names(cert["scheme_id"], cert["scheme_version"], cert["grade"])
    decisions = list(c.decisions.values())
    latest = None
    if decisions:
        d = decisions[-1]
        latest = {k: d[k] for k in ("id", "audit_id", "on", "granted", "score", "max_score", "percent", "grade", "decider", "scheme_id", "scheme_version")}
        latest["grade_name"] = grade_names(d["scheme_id"], d["scheme_version"], d["grade"])
    return {
        "uscc": c.uscc,
        "name": c.name,
        "address": c.address,
        "stage": c.stage,
        "scheme": c.scheme_id,
        "certificate": cert_view,
        "latest_decision": latest,
        "applications": list(c.applications.values()),
        "open_audits": [a for a in c.audits.values() if a["status"] == "planned"],
        "open_nonconformities": [n for n in c.nonconformities.values() if n["status"] != "closed"],
        "open_complaints": [x for x in c.complaints.values() if x["status"] == "open"],
        "open_appeals": c.open_appeals,
        "recent_changes": list(c.changes.values())[-5:],
        "suspensions": list(c.suspensions.values()),
        "withdrawals": list(c.withdrawals.values()),
        "events": c.version,
    }


def client_row(c: Client) -> dict[str, Any]:
    """One line of the client list (the ``clients`` read model stores exactly this)."""
    cert = c.certificate
    return {
        "uscc": c.uscc, "name": c.name, "address": c.address,
        "registered_on": c.registered_on, "stage": c.stage, "scheme_id": c.scheme_id,
        "certificate_no": cert["number"] if cert else None,
        "certificate_status": cert["status"] if cert else None,
        "grade": cert["grade"] if cert else None,
        "events": c.version,
    }
