"""Read models on SQLite and PostgreSQL: caught up after writes, equal row for row to a rebuild from
the first event, exactly once even when interrupted, rebuilt when their schema changes, and
answering as-of and as-recorded questions with late-recorded events."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from aggregates.errors import NotFound, RuleViolation
from aggregates.uscc import make_uscc
from ledger.demo import CLIENTS
from ledger.synthetic import score_sheet
from ledger import clock
from projections import replay

ADMIN, DECIDER = "张伟", "赵敏"
TEAM = ("王芳", "李强")
CLIENT_COUNT = 300


# ------------------------------------------------------------------------------ a generated history


def uscc_of(i: int) -> str:
    return make_uscc(f"91330100{i:09d}")


def certify(app, uscc: str, i: int, day0: date, rng: random.Random) -> bool:
    """Application through certificate and CNCA report, scored with the demo's score sheets."""
    template = CLIENTS[i % len(CLIENTS)]
    d = lambda n: day0 + timedelta(days=n)  # noqa: E731
    app.submit_application(client=uscc, name=f"{template.name[:-6]}{i}号有限公司", address=template.address,
                           scheme=template.scheme, scope=template.scope, site=[{"name": "总部", "address": template.address}],
                           headcount=50 + i, actor=ADMIN, on=d(0))
    app.review_application(client=uscc, application="AP1", accept=True, actor=ADMIN, on=d(1))
    app.sign_contract(client=uscc, contract_no=f"HT-{i}", actor=ADMIN, on=d(2))
    app.plan_audit(client=uscc, kind="stage1", member=[TEAM[0]], start=d(3), actor=ADMIN, on=d(2))
    app.complete_audit(client=uscc, audit="A1", conclusion="文件评价符合", actor=TEAM[0], on=d(3))
    app.plan_audit(client=uscc, kind="stage2", member=list(TEAM), start=d(5), actor=ADMIN, on=d(4))
    scheme = app.audit_scheme(app.client(uscc), "A2")
    for item, facet, value in score_sheet(scheme, rng.uniform(0.72, 0.97), i):
        app.enter_score(client=uscc, audit="A2", item=item, facet=facet, value=value, actor=TEAM[1], on=d(5))
    nc = None
    if rng.random() < 0.4:
        nc = app.raise_nonconformity(client=uscc, audit="A2", severity="minor", clause="A.8", description="记录不全", actor=TEAM[0], on=d(5))
    app.complete_audit(client=uscc, audit="A2", conclusion="推荐认证", actor=TEAM[0], on=d(6))
    if nc:
        app.submit_correction(client=uscc, nc=nc, correction="已纠正", corrective_action="修订制度", actor=ADMIN, on=d(8))
    result = app.decide(client=uscc, audit="A2", decider=DECIDER, reason="符合要求", actor=ADMIN, on=d(10))
    if not result["granted"]:
        return False
    app.issue_certificate(client=uscc, decision=result["decision"], actor=ADMIN, on=d(11))
    if rng.random() < 0.8:
        app.report_to_regulator(client=uscc, reference=f"CNCA-{i}", actor=ADMIN, on=d(15))
    if nc and rng.random() < 0.5:
        app.verify_nonconformity(client=uscc, nc=nc, verification="有效", actor=TEAM[0], on=d(20))
    return True


