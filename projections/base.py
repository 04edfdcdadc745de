"""What a projection is: a name, its tables, a fingerprint, and how it applies a batch of events.

A projection never writes events and never saves an aggregate. Most read models here are a pure
function of one client's state (``rows(client)``): the runner replays each client in memory from
its events and the projection replaces that client's rows. The audit-trail index is a function of
each event instead.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, ClassVar, Iterable
from uuid import UUID

from sqlalchemy import Connection, Table

from projections.db import insert_rows
from projections.tables import digest, shape

CHUNK = 500  # keys per DELETE ... IN (...)


@dataclass
class Batch:
    """Events read from the notification log, in order, and each client's state after its last one."""

    events: list[tuple[int, Any]] = field(default_factory=list)  # (notification id, domain event)
    clients: dict[UUID, Any] = field(default_factory=dict)

    @property
    def last_position(self) -> int:
        return self.events[-1][0]

    def after(self, position: int) -> "Batch":
        """The part of the batch a projection at ``position`` has not applied yet."""
        if not self.events or self.events[0][0] > position:
            return self
        events = [(p, e) for p, e in self.events if p > position]
        touched = {e.originator_id for _, e in events}
        return Batch(events, {k: v for k, v in self.clients.items() if k in touched})


class Projection:
    name: ClassVar[str]
    version: ClassVar[int] = 1  # bump when the rows change without a change of tables
    tables: ClassVar[tuple[Table, ...]]
    help_zh: ClassVar[str]
    help_en: ClassVar[str]

    def extra_fingerprint(self) -> str:
        """Inputs besides the events that shape the rows (a calendar, say)."""
        return ""

    def fingerprint(self) -> str:
        return digest(self.name, str(self.version), shape(*self.tables), self.extra_fingerprint())

    def apply(self, conn: Connection, batch: Batch) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def build_rows(self, client: Any, events: list[tuple[int, Any]]) -> dict[Table, list[dict[str, Any]]]:
        """A bulk build (``projections.bulk``): the rows of one client, given its final state and
        all its events with their positions, for tables that start empty."""
        raise NotImplementedError  # pragma: no cover - abstract


class ClientProjection(Projection):
    """Rows that are a function of one client's state: replace the client's rows on every change."""

    def rows(self, client: Any) -> dict[Table, list[dict[str, Any]]]:  # pragma: no cover - abstract
        raise NotImplementedError

    def build_rows(self, client: Any, events: list[tuple[int, Any]]) -> dict[Table, list[dict[str, Any]]]:
        return self.rows(client)

    def apply(self, conn: Connection, batch: Batch) -> None:
        usccs = [c.uscc for c in batch.clients.values()]
        for table in self.tables:
            for i in range(0, len(usccs), CHUNK):
                conn.execute(table.delete().where(table.c.uscc.in_(usccs[i:i + CHUNK])))
        out: dict[Table, list[dict[str, Any]]] = defaultdict(list)
        for client in batch.clients.values():
            for table, rows in self.rows(client).items():
                out[table].extend(rows)
        for table, rows in out.items():
            insert_rows(conn, table, rows)


def chunks(items: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
