"""The register of the body's people (issue 15, items 1 and 2) through the application, on SQLite and
PostgreSQL: every people command, the views as of a date, lookup by name or document number, and
each refusal at the acts once the register holds anyone (001 §3.1, 001 §4.3.2.2, 004 §5.2.2,
001 §4.6.2, 004 §14), each writing nothing."""

from datetime import date
from decimal import Decimal

import pytest

from aggregates.errors import RuleViolation
from aggregates.policy.people import id_check_character
from ledger.demo import CLIENTS, _uscc
from ledger.importer import run_import
from ledger.rules.scoring import load_scheme
from ledger.synthetic import score_sheet

ZGC = _uscc(CLIENTS[0].uscc)  # 001
HZX = _uscc(CLIENTS[1].uscc)  # 004


def resident_id(first17: str) -> str:
    return first17 + id_check_character(first17)


WANG = resident_id("33010619850312002")  # 王芳
LI = resident_id("33010219900101001")  # 李强
ZHAO = resident_id("33010519780520004")  # 赵敏
SUN = resident_id("33010819820808003")  # 孙丽
CHEN = resident_id("33010419750101005")  # 陈工 (technical expert)


from tests.refusals import refused as _refused  # noqa: E402
from tests.staff import register_admin  # noqa: E402


def _staff(app, *, li_ccaa_to=date(2027, 12, 31)):
    """The body's people: 张伟 the administrator (registered first, by themself), 王芳 lead auditor, 李强 auditor,
    赵敏 decider, 孙丽 case handler, 陈工 technical expert."""
    on = dict(actor="张伟", on=date(2026, 1, 5))
    register_admin(app)
    for name, number, roles in (("王芳", WANG, ["auditor", "lead_auditor"]), ("李强", LI, ["auditor"]), ("赵敏", ZHAO, ["decider"]),
                                ("孙丽", SUN, ["case_handler"]), ("陈工", CHEN, ["technical_expert"])):
        app.register_person(name=name, number=number, joined_on=date(2020, 3, 1), **on)
        app.grant_roles(person=name, role=roles, **on)
    app.record_ccaa(person="王芳", number="2021-N1QMS-1001", category="senior_auditor", valid_from=date(2024, 1, 1), valid_to=date(2027, 12, 31), **on)
    app.record_ccaa(person="李强", number="2022-N1QMS-2002", category="auditor", valid_from=date(2025, 1, 1), valid_to=li_ccaa_to, **on)
    for name in ("王芳", "李强"):
        app.record_competence(person=name, scheme="hzx-mr0118", code=["51"], **on)
        for scheme in ("zgc-ru015", "hzx-mr0118"):  # trained on the standard before any audit (001 §3.2, 004 §17.1 c))
            app.record_training(person=name, scheme=scheme, hours=Decimal("16"), evidence=[f"培训证书 {scheme}"], **on)


def _contracted(app, uscc, scheme, lines=None):
    app.submit_application(client=uscc, name="某公司", address="某地", scheme=scheme, scope="s", site=[{"name": "总部", "address": "某地"}],
                           headcount=30, actor="张伟", on=date(2026, 3, 2))
    if lines:
        app.declare_business_lines(client=uscc, application="AP1", line=lines, actor="张伟", on=date(2026, 3, 2))
    app.review_application(client=uscc, application="AP1", accept=True, actor="张伟", on=date(2026, 3, 3))
    app.sign_contract(client=uscc, contract_no="K1", actor="张伟", on=date(2026, 3, 4))


def _audited(app, uscc, scheme):
    app.plan_audit(client=uscc, kind="stage1", member=["王芳"], start=date(2026, 3, 5), actor="张伟", on=date(2026, 3, 4))
    app.complete_audit(client=uscc, audit="A1", conclusion="ok", actor="王芳", on=date(2026, 3, 5))
    app.plan_audit(client=uscc, kind="stage2", member=["王芳", "李强"], expert=["陈工"], start=date(2026, 3, 10), actor="张伟",
                   on=date(2026, 3, 6))
    for item, facet, value in score_sheet(load_scheme(scheme), 0.86, seed=5):
        app.enter_score(client=uscc, audit="A2", item=item, facet=facet, value=value, actor="李强", on=date(2026, 3, 10))
    app.complete_audit(client=uscc, audit="A2", conclusion="推荐", actor="王芳", on=date(2026, 3, 11))


# ------------------------------------------------------------------ the register


