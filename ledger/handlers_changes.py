"""Commands of master data changes, the assessment of notified changes, certificate amendment and reissue (换证): each a method decorated with ``@command("group verb")`` (see
ledger/handlers.py) with its entry in ledger/commands.py; rules that need the calendar or a procedure
run here, from ledger/rules/, before the aggregate's command."""

from __future__ import annotations

from datetime import date
from typing import Any

from aggregates.client import Client
from aggregates.policy.changes import check_change_suspension
from ledger.acts import Act, Step, command


class ChangeHandlers:
    """Mixed into ``Handlers`` (ledger/handlers.py)."""

    calendar: Any
    _business_date: Any

    @command("change record")
    def record_change(self, act: Act, *, name: str = "", address: str = "", legal_representative: str = "",
                      top_manager: list[str] | None = None, site: list[dict[str, str]] | None = None,
                      headcount: int | None = None, licence: list[str] | None = None, business_line: list[str] | None = None,
                      change: str = "", description: str = "") -> Step:
        """Master data changed, effective on the business date (``--on``)."""
        given = {"name": name, "address": address, "legal_representative": legal_representative, "top_management": top_manager,
                 "sites": site, "headcount": headcount, "licences": licence, "business_lines": business_line}
        values = {k: v for k, v in given.items() if v not in (None, "", [])}
        return lambda c: c.record_master_data(values=values, change_id=(change or "").strip() or None, description=description,
                                              **act.recorded)

    @command("application lines")
    def declare_business_lines(self, act: Act, *, application: str, line: list[str]) -> Step:
        return lambda c: c.declare_business_lines(application_id=application, lines=line, **act.recorded)

    @command("change assess")
    def assess_change(self, act: Act, *, change: str, outcome: list[str], conclusion: str, assessor: str = "",
                      audit: str = "", scope_change: str = "") -> Step:
        return lambda c: c.assess_change(change_id=change, assessor=(assessor or "").strip() or act.actor, outcomes=outcome,
                                         conclusion=conclusion, audit_id=(audit or "").strip(),
                                         scope_change_id=(scope_change or "").strip(), **act.recorded)

    @command("change link")
    def link_change(self, act: Act, *, change: str, audit: str = "", scope_change: str = "") -> Step:
        return lambda c: c.link_change(change_id=change, audit_id=(audit or "").strip(), scope_change_id=(scope_change or "").strip(),
                                       **act.recorded)

    @command("change suspend")
    def suspend_for_change(self, act: Act, *, change: str, reason: str, reason_code: str = "", start: date | None = None,
                           months: int | None = None) -> Step:
        """``certificate suspend`` citing a notified change: a late one (the procedure's
        ``change_notification_reason`` by default: 001 7.2.1 b, 004 8.1 c) or one assessed with the
        outcome suspension (give the reason code)."""
        begin = start or act.on

        def apply(c: Client) -> str:
            from ledger.rules import lifecycle  # the calendar's rules, loaded when used (D59)
            from ledger.rules.deadlines_changes import notification_lateness
            from ledger.rules.procedures import procedure_for

            procedure = procedure_for(c.scheme_id)
            notified = c._get(c.changes, change, "信息通报", "notified change")
            late = notification_lateness(notified, procedure, self.calendar)
            check_change_suspension(c, change_id=change, late=late["late"], clause=late["clause"])  # before the reason code's check
            code = (reason_code or "").strip() or (procedure.periods.change_notification_reason if late["late"] else "") or ""
            why = procedure.reason("suspension", code)
            until = lifecycle.suspension_until(procedure, why, begin, months, self.calendar)
            return c.suspend_for_change(change_id=change, late=late["late"], clause=late["clause"], reason_code=why.code,
                                        reason=reason, start=begin, until=until, **act.recorded)

        return apply
