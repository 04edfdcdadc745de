"""The certification body itself (issue 17): one event-sourced aggregate for the acts that belong to
the body and to no client, such as the monthly report to the regulator (认证信息报告, 市监认证函〔2021〕
102号) submitted. Like the body's people (aggregates/people.py) it shares the one event log with the
clients; the clients' read models pass over its events (``aggregates.people.is_person_event``).

Its id is fixed (a uuid5 of "body"): one ledger is one body. Stored topics:
``aggregates.body:Body.<Event>`` (never rename or move them). State is JSON-shaped. docs/cnca-report.md.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from aggregates.area_events import AreaEvent, define_area_events
from aggregates.body_conflicts import BodyConflictsArea  # the body's conflicts with a client (004 §4.2 d) 1))
from aggregates.digests import uuid5  # not hashlib's SHA-1: OpenSSL's load at every start (D68)
from aggregates.policy import body as policy

# Part of the data format: changing it would orphan the stored body.
BODY_NAMESPACE = uuid.UUID("8f0c1d7e-5a43-5b29-9e61-0c7b2a4d9f15")
BODY_ID = uuid5(BODY_NAMESPACE, "body")

# The reports the body submits, by kind (only the CNCA's monthly report so far).
REPORT_KINDS: dict[str, tuple[str, str]] = {
    "cnca-monthly": ("认证信息月度报告（认监委）", "monthly certification information report (CNCA)"),
}


class Body(BodyConflictsArea, Aggregate):
    """The body's own record: the reports it submitted, its conflicts with clients."""

    @staticmethod
    def create_id() -> UUID:  # type: ignore[override]
        return BODY_ID

    @classmethod
    def open(cls, *, actor: str, occurred_on: date) -> "Body":
        return cls(actor=actor, occurred_on=occurred_on)

    @event("Opened")
    def __init__(self, actor: str, occurred_on: date) -> None:
        self.opened_on = occurred_on
        self.submissions: list[dict[str, Any]] = []
        self.conflicts: list[dict[str, Any]] = []  # aggregates/body_conflicts.py

    def submit_report(self, *, kind: str, period: str, reference: str, correction: str, note: str, evidence: list[str],
                      actor: str, occurred_on: date) -> str:
        period, reference, correction = policy.check_submission(self, kind=kind, period=period, reference=reference, correction=correction,
                                                                occurred_on=occurred_on, kinds=REPORT_KINDS)
        self.trigger_event(self.ReportSubmitted, kind=kind, period=period, reference=reference, correction=correction, note=(note or "").strip(),
                           evidence=[e.strip() for e in evidence or [] if e and e.strip()], actor=actor, occurred_on=occurred_on)
        return period

    class ReportSubmitted(AreaEvent):
        kind: str
        period: str
        reference: str
        correction: str
        note: str
        evidence: list[str]
        actor: str
        occurred_on: date

        def apply(self, aggregate: Body) -> None:  # type: ignore[override]
            aggregate.submissions.append({"kind": self.kind, "period": self.period, "reference": self.reference, "correction": self.correction, "note": self.note,
                                          "evidence": self.evidence, "actor": self.actor, "on": self.occurred_on})

    def submitted(self, kind: str) -> dict[str, dict[str, Any]]:
        """The first submission of each period of a kind, by period (corrections come later)."""
        out: dict[str, dict[str, Any]] = {}
        for s in self.submissions:
            if s["kind"] == kind:
                out.setdefault(s["period"], s)
        return out


define_area_events(Body)  # its events and the conflicts area's as Body.<Event>, each defined once (D65)
