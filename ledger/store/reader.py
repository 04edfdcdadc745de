"""A read-only snapshot through the database driver alone (no SQLAlchemy, no eventsourcing), as the
backends open it for ``show`` (projections/fastread.py)."""

from __future__ import annotations

from typing import Any


class FastReader:
    """Reads of one snapshot: the last event's position, and any query (``?`` placeholders)."""

    def __init__(self, conn: Any, last_sql: str, mark: str) -> None:
        self.conn, self.last_sql, self.mark = conn, last_sql, mark

    def last_position(self) -> int:
        return int(self.one(self.last_sql)[0] or 0)

    def one(self, sql: str, params: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
        return self.conn.execute(sql.replace("?", self.mark), params).fetchone()
