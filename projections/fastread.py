"""``show`` without SQLAlchemy or eventsourcing, when the summaries read model is already current.

``certledger show USCC`` is the command an administrator types most. Its general path opens the
ledger, catches the read models up and queries them through SQLAlchemy; importing those libraries
is most of its wall time (docs/performance.md). Here, with the database driver alone (the backend's
read-only snapshot, ledger.store: sqlite3, or psycopg for PostgreSQL), in one read transaction:

- the summaries read model's tracking row: its fingerprint must be the code's
  (``summaries_fingerprint``, stdlib only) and its position the last event's;
- then the client's stored summary.

If anything is not so (events not yet applied, a changed schema, a missing table or file, any
database error), ``current_summary`` answers ``None`` and ``client_summary`` (what ``show`` calls)
takes the general path, which catches up (or rebuilds) first and names any problem. A client that is not in a current read model
is not in the ledger: the same NotFound as the general path.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Callable

from aggregates.errors import NotFound

NAME = "summaries"
VERSION = 2  # bump when the rows change without a change to the files below
_HERE = Path(__file__).resolve().parent
# What the stored summaries depend on: the tables' definition, how a projection writes rows, the
# summary itself and its JSON form. A change to any of these files rebuilds the read model.
SOURCES = (_HERE / "tables.py", _HERE / "base.py", _HERE / "summaries.py", _HERE / "jsonish.py",
           _HERE.parent / "ledger" / "views.py")


def summaries_fingerprint() -> str:
    h = hashlib.sha256(f"{NAME}\0{VERSION}\0".encode())
    for path in SOURCES:
        h.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def not_found(uscc: str) -> NotFound:
    return NotFound(
        "ledger: reference exists",
        f"账本中没有统一社会信用代码为 {uscc} 的组织；请先提交申请（application submit）。",
        f"The ledger has no client with USCC {uscc}; submit an application first.",
    )


def current_summary(database: Any, uscc: str) -> dict[str, Any] | None:
    """The client's summary from a current read model; ``None`` when the general path must answer.
    ``uscc`` is already normalised. Raises NotFound when the read model is current and has no such
    client."""
    try:
        with database.backend().fast_reader() as reader:
            if reader is None:  # no ledger file
                return None
            tracked = reader.one("SELECT position, fingerprint FROM rm_tracking WHERE name = ?", (NAME,))
            if tracked is None or tracked[1] != summaries_fingerprint() or int(tracked[0]) != reader.last_position():
                return None
            row = reader.one("SELECT summary FROM rm_client_summaries WHERE uscc = ?", (uscc,))
    except Exception:  # noqa: BLE001 - any doubt: the general path answers (and names the problem)
        return None
    if row is None:
        raise not_found(uscc)
    return json.loads(row[0])


def client_summary(database: Any, client: str, as_of: Any = None, as_recorded: Any = None, *,
                   open_app: Callable[[], Any]) -> dict[str, Any]:
    """What ``certledger show`` prints of a client: from a current summaries read model with the
    driver alone (``current_summary``) when it can; else the ledger is opened (``open_app``), the
    read models caught up (or rebuilt) and queried; with ``as_of`` / ``as_recorded``, the client is
    replayed from the events as it was then."""
    if not (as_of or as_recorded):
        from aggregates.uscc import normalise_uscc

        summary = current_summary(database, normalise_uscc(client))
        if summary is not None:
            return summary
    from projections import queries, read_models

    app = open_app()
    if as_of or as_recorded:
        return queries.client_summary_as_of(app, client, as_of, as_recorded)
    return queries.client_summary(read_models(app, [NAME]), client)
