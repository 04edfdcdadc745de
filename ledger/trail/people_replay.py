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


def people_findings(app: Any) -> list[Finding]:
    """One finding per person whose events do not replay: the first event that fails."""
    from ledger.people import person_topics
    from ledger.store.errors import replay_failures

    failures = replay_failures()
    topics = person_topics()
    people: dict[UUID, Any] = {}
    broken: dict[UUID, Finding] = {}
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
    return list(broken.values())
