"""Where the audit trail meets the database, the parts both backends share: the trail's own tables
(checkpoints, leaf hashes, the ledger's origin), the rows it reads, and the readers of stored leaf
hashes. Each backend (ledger/store/sqlite.py, postgres.py) reads events in commit order straight
from the event store's table through the application's own connection pool (one read
transaction, rows as tuples: several times faster than ``select_notifications``, which builds a
UUID and an object per row) and installs the append-only triggers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from aggregates.errors import RuleViolation

BATCH = 5000
CHECKPOINTS = "trail_checkpoints"
LEAVES = "trail_leaves"
META = "trail_meta"
# Each client's head as of the latest checkpoint (ledger/trail/heads.py): a cache the next checkpoint
# extends, checked against the heads root that checkpoint signed; updated in place, so no
# append-only trigger (an altered row is found, not trusted).
HEADS = "trail_heads"
# What third parties said of a checkpoint after it was signed (ledger/trail/attest.py): a witness's
# C2SP cosignature line (kind "cosignature", the line as UTF-8) or an RFC 3161 time stamp token
# (kind "timestamp", the DER TimeStampResp). Append-only like the checkpoints.
ATTESTATIONS = "trail_attestations"
# The tables the append-only triggers guard besides the events.
GUARDED = (CHECKPOINTS, LEAVES, META, ATTESTATIONS)
REFUSAL = "certledger: the audit trail is append-only (001 §12); record a correcting event instead"

# (position, originator id (16 bytes; on SQLite its 32 hex digits), version, topic, state)
EventRow = tuple[int, "bytes | str", int, str, bytes]


@dataclass(frozen=True)
class StoredCheckpoint:
    id: int
    size: int
    root: bytes
    note: str
    nodes: list[bytes]
    created_at: str


@dataclass(frozen=True)
class StoredAttestation:
    id: int
    checkpoint_id: int
    kind: str  # "cosignature" or "timestamp"
    body: bytes
    created_at: str


# (leaf index, position, originator id, version, leaf hash)
LeafRow = tuple[int, int, bytes, int, bytes]


class AppendOnlyNotInstalled(RuleViolation):
    pass


def split_nodes(blob: bytes) -> list[bytes]:
    return [bytes(blob[i:i + 32]) for i in range(0, len(blob), 32)]


class TrailStore:
    kind = ""
    gaps_expected = False
    hex_ids = False  # whether event rows carry the originator id as hex text

    def __init__(self, app: Any) -> None:
        self.app = app
        self.recorder = app.recorder
        self.datastore = app.recorder.datastore
        self.events_table = app.recorder.events_table_name

    def committed_horizon(self, timeout: float, poll: float = 0.005) -> int | None:
        """The highest notification id below which no event can still appear (PostgreSQL overrides
        this: see docs/audit-trail.md, "Positions and gaps"). SQLite commits one writer at a time
        and numbers events as it commits them, so the highest id committed is the horizon."""
        return self.recorder.max_notification_id() or 0


class NoLeaves:
    """The leaf reader of a ledger whose leaves table is gone."""

    rows: list[Any] = []

    def take(self, k: int) -> list[bytes]:
        return []

    def rest(self) -> Iterator[list[bytes]]:
        return iter(())


class LeafReader:
    """Stored leaf hashes in leaf-index order, taken in step with the events."""

    def __init__(self, cur: Any) -> None:
        self.cur = cur
        self.rows: list[Any] = []  # the rows last taken: (hash, leaf index, position, client id, version)

    def take(self, k: int) -> list[bytes]:
        self.rows = self.cur.fetchmany(k) if k > 0 else []
        return [r[0] for r in self.rows]

    def rest(self) -> Iterator[list[bytes]]:
        while rows := self.cur.fetchmany(BATCH):
            yield [r[0] for r in rows]
