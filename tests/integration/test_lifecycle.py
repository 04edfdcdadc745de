"""Whole certification cycles through the application, scored by the real scheme files, on SQLite
and PostgreSQL."""

from datetime import date

import pytest

from aggregates.errors import RuleViolation
from ledger.demo import CLIENTS, _uscc, play
from ledger.synthetic import score_sheet

TODAY = date(2026, 11, 20)


def test_the_demo_year_plays_through_every_rule(app):
    codes = play(app, today=TODAY)
    hz, sz, nc, bj, su, wh = (app.client(c) for c in codes)
    assert hz.certificate_status == "valid" and hz.certificate["grade"] == "A"
    assert hz.certificate["reported_on"] is not None
    assert sz.certificate_status == "valid" and list(sz.suspensions.values())[0]["restored_on"] is not None
    assert sz.certificate["grade"] == "AAAA" and sz.decisions["D1"]["scheme_version"] == "A/2"
    assert nc.certificate["grade"] == "AAA" and bj.certificate["grade"] == "4STAR"
    assert bj.appeals["AL1"]["outcome"] == "dismissed"
    assert su.stage == "auditing" and wh.stage == "refused"
    # every decision carries the computation it rests on
    d = hz.decisions["D1"]
    assert d["evaluation"]["total"] == str(d["score"]) and d["decider"] not in hz.audits["A2"]["team"]


def _to_stage2(app, uscc, scheme="zgc-ru015", headcount=30):
    app.submit_application(client=uscc, name="某公司", address="某地", scheme=scheme, scope="s",
                           site=[{"name": "总部", "address": "某地"}], headcount=headcount, actor="admin", on=date(2026, 3, 2))
    app.review_application(client=uscc, application="AP1", accept=True, actor="admin", on=date(2026, 3, 3))
    app.sign_contract(client=uscc, contract_no="K1", actor="admin", on=date(2026, 3, 4))
    app.plan_audit(client=uscc, kind="stage1", member=["王芳"], start=date(2026, 3, 5), actor="admin", on=date(2026, 3, 4))
    app.complete_audit(client=uscc, audit="A1", conclusion="ok", actor="王芳", on=date(2026, 3, 5))
    app.plan_audit(client=uscc, kind="stage2", member=["王芳", "李强"], start=date(2026, 3, 10), actor="admin", on=date(2026, 3, 6))


def test_completing_an_audit_with_unscored_items_is_refused_naming_them(app):
    """001 §4.4.4.2, §4.4.5.2: the report gives the decision what it needs; completing earlier would
    close the audit to the scores its decision needs (a dead end)."""
    uscc = _uscc(CLIENTS[0].uscc)
    _to_stage2(app, uscc)
    app.enter_score(client=uscc, audit="A2", item="A.1", value={"percent": 90}, actor="王芳", on=date(2026, 3, 10))
    app.exclude_item(client=uscc, audit="A2", item="A.15", reason="无出口业务", actor="王芳", on=date(2026, 3, 10))
    before = app.event_count()
    with pytest.raises(RuleViolation) as e:
        app.complete_audit(client=uscc, audit="A2", conclusion="ok", actor="王芳", on=date(2026, 3, 11))
    assert e.value.rule == "001 §4.4.4.2, §4.4.5.2"
    assert "A.2" in e.value.message_en and "A.22" in e.value.message_en and "4.2.1" in e.value.message_en
    assert "A.1," not in e.value.message_en and "A.15" not in e.value.message_en
    assert "certledger score enter --audit A2" in e.value.message_en
    assert app.event_count() == before and app.client(uscc).audits["A2"]["status"] == "planned"


