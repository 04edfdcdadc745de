"""Who signed, in words (issue 15, item 4), for ``history``, ``explain`` and the bundle's report:
each act that can carry a signature is shown with its signer, role, key and meaning, or as
"unsigned" (every act recorded before signing existed, or while the body did not require it).
Pure: history rows in, words out."""

from __future__ import annotations

from typing import Any

from aggregates.vocabulary import PERSON_ROLES, word

# The events of the acts that can be signed (ledger/commands_signing.py SIGNED_ACTS).
SIGNABLE_EVENTS = frozenset({"CertificationDecided", "DecisionSuperseded", "CertificateIssued", "CertificateSuspended",
                             "CertificateRestored", "CertificateWithdrawn", "AppealDecided", "ComplaintAdmitted",
                             "ComplaintResolved", "AuditCompleted"})


def signatures_by_version(rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """The signature over each signed event, from the ``ActSigned`` rows of a history."""
    out: dict[int, dict[str, Any]] = {}
    for r in rows:
        if r["type"] == "ActSigned":
            for v in r["fields"].get("act_versions") or []:
                out[v] = {**r["fields"], "version": r.get("version"), "occurred_on": r.get("occurred_on")}
    return out


def signature_words(sig: dict[str, Any] | None, lang: str = "zh") -> str:
    """One line: who signed, as what, with which key, and what the signature means; or unsigned."""
    if sig is None:
        return "unsigned (no personal signature)" if lang == "en" else "未签名（无个人签名）"
    role = word(PERSON_ROLES, sig["role"], lang) if sig.get("role") in PERSON_ROLES else sig.get("role", "")
    if lang == "en":
        return f"signed by {sig['signer_name']} ({role}, key {sig['key_id']}, {sig['signed_at']}): {sig['meaning_en']}"
    return f"{sig['signer_name']}（{role}，密钥 {sig['key_id']}，{sig['signed_at']}）签名：{sig['meaning_zh']}"


def signature_marks(rows: list[dict[str, Any]], lang: str = "zh") -> dict[int, str]:
    """For each signable event of a history (by version), its signature line."""
    signed = signatures_by_version(rows)
    return {r["version"]: signature_words(signed.get(r["version"]), lang) for r in rows if r["type"] in SIGNABLE_EVENTS}


def decision_signature(rows: list[dict[str, Any]], decision_id: str) -> dict[str, Any]:
    """The signature over a certification decision (for ``explain``): ``signed`` and its words."""
    signed = signatures_by_version(rows)
    for r in rows:
        if r["type"] in ("CertificationDecided", "DecisionSuperseded") and r["fields"].get("decision_id") == decision_id:
            sig = signed.get(r.get("version"))
            keep = ("signer_name", "signer_id", "role", "key_id", "signed_at", "meaning_zh", "meaning_en")
            return {"signed": sig is not None, **({k: sig[k] for k in keep} if sig else {}),
                    "zh": signature_words(sig, "zh"), "en": signature_words(sig, "en")}
    return {"signed": False, "zh": signature_words(None, "zh"), "en": signature_words(None, "en")}
