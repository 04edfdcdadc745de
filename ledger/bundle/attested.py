"""What third parties said of a bundle's checkpoint, checked offline: the witnesses' cosignatures
on checkpoint.txt (required for each ``--witness-key`` the inspector gives) and the RFC 3161 time
stamp token timestamp.tsr (checked against the TSA's chain the inspector gives with ``--tsa-cert``;
required then). Both cover the checkpoint's body, the text the body's signature covers."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

from aggregates.errors import RuleViolation
from ledger.bundle import layout

# A time stamp may not say the checkpoint existed before the time the checkpoint says it was
# signed; this much clock difference between the body and the authority is tolerated.
CLOCK_SKEW = timedelta(minutes=10)


def check_attestations(d: Path, head: Any, report: Any, witness_keys: tuple[Any, ...] = (),
                       tsa_chain: bytes | None = None) -> None:
    """Add to ``report`` what the checkpoint's cosignatures and time stamp show, and a problem for
    each one required that is missing or does not verify. ``head`` is the checkpoint whose body
    the body's key verified."""
    from ledger.trail.note import NoteError, read_checkpoint_file

    try:
        note = read_checkpoint_file(str(d / layout.CHECKPOINT))
    except NoteError:
        return  # reported with the checkpoint
    _check_witnesses(note, report, witness_keys)
    _check_timestamp(d, head, report, tsa_chain)


def _check_witnesses(note: str, report: Any, witness_keys: tuple[Any, ...]) -> None:
    from ledger.trail.cosignature import verify_cosignature

    for key in witness_keys:
        try:
            report.witnessed.append((key.name, verify_cosignature(note, key)))
        except RuleViolation as e:
            report.add("witness", f"见证方 {key.name}：{e.message_zh}", f"Witness {key.name}: {e.message_en}")


def _check_timestamp(d: Path, head: Any, report: Any, tsa_chain: bytes | None) -> None:
    from ledger.trail.timestamp import token_imprint, token_time, verify_token

    path = d / layout.TIMESTAMP
    if not path.is_file():
        if tsa_chain is not None:
            report.add("timestamp", f"检查包中没有检查点的时间戳令牌（{layout.TIMESTAMP}），而检查人员要求以 --tsa-cert 核验时间戳。",
                       f"The bundle holds no time stamp token for its checkpoint ({layout.TIMESTAMP}), and the inspector "
                       "asked for one to be checked with --tsa-cert.")
        return
    try:
        token = path.read_bytes()
    except OSError:
        report.add("timestamp", f"{layout.TIMESTAMP} 无法读取。", f"{layout.TIMESTAMP} cannot be read.")
        return
    body = head.text().encode("utf-8")
    if tsa_chain is None:
        # Without the authority's chain the signature cannot be checked; what the token states can.
        stamped = token_time(token)
        if stamped is None:
            report.add("timestamp", f"{layout.TIMESTAMP} 不是可读的 RFC 3161 时间戳响应：它被改动或损坏。",
                       f"{layout.TIMESTAMP} is not a readable RFC 3161 time-stamp response: it was altered or is corrupt.")
            return
        if token_imprint(token) != hashlib.sha256(body).digest():
            report.add("timestamp", f"{layout.TIMESTAMP} 所盖的不是本检查点：令牌中的消息摘要与检查点正文的 SHA-256 不符。",
                       f"{layout.TIMESTAMP} is not for this checkpoint: its message imprint differs from the SHA-256 of the "
                       "checkpoint's body.")
            return
        report.stamped_at, report.stamp_checked = stamped, False
    else:
        try:
            stamped = verify_token(token, body, tsa_chain)
        except RuleViolation as e:
            report.add("timestamp", f"{layout.TIMESTAMP}：{e.message_zh}", f"{layout.TIMESTAMP}: {e.message_en}")
            return
        report.stamped_at, report.stamp_checked = stamped, True
    if report.signed_at is not None and stamped < report.signed_at - CLOCK_SKEW:
        report.add("timestamp",
                   f"时间戳证明检查点于 {stamped:%Y-%m-%d %H:%M} UTC 已存在，早于检查点自称的签发时间 {report.signed_at:%Y-%m-%d %H:%M} UTC："
                   "检查点的时间不实。",
                   f"The time stamp shows the checkpoint existed at {stamped:%Y-%m-%d %H:%M} UTC, before the time it says it was "
                   f"signed, {report.signed_at:%Y-%m-%d %H:%M} UTC: the checkpoint's time is false.")
