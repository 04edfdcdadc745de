"""Read models of the clients: who they are and where they stand, and the grade each one holds."""

from __future__ import annotations

from typing import Any

from ledger.rules.scoring import grade_names
from projections.base import ClientProjection, Rows


def client_row(c: Any) -> dict[str, Any]:
    """One line of the client list (the ``clients`` read model stores exactly this)."""
    cert = c.certificate
    return {
        "uscc": c.uscc, "name": c.name, "address": c.address,
        "registered_on": c.registered_on, "stage": c.stage, "scheme_id": c.scheme_id,
        "certificate_no": cert["number"] if cert else None,
        "certificate_status": cert["status"] if cert else None,
        "grade": cert["grade"] if cert else None,
        "events": c.version,
        "certificate_issued_on": cert["issued_on"] if cert else None,
        "certificate_valid_until": cert["valid_until"] if cert else None,
        "certificate_status_changed_on": cert.get("status_changed_on") if cert else None,
    }


def grade_row(client: Any) -> dict[str, Any] | None:
    """The grade in force (that of a valid or suspended certificate) and the latest decision's score."""
    if not client.decisions:
        return None
    d = list(client.decisions.values())[-1]
    cert = client.certificate
    in_force = client.certificate_in_force
    names = grade_names(in_force["scheme_id"], in_force["scheme_version"], in_force["grade"]) if in_force else None
    return {
        "uscc": client.uscc, "name": client.name,
        "grade": in_force["grade"] if in_force else None,
        "grade_zh": names["zh"] if names else None, "grade_en": names["en"] if names else None,
        "certificate_no": cert["number"] if cert else None,
        "certificate_status": cert["status"] if cert else None,
        "decision_id": d["id"], "decided_on": d["on"], "granted": bool(d["granted"]),
        "scheme_id": d["scheme_id"], "scheme_version": d["scheme_version"],
        "score": str(d["score"]), "max_score": str(d["max_score"]),
        "percent": None if d["percent"] is None else str(d["percent"]),
        "decision_grade": d["grade"],
    }


class Clients(ClientProjection):
    name = "clients"
    table_names = ("rm_clients",)

    def rows(self, client: Any) -> Rows:
        return {"rm_clients": [client_row(client)]}


class Grades(ClientProjection):
    name = "grades"
    table_names = ("rm_grades",)

    def rows(self, client: Any) -> Rows:
        row = grade_row(client)
        return {"rm_grades": [row] if row else []}
