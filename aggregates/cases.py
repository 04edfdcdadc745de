"""Complaints (004 §14.2) and appeals (004 §14.1), and the client's notice of a change: received, lodged, admitted with its notice, impartial deciders, the client informed, heard, written results, appeal extensions, the effect of an upheld appeal.

An area of ``Client``: events as classes with ``apply``, stored as ``aggregates.client:Client.<Event>``
(docs/architecture.md, "A new event of an area").

The area's state lives on the records it completes (JSON-shaped): a complaint's ``admission`` and
``client_informed`` (its ``status`` becomes accepted or refused), an unscheduled audit's ``causes``,
an appeal's ``extension`` and ``effect`` (the decision that gave it effect), and a decision's
``supersedes`` / ``appeal_id`` / ``superseded_by`` (the decision appealed stays, marked superseded).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from aggregates.area_events import AreaEvent
from aggregates.changes import amend_scope
from aggregates.policy import appeals
from aggregates.policy import cases as rules
from aggregates.policy import decisions
from aggregates.policy.audits import check_cancellation
from aggregates.policy.common import require_text
from aggregates.vocabulary import IN_FORCE


def decision_record(e: Any) -> dict[str, Any]:
    """A certification decision as the client keeps it, from its event (``Client.CertificationDecided``,
    or ``DecisionSuperseded`` on an upheld appeal, which adds what it supersedes)."""
    return {
        "id": e.decision_id, "audit_id": e.audit_id, "application_id": e.application_id, "decider": e.decider,
        "scheme_id": e.scheme_id, "scheme_version": e.scheme_version, "score": e.score, "max_score": e.max_score,
        "percent": e.percent, "grade": e.grade, "granted": e.granted, "reason": e.reason,
        "evaluation": e.evaluation, "on": e.occurred_on, "actor": e.actor, "certificate_no": None,
    }


class CasesArea:
    """Commands and events of this area (mixed into ``Client``)."""

    # ------------------------------------------------------------------ notified changes, complaints and appeals: their first steps

    def notify_change(self, *, kind: str, changed_on: date, description: str, actor: str, occurred_on: date) -> str:
        description = appeals.check_change_notice(self, kind=kind, changed_on=changed_on, description=description, occurred_on=occurred_on)
        change_id = f"N{len(self.changes) + 1}"
        self.trigger_event(self.ChangeNotified, change_id=change_id, kind=kind, changed_on=changed_on, description=description, actor=actor, occurred_on=occurred_on)
        return change_id

    class ChangeNotified(AreaEvent):
        change_id: str
        kind: str
        changed_on: date
        description: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            aggregate.changes[self.change_id] = {"id": self.change_id, "kind": self.kind, "changed_on": self.changed_on, "notified_on": self.occurred_on, "description": self.description, "actor": self.actor}

    def receive_complaint(self, *, complainant: str, subject: str, actor: str, occurred_on: date) -> str:
        complainant, subject = appeals.check_complaint(self, complainant=complainant, subject=subject, occurred_on=occurred_on)
        complaint_id = f"C{len(self.complaints) + 1}"
        self.trigger_event(self.ComplaintReceived, complaint_id=complaint_id, complainant=complainant, subject=subject, actor=actor, occurred_on=occurred_on)
        return complaint_id

    class ComplaintReceived(AreaEvent):
        complaint_id: str
        complainant: str
        subject: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            aggregate.complaints[self.complaint_id] = {"id": self.complaint_id, "complainant": self.complainant, "subject": self.subject, "received_on": self.occurred_on, "actor": self.actor, "status": "open", "result": None, "resolved_on": None, "resolved_by": None}

    def resolve_complaint(self, *, complaint_id: str, result: str, actor: str, occurred_on: date) -> None:
        result = appeals.check_complaint_result(self, complaint_id=complaint_id, result=result, occurred_on=occurred_on, actor=actor)
        self.trigger_event(self.ComplaintResolved, complaint_id=complaint_id, result=result, actor=actor, occurred_on=occurred_on)

    class ComplaintResolved(AreaEvent):
        complaint_id: str
        result: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            complaint = aggregate.complaints[self.complaint_id]
            complaint["status"] = "resolved"
            complaint["result"] = self.result
            complaint["resolved_on"] = self.occurred_on
            complaint["resolved_by"] = self.actor

    def lodge_appeal(self, *, against: str, grounds: str, actor: str, occurred_on: date, late_override: str = "") -> str:
        grounds = appeals.check_appeal(self, against=against, grounds=grounds, occurred_on=occurred_on)
        appeal_id = f"AL{len(self.appeals) + 1}"
        self.trigger_event(self.AppealLodged, appeal_id=appeal_id, against=against, grounds=grounds, late_override=late_override, actor=actor, occurred_on=occurred_on)
        return appeal_id

    class AppealLodged(AreaEvent):
        appeal_id: str
        against: str
        grounds: str
        late_override: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            aggregate.appeals[self.appeal_id] = {
                "id": self.appeal_id, "against": self.against, "grounds": self.grounds, "late_override": self.late_override,
                "lodged_on": self.occurred_on, "actor": self.actor, "status": "lodged", "admitted": None,
                "admission_reason": None, "admitted_on": None, "hearing_on": None, "notice_given_on": None,
                "panel": [], "outcome": None, "result": None, "decided_on": None, "deciders": [],
            }

    def admit_appeal(self, *, appeal_id: str, accepted: bool, reason: str, actor: str, occurred_on: date,
                     deciders: list[str] | None = None) -> None:
        reason, members = appeals.check_admission(self, appeal_id=appeal_id, accepted=accepted, reason=reason,
                                                  deciders=deciders, occurred_on=occurred_on, actor=actor)
        self.trigger_event(self.AppealAdmitted, appeal_id=appeal_id, accepted=accepted, reason=reason, deciders=members, actor=actor, occurred_on=occurred_on)

    class AppealAdmitted(AreaEvent):
        appeal_id: str
        accepted: bool
        reason: str
        actor: str
        occurred_on: date
        deciders: list[str] | None

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            # deciders: who decided the admission (004 §14.1.3 (6)); absent from the events recorded before they were named
            # (docs/decisions.md D40), which the library reads without it
            appeal = aggregate.appeals[self.appeal_id]
            appeal["status"] = "accepted" if self.accepted else "refused"
            appeal["admitted"] = self.accepted
            appeal["admission_reason"] = self.reason
            appeal["admitted_on"] = self.occurred_on
            appeal["admission_deciders"] = list(getattr(self, "deciders", None) or [])

    def hear_appeal(self, *, appeal_id: str, hearing_on: date, notice_given_on: date, panel: list[str], actor: str, occurred_on: date) -> None:
        members = appeals.check_hearing(self, appeal_id=appeal_id, hearing_on=hearing_on, notice_given_on=notice_given_on,
                                        panel=panel, occurred_on=occurred_on)
        self.trigger_event(self.AppealHeard, appeal_id=appeal_id, hearing_on=hearing_on, notice_given_on=notice_given_on, panel=members, actor=actor, occurred_on=occurred_on)

    class AppealHeard(AreaEvent):
        appeal_id: str
        hearing_on: date
        notice_given_on: date
        panel: list[str]
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            appeal = aggregate.appeals[self.appeal_id]
            appeal["status"] = "heard"
            appeal["hearing_on"] = self.hearing_on
            appeal["notice_given_on"] = self.notice_given_on
            appeal["panel"] = self.panel

    def decide_appeal(self, *, appeal_id: str, outcome: str, result: str, deciders: list[str], actor: str, occurred_on: date) -> None:
        members, result = appeals.check_appeal_decision(self, appeal_id=appeal_id, outcome=outcome, result=result,
                                                        deciders=deciders, occurred_on=occurred_on)
        self.trigger_event(self.AppealDecided, appeal_id=appeal_id, outcome=outcome, result=result, deciders=members, actor=actor, occurred_on=occurred_on)

    class AppealDecided(AreaEvent):
        appeal_id: str
        outcome: str
        result: str
        deciders: list[str]
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            appeal = aggregate.appeals[self.appeal_id]
            appeal["status"] = "decided"
            appeal["outcome"] = self.outcome
            appeal["result"] = self.result
            appeal["deciders"] = self.deciders
            appeal["decided_on"] = self.occurred_on

    complaints: dict[str, dict[str, Any]]
    appeals: dict[str, dict[str, Any]]
    audits: dict[str, dict[str, Any]]
    decisions: dict[str, dict[str, Any]]
    applications: dict[str, dict[str, Any]]
    certificates: dict[str, dict[str, Any]]
    certificate: dict[str, Any] | None
    trigger_event: Any

    # ------------------------------------------------------------------ complaints (004 §14.2)

    def admit_complaint(self, *, complaint_id: str, accepted: bool, deciders: list[str], concerns: list[str], about_client: bool,
                        reason: str, notice_on: date, actor: str, occurred_on: date) -> None:
        """Accept or refuse a complaint and send the 受理通知 (004 §14.2.2), decided by people not
        involved in the audits and decisions it concerns (004 §14.2.3.4). ``about_client``: the
        complaint is against the client (its products, its use of the certificate), which is then
        told of it if it holds a certificate in force (004 §14.2.3.3)."""
        members, refs, reason = rules.check_complaint_admission(
            self, complaint_id=complaint_id, accepted=accepted, deciders=deciders, concerns=concerns, reason=reason,
            notice_on=notice_on, occurred_on=occurred_on)
        cert = self.certificate
        certified = bool(about_client) and cert is not None and cert["status"] in IN_FORCE
        self.trigger_event(self.ComplaintAdmitted, complaint_id=complaint_id, accepted=accepted, deciders=members, concerns=refs,
                           about_client=bool(about_client), client_certified=certified, reason=reason, notice_on=notice_on,
                           actor=actor, occurred_on=occurred_on)

    class ComplaintAdmitted(AreaEvent):
        """A complaint accepted or refused, with the date its notice was sent (004 §14.2.2)."""

        complaint_id: str
        accepted: bool
        deciders: list[str]
        concerns: list[str]
        about_client: bool
        client_certified: bool
        reason: str
        notice_on: date
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            complaint = aggregate.complaints[self.complaint_id]
            complaint["status"] = "accepted" if self.accepted else "refused"
            complaint["admission"] = {
                "accepted": self.accepted, "on": self.occurred_on, "deciders": list(self.deciders),
                "concerns": list(self.concerns), "about_client": self.about_client,
                "client_certified": self.client_certified, "reason": self.reason, "notice_on": self.notice_on,
                "actor": self.actor,
            }
            complaint.setdefault("client_informed", None)

    def inform_client_of_complaint(self, *, complaint_id: str, how: str, actor: str, occurred_on: date) -> None:
        """The certified client told of an accepted complaint against it (004 §14.2.3.3)."""
        how = rules.check_client_informed(self, complaint_id=complaint_id, how=how, occurred_on=occurred_on)
        self.trigger_event(self.ComplaintClientInformed, complaint_id=complaint_id, how=how, actor=actor, occurred_on=occurred_on)

    class ComplaintClientInformed(AreaEvent):
        """The certified client was told of a complaint against it (004 §14.2.3.3)."""

        complaint_id: str
        how: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            aggregate.complaints[self.complaint_id]["client_informed"] = {"on": self.occurred_on, "how": self.how, "actor": self.actor}

    # ------------------------------------------------------------------ unscheduled surveillance (004 §6.9)

    def link_unscheduled(self, *, audit_id: str, complaint: str, regulator: str, regulator_on: date | None,
                         actor: str, occurred_on: date) -> str:
        """An unscheduled surveillance audit linked to its cause: a complaint (004 §6.9 a) or a
        regulator's action or media exposure (c); a notified change (b) is linked by the changes area.
        Returns the cause's id (C1, or RA1 for a regulator action, numbered here)."""
        kind, cause_id, since, description = rules.cause_of(self, complaint=complaint, regulator=regulator,
                                                             regulator_on=regulator_on)
        rules.check_unscheduled_link(self, audit_id=audit_id, kind=kind, cause_id=cause_id, since=since, occurred_on=occurred_on)
        self.trigger_event(self.UnscheduledAuditLinked, audit_id=audit_id, kind=kind, cause_id=cause_id, since=since,
                           description=description, actor=actor, occurred_on=occurred_on)
        return cause_id

    class UnscheduledAuditLinked(AreaEvent):
        """An unscheduled surveillance audit linked to the cause it follows (004 §6.9); ``since`` is
        the day its period counts from."""

        audit_id: str
        kind: str
        cause_id: str
        since: date
        description: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            aggregate.audits[self.audit_id].setdefault("causes", []).append({
                "kind": self.kind, "id": self.cause_id, "since": self.since, "description": self.description,
                "on": self.occurred_on, "actor": self.actor,
            })

    def cancel_audit(self, *, audit_id: str, reason: str, actor: str, occurred_on: date) -> None:
        """A planned audit that will not be completed, cancelled with its reason (a way out for an
        unscheduled surveillance whose certificate was withdrawn, say)."""
        reason = check_cancellation(self, audit_id=audit_id, reason=reason, occurred_on=occurred_on)
        self.trigger_event(self.AuditCancelled, audit_id=audit_id, reason=reason, actor=actor, occurred_on=occurred_on)

    class AuditCancelled(AreaEvent):
        """A planned audit cancelled: no longer open or due; what was recorded in it stays."""

        audit_id: str
        reason: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            audit = aggregate.audits[self.audit_id]
            audit["status"] = "cancelled"
            audit["cancelled"] = {"on": self.occurred_on, "reason": self.reason, "actor": self.actor}

    # ------------------------------------------------------------------ appeals (004 §14.1.3)

    def extend_appeal(self, *, appeal_id: str, limit: date, until: date, notice_on: date, approved_by: str, reason: str,
                      actor: str, occurred_on: date) -> None:
        """An accepted appeal's decision limit extended (004 §14.1.3 (4)): ``limit`` the limit it
        replaces and ``until`` the new one (checked against the procedure by the command), approved by
        the responsible manager, the appellant told on ``notice_on``."""
        approved_by, reason = rules.check_appeal_extension(self, appeal_id=appeal_id, approved_by=approved_by, reason=reason,
                                                           occurred_on=occurred_on)
        self.trigger_event(self.AppealExtended, appeal_id=appeal_id, limit=limit, until=until, notice_on=notice_on,
                           approved_by=approved_by, reason=reason, actor=actor, occurred_on=occurred_on)

    class AppealExtended(AreaEvent):
        """The decision limit of an appeal extended, the appellant told in advance (004 §14.1.3 (4))."""

        appeal_id: str
        limit: date
        until: date
        notice_on: date
        approved_by: str
        reason: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            aggregate.appeals[self.appeal_id]["extension"] = {
                "limit": self.limit, "until": self.until, "notice_on": self.notice_on, "approved_by": self.approved_by,
                "reason": self.reason, "on": self.occurred_on, "actor": self.actor,
            }

    def give_appeal_effect(self, *, appeal_id: str, sites: list[dict[str, str]] | None, reason: str, actor: str,
                           occurred_on: date) -> dict[str, Any]:
        """The effect of an upheld appeal against a refusal, suspension, withdrawal or scope reduction
        (004 §14.1.3 (4)); the checks and what follows are ``policy.cases.check_appeal_effect``.
        Returns the event's fields."""
        effect = rules.check_appeal_effect(self, appeal_id=appeal_id, sites=sites, reason=reason, occurred_on=occurred_on)
        self.trigger_event(self.AppealEffectGiven, appeal_id=appeal_id, **effect, actor=actor, occurred_on=occurred_on)
        return effect

    class AppealEffectGiven(AreaEvent):
        """An upheld appeal given its effect on the act appealed: the refused application accepted, the
        suspension annulled (the certificate restored if it was running), the withdrawal reversed (the
        certificate valid again, a suspension it followed ended with it), the reduced scope restored. The act appealed stays in the
        record, marked with the appeal that reversed it."""

        appeal_id: str
        kind: str
        target: str
        number: str | None
        status: str | None
        scope: str | None
        sites: list[dict[str, str]] | None
        reason: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            mark = {"appeal": self.appeal_id, "on": self.occurred_on, "reason": self.reason, "actor": self.actor}
            aggregate.appeals[self.appeal_id]["effect"] = self.target
            cert = aggregate.certificates[self.number] if self.number else None
            if self.kind == "refusal":
                application = aggregate.applications[self.target]
                application["status"] = "accepted"
                application["reversed_by"] = mark
            elif self.kind == "suspension":
                suspension = aggregate.suspensions[self.target]
                suspension["annulled_by"] = mark
                if self.status is not None:
                    suspension["restored_on"] = self.occurred_on
                    cert["suspension_id"] = None
            elif self.kind == "withdrawal":
                aggregate.withdrawals[self.target]["reversed_by"] = mark
                if cert.get("suspension_id"):  # withdrawn while suspended: the suspension ends with the reversal
                    aggregate.suspensions[cert["suspension_id"]].update(restored_on=self.occurred_on, annulled_by={**mark, "with": self.target})
                    cert["suspension_id"] = None
            else:
                aggregate.scope_changes[self.target]["reversed_by"] = mark
                amend_scope(aggregate, cert, self.scope, self.sites, self.occurred_on, appeal_id=self.appeal_id)
            if cert is not None and self.status is not None:
                cert["status"] = self.status
                cert["status_changed_on"] = self.occurred_on

    def check_superseding(self, *, appeal_id: str, decider: str, occurred_on: date, actor: str) -> dict[str, Any]:
        """The checks of ``supersede_decision`` alone (the application runs them before it scores).
        Returns the audit the decision appealed rests on."""
        _, appealed = rules.check_superseding(self, appeal_id=appeal_id, decider=decider, occurred_on=occurred_on)
        return decisions.check_decidable(self, audit_id=appealed["audit_id"], decider=decider, occurred_on=occurred_on,
                                         actor=actor, supersedes=appealed["id"])

    def supersede_decision(
        self, *, appeal_id: str, decider: str, scheme_id: str, scheme_version: str, score: Decimal, max_score: Decimal,
        percent: Decimal | None, grade: str | None, granted: bool, reason: str, evaluation: dict[str, Any], actor: str,
        occurred_on: date,
    ) -> str:
        """The effect of an upheld appeal against a certification decision: a new decision on the same
        audit that supersedes it (the one appealed stays in the record, marked superseded); the
        certificate resting on it takes the new grade, a refused certification becomes issuable."""
        appeal, appealed = rules.check_superseding(self, appeal_id=appeal_id, decider=decider, occurred_on=occurred_on)
        decisions.check_decidable(self, audit_id=appealed["audit_id"], decider=decider, occurred_on=occurred_on, actor=actor,
                                  supersedes=appealed["id"])
        rules.check_superseding_outcome(self, appealed, granted, grade)
        reason = require_text(reason, "新决定的理由", "the reason for the new decision", "001 §4.6.4")
        decision_id = f"D{len(self.decisions) + 1}"
        self.trigger_event(
            self.DecisionSuperseded, decision_id=decision_id, supersedes=appealed["id"], appeal_id=appeal["id"],
            audit_id=appealed["audit_id"], application_id=appealed["application_id"], decider=decider.strip(),
            scheme_id=scheme_id, scheme_version=scheme_version, score=score, max_score=max_score, percent=percent, grade=grade,
            granted=granted, reason=reason, evaluation=evaluation, actor=actor, occurred_on=occurred_on,
        )
        return decision_id

    class DecisionSuperseded(AreaEvent):
        """A certification decision made on an upheld appeal, superseding the decision appealed
        (004 §14.1.3 (4): the appeal's decision is binding). The decision appealed is kept."""

        decision_id: str
        supersedes: str
        appeal_id: str
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

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            old = aggregate.decisions[self.supersedes]
            old["superseded_by"] = self.decision_id
            cert_no = old.get("certificate_no")
            aggregate.decisions[self.decision_id] = {**decision_record(self), "supersedes": self.supersedes, "appeal_id": self.appeal_id}
            aggregate.appeals[self.appeal_id]["effect"] = self.decision_id
            cert = aggregate.certificates.get(cert_no) if cert_no else None
            if self.application_id is None:  # a surveillance decision re-grades the certificate in force
                cert = aggregate.certificate
            if cert is not None and cert["status"] in IN_FORCE and self.granted:
                cert["grade"] = self.grade
                cert["decision_id"] = self.decision_id
                if self.application_id is not None:
                    aggregate.decisions[self.decision_id]["certificate_no"] = cert["number"]
            elif self.application_id is not None and cert_no is None:
                # no certificate rests on the decision appealed: the application's outcome follows the new one
                aggregate.applications[self.application_id]["concluded"] = None if self.granted else "not_granted"
