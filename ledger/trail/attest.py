"""What third parties say of a signed checkpoint: a time-stamping authority's RFC 3161 token (when
the checkpoint existed) and witnesses' C2SP cosignatures (that someone outside the body saw it,
consistent with every checkpoint it saw before). Both cover the checkpoint's body, the bytes the
body's own signature covers. They are obtained after the checkpoint is stored (no network call
inside a database transaction) and kept, append-only, in the trail's attestations table; asking
again for a checkpoint that has them asks nothing (docs/audit-trail.md, "Time stamps and
witnesses").
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aggregates.errors import RuleViolation
from ledger.store import trail_store
from ledger.store.trail import StoredAttestation, StoredCheckpoint
from ledger.trail.merkle import TreeBuilder, consistency_ranges
from ledger.trail.note import EM_DASH, NoteError, Verifier, open_note

RULE = "001 §12 audit trail"
COSIGNATURE, TIMESTAMP = "cosignature", "timestamp"


@dataclass(frozen=True)
class Witness:
    """A witness the body asks to cosign: where it listens and its cosignature key."""

    url: str
    key: Any  # ledger.trail.cosignature.CosignatureVerifier


@dataclass
class Attested:
    checkpoint_id: int
    stamped_at: datetime | None = None  # the genTime of the checkpoint's time stamp, if it has one
    stamped_now: bool = False
    cosigned: list[tuple[str, datetime | None, bool]] = field(default_factory=list)  # (witness, time, new?)
    failures: list[RuleViolation] = field(default_factory=list)


def check_url(url: str, what_zh: str, what_en: str, option: str) -> None:
    """Refuse, before anything is signed, a service URL that is not http(s)://host..."""
    from ledger.config import is_service_url

    if not is_service_url(url):
        raise RuleViolation(RULE, f"{what_zh}地址“{url}”无效：应为 http:// 或 https:// 开头、带主机名的 URL；请改正 {option}。未签发检查点。",
                            f"The {what_en} URL '{url}' is invalid: expected an http:// or https:// URL with a host; correct "
                            f"{option}. No checkpoint was signed.")


def signature_key(line: str) -> tuple[str, bytes] | None:
    """(key name, key id) of a note signature line '— name base64', None if it is not one."""
    if not line.startswith(EM_DASH + " "):
        return None
    name, _, b64 = line[2:].rstrip("\n").partition(" ")
    try:
        raw = base64.b64decode(b64, validate=True)
    except (ValueError, binascii.Error):
        return None
    return (name, raw[:4]) if len(raw) > 4 else None


def cosignature_lines(attestations: list[StoredAttestation], checkpoint_id: int) -> list[str]:
    """The cosignature lines stored for a checkpoint, in the order they came."""
    out = []
    for a in attestations:
        if a.checkpoint_id == checkpoint_id and a.kind == COSIGNATURE:
            try:
                out.append(a.body.decode("utf-8").rstrip("\n"))
            except UnicodeDecodeError:
                continue
    return out


def cosigned_note(note: str, lines: list[str]) -> str:
    """The checkpoint note with the cosignature lines appended as further signature lines (C2SP
    signed-note: a verifier checks the signatures of the keys it knows and skips the others)."""
    return note + "".join(line + "\n" for line in lines if line + "\n" not in note)


def cosigned_by(note: str, witnesses: tuple[Any, ...]) -> list[str]:
    """The names of ``witnesses``, each of which must have cosigned ``note`` (a checkpoint kept
    outside the database, e.g. a witness's latest); a RuleViolation names one that did not."""
    from ledger.trail.cosignature import verify_cosignature

    for w in witnesses:
        verify_cosignature(note, w)
    return [w.name for w in witnesses]


def timestamp_token(attestations: list[StoredAttestation], checkpoint_id: int) -> bytes | None:
    for a in attestations:
        if a.checkpoint_id == checkpoint_id and a.kind == TIMESTAMP:
            return a.body
    return None


def _by(line: str, witness: Witness) -> bool:
    return signature_key(line) == (witness.key.name, witness.key.key_id)


