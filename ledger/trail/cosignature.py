"""C2SP tlog-cosignature (cosignature/v1, Ed25519): a witness's timestamped signature on a checkpoint.

A cosigner key is a signed-note key of signature type 0x04. Its key id is the first four bytes of
SHA-256(name || 0x0A || 0x04 || 32-byte Ed25519 public key). Encoded as text:

- private: ``PRIVATE+KEY+<name>+<key id, 8 hex>+<base64(0x04 || 32-byte seed)>``
- public (vkey): ``<name>+<key id, 8 hex>+<base64(0x04 || 32-byte public key)>``

A cosignature is one more signature line on the checkpoint note:
``— <name> <base64(key id (4) || timestamp (8, big-endian POSIX seconds) || Ed25519 signature (64))>``
over the message ``cosignature/v1\\ntime <timestamp>\\n`` followed by the whole note body
(extension lines included, as the spec requires). See docs/witness.md.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone

from aggregates.errors import RuleViolation
from ledger.trail.note import (
    EM_DASH,
    KEY_NAME_RULE_EN,
    KEY_NAME_RULE_ZH,
    _b64decode,
    key_name_problem,
    shown_key_name,
    split_note,
    valid_key_name,
)

ALG_COSIGNATURE_V1 = 4
HEADER = "cosignature/v1"
MAX_TIMESTAMP = 2**63 - 1
SIGNATURE_BYTES = 4 + 8 + 64
RULE = "ledger: witness cosignature (C2SP tlog-cosignature)"


class CosignatureError(RuleViolation):
    """A witness key or cosignature that cannot be used."""


def _fail(zh: str, en: str) -> CosignatureError:
    return CosignatureError(RULE, zh, en)


def cosigner_key_id(name: str, public_key: bytes) -> bytes:
    """SHA-256(UTF-8 name || 0x0A || 0x04 || public key)[:4]."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ALG_COSIGNATURE_V1]) + public_key).digest()[:4]


def _check_name(name: str) -> None:
    problem = key_name_problem(name)
    if problem is not None:
        raise _fail(f"见证密钥名称“{shown_key_name(name)}”无效：{problem[0]}。{KEY_NAME_RULE_ZH}",
                    f"Witness key name '{shown_key_name(name)}' is invalid: {problem[1]}. {KEY_NAME_RULE_EN}")


def signed_message(body_text: str, timestamp: int) -> bytes:
    """What a cosignature/v1 signs: the header line, the time line, then the checkpoint body."""
    return f"{HEADER}\ntime {timestamp}\n{body_text}".encode("utf-8")


@dataclass(frozen=True)
class CosignatureVerifier:
    name: str
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return cosigner_key_id(self.name, self.public_key)

    def encode(self) -> str:
        raw = bytes([ALG_COSIGNATURE_V1]) + self.public_key
        return f"{self.name}+{self.key_id.hex()}+{base64.b64encode(raw).decode()}"

    def verify(self, body_text: str, timestamp: int, signature: bytes) -> bool:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, signed_message(body_text, timestamp))
            return True
        except (InvalidSignature, ValueError):
            return False


@dataclass(frozen=True)
class CosignatureSigner:
    name: str
    seed: bytes

    @classmethod
    def generate(cls, name: str) -> "CosignatureSigner":
        import os

        _check_name(name)
        return cls(name, os.urandom(32))

    @property
    def verifier(self) -> CosignatureVerifier:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        pub = Ed25519PrivateKey.from_private_bytes(self.seed).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return CosignatureVerifier(self.name, pub)

    def encode(self) -> str:
        raw = bytes([ALG_COSIGNATURE_V1]) + self.seed
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id.hex()}+{base64.b64encode(raw).decode()}"

    def sign(self, message: bytes) -> bytes:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(message)


