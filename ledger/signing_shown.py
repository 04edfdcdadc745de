"""A signature shown is a signature checked (issue 15, item 4; trial 6, item 6; decision D46):
``history``, ``explain``, the certificate's words and the bundle's report show who signed an act only
after checking the signature the way ``verify`` does (ledger/signing_verify.py ``check_one``: Ed25519
over the statement rebuilt from the events as stored now, with the signer's key valid on the act's
day). A signature that does not verify is shown as such ("签名无法验证…（请运行 certledger verify）"),
never as the signer's word on an act that was altered after signing.

``mark_signatures`` is called by ``CertLedger.history`` on its rows: each ``ActSigned`` row gets
``signature``: ``{"valid": True}`` or ``{"valid": False, "zh": why, "en": why}``, which
ledger/signing_text.py words. Cheap: one more read of the client's stored events and the register's
keys, and only for a client whose history holds a signature; Ed25519's yes for the same key,
signature and statement is remembered between commands (ledger/signing_verdicts.py, D66), so a
signature shown again does not import ``cryptography``.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ledger.signing_verify import ACT_SIGNED, check_one


def _why(zh: str, en: str) -> tuple[str, str]:
    """The reason of a broken signature, as ``verify`` words it (the part after its naming of the act)."""
    if "签名后事件被改动" in zh:  # the usual case, said shortly: the signed events no longer say what was signed
        return "签名后事件被改动", "the events were altered after signing"
    if "的签名无效：" in zh:
        zh = zh.split("的签名无效：", 1)[1]
    if " is broken: " in en:
        en = en.split(" is broken: ", 1)[1]
    return zh.rstrip("。"), en.rstrip(".")


def mark_signatures(app: Any, client_id: UUID, rows: list[dict[str, Any]], label: str) -> None:
    """Check each ``ActSigned`` of one client's history rows and mark the row with the verdict."""
    signed_rows = [r for r in rows if r["type"] == "ActSigned"]
    if not signed_rows:
        return
    from ledger.signing import stored_json
    from ledger.signing_verdicts import verified  # a yes of Ed25519 remembered (D66): the statement is rebuilt every time

    stored: dict[int, tuple[str, Any]] = {}
    for e in app.recorder.select_events(client_id):
        try:
            stored[e.originator_version] = (e.topic, stored_json(app.mapper, e.state))
        except ValueError:
            continue  # an undecodable state: the signature over it cannot verify, and verify names it
    try:
        keys = {str(p.id): list(p.keys) for p in app.people()}
    except Exception:  # noqa: BLE001 - a register that no longer replays: no signature can be checked (verify says why)
        keys = None
    for r in signed_rows:
        topic, state = stored.get(r["version"], ("", None))
        if keys is None or topic != ACT_SIGNED or not isinstance(state, dict):
            r["signature"] = {"valid": False, "zh": "签名或人员名册无法读取", "en": "the signature or the register of people cannot be read"}
            continue
        found = check_one(state, client_id.hex, stored, keys.get(str(state.get("signer_id", ""))), label, None, r["version"],
                          verifies=verified)
        if found is None:
            r["signature"] = {"valid": True}
        else:
            zh, en = _why(found.message_zh, found.message_en)
            r["signature"] = {"valid": False, "zh": zh, "en": en}
