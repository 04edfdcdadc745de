"""What an import sees of the body's record in its conflict check (004 §4.2 d) 1); docs/decisions.md
D61), on SQLite and PostgreSQL: the record is read once per transaction of the import, not at every
line; another writer's conflict declared during the import is seen from the import's next
transaction; the import's own act on the body at once."""

from __future__ import annotations

import json
from datetime import date

from ledger.bootstrap import bootstrap
from ledger.importer import run_import
from ledger.synthetic import uscc as _uscc

A, B, C = (_uscc(i, seed=61) for i in (1, 2, 3))


def _line(command: str, client: str, on: str, **fields) -> bytes:
    return json.dumps({"command": command, "client": client, **fields, "on": on, "actor": "admin"}, ensure_ascii=False).encode() + b"\n"


def _lines(data: list[bytes], at: int, write):
    """The lines, with ``write()`` run by another writer just before line ``at`` is read."""
    for i, raw in enumerate(data):
        if i == at:
            write()
        yield raw


def test_the_body_is_read_once_per_transaction_and_another_writers_conflict_is_seen_from_the_next(app, db_url, monkeypatch):
    monkeypatch.setattr("ledger.importer.AHEAD", 1)  # each line run as soon as it is read
    monkeypatch.setattr("ledger.importer.chunk_size", lambda: 3)  # transactions of three lines
    for uscc in (A, B, C):
        app.submit_application(client=uscc, name=f"某公司{uscc[-2:]}", address="某地", scheme="zgc-ru015", scope="s",
                               site=[{"name": "总部", "address": "某地"}], headcount=30, actor="admin", on=date(2026, 3, 2))
    reads = []
    body = app.body
    monkeypatch.setattr(app, "body", lambda: reads.append(1) or body())
    other = bootstrap(db_url)  # another writer, its own connections
    try:
        def declare() -> None:
            other.execute("body conflict", {"client": B, "kind": "asset", "detail": "本机构持有该公司 10% 股份", "on": "2026-03-03"},
                          actor="admin")

        data = [
            _line("application review", A, "2026-03-03", application="AP1", accept=True, reason="资料齐全"),  # 1: reads the body
            _line("application review", B, "2026-03-03", application="AP1", accept=True, reason="资料齐全"),  # 2: declared before it...
            _line("application review", C, "2026-03-03", application="AP1", accept=True, reason="资料齐全"),  # 3: ...in the same transaction
            _line("application contract", B, "2026-03-04", **{"contract-no": "K-B"}),  # 4: the next transaction sees it
            _line("application contract", A, "2026-03-04", **{"contract-no": "K-A"}),  # 5
            _line("body conflict", C, "2026-03-04", kind="asset", detail="持股"),  # 6: the import's own act on the body...
            _line("application contract", C, "2026-03-04", **{"contract-no": "K-C"}),  # 7: ...is seen at once
        ]
        report = run_import(app, _lines(data, 1, declare), actor="admin")
    finally:
        other.close()
    assert [(e.line, e.rule) for e in report.errors] == [(4, "004 §4.2 d) 1)"), (7, "004 §4.2 d) 1)")]
    assert "BC1" in report.errors[0].message_zh and "body conflict-end --client " + B in report.errors[0].message_zh
    assert report.written == 5
    # lines 1-3 read it once; lines 4-5 once more (a new transaction); line 6's own act is the session's copy from then on
    assert len(reads) == 3  # the third: the body act of line 6 loads the record it acts on
    assert app.client(B).applications["AP1"]["status"] == app.client(C).applications["AP1"]["status"] != "submitted"  # reviewed
    assert not app.client(B).contracts and not app.client(C).contracts and "K-A" in app.client(A).contracts
    b = app.body()
    assert [x["uscc"] for x in b.conflicts] == [B, C]


def test_outside_an_import_every_check_reads_the_body(app, monkeypatch):
    app.submit_application(client=A, name="某公司", address="某地", scheme="zgc-ru015", scope="s",
                           site=[{"name": "总部", "address": "某地"}], headcount=30, actor="admin", on=date(2026, 3, 2))
    reads = []
    body = app.body
    monkeypatch.setattr(app, "body", lambda: reads.append(1) or body())
    app.review_application(client=A, application="AP1", accept=True, actor="admin", on=date(2026, 3, 3))
    app.sign_contract(client=A, contract_no="K1", actor="admin", on=date(2026, 3, 4))
    assert len(reads) == 2
