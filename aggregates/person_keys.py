"""A person's signing keys and the body's signing policy (issue 15, item 4; docs/people.md, "Keys
and signatures").

Mixed into ``Person`` (aggregates/people.py), events as classes with ``apply``, stored as
``aggregates.people:Person.<Event>``:

- ``KeyAdded``: an Ed25519 public key (raw 32 bytes, base64) registered for the person, valid from a
  business date. Its id is its fingerprint (``key_fingerprint``). Rotation is adding a new key: the
  earlier one stays valid until the new one's first day.
- ``KeyRevoked``: a key revoked from a business date (it signs nothing from that day on, and signs
  nothing new at all once its revocation is recorded).
- ``SigningPolicySet``: recorded on the administrator who sets it: signing required, from a business
  date, for the acts listed (or not required any more). The body's policy is the latest one recorded
  on anyone (ledger/signing.py).

The private key never reaches the ledger: only the public part is recorded.
"""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

from aggregates.area_events import AreaEvent
from aggregates.digests import sha256
from aggregates.errors import RuleViolation
from aggregates.policy.common import require_text

KEY_RULE = "电子签名法 §13"  # a reliable electronic signature: the signing data belongs to and is controlled by the signer


def key_fingerprint(public_key: bytes) -> str:
    """A key's id: the first 16 hex digits of SHA-256 over the raw 32-byte Ed25519 public key."""
    return sha256(public_key).hexdigest()[:16]


def key_valid_on(keys: list[dict[str, Any]], key_id: str, on: date) -> tuple[bool, str]:
    """Whether the key ``key_id`` of one person's ``keys`` (in the order added) is valid on ``on``:
    from its first day, until a key added after it starts or its revocation's day. Returns
    (valid, why not: "unknown", "not-yet", "superseded", "revoked" or "")."""
    for i, k in enumerate(keys):
        if k["key_id"] != key_id:
            continue
        if on < k["valid_from"]:
            return False, "not-yet"
        if k.get("revoked_on") is not None and on >= k["revoked_on"]:
            return False, "revoked"
        if any(later["valid_from"] <= on for later in keys[i + 1:]):
            return False, "superseded"
        return True, ""
    return False, "unknown"