def test_every_people_command_and_the_views_as_of_a_date(app):
    _staff(app)
    wang = app.person("王芳")
    assert wang.document_number == WANG and app.person(WANG.lower()).id == wang.id  # by number, lower-case x allowed
    assert sorted(wang.roles) == ["auditor", "lead_auditor"] and wang.registrations[0]["category"] == "senior_auditor"
    app.record_training(person="王芳", scheme="zgc-ru015", hours=Decimal("16"), evidence=["培训证书 PX-7", "签到表 2026-02"],
                        trained_on=date(2026, 2, 1), note="GB/T 31863 宣贯", actor="张伟", on=date(2026, 2, 2))
    app.record_ccaa(person="王芳", number="2021-n1qms-1001", category="senior_auditor", valid_from=date(2028, 1, 1),
                    valid_to=date(2030, 12, 31), actor="张伟", on=date(2026, 2, 2))  # a renewal: a new record
    app.withdraw_roles(person="李强", role=["auditor"], reason="调岗", evidence=["任免文件 HR-12"], actor="张伟", on=date(2026, 4, 1))
    assert app.person("李强").annotations[0]["evidence"] == ["任免文件 HR-12"]
    app.record_leaving(person="陈工", left_on=date(2026, 5, 31), actor="张伟", on=date(2026, 6, 1))
    now = app.person("王芳").summary()
    assert now["trainings"][-1] == {"scheme_id": "zgc-ru015", "trained_on": date(2026, 2, 1), "hours": Decimal("16"),
                                    "evidence": ["培训证书 PX-7", "签到表 2026-02"]} and len(now["trainings"]) == 3  # 2 by _staff
    assert [(a["command"], a["note"]) for a in now["annotations"]] == [("people train", "GB/T 31863 宣贯")]
    assert [r["number"] for r in now["ccaa"]] == ["2021-N1QMS-1001", "2021-N1QMS-1001"] and now["competence"] == {"hzx-mr0118": ["51"]}
    li = app.person("李强")
    assert li.roles == {} and li.former_roles[0]["reason"] == "调岗" and li.former_roles[0]["withdrawn_on"] == date(2026, 4, 1)
    # as of a date: the events dated on or before it
    assert "auditor" in app.person("李强", as_of=date(2026, 3, 31)).roles
    assert app.person("陈工", as_of=date(2026, 5, 1)).left_on is None and app.person("陈工").left_on == date(2026, 5, 31)
    assert len(app.person("王芳", as_of=date(2026, 1, 31)).trainings) == 2  # _staff's, not yet the one of 2026-02-02
    assert [p.name for p in app.people()] == ["张伟", "王芳", "李强", "赵敏", "孙丽", "陈工"]
    assert app.people(as_of=date(2026, 1, 4)) == []
    with pytest.raises(RuleViolation) as e:
        app.person("王芳", as_of=date(2026, 1, 4))
    assert "王芳" in e.value.message_en
    # the people's events stay out of the clients' read models, and a rebuild passes over them
    app.update_read_models()
    app.rebuild_read_models()
    assert app.clients() == []


def test_the_register_refuses_what_is_wrong(app):
    _staff(app)
    on = dict(actor="张伟", on=date(2026, 2, 1))
    bad = WANG[:17] + ("0" if WANG[17] != "0" else "1")
    e = _refused(app, lambda: app.register_person(name="某人", number=bad, **on), "GB 11643-1999")
    assert "check character" in e.message_en
    _refused(app, lambda: app.register_person(name="某人", number=resident_id("33010619851332001"), **on), "GB 11643-1999")  # 13th month
    _refused(app, lambda: app.register_person(name="某人", number="1234", **on), "GB 11643-1999")
    _refused(app, lambda: app.register_person(name="王芳", number=WANG, **on), "ledger: register of people")  # twice
    _refused(app, lambda: app.register_person(name="某人", number=" ", document="passport", **on), "ledger: register of people")
    _refused(app, lambda: app.grant_roles(person="王芳", role=["auditor"], **on), "ledger: register of people")  # held already
    _refused(app, lambda: app.withdraw_roles(person="赵敏", role=["auditor"], reason="r", **on), "ledger: register of people")
    _refused(app, lambda: app.record_ccaa(person="王芳", number="X1", category="auditor", valid_from=date(2026, 2, 1),
                                          valid_to=date(2026, 1, 1), **on), "001 §3.1")
    _refused(app, lambda: app.record_training(person="王芳", scheme="zgc-ru015", hours=Decimal("0"), evidence="e", **on), "001 §3.2")
    _refused(app, lambda: app.grant_roles(person="张三", role=["auditor"], **on), "ledger: register of people")  # nobody of that name
    # a passport is kept with its kind, normalised; a second 王芳 makes the name ambiguous
    app.register_person(name="王芳", number="e 1234 5678", document="passport", **on)
    assert app.person("E12345678").document_kind == "passport"
    e = _refused(app, lambda: app.grant_roles(person="王芳", role=["decider"], **on), "ledger: register of people")
    assert WANG in e.message_en and "E12345678" in e.message_en
    app.grant_roles(person=WANG, role=["decider"], **on)
    app.record_leaving(person=CHEN, left_on=date(2026, 1, 31), **on)
    _refused(app, lambda: app.grant_roles(person=CHEN, role=["auditor"], **on), "ledger: register of people")  # left


