"""A client summary's certificate status as of a day, for ``show`` and ``show --as-of`` (the fast,
general and replay paths alike): ``ledger.rules.certificate_status.certificate_status``, the one derivation of
a certificate's status, applied to the stored or replayed summary. Light: ``show``'s fast path
imports it (no SQLAlchemy, no eventsourcing)."""

from __future__ import annotations

from datetime import date
from typing import Any


def summary_as_on(found: dict[str, Any], day: date) -> dict[str, Any]:
    """A client summary with its certificate's status (and the stage it shows) as of ``day``, from
    ``ledger.rules.certificate_status.certificate_status``; ``status_recorded`` keeps what was recorded."""
    from ledger.rules.certificate_status import certificate_status  # light: no calendar, no procedures

    cert = found.get("certificate")
    if not cert:
        return found
    status = certificate_status(cert, day, found.get("suspensions") or []) or cert["status"]
    out = {**found, "certificate": {**cert, "status": status, "status_recorded": cert["status"]}}
    if found.get("stage") == cert["status"]:
        out["stage"] = status
    return out
