"""The audit-trail index: one row per event (position, client, type, actor, business date, recorded time)."""

from __future__ import annotations

from datetime import timezone
from typing import Any

from sqlalchemy import Connection

from projections import tables as t
from projections.base import Batch, Projection
from projections.db import insert_rows


class AuditTrail(Projection):
    name = "trail"
    tables = (t.audit_trail,)
    help_zh = "审计追踪索引：每个事件的序号、组织、类型、操作人、业务日期、记录时间"
    help_en = "audit-trail index: each event's position, client, type, actor, business date, recorded time"

    COLUMNS = ("position", "uscc", "version", "type", "actor", "occurred_on", "recorded_at")

    @staticmethod
    def values(position: int, ev: Any, uscc: str) -> tuple[Any, ...]:
        """One event's row, as values in the order of ``COLUMNS``."""
        return (position, uscc, ev.originator_version, type(ev).__name__, getattr(ev, "actor", None),
                getattr(ev, "occurred_on", None), ev.timestamp.astimezone(timezone.utc))

    @classmethod
    def row(cls, position: int, ev: Any, uscc: str) -> dict[str, Any]:
        return dict(zip(cls.COLUMNS, cls.values(position, ev, uscc)))

    def build_rows(self, client: Any, events: list[tuple[int, Any]]) -> dict[Any, list[dict[str, Any]]]:
        return {t.audit_trail: [self.row(position, ev, client.uscc) for position, ev in events]}

    def apply(self, conn: Connection, batch: Batch) -> None:
        insert_rows(conn, t.audit_trail, [self.row(position, ev, batch.clients[ev.originator_id].uscc) for position, ev in batch.events])
