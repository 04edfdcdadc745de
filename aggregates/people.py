"""The body's people (issue 15, docs/people.md): one event-sourced aggregate per person, keyed by a
uuid5 of the identity document ("<kind>:<number>", the number as ``aggregates.policy.people``
normalises it). Not an area of ``Client``: a person acts for many clients.

Like ``Client``, each public method is a command that runs its check (``aggregates.policy.people``)
and then triggers one event declared beside it (an ``AreaEvent`` whose ``apply`` only applies
state, D65); every event carries the ``actor`` who recorded it and the business date ``occurred_on``. Stored topics: ``aggregates.people:Person.<Event>``
(never rename or move them). State is JSON-shaped.
"""

from __future__ import annotations

import sys
import uuid
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from aggregates.area_events import AreaEvent, define_area_events
from aggregates.digests import uuid5  # not hashlib's SHA-1: OpenSSL's load at every start (D68)
from aggregates.policy import people as policy
from aggregates.person_keys import PersonKeysArea  # keys and the signing policy (issue 15, item 4)

# The namespace under which a person's id is derived from their document (uuid5). Part of the data
# format: changing it would orphan every stored person.
PERSON_NAMESPACE = uuid.UUID("3b8e6c52-0f7d-5b7e-8c1a-2d4f6a9e1c37")


def person_id_for(document_kind: str, document_number: str) -> UUID:
    """A person's aggregate id: uuid5 of "<document kind>:<number>" (normalised by the caller)."""
    return uuid5(PERSON_NAMESPACE, f"{document_kind}:{document_number}")


