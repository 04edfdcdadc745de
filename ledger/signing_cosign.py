"""Co-signing a panel's act (issue 15, item 4; docs/people.md, "Keys and signatures"): ``certledger
sign --client USCC --act VERSION --sign-key KEY``.

An act decided by several people (``appeal decide``, ``complaint admit``: 004 §14.1.3 (4) "参与做出决定的
所有成员", §14.2.3.4) is signed by each member named in it, each with their own key on their own
machine: the first signs with the act (``--sign-key`` on the act), the others afterwards with this
command. A co-signature is an ``ActSigned`` over the same events (``act_versions``) and the same
meaning as the first signature, by another member, with their role and key valid on the day they
sign, and ``signed_at`` the moment they sign. The act is complete when every member named has
signed (ledger/signing_complete.py; ``verify`` reports it until then once signing is required).

Every check runs before the event (nothing written on a refusal): the act is signed already by a
member, it is a panel's act, the key is registered to a member named who holds the role and has not
signed it yet, and the day is not before the act's.
"""

from __future__ import annotations

import base64
import os
from datetime import UTC, date, datetime
from typing import Any

from aggregates.errors import RuleViolation
from ledger.commands_signing import SIGNED_ACTS
from ledger.signing import (
    ENV_SIGN_KEY,
    RULE,
    act_words,
    check_signer,
    load_sign_key,
    statement_bytes,
    stored_json,
)
from ledger.signing_complete import ACT_SIGNED, SIGNED_EVENTS, _date


def _refuse(zh: str, en: str) -> RuleViolation:
    return RuleViolation(RULE, zh, en)


def cosign_step(ledger: Any, version: int, sign_key: str | None, actor: str, on: date) -> Any:
    """The client's step that adds a panel member's signature to the act at ``version``."""
    path = (sign_key or os.environ.get(ENV_SIGN_KEY) or "").strip()
    if not path:
        raise _refuse(f"会签须用会签人本人的私钥：请用 --sign-key 私钥文件（或环境变量 {ENV_SIGN_KEY}）。",
                      f"A co-signature is made with the co-signer's own key: give --sign-key KEYFILE (or {ENV_SIGN_KEY}).")
    signer = load_sign_key(path)

    def step(c: Any) -> dict[str, Any]:
        stored = {}
        for e in ledger.recorder.select_events(c.id):
            try:
                stored[e.originator_version] = (e.topic, stored_json(ledger.mapper, e.state))
            except ValueError:
                continue
        for e in getattr(c, "_pending_events", []):  # an import's session saves in batches: the act may not be saved yet
            st = ledger.mapper.to_stored_event(e)
            stored[e.originator_version] = (st.topic, stored_json(ledger.mapper, st.state))
        sigs = [s for t, s in stored.values() if t == ACT_SIGNED and version in (s.get("act_versions") or [])]
        topic = stored.get(version, ("", None))[0]
        if not sigs:
            if topic in SIGNED_EVENTS:
                raise _refuse(f"{c.uscc} 第 {version} 版的“{SIGNED_EVENTS[topic]}”没有签名：会签加入已签名的行为；首位签名人应在记录该行为时签名（--sign-key）。",
                              f"The act '{SIGNED_EVENTS[topic]}' at version {version} of {c.uscc} carries no signature: a co-signature joins "
                              "a signed act; the first signer signs when the act is recorded (--sign-key).")
            raise _refuse(f"{c.uscc} 第 {version} 版不是可签名的行为：请给出该行为事件的版本（certledger history 可见）。",
                          f"Version {version} of {c.uscc} is not an act that is signed: give the version of the act's event "
                          "(certledger history shows it).")
        first = sigs[0]
        command = first.get("command", "")
        panel = SIGNED_ACTS.get(command, {}).get("panel")
        if not panel:
            raise _refuse(f"{act_words(command)}由一人签名（{first.get('signer_name')} 已签），不需要会签。",
                          f"'{command}' is signed by one person ({first.get('signer_name')} has signed it) and takes no co-signature.")
        versions = list(first.get("act_versions") or [])
        if any(v not in stored for v in versions):
            raise _refuse(f"{c.uscc} 第 {version} 版所签的事件不全，无法会签：请运行 certledger verify。",
                          f"The events signed at version {version} of {c.uscc} are not all there, so nothing can be co-signed: run "
                          "certledger verify.")
        named = next((s.get(panel) or [] for v in versions for t, s in [stored[v]] if t in SIGNED_EVENTS), [])
        act_on = _date(first.get("occurred_on"))
        if act_on is not None and on < act_on:
            raise _refuse(f"会签日期 {on} 早于该行为的业务日期 {act_on}。", f"The co-signature's date {on} is before the act's business date {act_on}.")
        person, key, role = check_signer(ledger, command, actor, on, {SIGNED_ACTS[command]["signer"]: named}, signer)
        if str(person.id) in {s.get("signer_id") for s in sigs}:
            raise _refuse(f"{person.name} 已签署该行为（第 {version} 版），无需再签。", f"{person.name} has signed this act (version {version}) already.")
        signed_at = datetime.now(UTC).isoformat()
        message = statement_bytes(client=c.id.hex, command=command, meaning_zh=first.get("meaning_zh", ""), meaning_en=first.get("meaning_en", ""),
                                  signer_id=str(person.id), signer_name=person.name, role=role, key_id=key["key_id"], signed_at=signed_at,
                                  events=[(v, stored[v][0], stored[v][1]) for v in versions])
        c.sign_act(act_versions=versions, command=command, meaning_zh=first.get("meaning_zh", ""), meaning_en=first.get("meaning_en", ""),
                   signer_id=str(person.id), signer_name=person.name, role=role, key_id=key["key_id"], signed_at=signed_at,
                   signature=base64.b64encode(signer.sign(message)).decode("ascii"), actor=actor, occurred_on=on)
        done = {s.get("signer_id") for s in sigs} | {str(person.id)}
        missing = [n for n in named if not _registered_id(ledger, n) in done]
        return {"act": command, "version": version, "signer": person.name, "key": key["key_id"], "missing": missing}

    return step


def _registered_id(ledger: Any, name: str) -> str | None:
    try:
        return str(ledger.find_person(name).id)
    except RuleViolation:
        return None
