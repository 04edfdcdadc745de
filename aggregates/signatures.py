"""Personal signatures on acts with legal meaning (issue 15, item 4; docs/audit-trail.md, "Signed
acts"; decision D-number in docs/decisions.md "Signed acts").

An area of ``Client``: events as classes with ``apply``, stored as ``aggregates.client:Client.<Event>``
(docs/architecture.md, "A new event of an area"). ``ActSigned`` is triggered right after the act's
own events, in the same save, and names them by their versions (``act_versions``). It carries the
signed statement's fields other than the act's content (which is the named events' stored states)
and the Ed25519 signature. Nothing here checks a signature: the application builds, checks and
signs the statement (ledger/signing.py) before the event is triggered; ``verify`` checks it again
from the stored events (ledger/signing_verify.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from aggregates.area_events import AreaEvent


class SignaturesArea:
    """Commands and events of this area (mixed into ``Client``)."""

    version: int

    def sign_act(self, *, act_versions: list[int], command: str, meaning_zh: str, meaning_en: str, signer_id: str,
                 signer_name: str, role: str, key_id: str, signed_at: str, signature: str, actor: str, occurred_on: date) -> None:
        """Record the signature over the act just taken (its events ``act_versions``, already
        triggered in this save). Checked and signed already by the application."""
        self.trigger_event(self.ActSigned, act_versions=list(act_versions), command=command, meaning_zh=meaning_zh,
                           meaning_en=meaning_en, signer_id=signer_id, signer_name=signer_name, role=role, key_id=key_id,
                           signed_at=signed_at, signature=signature, actor=actor, occurred_on=occurred_on)

    class ActSigned(AreaEvent):
        """A signer's Ed25519 signature over the canonical statement of the act recorded as events
        ``act_versions`` (docs/audit-trail.md, "Signed acts")."""

        act_versions: list[int]
        command: str
        meaning_zh: str
        meaning_en: str
        signer_id: str
        signer_name: str
        role: str
        key_id: str
        signed_at: str
        signature: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            table = aggregate.__dict__.setdefault("signatures", {})
            record = {"act_versions": list(self.act_versions), "command": self.command, "meaning_zh": self.meaning_zh,
                      "meaning_en": self.meaning_en, "signer_id": self.signer_id, "signer_name": self.signer_name,
                      "role": self.role, "key_id": self.key_id, "signed_at": self.signed_at, "version": self.originator_version}
            for v in self.act_versions:
                table[str(v)] = record

    def signature_of(self, version: int) -> dict[str, Any] | None:
        """The signature recorded over the event ``version``, if any."""
        return getattr(self, "signatures", {}).get(str(version))
