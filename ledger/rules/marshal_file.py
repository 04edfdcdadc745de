"""The one format of the start-up caches' files (D49): a header naming what the file holds, a seal
of the rest (its CRC-32, or with ``checksum=False`` its length: D65), then ``marshal`` bytes.
``ledger/dataclass_code.py`` (compiled code, beside the bytecode) and ``ledger/rules/toml_cache.py`` (rule files as parsed, in the user's cache folder) both
read and write through here. A file that is missing, damaged, truncated or not ours reads as None
(never an exception); a write goes to a temporary file renamed over the old one, and a folder that
cannot be written leaves things as they were. ``private`` (the TOML cache, which feeds rule data
that only the CRC guards): the folder is made 0700 and the file 0600, and a file that is not this
user's or that others may write reads as None. Standard library only: every command imports it,
``show`` included."""

from __future__ import annotations

import marshal
import os
import stat
import zlib
from pathlib import Path


def read(path: Path | None, header: bytes, private: bool = False, checksum: bool = True) -> object:
    """The unmarshalled content of the file, or None (missing, damaged, truncated, foreign; with
    ``private``, not owned by this user or writable by others). The caller checks its types.
    ``checksum=False``: the seal is the content's length, which finds a truncated file but not a
    changed byte (the trust of a ``.pyc``, which Python reads with no checksum either: D65)."""
    if path is None:
        return None
    try:
        # opened without blocking and checked to be a regular file before it is read: a FIFO or a
        # device put at the cache's path would otherwise hang or feed every command (user trial)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with open(fd, "rb") as fh:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                return None
            if private and (st.st_uid != os.geteuid() or st.st_mode & 0o022):
                return None
            data = fh.read()
    except OSError:
        return None
    head = len(header)
    if len(data) < head + 4 or not data.startswith(header):
        return None
    payload = memoryview(data)[head + 4:]  # not a copy: 0.3-0.5 ms of a fresh process's first dataclass (D54)
    if int.from_bytes(data[head:head + 4], "little") != _seal(payload, checksum):
        return None
    try:
        return marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None


def _seal(payload: bytes | memoryview, checksum: bool) -> int:
    return zlib.crc32(payload) if checksum else len(payload) & 0xFFFFFFFF


def write(path: Path, header: bytes, content: object, private: bool = False, checksum: bool = True) -> bool:
    """Write ``content`` marshalled, atomically (a temporary file renamed over the old one); False,
    nothing left behind, when the folder cannot be written. ``private``: folder 0700, file 0600;
    ``checksum``: sealed with its CRC-32, else with its length (``read``)."""
    payload = marshal.dumps(content)
    seal = _seal(payload, checksum).to_bytes(4, "little")
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        if private:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "wb") as fh:
                os.fchmod(fh.fileno(), 0o600)  # whatever the umask or a leftover file of the name
                fh.write(header + seal + payload)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(header + seal + payload)
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass
        return False
    return True
