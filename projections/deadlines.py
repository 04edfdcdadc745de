"""Open deadlines of each client, from ``ledger.rules.deadlines.client_deadlines(client, calendar)``.

The rows are replaced for a client on each of its events. Which deadlines are open does not depend
on today's date (the query filters by date), but the due dates depend on the working-day calendar
and on the deadline rules: the calendar and procedure files, the last year published by the
``holidays`` package and the source of the deadline engine, the procedures and the calendar are
part of the fingerprint (projections/catalogue.py), so a change to any of them rebuilds this read
model on the next catch-up.
"""

from __future__ import annotations

from typing import Any

from projections.base import ClientProjection, Rows
from projections.jsonish import dumps

class OpenDeadlines(ClientProjection):
    name = "deadlines"
    table_names = ("rm_open_deadlines",)

    def __init__(self) -> None:
        self._calendar: Any = None

    @property
    def calendar(self) -> Any:
        if self._calendar is None:
            from ledger.rules.calendar import Calendar

            self._calendar = Calendar()
        return self._calendar

    def extra_fingerprint(self) -> str:
        """Beside the files (projections/catalogue.py): the last year whose holiday notice the
        installed ``holidays`` package knows, and the body's own procedure files."""
        from ledger.rules import procedures
        from ledger.rules.calendar import last_published_year

        parts = [f"holidays last published year {last_published_year()}"]
        for p in sorted(procedures.procedures().by_id.values(), key=lambda p: p.id):
            if p.path is not None and p.path.parent != procedures.PROCEDURE_DIR:
                import hashlib  # only for a body's own procedure files: OpenSSL's load is not every write's (D68)

                parts.append(f"{p.path} {hashlib.sha256(p.path.read_bytes()).hexdigest()}")
        return "\n".join(parts)

    def rows(self, client: Any) -> Rows:
        from ledger.rules.deadlines import client_deadlines

        out = []
        for d in client_deadlines(client, self.calendar):
            row = {"uscc": client.uscc, "client_name": client.name, **d}
            out.append({"uscc": client.uscc, "key": str(d["key"]), "name": client.name, "kind": str(d["kind"]),
                        "since": d["since"], "due": d["due"], "row": dumps(row)})
        return {"rm_open_deadlines": out}
