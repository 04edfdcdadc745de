"""Client heads (ledger/trail/heads.py): the head leaf's bytes as docs/audit-trail.md gives them,
the tree over heads sorted by client id, proofs that verify against its root and fail for any other
head, and the checkpoint's extension lines read back."""

from __future__ import annotations

import base64
import hashlib
import struct
import uuid
from datetime import datetime, timezone

from ledger.trail.heads import Heads, extension_lines, head_hash, head_leaf, heads_of, time_of
from ledger.trail.merkle import root_of, verify_inclusion


def client(i: int) -> bytes:
    return uuid.uuid5(uuid.NAMESPACE_OID, str(i)).bytes


def test_the_head_leaf_is_the_documented_bytes():
    c = bytes.fromhex("b6d0204d78365ff4a0fe4461b4652c59")
    leaf = head_leaf(c, 17, 4242)
    assert leaf == b"certledger-head-v1" + c + struct.pack(">QQ", 17, 4242) and len(leaf) == 18 + 16 + 16
    assert head_hash(c, 17, 4242) == hashlib.sha256(b"\x00" + leaf).digest()


def test_the_tree_is_over_the_heads_sorted_by_client_and_its_proofs_verify():
    heads = Heads()
    for i in range(11):
        heads.add(client(i), i + 1, 100 + i)
    heads.add(client(3), 9, 500)  # a later event of client 3: its head moves
    order = sorted(client(i) for i in range(11))
    assert heads.clients() == order
    assert heads.root() == root_of([head_hash(c, *heads.by_client[c]) for c in order])
    proofs = heads.proofs([client(3), client(7), client(0)])
    for c, (index, path) in proofs.items():
        assert index == order.index(c)
        assert verify_inclusion(index, 11, head_hash(c, *heads.by_client[c]), path, heads.root())
        version, position = heads.by_client[c]
        assert not verify_inclusion(index, 11, head_hash(c, version - 1, position), path, heads.root())  # a head cut short
    assert heads.by_client[client(3)] == (9, 500)


def test_the_extension_lines_say_the_heads_and_the_time_and_read_back():
    heads = Heads({client(1): (3, 30), client(2): (5, 31)})
    moment = datetime(2026, 12, 6, 4, 30, 23, 987654, tzinfo=timezone.utc)
    lines = extension_lines(heads, moment)
    assert lines == (f"heads 2 {base64.b64encode(heads.root()).decode()}", "time 2026-12-06T04:30:23Z")
    assert heads_of(lines) == (2, heads.root())
    assert time_of(lines) == moment.replace(microsecond=0)
    assert heads_of(()) is None and time_of(()) is None
    assert heads_of(("heads x y",)) is None and heads_of(("heads 2 AAAA",)) is None and time_of(("time yesterday",)) is None
