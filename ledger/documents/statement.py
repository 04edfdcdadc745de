"""The certificate status statement: a few lines of text stating a certificate's status on a day,
signed with the body's Ed25519 key as a C2SP signed note (ledger/trail/note.py), so that anyone
holding the body's public key can check it offline. It is the QR code's payload on a printed
certificate (docs/certificate.md, "The status statement").

    certledger-certificate-status/v1
    number CL-2026-0001
    uscc 91330100716105852F
    status valid
    grade 4STAR
    valid-until 2029-01-20
    as-of 2026-12-06

    — body-key-name base64(key id || Ed25519 signature)

The signature covers the text up to and including the newline before the blank line, byte for
byte (UTF-8). ``status`` is one of valid, suspended, withdrawn, cancelled, expired; ``grade`` is
the scheme's grade code (``-`` when none).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from aggregates.errors import RuleViolation

FORMAT = "certledger-certificate-status/v1"
RULE = "001 §8.1 g certificate status statement"
FIELDS = ("number", "uscc", "status", "grade", "valid-until", "as-of")
STATUSES = ("valid", "suspended", "withdrawn", "cancelled", "expired")
EM_DASH = "\u2014"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Statement:
    number: str
    uscc: str
    status: str
    grade: str | None
    valid_until: date
    as_of: date

    def text(self) -> str:
        values = (self.number, self.uscc, self.status, self.grade or "-", self.valid_until.isoformat(), self.as_of.isoformat())
        return FORMAT + "\n" + "".join(f"{k} {v}\n" for k, v in zip(FIELDS, values))

    def sign(self, signer: Any) -> str:
        """The signed statement (``signer``: ledger.trail.note.Signer)."""
        from ledger.trail.note import sign_note

        for value in (self.number, self.uscc, self.grade or "-"):
            if not value or any(ch.isspace() for ch in value):
                raise RuleViolation(RULE, f"证书状态声明的字段“{value}”为空或含空白字符，无法签名。",
                                    f"The statement's field '{value}' is empty or contains whitespace; it cannot be signed.")
        return sign_note(self.text(), signer)

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "uscc": self.uscc, "status": self.status, "grade": self.grade,
                "valid_until": self.valid_until.isoformat(), "as_of": self.as_of.isoformat()}


def _bad(zh: str, en: str) -> RuleViolation:
    return RuleViolation(RULE, f"证书状态声明未通过验证：{zh}", f"The certificate status statement does not verify: {en}")


def parse(note: str) -> tuple[str, Statement, list[tuple[str, bytes]]]:
    """The signed text, the statement and its signature lines (name, key id || signature); refuses a
    statement that is not in the format, naming what is wrong."""
    note = note.replace("\r\n", "\n")
    if not note.endswith("\n"):
        note += "\n"  # a scanner or a shell may drop the final newline
    split = note.rfind("\n\n")
    if split < 0:
        raise _bad("缺少正文与签名之间的空行（格式见 docs/certificate.md）。",
                   "there is no blank line between the text and the signature (format: docs/certificate.md).")
    text, block = note[: split + 1], note[split + 2:]
    lines = text.split("\n")[:-1]
    if not lines or lines[0] != FORMAT:
        raise _bad(f"第一行应为“{FORMAT}”，不是证书状态声明。", f"the first line must be '{FORMAT}': this is not a certificate status statement.")
    values: dict[str, str] = {}
    for line in lines[1:]:
        key, _, value = line.partition(" ")
        if key not in FIELDS or key in values or not value:
            raise _bad(f"无法识别的行“{line[:60]}”。", f"unrecognised line '{line[:60]}'.")
        values[key] = value
    missing = [k for k in FIELDS if k not in values]
    if missing:
        raise _bad(f"缺少字段 {', '.join(missing)}。", f"the fields {', '.join(missing)} are missing.")
    if values["status"] not in STATUSES:
        raise _bad(f"状态“{values['status']}”不是 {', '.join(STATUSES)} 之一。", f"the status '{values['status']}' is not one of {', '.join(STATUSES)}.")
    try:
        if not (_DATE.match(values["valid-until"]) and _DATE.match(values["as-of"])):
            raise ValueError
        valid_until, as_of = date.fromisoformat(values["valid-until"]), date.fromisoformat(values["as-of"])
    except ValueError:
        raise _bad("valid-until 和 as-of 应为 YYYY-MM-DD 日期。", "valid-until and as-of must be YYYY-MM-DD dates.") from None
    sigs: list[tuple[str, bytes]] = []
    for line in block.split("\n"):
        if not line:
            continue
        name, _, b64 = line[2:].partition(" ")
        try:
            raw = base64.b64decode(b64, validate=True) if line.startswith(EM_DASH + " ") else b""
        except (ValueError, binascii.Error):
            raw = b""
        if not name or len(raw) != 68:
            raise _bad(f"签名行格式不正确：“{line[:60]}”。", f"malformed signature line '{line[:60]}'.")
        sigs.append((name, raw))
    if not sigs:
        raise _bad("没有签名行。", "it has no signature line.")
    grade = None if values["grade"] == "-" else values["grade"]
    return text, Statement(values["number"], values["uscc"], values["status"], grade, valid_until, as_of), sigs


def verify(note: str, verifier: Any) -> Statement:
    """The statement if ``note`` is a statement signed by ``verifier`` (ledger.trail.note.Verifier);
    else RuleViolation naming why: not a statement, signed by another key, or changed after signing."""
    text, statement, sigs = parse(note)
    mine = [raw for name, raw in sigs if name == verifier.name and raw[:4] == verifier.key_id]
    if not mine:
        signed_by = "、".join(f"{name}（{raw[:4].hex()}）" for name, raw in sigs)
        raise _bad(f"它不是由所给公钥 {verifier.name}（{verifier.key_id.hex()}）签名的；签名者：{signed_by}。",
                   f"it is not signed by the given key {verifier.name} ({verifier.key_id.hex()}); signed by "
                   f"{', '.join(f'{n} ({r[:4].hex()})' for n, r in sigs)}.")
    if not all(verifier.verify(text.encode("utf-8"), raw[4:]) for raw in mine):
        raise _bad(f"{verifier.name} 的签名无效：声明的内容在签名后被改动，或签名已损坏。",
                   f"the signature of {verifier.name} is not valid: the statement was changed after it was signed, or the signature is damaged.")
    return statement
