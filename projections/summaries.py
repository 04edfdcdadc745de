"""What ``show`` prints: ``client_summary`` of each client, stored as JSON.

JSON turns dates into ISO strings and Decimals into their exact strings; ``show`` renders both
the same way, and ``show --json`` prints the same text.
"""

from __future__ import annotations

from typing import Any

from ledger.rules.deadlines_cases import complaints_view
from ledger.rules.deadlines_changes import changes_view
from ledger.rules.scoring import grade_names
from projections.base import ClientProjection, Rows
from projections.jsonish import dumps


def client_summary(c: Any) -> dict[str, Any]:
    """What ``show`` prints of a client: who, where it stands, its certificate and latest decision
    with their grade names, what is open, recent changes, its suspensions and withdrawals."""
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
        # a decision made on an upheld appeal names the decision it superseded (complaints and appeals, issue 9)
        latest["supersedes"], latest["appeal_id"] = d.get("supersedes"), d.get("appeal_id")
    return {
        "uscc": c.uscc,
        "name": c.name,
        "address": c.address,
        "stage": c.stage,
        "scheme": c.scheme_id,
        "certificate": cert_view,
        "latest_decision": latest,
        "applications": list(c.applications.values()),
        "open_audits": c.open_audits,
        "open_nonconformities": c.open_nonconformities,
        "open_complaints": complaints_view(c),  # an admitted one flagged when accepted late (004 §14.2.2)
        "open_appeals": c.open_appeals,
        "recent_changes": list(c.changes.values())[-5:],
        "suspensions": list(c.suspensions.values()),
        "withdrawals": list(c.withdrawals.values()),
        "events": c.version,
        # --- changes (issue 9): master data in force and its history, notified changes with lateness,
        # assessment and follow-ups, the certificate's versions (ledger/rules/deadlines_changes.py)
        "changes": changes_view(c),
    }


class Summaries(ClientProjection):
    name = "summaries"
    table_names = ("rm_client_summaries",)

    def rows(self, client: Any) -> Rows:
        return {"rm_client_summaries": [{"uscc": client.uscc, "events": client.version, "summary": dumps(client_summary(client))}]}
