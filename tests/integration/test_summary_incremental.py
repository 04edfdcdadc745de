"""The summary row kept incrementally (D64, projections/summaries.py): after every write its catch-up
reuses the text of each open complaint the new events left unchanged. Whatever sequence of
events comes (complaints received, admitted on time or late, refused, the client informed,
resolved; changes notified and appeals lodged, which change other parts of the summary), the
stored row is the text a rebuild from scratch gives: ``dumps(client_summary(...))`` of the client
replayed from its first event, byte for byte. Random sequences (Hypothesis) on SQLite and
PostgreSQL, through the catch-up after a write; then the read models equal a rebuild."""

from __future__ import annotations

import json
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from aggregates.errors import RuleViolation
from aggregates.uscc import client_id_for
from ledger.client_cache import replay
from projections import engine_for, tables as t
from projections.jsonish import dumps
from projections.summaries import client_summary, summary_text
from tests.integration.test_cases import HZX, ZGC, _certified
from tests.integration.test_crash_safety import assert_read_models_agree

complaint = st.integers(1, 12).map(lambda n: f"C{n}")
step = st.one_of(
    st.tuples(st.just("receive"), st.integers(0, 2)),
    st.tuples(st.just("admit"), complaint, st.booleans(), st.integers(0, 9)),
    st.tuples(st.just("inform"), complaint, st.integers(0, 3)),
    st.tuples(st.just("resolve"), complaint, st.integers(0, 3)),
    st.tuples(st.just("change"), st.integers(0, 2)),
    st.tuples(st.just("appeal"), st.integers(0, 2)),
)


def stored(app, uscc: str) -> str:
    with engine_for(app).connect() as conn:
        return conn.execute(select(t.client_summaries.c.summary).where(t.client_summaries.c.uscc == uscc)).scalar()


def rebuilt(app, uscc: str) -> str:
    """The row a rebuild writes: the client replayed from its first event, its summary encoded whole."""
    client = replay(None, app.events.get(client_id_for(uscc)))
    return dumps(client_summary(client))


def act(app, uscc: str, day: date, s: tuple) -> None:
    kind = s[0]
    if kind == "receive":
        app.receive_complaint(client=uscc, complainant=f"投诉人{day.isoformat()}", subject="服务", actor="admin", on=day)
    elif kind == "admit":
        if s[2]:
            app.admit_complaint(client=uscc, complaint=s[1], accept=True, decider=["孙丽"], about_client=True, actor="admin", on=day)
        else:
            app.admit_complaint(client=uscc, complaint=s[1], refuse=True, decider=["孙丽"], reason="不属于认证事项", actor="admin", on=day)
    elif kind == "inform":
        app.inform_client_of_complaint(client=uscc, complaint=s[1], how="书面函告", actor="admin", on=day)
    elif kind == "resolve":
        app.resolve_complaint(client=uscc, complaint=s[1], result="已处理", actor="孙丽", on=day)
    elif kind == "change":
        app.notify_change(client=uscc, kind="contact", changed_on=day, description="联系人变更", actor="admin", on=day)
    else:
        app.lodge_appeal(client=uscc, against="D1", grounds="评分偏低", actor="admin", on=day)


def test_the_summary_written_after_each_event_is_the_rebuilt_one(app):
    clients = {HZX: "hzx-mr0118", ZGC: "zgc-ru015"}  # 004 (an admission period, late admissions flagged) and 001
    for uscc, scheme in clients.items():
        _certified(app, uscc, scheme)
    day = {"on": date(2026, 4, 1)}
    applied = {"events": 0}

    @settings(max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(sorted(clients)), st.lists(step, min_size=1, max_size=8))
    def sequence(uscc, steps):
        for s in steps:
            day["on"] += timedelta(days=s[-1])
            try:
                act(app, uscc, day["on"], s)
                applied["events"] += 1
            except RuleViolation:
                continue  # refused by the ledger's rules: nothing written
            app.update_read_models(after_write=True)
            assert stored(app, uscc) == rebuilt(app, uscc), s

    sequence()
    assert applied["events"] > 0
    for uscc in clients:
        client = replay(None, app.events.get(client_id_for(uscc)))
        assert summary_text(client) == dumps(client_summary(client))
    assert_read_models_agree(app)


def test_a_complaint_changed_behind_the_kept_text_is_written_anew(app, db_url):
    """The kept text of a complaint is reused only while the complaint equals the copy it was made
    from: one admitted late through another ledger object (another process, as far as this one's
    catch-up knows) after this one wrote its row shows its lateness in the next row this one writes."""
    from ledger.bootstrap import bootstrap

    _certified(app, HZX, "hzx-mr0118")
    for n in range(3):
        app.receive_complaint(client=HZX, complainant=f"顾客{n}", subject="服务", actor="admin", on=date(2026, 4, 1))
        app.update_read_models(after_write=True)
    other = bootstrap(db_url, existing=True)
    try:
        other.admit_complaint(client=HZX, complaint="C2", accept=True, decider=["孙丽"], actor="admin", on=date(2026, 4, 30))
    finally:
        other.close()
    app.receive_complaint(client=HZX, complainant="顾客3", subject="服务", actor="admin", on=date(2026, 5, 1))
    app.update_read_models(after_write=True)
    assert stored(app, HZX) == rebuilt(app, HZX)
    row = [x for x in json.loads(stored(app, HZX))["open_complaints"] if x["id"] == "C2"]
    assert row and row[0]["acceptance_late"] and row[0]["acceptance_late"]["late"] is True