def life(app, i: int, rng: random.Random) -> None:
    """One client's story, chosen by ``rng``: refused, in progress, certified, suspended, restored,
    withdrawn, cancelled, complained about, appealing."""
    uscc = uscc_of(i)
    day0 = date(2026, 1, 12) + timedelta(days=(i * 7) % 120)
    template = CLIENTS[i % len(CLIENTS)]
    story = rng.random()
    if story < 0.1:
        app.submit_application(client=uscc, name=f"申请组织{i}", address="某地", scheme=template.scheme, scope="s",
                               site=[{"name": "总部", "address": "某地"}], headcount=10, actor=ADMIN, on=day0)
        app.review_application(client=uscc, application="AP1", refuse=True, reason="列入严重违法失信名单", actor=ADMIN, on=day0 + timedelta(days=2))
        return
    if not certify(app, uscc, i, day0, rng):
        return
    d = lambda n: day0 + timedelta(days=n)  # noqa: E731
    if rng.random() < 0.3:
        app.notify_change(client=uscc, kind="address", changed_on=d(40), description="迁址", actor=ADMIN, on=d(45))
    if rng.random() < 0.3:
        app.receive_complaint(client=uscc, complainant="顾客", subject="服务", actor=ADMIN, on=d(50))
        if rng.random() < 0.5:
            if app.client(uscc).scheme_id == "hzx-mr0118":  # 004 §14.2.2: accepted first, with its notice
                app.admit_complaint(client=uscc, complaint="C1", accept=True, decider=["孙丽"], actor=ADMIN, on=d(52))
            app.resolve_complaint(client=uscc, complaint="C1", result="已答复", actor=ADMIN, on=d(60))
    fate = rng.random()
    if fate < 0.3:
        app.suspend(client=uscc, reason_code=_reason(app, uscc), reason="核实", months=3, actor=ADMIN, on=d(70))
        if rng.random() < 0.5:
            app.restore(client=uscc, reason="原因已消除", actor=ADMIN, on=d(100))
        elif rng.random() < 0.5:
            app.withdraw(client=uscc, reason_code=_reason(app, uscc, "withdrawal"), reason="逾期未整改", actor=ADMIN, on=d(120))
    elif fate < 0.4:
        app.cancel(client=uscc, reason="组织申请注销", actor=ADMIN, on=d(90))
    elif fate < 0.5:
        app.lodge_appeal(client=uscc, against="D1", grounds="评分偏低", actor=ADMIN, on=d(20))


def _reason(app, uscc: str, kind: str = "suspension") -> str:
    """A reason code the client's procedure knows: 001 codes or 004 codes."""
    from ledger.rules.procedures import procedure_for

    procedure = procedure_for(app.client(uscc).scheme_id)
    for code in (("7.2.1a", "8.1a") if kind == "suspension" else ("7.3.1a", "8.3a")):
        try:
            return procedure.reason(kind, code).code
        except RuleViolation:
            continue
    raise AssertionError(f"no {kind} reason in {procedure.id}")


def table_rows(app) -> dict[str, list[tuple]]:
    """Every read-model table, row by row, in primary-key order."""
    from projections import engine_for
    from projections.db import table_names
    from projections.tables import metadata

    engine = engine_for(app)
    out = {}
    with engine.connect() as conn:
        existing = table_names(conn)
        for table in metadata.sorted_tables:
            if table.name == "rm_tracking" or table.name not in existing:
                continue
            out[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*table.primary_key.columns))]
    return out


def positions(app) -> dict[str, int]:
    from projections import engine_for
    from projections.tables import tracking

    with engine_for(app).connect() as conn:
        return {r.name: r.position for r in conn.execute(select(tracking))}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def history(request, tmp_path_factory):
    """A ledger of CLIENT_COUNT generated clients; read models caught up after every few writes."""
    import os

    from ledger.bootstrap import bootstrap
    from projections import catch_up, dispose

    pg = os.environ.get("CERTLEDGER_TEST_PG_URL", "").strip()
    schema = None
    if request.param == "sqlite":
        url = str(tmp_path_factory.mktemp("history") / "ledger.sqlite")
    else:
        if not pg:
            pytest.skip("CERTLEDGER_TEST_PG_URL is not set")
        import uuid

        schema = "t_" + uuid.uuid4().hex[:12]
        url = f"{pg}{'&' if '?' in pg else '?'}schema={schema}"
    app = bootstrap(url)
    rng = random.Random(20261122)
    for i in range(CLIENT_COUNT):
        with app.batch():
            life(app, i, rng)
        if rng.random() < 0.3:
            catch_up(app, batch_size=rng.choice([7, 50, 1000]))
    catch_up(app)
    yield app
    dispose(app)
    app.close()
    if schema:
        _drop_schema(pg, schema)