def parse_witness_signer(text: str) -> CosignatureSigner:
    """A cosigner private key, ``PRIVATE+KEY+<name>+<key id>+<base64(0x04 || seed)>``."""
    parts = text.strip().split("+", 4)
    try:
        if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
            raise ValueError("not a private key")
        name, kid, raw = parts[2], parts[3], _b64decode(parts[4])
        if not valid_key_name(name) or len(kid) != 8 or len(raw) != 33 or raw[0] != ALG_COSIGNATURE_V1:
            raise ValueError("malformed")
        signer = CosignatureSigner(name, raw[1:])
        if signer.verifier.key_id.hex() != kid.lower():
            raise ValueError("key id does not match the key")
    except (ValueError, binascii.Error):
        raise _fail("见证私钥格式不正确（应为 PRIVATE+KEY+名称+密钥号+base64，签名类型 0x04，即 certledger witness init 写出的 witness.key）。",
                    "The witness private key is malformed (expected PRIVATE+KEY+name+keyid+base64 with signature "
                    "type 0x04, as certledger witness init writes witness.key).") from None
    return signer


def parse_witness_key(text: str) -> CosignatureVerifier:
    """A witness's public key (vkey), ``<name>+<key id>+<base64(0x04 || public key)>``."""
    parts = text.strip().split("+", 2)
    try:
        if len(parts) != 3:
            raise ValueError("not a vkey")
        name, kid, raw = parts[0], parts[1], _b64decode(parts[2])
        if not valid_key_name(name) or len(kid) != 8 or len(raw) != 33:
            raise ValueError("malformed")
        if raw[0] != ALG_COSIGNATURE_V1:
            raise _fail(
                f"“{shown_key_name(name)}”不是见证公钥：其签名类型为 0x{raw[0]:02x}，见证（cosignature/v1）公钥应为 0x04。"
                "机构签名检查点用的公钥（0x01）不能用来核验见证签名。",
                f"'{shown_key_name(name)}' is not a witness key: its signature type is 0x{raw[0]:02x}; a witness "
                "(cosignature/v1) key has 0x04. The body's checkpoint key (0x01) cannot check a cosignature.")
        verifier = CosignatureVerifier(name, raw[1:])
        if verifier.key_id.hex() != kid.lower():
            raise ValueError("key id does not match the key")
    except (ValueError, binascii.Error):
        raise _fail("见证公钥格式不正确（应为 名称+密钥号+base64，即 certledger witness init 写出的 witness.pub 的内容）。",
                    "The witness public key is malformed (expected name+keyid+base64, the content of witness.pub "
                    "written by certledger witness init).") from None
    return verifier


# ------------------------------------------------------------------------------- cosignature lines


def _timestamp(when: datetime | int) -> int:
    if isinstance(when, datetime):
        if when.tzinfo is None:
            raise ValueError("a cosignature time must be timezone-aware")
        ts = int(when.timestamp())
    else:
        ts = int(when)
    if not 0 <= ts <= MAX_TIMESTAMP:
        raise ValueError("a cosignature timestamp must be within 0 .. 2^63-1")
    return ts


def cosign(body_text: str, signer: CosignatureSigner, when: datetime | int) -> str:
    """The cosignature line (without a final newline) of ``signer`` on the checkpoint body
    ``body_text`` at ``when`` (an aware datetime, or POSIX seconds; fractions are dropped)."""
    if not body_text.endswith("\n") or "\n\n" in body_text:
        raise ValueError("a checkpoint body has no empty line and ends in a newline (the note without its signatures)")
    ts = _timestamp(when)
    sig = signer.sign(signed_message(body_text, ts))
    blob = signer.verifier.key_id + ts.to_bytes(8, "big") + sig
    return f"{EM_DASH} {signer.name} {base64.b64encode(blob).decode()}"


def add_cosignature(note: str, line: str) -> str:
    """``note`` with the signature line ``line`` appended (a line already on the note is not added
    twice). The note is checked for form, not for any signature."""
    line = line.rstrip("\n")
    if "\n" in line or not line.startswith(EM_DASH + " "):
        raise _fail("见证签名行格式不正确：应为以“— ”开头的单独一行。",
                    "Malformed cosignature line: it must be a single line starting with '— '.")
    split_note(note + line + "\n")  # the result must still be a well-formed note
    if line in note[:-1].split("\n"):
        return note
    return note + line + "\n"


