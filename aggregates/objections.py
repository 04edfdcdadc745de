"""The client's objection to an audit team's composition and the body's answer (004 §5.2.1: "申请人
如对评审组组成有异议，可向 HZX 提出"; issue 15 item 2).

An area of ``Client`` (docs/architecture.md, "A new event of an area"): the events written as classes
with their own ``apply``, re-created on ``Client`` by the aggregate's metaclass, so their stored topics
are ``aggregates.client:Client.TeamObjected`` and ``aggregates.client:Client.TeamObjectionAnswered``
(never rename them). State: ``audit["objections"]``, a list kept on the audit it concerns; ids ``OB1``,
``OB2``... are numbered per client. The checks and what an objection means for the audit are in
aggregates/policy/objections.py.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from aggregates.area_events import AreaEvent
from aggregates.policy import objections as policy


class ObjectionsArea:
    """Commands and events of objections to an audit team (mixed into ``Client``)."""

    audits: dict[str, dict[str, Any]]

    def object_to_team(self, *, audit_id: str, members: list[str], reason: str, actor: str, occurred_on: date) -> str:
        members, reason = policy.check_objection(self, audit_id=audit_id, members=members, reason=reason, occurred_on=occurred_on)
        objection_id = f"OB{sum(len(a.get('objections') or []) for a in self.audits.values()) + 1}"
        self.trigger_event(self.TeamObjected, objection_id=objection_id, audit_id=audit_id, members=members,  # type: ignore[attr-defined]
                           reason=reason, actor=actor, occurred_on=occurred_on)
        return objection_id

    class TeamObjected(AreaEvent):
        """The applicant objected to the composition of an audit's team (004 §5.2.1): the members
        objected to (none: the team as a whole) and why."""

        objection_id: str
        audit_id: str
        members: list[str]
        reason: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            aggregate.audits[self.audit_id].setdefault("objections", []).append({
                "id": self.objection_id, "audit_id": self.audit_id, "members": list(self.members), "reason": self.reason,
                "on": self.occurred_on, "actor": self.actor, "answer": None})

    def answer_objection(self, *, audit_id: str, upheld: bool, dismissed: bool, reason: str, actor: str, occurred_on: date) -> str:
        objection, reason = policy.check_answer(self, audit_id=audit_id, upheld=upheld, dismissed=dismissed, reason=reason,
                                                occurred_on=occurred_on, actor=actor)
        self.trigger_event(self.TeamObjectionAnswered, objection_id=objection["id"], audit_id=audit_id,  # type: ignore[attr-defined]
                           outcome="upheld" if upheld else "dismissed", reason=reason, actor=actor, occurred_on=occurred_on)
        return str(objection["id"])

    class TeamObjectionAnswered(AreaEvent):
        """The body's answer to the objection: ``upheld`` (the audit is planned again without the
        members objected to) or ``dismissed`` (it proceeds), with the reason."""

        objection_id: str
        audit_id: str
        outcome: str
        reason: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            for o in aggregate.audits[self.audit_id].get("objections") or []:
                if o["id"] == self.objection_id:
                    o["answer"] = {"upheld": self.outcome == "upheld", "outcome": self.outcome, "reason": self.reason,
                                   "on": self.occurred_on, "actor": self.actor}


def objections_for(client: Any, audit_id: str) -> list[dict[str, Any]]:
    """The objections to the team of an audit and of the audits it was planned again after (the same
    kind for the same application, cancelled before it), in order: what ``explain`` shows."""
    audit = client.audits[audit_id]
    out = []
    for a in client.audits.values():
        if a["id"] == audit_id or (a["status"] == "cancelled" and a["kind"] == audit["kind"]
                                   and a["application_id"] == audit["application_id"] and a["planned_on"] <= audit["planned_on"]):
            out += [dict(o) for o in a.get("objections") or []]
        if a["id"] == audit_id:
            break
    return out
