"""Checking every personal signature (issue 15, item 4): each ``ActSigned`` event's statement is
rebuilt from the stored events it names and checked with Ed25519 against the signer's key valid on
the act's business date (docs/audit-trail.md, "Signed acts"). Used by ``verify`` (from the
database, ``check_signatures``) and by ``verify-bundle`` (offline, ``check_bundle_signatures``:
from the bundle's events and its ``signers.json``).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Callable, Iterable

from aggregates.person_keys import key_fingerprint, key_valid_on
from ledger.signing import act_words, statement_bytes, stored_json

if TYPE_CHECKING:  # made only for a broken signature: the trail's modules load OpenSSL's hashlib (D68)
    from ledger.trail.findings import Finding

ACT_SIGNED = "aggregates.client:Client.ActSigned"


@dataclass
class SignatureReport:
    checked: int = 0
    findings: list[Finding] = field(default_factory=list)


def _date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, dict):  # the transcoder's {"_type_": "date_iso", "_data_": "YYYY-MM-DD"}
        value = value.get("_data_")
    return date.fromisoformat(str(value))


def ed25519(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Ed25519 by the library, every time (``verify``, ``verify-bundle``)."""
    from ledger.trail.note import Verifier

    return Verifier("person", public_key).verify(message, signature)


def check_one(signed: dict[str, Any], client_hex: str, acts: dict[int, tuple[str, Any]], keys: list[dict[str, Any]] | None,
              label: str, position: int | None, version: int | None,
              verifies: Callable[[bytes, bytes, bytes], bool] = ed25519) -> Finding | None:
    """One signature: ``signed`` the ActSigned event's state (JSON value), ``acts`` the client's
    events by version (type, stored state as JSON value), ``keys`` the signer's registered keys;
    ``verifies`` the last step, Ed25519 over the statement rebuilt here (the commands that show a
    verdict remember a yes: ledger/signing_verdicts.py, D66)."""
    command = signed.get("command", "?")
    act_versions = list(signed.get("act_versions") or [])
    on = _date(signed.get("occurred_on"))
    first = act_versions[0] if act_versions else None
    event_name = acts.get(first, ("?",))[0].rsplit(".", 1)[-1] if first in acts else None

    def broken(zh: str, en: str) -> Finding:
        from ledger.trail.findings import Finding

        return Finding("signature", f"{act_words(command)}（{label}，事件版本 {first}）的签名无效：{zh}",
                       f"The signature of '{command}' ({label}, event version {first}) is broken: {en}",
                       position=position, client=label, version=first, event=event_name)

    missing = [v for v in act_versions if v not in acts]
    if missing or not act_versions:
        return broken(f"所签的事件（版本 {missing or '—'}）不存在。", f"the events it signs (versions {missing or '—'}) are missing.")
    if keys is None:
        return broken(f"签名人 {signed.get('signer_name')} 不在人员名册中。", f"the signer {signed.get('signer_name')} is not in the register of people.")
    key = next((k for k in keys if k["key_id"] == signed.get("key_id")), None)
    if key is None:
        return broken(f"密钥 {signed.get('key_id')} 未登记在签名人名下。", f"the key {signed.get('key_id')} is not registered to the signer.")
    try:  # the key's id is its fingerprint: a public key changed in its KeyAdded event no longer matches (trial 6, item 5)
        intact = key_fingerprint(base64.b64decode(key.get("public_key") or "", validate=True)) == key["key_id"]
    except (ValueError, TypeError):
        intact = False
    if not intact:
        return broken(f"登记的密钥 {key['key_id']} 被改动：其 KeyAdded 事件中的公钥与密钥编号（公钥的指纹）不符，签名因此无法核对。",
                      f"the registered key {key['key_id']} was altered: the public key in its KeyAdded event does not match the "
                      "key's id (its fingerprint), so the signature cannot be checked.")
    norm = [{**k, "valid_from": _date(k["valid_from"]), "revoked_on": _date(k.get("revoked_on"))} for k in keys]
    valid, why = key_valid_on(norm, key["key_id"], on) if on is not None else (False, "no date")
    if not valid:
        from ledger.words import word

        # the reason in words, not its code (trial 12, wording)
        return broken(f"密钥 {key['key_id']} 在业务日期 {on} 无效：{word('key_invalid', why)}。",
                      f"the key {key['key_id']} was not valid on the business date {on}: {word('key_invalid', why, 'en')}.")
    message = statement_bytes(client=client_hex, command=command, meaning_zh=signed.get("meaning_zh", ""),
                              meaning_en=signed.get("meaning_en", ""), signer_id=signed.get("signer_id", ""),
                              signer_name=signed.get("signer_name", ""), role=signed.get("role", ""), key_id=key["key_id"],
                              signed_at=signed.get("signed_at", ""), events=[(v, acts[v][0], acts[v][1]) for v in act_versions])
    try:
        sig = base64.b64decode(signed.get("signature", ""), validate=True)
        ok = verifies(base64.b64decode(key["public_key"]), message, sig)
    except ValueError:
        ok = False
    if not ok:
        return broken(f"签名与所签事件的现存内容不符（签名人 {signed.get('signer_name')}，密钥 {key['key_id']}）：签名后事件被改动。",
                      f"the signature does not verify against the events as stored now (signer {signed.get('signer_name')}, "
                      f"key {key['key_id']}): they were altered after signing.")
    return None


