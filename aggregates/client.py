"""The client organisation (申请组织 / 获证组织): one event-sourced aggregate per USCC.

Every public method is a command: it calls the check of its area (``aggregates.policy``: pure
functions over this state that refuse naming the rule), then one private ``@event`` method that
only applies state (it runs again on every replay, so it reads no clock, generates no id and
checks nothing). Every event carries the ``actor`` who recorded it and the business date
``occurred_on`` (Asia/Shanghai) on which the thing happened; the library adds the time it was
recorded. Events keep their names here (``aggregates.client:Client.<Event>`` is their stored topic).

State is kept JSON-shaped (dicts, lists, str, int, Decimal, date) so snapshots round-trip.
Ids of things inside a client (applications, audits, score entries, nonconformities, decisions,
complaints, appeals...) are short, readable and sequential per client: ``A1``, ``S12``, ``NC3``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from aggregates import annotations, audit_plans, cases, changes, documents, reporting, signatures
from aggregates import objections  # the client's objection to an audit team (004 §5.2.1)
from aggregates.policy import appeals, applications, audits, certificates, decisions
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
        self._application_submitted(
            application_id=application_id, scheme_id=scheme_id, scope=scope, sites=clean_sites,
            headcount=headcount, kind=kind, evidence=evidence, actor=actor, occurred_on=occurred_on,
        )
        return application_id

    @event("ApplicationSubmitted")
    def _application_submitted(
        self, application_id: str, scheme_id: str, scope: str, sites: list[dict[str, str]],
        headcount: int, kind: str, evidence: str, actor: str, occurred_on: date,
    ) -> None:
        self.applications[application_id] = {
            "id": application_id, "scheme_id": scheme_id, "scope": scope, "sites": sites,
            "headcount": headcount, "kind": kind, "evidence": evidence, "status": "submitted",
            "submitted_on": occurred_on, "actor": actor, "reviewed_on": None, "reviewed_by": None,
            "review_reason": None, "concluded": None, "refusal_notified_on": None,
        }

    def review_application(self, *, application_id: str, accepted: bool, reason: str, actor: str, occurred_on: date) -> None:
        reason = applications.check_review(self, application_id=application_id, accepted=accepted, reason=reason, occurred_on=occurred_on)
        self._application_reviewed(application_id=application_id, accepted=accepted, reason=reason, actor=actor, occurred_on=occurred_on)

    @event("ApplicationReviewed")
    def _application_reviewed(self, application_id: str, accepted: bool, reason: str, actor: str, occurred_on: date) -> None:
        app = self.applications[application_id]
        app["status"] = "accepted" if accepted else "refused"
        app["reviewed_on"] = occurred_on
        app["reviewed_by"] = actor
        app["review_reason"] = reason

    def notify_refusal(self, *, application_id: str, actor: str, occurred_on: date) -> None:
        """The written notice of a refused application was sent (001 §4.2.1: within 5 days)."""
        applications.check_refusal_notice(self, application_id=application_id, occurred_on=occurred_on)
        self._refusal_notified(application_id=application_id, actor=actor, occurred_on=occurred_on)

    @event("RefusalNotified")
    def _refusal_notified(self, application_id: str, actor: str, occurred_on: date) -> None:
        self.applications[application_id]["refusal_notified_on"] = occurred_on

    def sign_contract(self, *, contract_no: str, actor: str, occurred_on: date) -> None:
        contract_no, application_id = applications.check_contract(self, contract_no=contract_no, occurred_on=occurred_on)
        self._contract_signed(contract_no=contract_no, application_id=application_id, actor=actor, occurred_on=occurred_on)

    @event("ContractSigned")
    def _contract_signed(self, contract_no: str, application_id: str, actor: str, occurred_on: date) -> None:
        self.contracts[contract_no] = {"no": contract_no, "application_id": application_id, "signed_on": occurred_on, "actor": actor}

    def request_transfer(
        self, *, from_body: str, certificate_no: str, certificate_status: str, reason: str,
        actor: str, occurred_on: date,
    ) -> str:
        from_body, certificate_no, reason = applications.check_transfer_request(
            self, from_body=from_body, certificate_no=certificate_no, certificate_status=certificate_status, reason=reason,
            occurred_on=occurred_on)
        transfer_id = f"T{len(self.transfers) + 1}"
        self._transfer_requested(
            transfer_id=transfer_id, from_body=from_body, certificate_no=certificate_no,
            certificate_status=certificate_status, reason=reason, actor=actor, occurred_on=occurred_on,
        )
        return transfer_id

    @event("TransferRequested")
    def _transfer_requested(
        self, transfer_id: str, from_body: str, certificate_no: str, certificate_status: str,
        reason: str, actor: str, occurred_on: date,
    ) -> None:
        self.transfers[transfer_id] = {
            "id": transfer_id, "from_body": from_body, "certificate_no": certificate_no,
            "certificate_status": certificate_status, "reason": reason, "status": "requested",
            "on": occurred_on, "actor": actor,
        }

    # ------------------------------------------------------------------ audits (planned in aggregates/audit_plans.py)

    def complete_audit(self, *, audit_id: str, conclusion: str, actor: str, occurred_on: date) -> None:
        conclusion = audits.check_completion(self, audit_id=audit_id, conclusion=conclusion, occurred_on=occurred_on)
        self._audit_completed(audit_id=audit_id, conclusion=conclusion, actor=actor, occurred_on=occurred_on)

    @event("AuditCompleted")
    def _audit_completed(self, audit_id: str, conclusion: str, actor: str, occurred_on: date) -> None:
        audit = self.audits[audit_id]
        audit["status"] = "completed"
        audit["completed_on"] = occurred_on
        audit["conclusion"] = conclusion

    def reopen_audit(self, *, audit_id: str, reason: str, actor: str, occurred_on: date) -> None:
        reason = audits.check_reopen(self, audit_id=audit_id, reason=reason, occurred_on=occurred_on)
        self._audit_reopened(audit_id=audit_id, reason=reason, actor=actor, occurred_on=occurred_on)

    @event("AuditReopened")
    def _audit_reopened(self, audit_id: str, reason: str, actor: str, occurred_on: date) -> None:
        audit = self.audits[audit_id]
        audit.setdefault("reopenings", []).append({"on": occurred_on, "reason": reason, "actor": actor,
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

    class ScoreEntered(Aggregate.Event):
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
        self._score_corrected(
            entry_id=new_id, corrects=entry_id, audit_id=old["audit_id"], item=old["item"], facet=old["facet"] if facet is None else (facet or None),
            value=value, reason=reason, actor=actor, occurred_on=occurred_on,
        )
        return new_id

    @event("ScoreCorrected")
    def _score_corrected(
        self, entry_id: str, corrects: str, audit_id: str, item: str, facet: str | None,
        value: dict[str, Any], reason: str, actor: str, occurred_on: date,
    ) -> None:
        self.entries[corrects]["superseded_by"] = entry_id
        self.entries[entry_id] = {
            "id": entry_id, "audit_id": audit_id, "item": item, "facet": facet, "value": value,
            "actor": actor, "on": occurred_on, "corrects": corrects, "reason": reason, "superseded_by": None,
        }

    def exclude_item(self, *, audit_id: str, item: str, reason: str, actor: str, occurred_on: date) -> None:
        reason = audits.check_exclusion(self, audit_id=audit_id, item=item, reason=reason, occurred_on=occurred_on)
        self._item_excluded(audit_id=audit_id, item=item, reason=reason, actor=actor, occurred_on=occurred_on)

    @event("ItemExcluded")
    def _item_excluded(self, audit_id: str, item: str, reason: str, actor: str, occurred_on: date) -> None:
        self.exclusions[audit_id][item] = {"item": item, "reason": reason, "actor": actor, "on": occurred_on}

    # ------------------------------------------------------------------ nonconformities

    def raise_nonconformity(
        self, *, audit_id: str, severity: str, clause: str, description: str, actor: str, occurred_on: date
    ) -> str:
        clause, description = audits.check_nonconformity(self, audit_id=audit_id, severity=severity, clause=clause,
                                                         description=description, occurred_on=occurred_on)
        nc_id = f"NC{len(self.nonconformities) + 1}"
        self._nonconformity_raised(
            nc_id=nc_id, audit_id=audit_id, severity=severity, clause=clause, description=description,
            actor=actor, occurred_on=occurred_on,
        )
        return nc_id

    @event("NonconformityRaised")
    def _nonconformity_raised(self, nc_id: str, audit_id: str, severity: str, clause: str, description: str, actor: str, occurred_on: date) -> None:
        self.nonconformities[nc_id] = {
            "id": nc_id, "audit_id": audit_id, "severity": severity, "clause": clause,
            "description": description, "status": "open", "raised_on": occurred_on, "actor": actor,
            "correction": None, "corrective_action": None, "responded_on": None,
            "closed_on": None, "closed_by": None, "verification": None,
        }

    def submit_correction(self, *, nc_id: str, correction: str, corrective_action: str, actor: str, occurred_on: date) -> None:
        correction, corrective_action = audits.check_response(self, nc_id=nc_id, correction=correction,
                                                              corrective_action=corrective_action, occurred_on=occurred_on)
        self._correction_submitted(nc_id=nc_id, correction=correction, corrective_action=corrective_action, actor=actor, occurred_on=occurred_on)

    @event("CorrectionSubmitted")
    def _correction_submitted(self, nc_id: str, correction: str, corrective_action: str, actor: str, occurred_on: date) -> None:
        nc = self.nonconformities[nc_id]
        nc["correction"] = correction
        nc["corrective_action"] = corrective_action
        nc["responded_on"] = occurred_on
        nc["status"] = "responded"

    def verify_nonconformity(self, *, nc_id: str, verification: str, actor: str, occurred_on: date) -> None:
        verification = audits.check_verification(self, nc_id=nc_id, verification=verification, occurred_on=occurred_on)
        self._nonconformity_closed(nc_id=nc_id, verification=verification, actor=actor, occurred_on=occurred_on)

    @event("NonconformityClosed")
    def _nonconformity_closed(self, nc_id: str, verification: str, actor: str, occurred_on: date) -> None:
        nc = self.nonconformities[nc_id]
        nc["status"] = "closed"
        nc["closed_on"] = occurred_on
        nc["closed_by"] = actor
        nc["verification"] = verification

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
        self._decided(
            decision_id=decision_id, audit_id=audit_id, application_id=audit["application_id"],
            decider=decider.strip(), scheme_id=scheme_id, scheme_version=scheme_version, score=score,
            max_score=max_score, percent=percent, grade=grade, granted=granted, reason=reason,
            evaluation=evaluation, actor=actor, occurred_on=occurred_on,
        )
        return decision_id

    @event("CertificationDecided")
    def _decided(
        self, decision_id: str, audit_id: str, application_id: str | None, decider: str, scheme_id: str,
        scheme_version: str, score: Decimal, max_score: Decimal, percent: Decimal | None,
        grade: str | None, granted: bool, reason: str, evaluation: dict[str, Any], actor: str, occurred_on: date,
    ) -> None:
        self.decisions[decision_id] = {
            "id": decision_id, "audit_id": audit_id, "application_id": application_id, "decider": decider,
            "scheme_id": scheme_id, "scheme_version": scheme_version, "score": score, "max_score": max_score,
            "percent": percent, "grade": grade, "granted": granted, "reason": reason,
            "evaluation": evaluation, "on": occurred_on, "actor": actor, "certificate_no": None,
        }
        if application_id and not granted:
            self.applications[application_id]["concluded"] = "not_granted"
        cert = self.certificate
        if granted and cert is not None and cert["status"] in IN_FORCE and application_id is None:
            # A surveillance decision re-grades the certificate in force (004 §6.9.2, §6.7).
            cert["grade"] = grade
            cert["decision_id"] = decision_id

    def issue_certificate(
        self, *, decision_id: str, number: str, valid_from: date, valid_until: date, standard: str,
        actor: str, occurred_on: date,
    ) -> None:
        decision, standard, original_issue_on, replaces = certificates.check_issue(
            self, decision_id=decision_id, number=number, valid_from=valid_from, valid_until=valid_until, standard=standard,
            occurred_on=occurred_on)
        app = self.applications[decision["application_id"]]
        self._certificate_issued(
            number=number, decision_id=decision_id, grade=decision["grade"], scheme_id=decision["scheme_id"],
            scheme_version=decision["scheme_version"], scope=app["scope"], sites=app["sites"],
            standard=standard, valid_from=valid_from, valid_until=valid_until,
            original_issue_on=original_issue_on, replaces=replaces, actor=actor, occurred_on=occurred_on,
        )

    @event("CertificateIssued")
    def _certificate_issued(
        self, number: str, decision_id: str, grade: str | None, scheme_id: str, scheme_version: str,
        scope: str, sites: list[dict[str, str]], standard: str, valid_from: date, valid_until: date,
        original_issue_on: date, replaces: str | None, actor: str, occurred_on: date,
    ) -> None:
        if replaces:
            self.certificates[replaces]["status"] = "replaced"
            self.certificates[replaces]["status_changed_on"] = occurred_on
        self.certificates[number] = {
            "number": number, "decision_id": decision_id, "grade": grade, "scheme_id": scheme_id,
            "scheme_version": scheme_version, "scope": scope, "sites": sites, "standard": standard,
            "issued_on": occurred_on, "valid_from": valid_from, "valid_until": valid_until,
            "original_issue_on": original_issue_on, "status": "valid", "status_changed_on": occurred_on,
            "reported_on": None, "report_reference": None, "suspension_id": None,
        }
        self.current_certificate = number
        decision = self.decisions[decision_id]
        decision["certificate_no"] = number
        if decision["application_id"]:
            self.applications[decision["application_id"]]["concluded"] = "certified"

    def report_to_regulator(self, *, reference: str, actor: str, occurred_on: date) -> None:
        cert = certificates.check_report(self, occurred_on=occurred_on)
        self._reported(number=cert["number"], reference=(reference or "").strip(), actor=actor, occurred_on=occurred_on)

    @event("ReportedToRegulator")
    def _reported(self, number: str, reference: str, actor: str, occurred_on: date) -> None:
        self.certificates[number]["reported_on"] = occurred_on
        self.certificates[number]["report_reference"] = reference

    def suspend(
        self, *, reason_code: str, reason: str, start: date, until: date | None, actor: str, occurred_on: date
    ) -> str:
        cert, reason = certificates.check_suspension(self, reason=reason, start=start, until=until, occurred_on=occurred_on)
        suspension_id = f"SU{len(self.suspensions) + 1}"
        self._suspended(
            suspension_id=suspension_id, number=cert["number"], reason_code=reason_code, reason=reason,
            start=start, until=until, actor=actor, occurred_on=occurred_on,
        )
        return suspension_id

    @event("CertificateSuspended")
    def _suspended(self, suspension_id: str, number: str, reason_code: str, reason: str, start: date, until: date | None, actor: str, occurred_on: date) -> None:
        self.suspensions[suspension_id] = {
            "id": suspension_id, "number": number, "reason_code": reason_code, "reason": reason,
            "start": start, "until": until, "actor": actor, "on": occurred_on, "restored_on": None,
        }
        cert = self.certificates[number]
        cert["status"] = "suspended"
        cert["status_changed_on"] = start
        cert["suspension_id"] = suspension_id

    def restore(self, *, reason: str, actor: str, occurred_on: date) -> None:
        cert, suspension, reason = certificates.check_restoration(self, reason=reason, occurred_on=occurred_on)
        self._restored(number=cert["number"], suspension_id=suspension["id"], reason=reason, actor=actor, occurred_on=occurred_on)

    @event("CertificateRestored")
    def _restored(self, number: str, suspension_id: str, reason: str, actor: str, occurred_on: date) -> None:
        self.suspensions[suspension_id]["restored_on"] = occurred_on
        cert = self.certificates[number]
        cert["status"] = "valid"
        cert["status_changed_on"] = occurred_on
        cert["suspension_id"] = None

    def withdraw(self, *, reason_code: str, reason: str, actor: str, occurred_on: date) -> str:
        cert, reason = certificates.check_withdrawal(self, reason=reason, occurred_on=occurred_on)
        withdrawal_id = f"W{len(self.withdrawals) + 1}"
        self._withdrawn(withdrawal_id=withdrawal_id, number=cert["number"], reason_code=reason_code, reason=reason, actor=actor, occurred_on=occurred_on)
        return withdrawal_id

    @event("CertificateWithdrawn")
    def _withdrawn(self, withdrawal_id: str, number: str, reason_code: str, reason: str, actor: str, occurred_on: date) -> None:
        self.withdrawals[withdrawal_id] = {"id": withdrawal_id, "number": number, "reason_code": reason_code, "reason": reason, "actor": actor, "on": occurred_on}
        cert = self.certificates[number]
        cert["status"] = "withdrawn"
        cert["status_changed_on"] = occurred_on

    def cancel(self, *, reason: str, actor: str, occurred_on: date) -> None:
        cert, reason = certificates.check_cancellation(self, reason=reason, occurred_on=occurred_on)
        self._cancelled(number=cert["number"], reason=reason, actor=actor, occurred_on=occurred_on)

    @event("CertificateCancelled")
    def _cancelled(self, number: str, reason: str, actor: str, occurred_on: date) -> None:
        cert = self.certificates[number]
        cert["status"] = "cancelled"
        cert["status_changed_on"] = occurred_on
        cert["cancel_reason"] = reason

    def expire(self, *, actor: str, occurred_on: date) -> None:
        cert = certificates.check_expiry(self, occurred_on=occurred_on)
        self._expired(number=cert["number"], actor=actor, occurred_on=occurred_on)

    @event("CertificateExpired")
    def _expired(self, number: str, actor: str, occurred_on: date) -> None:
        cert = self.certificates[number]
        cert["status"] = "expired"
        cert["status_changed_on"] = occurred_on

    def change_scope(
        self, *, kind: str, scope: str, sites: list[dict[str, str]] | None, reason: str, actor: str, occurred_on: date
    ) -> str:
        cert, scope, reason = certificates.check_scope_change(self, kind=kind, scope=scope, sites=sites, reason=reason,
                                                              occurred_on=occurred_on)
        change_id = f"SC{len(self.scope_changes) + 1}"
        self._scope_changed(
            change_id=change_id, number=cert["number"], kind=kind, old_scope=cert["scope"], scope=scope,
            sites=sites if sites is not None else cert["sites"], reason=reason, actor=actor, occurred_on=occurred_on,
        )
        return change_id

    @event("ScopeChanged")
    def _scope_changed(
        self, change_id: str, number: str, kind: str, old_scope: str, scope: str,
        sites: list[dict[str, str]], reason: str, actor: str, occurred_on: date,
    ) -> None:
        self.scope_changes[change_id] = {"id": change_id, "number": number, "kind": kind, "old_scope": old_scope, "scope": scope, "reason": reason, "actor": actor, "on": occurred_on}
        changes.amend_scope(self, self.certificates[number], scope, sites, occurred_on, scope_change_id=change_id)  # a new version (换证)

    # ------------------------------------------------------------------ notified changes, complaints, appeals

    def notify_change(self, *, kind: str, changed_on: date, description: str, actor: str, occurred_on: date) -> str:
        description = appeals.check_change_notice(self, kind=kind, changed_on=changed_on, description=description, occurred_on=occurred_on)
        change_id = f"N{len(self.changes) + 1}"
        self._change_notified(change_id=change_id, kind=kind, changed_on=changed_on, description=description, actor=actor, occurred_on=occurred_on)
        return change_id

    @event("ChangeNotified")
    def _change_notified(self, change_id: str, kind: str, changed_on: date, description: str, actor: str, occurred_on: date) -> None:
        self.changes[change_id] = {"id": change_id, "kind": kind, "changed_on": changed_on, "notified_on": occurred_on, "description": description, "actor": actor}

    def receive_complaint(self, *, complainant: str, subject: str, actor: str, occurred_on: date) -> str:
        complainant, subject = appeals.check_complaint(self, complainant=complainant, subject=subject, occurred_on=occurred_on)
        complaint_id = f"C{len(self.complaints) + 1}"
        self._complaint_received(complaint_id=complaint_id, complainant=complainant, subject=subject, actor=actor, occurred_on=occurred_on)
        return complaint_id

    @event("ComplaintReceived")
    def _complaint_received(self, complaint_id: str, complainant: str, subject: str, actor: str, occurred_on: date) -> None:
        self.complaints[complaint_id] = {"id": complaint_id, "complainant": complainant, "subject": subject, "received_on": occurred_on, "actor": actor, "status": "open", "result": None, "resolved_on": None, "resolved_by": None}

    def resolve_complaint(self, *, complaint_id: str, result: str, actor: str, occurred_on: date) -> None:
        result = appeals.check_complaint_result(self, complaint_id=complaint_id, result=result, occurred_on=occurred_on, actor=actor)
        self._complaint_resolved(complaint_id=complaint_id, result=result, actor=actor, occurred_on=occurred_on)

    @event("ComplaintResolved")
    def _complaint_resolved(self, complaint_id: str, result: str, actor: str, occurred_on: date) -> None:
        complaint = self.complaints[complaint_id]
        complaint["status"] = "resolved"
        complaint["result"] = result
        complaint["resolved_on"] = occurred_on
        complaint["resolved_by"] = actor

    def lodge_appeal(self, *, against: str, grounds: str, actor: str, occurred_on: date, late_override: str = "") -> str:
        grounds = appeals.check_appeal(self, against=against, grounds=grounds, occurred_on=occurred_on)
        appeal_id = f"AL{len(self.appeals) + 1}"
        self._appeal_lodged(appeal_id=appeal_id, against=against, grounds=grounds, late_override=late_override, actor=actor, occurred_on=occurred_on)
        return appeal_id

    @event("AppealLodged")
    def _appeal_lodged(self, appeal_id: str, against: str, grounds: str, late_override: str, actor: str, occurred_on: date) -> None:
        self.appeals[appeal_id] = {
            "id": appeal_id, "against": against, "grounds": grounds, "late_override": late_override,
            "lodged_on": occurred_on, "actor": actor, "status": "lodged", "admitted": None,
            "admission_reason": None, "admitted_on": None, "hearing_on": None, "notice_given_on": None,
            "panel": [], "outcome": None, "result": None, "decided_on": None, "deciders": [],
        }

    def admit_appeal(self, *, appeal_id: str, accepted: bool, reason: str, actor: str, occurred_on: date,
                     deciders: list[str] | None = None) -> None:
        reason, members = appeals.check_admission(self, appeal_id=appeal_id, accepted=accepted, reason=reason,
                                                  deciders=deciders, occurred_on=occurred_on, actor=actor)
        self._appeal_admitted(appeal_id=appeal_id, accepted=accepted, reason=reason, deciders=members, actor=actor, occurred_on=occurred_on)

    @event("AppealAdmitted")
    def _appeal_admitted(self, appeal_id: str, accepted: bool, reason: str, actor: str, occurred_on: date,
                         deciders: list[str] | None = None) -> None:
        # deciders: who decided the admission (004 §14.1.3 (6)); None on the events recorded before they were named (docs/decisions.md D40)
        appeal = self.appeals[appeal_id]
        appeal["status"] = "accepted" if accepted else "refused"
        appeal["admitted"] = accepted
        appeal["admission_reason"] = reason
        appeal["admitted_on"] = occurred_on
        appeal["admission_deciders"] = list(deciders or [])

    def hear_appeal(self, *, appeal_id: str, hearing_on: date, notice_given_on: date, panel: list[str], actor: str, occurred_on: date) -> None:
        members = appeals.check_hearing(self, appeal_id=appeal_id, hearing_on=hearing_on, notice_given_on=notice_given_on,
                                        panel=panel, occurred_on=occurred_on)
        self._appeal_heard(appeal_id=appeal_id, hearing_on=hearing_on, notice_given_on=notice_given_on, panel=members, actor=actor, occurred_on=occurred_on)

    @event("AppealHeard")
    def _appeal_heard(self, appeal_id: str, hearing_on: date, notice_given_on: date, panel: list[str], actor: str, occurred_on: date) -> None:
        appeal = self.appeals[appeal_id]
        appeal["status"] = "heard"
        appeal["hearing_on"] = hearing_on
        appeal["notice_given_on"] = notice_given_on
        appeal["panel"] = panel

    def decide_appeal(self, *, appeal_id: str, outcome: str, result: str, deciders: list[str], actor: str, occurred_on: date) -> None:
        members, result = appeals.check_appeal_decision(self, appeal_id=appeal_id, outcome=outcome, result=result,
                                                        deciders=deciders, occurred_on=occurred_on)
        self._appeal_decided(appeal_id=appeal_id, outcome=outcome, result=result, deciders=members, actor=actor, occurred_on=occurred_on)

    @event("AppealDecided")
    def _appeal_decided(self, appeal_id: str, outcome: str, result: str, deciders: list[str], actor: str, occurred_on: date) -> None:
        appeal = self.appeals[appeal_id]
        appeal["status"] = "decided"
        appeal["outcome"] = outcome
        appeal["result"] = result
        appeal["deciders"] = deciders
        appeal["decided_on"] = occurred_on
