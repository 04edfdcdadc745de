"""The tamper-evident audit trail (001 §12): an RFC 6962 Merkle tree over every stored event in
commit order, signed checkpoints (C2SP signed-note / tlog-checkpoint, Ed25519) and append-only
triggers. See docs/audit-trail.md."""

from ledger.trail.service import (
    CheckpointResult,
    Finding,
    Report,
    install_append_only,
    make_checkpoint,
    verify_trail,
)

__all__ = ["CheckpointResult", "Finding", "Report", "install_append_only", "make_checkpoint", "verify_trail"]