def test_an_audit_completed_unscored_before_the_rule_is_reopened_with_a_reason_and_then_decided(app):
    """A ledger that recorded an incomplete completion (before the rule above) is not stuck: the
    decision names audit reopen, which takes the missing scores while no decision rests on it."""
    from ledger.rules.scoring import load_scheme

    uscc = _uscc(CLIENTS[0].uscc)
    _to_stage2(app, uscc)
    sheet = score_sheet(load_scheme("zgc-ru015"), 0.95, seed=3)
    for item, facet, value in sheet[:5]:
        app.enter_score(client=uscc, audit="A2", item=item, facet=facet, value=value, actor="李强", on=date(2026, 3, 10))
    legacy = app.client(uscc)  # as an older version recorded it: completed with items unscored
    legacy.complete_audit(audit_id="A2", conclusion="ok", actor="王芳", occurred_on=date(2026, 3, 11))
    app.save(legacy)
    with pytest.raises(RuleViolation) as e:
        app.decide(client=uscc, audit="A2", decider="赵敏", reason="r", actor="admin", on=date(2026, 3, 12))
    assert e.value.rule == "ledger: every item scored or excluded" and "audit reopen" in e.value.message_en
    with pytest.raises(RuleViolation) as e:
        app.reopen_audit(client=uscc, audit="A2", reason=" ", actor="admin", on=date(2026, 3, 12))
    assert "reason" in e.value.message_en
    app.reopen_audit(client=uscc, audit="A2", reason="评分未录全即完成，补录", actor="admin", on=date(2026, 3, 12))
    audit = app.client(uscc).audits["A2"]
    assert audit["status"] == "planned" and audit["reopenings"][0]["reason"] == "评分未录全即完成，补录"
    assert audit["reopenings"][0]["completed_on"] == date(2026, 3, 11)
    with pytest.raises(RuleViolation):  # not completed: nothing to reopen
        app.reopen_audit(client=uscc, audit="A2", reason="again", actor="admin", on=date(2026, 3, 12))
    for item, facet, value in sheet[5:]:
        app.enter_score(client=uscc, audit="A2", item=item, facet=facet, value=value, actor="李强", on=date(2026, 3, 12))
    app.complete_audit(client=uscc, audit="A2", conclusion="推荐", actor="王芳", on=date(2026, 3, 12))
    result = app.decide(client=uscc, audit="A2", decider="赵敏", reason="r", actor="admin", on=date(2026, 3, 13))
    assert result["granted"]
    with pytest.raises(RuleViolation) as e:  # a decision rests on it now: an appeal, not a reopening
        app.reopen_audit(client=uscc, audit="A2", reason="x", actor="admin", on=date(2026, 3, 14))
    assert e.value.rule == "ledger: decided scores stand"


def test_scores_are_checked_against_the_scheme_before_anything_is_written(app):
    uscc = _uscc(CLIENTS[0].uscc)
    _to_stage2(app, uscc)
    before = app.event_count()
    for item, value, code in [
        ("A.1", {"percent": 101}, "out-of-range"),
        ("A.99", {"percent": 50}, "unknown-item"),
        ("A.1", {"points": 5}, "wrong-shape"),
    ]:
        with pytest.raises(RuleViolation) as e:
            app.enter_score(client=uscc, audit="A2", item=item, value=value, actor="王芳", on=date(2026, 3, 10))
        assert e.value.rule.startswith(code), e.value.rule
    assert app.event_count() == before


def test_items_can_be_named_by_their_chinese_name(app):
    uscc = _uscc(CLIENTS[0].uscc)
    _to_stage2(app, uscc)
    from ledger.rules.scoring import load_scheme

    item = load_scheme("zgc-ru015").items[3]
    entry = app.enter_score(client=uscc, audit="A2", item=item.name_zh, value={"conforms": True}, actor="王芳", on=date(2026, 3, 10))
    assert app.client(uscc).entries[entry]["item"] == item.id


def test_a_full_score_sheet_gives_the_grade_the_engine_computes(app):
    from ledger.rules.scoring import Entry, evaluate, load_scheme

    uscc = _uscc(CLIENTS[0].uscc)
    _to_stage2(app, uscc)
    scheme = load_scheme("zgc-ru015")
    sheet = score_sheet(scheme, 0.97, seed=7)
    for item, facet, value in sheet:
        app.enter_score(client=uscc, audit="A2", item=item, facet=facet, value=value, actor="李强", on=date(2026, 3, 10))
    first = app.client(uscc).effective_entries("A2")[0]
    app.correct_score(client=uscc, entry=first["id"], value={"percent": 40}, reason="复核证据不足", actor="王芳", on=date(2026, 3, 11))
    app.complete_audit(client=uscc, audit="A2", conclusion="推荐", actor="王芳", on=date(2026, 3, 11))
    result = app.decide(client=uscc, audit="A2", decider="赵敏", reason="r", actor="admin", on=date(2026, 3, 12))
    expected = evaluate(scheme, [Entry(i, f, v) for i, f, v in sheet[1:]] + [Entry(first["item"], None, {"percent": 40})], {})
    assert result["score"] == expected.total and result["grade"] == expected.grade and result["granted"]
    cert_no = app.issue_certificate(client=uscc, decision=result["decision"], actor="admin", on=date(2026, 3, 13))
    cert = app.client(uscc).certificate
    assert cert["number"] == cert_no and cert["valid_until"] == date(2029, 3, 12)
    assert cert["standard"].startswith("ZGC/RU-015")


