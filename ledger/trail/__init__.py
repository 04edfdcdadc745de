"""The tamper-evident audit trail (001 §12): an RFC 6962 Merkle tree over every stored event in
commit order, signed checkpoints (C2SP signed-note / tlog-checkpoint, Ed25519) and append-only
triggers. See docs/audit-trail.md.

The package's names are taken from ``ledger.trail.service`` when first asked for: a command that
only checks a personal signature (``ledger.trail.note``, for ``explain`` and ``history``) does not
import the checkpoint and verify machinery with it (D49)."""

from __future__ import annotations

from typing import Any

__all__ = ["CheckpointResult", "Finding", "Report", "install_append_only", "make_checkpoint", "verify_trail"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from ledger.trail import service

        return getattr(service, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
