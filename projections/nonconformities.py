"""Open nonconformities: raised and not yet verified and closed (001 §4.5)."""

from __future__ import annotations

from typing import Any

from projections.base import ClientProjection, Rows


def open_nonconformity_rows(client: Any) -> list[dict[str, Any]]:
    return [
        {"uscc": client.uscc, "nc_id": n["id"], "name": client.name, "audit_id": n["audit_id"],
         "severity": n["severity"], "clause": n["clause"], "description": n["description"],
         "status": n["status"], "raised_on": n["raised_on"], "responded_on": n["responded_on"], "actor": n["actor"]}
        for n in client.open_nonconformities
    ]


class OpenNonconformities(ClientProjection):
    name = "nonconformities"
    table_names = ("rm_open_nonconformities",)

    def rows(self, client: Any) -> Rows:
        return {"rm_open_nonconformities": open_nonconformity_rows(client)}
