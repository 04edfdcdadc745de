"""The one road for reads: what the command line (and anyone else) asks of the read models.

Each function chooses its path inside, so that callers never do:

- **fast** (``show`` only): a current summaries read model read with the database driver alone
  (fastread.py), without SQLAlchemy or eventsourcing;
- **general**: the read models caught up (or rebuilt when their code changed) and queried
  (queries.py);
- **replay**: with ``as_of`` (a business date) or ``as_recorded`` (a moment), or ``due`` on a past
  date, each client's events replayed into the same rows (replay.py).

``today`` is the caller's business date (``ledger.clock.today()``): the read models never read a
clock.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Callable, Iterator

from aggregates.errors import RuleViolation
from aggregates.vocabulary import CERTIFICATE_STATUSES
from projections.status import summary_as_on

# The general and replay paths import SQLAlchemy and the library: imported by the functions that
# take them, so that ``show`` on its fast path imports neither (docs/decisions.md D12).


def summary(database: Any, client: str, *, as_of: date | None = None, as_recorded: datetime | None = None,
            open_app: Callable[[], Any], today: date | None = None) -> dict[str, Any]:
    """What ``certledger show`` prints of a client: from a current summaries read model with the
    driver alone when it can; else the ledger is opened (``open_app``), the read models caught up
    and queried; with ``as_of`` / ``as_recorded``, the client replayed as it was then. The
    certificate's status is the one derivation's as of ``as_of`` (or ``today``, the caller's
    business date: a lapsed validity reads as expired, as in the register)."""
    if not (as_of or as_recorded):
        from aggregates.uscc import normalise_uscc
        from projections.fastread import current_summary

        found = current_summary(database, normalise_uscc(client))
        if found is not None:
            return summary_as_on(found, today) if today else found
    from projections import queries, replay
    from projections.runner import read_models

    app = open_app()
    if as_of or as_recorded:
        return replay.summary_as_of(app, client, as_of, as_recorded)
    found = queries.client_summary(read_models(app, ["summaries"]), client)
    return summary_as_on(found, today) if today else found


def read_models_named(names: Any) -> list[dict[str, str]]:
    """The read models named (all when none), each with its description; an unknown name is
    refused listing the known ones (projections/catalogue.py)."""
    from projections.registry import select_projections

    return [{"name": p.name, "zh": p.help_zh, "en": p.help_en} for p in select_projections(names)]


CLIENT_STATUS_BASIS = ("certificate_issued_on", "certificate_valid_until", "certificate_status_changed_on")


def clients(app: Any, today: date | None = None) -> list[dict[str, Any]]:
    """Every client with its stage and certificate, in registration order; with ``today``, the
    certificate's status (and the stage that shows it) as of that day, by the one derivation
    (ledger.rules.lifecycle.certificate_status): a certificate past its validity reads expired
    here as in show and the register."""
    from ledger.rules.lifecycle import certificate_status
    from projections import queries
    from projections.runner import read_models

    rows = queries.clients(read_models(app, ["clients"]))
    for row in rows:
        basis = [row.pop(k) for k in CLIENT_STATUS_BASIS]
        recorded = row["certificate_status"]
        if today is None or recorded is None or None in basis:
            continue
        status = certificate_status({"status": recorded, "issued_on": basis[0], "valid_until": basis[1],
                                     "status_changed_on": basis[2], "certificate_no": row["certificate_no"]}, today) or recorded
        if row["stage"] == recorded:
            row["stage"] = status
        row["certificate_status"] = status
    return rows


def grades(app: Any) -> list[dict[str, Any]]:
    from projections import queries
    from projections.runner import read_models

    return queries.grades(read_models(app, ["grades"]))


def status_key(value: str | None) -> str | None:
    """A certificate status from its key, its CNCA word or its CertSearch word (有效 / valid / Active)."""
    if not value:
        return None
    for key, (zh, en) in CERTIFICATE_STATUSES.items():
        if value.strip().lower() in (key, zh, en.lower()):
            return key
    known = ", ".join(f"{k} ({zh})" for k, (zh, _) in CERTIFICATE_STATUSES.items())
    raise RuleViolation("ledger: vocabulary", f"未知的证书状态“{value}”；可选：{known}。", f"Unknown certificate status '{value}'; choose one of: {known}.")


def register(app: Any, *, today: date, as_of: date | None = None, as_recorded: datetime | None = None,
             status: str | None = None, client: str | None = None) -> list[dict[str, Any]]:
    """The certificate register (IAF CertSearch fields): now, from the read model (a lapsed validity
    reads as expired on ``today``), or as of a business date / recording moment, replayed.
    ``status`` is a key or a CNCA word."""
    from projections import queries, replay
    from projections.runner import read_models

    key = status_key(status)
    engine = read_models(app)
    if as_of is None and as_recorded is None:
        return queries.register(engine, on=today, status=key, uscc=client)
    return replay.register_as_of(app, engine, as_of=as_of, as_recorded=as_recorded, status=key, uscc=client)


def due(app: Any, *, today: date, on: date | None = None, within: int | None = None) -> list[dict[str, Any]]:
    """Every open deadline across all clients on ``on`` (default ``today``), overdue first: from the
    read model, or, for a past date, every client replayed as the events dated up to then imply."""
    from projections import queries, replay
    from projections.runner import read_models

    day = on or today
    if day < today:
        return replay.open_deadlines(app, day, within, as_of=day)  # what was open then
    return queries.open_deadlines(read_models(app, ["deadlines"]), day, within)


def open_nonconformities(app: Any, uscc: str | None = None) -> list[dict[str, Any]]:
    from projections import queries
    from projections.runner import read_models

    return queries.open_nonconformities(read_models(app, ["nonconformities"]), uscc)


def audit_trail(app: Any, **filters: Any) -> Iterator[dict[str, Any]]:
    """The audit-trail index in log order, streamed (``uscc``, ``since``, ``until``)."""
    from projections import queries
    from projections.runner import read_models

    return queries.audit_trail(read_models(app, ["trail"]), **filters)


def check_read_models(app: Any, names: Any = None) -> Any:
    """The read models (all by default) compared with what the events give, row by row, without
    writing anything (``certledger verify --read-models``): a ``projections.check.ReadModelCheck``
    with ``ok``, ``first``, ``differences``, ``total``, ``repair`` (the command) and ``to_dict()``."""
    from projections.check import check

    return check(app, names)


def export_register(rows: list[dict[str, Any]], fmt: str, out: Any) -> int:
    """Write register rows as ``csv`` (UTF-8 with BOM, CRLF: Excel and WPS open it as is) or
    ``jsonl`` to a text stream opened with newline=""; returns the number of certificates."""
    from projections.export import write_csv, write_jsonl

    return (write_csv if fmt == "csv" else write_jsonl)(rows, out)
