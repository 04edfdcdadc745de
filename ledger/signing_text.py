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
    return {v: sigs[0] for v, sigs in all_signatures(rows).items()}


def all_signatures(rows: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    """Every signature over each signed event (a panel's act has one per member: the first given
    with the act, the others co-signed), in the order recorded."""
    out: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        if r["type"] == "ActSigned":
            for v in r["fields"].get("act_versions") or []:
                out.setdefault(v, []).append({**r["fields"], "version": r.get("version"), "occurred_on": r.get("occurred_on"),
                                              "check": r.get("signature")})  # verified or not (ledger/signing_shown.py)
    return out


def signature_words(sig: dict[str, Any] | None, lang: str = "zh") -> str:
    """One line: who signed, as what, with which key, and what the signature means; or unsigned."""
    if sig is None:
        return "unsigned (no personal signature)" if lang == "en" else "未签名（无个人签名）"
    check = sig.get("check")
    if check is not None and not check.get("valid"):  # never shown as the signer's word: it does not verify (trial 6, item 6)
        if lang == "en":
            return (f"signature cannot be verified: {check['en']} (run certledger verify); it names "
                    f"{sig.get('signer_name')} as signer, key {sig.get('key_id')}")
        return f"签名无法验证：{check['zh']}（请运行 certledger verify）；所称签名人 {sig.get('signer_name')}，密钥 {sig.get('key_id')}"
    role = word(PERSON_ROLES, sig["role"], lang) if sig.get("role") in PERSON_ROLES else sig.get("role", "")
    if lang == "en":
        return f"signed by {sig['signer_name']} ({role}, key {sig['key_id']}, {sig['signed_at']}): {sig['meaning_en']}"
    return f"{sig['signer_name']}（{role}，密钥 {sig['key_id']}，{sig['signed_at']}）签名：{sig['meaning_zh']}"


def signature_marks(rows: list[dict[str, Any]], lang: str = "zh") -> dict[int, str]:
    """For each signable event of a history (by version), its signature line."""
    signed = all_signatures(rows)
    marks = {r["version"]: ("; " if lang == "en" else "；").join(signature_words(s, lang) for s in signed.get(r["version"]) or [None])
             for r in rows if r["type"] in SIGNABLE_EVENTS}
    for r in rows:  # the signature event itself, when it does not verify (ledger/signing_shown.py)
        if r["type"] == "ActSigned" and (r.get("signature") or {}).get("valid") is False:
            marks[r["version"]] = signature_words({**r["fields"], "check": r["signature"]}, lang)
    return marks


def decision_signature(rows: list[dict[str, Any]], decision_id: str) -> dict[str, Any]:
    """The signature over a certification decision (for ``explain``): ``signed`` and its words."""
    signed = signatures_by_version(rows)
    for r in rows:
        if r["type"] in ("CertificationDecided", "DecisionSuperseded") and r["fields"].get("decision_id") == decision_id:
            sig = signed.get(r.get("version"))
            keep = ("signer_name", "signer_id", "role", "key_id", "signed_at", "meaning_zh", "meaning_en")
            verified = sig is not None and (sig.get("check") or {}).get("valid", True)
            return {"signed": sig is not None, "verified": verified, **({k: sig[k] for k in keep} if sig else {}),
                    "zh": signature_words(sig, "zh"), "en": signature_words(sig, "en")}
    return {"signed": False, "verified": False, "zh": signature_words(None, "zh"), "en": signature_words(None, "en")}
