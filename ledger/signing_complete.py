"""Which acts lack a signature the body required (issue 15, item 4; docs/audit-trail.md, "Signed
acts", "Complete signatures").

A signature deleted from the log (its ``ActSigned`` row removed) breaks the Merkle tree, but the
tree says only *that* an event is gone. This check says *which act* lost what: it replays the
body's signing policy (``Person.SigningPolicySet`` events, in log order) and, for every act that can
be signed, asks whether the policy in force when the act was recorded required it (ledger/signing_rule.py, the one
rule also applied at the act: the act among the policy's acts or the list empty, and its business
date or the day it was recorded on or after ``required_from``) and whether the signatures it needs
are there:

- one signature for an act signed by one person;
- for a panel's act (``SIGNED_ACTS[command]["panel"]``: ``appeal decide``, ``complaint admit``), one
  signature from *every* person the act names (its ``deciders``), the first given with the act and
  the others by co-signing (``certledger sign``). An act signed by one member and not yet by the
  others is work in progress, not an alteration: its finding is of kind ``cosign`` ("awaiting
  co-signature"), which ``verify`` lists apart and fails (exit 3) only once the act is older than
  ``COSIGN_DAYS`` (docs/decisions.md, D48c). A required act with no signature at all stays a
  ``signature`` finding (altered: its signature event is missing).

The same class serves ``verify`` (the events read from the database) and ``verify-bundle`` (the
events of the bundle): it is fed JSON states and topics in position order and knows nothing of
the store. Names in an act are matched to the register's people by name or document number,
from their ``Person.Registered`` events fed with the rest.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ledger.commands_signing import SIGNED_ACTS
from ledger.signing import act_words
from ledger.trail.findings import Finding

ACT_SIGNED = "aggregates.client:Client.ActSigned"
POLICY = "aggregates.people:Person.SigningPolicySet"
REGISTERED = "aggregates.people:Person.Registered"
# The event that each signed act records (one command per event type: ledger/handlers*.py).
SIGNED_EVENTS: dict[str, str] = {f"aggregates.client:Client.{t}": c for t, c in (
    ("CertificationDecided", "decide"), ("DecisionSuperseded", "appeal redecide"), ("CertificateIssued", "certificate issue"),
    ("CertificateSuspended", "certificate suspend"), ("CertificateRestored", "certificate restore"),
    ("CertificateWithdrawn", "certificate withdraw"), ("AppealDecided", "appeal decide"), ("ComplaintAdmitted", "complaint admit"),
    ("ComplaintResolved", "complaint resolve"), ("AuditCompleted", "audit complete"))}
TOPICS = (*SIGNED_EVENTS, ACT_SIGNED, POLICY, REGISTERED)
COSIGN_DAYS = 14  # an act awaiting a co-signature longer than this (days since it was recorded) fails verify (exit 3)


def _date(value: Any) -> date | None:
    if isinstance(value, dict):  # the transcoder's {"_type_": "date_iso", "_data_": "YYYY-MM-DD"}
        value = value.get("_data_")
    try:
        return date.fromisoformat(str(value)) if value is not None else None
    except ValueError:
        return None


def person_id(client_hex: str) -> str:
    """A person's id as ``ActSigned.signer_id`` writes it (a UUID with hyphens) from 32 hex digits."""
    h = client_hex.replace("-", "")
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class Completeness:
    """Fed the events of ``TOPICS`` in position order (others are ignored), then asked which acts
    the policy required signed lack a signature or a panel member's co-signature."""

    def __init__(self, labeler: Any = None) -> None:
        self.labeler = labeler  # client hex -> its label (USCC), asked only for the acts reported
        self.policy: dict[str, Any] | None = None
        self.acts: list[tuple[int | None, str, str, int, str, Any, dict[str, Any]]] = []
        self.signers: dict[tuple[str, int], set[str]] = {}
        self.people: dict[str, str] = {}  # name or document number -> person id

    def add(self, position: int | None, client_hex: str, version: int, topic: str, state: Any, label: str = "") -> None:
        if not isinstance(state, dict):
            return
        if topic == POLICY:
            self.policy = state
        elif topic == REGISTERED:
            for k in ("name", "document_number"):
                if isinstance(state.get(k), str):
                    self.people[state[k]] = person_id(client_hex)
                    self.people[state[k].upper()] = person_id(client_hex)
        elif topic == ACT_SIGNED:
            for v in state.get("act_versions") or []:
                self.signers.setdefault((client_hex, v), set()).add(str(state.get("signer_id", "")))
        elif topic in SIGNED_EVENTS and self.policy is not None:  # before any policy nothing was required
            self.acts.append((position, client_hex, label, version, SIGNED_EVENTS[topic], state, self.policy or {}))

    def findings(self) -> list[Finding]:
        out = []
        from ledger.signing_rule import recorded_day, signature_required

        for position, client_hex, label, version, command, state, policy in self.acts:
            on, day = _date(state.get("occurred_on")), recorded_day(state.get("timestamp"))
            since = signature_required(policy, command, on, day)  # the one rule, as at the act (ledger/signing_rule.py)
            if since is None:
                continue
            late = on is None or on < since  # required because recorded on or after required_from (backdated)
            when_zh, when_en = f"业务日期 {on}" + (f"，记录于 {day}" if late else ""), f"{on}" + (f", recorded {day}" if late else "")
            signed = self.signers.get((client_hex, version), set())
            event = command
            label = label or (self.labeler(client_hex) if self.labeler else client_hex)
            if not signed:
                out.append(Finding(
                    "signature",
                    f"{act_words(command)}（{label}，事件版本 {version}，{when_zh}）须有签名人的个人签名（本机构自 {since} 起要求），却没有签名：签名事件缺失或被删除。",
                    f"The act '{command}' on client {label} at version {version} ({when_en}) requires a signature (policy from {since}) "
                    "and has none: its signature event is missing or was deleted.",
                    position=position, client=label, version=version, event=event))
                continue
            panel = SIGNED_ACTS.get(command, {}).get("panel")
            named = [n for n in (state.get(panel) or []) if isinstance(n, str)] if panel else []
            missing = [n for n in named if self.people.get(n, self.people.get(n.upper())) not in signed]
            if missing:  # signed by one member, the others not yet: work in progress, not tampering (D48c)
                who = "、".join(missing)
                out.append(Finding(
                    "cosign",
                    f"{act_words(command)}（{label}，事件版本 {version}，业务日期 {on}，记录于 {day}）由 {'、'.join(named)} 共同作出，"
                    f"尚缺 {who} 的签名：请其本人会签（certledger sign --client {label} --act {version} --sign-key 私钥文件）。",
                    f"The act '{command}' on client {label} at version {version} ({on}, recorded {day}) was taken by "
                    f"{', '.join(named)}, each of whom signs; {', '.join(missing)} has not yet: each co-signs in person "
                    f"(certledger sign --client {label} --act {version} --sign-key KEYFILE).",
                    position=position, client=label, version=version, event=event, recorded_on=day.isoformat() if day else None))
        return out


def check_complete(app: Any) -> list[Finding]:
    """The acts of the ledger that lack a required signature or co-signature (read from the log by
    topic, in position order)."""
    from uuid import UUID

    from ledger.signing import stored_json
    from ledger.store import trail_store
    from ledger.trail.findings import Clients

    clients = Clients(trail_store(app))
    check = Completeness(lambda hex_id: clients(bytes.fromhex(hex_id)))
    position = 0
    while True:
        batch = app.recorder.select_notifications(position, 1000, topics=list(TOPICS), inclusive_of_start=False)
        if not batch:
            break
        for n in batch:
            position = n.id
            oid = n.originator_id if isinstance(n.originator_id, UUID) else UUID(str(n.originator_id))
            if n.topic in SIGNED_EVENTS and check.policy is None:
                continue  # no policy yet: nothing required (and nothing to decode)
            try:
                state = stored_json(app.mapper, n.state)
            except ValueError:
                continue  # an undecodable state is verify's own finding
            check.add(n.id, oid.hex, n.originator_version, n.topic, state)
    return check.findings()
