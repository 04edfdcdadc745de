"""C2SP signed notes with Ed25519 keys, and C2SP tlog-checkpoint tree heads.

Key encodings follow golang.org/x/mod/sumdb/note: a signer key is
``PRIVATE+KEY+<name>+<key id, 8 hex>+<base64(0x01 || 32-byte seed)>``, a verifier key is
``<name>+<key id>+<base64(0x01 || 32-byte public key)>``; the key id is the first four bytes of
SHA-256(name || 0x0A || 0x01 || public key). A signed note is the text (ending in a newline), a blank
line, and lines ``— <name> <base64(key id || signature)>``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from aggregates.errors import RuleViolation

ALG_ED25519 = 1
EM_DASH = "\u2014"
_B64 = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")


class NoteError(RuleViolation):
    """A key, note or checkpoint that cannot be used."""


def _fail(what_zh: str, what_en: str) -> NoteError:
    return NoteError("ledger: audit trail checkpoint", what_zh, what_en)


def _b64decode(text: str) -> bytes:
    if not _B64.match(text) or len(text) % 4:
        raise ValueError("not standard base64")
    return base64.b64decode(text, validate=True)


KEY_NAME_RULE_ZH = "C2SP signed-note 规定：密钥名称不能为空，不能含空白字符（包括全角空格）或“+”；中文等任何文字都可以。"
KEY_NAME_RULE_EN = ("C2SP signed-note: a key name must be non-empty and contain no whitespace (Unicode spaces) "
                    "or '+'; any script, Chinese included, is allowed.")


def _code_point(ch: str) -> str:
    import unicodedata

    label = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {label}" if label else "")


def key_name_problem(name: str) -> tuple[str, str] | None:
    """What makes ``name`` unusable as a key name (Chinese, English), or None if it is valid.

    The C2SP signed-note rule: a key name is non-empty, well-formed UTF-8, with no Unicode space
    (White_Space) and no '+'. Any script is allowed (``中国质量认证中心`` is a valid name); the name is
    hashed as its UTF-8 bytes. ASCII control characters are refused too: a signed note must not
    contain them, so a note signed under such a name could never be opened. (``str.isspace`` covers
    every White_Space code point; the few extra ones it matches, U+001C..U+001F, are control
    characters.)
    """
    if not name:
        return "名称为空", "the name is empty"
    for ch in name:
        if 0xD800 <= ord(ch) <= 0xDFFF:
            return "名称不是有效的 UTF-8 文本", "the name is not well-formed UTF-8 text"
        if ch.isspace():
            return f"名称含空白字符 {_code_point(ch)}", f"the name contains the whitespace character {_code_point(ch)}"
        if ord(ch) < 0x20:
            return f"名称含控制字符 {_code_point(ch)}", f"the name contains the control character {_code_point(ch)}"
        if ch == "+":
            return "名称含“+”（“+”用于分隔密钥的各部分）", "the name contains '+' (which separates the parts of a key)"
    return None


def shown_key_name(name: str) -> str:
    """``name`` for a message: spaces, control characters and lone surrogates escaped as \\uXXXX,
    everything else (Chinese included) as it is."""
    return "".join(f"\\u{ord(c):04x}" if c.isspace() or ord(c) < 0x20 or 0xD800 <= ord(c) <= 0xDFFF else c
                   for c in name)


def valid_key_name(name: str) -> bool:
    return key_name_problem(name) is None


def key_id(name: str, public_key: bytes) -> bytes:
    """The first four bytes of SHA-256(UTF-8 name || 0x0A || 0x01 || public key)."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ALG_ED25519]) + public_key).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    name: str
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public_key)

    def encode(self) -> str:
        return f"{self.name}+{self.key_id.hex()}+{base64.b64encode(bytes([ALG_ED25519]) + self.public_key).decode()}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
            return True
        except (InvalidSignature, ValueError):
            return False


@dataclass(frozen=True)
class Signer:
    name: str
    seed: bytes

    @classmethod
    def generate(cls, name: str) -> "Signer":
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

        problem = key_name_problem(name)
        if problem is not None:
            raise _fail(f"密钥名称“{shown_key_name(name)}”无效：{problem[0]}。{KEY_NAME_RULE_ZH}",
                        f"Key name '{shown_key_name(name)}' is invalid: {problem[1]}. {KEY_NAME_RULE_EN}")
        seed = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return cls(name, seed)

    @property
    def verifier(self) -> Verifier:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        pub = Ed25519PrivateKey.from_private_bytes(self.seed).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return Verifier(self.name, pub)

    def encode(self) -> str:
        kid = self.verifier.key_id.hex()
        return f"PRIVATE+KEY+{self.name}+{kid}+{base64.b64encode(bytes([ALG_ED25519]) + self.seed).decode()}"

    def sign(self, message: bytes) -> bytes:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(message)


