"""The certificate register: one row per certificate, with the fields of IAF CertSearch.

A certificate replaced by its successor on recertification (internal status ``replaced``) stays in
the table with ``current`` false; the register lists certificates whose status is one of the five
CNCA words (有效 暂停 撤销 注销 过期), which excludes replaced ones.
"""

from __future__ import annotations

from datetime import date, timedelta

from typing import Any

from aggregates.vocabulary import IN_FORCE
from projections.base import ClientProjection, Rows
from projections.jsonish import dumps


def certification_id(uscc: str, number: str) -> str:
    """IAF CertSearch "Certification Identity Number": stable and unique across the ledger."""
    return f"{uscc}/{number}"


def register_rows(client: Any) -> list[dict[str, Any]]:
    """Every certificate of a client, as register rows (the same shape the queries return)."""
    rows = []
    for number, cert in client.certificates.items():
        rows.append({
            "certification_id": certification_id(client.uscc, number),
            "certificate_no": number, "uscc": client.uscc, "name": client.name,
            "status": cert["status"], "current": number == client.current_certificate,
            "grade": cert["grade"], "scheme_id": cert["scheme_id"], "scheme_version": cert["scheme_version"],
            "standard": cert["standard"], "scope": cert["scope"],
            "sites": [{"name": s["name"], "address": s["address"]} for s in cert["sites"]],
            "original_issue_on": cert["original_issue_on"], "issued_on": cert["issued_on"],
            "valid_from": cert["valid_from"], "valid_until": cert["valid_until"],
            "status_changed_on": cert["status_changed_on"], "reported_on": cert["reported_on"],
            # the contents' version (换证, aggregates/changes.py): 1 until amended and reissued
            "version": cert.get("version") or 1,
            "version_on": (cert.get("versions") or [{"issued_on": cert["issued_on"]}])[-1]["issued_on"],
        })
    return rows


def as_on(row: dict[str, Any], on: date, suspensions: Any = None) -> dict[str, Any]:
    """A register row as it reads on a day, its status from the one derivation
    (``ledger.rules.certificate_status.certificate_status``, given the client's ``suspensions`` when the
    caller has them): a valid or suspended certificate whose validity ended before that day is
    expired (001 §8.2) even if ``certificate expire`` has not been recorded yet;
    ``status_recorded`` keeps what the ledger recorded."""
    from ledger.rules.certificate_status import certificate_status

    status = certificate_status(row, on, suspensions) or row["status"]
    if status == "expired" and row["status"] in IN_FORCE:
        valid_until = row["valid_until"] if isinstance(row["valid_until"], date) else date.fromisoformat(str(row["valid_until"]))
        return {**row, "status": "expired", "status_recorded": row["status"],
                "status_changed_on": valid_until + timedelta(days=1)}
    return {**row, "status": status, "status_recorded": row["status"]}


class Register(ClientProjection):
    name = "register"
    table_names = ("rm_certificates",)

    def rows(self, client: Any) -> Rows:
        return {"rm_certificates": [{**r, "sites": dumps(r["sites"])} for r in register_rows(client)]}