def test_suspension_reason_codes_come_from_the_clients_procedure(app):
    codes = play(app, today=TODAY)
    hz = codes[0]  # zgc-ru015 follows procedure 001
    before = app.event_count()
    with pytest.raises(RuleViolation) as e:
        app.suspend(client=hz, reason_code="8.1a", reason="r", actor="admin", on=date(2026, 11, 1))
    assert "7.2.1a" in e.value.message_en
    with pytest.raises(RuleViolation) as e:
        app.suspend(client=hz, reason_code="7.2.1a", reason="r", months=7, actor="admin", on=date(2026, 11, 1))
    assert e.value.rule == "001 §7.2.2"
    assert app.event_count() == before
    app.suspend(client=hz, reason_code="7.2.1e", reason="许可证过期，换证申请已受理", actor="admin", on=date(2026, 11, 1))
    sus = list(app.client(hz).suspensions.values())[-1]
    assert sus["until"] is None  # until the licensing decision (001 §7.2.2)
    app.restore(client=hz, reason="新许可证已取得", actor="admin", on=date(2026, 11, 10))
    app.suspend(client=hz, reason_code="7.2.1f", reason="主动请求", months=3, start=date(2026, 11, 15), actor="admin", on=date(2026, 11, 15))
    assert list(app.client(hz).suspensions.values())[-1]["until"] == date(2027, 2, 15)


def _certified_with_surveillance(app, uscc):
    """Certified on a full score sheet, a surveillance audit then fully scored and completed."""
    from ledger.rules.scoring import load_scheme

    _to_stage2(app, uscc)
    sheet = score_sheet(load_scheme("zgc-ru015"), 0.95, seed=5)
    for item, facet, value in sheet:
        app.enter_score(client=uscc, audit="A2", item=item, facet=facet, value=value, actor="李强", on=date(2026, 3, 10))
    app.complete_audit(client=uscc, audit="A2", conclusion="推荐", actor="王芳", on=date(2026, 3, 11))
    decision = app.decide(client=uscc, audit="A2", decider="赵敏", reason="r", actor="admin", on=date(2026, 3, 12))
    app.issue_certificate(client=uscc, decision=decision["decision"], actor="admin", on=date(2026, 3, 13))
    app.plan_audit(client=uscc, kind="surveillance", member=["孙丽"], start=date(2026, 9, 1), actor="admin", on=date(2026, 8, 20))
    for item, facet, value in sheet:
        app.enter_score(client=uscc, audit="A3", item=item, facet=facet, value=value, actor="孙丽", on=date(2026, 9, 1))
    app.complete_audit(client=uscc, audit="A3", conclusion="保持", actor="孙丽", on=date(2026, 9, 2))


def test_no_surveillance_decision_on_a_withdrawn_certificate(app):
    """004 §5.8: a surveillance decision keeps, suspends or withdraws a certificate in force; on a
    withdrawn one there is nothing to decide, and a new certification starts with an application."""
    uscc = _uscc(CLIENTS[0].uscc)
    _certified_with_surveillance(app, uscc)
    app.withdraw(client=uscc, reason_code="7.3.1e", reason="拒不接受监督", actor="admin", on=date(2026, 9, 3))
    before = app.event_count()
    with pytest.raises(RuleViolation) as e:
        app.decide(client=uscc, audit="A3", decider="赵敏", reason="保持", actor="admin", on=date(2026, 9, 4))
    assert e.value.rule == "004 §5.8" and "withdrawn" in e.value.message_en and "application submit" in e.value.message_en
    assert "撤销" in e.value.message_zh and app.event_count() == before


def test_whoever_records_the_decision_is_outside_the_audit_team_too(app):
    """001 §4.6.2: not only the decider: the actor recording the decision may not be on the team."""
    uscc = _uscc(CLIENTS[0].uscc)
    _certified_with_surveillance(app, uscc)
    before = app.event_count()
    with pytest.raises(RuleViolation) as e:
        app.decide(client=uscc, audit="A3", decider="赵敏", reason="保持", actor="孙丽", on=date(2026, 9, 4))
    assert e.value.rule == "001 §4.6.2" and "孙丽" in e.value.message_en and "--actor" in e.value.message_en
    assert app.event_count() == before
    assert app.decide(client=uscc, audit="A3", decider="赵敏", reason="保持", actor="admin", on=date(2026, 9, 4))["granted"]
