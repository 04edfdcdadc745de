"""What a client's state says, read-only: the application in progress, the certificate (in force),
the sites and headcount in scope, the scheme, the lifecycle stage, the score entries that stand and
the decisions that can be appealed. ``Client`` (aggregates/client.py) holds the state its events
build and inherits these questions about it; nothing here changes state."""

from __future__ import annotations

from typing import Any

from aggregates.policy.common import get
from aggregates.vocabulary import IN_FORCE, OPEN_APPEAL_STATUSES


class ClientState:
    """The read-only questions asked of a client's state (mixed into ``Client``)."""

    name: str
    applications: dict[str, dict[str, Any]]
    audits: dict[str, dict[str, Any]]
    contracts: dict[str, dict[str, Any]]
    entries: dict[str, dict[str, Any]]
    decisions: dict[str, dict[str, Any]]
    certificates: dict[str, dict[str, Any]]
    current_certificate: str | None
    suspensions: dict[str, dict[str, Any]]
    withdrawals: dict[str, dict[str, Any]]
    scope_changes: dict[str, dict[str, Any]]
    appeals: dict[str, dict[str, Any]]
    nonconformities: dict[str, dict[str, Any]]
    complaints: dict[str, dict[str, Any]]

    def _get(self, table: dict[str, dict[str, Any]], key: str, what_zh: str, what_en: str) -> dict[str, Any]:
        return get(self, table, key, what_zh, what_en)

    @property
    def open_application(self) -> dict[str, Any] | None:
        """The application currently being processed: submitted or accepted and not yet concluded."""
        for app in reversed(list(self.applications.values())):
            if app["status"] in ("submitted", "accepted") and not app.get("concluded"):
                return app
        return None

    @property
    def certificate(self) -> dict[str, Any] | None:
        return self.certificates.get(self.current_certificate) if self.current_certificate else None

    @property
    def certificate_in_force(self) -> dict[str, Any] | None:
        """The current certificate if it is valid or suspended (``vocabulary.IN_FORCE``), else None."""
        cert = self.certificate
        return cert if cert is not None and cert["status"] in IN_FORCE else None

    @property
    def certificate_status(self) -> str | None:
        cert = self.certificate
        return cert["status"] if cert else None

    @property
    def sites(self) -> list[dict[str, str]]:
        """The sites in scope now: the certificate's, else the latest application's."""
        cert = self.certificate_in_force
        if cert is not None:
            return cert["sites"]
        return list(self.applications.values())[-1]["sites"] if self.applications else []

    @property
    def headcount(self) -> int:
        """People within the scope, as last stated: the latest application's figure, or a later
        recorded change of it (``change record --headcount``; a notified change carries no number)."""
        last = list(self.applications.values())[-1] if self.applications else None
        # --- changes (issue 9): a headcount changed by event, effective on or after the latest application
        stated = self.__dict__.get("profile", {}).get("headcount")
        if stated is not None and (last is None or stated["on"] >= last["submitted_on"]):
            return stated["value"]
        return last["headcount"] if last else 0

    @property
    def scheme_id(self) -> str | None:
        """The scheme of the certification in force (the certificate's), else of the latest
        application; it decides which procedure governs the client (ledger.rules.procedures)."""
        cert = self.certificate_in_force
        if cert is not None:
            return cert["scheme_id"]
        if not self.applications:
            return None
        return list(self.applications.values())[-1]["scheme_id"]

    @property
    def stage(self) -> str:
        """Where the client stands in the lifecycle (see aggregates.vocabulary.STAGES)."""
        cert_status = self.certificate_status
        app = self.open_application
        if app is None:
            if cert_status:
                return cert_status
            if self.applications:
                last = list(self.applications.values())[-1]
                if last["status"] == "refused":
                    return "refused"
                if last.get("concluded") == "not_granted":
                    return "not_granted"
            return "registered"
        if cert_status in IN_FORCE and app["kind"] in ("recertification", "upgrade"):
            return cert_status
        if app["status"] == "submitted":
            return "applied"
        audits_ = [a for a in self.audits.values() if a["application_id"] == app["id"]]
        decided = [d for d in self.decisions.values() if d["application_id"] == app["id"]]
        if decided:
            return "decided"
        if any(a["status"] == "planned" for a in audits_):  # an open audit of this application
            return "auditing"
        if audits_:
            return "audited"
        if any(c["application_id"] == app["id"] for c in self.contracts.values()):
            return "contracted"
        return "accepted"

    # --- annotations (issue 9): the business lines a score entry of 004 names (004 §4.18.2) ---
    @property
    def business_lines(self) -> list[str]:
        """The business lines (业务范围) declared for the scope being audited: the open application's,
        else the certificate's in force, else the latest application's. A record's declared list
        (``business_lines``, the master data) where it has one; until then its scope read as lines
        separated by "；", ";" or a new line (one line when it has no separator)."""
        source = self.open_application or self.certificate_in_force
        if source is None and self.applications:
            source = list(self.applications.values())[-1]
        return _lines_of(source)

    def business_lines_for(self, audit_id: str | None) -> list[str]:
        """The business lines of the scope an audit audits: its application's for an initial or
        recertification audit, the certificate's in force for a surveillance (a new application not yet
        certified does not change what a surveillance of the current certificate scores); the
        client's ``business_lines`` when the audit is unknown."""
        audit = self.audits.get(audit_id or "")
        if audit is None:
            return self.business_lines
        if audit.get("application_id") and audit["application_id"] in self.applications:
            return _lines_of(self.applications[audit["application_id"]])
        cert = self.certificate_in_force or self.certificate
        return _lines_of(cert) if cert is not None else self.business_lines

    def effective_entries(self, audit_id: str) -> list[dict[str, Any]]:
        """The score entries of an audit that stand: each correction replaces the entry it corrects."""
        return [e for e in self.entries.values() if e["audit_id"] == audit_id and e["superseded_by"] is None]

    def entry(self, entry_id: str) -> dict[str, Any]:
        return get(self, self.entries, entry_id, "评分记录", "score entry")

    @property
    def open_appeals(self) -> list[dict[str, Any]]:
        """Appeals not yet concluded (no written result, not refused)."""
        return [a for a in self.appeals.values() if a["status"] in OPEN_APPEAL_STATUSES]

    @property
    def open_audits(self) -> list[dict[str, Any]]:
        """Audits planned and not yet completed."""
        return [a for a in self.audits.values() if a["status"] == "planned"]

    @property
    def open_nonconformities(self) -> list[dict[str, Any]]:
        """Nonconformities not yet verified and closed (001 §4.5)."""
        return [n for n in self.nonconformities.values() if n["status"] != "closed"]

    @property
    def open_complaints(self) -> list[dict[str, Any]]:
        """Complaints without their written result: received, or accepted (a refused one is closed by its notice)."""
        return [x for x in self.complaints.values() if x["status"] in ("open", "accepted")]  # accepted: complaints area (issue 9)

    @property
    def appealable(self) -> dict[str, dict[str, Any]]:
        """Decisions a client may appeal (004 §14.1.1): refusals, certification decisions,
        suspensions, withdrawals and scope reductions, by their ids."""
        out: dict[str, dict[str, Any]] = {}
        for app in self.applications.values():
            if app["status"] == "refused":
                out[app["id"]] = {"kind": "refusal", "on": app["reviewed_on"], "actor": app["reviewed_by"]}
        for d in self.decisions.values():
            out[d["id"]] = {"kind": "decision", "on": d["on"], "actor": d["actor"], "decider": d["decider"], "audit_id": d["audit_id"]}
        for s in self.suspensions.values():
            out[s["id"]] = {"kind": "suspension", "on": s["start"], "actor": s["actor"]}
        for w in self.withdrawals.values():
            out[w["id"]] = {"kind": "withdrawal", "on": w["on"], "actor": w["actor"]}
        for c in self.scope_changes.values():
            if c["kind"] == "reduce":
                out[c["id"]] = {"kind": "scope_reduction", "on": c["on"], "actor": c["actor"]}
        return out


def _lines_of(source: dict[str, Any] | None) -> list[str]:
    """A record's declared business lines (``business_lines``, the master data) where it has one;
    until then its scope read as lines separated by "；", ";" or a new line."""
    if source is None:
        return []
    declared = source.get("business_lines")
    text = str(source.get("scope") or "").replace(";", "；").replace("\n", "；")
    lines = [str(x).strip() for x in declared] if declared is not None else [x.strip() for x in text.split("；")]
    return list(dict.fromkeys(x for x in lines if x))