def _proof_source(app: Any, size: int) -> Any:
    """proof_from(old): the RFC 6962 consistency proof from tree size ``old`` to ``size``, read
    from the stored leaf hashes."""
    def proof_from(old: int) -> list[bytes]:
        if not 0 <= old <= size:
            raise RuleViolation(RULE, f"见证方所知的树大小 {old} 大于本检查点的 {size}：账本可能被回滚过，请运行 certledger verify。",
                                f"The witness knows tree size {old}, larger than this checkpoint's {size}: the ledger may "
                                "have been rolled back; run certledger verify.")
        ranges = consistency_ranges(old, size)
        if not ranges:
            return []
        builder = TreeBuilder()
        builder.watch(ranges)
        with trail_store(app).snapshot() as snap, snap.leaf_hashes() as reader:
            for chunk in reader.rest():
                builder.extend(chunk[: size - builder.size])
                if builder.size >= size:
                    break
        if builder.size < size:
            raise RuleViolation(RULE, f"库内叶哈希不足 {size} 个，无法给出一致性证明：请运行 certledger verify。",
                                f"The stored leaf hashes number fewer than {size}: no consistency proof can be made. "
                                "Run certledger verify.")
        return [builder.subtree(a, b) for a, b in ranges]
    return proof_from


def attest_latest(app: Any, verifier: Verifier, *, tsa_url: str | None = None, tsa_chain: bytes | None = None,
                  witnesses: tuple[Witness, ...] = (), timeout: float = 10) -> Attested:
    """Obtain what the latest checkpoint lacks: a time stamp from ``tsa_url`` (checked against
    ``tsa_chain`` when given) and a cosignature from each of ``witnesses``; store each as it
    comes. A failure is collected (the others are still tried), never raised."""
    app.refuse_if_read_only()
    from ledger.trail.timestamp import request_token, token_time, verify_token

    store = trail_store(app)
    with store.snapshot() as snap:
        stored: list[StoredCheckpoint] = snap.checkpoints()
        attestations = snap.attestations()
    if not stored:
        raise RuleViolation(RULE, "账本中还没有检查点：请先运行 certledger checkpoint。",
                            "The ledger has no checkpoint yet: run certledger checkpoint first.")
    latest = stored[-1]
    try:
        body = open_note(latest.note, verifier)
    except NoteError as e:
        raise RuleViolation(RULE, f"最近的检查点 #{latest.id} 无法用本机构公钥验证：{e.message_zh}",
                            f"The latest checkpoint #{latest.id} does not verify with the body's public key: {e.message_en}") from None
    result = Attested(latest.id)
    now = _now_text()

    token = timestamp_token(attestations, latest.id)
    if token is not None:
        result.stamped_at = token_time(token)
    elif tsa_url:
        try:
            token = request_token(body.encode("utf-8"), tsa_url, timeout=timeout)
            result.stamped_at = verify_token(token, body.encode("utf-8"), tsa_chain) if tsa_chain else token_time(token)
            with store.writer() as w:
                w.add_attestation(latest.id, TIMESTAMP, token, now)
            result.stamped_now = True
        except RuleViolation as e:
            result.failures.append(e)

    mine = cosignature_lines(attestations, latest.id)
    sizes = {c.id: c.size for c in stored}
    for witness in witnesses:
        from ledger.trail.cosignature import verify_cosignature
        from ledger.trail.witness_client import request_cosignature

        done = [line for line in mine if _by(line, witness)]
        # The last checkpoint this witness cosigned for us: the witness expects a proof from it.
        old = max((sizes.get(a.checkpoint_id, 0) for a in attestations if a.kind == COSIGNATURE
                   and _by(a.body.decode("utf-8", "replace"), witness)), default=0)
        try:
            # Asked even when its cosignature is stored: a ledger restored from an older copy is
            # then told by the witness, which has seen more (it answers with its larger size).
            line = request_cosignature(witness.url, witness.key, latest.note, old, _proof_source(app, latest.size),
                                       timeout=timeout).rstrip("\n")
            when = verify_cosignature(cosigned_note(latest.note, [line]), witness.key)
            if done:
                result.cosigned.append((witness.key.name, _cosigned_at(latest.note, done[0], witness), False))
                continue
            with store.writer() as w:
                w.add_attestation(latest.id, COSIGNATURE, (line + "\n").encode("utf-8"), now)
            result.cosigned.append((witness.key.name, when, True))
        except RuleViolation as e:
            result.failures.append(e)
    return result


def _cosigned_at(note: str, line: str, witness: Witness) -> datetime | None:
    from ledger.trail.cosignature import verify_cosignature

    try:
        return verify_cosignature(cosigned_note(note, [line]), witness.key)
    except RuleViolation:
        return None