def test_people_lines_import_with_clients_lines(app):
    lines = [
        b'{"command": "people register", "name": "\xe7\x8e\x8b\xe8\x8a\xb3", "number": "%s", "on": "2026-01-05"}' % WANG.encode(),
        b'{"command": "people grant", "person": "%s", "role": ["auditor", "lead_auditor"], "on": "2026-01-05"}' % WANG.encode(),
        b'{"command": "people ccaa", "person": "%s", "number": "C-1", "category": "auditor", "valid-from": "2025-01-01", '
        b'"valid-to": "2027-12-31", "on": "2026-01-05"}' % WANG.encode(),
        b'{"command": "people grant", "person": "%s", "role": ["auditor"], "on": "2026-01-05"}' % WANG.encode(),  # refused: held
    ]
    register_admin(app)  # the import's actor, the administrator, registered themself first (D37)
    report = run_import(app, lines, actor="张伟")
    assert report.written == 3 and [x.line for x in report.errors] == [4]
    assert app.person("王芳").registrations[0]["number"] == "C-1"


# ------------------------------------------------------------------ the checks at the acts


def test_an_empty_register_leaves_the_acts_as_they_were(app):
    _contracted(app, ZGC, "zgc-ru015")
    app.plan_audit(client=ZGC, kind="stage1", member=["任何人"], start=date(2026, 3, 5), actor="张伟", on=date(2026, 3, 4))
    assert app.client(ZGC).audits["A1"]["team"] == ["任何人"]
    # an expert listed as a member is refused whatever the register (001 §4.3.2.2)
    _refused(app, lambda: app.plan_audit(client=ZGC, kind="stage1", member=["甲"], expert=["甲"], start=date(2026, 3, 5), actor="张伟",
                                         on=date(2026, 3, 4)), "001 §4.3.2.2")


def test_the_audit_team_is_checked_against_the_register(app):
    _staff(app, li_ccaa_to=date(2026, 3, 10))
    _contracted(app, ZGC, "zgc-ru015")

    def plan(member, leader="", expert=(), start=date(2026, 3, 5), man_days=None):
        return lambda: app.plan_audit(client=ZGC, kind="stage1", member=list(member), leader=leader, expert=list(expert), start=start,
                                      man_days=man_days, man_days_reason="r" if man_days else "", actor="张伟", on=date(2026, 3, 4))

    e = _refused(app, plan(["张三"]), "001 §3.1")  # not registered
    assert "people register --name 张三" in e.message_en
    e = _refused(app, plan(["王芳", "赵敏"]), "001 §3.1")  # no auditor role
    assert "people grant --person 赵敏 --role auditor" in e.message_en
    e = _refused(app, plan(["李强", "王芳"]), "004 §5.2.2")  # the leader (the first member) is no lead auditor
    assert "people grant --person 李强 --role lead_auditor" in e.message_en
    # 李强's registration ends on 2026-03-10: an audit of 4 man-days by two auditors runs 03-09 and 03-10, one of 6 into 03-11
    app.plan_audit(client=ZGC, kind="stage1", member=["王芳", "李强"], man_days=Decimal(4), man_days_reason="r", start=date(2026, 3, 9),
                   actor="张伟", on=date(2026, 3, 4))
    e = _refused(app, plan(["王芳", "李强"], start=date(2026, 3, 9), man_days=Decimal(6)), "001 §3.1")
    assert "2026-03-11" in e.message_en and "people ccaa --person 李强" in e.message_en
    e = _refused(app, plan(["王芳"], expert=["李强"]), "001 §4.3.2.2")  # an expert holds the technical expert role
    assert "--role technical_expert" in e.message_en
    app.record_leaving(person="陈工", left_on=date(2026, 3, 1), actor="张伟", on=date(2026, 3, 2))
    _refused(app, plan(["王芳"], expert=["陈工"]), "001 §4.3.2.2")  # left


