"""The body-level rows of ``certledger due`` (issue 17): the monthly report to the CNCA, open for
each month with reportable data whose submission is not recorded (``ledger.rules.cnca``:
which events make a month reportable, the due day, the row). The months come from the audit-trail
index (``rm_audit_trail``: one row per event with its type and business date); the submissions
from the body's record. Listed when the body reports to the CNCA (its approval number configured,
or a submission recorded) and no filter about clients is given (docs/cnca-report.md).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ledger.rules import cnca


def reportable_months(engine: Any, events: frozenset[str], before: date) -> set[date]:
    """The months (their first days) before ``before`` in which an event of ``events`` happened."""
    from sqlalchemy import select

    from projections import tables as t
    from projections.runner import require_current

    require_current(engine, ["trail"])
    c = t.audit_trail.c
    query = select(c.occurred_on).where(c.type.in_(sorted(events)), c.occurred_on < before).distinct()
    with engine.connect() as conn:
        days = [r[0] for r in conn.execute(query) if r[0] is not None]
    return {(d if isinstance(d, date) else date.fromisoformat(str(d)[:10])).replace(day=1) for d in days}


def body_rows(app: Any, day: date, f: Any) -> list[dict[str, Any]]:
    """The body's open report deadlines as of ``day`` (unselected: ``select_open`` decides), or none
    when the listing's filters are about clients or name other kinds."""
    if f.client or f.name or f.about_client or (f.kind and "cnca_report" not in f.kind):
        return []
    reports = getattr(app, "reports_to_cnca", None)
    if reports is None or not reports():
        return []
    from projections.runner import read_models

    defn = cnca.definition()
    body = app.body()
    submitted = [p for p, s in body.submitted("cnca-monthly").items() if s["on"] <= day] if body is not None else []
    months = reportable_months(read_models(app, ["trail"]), defn.events, day.replace(day=1))
    rows = cnca.report_deadlines(months, submitted, defn)
    return [r for r in rows if r["due"] < day] if f.overdue else rows
