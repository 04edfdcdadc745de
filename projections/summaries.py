"""What ``show`` prints: ledger.views.client_summary of each client, stored as JSON.

JSON turns dates into ISO strings and Decimals into their exact strings; ``show`` renders both
the same way, and ``show --json`` prints the same text.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table

from projections import tables as t
from projections.base import ClientProjection
from projections.jsonish import dumps


class Summaries(ClientProjection):
    name = "summaries"
    tables = (t.client_summaries,)
    help_zh = "show 命令的组织概况（JSON）"
    help_en = "the client summary that show prints (JSON)"

    def fingerprint(self) -> str:
        # Stdlib only, so that ``show`` can check it without SQLAlchemy (projections.fastread).
        from projections.fastread import summaries_fingerprint

        return summaries_fingerprint()

    def rows(self, client: Any) -> dict[Table, list[dict[str, Any]]]:
        from ledger.views import client_summary

        return {t.client_summaries: [{"uscc": client.uscc, "events": client.version, "summary": dumps(client_summary(client))}]}
