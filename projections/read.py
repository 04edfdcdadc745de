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
from aggregates.vocabulary import CERTIFICATE_STATUSES, code_of
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


def find(listing: str, **options: Any) -> Any:
    """What a listing (``clients`` or ``due``) keeps, how it sorts and how many it shows, from the
    options as typed (projections/finding.py): scheme, stage, status, grade, kind (due), name,
    client, overdue (due), sort (``-field`` descending), limit; a value that is not a choice is
    refused naming the option and listing the choices."""
    from projections.finding import find as build

    return build(listing, **options)


def sort_fields(listing: str) -> tuple[str, ...]:
    """The fields a listing (``clients`` or ``due``) sorts by."""
    from projections.finding import SORTS

    return SORTS[listing]


def choices(listing: str) -> dict[str, Any]:
    """The closed choices of a listing's filters by option: {option: {code: (zh, en)}}."""
    from projections.finding import choices as table

    return table(listing)


def clients(app: Any, today: date | None = None, find: Any = None) -> list[dict[str, Any]]:
    """The clients with their stage and certificate, in registration order, or as ``find`` says
    (``read.find("clients", ...)``: filters, sort, limit); with ``today``, the certificate's status
    (and the stage that shows it) as of that day, by the one derivation
    (ledger.rules.certificate_status.certificate_status): a certificate past its validity reads expired
    here as in show and the register."""
    from projections import finding
    from projections.runner import read_models

    return finding.clients(read_models(app, ["clients"]), today, find or finding.Find("clients"))


def grades(app: Any) -> list[dict[str, Any]]:
    from projections import queries
    from projections.runner import read_models

    return queries.grades(read_models(app, ["grades"]))


def status_key(value: str | None) -> str | None:
    """A certificate status from its key, its CNCA word or its CertSearch word (有效 / valid / Active),
    or a part of a word (the one rule: ``aggregates.vocabulary.code_of``)."""
    if not value:
        return None
    if (key := code_of(value, CERTIFICATE_STATUSES)) is not None:
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


def due(app: Any, *, today: date, on: date | None = None, within: int | None = None, find: Any = None) -> list[dict[str, Any]]:
    """Every open deadline across all clients on ``on`` (default ``today``), overdue first, or as
    ``find`` says (``read.find("due", ...)``: filters, sort, limit): from the read model, or, for a
    past date, every client replayed as the events dated up to then imply."""
    from projections import finding
    from projections.runner import read_models

    from projections.body_due import body_rows

    day = on or today
    f = find or finding.Find("due")
    if day < today:
        rows = finding.due_replayed(app, day, within, f)  # what was open then
    else:
        rows = finding.due(read_models(app, ["deadlines", "clients"] if f.about_client else ["deadlines"]), day, within, f)
    body = body_rows(app, day, f)  # the body's own deadlines (issue 17: the monthly report to the CNCA)
    if not body:
        return rows
    from ledger.rules.deadlines import select_open

    return finding._finish_due(select_open(rows + body, day, within), f)


def due_listing(app: Any, *, today: date, on: date | None = None, within: int | None = None, find: Any = None) -> dict[str, Any]:
    """``due`` as the command line shows it (``certledger due``, D55): ``{"shown", "open", "overdue",
    "deadlines"}``, the totals those of the whole filtered set and ``deadlines`` the rows up to
    ``find``'s limit. The limit is applied after the deadlines' selection anyway
    (projections/finding.py), so nothing is read that the cut list would not read."""
    from dataclasses import replace

    from projections import finding

    f = find or finding.Find("due")
    return due_totals(due(app, today=today, on=on, within=within, find=replace(f, limit=None)), f.limit)


def due_totals(every: list[dict[str, Any]], limit: int | None = None) -> dict[str, Any]:
    """The totals of a whole set of ``due`` rows and its first ``limit`` rows (all without one)."""
    rows = every[:limit] if limit else every
    return {"shown": len(rows), "open": len(every), "overdue": sum(1 for r in every if r["overdue"]), "deadlines": rows}


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


def export_register_xlsx(rows: list[dict[str, Any]], path: str) -> int:
    """Write register rows as the IAF CertSearch upload workbook (.xlsx: IAF status words, dates
    YYYYMMDD; projections/export_xlsx.py) at ``path``; returns the number of certificates."""
    from projections.export_xlsx import write_xlsx

    return write_xlsx(rows, path)
