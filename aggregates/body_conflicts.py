"""The body's own conflicts with a client (004 §4.2 d) 1); issue 15 item 3): an area of ``Body``
(aggregates/body.py), its events written as classes with their own ``apply`` and re-created on
``Body`` by the aggregate's metaclass, so their stored topics are ``aggregates.body:Body.<Name>``
(never rename them).

``ConflictDeclared``: the body has an asset relation (``asset``) or another interest
(``other_interest``) with the client — the evaluation of that client is refused while it stands.
``ConflictEnded``: it no longer stands, with the reason. Conflicts 2)-3) (a senior manager's) are not
recorded here: they are derived from the register of people (ledger/body_conflicts.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from aggregates.area_events import AreaEvent
from aggregates.policy import body_conflicts as policy


class BodyConflictsArea:
    """Commands and events of the body's conflicts (mixed into ``Body``)."""

    def declare_conflict(self, *, uscc: str, kind: str, detail: str, note: str, evidence: list[str], actor: str, occurred_on: date) -> str:
        detail = policy.check_declaration(self, uscc=uscc, kind=kind, detail=detail, occurred_on=occurred_on)
        conflict_id = f"BC{len(getattr(self, 'conflicts', [])) + 1}"
        self.trigger_event(self.ConflictDeclared, conflict_id=conflict_id, uscc=uscc, kind=kind,  # type: ignore[attr-defined]
                           detail=detail, note=note, evidence=evidence, actor=actor, occurred_on=occurred_on)
        return conflict_id

    class ConflictDeclared(AreaEvent):
        """The body has a conflict with a client (004 §4.2 d) 1)): its evaluation is refused while it stands."""

        conflict_id: str
        uscc: str
        kind: str
        detail: str
        note: str
        evidence: list[str]
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            aggregate.__dict__.setdefault("conflicts", []).append({
                "id": self.conflict_id, "uscc": self.uscc, "kind": self.kind, "detail": self.detail,
                "note": self.note, "evidence": list(self.evidence), "on": self.occurred_on, "actor": self.actor, "ended": None})

    def end_conflict(self, *, uscc: str, conflict_id: str, reason: str, note: str, evidence: list[str], actor: str, occurred_on: date) -> str:
        conflict, reason = policy.check_end(self, uscc=uscc, conflict_id=conflict_id, reason=reason, occurred_on=occurred_on)
        self.trigger_event(self.ConflictEnded, conflict_id=conflict["id"], reason=reason, note=note,  # type: ignore[attr-defined]
                           evidence=evidence, actor=actor, occurred_on=occurred_on)
        return str(conflict["id"])

    class ConflictEnded(AreaEvent):
        """A conflict of the body with a client no longer stands (why: ``reason``)."""

        conflict_id: str
        reason: str
        note: str
        evidence: list[str]
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            for c in aggregate.__dict__.setdefault("conflicts", []):
                if c["id"] == self.conflict_id:
                    c["ended"] = {"on": self.occurred_on, "reason": self.reason, "note": self.note, "evidence": list(self.evidence),
                                  "actor": self.actor}
