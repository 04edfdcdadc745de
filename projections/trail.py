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

    @staticmethod
    def row(position: int, ev: Any, uscc: str) -> dict[str, Any]:
        return {"position": position, "uscc": uscc, "version": ev.originator_version, "type": type(ev).__name__,
                "actor": getattr(ev, "actor", None), "occurred_on": getattr(ev, "occurred_on", None),
                "recorded_at": ev.timestamp.astimezone(timezone.utc)}

    def build_rows(self, client: Any, events: list[tuple[int, Any]]) -> dict[Any, list[dict[str, Any]]]:
        return {t.audit_trail: [self.row(position, ev, client.uscc) for position, ev in events]}

    def apply(self, conn: Connection, batch: Batch) -> None:
        insert_rows(conn, t.audit_trail, [self.row(position, ev, batch.clients[ev.originator_id].uscc) for position, ev in batch.events])
