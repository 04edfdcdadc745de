"""SHA-256 and uuid5 from the interpreter's own hash modules, not through ``hashlib`` (D68).

``hashlib`` builds its constructors from OpenSSL (``_hashlib``): loading that library costs a
command about 10 million instructions (some 2.5 ms) at its start, for the few digests a command
takes (a client's or a person's id, the holidays file's key, a signing key's fingerprint). CPython
ships SHA-1 and SHA-256 in modules of their own (``_sha1``, and ``_sha256`` up to 3.11 or ``_sha2``
from 3.12), as ``random`` takes its SHA-512 from ``_sha512``; the digests are the same, and
``uuid5`` here is the standard library's (3.11-3.13) with its SHA-1 taken from there (a test
compares both with ``hashlib`` and ``uuid``). ``hashlib``'s where the modules are not built. Each
module is loaded at the first digest, so a command that takes none (``show``) loads none. For
many digests of long inputs (the audit trail's leaves) OpenSSL is faster: ``hashlib`` there."""

from __future__ import annotations

from typing import Any
from uuid import UUID


def sha256(data: bytes = b"") -> Any:
    """A SHA-256 hash object over ``data`` (``hashlib.sha256``'s digests)."""
    try:
        from _sha256 import sha256 as new  # Python 3.11
    except ImportError:  # pragma: no cover - the interpreter's version decides
        try:
            from _sha2 import sha256 as new  # Python 3.12 and later
        except ImportError:
            from hashlib import sha256 as new
    return new(data)


def uuid5(namespace: UUID, name: str) -> UUID:
    """``uuid.uuid5``: the first 16 bytes of SHA-1 over the namespace's bytes and the name in UTF-8."""
    try:
        from _sha1 import sha1
    except ImportError:  # pragma: no cover
        from hashlib import sha1
    return UUID(bytes=sha1(namespace.bytes + name.encode("utf-8")).digest()[:16], version=5)