def test_under_004_one_member_is_competent_for_the_business_lines(app):
    _staff(app)
    _contracted(app, HZX, "hzx-mr0118", lines=["51.1", "52"])

    def plan():
        return app.plan_audit(client=HZX, kind="stage1", member=["王芳", "李强"], start=date(2026, 3, 5), actor="张伟", on=date(2026, 3, 4))

    e = _refused(app, plan, "004 §5.2.2")  # 51 covers 51.1, but nobody covers 52
    assert "people competence" in e.message_en and "52" in e.message_zh
    app.record_competence(person="李强", scheme="hzx-mr0118", code=["51", "52"], actor="张伟", on=date(2026, 3, 4))
    assert plan() == "A1"


def test_deciders_hold_their_roles(app):
    _staff(app)
    _contracted(app, HZX, "hzx-mr0118", lines=["51.2"])
    _audited(app, HZX, "hzx-mr0118")
    assert app.client(HZX).audits["A2"]["calculation"]["technical_experts"] == ["陈工"]
    assert app.client(HZX).audits["A2"]["team"] == ["王芳", "李强"]
    e = _refused(app, lambda: app.decide(client=HZX, audit="A2", decider="孙丽", reason="r", actor="张伟", on=date(2026, 3, 12)), "001 §4.6.2")
    assert "people grant --person 孙丽 --role decider" in e.message_en
    _refused(app, lambda: app.decide(client=HZX, audit="A2", decider="钱七", reason="r", actor="张伟", on=date(2026, 3, 12)), "001 §4.6.2")
    result = app.decide(client=HZX, audit="A2", decider="赵敏", reason="r", actor="张伟", on=date(2026, 3, 12))
    app.issue_certificate(client=HZX, decision=result["decision"], actor="张伟", on=date(2026, 3, 13))
    # complaints and appeals are decided by case handlers (004 §14)
    app.receive_complaint(client=HZX, complainant="顾客", subject="退货超时", actor="张伟", on=date(2026, 4, 1))
    e = _refused(app, lambda: app.admit_complaint(client=HZX, complaint="C1", accept=True, decider=["赵敏"], actor="张伟",
                                                  on=date(2026, 4, 2)), "004 §14")
    assert "--role case_handler" in e.message_en
    app.admit_complaint(client=HZX, complaint="C1", accept=True, decider=["孙丽"], actor="张伟", on=date(2026, 4, 2))
    app.lodge_appeal(client=HZX, against="D1", grounds="评分偏低", actor="张伟", on=date(2026, 3, 16))
    app.admit_appeal(client=HZX, appeal="AL1", accept=True, decider=["孙丽"], actor="张伟", on=date(2026, 3, 18))  # 张伟 recorded D1
    _refused(app, lambda: app.decide_appeal(client=HZX, appeal="AL1", outcome="dismissed", result="维持", decider=["赵敏"], actor="张伟",
                                            on=date(2026, 4, 3)), "004 §14")
    app.record_leaving(person="孙丽", left_on=date(2026, 4, 2), actor="张伟", on=date(2026, 4, 3))
    e = _refused(app, lambda: app.decide_appeal(client=HZX, appeal="AL1", outcome="dismissed", result="维持", decider=["孙丽"],
                                                actor="张伟", on=date(2026, 4, 3)), "004 §14")
    assert "left the body" in e.message_en


def test_the_read_models_and_the_trail_pass_over_a_persons_events(app):
    from ledger.trail import make_checkpoint, verify_trail
    from ledger.trail.note import Signer
    from projections import read

    _contracted(app, ZGC, "zgc-ru015")
    _staff(app)  # people's events after the client's, at the end of the log
    app.update_read_models()
    app.rebuild_read_models()
    result = read.check_read_models(app)
    assert result.ok and result.clients == 1 and result.events == result.last == app.event_count()
    assert [c.uscc for c in app.clients()] == [ZGC] and [r["uscc"] for r in read.clients(app)] == [ZGC]
    signer = Signer.generate("test.body")
    cp = make_checkpoint(app, signer)
    report = verify_trail(app, signer.verifier)
    assert report.ok, report.findings
    assert report.size == cp.checkpoint.size == app.event_count()  # the register is under the trail too
