"""Who acted, provably (issue 15, item 4): personal keys, the body's signing policy, and the signature
over the canonical statement of an act with legal meaning (docs/audit-trail.md, "Signed acts";
docs/people.md, "Keys and signatures"; decision in docs/decisions.md).

The signed acts, who signs them and what a signature means are data (``ledger.commands_signing``).
``signed`` wraps an act's step (ledger/acts.py): every check runs before the act's own step, so a
refusal writes nothing; then the act's events are triggered, the statement over them is built and
signed with the signer's private key (a file they keep: ``--sign-key`` / ``CERTLEDGER_SIGN_KEY``),
and ``ActSigned`` (aggregates/signatures.py) is triggered in the same save.

The statement (``statement_bytes``) is canonical JSON (the bundle's form: keys sorted, no spaces,
UTF-8, a final newline) of the signer, the role, the time, the meaning and the act's events as
stored. ``verify`` and ``verify-bundle`` rebuild it from the stored events (ledger/signing_verify.py).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from datetime import date
from pathlib import Path
from typing import Any, Callable

from aggregates.errors import RuleViolation, shell_arg
from aggregates.person_keys import KEY_RULE, key_fingerprint, key_valid_on
from aggregates.vocabulary import PERSON_ROLES, word
from ledger import clock
from ledger.commands_signing import SIGNED_ACTS

ENV_SIGN_KEY = "CERTLEDGER_SIGN_KEY"
FORMAT = "certledger-signed-act/v1"
ALGORITHM = "Ed25519"
RULE = f"{KEY_RULE}; 21 CFR 11.50, 11.70"


def canonical(obj: Any) -> bytes:
    """The bundle's canonical JSON line (ledger/bundle/layout.py): sorted keys, no insignificant
    whitespace, UTF-8 (no \\u escapes but those JSON requires), newline-terminated."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8") + b"\n"


def statement_bytes(*, client: str, command: str, meaning_zh: str, meaning_en: str, signer_id: str, signer_name: str, role: str,
                    key_id: str, signed_at: str, events: list[tuple[int, str, Any]]) -> bytes:
    """The exact bytes signed. ``client``: the client's id as 32 hex digits; ``events``: the act's
    events as (version, type, stored state as JSON value)."""
    return canonical({
        "format": FORMAT, "algorithm": ALGORITHM, "client": client, "command": command,
        "meaning": {"zh": meaning_zh, "en": meaning_en}, "signer": {"id": signer_id, "name": signer_name},
        "role": role, "key": key_id, "time": signed_at,
        "act": [{"version": v, "type": t, "state": s} for v, t, s in events],
    })


def stored_json(mapper: Any, state: bytes) -> Any:
    """A stored state as its JSON value (deciphered and decompressed if the ledger does either)."""
    if getattr(mapper, "cipher", None) is not None:
        state = mapper.cipher.decrypt(state)
    if getattr(mapper, "compressor", None) is not None:
        state = mapper.compressor.decompress(state)
    return json.loads(state)


# ------------------------------------------------------------------------------------ keys


def read_public_key(value: str) -> bytes:
    """A public key as ``people key add --public-key`` takes it: a file holding the line
    ``people key init`` wrote (name+keyhash+base64(0x01||key)), that line itself, or the raw 32-byte
    key in base64."""
    text = (value or "").strip()
    path = Path(text).expanduser()
    if text and len(text) < 4096 and path.is_file():
        try:
            text = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            raise RuleViolation(KEY_RULE, f"无法读取公钥文件 {path}。", f"Cannot read the public key file {path}.") from None
    parts = text.split("+", 2)
    if len(parts) == 3 and len(parts[1]) == 8:  # the note format's verifier key: name+keyhash+base64(0x01||key)
        from ledger.trail.note import parse_verifier

        try:
            return parse_verifier(text).public_key
        except RuleViolation:
            pass
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) == 33 and key[0] == 0x01:
        key = key[1:]
    if len(key) != 32:
        raise RuleViolation(KEY_RULE, "公钥格式不正确：请给出 certledger people key init 写出的 .pub 文件或其内容，或 32 字节 Ed25519 公钥的 base64。",
                            "The public key is malformed: give the .pub file certledger people key init wrote, its text, or the "
                            "32-byte Ed25519 public key in base64.")
    return key


