"""Queries on the read models, and the as-of versions computed from replayed events.

Current reads take the engine that ``projections.read_models(app)`` returns after catching up.
Reads at a past business date (``as_of``) or as the ledger knew them at a past moment
(``as_recorded``) replay each client's events through ``CertLedger.client(uscc, as_of=,
as_recorded=)`` and compute the same rows with the same functions the projections use, so the two
cannot disagree about what a row means.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Iterator

from sqlalchemy import Engine, select

from aggregates.errors import NotFound
from aggregates.vocabulary import CERTIFICATE_STATUSES
from projections import tables as t
from projections.fastread import not_found as _not_found
from projections.jsonish import loads
from projections.runner import require_current

REGISTER_STATUSES = tuple(CERTIFICATE_STATUSES)  # 有效 暂停 撤销 注销 过期; "replaced" is not listed


# ---------------------------------------------------------------------------------- show


def client_summary(engine: Engine, uscc: str) -> dict[str, Any]:
    """``ledger.views.client_summary`` of a client, from the read model (dates as ISO strings,
    Decimals as exact strings: what ``show`` and ``show --json`` print is the same)."""
    from aggregates.uscc import normalise_uscc

    code = normalise_uscc(uscc)
    require_current(engine, ["summaries"])
    with engine.connect() as conn:
        text = conn.execute(select(t.client_summaries.c.summary).where(t.client_summaries.c.uscc == code)).scalar()
    if text is None:
        raise _not_found(code)
    return loads(text)


def client_summary_as_of(app: Any, uscc: str, as_of: date | None = None, as_recorded: datetime | None = None) -> dict[str, Any]:
    """The summary as the events imply on a past business date and/or as recorded by a past moment
    (replayed, not read from tables). Before the client existed: NotFound "no such client then"."""
    from ledger.views import client_summary as summarise

    return summarise(app.client(uscc, as_of=as_of, as_recorded=as_recorded))


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


def register(engine: Engine, *, status: str | None = None, uscc: str | None = None, on: date | None = None) -> list[dict[str, Any]]:
    """The certificate register on ``on`` (default today): certificates with one of the five CNCA
    statuses, a lapsed validity reading as expired (projections.register.as_on)."""
    from ledger import clock
    from projections.register import as_on

    require_current(engine, ["register"])
    query = select(t.certificates).where(t.certificates.c.status.in_(REGISTER_STATUSES))
    if uscc:
        from aggregates.uscc import normalise_uscc

        query = query.where(t.certificates.c.uscc == normalise_uscc(uscc))
    query = query.order_by(t.certificates.c.original_issue_on, t.certificates.c.certification_id)
    day = on or clock.today()
    with engine.connect() as conn:
        rows = [as_on(_register_row(r), day) for r in conn.execute(query)]
    return [r for r in rows if not status or r["status"] == status]


def register_as_of(app: Any, engine: Engine, *, as_of: date | None = None, as_recorded: datetime | None = None,
                   status: str | None = None, uscc: str | None = None) -> list[dict[str, Any]]:
    """The register as it stood on a business date / as the ledger knew it at a moment, computed by
    replaying every client (one at a time) with the projection's own row function. For one client
    (``uscc``) that did not exist then: NotFound "no such client then"."""
    from ledger import clock
    from projections.register import as_on, register_rows

    if uscc:
        candidates = [uscc]
    else:
        require_current(engine, ["clients"])
        with engine.connect() as conn:
            candidates = list(conn.execute(select(t.clients.c.uscc).order_by(t.clients.c.uscc)).scalars())
    rows = []
    for code in candidates:
        try:
            client = app.client(code, as_of=as_of, as_recorded=as_recorded)
        except NotFound:
            if uscc:
                raise
            continue  # not registered yet at that date or moment
        day = as_of or (as_recorded.date() if as_recorded else clock.today())
        rows.extend(row for row in (as_on(r, day) for r in register_rows(client) if r["status"] in REGISTER_STATUSES)
                    if not status or row["status"] == status)
    rows.sort(key=lambda r: (r["original_issue_on"], r["certification_id"]))
    return rows


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
    and order as ``ledger.rules.deadlines.open_deadlines`` (which replays every client); the selection
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
