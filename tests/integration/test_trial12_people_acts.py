"""Trial 12, items 3, 6, 7 and 12 (issue 15), on SQLite and PostgreSQL: a leaver does not write by
backdating outside an import's session, and the register keeps an administrator; the answer to an
objection is never by someone on the team or named in it, and the body's own conflicts are an
administrator's or a senior manager's; an upheld objection to the whole team bars everyone on it
from the audit planned again; an appeal admitted without ``--decider`` is decided by its actor, who
is held to 004 §14.1.3 (6). Each refusal names its rule and writes nothing."""

from datetime import date
from decimal import Decimal

from click.testing import CliRunner

from cli.main import root
from ledger.people_actor import RULE
from tests.integration.test_cases import _certified
from tests.integration.test_people import HZX, ZGC, _contracted, _staff
from tests.refusals import refused
from tests.integration.test_team_objection import _stage1

ADMIN = "张伟"
WU = "11010519900101001"  # 吴刚's first 17 digits (the check character computed by ``_number``)


def _number(first17):
    from aggregates.policy.people import id_check_character

    return first17 + id_check_character(first17)


def _submit(app, uscc, actor, on):
    return app.submit_application(client=uscc, name="某公司", address="某地", scheme="zgc-ru015", scope="s",
                                  site=[{"name": "总部", "address": "某地"}], headcount=30, actor=actor, on=on)


# ---------------------------------------------------------------- item 3: leavers, the last administrator

def test_a_leaver_is_refused_a_backdated_write_outside_a_session_but_an_import_keeps_the_business_date(app):
    _staff(app)
    app.record_leaving(person="李强", left_on=date(2026, 3, 31), actor=ADMIN, on=date(2026, 4, 1))
    e = refused(app, lambda: _submit(app, HZX, "李强", on=date(2026, 3, 30)), RULE)  # dated before the leave, written today
    assert "2026-03-31" in e.message_zh and "even when dated earlier (2026-03-30)" in e.message_en
    with app.session():  # an import of the body's earlier records: the act's business date decides
        _submit(app, HZX, "李强", on=date(2026, 3, 30))
    assert next(iter(app.events.get(app.client(HZX).id))).actor == "李强"


def test_the_last_administrator_can_neither_leave_nor_lose_the_role(app):
    _staff(app)
    e = refused(app, lambda: app.record_leaving(person=ADMIN, left_on=date(2026, 2, 1), actor=ADMIN, on=date(2026, 2, 1)), RULE)
    assert "people grant --person 姓名 --role administrator" in e.message_zh and "only administrator" in e.message_en
    refused(app, lambda: app.withdraw_roles(person=ADMIN, role=["administrator"], reason="调岗", actor=ADMIN, on=date(2026, 2, 1)), RULE)
    e = refused(app, lambda: app.record_leaving(person=ADMIN, left_on=date(2026, 2, 1), actor="李强", on=date(2026, 2, 1)), RULE)
    assert "recorded by an administrator" in e.message_en  # a non-administrator hears the register's own rule first
    # another role of the last administrator may go; a second administrator lets the first one leave
    app.grant_roles(person=ADMIN, role=["case_handler"], actor=ADMIN, on=date(2026, 2, 1))
    app.withdraw_roles(person=ADMIN, role=["case_handler"], reason="调岗", actor=ADMIN, on=date(2026, 2, 1))
    app.register_person(name="吴刚", number=_number(WU), joined_on=date(2020, 1, 1), actor=ADMIN, on=date(2026, 2, 1))
    app.grant_roles(person="吴刚", role=["administrator"], actor=ADMIN, on=date(2026, 2, 1))
    app.withdraw_roles(person=ADMIN, role=["administrator"], reason="调岗", actor="吴刚", on=date(2026, 2, 2))
    refused(app, lambda: app.record_leaving(person="吴刚", left_on=date(2026, 2, 3), actor="吴刚", on=date(2026, 2, 3)), RULE)


# ---------------------------------------------------------------- item 6: who answers an objection; the body's conflicts

def _planned(app):
    _stage1(app)  # the objection tests' audit: stage 1 done, stage 2 planned with 王芳, 李强 and the expert 陈工


def _object(app, members=()):
    return app.execute("audit objection", {"client": HZX, "audit": "A2", "member": list(members), "reason": "曾为竞争对手提供咨询",
                                           "on": "2026-03-07"}, actor=ADMIN)


def _answer(app, outcome, actor):
    return app.execute("audit objection-answer", {"client": HZX, "audit": "A2", outcome: True, "reason": "经核实", "on": "2026-03-08"},
                       actor=actor)


def test_the_person_objected_to_or_anyone_on_the_team_cannot_answer_the_objection(app):
    _planned(app)
    _object(app, members=["李强"])
    e = refused(app, lambda: _answer(app, "dismissed", "李强"), "004 §5.2.1")
    assert "异议所针对" in e.message_zh and "004 §4.2" in e.message_zh and "impartiality" in e.message_en
    for member in ("王芳", "陈工"):  # the leader, the technical expert: on the team too
        e = refused(app, lambda member=member: _answer(app, "dismissed", member), "004 §5.2.1")
        assert "is on the team of audit A2" in e.message_en
    assert _answer(app, "dismissed", "孙丽") == "OB1"  # someone not on the team, not named