def _drop_schema(pg: str, schema: str) -> None:
    import psycopg
    from psycopg import sql

    from ledger.config import resolve_database

    p = resolve_database(pg).pg
    with psycopg.connect(dbname=p["dbname"], host=p["host"], port=p["port"], user=p["user"] or None,
                         password=p["password"] or None, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


# ------------------------------------------------------------------------------ the generated history


def test_the_generated_history_has_several_hundred_clients_in_every_state(history):
    from projections import queries, read_models

    engine = read_models(history)
    clients = queries.clients(engine)
    assert len(clients) == CLIENT_COUNT
    statuses = {r["status"] for r in queries.register(engine, on=clock.today())}
    assert statuses >= {"valid", "suspended", "withdrawn", "cancelled"}
    assert {c["stage"] for c in clients} >= {"refused", "valid", "suspended"}
    assert history.event_count() > CLIENT_COUNT * 20


def test_read_models_caught_up_after_writes_equal_a_rebuild_from_the_first_event_row_for_row(history):
    from projections import catch_up, rebuild

    catch_up(history)
    incremental = table_rows(history)
    rebuild(history, batch_size=997)
    rebuilt = table_rows(history)
    assert set(incremental) == set(rebuilt)
    for name in incremental:
        assert incremental[name] == rebuilt[name], name
    assert len(rebuilt["rm_audit_trail"]) == history.event_count()
    assert set(positions(history).values()) == {history.recorder.max_notification_id()}


def test_a_rebuild_in_worker_processes_writes_the_same_rows_as_one_in_this_process(history, monkeypatch):
    from projections import bulk, catch_up, rebuild

    catch_up(history)
    incremental = table_rows(history)
    monkeypatch.setattr(bulk, "CLIENTS_PER_STEP", 17)  # many steps, more than the workers in flight
    monkeypatch.setenv(bulk.ENV_WORKERS, "2")
    assert bulk.workers_for(10, history) == 2
    rebuild(history)
    assert table_rows(history) == incremental
    assert set(positions(history).values()) == {history.recorder.max_notification_id()}


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_client_whose_events_do_not_replay_refuses_the_rebuild_and_changes_nothing(app, monkeypatch, workers):
    """A forged event (version 99 of a client with two) makes the client's history unreplayable: the
    rebuild, in this process or in a worker, names the rule and leaves the read models as they were."""
    from sqlalchemy import text

    from aggregates.errors import RuleViolation
    from projections import bulk, catch_up, engine_for, rebuild

    for i in range(3):
        app.submit_application(client=uscc_of(i), name=f"申请组织{i}", address="某地", scheme="zgc-ru015", scope="s",
                               site=[{"name": "总部", "address": "某地"}], headcount=10, actor=ADMIN, on=date(2026, 1, 12))
    catch_up(app)
    before, rows = positions(app), table_rows(app)
    with engine_for(app).begin() as conn:
        table, _ = bulk.events_table(app, conn)
        conn.execute(text(f"INSERT INTO {table} (originator_id, originator_version, topic, state) "
                          f"SELECT originator_id, 99, topic, state FROM {table} WHERE originator_version = 1 LIMIT 1"))
    monkeypatch.setattr(bulk, "CLIENTS_PER_STEP", 1)  # three steps: more than one, so workers are used
    monkeypatch.setenv(bulk.ENV_WORKERS, workers)
    with pytest.raises(RuleViolation) as refused:
        rebuild(app)
    assert refused.value.rule == "001 §12 audit trail" and "certledger verify" in refused.value.message_en
    assert positions(app) == before and table_rows(app) == rows


def test_an_interrupted_rebuild_leaves_the_previous_read_models_as_they_were(history, monkeypatch):
    from projections import bulk, rebuild
    from projections.trail import AuditTrail

    expected, before = table_rows(history), positions(history)
    monkeypatch.setattr(bulk, "CLIENTS_PER_STEP", 3)  # several steps written before the failure
    original = AuditTrail.build_rows
    seen = {"clients": 0}
    clients = len(expected["rm_clients"])

    def crash_half_way(self, client, events):
        seen["clients"] += 1
        if seen["clients"] > clients // 2:
            raise RuntimeError("power cut")
        return original(self, client, events)

    monkeypatch.setattr(AuditTrail, "build_rows", crash_half_way)
    with pytest.raises(RuntimeError, match="power cut"):
        rebuild(history, ["register", "trail"])
    assert seen["clients"] > 3  # it failed after writing some steps...
    assert positions(history) == before  # ...and the transaction took them all back
    assert table_rows(history) == expected

    monkeypatch.setattr(AuditTrail, "build_rows", original)
    assert rebuild(history, ["register", "trail"]) == {"register": before["register"], "trail": before["trail"]}
    assert table_rows(history) == expected


def test_the_register_as_of_today_computed_by_replay_equals_the_read_model(history):
    from projections import queries, read_models

    engine = read_models(history)
    assert replay.register_as_of(history, engine, as_of=date.today() + timedelta(days=1)) == queries.register(engine, on=clock.today())
    moment = datetime.now(timezone.utc)
    assert replay.register_as_of(history, engine, as_recorded=moment) == queries.register(engine, on=clock.today())


def test_show_from_the_read_model_says_what_the_replayed_client_says(history):
    from cli.output import to_json
    from projections import queries, read_models
    from projections.summaries import client_summary

    engine = read_models(history)
    for i in range(0, CLIENT_COUNT, 7):
        uscc = uscc_of(i)
        assert to_json(queries.client_summary(engine, uscc)) == to_json(client_summary(history.client(uscc)))


def test_open_items_from_the_read_models_match_the_replayed_clients(history):
    from cli.output import to_json
    from projections import queries, read_models

    engine = read_models(history)
    replayed = [n for c in history.clients() for n in c.nonconformities.values() if n["status"] != "closed"]
    assert len(queries.open_nonconformities(engine)) == len(replayed) > 0
    if "deadlines" in positions(history):
        from projections.replay import open_deadlines

        for on, within in [(date(2026, 3, 1), None), (date(2026, 6, 1), 30), (date(2026, 9, 1), 0)]:
            assert to_json(queries.open_deadlines(engine, on, within)) == to_json(open_deadlines(history, on, within))


def test_grades_hold_the_grade_in_force_and_the_latest_score(history):
    from projections import queries, read_models

    engine = read_models(history)
    by_uscc = {g["uscc"]: g for g in queries.grades(engine)}
    for i in range(0, CLIENT_COUNT, 11):
        client = history.client(uscc_of(i))
        if not client.decisions:
            assert uscc_of(i) not in by_uscc
            continue
        row, decision = by_uscc[client.uscc], list(client.decisions.values())[-1]
        assert Decimal(row["score"]) == decision["score"] and row["decision_grade"] == decision["grade"]
        in_force = client.certificate_status in ("valid", "suspended")
        assert row["grade"] == (client.certificate["grade"] if in_force else None)


# ------------------------------------------------------------------------------ one small ledger


@pytest.fixture
def ledger(app):
    from projections import dispose

    yield app
    dispose(app)


def certified(app, i: int = 1) -> str:
    uscc = uscc_of(i)
    with app.batch():
        assert certify(app, uscc, 0, date(2026, 3, 2), random.Random(1))  # template 0: zgc-ru015
    return uscc


def test_catch_up_applies_each_event_once_and_is_idempotent(ledger):
    from projections import catch_up

    certified(ledger)
    first = catch_up(ledger)
    rows = table_rows(ledger)
    assert catch_up(ledger) == first == {name: ledger.recorder.max_notification_id() for name in first}
    assert table_rows(ledger) == rows
    assert [r[0] for r in rows["rm_audit_trail"]] == sorted({r[0] for r in rows["rm_audit_trail"]})
    assert len(rows["rm_audit_trail"]) == ledger.event_count()


def test_a_catch_up_that_lost_a_race_continues_from_the_winners_position(ledger):
    from projections import catch_up, engine_for
    from projections.base import Batch
    from projections.runner import _apply, select_projections

    certified(ledger)
    done = catch_up(ledger, ["trail"])
    stale = {"trail": 0}
    assert _apply(engine_for(ledger), select_projections(["trail"]), stale, Batch([(1, None)])) == done
    assert len(table_rows(ledger)["rm_audit_trail"]) == ledger.event_count()


def test_a_changed_schema_fingerprint_refuses_stale_reads_and_the_next_catch_up_rebuilds(ledger):
    from projections import catch_up, engine_for, queries
    from projections.tables import tracking

    uscc = certified(ledger)
    catch_up(ledger)
    engine = engine_for(ledger)
    with engine.begin() as conn:
        conn.execute(update(tracking).where(tracking.c.name == "register").values(fingerprint="from an older version"))
    with pytest.raises(RuleViolation) as e:
        queries.register(engine, on=clock.today())
    assert "certledger rebuild" in e.value.message_en and "register" in e.value.message_en
    catch_up(ledger)
    assert [r["uscc"] for r in queries.register(engine, on=clock.today())] == [uscc]


def test_a_dropped_read_model_table_is_recreated_by_the_next_catch_up(ledger):
    from projections import catch_up, engine_for, queries
    from projections.tables import certificates

    uscc = certified(ledger)
    catch_up(ledger)
    with engine_for(ledger).begin() as conn:
        certificates.drop(conn)
    catch_up(ledger)
    assert [r["uscc"] for r in queries.register(engine_for(ledger), on=clock.today())] == [uscc]


def test_an_unknown_read_model_name_lists_the_known_ones(ledger):
    from projections import rebuild

    with pytest.raises(RuleViolation) as e:
        rebuild(ledger, ["registr"])
    assert e.value.rule == "ledger: known read models"
    for name in ("clients", "grades", "register", "nonconformities", "summaries", "trail"):
        assert name in e.value.message_en


def test_as_of_and_as_recorded_tell_a_late_recorded_suspension_apart(ledger):
    from projections import queries, read_models

    uscc = certified(ledger)  # certificate issued 2026-03-13
    before_the_late_entry = datetime.now(timezone.utc)
    # Recorded today, but it happened on 2026-05-04: a late entry.
    ledger.suspend(client=uscc, reason_code="7.2.1f", reason="核实", months=3, actor=ADMIN, on=date(2026, 5, 4))
    engine = read_models(ledger)

    assert [r["status"] for r in queries.register(engine, on=clock.today())] == ["suspended"]
    on_may_10 = replay.register_as_of(ledger, engine, as_of=date(2026, 5, 10))
    assert [(r["status"], r["status_changed_on"]) for r in on_may_10] == [("suspended", date(2026, 5, 4))]
    assert [r["status"] for r in replay.register_as_of(ledger, engine, as_of=date(2026, 5, 3))] == ["valid"]
    known_then = replay.register_as_of(ledger, engine, as_of=date(2026, 5, 10), as_recorded=before_the_late_entry)
    assert [r["status"] for r in known_then] == ["valid"]

    assert replay.summary_as_of(ledger, uscc, as_of=date(2026, 5, 10))["certificate"]["status"] == "suspended"
    assert replay.summary_as_of(ledger, uscc, as_recorded=before_the_late_entry)["certificate"]["status"] == "valid"
    assert queries.client_summary(engine, uscc)["certificate"]["status"] == "suspended"


def test_as_of_before_the_client_existed_is_no_such_client_then(ledger):
    from projections import read_models

    uscc = certified(ledger)
    engine = read_models(ledger)
    with pytest.raises(NotFound) as e:
        replay.summary_as_of(ledger, uscc, as_of=date(2026, 3, 1))
    assert e.value.rule == "ledger: no such client then"
    with pytest.raises(NotFound):
        replay.register_as_of(ledger, engine, as_of=date(2026, 3, 1), uscc=uscc)
    assert replay.register_as_of(ledger, engine, as_of=date(2026, 3, 1)) == []


def test_an_unknown_client_is_not_found_in_the_show_read_model(ledger):
    from projections import queries, read_models

    certified(ledger)
    with pytest.raises(NotFound):
        queries.client_summary(read_models(ledger), uscc_of(99))


def test_a_certificate_past_its_validity_reads_as_expired_before_the_expiry_is_recorded(app):
    from datetime import date, timedelta

    from ledger.demo import play
    from projections import catch_up, engine_for, queries

    codes = play(app, today=date(2026, 11, 20))
    catch_up(app)
    engine = engine_for(app)
    cert = app.client(codes[0]).certificate
    after = queries.register(engine, uscc=codes[0], on=cert["valid_until"] + timedelta(days=1))
    assert [(r["status"], r["status_recorded"]) for r in after] == [("expired", "valid")]
    on_the_last_day = queries.register(engine, uscc=codes[0], on=cert["valid_until"])
    assert [r["status"] for r in on_the_last_day] == ["valid"]
    assert queries.register(engine, status="expired", on=date(2026, 11, 20)) == []


def test_read_model_dates_are_stored_as_the_sqlite3_driver_always_stored_them(tmp_path):
    """The adapters are registered explicitly (the driver's defaults warn from Python 3.12 on, once
    per value written): the same text as ever, and no DeprecationWarning on any Python."""
    import warnings
    from datetime import date, datetime, timezone

    from projections.db import create_read_model_engine

    engine = create_read_model_engine({"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "x.sqlite")})
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (d, ts)")
            conn.exec_driver_sql("INSERT INTO t VALUES (?, ?)",
                                 [(date(2025, 1, 6), datetime(2026, 11, 22, 6, 12, 3, 150935, tzinfo=timezone.utc))])
            rows = conn.exec_driver_sql("SELECT d, ts, typeof(d), typeof(ts) FROM t").all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("2025-01-06", "2026-11-22 06:12:03.150935+00:00", "text", "text")]


def test_rows_of_different_shapes_are_written_as_rows_of_one_shape_would_be(ledger):
    """The writer writes each shape of row (its keys) with its own statement, through the same
    conversions: a row that leaves out nullable columns stores NULL there, and its dates and times
    the same text as a complete row's (there is no second path for mixed rows)."""
    from datetime import date, datetime, timezone

    from sqlalchemy import String

    from projections import catch_up, engine_for, tables as t
    from projections.db import prepare_insert
    from projections.writer import Writer

    catch_up(ledger)  # the read models' tables
    at = datetime(2026, 11, 22, 6, 12, 3, 150935, tzinfo=timezone.utc)
    full = {"position": 10**9, "uscc": "91110108001000000X", "version": 1, "type": "Registered", "actor": "张伟",
            "occurred_on": date(2025, 1, 6), "recorded_at": at}
    short = {"position": 10**9 + 1, "uscc": "91110108001000000X", "version": 2, "type": "Noted", "recorded_at": at}
    engine = engine_for(ledger)
    assert len(prepare_insert(engine.dialect, None, t.audit_trail, [full, short, dict(full, position=10**9 + 2)])) == 2
    with engine.begin() as conn:
        Writer(conn).insert({t.audit_trail: [full]})  # rows of one shape
        Writer(conn).insert({t.audit_trail: [short, dict(full, position=10**9 + 2)]})  # of two
        got = conn.execute(t.audit_trail.select().where(t.audit_trail.c.position >= 10**9)
                           .order_by(t.audit_trail.c.position)).all()
        stored = conn.execute(t.audit_trail.select().with_only_columns(
            t.audit_trail.c.recorded_at.cast(String)).where(t.audit_trail.c.position >= 10**9)).scalars().all()
        conn.rollback()
    assert [(r.position, r.actor, r.occurred_on, r.recorded_at.astimezone(timezone.utc)) for r in got] == [
        (10**9, "张伟", date(2025, 1, 6), at), (10**9 + 1, None, None, at), (10**9 + 2, "张伟", date(2025, 1, 6), at)]
    assert len(set(stored)) == 1  # the same stored text whichever call wrote the row
