"""The body's checkpoint signing key: a file outside the database.

Order: the ``--key`` option, then ``CERTLEDGER_KEY``, then ``signing.key`` beside the default
ledger (``$XDG_DATA_HOME/certledger/signing.key``). The private key file is created with mode 0600
and never overwritten; the public (verifier) key is written beside it as ``<key>.pub``. Both are
UTF-8 text (a key name may be Chinese) and are written atomically.
"""

from __future__ import annotations

import errno
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aggregates.errors import RuleViolation
from ledger.trail.note import (
    KEY_NAME_RULE_EN,
    KEY_NAME_RULE_ZH,
    Signer,
    Verifier,
    key_name_problem,
    parse_signer,
    parse_verifier,
    shown_key_name,
)

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


def check_key_name(name: str) -> None:
    """Refuse a key name the C2SP signed-note format does not allow, before anything is written."""
    problem = key_name_problem(name)
    if problem is not None:
        raise RuleViolation(
            RULE,
            f"密钥名称“{shown_key_name(name)}”无效：{problem[0]}。{KEY_NAME_RULE_ZH}未写入任何文件。",
            f"Key name '{shown_key_name(name)}' is invalid: {problem[1]}. {KEY_NAME_RULE_EN} No file was written.",
        )


def _already_exists(path: Path) -> RuleViolation:
    return RuleViolation(
        RULE,
        f"密钥文件 {path} 已存在，不会覆盖：覆盖会使已发布的检查点无法再验证。若确需新密钥，请用 --key 指定另一个路径。",
        f"Key file {path} already exists and is not overwritten: that would make published "
        "checkpoints unverifiable. For a new key, choose another path with --key.",
    )


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not possible on every platform; the file itself is already on disk
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Create ``path`` holding ``data``, all or nothing, never replacing an existing file.

    The bytes go to a temporary file in the same folder (created owner-only), are flushed to disk,
    get their final mode, and only then appear under ``path``: by a hard link, which fails if
    ``path`` exists. A crash or error leaves at most the temporary file's removal undone, never an
    empty or partial key file. Where the file system has no hard links (FAT on a USB stick), the
    file is renamed into place after checking that ``path`` does not exist."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, mode)
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError as e:
            if e.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EMLINK):
                raise
            if path.exists():
                raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path)) from None
            os.replace(tmp, path)
    finally:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
    _fsync_dir(path.parent)


def init_key(key: str | os.PathLike[str] | None = None, name: str = DEFAULT_KEY_NAME) -> KeyFiles:
    """Make a new Ed25519 signing key; refuse if a key file is already there.

    The name is checked first (any script, Chinese included, under the C2SP signed-note rule) and
    each file is written atomically, so a refusal or an error leaves no key file behind: if the
    public key cannot be written, the private key just written is removed again."""
    check_key_name(name)
    path = resolve_key_path(key)
    pub = public_key_path(path)
    if path.exists() or pub.exists():
        raise _already_exists(path if path.exists() else pub)
    signer = Signer.generate(name)
    private_text = (signer.encode() + "\n").encode("utf-8")
    public_text = (signer.verifier.encode() + "\n").encode("utf-8")
    written: Path | None = None
    current = path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_new(path, private_text, 0o600)
        written = path
        current = pub
        _write_new(pub, public_text, 0o644)
    except BaseException as e:
        if written is not None:
            written.unlink(missing_ok=True)
        if isinstance(e, FileExistsError):
            raise _already_exists(current) from None
        if isinstance(e, OSError):
            reason = e.strerror or str(e)
            raise RuleViolation(
                RULE,
                f"无法写入密钥文件 {current}：{reason}。未留下任何密钥文件。",
                f"Cannot write key file {current}: {reason}. No key file was left behind.",
            ) from None
        raise
    return KeyFiles(path, pub, signer.verifier)


def _read(path: Path, what_zh: str, what_en: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
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


def load_witness_key(value: str) -> Any:
    """A witness's cosignature key (C2SP vkey, algorithm 0x04), given as text or as its file."""
    from ledger.trail.cosignature import parse_witness_key

    if "+" in value and not Path(value).expanduser().exists():
        return parse_witness_key(value)
    path = Path(value).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RuleViolation("001 §12 audit trail: witness", f"找不到见证方公钥文件 {path}：请给出见证方提供的公钥（certledger witness init 写出的 witness.pub），或直接给出其文本。",
                            f"No witness key file at {path}: give the key the witness provides (the witness.pub certledger "
                            "witness init writes), or its text.") from None
    except (OSError, UnicodeDecodeError):
        raise RuleViolation("001 §12 audit trail: witness", f"无法读取见证方公钥文件 {path}：它不是文本文件。",
                            f"Cannot read the witness key file {path}: it is not a text file.") from None
    return parse_witness_key(text)


def load_tsa_chain(path: str) -> bytes:
    """The time-stamping authority's certificate chain (PEM) from its file."""
    try:
        return Path(path).expanduser().read_bytes()
    except FileNotFoundError:
        raise RuleViolation("001 §12 audit trail: time stamp", f"找不到时间戳服务的证书链文件 {path}：请给出 TSA 发布的 PEM 证书链（TSA 证书在前，根 CA 证书在后）。",
                            f"No time-stamping authority chain file at {path}: give the PEM chain the TSA publishes (the TSA "
                            "certificate first, the root CA certificate last).") from None
    except OSError as e:
        raise RuleViolation("001 §12 audit trail: time stamp", f"无法读取时间戳服务的证书链文件 {path}：{e.strerror}。",
                            f"Cannot read the time-stamping authority chain file {path}: {e.strerror}.") from None