def load_sign_key(path: str) -> Any:
    """The signer's private key (the note format's ``PRIVATE+KEY+…`` file, mode 0600)."""
    from ledger.trail.keys import load_signer

    if not Path(path).expanduser().exists():  # the personal key's own advice, not the checkpoint key's (trial item 10)
        raise RuleViolation(RULE, f"找不到签名私钥 {path}：请用 --sign-key（或环境变量 {ENV_SIGN_KEY}）指定本人的私钥文件；"
                                  "尚无私钥的，请先生成（certledger people key init --out 文件）并由管理员登记公钥（certledger people key add）。",
                            f"No signing key at {path}: name your own private key file with --sign-key (or {ENV_SIGN_KEY}); "
                            "without one, make it first (certledger people key init --out FILE) and have an administrator "
                            "register its public key (certledger people key add).")
    try:
        return load_signer(path)
    except RuleViolation as e:
        raise RuleViolation(RULE, f"签名私钥（--sign-key）：{e.message_zh}", f"Signing key (--sign-key): {e.message_en}") from None


def init_personal_key(out: str, name: str) -> Any:
    """A fresh keypair written locally (``people key init``): ``out`` (0600) and ``out.pub``."""
    from ledger.trail.keys import init_key, public_key_path

    target = Path(out).expanduser()
    for existing in (target, public_key_path(target)):
        if existing.exists():  # the personal key's own words, not the checkpoint key's (trial item 10)
            raise RuleViolation(KEY_RULE, f"文件 {existing} 已存在，不会覆盖：它可能是某人已登记的签名私钥或公钥，覆盖后该密钥将无法再使用。"
                                          "请用 --out 指定另一个路径；如要更换密钥，生成新密钥后由管理员登记（people key add），旧密钥随之失效。",
                                f"{existing} already exists and is not overwritten: it may be someone's registered signing key, "
                                "which would be lost. Name another path with --out; to change keys, make a new one and have an "
                                "administrator register it (people key add), which supersedes the old one.")
    return init_key(out, name)


def holder_of(ledger: Any, key_id: str) -> tuple[Any, dict[str, Any]] | None:
    for person in ledger.people():
        for k in person.keys:
            if k["key_id"] == key_id:
                return person, k
    return None


# ------------------------------------------------------------------------------------ policy


def current_policy(ledger: Any) -> dict[str, Any] | None:
    """The body's signing policy: the latest one recorded on anyone of the register."""
    found = [p.signing_policy for p in ledger.people() if p.signing_policy]
    return max(found, key=lambda x: x["recorded_at"]) if found else None


def required(ledger: Any, command: str, on: date) -> date | None:
    """The policy's first day when the act must be signed (ledger/signing_rule.py, the one rule: its
    business date ``on`` or today, the day it is recorded, on or after it), else None."""
    if not ledger.has_people():
        return None
    from ledger.signing_rule import signature_required

    return signature_required(current_policy(ledger), command, on, clock.today())


def meaning(command: str, result: Any, fields: dict[str, Any]) -> tuple[str, str]:
    spec = SIGNED_ACTS[command]
    no = spec.get("refused")
    if no and ((isinstance(result, dict) and result.get("granted") is False) or fields.get("refuse")):
        return no
    return spec["meaning"]


# ------------------------------------------------------------------------------------ the checks and the signature


def _expected(spec: dict[str, Any], actor: str, fields: dict[str, Any]) -> list[str]:
    if spec["signer"] == "actor":
        return [actor]
    named = fields.get(spec["signer"])
    return [n for n in (named if isinstance(named, list) else [named]) if n]


