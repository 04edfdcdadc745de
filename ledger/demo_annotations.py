"""The demo's stories continued with records that explain themselves (issue 9, annotations): called
after ``ledger.demo.play`` with the clients' USCCs in its order (``play_annotations(app, codes,
today)``); every act is dated after the client's last event and not after ``today``.

Suzhou (003), whose stage 2 audit is being scored, gets its next score with the auditor's note and
two evidence references, and a correction of an earlier score with the reason's evidence."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ledger.synthetic import score_sheet

AUDITOR = "刘洋"  # on Suzhou's stage 2 team in ledger.demo


def play_annotations(app: Any, codes: list[str], today: date) -> None:
    su = codes[4]
    client = app.client(su)
    last = max(e["on"] for e in client.entries.values())
    on = min(today, last + timedelta(days=1))
    scheme = app.audit_scheme(client, "A2")
    scored = {e["item"] for e in client.effective_entries("A2")}
    item, facet, value = next(x for x in score_sheet(scheme, 0.8, 5) if x[0] not in scored)
    app.execute("score enter", {"client": su, "audit": "A2", "item": item, "value": value, **({"facet": facet} if facet else {}),
                                "note": "现场抽查近两年的记录，依据充分", "evidence": ["现场抽样记录表-SU-07", "访谈记录-SU-03"],
                                "on": on.isoformat()}, actor=AUDITOR)
    first = next(iter(client.effective_entries("A2")))
    app.execute("score correct", {"client": su, "entry": first["id"], "value": first["value"], "reason": "复核原始记录，分值不变，补记依据",
                                  "note": "复核后维持原评分", "evidence": ["复核记录-SU-01"], "on": on.isoformat()}, actor=AUDITOR)
