"""The body's checkpoint key is never a person's signing key (issue 15, trial item 9).

A personal signature must be attributable to its signer alone (电子签名法 §13): the body's key signs
checkpoints and is held by whoever runs ``certledger checkpoint``, so a person whose registered key
were that key could be signed for by anyone holding it. ``people key add`` refuses a public key that
signed any of the ledger's stored checkpoints, or that is the body's key as configured here
(``--key`` / ``CERTLEDGER_KEY`` / the default ``signing.key``: its ``.pub`` file, else the key file).
"""

from __future__ import annotations

from typing import Any

from aggregates.errors import RuleViolation


def _signed_a_checkpoint(app: Any, public_key: bytes) -> bool:
    from ledger.store import trail_store
    from ledger.trail.note import NoteError, Verifier, split_note

    verifier = Verifier("x", public_key)
    with trail_store(app).snapshot() as snap:
        if snap.missing:
            return False
        for cp in snap.checkpoints():
            try:
                text, sigs = split_note(cp.note)
            except NoteError:
                continue
            if any(verifier.verify(text.encode(), s.signature) for s in sigs):
                return True
    return False


def _configured_body_key(key: str | None = None) -> bytes | None:
    from ledger.trail.keys import public_key_path, resolve_key_path
    from ledger.trail.note import parse_signer, parse_verifier

    path = resolve_key_path(key)
    try:
        pub = public_key_path(path)
        if pub.is_file():
            return parse_verifier(pub.read_text(encoding="utf-8")).public_key
        if path.is_file():
            return parse_signer(path.read_text(encoding="utf-8")).verifier.public_key
    except (OSError, UnicodeDecodeError, RuleViolation):
        return None
    return None


def refuse_body_key(app: Any, public_key: bytes, person: str, rule: str) -> None:
    """Refuse ``public_key`` as ``person``'s signing key when it is the body's checkpoint key."""
    if public_key != _configured_body_key() and not _signed_a_checkpoint(app, public_key):
        return
    raise RuleViolation(
        rule,
        f"该公钥是本机构签署检查点的密钥，不能登记为 {person} 的个人签名密钥：电子签名须专属于签名人（电子签名法 §13），"
        f"而机构密钥由签署检查点的人掌握。请让 {person} 在本人电脑上生成个人密钥（certledger people key init --out 文件），再登记其 .pub 文件。",
        f"This public key is the body's checkpoint key and cannot be registered as {person}'s personal signing key: an electronic "
        f"signature must belong to its signer alone (电子签名法 §13), and the body's key is held by whoever signs checkpoints. "
        f"Have {person} make a personal key on their own machine (certledger people key init --out FILE) and register its .pub file.")
