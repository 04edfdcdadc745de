"""The application against a real database: the same suite on a SQLite file and on PostgreSQL."""

from datetime import date
from decimal import Decimal

import pytest

from aggregates.errors import NotFound, RuleViolation
from ledger.bootstrap import bootstrap

USCC = "91330100716105852F"
OTHER = "914403001922038216"
SITE = [{"name": "总部", "address": "杭州市余杭区文一西路969号"}]


def apply(app, uscc=USCC, on=date(2026, 1, 5), **kw):
    args = dict(client=uscc, name="阿里巴巴（中国）有限公司", address="杭州市余杭区文一西路969号", scheme="zgc-ru015",
                scope="企业质量信用管理", site=SITE, headcount=120, actor="admin", on=on)
    args.update(kw)
    return app.submit_application(**args)


def test_first_application_registers_the_client_with_two_events(app):
    assert apply(app) == "AP1"
    history = app.history(USCC)
    assert [r["type"] for r in history] == ["Registered", "ApplicationSubmitted"]
    assert history[1]["actor"] == "admin" and history[1]["occurred_on"] == date(2026, 1, 5)
    assert history[1]["recorded_at"].tzinfo is not None
    assert app.event_count() == 2


def test_state_survives_reopening_the_database(db_url):
    first = bootstrap(db_url)
    apply(first)
    first.review_application(client=USCC, application="AP1", accept=True, actor="admin", on=date(2026, 1, 6))
    first.close()
    second = bootstrap(db_url)
    try:
        c = second.client(USCC)
        assert c.stage == "accepted" and c.applications["AP1"]["reviewed_by"] == "admin"
    finally:
        second.close()


def test_a_refused_command_writes_nothing(app):
    apply(app)
    before = app.event_count()
    with pytest.raises(RuleViolation) as e:
        app.sign_contract(client=USCC, contract_no="HT-1", actor="admin", on=date(2026, 1, 6))
    assert e.value.rule == "001 §4.2.2"
    with pytest.raises(RuleViolation):
        app.review_application(client=USCC, application="AP1", accept=True, refuse=True, actor="admin")
    assert app.event_count() == before


def test_writes_need_an_actor(app):
    with pytest.raises(RuleViolation) as e:
        apply(app, actor=" ")
    assert "CERTLEDGER_ACTOR" in e.value.message_en
    assert app.event_count() == 0


def test_dates_in_the_future_are_refused(app):
    with pytest.raises(RuleViolation) as e:
        apply(app, on=date(2999, 1, 1))
    assert e.value.rule == "ledger: no future dates for things that happened"
    assert app.event_count() == 0


def test_an_unknown_client_is_a_clear_not_found(app):
    with pytest.raises(NotFound) as e:
        app.client(OTHER)
    assert OTHER in e.value.message_en


def test_an_unknown_scheme_is_refused_before_anything_is_written(app):
    with pytest.raises(RuleViolation):
        apply(app, scheme="no-such-scheme")
    assert app.event_count() == 0


def test_clients_are_listed_in_registration_order(app):
    apply(app, uscc=OTHER, name="华为技术有限公司", address="深圳市龙岗区坂田华为基地")
    apply(app)
    assert [c.uscc for c in app.clients()] == [OTHER, USCC]


def test_a_batch_is_all_or_nothing(app):
    apply(app)
    before = app.event_count()
    with pytest.raises(RuleViolation):
        with app.batch():
            app.review_application(client=USCC, application="AP1", accept=True, actor="admin", on=date(2026, 1, 6))
            app.sign_contract(client=USCC, contract_no="HT-1", actor="admin", on=date(2026, 1, 7))
            app.sign_contract(client=USCC, contract_no="HT-2", actor="admin", on=date(2026, 1, 7))  # refused
    assert app.event_count() == before
    with app.batch():
        app.review_application(client=USCC, application="AP1", accept=True, actor="admin", on=date(2026, 1, 6))
        app.sign_contract(client=USCC, contract_no="HT-1", actor="admin", on=date(2026, 1, 7))
    assert app.event_count() == before + 2


def test_a_stale_concurrent_write_is_retried_on_the_fresh_state(db_url):
    a = bootstrap(db_url)
    b = bootstrap(db_url)
    try:
        apply(a)
        a.review_application(client=USCC, application="AP1", accept=True, actor="admin", on=date(2026, 1, 6))
        stale = b.client(USCC)  # b's view before a writes again
        a.sign_contract(client=USCC, contract_no="HT-1", actor="admin", on=date(2026, 1, 7))
        # b saves an event on top of a stale version: the library refuses, nothing is lost
        stale.receive_complaint(complainant="x", subject="y", actor="b", occurred_on=date(2026, 1, 8))
        from eventsourcing.persistence import IntegrityError

        with pytest.raises(IntegrityError):
            b.save(stale)
        # through the application the command reloads and succeeds
        b.receive_complaint(client=USCC, complainant="x", subject="y", actor="b", on=date(2026, 1, 8))
        assert [r["type"] for r in a.history(USCC)][-2:] == ["ContractSigned", "ComplaintReceived"]
    finally:
        a.close()
        b.close()


def test_audit_plan_and_dates_round_trip_as_dates_and_decimals(app):
    apply(app)
    app.review_application(client=USCC, application="AP1", accept=True, actor="admin", on=date(2026, 1, 6))
    app.sign_contract(client=USCC, contract_no="HT-1", actor="admin", on=date(2026, 1, 7))
    # under 001 a stage 1 computes 0 man-days (001 §4.4.2, D63): 0.5 planned with a recorded reason (001 §4.3.1.2)
    a1 = app.plan_audit(client=USCC, kind="stage1", member=["王芳"], man_days=Decimal("0.5"), man_days_reason="文件审核在现场进行",
                        start=date(2026, 1, 12), actor="admin", on=date(2026, 1, 8))
    audit = app.client(USCC).audits[a1]
    assert audit["man_days"] == Decimal("0.5") and audit["start_on"] == date(2026, 1, 12)
    assert audit["calculation"]["calculated_man_days"] == Decimal(0) and audit["calculation"]["overridden"]


def test_a_long_session_keeps_only_the_most_recent_clients_and_reloads_the_others(app, monkeypatch):
    import ledger.app
    from ledger.synthetic import uscc

    monkeypatch.setattr(ledger.app, "SESSION_CLIENTS", 3)
    codes = [uscc(i, 11) for i in range(6)]
    with app.session():
        for code in codes:
            app.submit_application(client=code, name="某公司", address="某地", scheme="zgc-ru015", scope="s",
                                   site=[{"name": "总部", "address": "某地"}], headcount=10, actor="张伟", on=date(2026, 3, 2))
        app.flush()
        assert len(app._uow.clients) == 3  # the three most recently used stay
        for code in codes:  # the evicted ones are loaded again from the store
            app.review_application(client=code, application="AP1", accept=True, reason="资料齐全", actor="张伟",
                                   on=date(2026, 3, 4))
    assert [app.client(code).version for code in codes] == [3] * 6
