"""The client organisation (申请组织 / 获证组织): one event-sourced aggregate per USCC.

Every public method is a command: it calls the check of its area (``aggregates.policy``: pure
functions over this state that refuse naming the rule), then triggers one event, declared beside it
as an ``AreaEvent`` whose ``apply`` only applies state (it runs again on every replay, so it reads
no clock, generates no id and checks nothing; ``aggregates/area_events.py``, D65). Registration is
the library's ``@event`` on ``__init__``. Every event carries the ``actor`` who recorded it and the business date
``occurred_on`` (Asia/Shanghai) on which the thing happened; the library adds the time it was
recorded. Events keep their names here (``aggregates.client:Client.<Event>`` is their stored topic).

State is kept JSON-shaped (dicts, lists, str, int, Decimal, date) so snapshots round-trip.
Ids of things inside a client (applications, audits, score entries, nonconformities, decisions,
complaints, appeals...) are short, readable and sequential per client: ``A1``, ``S12``, ``NC3``.
"""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from aggregates import annotations, audit_plans, cases, changes, documents, reporting, signatures
from aggregates import objections  # the client's objection to an audit team (004 §5.2.1)
from aggregates.area_events import AreaEvent, define_area_events
from aggregates.policy import applications, audits, certificates, decisions
from aggregates.state import ClientState
from aggregates.uscc import client_id_for
from aggregates.vocabulary import IN_FORCE


