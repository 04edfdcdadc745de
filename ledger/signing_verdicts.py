"""Ed25519 verdicts remembered for the signatures a command shows (D66): ``explain`` of a signed
decision, ``history`` and ``show`` check every signature they show (D46), and importing
``cryptography`` to do so (its compiled bindings) cost ``explain`` about 7 ms at every start.

What is remembered is one pure function's answer: that Ed25519 accepted *this* signature by *this*
public key over *this* message, kept as a SHA-256 digest of the three (and of the library's version)
once ``cryptography`` said yes. The message is the statement ``check_one`` rebuilds at every check
from the events as stored now (ledger/signing_verify.py), and every other check of a signature (the
key registered to the signer, its fingerprint, its validity on the act's day) still runs each time:
an event altered after signing gives another message, so another digest, so ``cryptography`` checks
it again and the signature reads "cannot be verified". A "no" is never remembered.

Only the checks whose verdict a command shows read it (``ledger/signing_shown.py``); ``verify`` and
``verify-bundle``, an inspector's proof, check every signature with the library. The file,
``signatures-<cache tag>.marshal`` in the user's cache folder, has the TOML cache's trust (D49:
``marshal_file.py``'s format, the folder 0700, the file 0600, read as absent when another user owns
it or others may write it): a digest in it makes this user's own commands show a signature as
checked, which whoever can write the file could do as well by running code of their own; someone
who can alter the ledger's events (a database administrator, another user of a shared SQLite file)
cannot write it. At most ``CAP`` verdicts are kept (the ones found last)."""

from __future__ import annotations

import marshal
import sys
from pathlib import Path

from aggregates.digests import sha256
from ledger.rules import marshal_file

CAP = 2000  # verdicts kept (one per signature shown; a decision's, a certificate's...)
_HEADER = b"certledger ed25519 verdicts\n" + bytes([marshal.version])
_held: dict[bytes, int] | None = None


def _file() -> Path | None:
    from ledger.rules.cache_dir import cache_dir

    try:
        return cache_dir() / f"signatures-{sys.implementation.cache_tag}.marshal"
    except RuntimeError:  # no home folder
        return None


def _digest(public_key: bytes, message: bytes, signature: bytes) -> bytes:
    import cryptography  # the package's version only (not its bindings): a verdict is this library's

    h = sha256(b"certledger ed25519 verified\n" + cryptography.__version__.encode() + b"\n")
    for part in (public_key, signature, message):
        h.update(b"%d\n" % len(part))
        h.update(part)
    return h.digest()


def _verdicts() -> dict[bytes, int]:
    global _held
    if _held is None:
        found = marshal_file.read(_file(), _HEADER, private=True)
        _held = found if isinstance(found, dict) else {}
    return _held


def verified(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Whether the Ed25519 ``signature`` by ``public_key`` over ``message`` verifies: remembered if
    ``cryptography`` said so before, else asked (and a yes remembered)."""
    key = _digest(public_key, message, signature)
    held = _verdicts()
    if held.get(key) == 1:
        return True
    from ledger.trail.note import Verifier

    if not Verifier("person", public_key).verify(message, signature):
        return False
    path = _file()
    if path is not None:
        again = marshal_file.read(path, _HEADER, private=True)  # another command's verdicts since this one read them
        merged = dict(again) if isinstance(again, dict) else {}
        merged.update(held)
        merged.pop(key, None)
        merged[key] = 1
        while len(merged) > CAP:
            del merged[next(iter(merged))]
        marshal_file.write(path, _HEADER, merged, private=True)
        held.clear()
        held.update(merged)
    return True
