"""``verify`` over the register of people (issue 15, trial item 4): a person's event that no longer
replays (its stored row edited behind the ledger's back) is a finding naming the person and the
event's version, not a refusal that stops ``verify`` (which used to call the person a client, give
a UUID and tell the user to run the very command they had just run).

Every person's events are replayed one by one, in the log's order; the first that does not decode
or apply is reported, with the person's name as their first event gives it (the id when that event
too is unreadable). The checks of personal signatures rest on the register, so ``verify`` runs
them only when every person replays (docs/audit-trail.md, "What verify checks")."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from ledger.trail.findings import Finding, topic_name


def _name(app: Any, oid: UUID) -> str:
    """The person's name from their first (Registered) event, read as plain JSON; else their id."""
    try:
        first = app.recorder.select_events(oid, lte=1)
        state = first[0].state if first else b""
        text = state.decode("utf-8") if isinstance(state, (bytes, bytearray, memoryview)) and not isinstance(state, str) else str(state)
        name = json.loads(text).get("name")
        if isinstance(name, str) and name.strip():
            return name.strip()
    except Exception:  # noqa: BLE001 - a label for a finding; the finding stands without it
        pass
    return str(oid)


# the register's command that records each of a person's events (ledger/people_actor.py's vocabulary)
ACTIONS = {"Registered": "people register", "RolesGranted": "people grant", "RolesWithdrawn": "people withdraw-role",
           "CcaaRegistrationRecorded": "people ccaa", "TrainingRecorded": "people train", "CompetenceRecorded": "people competence",
           "Left": "people leave", "LoginMapped": "people login", "LoginUnmapped": "people logout",
           "InterestDeclared": "people declare", "KeyAdded": "people key add", "KeyRevoked": "people key revoke",
           "SigningPolicySet": "people signing"}


class _RegisterAt:
    """The register as the log stood before one event: what ``writer`` and ``register_writer``
    (ledger/people_actor.py) ask of the ledger, over the people replayed so far."""

    # judged by each event's business date, as a session's (an import's) writes are: "today" is the day
    # verify runs, not the day the event was recorded (ledger/people_actor.writer)
    _uow = True

    def __init__(self, people: dict[UUID, Any]) -> None:
        self._people = people

    def _people_register(self) -> dict[UUID, Any]:
        return self._people

    def has_people(self) -> bool:
        return bool(self._people)

    def people(self) -> list[Any]:
        return list(self._people.values())

    def find_person(self, ref: str) -> Any:
        from ledger.people import PeopleHandlers

        return PeopleHandlers.find_person(self, ref)  # type: ignore[arg-type]


def _authority(people: dict[UUID, Any], oid: UUID, event: Any, kind: str) -> tuple[str, str] | None:
    """Whether ``event``'s actor could record it at this point of the log (trial 12, new item 1):
    the rule of ledger/people_actor.py, as the register stood before the event. Returns the
    refusal's words, or None."""
    from aggregates.errors import NotFound, RuleViolation
    from ledger.people_actor import first_administrator, register_writer, writer

    action = ACTIONS.get(kind)
    actor = getattr(event, "actor", None)
    if action is None or not isinstance(actor, str):
        return None  # an annotation follows the act it annotates
    register = _RegisterAt(people)
    subject = people.get(oid)
    try:
        if kind == "Registered" and not register.has_people():
            first_administrator(actor, getattr(event, "name", ""), getattr(event, "document_number", ""))
            return None
        if (kind == "RolesGranted" and list(people) == [oid] and list(getattr(event, "roles", [])) == ["administrator"]
                and not subject.roles and actor in (subject.name, subject.document_number)):
            return None  # the first person registered becomes the administrator in the same save (D37)
        name = writer(register, actor, event.occurred_on)
        register_writer(register, name, action, subject)
        if kind == "SigningPolicySet" and "administrator" not in register.find_person(name).roles:
            raise RuleViolation("电子签名法 §13", f"只有管理员可以设定签名要求；{name} 当时不具有“管理员”角色。",
                                f"Only an administrator sets the signing requirement; {name} did not hold the administrator role then.")
    except (RuleViolation, NotFound) as e:
        return e.message_zh, e.message_en
    return None


def people_findings(app: Any) -> list[Finding]:
    """One finding per person whose events do not replay: the first event that fails; and one per
    register event whose actor could not record it at that point of the log (kind ``authority``)."""
    from ledger.people import person_topics
    from ledger.store.errors import replay_failures

    failures = replay_failures()
    topics = person_topics()
    people: dict[UUID, Any] = {}
    broken: dict[UUID, Finding] = {}
    unauthorised: list[Finding] = []
    position = 0
    while True:
        batch = app.recorder.select_notifications(position, 500, topics=topics, inclusive_of_start=False)
        if not batch:
            break
        for n in batch:
            position = n.id
            oid = n.originator_id if isinstance(n.originator_id, UUID) else UUID(str(n.originator_id))
            if oid in broken:
                continue
            try:
                event = app.mapper.to_domain_event(n)
                refused = _authority(people, oid, event, topic_name(n.topic).rsplit(".", 1)[-1])
                people[oid] = event.mutate(people.get(oid))
            except failures as e:  # an altered row: named, and verify goes on
                why_zh, why_en = getattr(e, "why", (type(e).__name__, type(e).__name__))
                name = _name(app, oid)
                label = name if name == str(oid) else f"{name}（{oid}）"
                label_en = name if name == str(oid) else f"{name} ({oid})"
                broken[oid] = Finding(
                    "malformed",
                    f"人员 {label} 的第 {n.originator_version} 版事件（{topic_name(n.topic)}，位置 {n.id}）无法重放（{why_zh}）："
                    "该事件在数据库中可能被改动。人员名册与个人签名的核对因此不完整。",
                    f"Person {label_en}: event version {n.originator_version} ({topic_name(n.topic)}, position {n.id}) cannot be "
                    f"replayed ({why_en}): was it altered in the database? The register of people and the personal signatures "
                    "cannot be fully checked.",
                    n.id, str(oid), n.originator_version, topic_name(n.topic))
                continue
            if refused is not None:
                person = people[oid]
                actor = getattr(event, "actor", "?")
                unauthorised.append(Finding(
                    "authority",
                    f"人员 {person.name}（{person.document_number}）的第 {n.originator_version} 版事件（{topic_name(n.topic)}，位置 {n.id}）"
                    f"由 {actor} 记录，而 {actor} 在该位置无权记录：{refused[0]}该事件未经本账本的检查写入数据库"
                    "（规则：只有管理员写入人员名册，本人的利益声明和本人的密钥除外）。",
                    f"Person {person.name} ({person.document_number}): event version {n.originator_version} ({topic_name(n.topic)}, "
                    f"position {n.id}) was recorded by {actor}, who could not record it at that point of the log: {refused[1]} "
                    "The event was written to the database past the ledger's checks (only an administrator writes the register, "
                    "a person's own declarations and keys excepted; rule: ledger: every writer is a registered person).",
                    n.id, str(oid), n.originator_version, topic_name(n.topic)))
    return list(broken.values()) + unauthorised