def parse_signer(text: str) -> Signer:
    parts = text.strip().split("+", 4)
    try:
        if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
            raise ValueError("not a signer key")
        name, kid, raw = parts[2], parts[3], _b64decode(parts[4])
        if not valid_key_name(name) or len(kid) != 8 or len(raw) != 33 or raw[0] != ALG_ED25519:
            raise ValueError("malformed")
        signer = Signer(name, raw[1:])
        if signer.verifier.key_id.hex() != kid.lower():
            raise ValueError("key id does not match the key")
    except (ValueError, binascii.Error):
        raise _fail("签名私钥文件格式不正确（应为 PRIVATE+KEY+名称+密钥号+base64）。",
                    "The signing key is malformed (expected PRIVATE+KEY+name+keyid+base64).") from None
    return signer


def _is_cosignature_key(b64: str) -> bool:
    try:
        raw = _b64decode(b64)
    except (ValueError, binascii.Error):
        return False
    return len(raw) == 33 and raw[0] == 0x04


def parse_verifier(text: str) -> Verifier:
    parts = text.strip().split("+", 2)
    try:
        if len(parts) != 3:
            raise ValueError("not a verifier key")
        name, kid, raw = parts[0], parts[1], _b64decode(parts[2])
        if not valid_key_name(name) or len(kid) != 8 or len(raw) != 33 or raw[0] != ALG_ED25519:
            raise ValueError("malformed")
        verifier = Verifier(name, raw[1:])
        if verifier.key_id.hex() != kid.lower():
            raise ValueError("key id does not match the key")
    except (ValueError, binascii.Error):
        if len(parts) == 3 and _is_cosignature_key(parts[2]):
            raise _fail("所给的是见证方的副署公钥（cosignature/v1），不是认证机构的签名公钥；认证机构的公钥是 certledger keys init 写出的 .pub 文件。",
                        "This is a witness's cosignature key (cosignature/v1), not the body's signing key; the body's key is "
                        "the .pub file certledger keys init writes.") from None
        raise _fail("公钥格式不正确（应为 名称+密钥号+base64，即 certledger keys init 写出的 .pub 文件内容）。",
                    "The public key is malformed (expected name+keyid+base64, the content of the .pub file "
                    "written by certledger keys init).") from None
    return verifier


# ------------------------------------------------------------------------------------ signed note


def sign_note(text: str, signer: Signer) -> str:
    if not text.endswith("\n") or text.endswith("\n\n"):
        raise ValueError("note text must end in exactly one newline")
    sig = signer.sign(text.encode())
    blob = base64.b64encode(signer.verifier.key_id + sig).decode()
    return f"{text}\n{EM_DASH} {signer.name} {blob}\n"


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes
    signature: bytes


def split_note(note: str) -> tuple[str, list[Signature]]:
    """The text and signature lines of a note, checked for form only."""
    if any(ord(c) < 0x20 and c != "\n" for c in note):
        raise _fail("检查点含有控制字符，不是有效的签名记录（C2SP signed-note）。",
                    "The checkpoint contains control characters: it is not a valid signed note (C2SP signed-note).")
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise _fail("检查点格式不正确：缺少正文与签名之间的空行，或未以换行结束。",
                    "The checkpoint is malformed: no blank line between text and signatures, or no final newline.")
    text, block = note[: split + 1], note[split + 2:]
    sigs = []
    for line in block[:-1].split("\n"):
        if not line.startswith(EM_DASH + " "):
            raise _fail(f"检查点的签名行格式不正确：“{line[:60]}”。", f"Malformed signature line in the checkpoint: '{line[:60]}'.")
        name, _, b64 = line[2:].partition(" ")
        try:
            raw = _b64decode(b64)
        except (ValueError, binascii.Error):
            raw = b""
        if not valid_key_name(name) or len(raw) < 5:
            raise _fail(f"检查点的签名行格式不正确：“{line[:60]}”。", f"Malformed signature line in the checkpoint: '{line[:60]}'.")
        sigs.append(Signature(name, raw[:4], raw[4:]))
    if not sigs or len(sigs) > 100:
        raise _fail("检查点没有签名行。", "The checkpoint has no signature lines.")
    return text, sigs