def check_signer(ledger: Any, command: str, actor: str, on: date, fields: dict[str, Any], signer: Any) -> tuple[Any, dict[str, Any], str]:
    """Before the act: the key is registered to a person who is the act's signer, holds the role
    the act needs, has not left, and the key is valid (not superseded, not revoked) on the act's
    day. Returns the person, the key record and the role stated."""
    spec = SIGNED_ACTS[command]
    verifier = signer.verifier
    kid = key_fingerprint(verifier.public_key)
    found = holder_of(ledger, kid)
    if found is None:
        raise RuleViolation(RULE, f"签名私钥 {kid} 未在人员名册中登记，签名无法归属于签名人；请先登记其公钥：people key add --person 姓名 --public-key 公钥文件，或使用已登记的密钥。",
                            f"Signing key {kid} is not registered to anyone, so the signature cannot be attributed to its signer; "
                            "register its public key first: people key add --person NAME --public-key FILE, or use a registered key.")
    person, key = found
    if base64.b64decode(key["public_key"]) != verifier.public_key:
        raise RuleViolation(RULE, f"签名密钥 {kid} 与登记的公钥不符，签名无法验证；请使用登记的密钥。",
                            f"Signing key {kid} does not match the registered public key, so the signature would not verify; use the registered key.")
    expected = _expected(spec, actor, fields)
    names = {ledger.find_person(n).id for n in expected if _is_registered(ledger, n)}
    if person.id not in names:
        who = "、".join(expected) or "—"
        which = "操作人（--actor）" if spec["signer"] == "actor" else "决定人员（--decider）"
        which_en = "the actor (--actor)" if spec["signer"] == "actor" else "the decider (--decider)"
        raise RuleViolation(RULE, f"签名密钥属于 {person.name}，而{act_words(command)}应由{which} {who} 本人签名；请使用 {who} 的签名密钥。",
                            f"The signing key belongs to {person.name}, but the {act_words(command, 'en')} must be signed by {which_en} {who} in person; "
                            f"use {who}'s signing key.")
    if not _is_registered(ledger, actor) or ledger.find_person(actor).id != person.id:
        raise _not_in_person(command, actor, person.name, spec)
    if person.has_left(on) or person.has_left(clock.today()):  # a signature is made today, whatever the act's date
        raise RuleViolation(RULE, f"签名人 {person.name} 已于 {person.left_on} 离开本机构，不能签名。",
                            f"Signer {person.name} left the body on {person.left_on} and cannot sign.")
    role = next((r for r in spec["roles"] if r in person.roles), None)
    if role is None:
        zh = "或".join(f"“{word(PERSON_ROLES, r)}”" for r in spec["roles"])
        en = " or ".join(word(PERSON_ROLES, r, "en") for r in spec["roles"])
        raise RuleViolation(RULE, f"签名人 {person.name} 不具有{zh}角色，不能签署{act_words(command)}；如其具备资格，请先授予：people grant --person {shell_arg(person.name)} --role {spec['roles'][0]}。",
                            f"Signer {person.name} does not hold the role {en} and cannot sign the {act_words(command, 'en')}; if qualified, grant it first: "
                            f"people grant --person {shell_arg(person.name)} --role {spec['roles'][0]}.")
    if key["revoked_on"] is not None:
        raise RuleViolation(RULE, f"签名密钥 {kid} 已于 {key['revoked_on']} 吊销（{key['revocation_reason']}），不能再签名；请生成新密钥（people key init）并登记（people key add）。",
                            f"Signing key {kid} was revoked from {key['revoked_on']} ({key['revocation_reason']}) and signs nothing more; "
                            "make a new key (people key init) and register it (people key add).")
    valid, why = key_valid_on(person.keys, kid, on)
    if not valid:
        zh = {"not-yet": f"自 {key['valid_from']} 起才生效", "superseded": "已被之后登记的新密钥取代"}.get(why, why)
        en = {"not-yet": f"is valid only from {key['valid_from']}", "superseded": "was superseded by a key registered after it"}.get(why, why)
        raise RuleViolation(RULE, f"签名密钥 {kid} 在业务日期 {on} 无效：{zh}；请使用当日有效的密钥。",
                            f"Signing key {kid} is not valid on the business date {on}: it {en}; use the key valid that day.")
    return person, key, role


def _not_in_person(command: str, actor: str, signer: str, spec: dict[str, Any]) -> RuleViolation:
    """The signer records the act they sign (or co-sign): a private key under the signer's sole
    control is never handed to the person who records (电子签名法 §13 (2); 21 CFR 11.200(a); trial 6,
    item 8; decision D46)."""
    panel_zh = "；合议的其他成员随后各自以本人身份会签（certledger sign --actor 本人）" if spec.get("panel") else ""
    panel_en = "; the panel's other members then each co-sign as themselves (certledger sign --actor SELF)" if spec.get("panel") else ""
    return RuleViolation(
        RULE,
        f"{actor} 不能记录由 {signer} 签名的{act_words(command)}：签名私钥只由签名人本人控制（电子签名法 §13 (2)），"
        f"带签名的行为由签名人本人记录。请由 {signer} 本人记录并签名（--actor {shell_arg(signer)} --sign-key 其本人的私钥）{panel_zh}。未写入。",
        f"{actor} cannot record the {act_words(command, 'en')} signed by {signer}: a signing key stays under its signer's sole "
        f"control (电子签名法 §13 (2); 21 CFR 11.200(a)), so a signed act is recorded by its signer. Have {signer} record and sign it "
        f"(--actor {shell_arg(signer)} --sign-key THEIR_KEY){panel_en}. Nothing was written.")


