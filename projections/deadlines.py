"""Open deadlines of each client, from ``ledger.rules.deadlines.client_deadlines(client, calendar)``.

The rows are replaced for a client on each of its events. Which deadlines are open does not depend
on today's date (the query filters by date), but the due dates depend on the working-day calendar
and on the deadline rules: the calendar files, the last year published by the ``holidays``
package and the source of ``ledger.rules.deadlines`` and ``ledger.rules.procedures`` are part of the
fingerprint, so a change to any of them rebuilds this read model on the next catch-up.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import Table

from projections import tables as t
from projections.base import ClientProjection
from projections.jsonish import dumps

class OpenDeadlines(ClientProjection):
    name = "deadlines"
    tables = (t.open_deadlines,)
    help_zh = "未完成的期限（工作日日历）"
    help_en = "open deadlines (working-day calendar)"

    def __init__(self) -> None:
        self._calendar: Any = None

    @property
    def calendar(self) -> Any:
        if self._calendar is None:
            from ledger.rules.calendar import Calendar

            self._calendar = Calendar()
        return self._calendar

    def extra_fingerprint(self) -> str:
        from pathlib import Path

        from ledger.rules import deadlines, procedures
        from ledger.rules.calendar import PACKAGE_CALENDAR_DIR, last_published_year

        parts = [f"holidays last published year {last_published_year()}"]
        files = [Path(deadlines.__file__), Path(procedures.__file__), *sorted(PACKAGE_CALENDAR_DIR.glob("*.toml")),
                 *sorted(p.path for p in procedures.procedures().by_id.values() if p.path is not None)]
        for path in files:
            parts.append(f"{path.name} {hashlib.sha256(path.read_bytes()).hexdigest()}")
        return "\n".join(parts)

    def rows(self, client: Any) -> dict[Table, list[dict[str, Any]]]:
        from ledger.rules.deadlines import client_deadlines

        out = []
        for d in client_deadlines(client, self.calendar):
            row = {"uscc": client.uscc, "client_name": client.name, **d}
            out.append({"uscc": client.uscc, "key": str(d["key"]), "name": client.name, "kind": str(d["kind"]),
                        "since": d["since"], "due": d["due"], "row": dumps(row)})
        return {t.open_deadlines: out}
