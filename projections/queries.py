"""The general path of reads: queries on the read models' tables, through SQLAlchemy.

They take the engine that ``projections.read_models(app)`` returns after catching up, and refuse a
read model whose fingerprint is not the code's. Readers call the facade (projections/read.py),
which chooses between this path, the driver-only path for ``show`` (fastread.py) and replaying
the events for a past date or moment (replay.py).
"""

from __future__ import annotations

from datetime import date, timezone
from typing import Any, Iterator

from sqlalchemy import Engine, select

from aggregates.errors import no_such_client
from aggregates.vocabulary import CERTIFICATE_STATUSES
from projections import tables as t
from projections.jsonish import loads
from projections.register import as_on
from projections.runner import require_current

REGISTER_STATUSES = tuple(CERTIFICATE_STATUSES)  # 有效 暂停 撤销 注销 过期; "replaced" is not listed


# ---------------------------------------------------------------------------------- show


def client_summary(engine: Engine, uscc: str) -> dict[str, Any]:
    """``projections.summaries.client_summary`` of a client, from the read model (dates as ISO strings,
    Decimals as exact strings: what ``show`` and ``show --json`` print is the same)."""
    from aggregates.uscc import normalise_uscc

    code = normalise_uscc(uscc)
    require_current(engine, ["summaries"])
    with engine.connect() as conn:
        text = conn.execute(select(t.client_summaries.c.summary).where(t.client_summaries.c.uscc == code)).scalar()
    if text is None:
        raise no_such_client(code)
    return loads(text)


# ---------------------------------------------------------------------------------- clients and grades


def clients(engine: Engine) -> list[dict[str, Any]]:
    require_current(engine, ["clients"])
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(t.clients).order_by(t.clients.c.registered_on, t.clients.c.uscc))]


def grades(engine: Engine) -> list[dict[str, Any]]:
    """Each client's grade in force and the latest decision's score (Decimals as exact strings)."""
    require_current(engine, ["grades"])
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(t.grades).order_by(t.grades.c.uscc))]


# ---------------------------------------------------------------------------------- register


def _register_row(r: Any) -> dict[str, Any]:
    row = dict(r._mapping)
    row["sites"] = loads(row["sites"])
    return row


def register(engine: Engine, *, on: date, status: str | None = None, uscc: str | None = None) -> list[dict[str, Any]]:
    """The certificate register on ``on`` (the caller's today, say): certificates with one of the
    five CNCA statuses, a lapsed validity reading as expired (projections.register.as_on)."""
    require_current(engine, ["register"])
    query = select(t.certificates).where(t.certificates.c.status.in_(REGISTER_STATUSES))
    if uscc:
        from aggregates.uscc import normalise_uscc

        query = query.where(t.certificates.c.uscc == normalise_uscc(uscc))
    query = query.order_by(t.certificates.c.original_issue_on, t.certificates.c.certification_id)
    with engine.connect() as conn:
        rows = [as_on(_register_row(r), on) for r in conn.execute(query)]
    return [r for r in rows if not status or r["status"] == status]


# ---------------------------------------------------------------------------------- open items


def open_nonconformities(engine: Engine, uscc: str | None = None) -> list[dict[str, Any]]:
    require_current(engine, ["nonconformities"])
    query = select(t.open_nonconformities).order_by(t.open_nonconformities.c.raised_on, t.open_nonconformities.c.uscc, t.open_nonconformities.c.nc_id)
    if uscc:
        from aggregates.uscc import normalise_uscc

        query = query.where(t.open_nonconformities.c.uscc == normalise_uscc(uscc))
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def open_deadlines(engine: Engine, on: date, within: int | None = None) -> list[dict[str, Any]]:
    """Every open deadline across all clients on date ``on``, from the read model: the same rows
    and order as ``projections.replay.open_deadlines`` (which replays every client); the selection
    is ``ledger.rules.deadlines.select_open``."""
    from ledger.rules.deadlines import select_open

    require_current(engine, ["deadlines"])
    rows = []
    with engine.connect() as conn:
        for text in conn.execute(select(t.open_deadlines.c.row)).scalars():
            row = loads(text)
            for key in ("since", "due"):
                if isinstance(row.get(key), str):
                    row[key] = date.fromisoformat(row[key])
            rows.append(row)
    return select_open(rows, on, within)


# ---------------------------------------------------------------------------------- audit trail


def audit_trail(engine: Engine, *, uscc: str | None = None, since: date | None = None, until: date | None = None,
                batch: int = 5000) -> Iterator[dict[str, Any]]:
    """The audit-trail index in log order, streamed (business dates ``since``..``until`` inclusive)."""
    require_current(engine, ["trail"])
    query = select(t.audit_trail).order_by(t.audit_trail.c.position)
    if uscc:
        from aggregates.uscc import normalise_uscc

        query = query.where(t.audit_trail.c.uscc == normalise_uscc(uscc))
    if since:
        query = query.where(t.audit_trail.c.occurred_on >= since)
    if until:
        query = query.where(t.audit_trail.c.occurred_on <= until)
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=batch).execute(query)
        for r in result:
            row = dict(r._mapping)
            if row["recorded_at"].tzinfo is None:  # SQLite keeps no zone: the runner stored UTC
                row["recorded_at"] = row["recorded_at"].replace(tzinfo=timezone.utc)
            yield row