def _is_registered(ledger: Any, name: str) -> bool:
    try:
        ledger.find_person(name)
        return True
    except RuleViolation:
        return False


def signed(ledger: Any, step: Callable[[Any], Any], command: str, act: Any, sign_key: str | None, fields: dict[str, Any]) -> Callable[[Any], Any]:
    """The act's step, signed: checked before it runs, its events signed and ``ActSigned`` triggered
    after them in the same save. Unsigned when no key is given and the body does not require it."""
    path = (sign_key or os.environ.get(ENV_SIGN_KEY) or "").strip()
    if not path:
        since = required(ledger, command, act.on)
        if since:
            # backdated: the requirement covers what is recorded from its first day, whatever the --on (trial 6, item 3)
            late_zh = f"此行为的业务日期 {act.on} 虽早于该日，但记录于要求生效之后，同样须签名；" if act.on < since else ""
            late_en = (f" The act's business date {act.on} is before that day, but it is recorded after the requirement took "
                       "effect, so it must be signed all the same." if act.on < since else "")
            return refused_after_checks(step, RuleViolation(
                RULE, f"本机构自 {since} 起要求{act_words(command)}由签名人以个人密钥签名（电子签名法 §13）；{late_zh}"
                      f"未写入。请用 --sign-key 私钥文件（或环境变量 {ENV_SIGN_KEY}）签名。",
                f"The body requires the {act_words(command, 'en')} to be signed with the signer's personal key from "
                f"{since} on (电子签名法 §13; 21 CFR 11.50).{late_en} Nothing was written. "
                f"Sign it with --sign-key KEYFILE (or {ENV_SIGN_KEY})."))
        return step
    try:
        signer = load_sign_key(path)
        person, key, role = check_signer(ledger, command, act.actor, act.on, fields, signer)
    except RuleViolation as refusal:
        return refused_after_checks(step, refusal)
    spec = SIGNED_ACTS[command]

    def run(c: Any) -> Any:
        if spec.get("leader"):
            audit = c.audits.get(fields.get("audit") or "")
            leader = (audit or {}).get("leader") or ((audit or {}).get("team") or [""])[0]
            if audit is not None and ledger.find_person(leader).id != person.id:  # said after the act's own checks (D44)
                return refused_after_checks(step, RuleViolation(RULE, f"审核 {audit['id'] if 'id' in audit else fields.get('audit')} 的审核组长是 {leader}，应由其本人签名提交；{person.name} 不能签署。",
                                    f"The team leader of audit {fields.get('audit')} is {leader}, who submits it with their own signature; "
                                    f"{person.name} cannot sign it."))(c)
        since = len(c._pending_events)
        result = step(c)
        events = list(c._pending_events[since:])
        if not events:
            return result
        mapper = ledger.mapper
        content = [(e.originator_version, mapper.to_stored_event(e).topic, stored_json(mapper, mapper.to_stored_event(e).state))
                   for e in events]
        signed_at = content[0][2]["timestamp"]["_data_"]
        zh, en = meaning(command, result, fields)
        message = statement_bytes(client=c.id.hex, command=command, meaning_zh=zh, meaning_en=en, signer_id=str(person.id),
                                  signer_name=person.name, role=role, key_id=key["key_id"], signed_at=signed_at, events=content)
        signature = base64.b64encode(signer.sign(message)).decode("ascii")
        c.sign_act(act_versions=[v for v, _, _ in content], command=command, meaning_zh=zh, meaning_en=en, signer_id=str(person.id),
                   signer_name=person.name, role=role, key_id=key["key_id"], signed_at=signed_at, signature=signature,
                   **act.recorded)
        return result

    return run


def act_words(command: str, lang: str = "zh") -> str:
    """A signed act as a refusal names it: its words and its command (认证决定（decide）; certification decision ('decide'))."""
    from ledger.words import word

    return f"{word('signed_act', command, 'en')} ('{command}')" if lang == "en" else f"{word('signed_act', command)}（{command}）"


def refused_after_checks(step: Callable[[Any], Any], refusal: RuleViolation) -> Callable[[Any], Any]:
    """A signature refused (absent though required, or a key that cannot sign the act), said only
    after the act's own checks: who may act (a declared conflict, an involvement, a body-level
    conflict) and the client's state come first, as the more fundamental refusal (trial item 11).
    The step runs on a copy of the loaded client that is never saved; its events go nowhere."""

    def run(c: Any) -> Any:
        import copy

        step(copy.deepcopy(c))
        raise refusal

    return run