def _now_text() -> str:
    from eventsourcing.domain import datetime_now_with_tzinfo

    return datetime_now_with_tzinfo().isoformat()


def stored_note(app: Any, checkpoint_id: int | None, note: str) -> str:
    """A stored checkpoint's note with the cosignatures stored for it (for printing and publishing)."""
    if checkpoint_id is None:
        return note
    with trail_store(app).snapshot() as snap:
        return cosigned_note(note, cosignature_lines(snap.attestations(), checkpoint_id))


def check_stored(attestations: list[StoredAttestation], bodies: dict[int, str], witness_keys: tuple[Any, ...] = (),
                 tsa_chain: bytes | None = None) -> list[Any]:
    """Findings on the stored attestations: each must belong to a stored checkpoint whose signature
    verified (``bodies``: checkpoint id -> its body text); a time stamp token must state the SHA-256
    of that body; a cosignature line must be well-formed and, when its witness's key is among
    ``witness_keys``, verify; with ``tsa_chain`` (the TSA's PEM chain) each token's signature too.
    With witness keys, the latest checkpoint must carry each one's cosignature."""
    import hashlib

    from ledger.trail.cosignature import check_cosignature_line, parse_cosignature_line
    from ledger.trail.findings import Finding
    from ledger.trail.timestamp import token_imprint, verify_token

    out = []
    keys = {(k.name, k.key_id): k for k in witness_keys}
    for a in attestations:
        body = bodies.get(a.checkpoint_id)
        where_zh, where_en = f"库内第 {a.id} 条见证/时间戳记录（trail_attestations）", f"Stored attestation #{a.id} (trail_attestations)"
        if body is None:
            out.append(Finding("attestation", f"{where_zh}属于不存在或未通过验证的检查点 #{a.checkpoint_id}。",
                               f"{where_en} belongs to checkpoint #{a.checkpoint_id}, which is not stored or does not verify."))
        elif a.kind == TIMESTAMP:
            if token_imprint(a.body) != hashlib.sha256(body.encode("utf-8")).digest():
                out.append(Finding("attestation", f"{where_zh}：时间戳令牌所盖的不是检查点 #{a.checkpoint_id} 的正文（令牌被改动或替换）。",
                                   f"{where_en}: the time stamp token is not for the body of checkpoint #{a.checkpoint_id} (the "
                                   "token was altered or replaced)."))
            elif tsa_chain is not None:
                try:
                    verify_token(a.body, body.encode("utf-8"), tsa_chain)
                except RuleViolation as e:
                    out.append(Finding("attestation", f"{where_zh}：{e.message_zh}", f"{where_en}: {e.message_en}"))
        elif a.kind == COSIGNATURE:
            line = a.body.decode("utf-8", "replace").rstrip("\n")
            try:
                parse_cosignature_line(line)
                key = keys.get(signature_key(line))
                ok = key is None or check_cosignature_line(body, line, key) is not None
            except RuleViolation:
                ok = False
            if not ok:
                out.append(Finding("attestation", f"{where_zh}：检查点 #{a.checkpoint_id} 的见证方副署无效（被改动）。",
                                   f"{where_en}: the witness cosignature of checkpoint #{a.checkpoint_id} does not verify (it was "
                                   "altered)."))
        else:
            out.append(Finding("attestation", f"{where_zh}的类型“{a.kind}”未知。", f"{where_en} has an unknown kind '{a.kind}'."))
    if bodies:
        # A witness named is one whose cosignature the latest checkpoint must carry: a missing one
        # (never obtained, or deleted) is said, not passed over.
        latest = max(bodies)
        for k in witness_keys:
            if not any(a.checkpoint_id == latest and a.kind == COSIGNATURE
                       and signature_key(a.body.decode("utf-8", "replace")) == (k.name, k.key_id) for a in attestations):
                out.append(Finding("witness", f"最近的库内检查点 #{latest} 没有见证方 {k.name} 的副署（从未取得，或已被删除）；"
                                              "请运行 certledger checkpoint --witness … 取得。",
                                   f"The latest stored checkpoint #{latest} carries no cosignature of witness {k.name} (never "
                                   "obtained, or deleted); run certledger checkpoint --witness … to obtain it."))
    return out
