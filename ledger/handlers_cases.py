"""Commands of complaints and appeals beyond their first steps: each a method decorated with ``@command("group verb")`` (see
ledger/handlers.py) with its entry in ledger/commands.py; rules that need the calendar or a procedure
run here, from ledger/rules/, before the aggregate's command."""

from __future__ import annotations

from datetime import date
from typing import Any

from aggregates.client import Client
from ledger import people_checks
from ledger.body_conflicts import check_evaluation as body_conflict_check  # 004 §4.2 d) 1)-3)
from ledger.acts import Act, Step, command, one_of
from ledger.rules.evaluation import check_complete


class CaseHandlers:
    """Mixed into ``Handlers`` (ledger/handlers.py)."""

    calendar: Any
    _business_date: Any
    evaluate_audit: Any

    @command("complaint admit")
    def admit_complaint(self, act: Act, *, complaint: str, decider: list[str], accept: bool = False, refuse: bool = False,
                        concerns: list[str] | None = None, about_client: bool = False, reason: str = "",
                        notice_on: date | None = None) -> Step:
        """004 §14.2.2: accepted or refused within a week, with the notice (受理通知书) sent on
        ``notice_on`` (default: the decision's date); by people not involved in what it concerns."""
        one_of(accept, refuse, "004 §14.2.2")
        people_checks.check_role(self, decider, "case_handler", act.on, "004 §14", "投诉受理决定人员", "Complaint decider")  # people (issue 15)
        notice = self._business_date(notice_on, "受理通知日期", "The date of the notice") if notice_on else act.on
        return lambda c: c.admit_complaint(complaint_id=complaint, accepted=accept, deciders=decider, concerns=concerns or [],
                                           about_client=about_client, reason=reason, notice_on=notice, **act.recorded)

    @command("complaint inform-client")
    def inform_client_of_complaint(self, act: Act, *, complaint: str, how: str) -> Step:
        return lambda c: c.inform_client_of_complaint(complaint_id=complaint, how=how, **act.recorded)

    @command("audit link-cause")
    def link_unscheduled(self, act: Act, *, audit: str, complaint: str = "", regulator: str = "",
                         regulator_on: date | None = None) -> Step:
        learned = self._business_date(regulator_on, "获知日期", "The date the body learned of it") if regulator_on else None
        return lambda c: c.link_unscheduled(audit_id=audit, complaint=complaint, regulator=regulator, regulator_on=learned,
                                            **act.recorded)

    @command("audit cancel")
    def cancel_audit(self, act: Act, *, audit: str, reason: str) -> Step:
        return lambda c: c.cancel_audit(audit_id=audit, reason=reason, **act.recorded)

    @command("appeal extend")
    def extend_appeal(self, act: Act, *, appeal: str, until: date, approved_by: str, reason: str,
                      notice_on: date | None = None) -> Step:
        """004 §14.1.3 (4): the limit and the notice's timing are the procedure's."""
        notice = self._business_date(notice_on, "延期通知日期", "The date of the notice") if notice_on else act.on

        def apply(c: Client) -> dict[str, Any]:
            from ledger.rules.deadlines_cases import check_appeal_extension  # the calendar's rule, loaded when used (D59)

            limit = check_appeal_extension(c, appeal_id=appeal, until=until, notice_on=notice, calendar=self.calendar)
            c.extend_appeal(appeal_id=appeal, limit=limit or until, until=until, notice_on=notice, approved_by=approved_by,
                            reason=reason, **act.recorded)
            return {"appeal": appeal, "limit": limit, "until": until}

        return apply

    @command("appeal effect")
    def give_appeal_effect(self, act: Act, *, appeal: str, reason: str, site: list[dict[str, str]] | None = None) -> Step:
        """An upheld appeal against a refusal, suspension, withdrawal or scope reduction given its effect."""

        def apply(c: Client) -> dict[str, Any]:
            # an application accepted or a certificate restored is the body acting for the client again
            body_conflict_check(self, c, act.on, "落实申诉成立的结果", "give an upheld appeal its effect")  # 004 §4.2 d) 1)-3)
            effect = c.give_appeal_effect(appeal_id=appeal, sites=list(site) if site else None, reason=reason, **act.recorded)
            return {"appeal": appeal, "kind": effect["kind"], "target": effect["target"], "certificate": effect["number"],
                    "status": effect["status"], "scope": effect["scope"]}

        return apply

    @command("appeal redecide")
    def supersede_decision(self, act: Act, *, appeal: str, decider: str, reason: str, refuse: bool = False) -> Step:
        """The effect of an upheld appeal against a certification decision: the audit's evaluation
        computed again from its standing scores (corrected since the appeal was upheld, if they were)
        under its scheme version, and a new decision that supersedes the one appealed."""
        people_checks.check_role(self, [decider], "decider", act.on, "001 §4.6.2", "认证决定人员", "Decider")  # people (issue 15)

        def apply(c: Client) -> dict[str, Any]:
            people_checks.check_impartial(self, [decider], c, act.on, "认证决定人员", "Decider")  # people (issue 15, item 3)
            body_conflict_check(self, c, act.on, "作出认证决定", "decide its certification")  # 004 §4.2 d) 1)-3)
            audit = c.check_superseding(appeal_id=appeal, decider=decider, occurred_on=act.on, actor=act.actor)
            scheme, evaluation = self.evaluate_audit(c, audit["id"], act.on)
            check_complete(evaluation)
            granted = evaluation.grade is not None and evaluation.grants and not refuse
            decision_id = c.supersede_decision(
                appeal_id=appeal, decider=decider, scheme_id=scheme.id, scheme_version=scheme.version, score=evaluation.total,
                max_score=evaluation.max_total, percent=evaluation.percent, grade=evaluation.grade, granted=granted,
                reason=reason, evaluation=evaluation.record(), **act.recorded,
            )
            d = c.decisions[decision_id]
            return {"decision": decision_id, "supersedes": d["supersedes"], "appeal": appeal, "granted": granted,
                    "score": evaluation.total, "max_score": evaluation.max_total, "percent": evaluation.percent,
                    "grade": evaluation.grade, "certificate": d["certificate_no"],
                    "next": None if d["certificate_no"] or not granted or d["application_id"] is None
                    else f"certificate issue --decision {decision_id}"}

        return apply