def open_note(note: str, verifier: Verifier) -> str:
    """The text of a note signed by ``verifier``; NoteError if it is not."""
    text, sigs = split_note(note)
    known = [s for s in sigs if s.name == verifier.name and s.key_id == verifier.key_id]
    if not known:
        names = "、".join(f"{s.name}（{s.key_id.hex()}）" for s in sigs)
        names_en = ", ".join(f"{s.name} ({s.key_id.hex()})" for s in sigs)
        raise _fail(
            f"检查点不是由本机构的密钥 {verifier.name}（{verifier.key_id.hex()}）签名的；签名者：{names}。",
            f"The checkpoint is not signed by the body's key {verifier.name} ({verifier.key_id.hex()}); "
            f"it is signed by {names_en}.",
        )
    for s in known:
        if not verifier.verify(text.encode(), s.signature):
            raise _fail(
                f"检查点上 {verifier.name} 的签名无效：正文在签名后被改动，或签名已损坏。",
                f"The signature of {verifier.name} on the checkpoint does not verify: the text was changed "
                "after signing, or the signature is corrupt.",
            )
    return text


# ------------------------------------------------------------------------------------- checkpoint


@dataclass(frozen=True)
class Checkpoint:
    """A C2SP tlog-checkpoint body: origin, tree size, root hash (and optional extension lines)."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(), *self.extensions]
        return "\n".join(lines) + "\n"

    def sign(self, signer: Signer) -> str:
        return sign_note(self.text(), signer)


def parse_checkpoint_text(text: str) -> Checkpoint:
    lines = text.split("\n")[:-1]
    bad = _fail("检查点正文格式不正确（应为：来源行、树大小、base64 根哈希）。",
                "The checkpoint body is malformed (expected: origin line, tree size, base64 root hash).")
    if len(lines) < 3 or not lines[0] or any(not x for x in lines[3:]):
        raise bad
    origin, size_s, root_s = lines[:3]
    if not size_s.isascii() or not size_s.isdigit() or (size_s != "0" and size_s.startswith("0")):
        raise bad
    try:
        root = _b64decode(root_s)
    except (ValueError, binascii.Error):
        raise bad from None
    if len(root) != 32:
        raise bad
    return Checkpoint(origin, int(size_s), root, tuple(lines[3:]))


def open_checkpoint(note: str, verifier: Verifier) -> Checkpoint:
    return parse_checkpoint_text(open_note(note, verifier))


MAX_NOTE_BYTES = 64 * 1024


def read_checkpoint_file(path: str) -> str:
    """The text of a checkpoint file ('-' is standard input); NoteError if it cannot be read as
    one (missing, a folder, too large, not UTF-8 text)."""
    import sys

    shown = "标准输入" if path == "-" else path
    shown_en = "standard input" if path == "-" else path
    try:
        if path == "-":
            raw = sys.stdin.buffer.read(MAX_NOTE_BYTES + 1)
        else:
            with open(path, "rb") as f:
                raw = f.read(MAX_NOTE_BYTES + 1)
    except FileNotFoundError:
        raise _fail(f"找不到检查点文件 {shown}。", f"Checkpoint file {shown_en} does not exist.") from None
    except IsADirectoryError:
        raise _fail(f"{shown} 是文件夹，不是检查点文件。", f"{shown_en} is a folder, not a checkpoint file.") from None
    except OSError as e:
        raise _fail(f"无法读取检查点文件 {shown}：{e.strerror}。", f"Cannot read checkpoint file {shown_en}: {e.strerror}.") from None
    if len(raw) > MAX_NOTE_BYTES:
        raise _fail(f"{shown} 超过 64 KiB，不是检查点（检查点只有几行文本）。",
                    f"{shown_en} is larger than 64 KiB: not a checkpoint (a checkpoint is a few lines of text).")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _fail(f"{shown} 不是 UTF-8 文本，不是检查点。", f"{shown_en} is not UTF-8 text: not a checkpoint.") from None
    if "\r" in text:
        raise _fail(f"{shown} 含有回车符（CRLF 行尾）：签名记录须与签发时逐字节相同，请保存 certledger checkpoint 原样输出的文本。",
                    f"{shown_en} contains carriage returns (CRLF line endings): a signed note must be byte for byte as "
                    "signed; keep the text exactly as certledger checkpoint printed it.")
    # A note ends with exactly one newline; editors and shell redirection often add another.
    return text.rstrip("\n") + "\n" if text.strip() else text