def check_signatures(app: Any, progress: Callable[[int], None] | None = None) -> SignatureReport:
    """Every signature in the ledger, against the register's keys."""
    from uuid import UUID

    from ledger.trail.findings import Clients
    from ledger.store import trail_store

    report = SignatureReport()
    people = {str(p.id): list(p.keys) for p in app.people()}
    clients = Clients(trail_store(app))
    position = 0
    cache: dict[UUID, dict[int, tuple[str, Any]]] = {}
    while True:
        batch = app.recorder.select_notifications(position, 500, topics=[ACT_SIGNED], inclusive_of_start=False)
        if not batch:
            break
        for n in batch:
            position = n.id
            oid = n.originator_id if isinstance(n.originator_id, UUID) else UUID(str(n.originator_id))
            if oid not in cache:
                cache.clear()
                cache[oid] = {}
                for e in app.recorder.select_events(oid):
                    try:
                        cache[oid][e.originator_version] = (e.topic, stored_json(app.mapper, e.state))
                    except ValueError:
                        continue
            report.checked += 1
            try:
                signed = stored_json(app.mapper, n.state)
            except ValueError:
                signed = {}
            found = check_one(signed, oid.hex, cache[oid], people.get(signed.get("signer_id", "")), clients(oid.bytes), n.id,
                              n.originator_version)
            if found is not None:
                report.findings.append(found)
        if progress:
            progress(position)
    from ledger.signing_complete import check_complete

    report.findings += check_complete(app)  # an act the policy required signed without its signature(s)
    return report


def signers_file(app: Any, signer_ids: Iterable[str]) -> dict[str, Any]:
    """What an offline inspector needs to check the signatures of a bundle: each signer's public keys
    with their validity, as the register holds them (``signers.json``)."""
    wanted = set(signer_ids)
    out = []
    for p in app.people():
        if str(p.id) in wanted:
            out.append({"id": str(p.id), "name": p.name, "keys": [
                {"key_id": k["key_id"], "public_key": k["public_key"], "valid_from": k["valid_from"].isoformat(),
                 "revoked_on": k["revoked_on"].isoformat() if k["revoked_on"] else None} for k in p.keys]})
    return {"format": "certledger-signers/v1", "signers": out}


def check_bundle_signatures(events: list[dict[str, Any]], signers: dict[str, Any] | None, label: str) -> SignatureReport:
    """The signatures among a bundle's events (each line of events.jsonl, parsed), against its
    ``signers.json``."""
    report = SignatureReport()
    people = {s["id"]: s["keys"] for s in (signers or {}).get("signers", [])}
    by_client: dict[str, dict[int, tuple[str, Any]]] = {}
    for e in events:
        if "state" not in e:
            continue
        try:
            by_client.setdefault(e["client"], {})[e["version"]] = (e["type"], json.loads(e["state"]))
        except ValueError:
            continue
    for e in events:
        if e.get("type") != ACT_SIGNED or e["client"] not in by_client:
            continue
        report.checked += 1
        signed = by_client[e["client"]].get(e["version"], ("", {}))[1]
        first = by_client[e["client"]].get(1, ("", {}))[1]
        name = first.get("uscc") if isinstance(first, dict) else None
        found = check_one(signed, e["client"], by_client[e["client"]], people.get(signed.get("signer_id", "")), name or label,
                          e.get("position"), e["version"])
        if found is not None:
            report.findings.append(found)
    return report
