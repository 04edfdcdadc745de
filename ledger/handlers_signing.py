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


def signed_with(app: Any, person_id: Any) -> list[tuple[Any, str]]:
    """(business date, key id) of every act ``person_id`` has signed, co-signatures among them."""
    from ledger.signing import stored_json
    from ledger.signing_verify import ACT_SIGNED, _date

    out, position, who = [], 0, str(person_id)
    while True:
        batch = app.recorder.select_notifications(position, 500, topics=[ACT_SIGNED], inclusive_of_start=False)
        if not batch:
            return out
        for n in batch:
            position = n.id
            try:
                signed = stored_json(app.mapper, n.state)
                if signed.get("signer_id") == who:
                    out.append((_date(signed.get("occurred_on")), str(signed.get("key_id"))))
            except (ValueError, TypeError, AttributeError):
                continue  # an unreadable signature is verify's finding


def refuse_voiding(app: Any, owner: Any, day: date, keys: list[str], what: tuple[str, str]) -> None:
    """A key's first day or a revocation's day may not fall on or before the business date of an act
    already signed with a key it would end (trial 12, new item 2; decision D48a): that would turn a
    signature made while the key was valid into an invalid one after the fact (repudiation)."""
    voided = sorted(on for on, kid in signed_with(app, owner.id) if kid in keys and on is not None and on >= day)
    if voided:
        raise RuleViolation(KEY_RULE, f"{what[0]} {day} 不能早于或等于 {owner.name} 已用该密钥签署的行为的业务日期（最晚 {voided[-1]}，共 {len(voided)} 项）："
                            f"否则这些签名事后变为无效，等于否认已签署的行为。请给出晚于 {voided[-1]} 的日期；密钥泄露时仍可即日吊销，已签署的行为另行批注。",
                            f"{what[1]} {day} may not be on or before the business date of an act {owner.name} has already signed with "
                            f"that key (the latest {voided[-1]}, {len(voided)} in all): those signatures would become invalid after the "
                            f"fact, disowning acts already signed. Give a date after {voided[-1]}; a compromised key can still be "
                            "revoked from today, and the acts already signed annotated.")


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
        refuse_voiding(self, owner, first, [k["key_id"] for k in owner.keys], ("新密钥的生效日期", "The new key's first day"))
        self._person_run(person, "people key add", act, lambda p: p.add_key(public_key=key, valid_from=first, **act), note, evidence)
        return {"id": kid, "name": owner.name, "valid_from": first}

    def revoke_person_key(self, *, person: str, key_id: str, reason: str, revoked_on: date | None = None, actor: str | None = None,
                          on: date | None = None, note: str = "", evidence: list[str] | None = None) -> dict[str, Any]:
        act = self._act(actor, on)
        day = revoked_on or act["occurred_on"]
        refuse_voiding(self, self.find_person(person), day, [(key_id or "").strip().lower()], ("密钥的吊销日期", "The revocation's day"))
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
                           reason: str | None = None, actor: str | None = None, on: date | None = None, note: str = "",
                           evidence: list[str] | None = None) -> dict[str, Any]:
        recorded = self._act(actor, on)
        if off == (required_from is not None):
            raise RuleViolation(KEY_RULE, "请给出 --required-from 日期（自该日起要求签名）或 --off（不再要求）之一。",
                                "Give exactly one of --required-from DATE (signing required from that day) or --off (no longer required).")
        acts = list(dict.fromkeys(act or [])) if not off else []
        return_acts = acts or list(SIGNED_ACTS)
        self._person_run(recorded["actor"], "people signing", recorded,
                         lambda p: p.set_signing_policy(required_from=None if off else required_from, acts=acts, reason=reason or "",
                                                        **recorded), note, evidence)
        return {"required": not off, "required_from": None if off else required_from, "acts": [] if off else return_acts,
                **({"reason": (reason or "").strip()} if off else {})}
