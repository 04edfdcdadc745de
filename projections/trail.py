"""The audit-trail index: one row per event (position, client, type, actor, business date, recorded time)."""

from __future__ import annotations

from datetime import timezone
from typing import Any

from projections.base import Batch, Projection, Rows


class AuditTrail(Projection):
    name = "trail"
    table_names = ("rm_audit_trail",)

    COLUMNS = ("position", "uscc", "version", "type", "actor", "occurred_on", "recorded_at")

    @staticmethod
    def values(position: int, ev: Any, uscc: str) -> tuple[Any, ...]:
        """One event's row, as values in the order of ``COLUMNS``."""
        return (position, uscc, ev.originator_version, type(ev).__name__, getattr(ev, "actor", None),
                getattr(ev, "occurred_on", None), ev.timestamp.astimezone(timezone.utc))

    @classmethod
    def row(cls, position: int, ev: Any, uscc: str) -> dict[str, Any]:
        return dict(zip(cls.COLUMNS, cls.values(position, ev, uscc)))

    def build_rows(self, client: Any, events: list[tuple[int, Any]]) -> Rows:
        return {"rm_audit_trail": [self.row(position, ev, client.uscc) for position, ev in events]}

    def batch_rows(self, batch: Batch) -> Rows:
        clients = batch.clients  # a person's event (issue 15) has no client: not in this index
        return {"rm_audit_trail": [self.row(position, ev, clients[ev.originator_id].uscc) for position, ev in batch.events
                                if ev.originator_id in clients]}