class Client(changes.ChangesArea, cases.CasesArea, reporting.ReportingArea, annotations.AnnotationsArea, documents.DocumentsArea,
             audit_plans.AuditPlansArea, signatures.SignaturesArea, objections.ObjectionsArea, ClientState, Aggregate):
    """One client organisation and everything the body did with it."""

    @staticmethod
    def create_id(uscc: str) -> UUID:  # type: ignore[override]
        return client_id_for(uscc)

    # ------------------------------------------------------------------ registration

    @classmethod
    def register(cls, *, uscc: str, name: str, address: str, actor: str, occurred_on: date) -> "Client":
        uscc, name, address = applications.check_registration(uscc, name, address)
        return cls(uscc=uscc, name=name, address=address, actor=actor, occurred_on=occurred_on)

    @event("Registered")
    def __init__(self, uscc: str, name: str, address: str, actor: str, occurred_on: date) -> None:
        self.uscc = uscc
        self.name = name
        self.address = address
        self.registered_on = occurred_on
        self.applications: dict[str, dict[str, Any]] = {}
        self.contracts: dict[str, dict[str, Any]] = {}
        self.audits: dict[str, dict[str, Any]] = {}
        self.entries: dict[str, dict[str, Any]] = {}
        self.exclusions: dict[str, dict[str, dict[str, Any]]] = {}
        self.nonconformities: dict[str, dict[str, Any]] = {}
        self.decisions: dict[str, dict[str, Any]] = {}
        self.certificates: dict[str, dict[str, Any]] = {}
        self.current_certificate: str | None = None
        self.suspensions: dict[str, dict[str, Any]] = {}
        self.withdrawals: dict[str, dict[str, Any]] = {}
        self.scope_changes: dict[str, dict[str, Any]] = {}
        self.changes: dict[str, dict[str, Any]] = {}
        self.complaints: dict[str, dict[str, Any]] = {}
        self.appeals: dict[str, dict[str, Any]] = {}
        self.transfers: dict[str, dict[str, Any]] = {}

    # ------------------------------------------------------------------ application, review, contract

    def submit_application(
        self, *, scheme_id: str, scope: str, sites: list[dict[str, str]], headcount: int,
        kind: str, actor: str, occurred_on: date, evidence: str = "",
    ) -> str:
        scope, clean_sites = applications.check_submission(self, scheme_id=scheme_id, scope=scope, sites=sites, headcount=headcount,
                                                           kind=kind, occurred_on=occurred_on)
        application_id = f"AP{len(self.applications) + 1}"
        self.trigger_event(
            self.ApplicationSubmitted, application_id=application_id, scheme_id=scheme_id, scope=scope, sites=clean_sites,
            headcount=headcount, kind=kind, evidence=evidence, actor=actor, occurred_on=occurred_on,
        )
        return application_id

    class ApplicationSubmitted(AreaEvent):
        application_id: str
        scheme_id: str
        scope: str
        sites: list[dict[str, str]]
        headcount: int
        kind: str
        evidence: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Client) -> None:  # type: ignore[override]
            aggregate.applications[self.application_id] = {
                "id": self.application_id, "scheme_id": self.scheme_id, "scope": self.scope, "sites": self.sites,
                "headcount": self.headcount, "kind": self.kind, "evidence": self.evidence, "status": "submitted",
                "submitted_on": self.occurred_on, "actor": self.actor, "reviewed_on": None, "reviewed_by": None,
                "review_reason": None, "concluded": None, "refusal_notified_on": None,
            }

    def review_application(self, *, application_id: str, accepted: bool, reason: str, actor: str, occurred_on: date) -> None:
        reason = applications.check_review(self, application_id=application_id, accepted=accepted, reason=reason, occurred_on=occurred_on)
        self.trigger_event(self.ApplicationReviewed, application_id=application_id, accepted=accepted, reason=reason, actor=actor, occurred_on=occurred_on)

    class ApplicationReviewed(AreaEvent):
        application_id: str
        accepted: bool
        reason: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Client) -> None:  # type: ignore[override]
            app = aggregate.applications[self.application_id]
            app["status"] = "accepted" if self.accepted else "refused"
            app["reviewed_on"] = self.occurred_on
            app["reviewed_by"] = self.actor
            app["review_reason"] = self.reason

    def notify_refusal(self, *, application_id: str, actor: str, occurred_on: date) -> None:
        """The written notice of a refused application was sent (001 §4.2.1: within 5 days)."""
        applications.check_refusal_notice(self, application_id=application_id, occurred_on=occurred_on)
        self.trigger_event(self.RefusalNotified, application_id=application_id, actor=actor, occurred_on=occurred_on)

    class RefusalNotified(AreaEvent):
        application_id: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Client) -> None:  # type: ignore[override]
            aggregate.applications[self.application_id]["refusal_notified_on"] = self.occurred_on

    def sign_contract(self, *, contract_no: str, actor: str, occurred_on: date) -> None:
        contract_no, application_id = applications.check_contract(self, contract_no=contract_no, occurred_on=occurred_on)
        self.trigger_event(self.ContractSigned, contract_no=contract_no, application_id=application_id, actor=actor, occurred_on=occurred_on)

    class ContractSigned(AreaEvent):
        contract_no: str
        application_id: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Client) -> None:  # type: ignore[override]
            aggregate.contracts[self.contract_no] = {"no": self.contract_no, "application_id": self.application_id, "signed_on": self.occurred_on, "actor": self.actor}

    def request_transfer(
        self, *, from_body: str, certificate_no: str, certificate_status: str, reason: str,
        actor: str, occurred_on: date,
    ) -> str:
        from_body, certificate_no, reason = applications.check_transfer_request(
            self, from_body=from_body, certificate_no=certificate_no, certificate_status=certificate_status, reason=reason,
            occurred_on=occurred_on)
        transfer_id = f"T{len(self.transfers) + 1}"
        self.trigger_event(
            self.TransferRequested, transfer_id=transfer_id, from_body=from_body, certificate_no=certificate_no,
            certificate_status=certificate_status, reason=reason, actor=actor, occurred_on=occurred_on,
        )
        return transfer_id

    class TransferRequested(AreaEvent):
        transfer_id: str
        from_body: str
        certificate_no: str
        certificate_status: str
        reason: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Client) -> None:  # type: ignore[override]
            aggregate.transfers[self.transfer_id] = {
                "id": self.transfer_id, "from_body": self.from_body, "certificate_no": self.certificate_no,
                "certificate_status": self.certificate_status, "reason": self.reason, "status": "requested",
                "on": self.occurred_on, "actor": self.actor,
            }

    # ------------------------------------------------------------------ audits (planned in aggregates/audit_plans.py)

    def complete_audit(self, *, audit_id: str, conclusion: str, actor: str, occurred_on: date) -> None:
        conclusion = audits.check_completion(self, audit_id=audit_id, conclusion=conclusion, occurred_on=occurred_on)
        self.trigger_event(self.AuditCompleted, audit_id=audit_id, conclusion=conclusion, actor=actor, occurred_on=occurred_on)

    class AuditCompleted(AreaEvent):
        audit_id: str
        conclusion: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Client) -> None:  # type: ignore[override]
            audit = aggregate.audits[self.audit_id]
            audit["status"] = "completed"
            audit["completed_on"] = self.occurred_on
            audit["conclusion"] = self.conclusion

    def reopen_audit(self, *, audit_id: str, reason: str, actor: str, occurred_on: date) -> None:
        reason = audits.check_reopen(self, audit_id=audit_id, reason=reason, occurred_on=occurred_on)
        self.trigger_event(self.AuditReopened, audit_id=audit_id, reason=reason, actor=actor, occurred_on=occurred_on)

    class AuditReopened(AreaEvent):
        audit_id: str
        reason: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Client) -> None:  # type: ignore[override]
            audit = aggregate.audits[self.audit_id]
            audit.setdefault("reopenings", []).append({"on": self.occurred_on, "reason": self.reason, "actor": self.actor,
                                                       "completed_on": audit["completed_on"], "conclusion": audit["conclusion"]})
            audit["status"] = "planned"
            audit["completed_on"] = None
            audit["conclusion"] = None

    # ------------------------------------------------------------------ scores and exclusions

    def enter_score(self, *, audit_id: str, item: str, facet: str | None, value: dict[str, Any], actor: str, occurred_on: date) -> str:
        audits.check_score_entry(self, audit_id=audit_id, item=item, facet=facet, occurred_on=occurred_on)
        entry_id = f"S{len(self.entries) + 1}"
        self.trigger_event(self.ScoreEntered, entry_id=entry_id, audit_id=audit_id, item=item, facet=facet, value=value,
                           actor=actor, occurred_on=occurred_on)
        return entry_id

    class ScoreEntered(AreaEvent):
        """A score was entered for an item of an audit. The commonest event (four in five), so a class
        with its own ``apply``: the ``@event`` decorator's argument filtering was a tenth of an import."""

        entry_id: str
        audit_id: str
        item: str
        facet: str | None
        value: dict[str, Any]
        actor: str
        occurred_on: date

        def apply(self, aggregate: "Client") -> None:  # type: ignore[override]
            aggregate.entries[self.entry_id] = {
                "id": self.entry_id, "audit_id": self.audit_id, "item": self.item, "facet": self.facet,
                "value": self.value, "actor": self.actor, "on": self.occurred_on, "corrects": None, "reason": None,
                "superseded_by": None,
            }

    def correct_score(self, *, entry_id: str, value: dict[str, Any], reason: str, actor: str, occurred_on: date, facet: str | None = None) -> str:
        old, reason = audits.check_correction(self, entry_id=entry_id, reason=reason, occurred_on=occurred_on)
        new_id = f"S{len(self.entries) + 1}"
        self.trigger_event(
            self.ScoreCorrected, entry_id=new_id, corrects=entry_id, audit_id=old["audit_id"], item=old["item"], facet=old["facet"] if facet is None else (facet or None),
            value=value, reason=reason, actor=actor, occurred_on=occurred_on,
        )
        return new_id

    class ScoreCorrected(AreaEvent):
        entry_id: str
        corrects: str
        audit_id: str
        item: str
        facet: str | None
        value: dict[str, Any]
        reason: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Client) -> None:  # type: ignore[override]
            aggregate.entries[self.corrects]["superseded_by"] = self.entry_id
            aggregate.entries[self.entry_id] = {
                "id": self.entry_id, "audit_id": self.audit_id, "item": self.item, "facet": self.facet, "value": self.value,
                "actor": self.actor, "on": self.occurred_on, "corrects": self.corrects, "reason": self.reason, "superseded_by": None,
            }

    def exclude_item(self, *, audit_id: str, item: str, reason: str, actor: str, occurred_on: date) -> None:
        reason = audits.check_exclusion(self, audit_id=audit_id, item=item, reason=reason, occurred_on=occurred_on)
        self.trigger_event(self.ItemExcluded, audit_id=audit_id, item=item, reason=reason, actor=actor, occurred_on=occurred_on)

    class ItemExcluded(AreaEvent):
        audit_id: str
        item: str
        reason: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Client) -> None:  # type: ignore[override]
            aggregate.exclusions[self.audit_id][self.item] = {"item": self.item, "reason": self.reason, "actor": self.actor, "on": self.occurred_on}

    # ------------------------------------------------------------------ nonconformities

    def raise_nonconformity(
        self, *, audit_id: str, severity: str, clause: str, description: str, actor: str, occurred_on: date
    ) -> str:
        clause, description = audits.check_nonconformity(self, audit_id=audit_id, severity=severity, clause=clause,
                                                         description=description, occurred_on=occurred_on)
        nc_id = f"NC{len(self.nonconformities) + 1}"
        self.trigger_event(
            self.NonconformityRaised, nc_id=nc_id, audit_id=audit_id, severity=severity, clause=clause, description=description,
            actor=actor, occurred_on=occurred_on,
        )
        return nc_id

    class NonconformityRaised(AreaEvent):
        nc_id: str
        audit_id: str
        severity: str
        clause: str
        description: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Client) -> None:  # type: ignore[override]
            aggregate.nonconformities[self.nc_id] = {
                "id": self.nc_id, "audit_id": self.audit_id, "severity": self.severity, "clause": self.clause,
                "description": self.description, "status": "open", "raised_on": self.occurred_on, "actor": self.actor,
                "correction": None, "corrective_action": None, "responded_on": None,
                "closed_on": None, "closed_by": None, "verification": None,
            }

    def submit_correction(self, *, nc_id: str, correction: str, corrective_action: str, actor: str, occurred_on: date) -> None:
        correction, corrective_action = audits.check_response(self, nc_id=nc_id, correction=correction,
                                                              corrective_action=corrective_action, occurred_on=occurred_on)
        self.trigger_event(self.CorrectionSubmitted, nc_id=nc_id, correction=correction, corrective_action=corrective_action, actor=actor, occurred_on=occurred_on)

    class CorrectionSubmitted(AreaEvent):
        nc_id: str
        correction: str
        corrective_action: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Client) -> None:  # type: ignore[override]
            nc = aggregate.nonconformities[self.nc_id]
            nc["correction"] = self.correction
            nc["corrective_action"] = self.corrective_action
            nc["responded_on"] = self.occurred_on
            nc["status"] = "responded"

    def verify_nonconformity(self, *, nc_id: str, verification: str, actor: str, occurred_on: date) -> None:
        verification = audits.check_verification(self, nc_id=nc_id, verification=verification, occurred_on=occurred_on)
        self.trigger_event(self.NonconformityClosed, nc_id=nc_id, verification=verification, actor=actor, occurred_on=occurred_on)

    class NonconformityClosed(AreaEvent):
        nc_id: str
        verification: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Client) -> None:  # type: ignore[override]
            nc = aggregate.nonconformities[self.nc_id]
            nc["status"] = "closed"
            nc["closed_on"] = self.occurred_on
            nc["closed_by"] = self.actor
            nc["verification"] = self.verification

    # ------------------------------------------------------------------ decision and certificate

    def check_decidable(self, *, audit_id: str, decider: str, occurred_on: date, actor: str | None = None) -> dict[str, Any]:
        """The checks of ``decide`` alone (the application runs them before it spends time scoring)."""
        return decisions.check_decidable(self, audit_id=audit_id, decider=decider, occurred_on=occurred_on, actor=actor)

    def decide(
        self, *, audit_id: str, decider: str, scheme_id: str, scheme_version: str, score: Decimal,
        max_score: Decimal, percent: Decimal | None, grade: str | None, granted: bool, reason: str,
        evaluation: dict[str, Any], actor: str, occurred_on: date,
    ) -> str:
        audit, reason = decisions.check_decision(self, audit_id=audit_id, decider=decider, granted=granted, grade=grade,
                                                 reason=reason, occurred_on=occurred_on, actor=actor)
        decision_id = f"D{len(self.decisions) + 1}"
        self.trigger_event(
            self.CertificationDecided, decision_id=decision_id, audit_id=audit_id, application_id=audit["application_id"],
            decider=decider.strip(), scheme_id=scheme_id, scheme_version=scheme_version, score=score,
            max_score=max_score, percent=percent, grade=grade, granted=granted, reason=reason,
            evaluation=evaluation, actor=actor, occurred_on=occurred_on,
        )
        return decision_id

    class CertificationDecided(AreaEvent):
        decision_id: str
        audit_id: str
        application_id: str | None
        decider: str
        scheme_id: str
        scheme_version: str
        score: Decimal
        max_score: Decimal
        percent: Decimal | None
        grade: str | None
        granted: bool
        reason: str
        evaluation: dict[str, Any]
        actor: str
        occurred_on: date

        def apply(self, aggregate: Client) -> None:  # type: ignore[override]
            aggregate.decisions[self.decision_id] = cases.decision_record(self)
            if self.application_id and not self.granted:
                aggregate.applications[self.application_id]["concluded"] = "not_granted"
            cert = aggregate.certificate
            if self.granted and cert is not None and cert["status"] in IN_FORCE and self.application_id is None:
                # A surveillance decision re-grades the certificate in force (004 §6.9.2, §6.7).
                cert["grade"] = self.grade
                cert["decision_id"] = self.decision_id

    def issue_certificate(
        self, *, decision_id: str, number: str, valid_from: date, valid_until: date, standard: str,
        actor: str, occurred_on: date,
    ) -> None:
        decision, standard, original_issue_on, replaces = certificates.check_issue(
            self, decision_id=decision_id, number=number, valid_from=valid_from, valid_until=valid_until, standard=standard,
            occurred_on=occurred_on)
        app = self.applications[decision["application_id"]]
        self.trigger_event(
            self.CertificateIssued, number=number, decision_id=decision_id, grade=decision["grade"], scheme_id=decision["scheme_id"],
            scheme_version=decision["scheme_version"], scope=app["scope"], sites=copy.deepcopy(app["sites"]),  # not shared with the application (D64)
            standard=standard, valid_from=valid_from, valid_until=valid_until,
            original_issue_on=original_issue_on, replaces=replaces, actor=actor, occurred_on=occurred_on,
        )

    class CertificateIssued(AreaEvent):
        number: str
        decision_id: str
        grade: str | None
        scheme_id: str
        scheme_version: str
        scope: str
        sites: list[dict[str, str]]
        standard: str
        valid_from: date
        valid_until: date
        original_issue_on: date
        replaces: str | None
        actor: str
        occurred_on: date

        def apply(self, aggregate: Client) -> None:  # type: ignore[override]
            if self.replaces:
                aggregate.certificates[self.replaces]["status"] = "replaced"
                aggregate.certificates[self.replaces]["status_changed_on"] = self.occurred_on
            aggregate.certificates[self.number] = {
                "number": self.number, "decision_id": self.decision_id, "grade": self.grade, "scheme_id": self.scheme_id,
                "scheme_version": self.scheme_version, "scope": self.scope, "sites": self.sites, "standard": self.standard,
                "issued_on": self.occurred_on, "valid_from": self.valid_from, "valid_until": self.valid_until,
                "original_issue_on": self.original_issue_on, "status": "valid", "status_changed_on": self.occurred_on,
                "reported_on": None, "report_reference": None, "suspension_id": None,
            }
            aggregate.current_certificate = self.number
            decision = aggregate.decisions[self.decision_id]
            decision["certificate_no"] = self.number
            if decision["application_id"]:
                aggregate.applications[decision["application_id"]]["concluded"] = "certified"

    def report_to_regulator(self, *, reference: str, actor: str, occurred_on: date) -> None:
        cert = certificates.check_report(self, occurred_on=occurred_on)
        self.trigger_event(self.ReportedToRegulator, number=cert["number"], reference=(reference or "").strip(), actor=actor, occurred_on=occurred_on)

    class ReportedToRegulator(AreaEvent):
        number: str
        reference: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Client) -> None:  # type: ignore[override]
            aggregate.certificates[self.number]["reported_on"] = self.occurred_on
            aggregate.certificates[self.number]["report_reference"] = self.reference

    def suspend(
        self, *, reason_code: str, reason: str, start: date, until: date | None, actor: str, occurred_on: date
    ) -> str:
        cert, reason = certificates.check_suspension(self, reason=reason, start=start, until=until, occurred_on=occurred_on)
        suspension_id = f"SU{len(self.suspensions) + 1}"
        self.trigger_event(
            self.CertificateSuspended, suspension_id=suspension_id, number=cert["number"], reason_code=reason_code, reason=reason,
            start=start, until=until, actor=actor, occurred_on=occurred_on,
        )
        return suspension_id

    class CertificateSuspended(AreaEvent):
        suspension_id: str
        number: str
        reason_code: str
        reason: str
        start: date
        until: date | None
        actor: str
        occurred_on: date

        def apply(self, aggregate: Client) -> None:  # type: ignore[override]
            aggregate.suspensions[self.suspension_id] = {
                "id": self.suspension_id, "number": self.number, "reason_code": self.reason_code, "reason": self.reason,
                "start": self.start, "until": self.until, "actor": self.actor, "on": self.occurred_on, "restored_on": None,
            }
            cert = aggregate.certificates[self.number]
            cert["status"] = "suspended"
            cert["status_changed_on"] = self.start
            cert["suspension_id"] = self.suspension_id

    def restore(self, *, reason: str, actor: str, occurred_on: date) -> None:
        cert, suspension, reason = certificates.check_restoration(self, reason=reason, occurred_on=occurred_on)
        self.trigger_event(self.CertificateRestored, number=cert["number"], suspension_id=suspension["id"], reason=reason, actor=actor, occurred_on=occurred_on)

    class CertificateRestored(AreaEvent):
        number: str
        suspension_id: str
        reason: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Client) -> None:  # type: ignore[override]
            aggregate.suspensions[self.suspension_id]["restored_on"] = self.occurred_on
            cert = aggregate.certificates[self.number]
            cert["status"] = "valid"
            cert["status_changed_on"] = self.occurred_on
            cert["suspension_id"] = None

    def withdraw(self, *, reason_code: str, reason: str, actor: str, occurred_on: date) -> str:
        cert, reason = certificates.check_withdrawal(self, reason=reason, occurred_on=occurred_on)
        withdrawal_id = f"W{len(self.withdrawals) + 1}"
        self.trigger_event(self.CertificateWithdrawn, withdrawal_id=withdrawal_id, number=cert["number"], reason_code=reason_code, reason=reason, actor=actor, occurred_on=occurred_on)
        return withdrawal_id

    class CertificateWithdrawn(AreaEvent):
        withdrawal_id: str
        number: str
        reason_code: str
        reason: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Client) -> None:  # type: ignore[override]
            aggregate.withdrawals[self.withdrawal_id] = {"id": self.withdrawal_id, "number": self.number, "reason_code": self.reason_code, "reason": self.reason, "actor": self.actor, "on": self.occurred_on}
            cert = aggregate.certificates[self.number]
            cert["status"] = "withdrawn"
            cert["status_changed_on"] = self.occurred_on

    def cancel(self, *, reason: str, actor: str, occurred_on: date) -> None:
        cert, reason = certificates.check_cancellation(self, reason=reason, occurred_on=occurred_on)
        self.trigger_event(self.CertificateCancelled, number=cert["number"], reason=reason, actor=actor, occurred_on=occurred_on)

    class CertificateCancelled(AreaEvent):
        number: str
        reason: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Client) -> None:  # type: ignore[override]
            cert = aggregate.certificates[self.number]
            cert["status"] = "cancelled"
            cert["status_changed_on"] = self.occurred_on
            cert["cancel_reason"] = self.reason

    def expire(self, *, actor: str, occurred_on: date) -> None:
        cert = certificates.check_expiry(self, occurred_on=occurred_on)
        self.trigger_event(self.CertificateExpired, number=cert["number"], actor=actor, occurred_on=occurred_on)

    class CertificateExpired(AreaEvent):
        number: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Client) -> None:  # type: ignore[override]
            cert = aggregate.certificates[self.number]
            cert["status"] = "expired"
            cert["status_changed_on"] = self.occurred_on

    def change_scope(
        self, *, kind: str, scope: str, sites: list[dict[str, str]] | None, reason: str, actor: str, occurred_on: date
    ) -> str:
        cert, scope, reason = certificates.check_scope_change(self, kind=kind, scope=scope, sites=sites, reason=reason,
                                                              occurred_on=occurred_on)
        change_id = f"SC{len(self.scope_changes) + 1}"
        self.trigger_event(
            self.ScopeChanged, change_id=change_id, number=cert["number"], kind=kind, old_scope=cert["scope"], scope=scope,
            sites=copy.deepcopy(sites if sites is not None else cert["sites"]), reason=reason, actor=actor, occurred_on=occurred_on,
        )
        return change_id

    class ScopeChanged(AreaEvent):
        change_id: str
        number: str
        kind: str
        old_scope: str
        scope: str
        sites: list[dict[str, str]]
        reason: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Client) -> None:  # type: ignore[override]
            aggregate.scope_changes[self.change_id] = {"id": self.change_id, "number": self.number, "kind": self.kind, "old_scope": self.old_scope, "scope": self.scope, "reason": self.reason, "actor": self.actor, "on": self.occurred_on}
            changes.amend_scope(aggregate, aggregate.certificates[self.number], self.scope, self.sites, self.occurred_on, scope_change_id=self.change_id)  # a new version (换证)


define_area_events(Client)  # its events and its areas' as Client.<Event>, each defined once (D65)