def test_the_bodys_conflicts_are_recorded_and_ended_by_an_administrator_or_a_senior_manager_only(app):
    _staff(app)
    _contracted(app, ZGC, "zgc-ru015")

    def conflict(actor):
        return app.execute("body conflict", {"client": ZGC, "kind": "asset", "detail": "持股 10%", "on": "2026-03-05"}, actor=actor)

    def end(actor):
        return app.execute("body conflict-end", {"client": ZGC, "reason": "股份已转让", "on": "2026-03-06"}, actor=actor)

    e = refused(app, lambda: conflict("李强"), RULE)
    assert "管理员或高级管理人员" in e.message_zh and "senior manager" in e.message_en
    assert conflict(ADMIN) == "BC1"
    for auditor in ("李强", "王芳"):
        refused(app, lambda auditor=auditor: end(auditor), RULE)
    app.grant_roles(person="赵敏", role=["senior_manager"], actor=ADMIN, on=date(2026, 3, 6))
    end("赵敏")
    assert app.body_conflicts(ZGC, date(2026, 3, 6)) == []


# ---------------------------------------------------------------- item 7: an upheld objection to the whole team

def test_an_upheld_objection_to_the_whole_team_bars_everyone_on_it(app, db_url):
    _planned(app)
    _object(app)  # no member named: the team as a whole
    out = CliRunner().invoke(root, ["--db", db_url, "--actor", ADMIN, "audit", "objection-answer", "--client", HZX, "--audit", "A2",
                                    "--upheld", "--reason", "审核组整体不符合要求", "--on", "2026-03-08"])
    assert out.exit_code == 0, out.output
    assert "异议成立" in out.output and "不得进入重新策划的审核组" in out.output and "王芳、李强、陈工" in out.output
    app.execute("audit cancel", {"client": HZX, "audit": "A2", "reason": "异议成立", "on": "2026-03-08"}, actor=ADMIN)
    for team, expert in ((["王芳"], []), (["王芳", "李强"], []), (["王芳"], ["陈工"])):
        e = refused(app, lambda team=team, expert=expert: app.plan_audit(client=HZX, kind="stage2", member=team, expert=expert,
                                                                         start=date(2026, 3, 12),
                                                actor=ADMIN, on=date(2026, 3, 9)), "004 §5.2.1")
        assert "OB1" in e.message_en
    app.register_person(name="吴刚", number=_number(WU), joined_on=date(2020, 1, 1), actor=ADMIN, on=date(2026, 3, 9))
    app.grant_roles(person="吴刚", role=["auditor", "lead_auditor"], actor=ADMIN, on=date(2026, 3, 9))
    app.record_ccaa(person="吴刚", number="2021-N1QMS-3003", category="senior_auditor", valid_from=date(2024, 1, 1),
                    valid_to=date(2027, 12, 31), actor=ADMIN, on=date(2026, 3, 9))
    app.record_competence(person="吴刚", scheme="hzx-mr0118", code=["51"], actor=ADMIN, on=date(2026, 3, 9))
    app.record_training(person="吴刚", scheme="hzx-mr0118", hours=Decimal(16), evidence=["培训证书"], actor=ADMIN, on=date(2026, 3, 9))
    assert app.plan_audit(client=HZX, kind="stage2", member=["吴刚"], start=date(2026, 3, 12), actor=ADMIN, on=date(2026, 3, 9)) == "A3"


# ---------------------------------------------------------------- item 12: an admission with no --decider

def test_an_appeal_admitted_without_a_decider_is_decided_by_its_actor_held_to_the_same_rule(app, db_url):
    _certified(app, HZX, "hzx-mr0118")  # D1: decided by 赵敏, recorded by admin, audited by 王芳 and 李强
    app.lodge_appeal(client=HZX, against="D1", grounds="评分偏低", actor="admin", on=date(2026, 3, 16))
    for involved in ("赵敏", "王芳", "admin"):
        e = refused(app, lambda involved=involved: app.admit_appeal(client=HZX, appeal="AL1", accept=True, actor=involved,
                                                                    on=date(2026, 3, 18)),
                    "004 §14.1.3 (6)")
        assert involved in e.message_zh and "D1" in e.message_en
    before = app.event_count()
    out = CliRunner().invoke(root, ["--db", db_url, "--actor", "赵敏", "appeal", "admit", "--client", HZX, "--appeal", "AL1",
                                    "--accept", "--on", "2026-03-18"])
    assert out.exit_code == 1 and "004 §14.1.3 (6)" in out.output and "Traceback" not in out.output
    assert app.event_count() == before
    app.admit_appeal(client=HZX, appeal="AL1", accept=True, actor="孙丽", on=date(2026, 3, 18))
    assert app.client(HZX).appeals["AL1"]["status"] == "accepted"
