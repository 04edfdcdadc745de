"""The commands of personal keys and of the body's signing policy (issue 15, item 4), catalogued in
ledger/commands_signing.py: ``people key add``, ``people key revoke`` (events on the person) and
``people signing`` (an event on the administrator who records it). They take the road of every
person's command (``PeopleHandlers._person_run``). Signing an act is ledger/signing.py."""

from __future__ import annotations

from datetime import date
from typing import Any

from aggregates.errors import RuleViolation
from aggregates.person_keys import KEY_RULE, key_fingerprint
from ledger.commands_signing import SIGNED_ACTS
from ledger.signing import read_public_key


class SigningHandlers:
    """Mixed into ``Handlers`` (ledger/handlers.py); ``PeopleHandlers`` supplies the road."""

    _act: Any
    _person_run: Any
    _business_date: Any
    people: Any
    find_person: Any
    _actor: Any
    _run: Any

    def add_person_key(self, *, person: str, public_key: str, valid_from: date | None = None, actor: str | None = None,
                       on: date | None = None, note: str = "", evidence: list[str] | None = None) -> dict[str, Any]:
        act = self._act(actor, on)
        key = read_public_key(public_key)
        kid = key_fingerprint(key)
        first = self._business_date(valid_from, "密钥生效日期", "The key's first day") if valid_from else act["occurred_on"]
        owner = self.find_person(person)
        from ledger.trail.body_key import refuse_body_key

        refuse_body_key(self, key, owner.name, KEY_RULE)  # never the body's checkpoint key (trial item 9)
        for other in self.people():
            if other.id != owner.id and any(k["key_id"] == kid for k in other.keys):
                raise RuleViolation(KEY_RULE, f"密钥 {kid} 已登记在 {other.name} 名下；每把签名密钥只属于一人，请让 {owner.name} 自行生成密钥（people key init）。",
                                    f"Key {kid} is registered to {other.name}; a signing key belongs to one person only: {owner.name} "
                                    "makes their own (people key init).")
        self._person_run(person, "people key add", act, lambda p: p.add_key(public_key=key, valid_from=first, **act), note, evidence)
        return {"id": kid, "name": owner.name, "valid_from": first}

    def revoke_person_key(self, *, person: str, key_id: str, reason: str, revoked_on: date | None = None, actor: str | None = None,
                          on: date | None = None, note: str = "", evidence: list[str] | None = None) -> dict[str, Any]:
        act = self._act(actor, on)
        day = revoked_on or act["occurred_on"]
        kid = self._person_run(person, "people key revoke", act,
                               lambda p: p.revoke_key(key_id=key_id, revoked_on=day, reason=reason, **act), note, evidence)
        return {"id": kid, "revoked_on": day}

    def cosign_act(self, *, client: str, act: int, sign_key: str | None = None, actor: str | None = None, on: date | None = None,
                   note: str = "", evidence: list[str] | None = None) -> dict[str, Any]:
        """A panel member's co-signature of an act already signed (``certledger sign``; ledger/signing_cosign.py)."""
        from ledger.acts import Act, annotated
        from ledger.signing_cosign import cosign_step

        recorded = Act(self._actor(actor, on), self._business_date(on))
        step = annotated(cosign_step(self, act, sign_key, recorded.actor, recorded.on), "sign", recorded, note, evidence)
        return self._run(client, "sign", step)

    def set_signing_policy(self, *, required_from: date | None = None, act: list[str] | None = None, off: bool = False,
                           actor: str | None = None, on: date | None = None, note: str = "", evidence: list[str] | None = None) -> dict[str, Any]:
        recorded = self._act(actor, on)
        if off == (required_from is not None):
            raise RuleViolation(KEY_RULE, "请给出 --required-from 日期（自该日起要求签名）或 --off（不再要求）之一。",
                                "Give exactly one of --required-from DATE (signing required from that day) or --off (no longer required).")
        acts = list(dict.fromkeys(act or [])) if not off else []
        return_acts = acts or list(SIGNED_ACTS)
        self._person_run(recorded["actor"], "people signing", recorded,
                         lambda p: p.set_signing_policy(required_from=None if off else required_from, acts=acts, **recorded), note, evidence)
        return {"required": not off, "required_from": None if off else required_from, "acts": [] if off else return_acts}