class Person(PersonKeysArea, Aggregate):
    """One person of the body: identity, roles, CCAA registrations, training, competence, leaving."""

    @staticmethod
    def create_id(document_kind: str, document_number: str) -> UUID:  # type: ignore[override]
        return person_id_for(document_kind, document_number)

    @classmethod
    def register(cls, *, name: str, document_kind: str, document_number: str, joined_on: date,
                 actor: str, occurred_on: date) -> "Person":
        name, kind, number = policy.check_registration(name=name, document_kind=document_kind, document_number=document_number,
                                                       joined_on=joined_on, occurred_on=occurred_on)
        return cls(name=name, document_kind=kind, document_number=number, joined_on=joined_on, actor=actor, occurred_on=occurred_on)

    @event("Registered")
    def __init__(self, name: str, document_kind: str, document_number: str, joined_on: date, actor: str, occurred_on: date) -> None:
        self.name = name
        self.document_kind = document_kind
        self.document_number = document_number
        self.joined_on = joined_on
        self.left_on: date | None = None
        self.roles: dict[str, dict[str, Any]] = {}
        self.former_roles: list[dict[str, Any]] = []
        self.registrations: list[dict[str, Any]] = []
        self.trainings: list[dict[str, Any]] = []
        self.competence: dict[str, list[str]] = {}
        self.annotations: list[dict[str, Any]] = []
        self.interests: dict[str, dict[str, Any]] = {}
        self.logins: list[str] = []  # PostgreSQL login roles mapped to the person (item 5)

    # ------------------------------------------------------------------ roles

    def grant(self, *, roles: list[str], actor: str, occurred_on: date) -> list[str]:
        chosen = policy.check_roles(self, roles, grant=True, occurred_on=occurred_on)
        self.trigger_event(self.RolesGranted, roles=chosen, actor=actor, occurred_on=occurred_on)
        return chosen

    class RolesGranted(AreaEvent):
        roles: list[str]
        actor: str
        occurred_on: date

        def apply(self, aggregate: Person) -> None:  # type: ignore[override]
            for role in self.roles:
                aggregate.roles[role] = {"role": role, "granted_on": self.occurred_on, "granted_by": self.actor}

    def withdraw_roles(self, *, roles: list[str], reason: str, actor: str, occurred_on: date) -> list[str]:
        chosen = policy.check_roles(self, roles, grant=False, occurred_on=occurred_on)
        reason = policy.require_text(reason, "撤销角色的理由（--reason）", "The reason for withdrawing the role (--reason)", policy.REGISTER)
        self.trigger_event(self.RolesWithdrawn, roles=chosen, reason=reason, actor=actor, occurred_on=occurred_on)
        return chosen

    class RolesWithdrawn(AreaEvent):
        roles: list[str]
        reason: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Person) -> None:  # type: ignore[override]
            for role in self.roles:
                held = aggregate.roles.pop(role)
                aggregate.former_roles.append({**held, "withdrawn_on": self.occurred_on, "withdrawn_by": self.actor, "reason": self.reason})

    # ------------------------------------------------------------------ qualification

    def record_ccaa(self, *, number: str, category: str, valid_from: date, valid_to: date, actor: str, occurred_on: date) -> str:
        number = policy.check_ccaa(self, number=number, category=category, valid_from=valid_from, valid_to=valid_to,
                                   occurred_on=occurred_on)
        self.trigger_event(self.CcaaRegistrationRecorded, number=number, category=category, valid_from=valid_from, valid_to=valid_to, actor=actor, occurred_on=occurred_on)
        return number

    class CcaaRegistrationRecorded(AreaEvent):
        number: str
        category: str
        valid_from: date
        valid_to: date
        actor: str
        occurred_on: date

        def apply(self, aggregate: Person) -> None:  # type: ignore[override]
            aggregate.registrations.append({"number": self.number, "category": self.category, "valid_from": self.valid_from, "valid_to": self.valid_to,
                                            "recorded_on": self.occurred_on})

    def record_training(self, *, scheme_id: str, trained_on: date, hours: Decimal, evidence: list[str], actor: str, occurred_on: date) -> None:
        evidence = policy.check_training(self, scheme_id=scheme_id, trained_on=trained_on, hours=hours, evidence=evidence,
                                         occurred_on=occurred_on)
        self.trigger_event(self.TrainingRecorded, scheme_id=scheme_id, trained_on=trained_on, hours=hours, evidence=evidence, actor=actor, occurred_on=occurred_on)

    class TrainingRecorded(AreaEvent):
        scheme_id: str
        trained_on: date
        hours: Decimal
        evidence: list[str]
        actor: str
        occurred_on: date

        def apply(self, aggregate: Person) -> None:  # type: ignore[override]
            aggregate.trainings.append({"scheme_id": self.scheme_id, "trained_on": self.trained_on, "hours": self.hours, "evidence": self.evidence})

    def record_competence(self, *, scheme_id: str, codes: list[str], actor: str, occurred_on: date) -> list[str]:
        codes = policy.check_competence(self, scheme_id=scheme_id, codes=codes, occurred_on=occurred_on)
        self.trigger_event(self.CompetenceRecorded, scheme_id=scheme_id, codes=codes, actor=actor, occurred_on=occurred_on)
        return codes

    class CompetenceRecorded(AreaEvent):
        scheme_id: str
        codes: list[str]
        actor: str
        occurred_on: date

        def apply(self, aggregate: Person) -> None:  # type: ignore[override]
            aggregate.competence[self.scheme_id] = list(self.codes)

    # ------------------------------------------------------------------ leaving

    def leave(self, *, left_on: date, actor: str, occurred_on: date) -> None:
        policy.check_leaving(self, left_on=left_on, occurred_on=occurred_on)
        self.trigger_event(self.Left, left_on=left_on, actor=actor, occurred_on=occurred_on)

    class Left(AreaEvent):
        left_on: date
        actor: str
        occurred_on: date

        def apply(self, aggregate: Person) -> None:  # type: ignore[override]
            aggregate.left_on = self.left_on

    # ------------------------------------------------------------------ impartiality (item 3)

    def declare_interest(self, *, uscc: str, kind: str, detail: str, ended_on: date | None, actor: str, occurred_on: date) -> None:
        """A declaration about one client (004 §4.2 d), §4.3): an interest, added to the current
        declaration, or "none", which makes the current declaration empty as of its date."""
        detail = policy.check_declaration(self, uscc=uscc, kind=kind, detail=detail, ended_on=ended_on, occurred_on=occurred_on)
        self.trigger_event(self.InterestDeclared, uscc=uscc, kind=kind, detail=detail, ended_on=ended_on, actor=actor, occurred_on=occurred_on)

    class InterestDeclared(AreaEvent):
        uscc: str
        kind: str
        detail: str
        ended_on: date | None
        actor: str
        occurred_on: date

        def apply(self, aggregate: Person) -> None:  # type: ignore[override]
            record = aggregate.interests.setdefault(self.uscc, {"uscc": self.uscc, "declared_on": self.occurred_on, "items": []})
            record["declared_on"] = self.occurred_on
            if self.kind == "none":
                record["items"] = []
            else:
                record["items"].append({"kind": self.kind, "detail": self.detail, "ended_on": self.ended_on, "declared_on": self.occurred_on})
            # every declaration kept with who recorded it and what replaced it (trial 12, item 5): "none"
            # replaces the interests standing; any later declaration replaces a standing "none"
            history = record.setdefault("history", [])
            for h in history:
                if h["replaced_by"] is None and (self.kind == "none" or h["kind"] == "none"):
                    h["replaced_by"] = {"declared_on": self.occurred_on, "kind": self.kind, "recorded_by": self.actor}
            history.append({"declared_on": self.occurred_on, "kind": self.kind, "detail": self.detail, "ended_on": self.ended_on,
                            "recorded_by": self.actor, "replaced_by": None})

    # ------------------------------------------------------------------ database logins (item 5, docs/people.md)

    def map_login(self, *, role: str, actor: str, occurred_on: date) -> str:
        """Map a PostgreSQL login role to the person: the database then accepts from that login only
        events whose actor is this person (ledger/store/pg_logins.py). The event carries the name and
        document number the database compares with."""
        role = policy.check_login(self, role, mapped=False, occurred_on=occurred_on)
        self.trigger_event(self.LoginMapped, role=role, name=self.name, document_number=self.document_number, actor=actor, occurred_on=occurred_on)
        return role

    class LoginMapped(AreaEvent):
        role: str
        name: str
        document_number: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Person) -> None:  # type: ignore[override]
            aggregate.logins.append(self.role)

    def unmap_login(self, *, role: str, actor: str, occurred_on: date) -> str:
        role = policy.check_login(self, role, mapped=True, occurred_on=occurred_on)
        self.trigger_event(self.LoginUnmapped, role=role, actor=actor, occurred_on=occurred_on)
        return role

    class LoginUnmapped(AreaEvent):
        role: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Person) -> None:  # type: ignore[override]
            aggregate.logins.remove(self.role)

    # ------------------------------------------------------------------ notes and evidence

    def annotate(self, *, command: str, since: int, note: str, evidence: list[str], actor: str, occurred_on: date) -> None:
        """A note and evidence on the act just taken (``since``: the version before it), checked
        already (``aggregates.annotations.check_annotation``), as a client's acts carry them."""
        if self.version == since:
            return
        self.trigger_event(self.ActAnnotated, act_version=self.version, command=command, note=note, evidence=list(evidence), actor=actor, occurred_on=occurred_on)

    class ActAnnotated(AreaEvent):
        act_version: int
        command: str
        note: str
        evidence: list[str]
        actor: str
        occurred_on: date

        def apply(self, aggregate: Person) -> None:  # type: ignore[override]
            aggregate.annotations.append({"act_version": self.act_version, "command": self.command, "note": self.note, "evidence": self.evidence,
                                          "recorded_on": self.occurred_on, "actor": self.actor})

    # ------------------------------------------------------------------ questions

    def has_left(self, on: date) -> bool:
        return self.left_on is not None and self.left_on <= on

    def summary(self) -> dict[str, Any]:
        """The person's record, JSON-shaped (dates as dates)."""
        return {
            "id": str(self.id), "name": self.name, "document_kind": self.document_kind, "document_number": self.document_number,
            "joined_on": self.joined_on, "left_on": self.left_on, "roles": sorted(self.roles), "role_grants": list(self.roles.values()),
            "former_roles": list(self.former_roles), "ccaa": list(self.registrations), "trainings": list(self.trainings),
            "competence": {k: list(v) for k, v in self.competence.items()}, "annotations": list(self.annotations),
            "interests": {k: {**v, "items": list(v["items"]), "history": [dict(h) for h in v.get("history", [])]}
                          for k, v in self.interests.items()},
            "keys": [dict(k) for k in self.keys],  # signing keys (item 4, aggregates/person_keys.py)
            "signing_policies": [dict(x) for x in self.signing_history],  # the signing requirements they recorded, with why off
            "logins": list(getattr(self, "logins", [])),
        }


define_area_events(Person)  # its events and the keys area's as Person.<Event>, each defined once (D65)


def is_person_event(ev: Any) -> bool:
    """Whether a domain event is a person's, or the body's own (aggregates/body.py, issue 17): no
    client's (read models of clients leave these out). The body's aggregate is not imported for this:
    before it is, no event of the body exists (D66)."""
    if isinstance(ev, Person.Event):
        return True
    body = sys.modules.get("aggregates.body")
    return body is not None and isinstance(ev, body.Body.Event)