@dataclass(frozen=True)
class Cosignature:
    name: str
    key_id: bytes
    timestamp: int
    signature: bytes

    @property
    def time(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp, timezone.utc)


def parse_cosignature_line(line: str) -> Cosignature:
    """The parts of one cosignature line, checked for form only."""
    line = line.rstrip("\n")
    bad = _fail(f"见证签名行格式不正确：“{line[:80]}”。", f"Malformed cosignature line: '{line[:80]}'.")
    if not line.startswith(EM_DASH + " "):
        raise bad
    name, _, b64 = line[2:].partition(" ")
    try:
        raw = _b64decode(b64)
    except (ValueError, binascii.Error):
        raise bad from None
    if not valid_key_name(name) or len(raw) != SIGNATURE_BYTES:
        raise bad
    ts = int.from_bytes(raw[4:12], "big")
    if ts > MAX_TIMESTAMP:
        raise bad
    return Cosignature(name, raw[:4], ts, raw[12:])


def check_cosignature_line(body_text: str, line: str, witness: CosignatureVerifier) -> datetime | None:
    """The time of ``line`` if it is ``witness``'s valid cosignature on ``body_text``; None if the
    line is another key's; CosignatureError if it is ``witness``'s and does not verify."""
    name, _, _ = line[2:].partition(" ") if line.startswith(EM_DASH + " ") else ("", "", "")
    if name != witness.name:
        return None
    cs = parse_cosignature_line(line)
    if cs.key_id != witness.key_id:
        return None
    if not witness.verify(body_text, cs.timestamp, cs.signature):
        raise _invalid(witness)
    return cs.time


def _invalid(witness: CosignatureVerifier) -> CosignatureError:
    return _fail(
        f"见证 {witness.name}（{witness.key_id.hex()}）的签名无效：检查点正文或签名时间在见证签名后被改动，或签名已损坏。",
        f"The cosignature of witness {witness.name} ({witness.key_id.hex()}) does not verify: the checkpoint body or "
        "the cosignature's time was changed after cosigning, or the signature is corrupt.")


def verify_cosignature(note: str, witness: CosignatureVerifier) -> datetime:
    """The time at which ``witness`` cosigned ``note``: its signature line is found by name and
    key id and checked against the note's body. CosignatureError when the note has no such line or
    a line of that key does not verify. (Only the cosignature is checked: open the note with the
    body's key, note.open_note, to check the body's own signature.) With several lines of the same
    witness, all must verify and the latest time is returned."""
    text, sigs = split_note(note)
    times = []
    for s in sigs:
        if s.name != witness.name or s.key_id != witness.key_id:
            continue
        if len(s.signature) != SIGNATURE_BYTES - 4:
            raise _invalid(witness)
        ts = int.from_bytes(s.signature[:8], "big")
        if ts > MAX_TIMESTAMP or not witness.verify(text, ts, s.signature[8:]):
            raise _invalid(witness)
        times.append(ts)
    if not times:
        names = "、".join(f"{s.name}（{s.key_id.hex()}）" for s in sigs)
        names_en = ", ".join(f"{s.name} ({s.key_id.hex()})" for s in sigs)
        raise _fail(
            f"检查点上没有见证 {witness.name}（{witness.key_id.hex()}）的签名；其上的签名者：{names}。"
            "请向该见证提交检查点（certledger checkpoint 连同见证），或核对见证公钥是否正确。",
            f"The checkpoint carries no cosignature of witness {witness.name} ({witness.key_id.hex()}); it is signed "
            f"by {names_en}. Submit the checkpoint to that witness, or check that the witness key is the right one.")
    return datetime.fromtimestamp(max(times), timezone.utc)
