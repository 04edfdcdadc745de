"""Reads at a past business date (``as_of``) or as the ledger knew them at a past moment
(``as_recorded``): each client's events replayed through ``CertLedger.client(uscc, as_of=,
as_recorded=)`` into the same rows, computed by the same functions the projections use, so a table
read and a replay cannot disagree about what a row means. The read facade (projections/read.py)
chooses this path; nothing here writes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Callable, Iterator

from aggregates.errors import NotFound
from projections import queries
from projections.register import as_on, register_rows
from projections.summaries import client_summary


def summary_as_of(app: Any, uscc: str, as_of: date | None = None, as_recorded: datetime | None = None) -> dict[str, Any]:
    """``show`` as the events imply on a past business date and/or as recorded by a past moment.
    Before the client existed: NotFound "no such client then". The certificate's status is the one
    derivation's as of that day (ledger.rules.certificate_status.certificate_status)."""
    from projections.status import summary_as_on

    day = as_of or as_recorded.date()  # type: ignore[union-attr]
    return summary_as_on(client_summary(app.client(uscc, as_of=as_of, as_recorded=as_recorded)), day)


def register_as_of(app: Any, engine: Any, *, as_of: date | None = None, as_recorded: datetime | None = None,
                   status: str | None = None, uscc: str | None = None) -> list[dict[str, Any]]:
    """The register as it stood on a business date / as the ledger knew it at a moment, every
    client replayed one at a time. For one client (``uscc``) that did not exist then: NotFound "no
    such client then"; in the whole register such a client is simply absent."""
    assert as_of is not None or as_recorded is not None
    candidates = [uscc] if uscc else sorted(r["uscc"] for r in queries.clients(engine))
    day = as_of or as_recorded.date()  # type: ignore[union-attr]
    rows = []
    for code in candidates:
        try:
            client = app.client(code, as_of=as_of, as_recorded=as_recorded)
        except NotFound:
            if uscc:
                raise
            continue  # not registered yet at that date or moment
        rows.extend(row for row in (as_on(r, day, client.suspensions) for r in register_rows(client) if r["status"] in queries.REGISTER_STATUSES)
                    if not status or row["status"] == status)
    rows.sort(key=lambda r: (r["original_issue_on"], r["certification_id"]))
    return rows


def open_deadlines(app: Any, on: date, within: int | None = None, *, calendar: Any = None,
                   procedures: dict[str, Any] | None = None, as_of: date | None = None,
                   keep: Callable[[Any], bool] | None = None) -> list[dict[str, Any]]:
    """Every open deadline across all clients on ``on``, every client replayed (the read model gives
    the same rows from a table: ``queries.open_deadlines``). ``procedures`` maps a procedure id to a
    replacement (a stricter surveillance interval, say); ``as_of`` replays each client as the events
    dated up to that day imply (the deadlines that were open then); ``keep`` (the replayed client)
    leaves out the clients it says no to (``due``'s filters: projections/finding.py)."""
    from ledger.rules.calendar import Calendar
    from ledger.rules.deadlines import client_deadlines, select_open
    from ledger.rules.procedures import procedure_for

    cal = calendar or Calendar()

    def rows() -> Iterator[dict[str, Any]]:
        for c in app.clients():
            if as_of is not None:
                try:
                    c = app.client(c.uscc, as_of=as_of)
                except NotFound:
                    continue  # not a client yet on that day
            if keep is not None and not keep(c):
                continue
            p = procedure_for(c.scheme_id)
            if procedures and p.id in procedures:
                p = procedures[p.id]
            for r in client_deadlines(c, cal, procedure=p):
                yield {"uscc": c.uscc, "client_name": c.name, **r}

    return select_open(rows(), on, within)
