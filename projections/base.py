"""What a projection is: a name (projections/catalogue.py), its tables, its fingerprint, and the rows
it derives from events. A projection computes rows and nothing else: every source of events (the
log pull, an import's saves, a rebuild, an import's workers) hands its rows to the one writer
(projections/writer.py). It never writes events and never saves an aggregate.

Most read models here are a pure function of one client's state (``rows(client)``): the client is
replayed in memory from its events and its rows replace the ones it had. The audit-trail index is a
function of each event instead (``event_rows``), appended.

Rows are keyed by their table's name (``rm_clients``...), and a projection names its tables
(``table_names``): the rows of a client are computed without SQLAlchemy, so that the catch-up after
a write on SQLite can take the driver alone (``projections.quick``, D41); the SQLAlchemy tables
(``tables``, projections/tables.py) are looked up by name where they are needed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar
from uuid import UUID

from projections import catalogue

Rows = dict[str, list[dict[str, Any]]]  # table name -> rows


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
    table_names: ClassVar[tuple[str, ...]]
    replaces_clients: ClassVar[bool] = False  # rows are a client's: replaced (not appended) when it changes

    @property
    def tables(self) -> tuple[Any, ...]:
        """The SQLAlchemy tables of ``table_names`` (projections/tables.py)."""
        from projections.tables import metadata

        return tuple(metadata.tables[n] for n in self.table_names)

    @property
    def help_zh(self) -> str:
        return catalogue.SPECS[self.name].help_zh

    @property
    def help_en(self) -> str:
        return catalogue.SPECS[self.name].help_en

    def extra_fingerprint(self) -> str:
        """Inputs besides the source files that shape the rows (a calendar package's data, say)."""
        return ""

    def fingerprint(self) -> str:
        return catalogue.fingerprint(self.name, self.extra_fingerprint())

    def batch_rows(self, batch: Batch) -> Rows:  # pragma: no cover - abstract
        """The rows a batch of events gives (for a client projection: its clients' rows, which
        replace theirs)."""
        raise NotImplementedError

    def build_rows(self, client: Any, events: list[tuple[int, Any]]) -> Rows:  # pragma: no cover - abstract
        """A build from nothing (``projections.bulk``): the rows of one client, given its final state
        and all its events with their positions."""
        raise NotImplementedError


class ClientProjection(Projection):
    """Rows that are a function of one client's state: replaced on every change of the client."""

    replaces_clients = True

    def rows(self, client: Any) -> Rows:  # pragma: no cover - abstract
        raise NotImplementedError

    def build_rows(self, client: Any, events: list[tuple[int, Any]]) -> Rows:
        return self.rows(client)

    def batch_rows(self, batch: Batch) -> Rows:
        out: Rows = {table: [] for table in self.table_names}
        for client in batch.clients.values():
            for table, rows in self.rows(client).items():
                out[table].extend(rows)
        return out


def chunks(items: list[Any], size: int = 500) -> Any:
    for i in range(0, len(items), size):
        yield items[i:i + size]
