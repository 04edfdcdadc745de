"""C2SP tlog-cosignature (cosignature/v1): key encodings and key ids, the signature line's layout
and signed message rebuilt independently with hashlib and the Ed25519 primitive, the spec's example
line, and every tampering refused (body, time, signature, key, name)."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from aggregates.errors import RuleViolation
from ledger.trail import merkle
from ledger.trail.cosignature import (
    CosignatureError,
    CosignatureSigner,
    CosignatureVerifier,
    add_cosignature,
    check_cosignature_line,
    cosign,
    cosigner_key_id,
    parse_cosignature_line,
    parse_witness_key,
    parse_witness_signer,
    verify_cosignature,
)
from ledger.trail.note import Checkpoint, NoteError, Signer, key_id, open_note, parse_verifier

SEED = bytes(range(32))
NAME = "witness.example/w1"
WHEN = datetime(2026, 11, 20, 8, 30, 5, tzinfo=timezone.utc)
TS = 1795163405  # WHEN as POSIX seconds


def raw_public(seed: bytes) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


@pytest.fixture
def body_signer():
    return Signer.generate("cert.example.cn")


@pytest.fixture
def note(body_signer):
    cp = Checkpoint("certledger/0b5a7c9e", 7, merkle.root_of([merkle.leaf_hash(b"%d" % i) for i in range(7)]),
                    ("heads 3 " + base64.b64encode(bytes(32)).decode(), "time 2026-11-20T08:30:00Z"))
    return cp.sign(body_signer)


def body_of(note: str) -> str:
    return note[: note.rfind("\n\n") + 1]


# ------------------------------------------------------------------------------------------ keys


def test_the_key_id_is_sha256_of_name_newline_0x04_and_the_public_key():
    pub = raw_public(SEED)
    assert WHEN.timestamp() == TS
    expected = hashlib.sha256(NAME.encode() + b"\n\x04" + pub).digest()[:4]
    assert cosigner_key_id(NAME, pub) == expected
    assert CosignatureSigner(NAME, SEED).verifier.key_id == expected
    # the same key as a note (0x01) key has another id: the algorithm byte is part of the hash
    assert key_id(NAME, pub) != expected


def test_the_private_key_and_vkey_encodings():
    signer = CosignatureSigner(NAME, SEED)
    pub = raw_public(SEED)
    kid = hashlib.sha256(NAME.encode() + b"\n\x04" + pub).digest()[:4].hex()
    assert signer.encode() == f"PRIVATE+KEY+{NAME}+{kid}+" + base64.b64encode(b"\x04" + SEED).decode()
    assert signer.verifier.encode() == f"{NAME}+{kid}+" + base64.b64encode(b"\x04" + pub).decode()
    assert parse_witness_signer(signer.encode()) == signer
    assert parse_witness_key(signer.verifier.encode() + "\n") == signer.verifier


@pytest.mark.parametrize("name", ["监管见证/w1", "witness.samr.example", "oid/1.3.6.1.4.1.99999"])
def test_generated_keys_round_trip_under_any_valid_name(name):
    signer = CosignatureSigner.generate(name)
    assert parse_witness_signer(signer.encode()) == signer
    assert parse_witness_key(signer.verifier.encode()) == signer.verifier


@pytest.mark.parametrize("name", ["", "a b", "中国\u3000见证", "a+b", "a\nb"])
def test_an_invalid_key_name_is_refused(name):
    with pytest.raises(CosignatureError) as e:
        CosignatureSigner.generate(name)
    assert "C2SP signed-note" in e.value.message_en and "C2SP signed-note" in e.value.message_zh


def test_a_note_key_is_not_a_witness_key_and_the_other_way_round():
    body = Signer.generate("cert.example.cn")
    with pytest.raises(CosignatureError) as e:
        parse_witness_key(body.verifier.encode())
    assert "0x01" in e.value.message_en and "0x04" in e.value.message_en and "0x01" in e.value.message_zh
    with pytest.raises(NoteError):
        parse_verifier(CosignatureSigner(NAME, SEED).verifier.encode())


@pytest.mark.parametrize("text", [
    "", "garbage", "name+12345678", "name+zz+AAAA",
    f"{NAME}+00000000+" + base64.b64encode(b"\x04" + raw_public(SEED)).decode(),  # wrong key id
    f"{NAME}+00000000+" + base64.b64encode(b"\x04" + bytes(31)).decode(),  # short key
])
def test_malformed_vkeys_are_refused_with_a_message(text):
    with pytest.raises(RuleViolation) as e:
        parse_witness_key(text)
    assert e.value.message_zh and e.value.message_en


def test_a_malformed_private_key_is_refused():
    good = CosignatureSigner(NAME, SEED).encode()
    for text in ["", good.replace("PRIVATE+KEY", "PRIVATE+KEE"), good[:-4] + "AAA=",
                 Signer(NAME, SEED).encode()]:  # a note (0x01) private key
        with pytest.raises(CosignatureError):
            parse_witness_signer(text)


# --------------------------------------------------------------------------- the signature line


def test_the_line_is_keyid_timestamp_signature_over_the_v1_message(note):
    signer = CosignatureSigner(NAME, SEED)
    line = cosign(body_of(note), signer, WHEN)
    assert line.startswith(f"\u2014 {NAME} ") and "\n" not in line
    raw = base64.b64decode(line.split(" ")[2], validate=True)
    assert len(raw) == 4 + 8 + 64
    assert raw[:4] == signer.verifier.key_id
    assert raw[4:12] == TS.to_bytes(8, "big")
    message = f"cosignature/v1\ntime {TS}\n".encode() + body_of(note).encode()
    # Ed25519 is deterministic: the signature is exactly the primitive's over that message ...
    assert raw[12:] == Ed25519PrivateKey.from_private_bytes(SEED).sign(message)
    # ... and the extension lines are part of what is signed
    assert b"heads 3 " in message and b"time 2026-11-20T08:30:00Z" in message
    Ed25519PublicKey.from_public_bytes(raw_public(SEED)).verify(raw[12:], message)
    assert cosign(body_of(note), signer, TS) == line  # POSIX seconds give the same line


def test_the_spec_example_line_parses():
    line = ("\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZ"
            "qhf5nNo0xUe+mbIUBkBIfZ+qnA==")
    cs = parse_cosignature_line(line)
    assert cs.name == "witness.example.com/w1"
    assert cs.key_id.hex() == "8d66cf3f"
    assert cs.timestamp == 1679315147  # the time line of the spec's example message
    assert len(cs.signature) == 64


def test_a_cosigned_note_verifies_and_gives_its_time(note, body_signer):
    signer = CosignatureSigner(NAME, SEED)
    cosigned = add_cosignature(note, cosign(body_of(note), signer, WHEN))
    assert verify_cosignature(cosigned, signer.verifier) == WHEN
    assert open_note(cosigned, body_signer.verifier) == body_of(note)  # the body's signature is untouched
    assert add_cosignature(cosigned, cosign(body_of(note), signer, WHEN)) == cosigned  # not added twice
    other = CosignatureSigner.generate("other.witness")
    two = add_cosignature(cosigned, cosign(body_of(note), other, TS + 60) + "\n")
    assert verify_cosignature(two, signer.verifier) == WHEN
    assert verify_cosignature(two, other.verifier).timestamp() == TS + 60
    assert check_cosignature_line(body_of(note), cosign(body_of(note), other, TS), signer.verifier) is None


def test_a_chinese_witness_name_cosigns(note):
    signer = CosignatureSigner.generate("市场监管总局/见证1")
    cosigned = add_cosignature(note, cosign(body_of(note), signer, WHEN))
    assert "\u2014 市场监管总局/见证1 " in cosigned
    assert verify_cosignature(cosigned, signer.verifier) == WHEN


def _refused(note: str, verifier: CosignatureVerifier) -> CosignatureError:
    with pytest.raises(CosignatureError) as e:
        verify_cosignature(note, verifier)
    assert e.value.message_zh and e.value.message_en and e.value.rule
    return e.value


def test_a_missing_cosignature_is_refused_naming_the_witness(note):
    v = CosignatureSigner(NAME, SEED).verifier
    e = _refused(note, v)
    assert NAME in e.message_en and v.key_id.hex() in e.message_en and "cert.example.cn" in e.message_en
    assert NAME in e.message_zh and "见证" in e.message_zh


def test_a_tampered_body_is_refused(note):
    signer = CosignatureSigner(NAME, SEED)
    cosigned = add_cosignature(note, cosign(body_of(note), signer, WHEN))
    tampered = cosigned.replace("certledger/0b5a7c9e\n7\n", "certledger/0b5a7c9e\n8\n")
    assert "does not verify" in _refused(tampered, signer.verifier).message_en
    extension = cosigned.replace("time 2026-11-20T08:30:00Z", "time 2026-11-21T08:30:00Z")
    assert "does not verify" in _refused(extension, signer.verifier).message_en


def test_a_changed_time_is_refused(note):
    signer = CosignatureSigner(NAME, SEED)
    line = cosign(body_of(note), signer, WHEN)
    name, blob = line[2:].split(" ")
    raw = bytearray(base64.b64decode(blob))
    raw[4:12] = (TS - 86400).to_bytes(8, "big")  # claim it was cosigned a day earlier
    moved = f"\u2014 {name} {base64.b64encode(bytes(raw)).decode()}"
    e = _refused(add_cosignature(note, moved), signer.verifier)
    assert "time" in e.message_en and "时间" in e.message_zh


def test_a_corrupt_signature_or_other_key_is_refused(note):
    signer = CosignatureSigner(NAME, SEED)
    line = cosign(body_of(note), signer, WHEN)
    name, blob = line[2:].split(" ")
    raw = bytearray(base64.b64decode(blob))
    raw[-1] ^= 1
    _refused(add_cosignature(note, f"\u2014 {name} {base64.b64encode(bytes(raw)).decode()}"), signer.verifier)
    short = base64.b64encode(bytes(raw[:40])).decode()  # the key id matches, the blob is too short
    _refused(add_cosignature(note, f"\u2014 {name} {short}"), signer.verifier)
    # a line made by another key under the same name is not this witness's line
    impostor = CosignatureSigner(NAME, bytes(32))
    e = _refused(add_cosignature(note, cosign(body_of(note), impostor, WHEN)), signer.verifier)
    assert "no cosignature" in e.message_en


def test_a_cosignature_moved_to_another_checkpoint_is_refused(note, body_signer):
    signer = CosignatureSigner(NAME, SEED)
    line = cosign(body_of(note), signer, WHEN)
    other = Checkpoint("certledger/0b5a7c9e", 8, bytes(32)).sign(body_signer)
    _refused(add_cosignature(other, line), signer.verifier)


def test_add_cosignature_refuses_what_is_not_a_signature_line(note):
    for bad in ["", "not a line", "\u2014 a\n\u2014 b", "\u2014 name !!!"]:
        with pytest.raises(RuleViolation):
            add_cosignature(note, bad)


def test_times_outside_the_format_are_refused(note):
    signer = CosignatureSigner(NAME, SEED)
    with pytest.raises(ValueError):
        cosign(body_of(note), signer, -1)
    with pytest.raises(ValueError):
        cosign(body_of(note), signer, 2**63)
    with pytest.raises(ValueError):
        cosign(body_of(note), signer, datetime(2026, 1, 1))  # naive
    with pytest.raises(ValueError):
        cosign(note, signer, WHEN)  # the whole note, not its body
