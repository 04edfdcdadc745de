"""The Merkle tree and signed notes against published known answers: the RFC 6962 vectors of
transparency-dev/merkle and the signed-note example of golang.org/x/mod/sumdb/note, transcribed in
tests/data/rfc6962_vectors.json; plus properties that hold for any tree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.trail import merkle as m
from ledger.trail.note import (
    Checkpoint,
    NoteError,
    Signer,
    open_checkpoint,
    open_note,
    parse_checkpoint_text,
    parse_signer,
    parse_verifier,
    sign_note,
)

V = json.loads((Path(__file__).parents[1] / "data" / "rfc6962_vectors.json").read_text(encoding="utf-8"))
LEAVES = [m.leaf_hash(bytes.fromhex(x)) for x in V["leaves"]]
ROOTS = [bytes.fromhex(x) for x in V["roots"]]
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")
INCLUSION = [p for p in V["inclusion_proofs"] if p["leaf"] >= 1]  # {0, 0} is the Go table's invalid entry
CONSISTENCY = V["consistency_proofs"]


def hexes(proof: list[bytes]) -> list[str]:
    return [p.hex() for p in proof]


def unhex(proof: list[str]) -> list[bytes]:
    return [bytes.fromhex(p) for p in proof]


# ------------------------------------------------------------------------------------ hashing


def test_the_empty_tree_hashes_to_sha256_of_nothing():
    assert m.EMPTY_ROOT.hex() == V["hasher"]["empty_root"]
    assert m.root_of([]) == m.EMPTY_ROOT
    assert m.TreeBuilder().root() == m.EMPTY_ROOT


def test_leaf_and_node_hashes_are_the_rfc6962_ones():
    h = V["hasher"]
    assert m.leaf_hash(b"").hex() == h["empty_leaf"]["hash"]
    assert m.leaf_hash(h["leaf"]["data_ascii"].encode()).hex() == h["leaf"]["hash"]
    assert m.node_hash(h["node"]["left_ascii"].encode(), h["node"]["right_ascii"].encode()).hex() == h["node"]["hash"]


@pytest.mark.parametrize("size", range(1, len(ROOTS) + 1))
def test_the_root_of_each_published_size_is_the_published_root(size):
    assert m.root_of(LEAVES[:size]) == ROOTS[size - 1]
    builder = m.TreeBuilder()
    builder.extend(LEAVES[:size])
    assert builder.root() == ROOTS[size - 1]


def test_a_builder_resumed_from_a_compact_range_reaches_the_same_roots():
    for cut in range(len(LEAVES) + 1):
        first = m.TreeBuilder()
        first.extend(LEAVES[:cut])
        resumed = m.TreeBuilder(first.size, first.nodes)
        resumed.extend(LEAVES[cut:])
        assert resumed.root() == ROOTS[-1]


# ------------------------------------------------------------------------------ inclusion proofs


@pytest.mark.parametrize("vector", INCLUSION, ids=lambda p: f"leaf{p['leaf']}-size{p['size']}")
def test_each_published_inclusion_proof_is_generated_and_verifies(vector):
    index, size, proof = vector["leaf"] - 1, vector["size"], unhex(vector["proof"])
    root, leaf = ROOTS[size - 1], LEAVES[index]
    assert hexes(m.inclusion_proof(index, LEAVES[:size])) == vector["proof"]
    assert m.root_from_inclusion_proof(index, size, leaf, proof) == root
    assert m.verify_inclusion(index, size, leaf, proof, root)


@pytest.mark.parametrize("vector", INCLUSION, ids=lambda p: f"leaf{p['leaf']}-size{p['size']}")
def test_each_corruption_of_a_published_inclusion_proof_fails(vector):
    """The probes of the Go test (corruptInclusionProof)."""
    index, size, proof = vector["leaf"] - 1, vector["size"], unhex(vector["proof"])
    root, leaf = ROOTS[size - 1], LEAVES[index]
    probes = [
        (index - 1, size, root, leaf, proof), (index + 1, size, root, leaf, proof), (index ^ 2, size, root, leaf, proof),
        (index, size * 2, root, leaf, proof), (index, size // 2, root, leaf, proof),
        (index, size, root, b"WrongLeaf", proof), (index, size, m.EMPTY_ROOT, leaf, proof), (index, size, SOME_HASH, leaf, proof),
        (index, size, root, leaf, proof + [b""]), (index, size, root, leaf, proof + [root]),
        (index, size, root, leaf, [b""] + proof), (index, size, root, leaf, [root] + proof),
    ]
    for i in range(len(proof)):
        flipped = list(proof)
        flipped[i] = bytes([proof[i][0] ^ 8]) + proof[i][1:]
        probes.append((index, size, root, leaf, flipped))
    if proof:
        probes.append((index, size, root, leaf, proof[:-1]))
    if len(proof) > 1:
        probes.append((index, size, root, leaf, [SOME_HASH, proof[0]] + proof[1:]))
    for i, s, r, lf, p in probes:
        assert not m.verify_inclusion(i, s, lf, p, r), (i, s)


def test_inclusion_in_an_empty_or_too_small_tree_fails():
    for index, size in ((0, 0), (0, 1), (1, 0), (2, 1)):
        assert not m.verify_inclusion(index, size, SOME_HASH, [], b"")
        assert not m.verify_inclusion(index, size, b"", [], m.EMPTY_ROOT)
        assert not m.verify_inclusion(index, size, SOME_HASH, [], m.EMPTY_ROOT)
    with pytest.raises(m.ProofError):
        m.inclusion_ranges(0, 0)


# ---------------------------------------------------------------------------- consistency proofs


@pytest.mark.parametrize("vector", CONSISTENCY, ids=lambda p: f"{p['size1']}-{p['size2']}")
def test_each_published_consistency_proof_is_generated_and_verifies(vector):
    size1, size2, proof = vector["size1"], vector["size2"], unhex(vector["proof"])
    assert hexes(m.consistency_proof(size1, LEAVES[:size2])) == vector["proof"]
    assert m.verify_consistency(size1, size2, ROOTS[size1 - 1], ROOTS[size2 - 1], proof)


@pytest.mark.parametrize("vector", [c for c in CONSISTENCY if c["proof"]], ids=lambda p: f"{p['size1']}-{p['size2']}")
def test_each_corruption_of_a_published_consistency_proof_fails(vector):
    """The probes of the Go test (corruptConsistencyProof)."""
    s1, s2, proof = vector["size1"], vector["size2"], unhex(vector["proof"])
    r1, r2 = ROOTS[s1 - 1], ROOTS[s2 - 1]
    probes = [
        (s1 - 1, s2, r1, r2, proof), (s1 + 1, s2, r1, r2, proof), (s1 ^ 2, s2, r1, r2, proof),
        (s1, s2 * 2, r1, r2, proof), (s1, s2 // 2, r1, r2, proof),
        (s1, s2, b"WrongRoot", r2, proof), (s1, s2, r1, b"WrongRoot", proof), (s1, s2, r2, r1, proof),
        (s1, s2, r1, r2, []),
        (s1, s2, r1, r2, proof + [b""]), (s1, s2, r1, r2, proof + [r1]), (s1, s2, r1, r2, proof + [r2]),
        (s1, s2, r1, r2, [b""] + proof), (s1, s2, r1, r2, [r1] + proof), (s1, s2, r1, r2, [r2] + proof),
        (s1, s2, r1, r2, [proof[0]] + proof),
        (s1, s2, r1, r2, proof[:-1]),
    ]
    for i in range(len(proof)):
        flipped = list(proof)
        flipped[i] = bytes([proof[i][0] ^ 16]) + proof[i][1:]
        probes.append((s1, s2, r1, r2, flipped))
    for a, b, x, y, p in probes:
        assert not m.verify_consistency(a, b, x, y, p), (a, b)


def test_the_go_tables_trivial_consistency_cases():
    r1, r2, none, one = b"don't care 1", b"don't care 2", [], [m.EMPTY_ROOT]
    assert not m.verify_consistency(0, 0, r1, r2, none)
    assert not m.verify_consistency(1, 1, r1, r2, none)
    assert m.verify_consistency(0, 0, r1, r1, none)
    assert m.verify_consistency(0, 1, r1, r2, none)
    assert m.verify_consistency(1, 1, r2, r2, none)
    assert not m.verify_consistency(1, 0, r1, r2, none)
    assert not m.verify_consistency(2, 1, r1, r2, none)
    assert not m.verify_consistency(1, 2, r1, r2, none)
    assert not m.verify_consistency(0, 0, m.EMPTY_ROOT, r2, none)
    assert not m.verify_consistency(1, 1, m.EMPTY_ROOT, r2, none)
    for a, b in ((0, 0), (0, 1), (1, 1)):
        assert not m.verify_consistency(a, b, m.EMPTY_ROOT, m.EMPTY_ROOT, one)


def test_the_builder_captures_the_proof_subtrees_as_the_leaves_pass():
    for vector in CONSISTENCY:
        s1, s2 = vector["size1"], vector["size2"]
        builder = m.TreeBuilder()
        builder.watch(m.consistency_ranges(s1, s2))
        builder.watch_roots([s1])
        builder.extend(LEAVES[:s2])
        assert hexes([builder.subtree(a, b) for a, b in m.consistency_ranges(s1, s2)]) == vector["proof"]
        assert builder.roots[s1] == ROOTS[s1 - 1]


# --------------------------------------------------------------------------------- signed notes


def test_the_go_signed_note_example_is_reproduced_byte_for_byte():
    sn = V["signed_note"]
    signer = parse_signer(sn["signer_key"])
    assert signer.encode() == sn["signer_key"]
    assert signer.verifier.encode() == sn["verifier_key"]
    assert sign_note(sn["text"], signer) == sn["signed"]  # Ed25519 is deterministic
    assert open_note(sn["signed"], parse_verifier(sn["verifier_key"])) == sn["text"]


def test_the_go_signed_note_fails_when_its_text_or_signature_changes():
    sn = V["signed_note"]
    verifier = parse_verifier(sn["verifier_key"])
    with pytest.raises(NoteError) as refused:
        open_note(sn["signed"].replace("cryptography", "cryptographY"), verifier)
    assert "does not verify" in refused.value.message_en
    sig_at = sn["signed"].rindex(" ") + 10
    flipped = sn["signed"][:sig_at] + ("A" if sn["signed"][sig_at] != "A" else "B") + sn["signed"][sig_at + 1:]
    with pytest.raises(NoteError):
        open_note(flipped, verifier)
    with pytest.raises(NoteError) as refused:
        open_note(sn["signed"], Signer.generate("PeterNeumann").verifier)
    assert "not signed by" in refused.value.message_en


@pytest.mark.parametrize("bad", ["", "PeterNeumann+c74f20a3", "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                                 "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                                 "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T"])
def test_a_mangled_verifier_key_is_refused(bad):
    with pytest.raises(NoteError):
        parse_verifier(bad)


def test_a_checkpoint_body_round_trips_and_malformed_bodies_are_refused():
    signer = Signer.generate("body.example")
    cp = Checkpoint("certledger/x", 8, ROOTS[7])
    assert open_checkpoint(cp.sign(signer), signer.verifier) == cp
    assert parse_checkpoint_text(cp.text()) == cp
    for body in ("certledger/x\n08\n" + cp.text().split("\n")[2] + "\n", "certledger/x\n8\nAAAA\n", "certledger/x\n-1\nAAAA\n",
                 "\n8\n" + cp.text().split("\n")[2] + "\n", "certledger/x\n8\n"):
        with pytest.raises(NoteError):
            parse_checkpoint_text(body)


# ----------------------------------------------------------------------------------- properties

hashes = st.lists(st.binary(min_size=32, max_size=32), max_size=70)


@settings(max_examples=150, deadline=None)
@given(hashes, st.integers(min_value=1, max_value=9))
def test_the_incremental_root_equals_the_batch_root(leaves, chunk):
    builder = m.TreeBuilder()
    for i in range(0, len(leaves), chunk):
        builder.extend(leaves[i:i + chunk])
    assert builder.size == len(leaves)
    assert builder.root() == m.root_of(leaves)


@settings(max_examples=150, deadline=None)
@given(hashes.filter(bool), st.data())
def test_every_generated_inclusion_proof_verifies_and_a_flipped_byte_fails(leaves, data):
    index = data.draw(st.integers(min_value=0, max_value=len(leaves) - 1))
    root = m.root_of(leaves)
    proof = m.inclusion_proof(index, leaves)
    assert m.verify_inclusion(index, len(leaves), leaves[index], proof, root)
    flip = data.draw(st.integers(min_value=0, max_value=32 * (len(proof) + 1) - 1))
    which, at = divmod(flip, 32)
    if which == len(proof):
        leaf = bytearray(leaves[index])
        leaf[at] ^= 1
        assert not m.verify_inclusion(index, len(leaves), bytes(leaf), proof, root)
    else:
        bad = [bytearray(p) for p in proof]
        bad[which][at] ^= 1
        assert not m.verify_inclusion(index, len(leaves), leaves[index], [bytes(p) for p in bad], root)


@settings(max_examples=150, deadline=None)
@given(hashes.filter(bool), st.data())
def test_every_generated_consistency_proof_verifies_and_a_flipped_byte_fails(leaves, data):
    size1 = data.draw(st.integers(min_value=1, max_value=len(leaves)))
    root1, root2 = m.root_of(leaves[:size1]), m.root_of(leaves)
    proof = m.consistency_proof(size1, leaves)
    assert m.verify_consistency(size1, len(leaves), root1, root2, proof)
    builder = m.TreeBuilder()
    builder.watch(m.consistency_ranges(size1, len(leaves)))
    builder.extend(leaves)
    assert [builder.subtree(a, b) for a, b in m.consistency_ranges(size1, len(leaves))] == proof
    if proof:
        which = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        at = data.draw(st.integers(min_value=0, max_value=31))
        bad = list(proof)
        bad[which] = bad[which][:at] + bytes([bad[which][at] ^ 0x80]) + bad[which][at + 1:]
        assert not m.verify_consistency(size1, len(leaves), root1, root2, bad)
    other = bytearray(root1)
    other[data.draw(st.integers(min_value=0, max_value=31))] ^= 1
    assert not m.verify_consistency(size1, len(leaves), bytes(other), root2, proof)


# ------------------------------------------------------------- the worked examples of the docs

DOC_STATE = ('{"timestamp":{"_type_":"datetime_iso","_data_":"2026-11-20T01:02:03.456789+00:00"},'
             '"originator_topic":"aggregates.client:Client","uscc":"91330100716105852F","name":"杭州云栖质量科技有限公司",'
             '"address":"杭州","actor":"张伟","occurred_on":{"_type_":"date_iso","_data_":"2026-11-20"}}').encode()
DOC_LEAF_HASH = "30f119f3f0b01a8cad1a79da9318a86dc06b5bd3230ba4b64bef6d908843a694"


def test_the_leaf_of_the_worked_example_in_docs_audit_trail_md():
    from aggregates.uscc import client_id_for
    from ledger.trail.leaf import encode_leaf, hash_rows

    oid = client_id_for("91330100716105852F")
    leaf = encode_leaf(1, oid.bytes, 1, "aggregates.client:Client.Registered", DOC_STATE)
    assert len(leaf) == 427
    assert leaf[:19] == b"certledger-event-v1" and leaf[19:27] == (1).to_bytes(8, "big")
    assert leaf[27:43] == oid.bytes and leaf[43:51] == (1).to_bytes(8, "big") and leaf[51:55] == (35).to_bytes(4, "big")
    assert m.leaf_hash(leaf).hex() == DOC_LEAF_HASH
    # the fast path (SQLite rows carry the id as hex) and the reference encoding agree
    assert hash_rows([(1, oid.hex, 1, "aggregates.client:Client.Registered", DOC_STATE)], hex_ids=True) == ([bytes.fromhex(DOC_LEAF_HASH)], [])


def test_the_checkpoint_of_the_worked_example_in_docs_audit_trail_md():
    signer = parse_signer(V["signed_note"]["signer_key"])
    cp = Checkpoint("certledger/2f6b8a52-95c4-4bd6-a1a3-0f1d7c1c9e10", 1, bytes.fromhex(DOC_LEAF_HASH))
    assert cp.sign(signer) == (
        "certledger/2f6b8a52-95c4-4bd6-a1a3-0f1d7c1c9e10\n1\nMPEZ8/CwGoytGnnakxiobcBrW9MjC6S2S+9tkIhDppQ=\n\n"
        "\u2014 PeterNeumann x08go578KOjpz8aFEyC3AFHmSjr4mxgbv+weEfUDtnGBa9if8osbwzDmdouLhMNueD8dUeebbvnAgiL5q/C2OLoNVQk=\n")


def test_rows_the_library_did_not_write_are_reported_not_raised():
    from ledger.trail.leaf import hash_rows

    good = (2, "b6d0204d78365ff4a0fe4461b4652c59", 1, "aggregates.client:Client.Registered", DOC_STATE)
    rows = [good, (-1, good[1], 1, good[3], DOC_STATE), (3, "zz", 1, good[3], DOC_STATE), (4, good[1], 1, None, DOC_STATE),
            (5, good[1], 1, good[3], b"not json"), (6, good[1], 2**64, good[3], DOC_STATE), (7, good[1], 1, good[3], None)]
    hashes, bad = hash_rows(rows, hex_ids=True)
    assert len(hashes) == len(rows) and len(set(hashes)) == len(rows)
    assert [i for i, _ in bad] == [1, 2, 3, 4, 5, 6]
