"""Finding things on the read road (projections/finding.py through projections/read.py): the
filters are the query's (WHERE, JOIN, LIMIT) where the tables have the column, on SQLite and
PostgreSQL; and the stage and status, read as of a day, are narrowed by the query only to rows the
one derivation (ledger.rules.certificate_status.certificate_status) can read so."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta

import pytest

from aggregates.errors import RuleViolation

TODAY = date(2026, 11, 20)


def test_the_query_narrows_a_status_only_to_rows_the_derivation_can_read_so():
    """CAN_READ_AS says which recorded statuses can read as each status on a day; the derivation,
    over every recorded status and every order of the dates it reads, never leaves it."""
    from ledger.rules.certificate_status import certificate_status
    from projections.finding import ANY_STATUS, CAN_READ_AS

    base = date(2026, 1, 1)
    offsets = (-400, -1, 0, 1, 400, 800)
    seen = set()
    for recorded, issued, changed, until, on in itertools.product(ANY_STATUS, (0,), offsets, offsets, offsets):
        cert = {"status": recorded, "issued_on": base + timedelta(issued), "status_changed_on": base + timedelta(changed),
                "valid_until": base + timedelta(until), "certificate_no": "C1"}
        status = certificate_status(cert, base + timedelta(on))
        if status in CAN_READ_AS:
            assert recorded in CAN_READ_AS[status], (recorded, status, changed, until, on)
            seen.add((recorded, status))
    assert ("valid", "expired") in seen and ("withdrawn", "withdrawn") in seen and ("suspended", "valid") in seen


@pytest.fixture
def small_body(app):
    from ledger.importer import import_file
    from ledger.synthetic import lines

    data = list(lines(10, seed=3))
    assert not import_file(app, None, data, size=sum(map(len, data)), actor=None).errors
    return app


@pytest.fixture
def statements(small_body):
    """The SQL the read road sends to the read models' tables."""
    from sqlalchemy import event

    from projections import engine_for

    seen: list[str] = []
    engine = engine_for(small_body)

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and ("rm_clients" in statement or "rm_open_deadlines" in statement):
            seen.append(re.sub(r"\bt_[0-9a-f]{12}\.", "", " ".join(statement.split())))  # PostgreSQL: the test's schema

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_client_filters_sort_and_limit_are_the_querys(small_body, statements):
    from projections import read

    every = read.clients(small_body, today=TODAY)
    statements.clear()
    rows = read.clients(small_body, today=TODAY, find=read.find("clients", scheme=["zgc-ru015", "tbsc94"], name="号", sort="-name", limit=2))
    expected = sorted((r for r in every if r["scheme_id"] in ("zgc-ru015", "tbsc94")), key=lambda r: r["name"], reverse=True)[:2]
    assert rows == expected and len(rows) == 2
    (sql,) = [s for s in statements if "FROM rm_clients" in s]
    assert "rm_clients.scheme_id IN" in sql and "LIKE" in sql.upper() and "ORDER BY" in sql and "LIMIT" in sql
    statements.clear()
    valid = read.clients(small_body, today=TODAY, find=read.find("clients", status="有效", limit=1))
    assert valid == [r for r in every if r["certificate_status"] == "valid"][:1]
    (sql,) = [s for s in statements if "FROM rm_clients" in s]
    assert "rm_clients.certificate_status IN" in sql and "LIMIT" not in sql, "the derivation decides before the cut"


def test_due_filters_about_the_client_join_the_clients_table(small_body, statements):
    from projections import read

    every = read.due(small_body, today=TODAY)
    schemes = {r["uscc"]: r["scheme_id"] for r in read.clients(small_body, today=TODAY)}
    statements.clear()
    rows = read.due(small_body, today=TODAY, find=read.find("due", scheme="zdrz-69", kind=["surveillance", "validity"], overdue=False))
    assert rows == [r for r in every if schemes[r["uscc"]] == "zdrz-69" and r["kind"] in ("surveillance", "validity")] and rows
    (sql,) = [s for s in statements if "FROM rm_open_deadlines" in s]
    assert "JOIN rm_clients" in sql and "rm_open_deadlines.kind IN" in sql and "rm_clients.scheme_id IN" in sql
    statements.clear()
    overdue = read.due(small_body, today=TODAY, find=read.find("due", overdue=True))
    assert overdue == [r for r in every if r["overdue"]] and overdue
    (sql,) = [s for s in statements if "FROM rm_open_deadlines" in s]
    assert "rm_open_deadlines.due <" in sql and "rm_clients" not in sql


def test_find_refuses_by_option_before_any_query():
    from projections import read

    with pytest.raises(RuleViolation) as e:
        read.find("due", kind="holiday")
    assert "--kind" in e.value.message("en") and "surveillance (surveillance audit)" in e.value.message("en")
    with pytest.raises(RuleViolation) as e:
        read.find("clients", sort="-")
    assert "registered, uscc" in e.value.message("en")
    assert read.find("clients", grade="三星级（AAA级）", stage="证书有效", sort="-Name").grade == ("AAA",)
    assert read.find("clients", sort="-Name").descending is True
    # a part of a word names the one choice whose word holds it (aggregates.vocabulary.code_of)
    assert read.find("due", kind="monthly").kind == ("cnca_report",)
    found = read.find("clients", status="susp", stage="审核")
    assert found.status == ("suspended",) and found.stage == ("auditing",)  # 审核中 holds it more closely than 审核完成
