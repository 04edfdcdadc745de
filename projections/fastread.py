"""``show`` without SQLAlchemy or eventsourcing, when the summaries read model is already current.

``certledger show USCC`` is the command an administrator types most. Its general path opens the
ledger, catches the read models up and queries them through SQLAlchemy; importing those libraries
is most of its wall time (docs/performance.md). Here, with the database driver alone (the backend's
read-only snapshot, ledger.store: sqlite3, or psycopg for PostgreSQL), in one read transaction:

- the summaries read model's tracking row: its fingerprint must be the code's
  (``projections.catalogue``, stdlib only) and its position the last event's;
- then the client's stored summary.

If anything is not so (events not yet applied, a changed schema, a missing table or file, any
database error), ``current_summary`` answers ``None`` and the read facade (projections/read.py)
takes the general path, which catches up (or rebuilds) first and names any problem. A client that
is not in a current read model is not in the ledger: the same NotFound as the general path.
"""

from __future__ import annotations

import json
from typing import Any

from aggregates.errors import no_such_client
from projections.catalogue import fingerprint

NAME = "summaries"


def summaries_fingerprint() -> str:
    return fingerprint(NAME)


def current_summary(database: Any, uscc: str) -> dict[str, Any] | None:
    """The client's summary from a current read model; ``None`` when the general path must answer.
    ``uscc`` is already normalised. Raises NotFound when the read model is current and has no such
    client."""
    try:
        with database.fast_reader() as reader:
            if reader is None:  # no ledger file
                return None
            tracked = reader.one("SELECT position, fingerprint FROM rm_tracking WHERE name = ?", (NAME,))
            if tracked is None or tracked[1] != summaries_fingerprint() or int(tracked[0]) != reader.last_position():
                return None
            row = reader.one("SELECT summary FROM rm_client_summaries WHERE uscc = ?", (uscc,))
    except Exception:  # noqa: BLE001 - any doubt: the general path answers (and names the problem)
        return None
    if row is None:
        raise no_such_client(uscc)
    return json.loads(row[0])
