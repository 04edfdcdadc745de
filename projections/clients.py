"""Read models of the clients: who they are and where they stand, and the grade each one holds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table

from ledger.views import client_row
from projections import tables as t
from projections.base import ClientProjection


class Clients(ClientProjection):
    name = "clients"
    tables = (t.clients,)
    help_zh = "组织：名称、地址、阶段、认证方案、当前证书和等级"
    help_en = "clients: name, address, stage, scheme, current certificate and grade"

    def rows(self, client: Any) -> dict[Table, list[dict[str, Any]]]:
        return {t.clients: [client_row(client)]}


def grade_row(client: Any) -> dict[str, Any] | None:
    """The grade in force (that of a valid or suspended certificate) and the latest decision's score."""
    from ledger.views import grade_names

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


class Grades(ClientProjection):
    name = "grades"
    tables = (t.grades,)
    help_zh = "每个组织的现行等级和最近一次认证决定的得分"
    help_en = "each client's grade in force and the score of its latest decision"

    def rows(self, client: Any) -> dict[Table, list[dict[str, Any]]]:
        row = grade_row(client)
        return {t.grades: [row] if row else []}
