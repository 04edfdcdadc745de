"""Audit planning (审核策划): the plan of an audit, with its team, leader, man-days, sites, the
planning calculation, the audit method and the team's identity numbers.

An area of ``Client`` (docs/architecture.md, "A new event of an area"): the event written as a class
with its own ``apply``, re-created on ``Client`` by the aggregate's metaclass, so its stored topic
stays ``aggregates.client:Client.AuditPlanned`` (moved here from aggregates/client.py, unchanged in
what it stores, to make room for version 3).

Version 3 (issue 15 item 6, for the CNCA monthly report of issue 17): the audit ``method`` (FS01
on-site, FS02 remote, FS03 combined; 市监认证函〔2021〕102号) and ``team_ids``, the identity documents
of the team (leader, members, technical experts) as the register of people held them when the audit
was planned (empty while the register is empty). Older plans are upcast: FS01, no identity numbers.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from aggregates.area_events import AreaEvent
from aggregates.policy import audits
from aggregates.policy.common import require, require_choice
from aggregates.policy.objections import check_replan
from aggregates.vocabulary import AUDIT_METHODS

DEFAULT_METHOD = "FS01"  # on-site: what every plan recorded before the method was asked for was
TEAM_ROLES = ("leader", "member", "expert")


def check_team_ids(team: list[str], leader: str, experts: list[str], team_ids: list[dict[str, str]]) -> list[dict[str, str]]:
    """The team's identity documents: each names someone on the plan (a member, the leader or a
    technical expert), with a role of ``TEAM_ROLES``, a document kind and a number; one per person."""
    named = set(team) | {leader} | set(experts)
    out, seen = [], set()
    for t in team_ids:
        name = str(t.get("name", "")).strip()
        require(name in named, "市监认证函〔2021〕102号", f"证件号码所属的 {name} 不在该审核的审核组中。",
                f"The identity number given for {name} belongs to no one on the audit's team.")
        require(t.get("role") in TEAM_ROLES and bool(str(t.get("document_number", "")).strip()), "市监认证函〔2021〕102号",
                f"审核组成员 {name} 的证件信息不完整（角色、证件号码）。", f"The identity record of team member {name} is incomplete (role, number).")
        if name in seen:
            continue
        seen.add(name)
        out.append({"name": name, "role": str(t["role"]), "document_kind": str(t.get("document_kind") or "resident_id"),
                    "document_number": str(t["document_number"]).strip().upper()})
    return out


class AuditPlansArea:
    """Commands and events of audit planning (mixed into ``Client``)."""

    audits: dict[str, dict[str, Any]]
    exclusions: dict[str, dict[str, dict[str, Any]]]

    def plan_audit(
        self, *, kind: str, team: list[str], leader: str, man_days: Decimal, sites: list[str],
        start_on: date, actor: str, occurred_on: date, calculation: dict[str, Any] | None = None,
        method: str = DEFAULT_METHOD, team_ids: list[dict[str, str]] | None = None,
    ) -> str:
        members, leader, application_id = audits.check_plan(self, kind=kind, team=team, leader=leader, man_days=man_days,
                                                             start_on=start_on, occurred_on=occurred_on)
        require_choice(method, AUDIT_METHODS, "审核方式", "audit method")
        calculation = calculation or {}
        check_replan(self, kind=kind, application_id=application_id,  # not those an upheld objection named (004 §5.2.1)
                     team=[*members, leader, *(calculation.get("technical_experts") or [])])
        ids = check_team_ids(members, leader, list(calculation.get("technical_experts") or []), list(team_ids or []))
        audit_id = f"A{len(self.audits) + 1}"
        self.trigger_event(  # type: ignore[attr-defined]
            self.AuditPlanned, audit_id=audit_id, kind=kind, application_id=application_id, team=members, leader=leader,
            man_days=man_days, sites=list(sites), start_on=start_on, calculation=calculation, method=method, team_ids=ids,
            actor=actor, occurred_on=occurred_on,
        )
        return audit_id

    class AuditPlanned(AreaEvent):
        """An audit was planned.

        Version 2 records the team leader and the planning calculation (004 §16.2 man-days, 004 §11
        multi-site sample); version 1 events, written before the planning calculators existed, had
        neither and are upcast on load: the leader is the first team member, the calculation empty.
        Version 3 records the audit method and the team's identity numbers; version 2 events are
        upcast to an on-site audit (FS01) with no identity numbers.
        """

        class_version = 3
        audit_id: str
        kind: str
        application_id: str | None
        team: list[str]
        leader: str
        man_days: Decimal
        sites: list[str]
        start_on: date
        calculation: dict[str, Any]
        method: str
        team_ids: list[dict[str, str]]
        actor: str
        occurred_on: date

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state.setdefault("leader", (state.get("team") or [""])[0])
            state.setdefault("calculation", {})

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state.setdefault("method", DEFAULT_METHOD)
            state.setdefault("team_ids", [])

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            aggregate.audits[self.audit_id] = {
                "id": self.audit_id, "kind": self.kind, "application_id": self.application_id, "team": self.team,
                "leader": self.leader, "man_days": self.man_days, "sites": self.sites, "start_on": self.start_on,
                "calculation": self.calculation, "status": "planned", "planned_on": self.occurred_on,
                "completed_on": None, "conclusion": None, "actor": self.actor, "method": self.method,
                "team_ids": self.team_ids,
            }
            aggregate.exclusions[self.audit_id] = {}
