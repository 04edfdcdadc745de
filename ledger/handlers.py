"""The ledger's commands, one method each: ids and primitives in, domain errors out.

Each command is written as ``@command("group verb")`` over a function that receives the actor and
the business date already checked (``Act``: every record names who recorded it and when it
happened, never in the future), runs the checks that need no client first, and returns the step
the client goes through: the rules that need the calendar, a scheme or a procedure
(``ledger.rules``), then one aggregate command, which checks the client's own history before it
records an event. ``CertLedger._run`` loads the client, takes the step and saves; nothing is saved
when a rule refuses. The catalogue of these commands for the command line and import is
``ledger.commands``.

The rules that need the calendar or a procedure (``ledger.rules.lifecycle``, ``procedures``,
``deadlines_cases``) are imported by the commands that use them: ``explain`` and the other readers,
which build the same ``CertLedger``, do not load the procedure files' classes (D59).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Callable

from aggregates.client import Client
from aggregates.uscc import normalise_uscc
from aggregates.vocabulary import DECIDABLE_AUDIT_KINDS
from ledger.rules import planning
from ledger.handlers_annotations import AnnotationHandlers
from ledger.handlers_cases import CaseHandlers
from ledger.handlers_changes import ChangeHandlers
from ledger.handlers_reporting import ReportingHandlers
from ledger import people_checks
from ledger.people import PeopleHandlers
from ledger.handlers_signing import SigningHandlers  # personal keys and the signing policy (issue 15, item 4)
from ledger.body import BodyHandlers
from ledger.body_conflicts import check_evaluation as body_conflict_check  # 004 §4.2 d) 1)-3)
from ledger.handlers_documents import DocumentHandlers
from ledger.handlers_objections import ObjectionHandlers, check_proceeds  # the client's objection to an audit team (004 §5.2.1)
from ledger.rules.evaluation import check_complete, check_report_complete

from ledger.acts import Act, Step, annotated, command, one_of as _one_of  # noqa: F401 - the areas' handlers import them from ledger.acts
from ledger.handlers_annotations import evidence_text
from ledger.rules.business_lines import score_facet


class Handlers(ChangeHandlers, CaseHandlers, ReportingHandlers, AnnotationHandlers, DocumentHandlers, SigningHandlers, PeopleHandlers, BodyHandlers,
               ObjectionHandlers):
    """The commands of ``CertLedger``, which supplies what they use of the application (the
    commands of the newer areas are in ledger/handlers_<area>.py)."""

    calendar: Any
    _actor: Callable[..., str]
    _business_date: Callable[..., date]
    _run: Callable[[str, str, Step], Any]
    _exists: Callable[[str], bool]
    _register: Callable[[Client, Any], Any]
    _scheme: Callable[..., Any]
    audit_scheme: Callable[[Client, str], Any]
    evaluate_audit: Callable[..., tuple[Any, Any]]

    # ------------------------------------------------------------------ application, review, contract

    def submit_application(
        self, *, client: str, scheme: str, scope: str, site: list[dict[str, str]], headcount: int,
        kind: str = "initial", evidence: list[str] | str = "", name: str | None = None, address: str | None = None,
        actor: str | None = None, on: date | None = None, note: str = "",
    ) -> str:
        """The one command that may create a client: its first application registers it."""
        act = Act(self._actor(actor, on), self._business_date(on))
        uscc = normalise_uscc(client)
        scheme_id = self._scheme(scheme, on=act.on).id

        def submitted(c: Client) -> str:  # its evidence stays in its own field, every reference kept (issue 9)
            from ledger.rules import lifecycle

            lifecycle.check_upgrade_application(c, kind=kind, submitted_on=act.on, calendar=self.calendar)
            return c.submit_application(scheme_id=scheme_id, scope=scope, sites=site, headcount=headcount, kind=kind,
                                        evidence=evidence_text(evidence, "application submit"), **act.recorded)
        apply = annotated(submitted, "application submit", act, note, None)

        if self._exists(uscc):
            return self._run(uscc, "application submit", apply)
        new = Client.register(uscc=uscc, name=name or "", address=address or "", **act.recorded)
        return self._register(new, apply(new))

    @command("application review")
    def review_application(self, act: Act, *, application: str, accept: bool = False, refuse: bool = False, reason: str = "") -> Step:
        _one_of(accept, refuse, "001 §4.2.1")

        def apply(c: Client) -> None:
            if accept:  # a body-level conflict: the application can only be refused (004 §4.2 d))
                body_conflict_check(self, c, act.on, "受理其申请", "accept its application")
            c.review_application(application_id=application, accepted=accept, reason=reason, **act.recorded)

        return apply

    @command("application notify-refusal")
    def notify_refusal(self, act: Act, *, application: str) -> Step:
        return lambda c: c.notify_refusal(application_id=application, **act.recorded)

    @command("application contract")
    def sign_contract(self, act: Act, *, contract_no: str) -> Step:
        def apply(c: Client) -> None:
            body_conflict_check(self, c, act.on, "与其签订认证合同", "sign its certification contract")  # 004 §4.2 d)
            c.sign_contract(contract_no=contract_no, **act.recorded)

        return apply

    @command("application transfer")
    def request_transfer(self, act: Act, *, from_body: str, certificate_no: str, certificate_status: str, reason: str) -> Step:
        return lambda c: c.request_transfer(from_body=from_body, certificate_no=certificate_no,
                                            certificate_status=certificate_status, reason=reason, **act.recorded)

    # ------------------------------------------------------------------ audits, scores, nonconformities

    @command("audit plan")
    def plan_audit(self, act: Act, *, kind: str, member: list[str], start: date, man_days: Decimal | None = None,
                   leader: str = "", site: list[str] | None = None, man_days_reason: str = "", combined: str | None = None,
                   reduction: Decimal | None = None, expert: list[str] | None = None, method: str | None = None) -> Step:
        """Man-days and the multi-site sample come from the planning calculators (004 §16.2, §11;
        a stage 1's man-days from the client's procedure, D63) and are recorded with the plan; the team is checked against the register of people
        (ledger/people_checks.py) and technical experts are recorded in the calculation, outside the
        man-days (001 §4.3.2.2)."""

        def apply(c: Client) -> str:
            from ledger.rules.procedures import procedure_for

            body_conflict_check(self, c, act.on, "策划其审核", "plan its audit")  # 004 §4.2 d) 1)-3)
            procedure = procedure_for(c.scheme_id)  # a stage 1's man-days are the procedure's (D63)
            visited, calculation, planned = planning.plan(kind, [x["name"] for x in c.sites], c.headcount, site, man_days,
                                                          man_days_reason, combined, reduction, procedure)
            people_checks.check_team(self, c, members=member, leader=leader, experts=expert or [], start=start, man_days=planned,
                                     scheme_id=c.scheme_id, procedure_id=procedure.id)
            if expert:  # people (issue 15): technical experts recorded with the plan, not counted in its man-days
                calculation = {**calculation, "technical_experts": list(dict.fromkeys(x.strip() for x in expert if x.strip()))}
            team_ids = people_checks.team_identities(self, member, leader, expert or [])  # CNCA report (issue 15 item 6)
            return c.plan_audit(kind=kind, team=member, leader=leader, man_days=planned, sites=visited, start_on=start,
                                calculation=calculation, team_ids=team_ids, **act.recorded,
                                method=planning.audit_method(procedure, kind, method))  # 004 §16.2: stage 1 off-site

        return apply

    @command("audit complete")
    def complete_audit(self, act: Act, *, audit: str, conclusion: str) -> Step:
        """A scored audit is completed only on a whole evaluation (001 §4.4.4.2, §4.4.5.2)."""

        def apply(c: Client) -> None:
            known = c.audits.get(audit)
            if known is not None and known["status"] == "planned":
                check_proceeds(c, known)  # first: no objection to its team open or upheld (004 §5.2.1)
            if known is not None and known["status"] == "planned" and known["kind"] in DECIDABLE_AUDIT_KINDS:
                check_report_complete(self.evaluate_audit(c, audit, act.on)[1], audit)
            c.complete_audit(audit_id=audit, conclusion=conclusion, **act.recorded)

        return apply

    @command("audit reopen")
    def reopen_audit(self, act: Act, *, audit: str, reason: str) -> Step:
        return lambda c: c.reopen_audit(audit_id=audit, reason=reason, **act.recorded)

    @command("score enter")
    def enter_score(self, act: Act, *, audit: str, item: str, value: dict[str, Any], facet: str | None = None) -> Step:
        def apply(c: Client) -> str:
            scheme = self.audit_scheme(c, audit)
            entry = scheme.validate_entry(item, score_facet(c, scheme, audit, item, facet), value)
            return c.enter_score(audit_id=audit, item=entry.item, facet=entry.facet, value=entry.value, **act.recorded)

        return apply

    @command("score correct")
    def correct_score(self, act: Act, *, entry: str, value: dict[str, Any], reason: str, facet: str | None = None) -> Step:
        def apply(c: Client) -> str:
            old = c.entry(entry)
            scheme = self.audit_scheme(c, old["audit_id"])
            new_facet = score_facet(c, scheme, old["audit_id"], old["item"], old["facet"] if facet is None else facet, corrects=old)
            checked = scheme.validate_entry(old["item"], new_facet, value)
            return c.correct_score(entry_id=entry, value=checked.value, reason=reason, facet=checked.facet or "", **act.recorded)

        return apply

    @command("score exclude")
    def exclude_item(self, act: Act, *, audit: str, item: str, reason: str) -> Step:
        def apply(c: Client) -> None:
            item_id = self.audit_scheme(c, audit).validate_exclusion(item, reason)
            c.exclude_item(audit_id=audit, item=item_id, reason=reason, **act.recorded)

        return apply

    @command("nc raise")
    def raise_nonconformity(self, act: Act, *, audit: str, severity: str, clause: str, description: str) -> Step:
        return lambda c: c.raise_nonconformity(audit_id=audit, severity=severity, clause=clause, description=description, **act.recorded)

    @command("nc respond")
    def submit_correction(self, act: Act, *, nc: str, correction: str, corrective_action: str) -> Step:
        return lambda c: c.submit_correction(nc_id=nc, correction=correction, corrective_action=corrective_action, **act.recorded)

    @command("nc verify")
    def verify_nonconformity(self, act: Act, *, nc: str, verification: str) -> Step:
        return lambda c: c.verify_nonconformity(nc_id=nc, verification=verification, **act.recorded)

    # ------------------------------------------------------------------ decision and certificate

    @command("decide")
    def decide(self, act: Act, *, audit: str, decider: str, reason: str, refuse: bool = False) -> Step:
        """Score and grade are computed from the recorded scores under the audit's scheme version."""

        people_checks.check_role(self, [decider], "decider", act.on, "001 §4.6.2", "认证决定人员", "Decider")  # people (issue 15)

        def apply(c: Client) -> dict[str, Any]:
            people_checks.check_impartial(self, [decider], c, act.on, "认证决定人员", "Decider")  # people (issue 15, item 3)
            body_conflict_check(self, c, act.on, "作出认证决定", "decide its certification")  # 004 §4.2 d) 1)-3)
            c.check_decidable(audit_id=audit, decider=decider, occurred_on=act.on, actor=act.actor)
            scheme, evaluation = self.evaluate_audit(c, audit, act.on)
            check_complete(evaluation)
            granted = evaluation.grade is not None and evaluation.grants and not refuse
            decision_id = c.decide(
                audit_id=audit, decider=decider, scheme_id=scheme.id, scheme_version=scheme.version,
                score=evaluation.total, max_score=evaluation.max_total, percent=evaluation.percent,
                grade=evaluation.grade, granted=granted, reason=reason, evaluation=evaluation.record(), **act.recorded,
            )
            return {"decision": decision_id, "granted": granted, "score": evaluation.total,
                    "max_score": evaluation.max_total, "percent": evaluation.percent, "grade": evaluation.grade,
                    "scheme": scheme.id, "scheme_version": scheme.version}

        return apply

    @command("certificate issue")
    def issue_certificate(self, act: Act, *, decision: str, number: str | None = None, valid_from: date | None = None) -> Step:
        start = valid_from or act.on

        def apply(c: Client) -> str:
            from ledger.rules import lifecycle
            from ledger.rules.procedures import procedure_for

            body_conflict_check(self, c, act.on, "颁发证书", "issue its certificate")  # 004 §4.2 d) 1)-3)
            d = c._get(c.decisions, decision, "认证决定", "certification decision")
            scheme = self._scheme(d["scheme_id"], d["scheme_version"])
            cert_no = (number or "").strip() or f"CL-{act.on.year}-{c.uscc[8:17]}-{len(c.certificates) + 1:02d}"
            until = lifecycle.validity_until(start, self.calendar, procedure_for(scheme.id))
            standard = f"{scheme.document_number} {scheme.title_zh}（{scheme.version}）".strip()
            c.issue_certificate(decision_id=decision, number=cert_no, valid_from=start, valid_until=until,
                                standard=standard, **act.recorded)
            return cert_no

        return apply

    @command("certificate report")
    def report_to_regulator(self, act: Act, *, reference: str = "") -> Step:
        return lambda c: c.report_to_regulator(reference=reference, **act.recorded)

    @command("certificate suspend")
    def suspend(self, act: Act, *, reason_code: str, reason: str, start: date | None = None, months: int | None = None) -> Step:
        begin = start or act.on

        def apply(c: Client) -> str:
            from ledger.rules import lifecycle
            from ledger.rules.procedures import procedure_for

            procedure = procedure_for(c.scheme_id)
            why = procedure.reason("suspension", reason_code)
            until = lifecycle.suspension_until(procedure, why, begin, months, self.calendar)
            return c.suspend(reason_code=why.code, reason=reason, start=begin, until=until, **act.recorded)

        return apply

    @command("certificate restore")
    def restore(self, act: Act, *, reason: str) -> Step:
        def apply(c: Client) -> None:
            from ledger.rules import lifecycle

            lifecycle.check_restoration(c, restored_on=act.on)
            c.restore(reason=reason, **act.recorded)

        return apply

    @command("certificate withdraw")
    def withdraw(self, act: Act, *, reason_code: str, reason: str) -> Step:
        def apply(c: Client) -> str:
            from ledger.rules.procedures import procedure_for

            why = procedure_for(c.scheme_id).reason("withdrawal", reason_code)
            return c.withdraw(reason_code=why.code, reason=reason, **act.recorded)

        return apply

    @command("certificate cancel")
    def cancel(self, act: Act, *, reason: str) -> Step:
        return lambda c: c.cancel(reason=reason, **act.recorded)

    @command("certificate expire")
    def expire(self, act: Act) -> Step:
        return lambda c: c.expire(**act.recorded)

    @command("certificate scope")
    def change_scope(self, act: Act, *, kind: str, scope: str, reason: str, site: list[dict[str, str]] | None = None) -> Step:
        return lambda c: c.change_scope(kind=kind, scope=scope, sites=site or None, reason=reason, **act.recorded)

    # ------------------------------------------------------------------ changes, complaints, appeals

    @command("change notify")
    def notify_change(self, act: Act, *, kind: str, changed_on: date, description: str) -> Step:
        changed = self._business_date(changed_on, "变更发生日期", "The date of the change")
        return lambda c: c.notify_change(kind=kind, changed_on=changed, description=description, **act.recorded)

    @command("complaint receive")
    def receive_complaint(self, act: Act, *, complainant: str, subject: str) -> Step:
        return lambda c: c.receive_complaint(complainant=complainant, subject=subject, **act.recorded)

    @command("complaint resolve")
    def resolve_complaint(self, act: Act, *, complaint: str, result: str) -> Step:
        def apply(c: Client) -> None:
            from ledger.rules.deadlines_cases import check_complaint_admitted

            check_complaint_admitted(c, complaint)  # 004 §14.2.2 (ledger/rules/deadlines_cases.py)
            c.resolve_complaint(complaint_id=complaint, result=result, **act.recorded)

        return apply

    @command("appeal lodge")
    def lodge_appeal(self, act: Act, *, against: str, grounds: str, late_override: str = "") -> Step:
        def apply(c: Client) -> str:
            from ledger.rules import lifecycle

            lifecycle.check_appeal_lodging(c, against=against, lodged_on=act.on, late_override=late_override, calendar=self.calendar)
            return c.lodge_appeal(against=against, grounds=grounds, late_override=(late_override or "").strip(), **act.recorded)

        return apply

    @command("appeal admit")
    def admit_appeal(self, act: Act, *, appeal: str, accept: bool = False, refuse: bool = False, reason: str = "",
                     decider: list[str] | None = None) -> Step:
        _one_of(accept, refuse, "004 §14.1.2")
        people_checks.check_role(self, decider or [], "case_handler", act.on, "004 §14", "申诉受理决定人员", "Appeal admission decider")
        return lambda c: c.admit_appeal(appeal_id=appeal, accepted=accept, reason=reason, deciders=decider or [], **act.recorded)

    @command("appeal hear")
    def hear_appeal(self, act: Act, *, appeal: str, hearing_on: date, notice_on: date, panel: list[str]) -> Step:
        def apply(c: Client) -> None:
            from ledger.rules import lifecycle

            lifecycle.check_hearing(c, appeal_id=appeal, hearing_on=hearing_on, notice_on=notice_on, calendar=self.calendar)
            c.hear_appeal(appeal_id=appeal, hearing_on=hearing_on, notice_given_on=notice_on, panel=panel, **act.recorded)

        return apply

    @command("appeal decide")
    def decide_appeal(self, act: Act, *, appeal: str, outcome: str, result: str, decider: list[str]) -> Step:
        people_checks.check_role(self, decider, "case_handler", act.on, "004 §14", "申诉裁定人员", "Appeal decider")  # people (issue 15)
        return lambda c: c.decide_appeal(appeal_id=appeal, outcome=outcome, result=result, deciders=decider, **act.recorded)
