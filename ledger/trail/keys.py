"""The body's checkpoint signing key: a file outside the database.

Order: the ``--key`` option, then ``CERTLEDGER_KEY``, then ``signing.key`` beside the default
ledger (``$XDG_DATA_HOME/certledger/signing.key``). The private key file is created with mode 0600
and never overwritten; the public (verifier) key is written beside it as ``<key>.pub``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from aggregates.errors import RuleViolation
from ledger.trail.note import Signer, Verifier, parse_signer, parse_verifier

ENV_KEY = "CERTLEDGER_KEY"
DEFAULT_KEY_NAME = "certledger"
RULE = "ledger: checkpoint signing key"


def default_key_path() -> Path:
    from ledger.config import default_db_path

    return default_db_path().parent / "signing.key"


def resolve_key_path(key: str | os.PathLike[str] | None = None) -> Path:
    raw = str(key or os.environ.get(ENV_KEY) or "").strip()
    return Path(raw).expanduser() if raw else default_key_path()


def public_key_path(key_path: Path) -> Path:
    return key_path.with_name(key_path.name + ".pub")


@dataclass(frozen=True)
class KeyFiles:
    private: Path
    public: Path
    verifier: Verifier


def init_key(key: str | os.PathLike[str] | None = None, name: str = DEFAULT_KEY_NAME) -> KeyFiles:
    """Make a new Ed25519 signing key; refuse if a key file is already there."""
    path = resolve_key_path(key)
    pub = public_key_path(path)
    if path.exists() or pub.exists():
        existing = path if path.exists() else pub
        raise RuleViolation(
            RULE,
            f"密钥文件 {existing} 已存在，不会覆盖：覆盖会使已发布的检查点无法再验证。若确需新密钥，请用 --key 指定另一个路径。",
            f"Key file {existing} already exists and is not overwritten: that would make published "
            "checkpoints unverifiable. For a new key, choose another path with --key.",
        )
    signer = Signer.generate(name)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(signer.encode() + "\n")
        os.chmod(path, 0o600)
        fd = os.open(pub, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(signer.verifier.encode() + "\n")
    except FileExistsError:
        raise RuleViolation(RULE, f"密钥文件 {path} 已存在，不会覆盖。", f"Key file {path} already exists and is not overwritten.") from None
    except OSError as e:
        raise RuleViolation(RULE, f"无法写入密钥文件 {path}：{e.strerror}。", f"Cannot write key file {path}: {e.strerror}.") from None
    return KeyFiles(path, pub, signer.verifier)


def _read(path: Path, what_zh: str, what_en: str) -> str:
    try:
        return path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise RuleViolation(
            RULE,
            f"找不到{what_zh} {path}：请先运行 certledger keys init，或用 --key / CERTLEDGER_KEY 指定密钥文件。",
            f"No {what_en} at {path}: run certledger keys init first, or name the key file with --key / CERTLEDGER_KEY.",
        ) from None
    except (OSError, UnicodeDecodeError) as e:
        reason = getattr(e, "strerror", None) or str(e)
        raise RuleViolation(RULE, f"无法读取{what_zh} {path}：{reason}。", f"Cannot read {what_en} {path}: {reason}.") from None


def load_signer(key: str | os.PathLike[str] | None = None) -> Signer:
    path = resolve_key_path(key)
    signer = parse_signer(_read(path, "签名私钥", "signing key"))
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise RuleViolation(
            RULE,
            f"签名私钥 {path} 的权限为 {mode:o}，其他用户可读；请执行 chmod 600 {path}。",
            f"Signing key {path} has mode {mode:o} and is readable by others; run chmod 600 {path}.",
        )
    return signer


def load_verifier(public_key: str | None = None, key: str | os.PathLike[str] | None = None) -> Verifier:
    """The body's public key: given as text or a file, else ``<key>.pub``, else derived from the
    private key file."""
    if public_key:
        if "+" in public_key and not Path(public_key).exists():
            return parse_verifier(public_key)
        return parse_verifier(_read(Path(public_key).expanduser(), "公钥文件", "public key file"))
    path = resolve_key_path(key)
    pub = public_key_path(path)
    if pub.exists():
        return parse_verifier(_read(pub, "公钥文件", "public key file"))
    return parse_signer(_read(path, "签名密钥", "signing key")).verifier
