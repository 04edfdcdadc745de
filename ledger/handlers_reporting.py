"""Commands of reports to the regulator, recall and public statements, publication, follow-ups: each a method decorated with ``@command("group verb")`` (see
ledger/handlers.py) with its entry in ledger/commands.py; rules that need the calendar or a procedure
run here, from ledger/rules/, before the aggregate's command."""

from __future__ import annotations

from datetime import date
from typing import Any

from aggregates.client import Client
from ledger.acts import Act, Step, command


def _clause(c: Client, name: str, fallback: str) -> str:
    """The clause of one of the procedure's reporting periods (the rule a refusal names)."""
    from ledger.rules.procedures import procedure_for  # loaded when a command uses it (D59)

    period = getattr(procedure_for(c.scheme_id).periods, name)
    return period.clause if period is not None else fallback


def _act_done(c: Client, area: str, key: str) -> dict[str, str]:
    """A reported or published act by its act and id (``reports`` or ``publications`` of the
    client's reporting state, under the key the aggregate returned): the echo words them."""
    done = c.reporting_state[area][key]
    return {"act": done["act"], "act_id": done["id"]}


class ReportingHandlers:
    """Mixed into ``Handlers`` (ledger/handlers.py)."""

    _business_date: Any

    @command("certificate report-act")
    def report_act(self, act: Act, *, kind: str, reference: str, id: str = "") -> Step:
        """A suspension, restoration, withdrawal, cancellation or scope reduction reported to the
        CNCA (001 §7.4), with the submission's reference."""
        return lambda c: _act_done(c, "reports", c.report_act(act=kind, act_id=id or "", reference=reference,
                                                              rule=_clause(c, "status_report", "001 §7.4"), **act.recorded))

    @command("certificate publish")
    def publish_act(self, act: Act, *, kind: str, where: str, id: str = "") -> Step:
        """A suspension or withdrawal published on the body's website (001 §7.4)."""
        return lambda c: _act_done(c, "publications", c.publish_act(act=kind, act_id=id or "", where=where,
                                                                    rule=_clause(c, "website_publication", "001 §7.4"), **act.recorded))

    @command("certificate recall")
    def recall_withdrawn(self, act: Act, *, statement: str = "", reason: str = "") -> Step:
        """The withdrawn certificate recalled, or the withdrawal published or declared where it
        could not be (001 §7.3.2)."""
        return lambda c: c.recall_withdrawn(statement=statement, reason=reason, rule=_clause(c, "recall", "001 §7.3.2"), **act.recorded)

    @command("certificate cause")
    def verify_cause(self, act: Act, *, kind: str, reason_code: str, facts: str, verified_on: date | None = None) -> Step:
        """The day a cause of suspension (001 §7.2.1) or withdrawal (001 §7.3.1) was verified: the
        act is due within the procedure's 5 working days of it."""
        day = self._business_date(verified_on, "核实日期", "The date the cause was verified") if verified_on else act.on

        def apply(c: Client) -> str:
            from ledger.rules.procedures import procedure_for

            p = procedure_for(c.scheme_id)
            why = p.reason(kind if kind in ("suspension", "withdrawal") else "suspension", reason_code)
            period = p.periods.suspension_act if kind == "suspension" else p.periods.withdrawal_act
            return c.verify_cause(kind=kind, reason_code=why.code, verified_on=day, facts=facts, rule=period.clause, **act.recorded)

        return apply
