"""Each client's head, and the second tree a checkpoint commits to (docs/audit-trail.md, "Client
heads").

A client's **head** is (client id, its last version, the position of its last event) among the
events a checkpoint covers. The heads of every client, sorted by client id (the 16 bytes, in byte
order), are the leaves of an RFC 6962 tree; a checkpoint's signed body carries that tree's size and
root in an extension line ``heads <count> <base64 root>``. So a signed checkpoint says not only
which events exist but where each client's history ends: a bundle that leaves out a client's latest
events cannot prove its head (docs/inspection-bundle.md).

    head leaf = "certledger-head-v1" (18 ASCII bytes) || client (16 bytes)
                || version (8 bytes, unsigned big-endian) || position (8 bytes, unsigned big-endian)
    head hash = SHA-256(0x00 || head leaf)

A checkpoint's body may also carry ``time <UTC time, ISO 8601, seconds, Z>``: when it was signed.
"""

from __future__ import annotations

import base64
import binascii
import struct
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone

from ledger.trail.merkle import TreeBuilder, inclusion_ranges, leaf_hash, root_of

MAGIC = b"certledger-head-v1"
_LEAF = struct.Struct(">18s16sQQ")
HEADS_PREFIX = "heads "
TIME_PREFIX = "time "

Head = tuple[int, int]  # (last version, position of the last event)


def head_leaf(client: bytes, version: int, position: int) -> bytes:
    return _LEAF.pack(MAGIC, client, version, position)


def head_hash(client: bytes, version: int, position: int) -> bytes:
    return leaf_hash(head_leaf(client, version, position))


class Heads:
    """Every client's head, advanced event by event (rows in position order)."""

    __slots__ = ("by_client",)

    def __init__(self, by_client: dict[bytes, Head] | None = None) -> None:
        self.by_client: dict[bytes, Head] = dict(by_client or {})

    def add(self, client: bytes, version: int, position: int) -> None:
        self.by_client[client] = (version, position)

    def clients(self) -> list[bytes]:
        return sorted(self.by_client)

    def hashes(self) -> list[bytes]:
        return [head_hash(c, *self.by_client[c]) for c in self.clients()]

    def root(self) -> bytes:
        return root_of(self.hashes())

    def proofs(self, wanted: Iterable[bytes]) -> dict[bytes, tuple[int, list[bytes]]]:
        """The inclusion proof (leaf index, path) of each wanted client's head, in one pass."""
        order = self.clients()
        index = {c: i for i, c in enumerate(order)}
        chosen = {c: index[c] for c in wanted}
        builder = TreeBuilder()
        for i in chosen.values():
            builder.watch(inclusion_ranges(i, len(order)))
        builder.extend(self.hashes())
        return {c: (i, [builder.subtree(a, b) for a, b in inclusion_ranges(i, len(order))]) for c, i in chosen.items()}


# ------------------------------------------------------------------------ checkpoint extension lines


def extension_lines(heads: Heads, signed_at: datetime) -> tuple[str, ...]:
    """The checkpoint body's extension lines: the heads tree, then the time of signing."""
    root = base64.b64encode(heads.root()).decode()
    moment = signed_at.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (f"{HEADS_PREFIX}{len(heads.by_client)} {root}", f"{TIME_PREFIX}{moment}")


def heads_of(extensions: Sequence[str]) -> tuple[int, bytes] | None:
    """(count, root) of the heads line of a checkpoint's extension lines, or None if it has none
    (a checkpoint signed before client heads existed, or a malformed line)."""
    for line in extensions:
        if line.startswith(HEADS_PREFIX):
            parts = line[len(HEADS_PREFIX):].split(" ")
            if len(parts) != 2 or not parts[0].isascii() or not parts[0].isdigit():
                return None
            try:
                root = base64.b64decode(parts[1], validate=True)
            except (ValueError, binascii.Error):
                return None
            return (int(parts[0]), root) if len(root) == 32 else None
    return None


def time_of(extensions: Sequence[str]) -> datetime | None:
    """When a checkpoint was signed, from its time line (None if it has none or it is malformed)."""
    for line in extensions:
        if line.startswith(TIME_PREFIX):
            try:
                return datetime.strptime(line[len(TIME_PREFIX):], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
            except ValueError:
                return None
    return None