class PersonKeysArea:
    """A person's keys and the signing policy (mixed into ``Person``)."""

    name: str
    joined_on: date
    left_on: date | None

    @property
    def keys(self) -> list[dict[str, Any]]:
        return self.__dict__.get("_keys", [])

    @property
    def signing_policy(self) -> dict[str, Any] | None:
        return self.__dict__.get("_signing_policy")

    def add_key(self, *, public_key: bytes, valid_from: date, actor: str, occurred_on: date) -> str:
        if len(public_key) != 32:
            raise RuleViolation(KEY_RULE, "公钥应为 32 字节的 Ed25519 公钥（certledger people key init 输出的公钥）。",
                                "The public key must be a 32-byte Ed25519 public key (as certledger people key init prints it).")
        if self.left_on is not None:
            raise RuleViolation(KEY_RULE, f"{self.name} 已于 {self.left_on} 离开本机构，不能再登记密钥。",
                                f"{self.name} left the body on {self.left_on}; no key can be registered for them.")
        kid = key_fingerprint(public_key)
        if any(k["key_id"] == kid for k in self.keys):
            raise RuleViolation(KEY_RULE, f"密钥 {kid} 已为 {self.name} 登记；轮换请用新生成的密钥（certledger people key init）。",
                                f"Key {kid} is already registered for {self.name}; to rotate, use a newly made key (certledger people key init).")
        latest = max((k["valid_from"] for k in self.keys), default=None)
        if latest is not None and valid_from < latest:
            raise RuleViolation(KEY_RULE, f"新密钥的生效日期 {valid_from} 早于 {self.name} 上一把密钥的生效日期 {latest}；轮换时新密钥从其生效日起取代旧密钥，请给出不早于 {latest} 的 --valid-from。",
                                f"The new key's first day {valid_from} is before {self.name}'s previous key's ({latest}); a new key takes over "
                                f"from its first day: give --valid-from on or after {latest}.")
        if valid_from < self.joined_on:
            raise RuleViolation(KEY_RULE, f"密钥生效日期 {valid_from} 早于 {self.name} 的入职日期 {self.joined_on}。",
                                f"The key's first day {valid_from} is before {self.name} joined ({self.joined_on}).")
        self.trigger_event(self.KeyAdded, key_id=kid, public_key=base64.b64encode(public_key).decode("ascii"), valid_from=valid_from,  # type: ignore[attr-defined]
                           actor=actor, occurred_on=occurred_on)
        return kid

    class KeyAdded(AreaEvent):
        key_id: str
        public_key: str
        valid_from: date
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            aggregate.__dict__.setdefault("_keys", []).append(
                {"key_id": self.key_id, "public_key": self.public_key, "valid_from": self.valid_from, "revoked_on": None,
                 "revocation_reason": "", "added_on": self.occurred_on, "added_by": self.actor})

    def revoke_key(self, *, key_id: str, revoked_on: date, reason: str, actor: str, occurred_on: date) -> str:
        kid = (key_id or "").strip().lower()
        held = [k for k in self.keys if k["key_id"] == kid]
        if not held:
            known = "、".join(k["key_id"] for k in self.keys) or "—"
            raise RuleViolation(KEY_RULE, f"{self.name} 没有登记密钥 {kid}（已登记：{known}）；请核对 --key-id（people show 可见）。",
                                f"{self.name} has no registered key {kid} (registered: {known}); check --key-id (people show lists them).")
        if held[0]["revoked_on"] is not None:
            raise RuleViolation(KEY_RULE, f"密钥 {kid} 已于 {held[0]['revoked_on']} 吊销。", f"Key {kid} was revoked already, from {held[0]['revoked_on']}.")
        reason = require_text(reason, "吊销理由（--reason）", "The reason for the revocation (--reason)", KEY_RULE)
        self.trigger_event(self.KeyRevoked, key_id=kid, revoked_on=revoked_on, reason=reason, actor=actor, occurred_on=occurred_on)  # type: ignore[attr-defined]
        return kid

    class KeyRevoked(AreaEvent):
        key_id: str
        revoked_on: date
        reason: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            for k in aggregate.__dict__.setdefault("_keys", []):
                if k["key_id"] == self.key_id:
                    k["revoked_on"] = self.revoked_on
                    k["revocation_reason"] = self.reason

    @property
    def signing_history(self) -> list[dict[str, Any]]:
        """Every signing policy this person recorded, in order (``people show``)."""
        return self.__dict__.get("_signing_history", [])

    def set_signing_policy(self, *, required_from: date | None, acts: list[str], actor: str, occurred_on: date, reason: str = "") -> None:
        if required_from is None:  # signing switched off: why, recorded with it (trial 12, item 4)
            reason = require_text(reason, "停止要求签名的理由（--reason）", "The reason for no longer requiring signatures (--reason)", KEY_RULE)
        if "administrator" not in getattr(self, "roles", {}):
            raise RuleViolation(KEY_RULE, f"只有管理员可以设定签名要求；{self.name} 不具有“管理员”角色（people grant --role administrator）。",
                                f"Only an administrator sets the signing requirement; {self.name} does not hold the administrator role "
                                "(people grant --role administrator).")
        self.trigger_event(self.SigningPolicySet, required_from=required_from, acts=list(acts), actor=actor, occurred_on=occurred_on,  # type: ignore[attr-defined]
                           reason=(reason or "").strip())

    class SigningPolicySet(AreaEvent):
        required_from: date | None
        acts: list[str]
        actor: str
        occurred_on: date
        reason: str = ""  # why signing was switched off (events recorded before trial 12 have none)

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            policy = {"required_from": self.required_from, "acts": list(self.acts), "set_on": self.occurred_on, "set_by": self.actor,
                      "recorded_at": self.timestamp.isoformat(), "reason": getattr(self, "reason", "") or ""}
            aggregate.__dict__["_signing_policy"] = policy
            aggregate.__dict__.setdefault("_signing_history", []).append(dict(policy))
