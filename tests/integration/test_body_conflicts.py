"""Body-level conflicts (issue 15 item 3; 004 §4.2 d) 1)-3)) on SQLite and PostgreSQL: a conflict of the
body itself with a client (``body conflict`` / ``body conflict-end``) and one derived from a senior
manager's declared interest refuse every act of the client's evaluation, citing the clause, with
nothing written; ending the conflict (or the declaration, or the role) allows them again; the
impartiality view for inspectors shows them."""

import json
from datetime import date

from click.testing import CliRunner

from cli.main import root
from tests.integration.test_people import (
    HZX,
    ZGC,
    _audited,
    _contracted,
    _refused,
    _staff,
    resident_id,
)

ADMIN = "张伟"
QIAN = resident_id("33010619700101003")  # 钱总, a senior manager of the body


def _conflict(app, uscc, kind="asset", detail="本机构持有该公司 10% 股份", on="2026-03-02", **more):
    return app.execute("body conflict", {"client": uscc, "kind": kind, "detail": detail, "on": on, **more}, actor=ADMIN)


def _end(app, uscc, on, **more):
    return app.execute("body conflict-end", {"client": uscc, "reason": "股份已全部转让", "on": on, **more}, actor=ADMIN)


def test_the_bodys_own_conflict_refuses_the_evaluation_until_it_ends_even_under_001(app):
    _staff(app)
    on = {"actor": ADMIN}
    # ZGC follows procedure 001, which has no impartiality clause: the body applies 004 §4.2 d) to every client
    app.submit_application(client=ZGC, name="某公司", address="某地", scheme="zgc-ru015", scope="s",
                           site=[{"name": "总部", "address": "某地"}], headcount=30, on=date(2026, 3, 2), **on)
    assert _conflict(app, ZGC, kind="资产关联") == "BC1"  # the kind by its word
    e = _refused(app, lambda: app.review_application(client=ZGC, application="AP1", accept=True, on=date(2026, 3, 3), **on),
                 "004 §4.2 d) 1)")
    assert "BC1" in e.message_zh and "body conflict-end --client " + ZGC in e.message_zh and "accept its application" in e.message_en
    _end(app, ZGC, "2026-03-03")
    app.review_application(client=ZGC, application="AP1", accept=True, on=date(2026, 3, 3), **on)
    assert _conflict(app, ZGC, kind="other_interest", detail="本机构为其主要供应商", on="2026-03-03") == "BC2"
    _refused(app, lambda: app.sign_contract(client=ZGC, contract_no="K1", on=date(2026, 3, 4), **on), "004 §4.2 d) 1)")
    _end(app, ZGC, "2026-03-04", conflict="BC2")
    app.sign_contract(client=ZGC, contract_no="K1", on=date(2026, 3, 4), **on)
    _conflict(app, ZGC, on="2026-03-04")
    _refused(app, lambda: app.plan_audit(client=ZGC, kind="stage1", member=["王芳"], start=date(2026, 3, 5), on=date(2026, 3, 4), **on),
             "004 §4.2 d) 1)")
    # a conflict declared later stands from its own day: an act dated before it is not refused
    _end(app, ZGC, "2026-03-05")
    assert app.plan_audit(client=ZGC, kind="stage1", member=["王芳"], start=date(2026, 3, 5), on=date(2026, 3, 5), **on) == "A1"


def test_a_declared_conflict_applies_with_an_empty_register(app):
    app.submit_application(client=HZX, name="某公司", address="某地", scheme="hzx-mr0118", scope="s",
                           site=[{"name": "总部", "address": "某地"}], headcount=30, actor="admin", on=date(2026, 3, 2))
    app.execute("body conflict", {"client": HZX, "kind": "asset", "detail": "持股", "on": "2026-03-02"}, actor="admin")
    assert not app.has_people()
    _refused(app, lambda: app.review_application(client=HZX, application="AP1", accept=True, actor="admin", on=date(2026, 3, 3)),
             "004 §4.2 d) 1)")
    # refusing the application is the body's proper answer, and stays possible
    app.review_application(client=HZX, application="AP1", refuse=True, reason="本机构与申请方存在资产关联（004 §4.2 d) 1)）",
                           actor="admin", on=date(2026, 3, 3))


def test_decision_and_certificate_are_refused_while_a_conflict_stands(app):
    _staff(app)
    _contracted(app, HZX, "hzx-mr0118", lines=["51.2"])
    _audited(app, HZX, "hzx-mr0118")
    _conflict(app, HZX, kind="other_interest", detail="本机构负责人之配偶控股该公司", on="2026-03-11")
    e = _refused(app, lambda: app.decide(client=HZX, audit="A2", decider="赵敏", reason="r", actor=ADMIN, on=date(2026, 3, 12)),
                 "004 §4.2 d) 1)")
    assert "不能作出认证决定" in e.message_zh
    _end(app, HZX, "2026-03-12")
    d = app.decide(client=HZX, audit="A2", decider="赵敏", reason="r", actor=ADMIN, on=date(2026, 3, 12))
    _conflict(app, HZX, on="2026-03-12")
    _refused(app, lambda: app.issue_certificate(client=HZX, decision=d["decision"], actor=ADMIN, on=date(2026, 3, 13)), "004 §4.2 d) 1)")
    _end(app, HZX, "2026-03-13")
    app.issue_certificate(client=HZX, decision=d["decision"], actor=ADMIN, on=date(2026, 3, 13))
    # surveillance audits are the evaluation too
    _conflict(app, HZX, on="2026-06-01")
    _refused(app, lambda: app.plan_audit(client=HZX, kind="surveillance", member=["王芳"], start=date(2026, 9, 1), actor=ADMIN,
                                         on=date(2026, 6, 2)), "004 §4.2 d) 1)")


def test_a_senior_managers_declared_interest_is_the_bodys_conflict(app):
    _staff(app)
    _contracted(app, HZX, "hzx-mr0118", lines=["51.2"])
    on = {"actor": ADMIN, "on": date(2026, 3, 4)}
    app.register_person(name="钱总", number=QIAN, joined_on=date(2015, 1, 1), **on)
    # before the role is held, a declaration bars the person only (they are on no team): no body-level conflict
    app.declare_interest(person="钱总", client=HZX, kind="financial", detail="持有该公司 5% 股份", **on)
    assert app.body_conflicts(HZX, date(2026, 3, 4)) == []
    app.execute("people grant", {"person": "钱总", "role": ["高级管理人员"], "on": "2026-03-04"}, actor=ADMIN)  # senior_manager, by its word
    e = _refused(app, lambda: app.plan_audit(client=HZX, kind="stage1", member=["王芳"], start=date(2026, 3, 5), **on), "004 §4.2 d) 3)")
    assert "钱总" in e.message_zh and "people declare --person 钱总" in e.message_en and "senior manager" in e.message_en
    # the declaration kept current: the conflict ends with it
    app.declare_interest(person="钱总", client=HZX, kind="none", **on)
    # employment at the client within a year (004 §4.2 d) 2))
    app.declare_interest(person="钱总", client=HZX, kind="employment", detail="曾任该公司副总经理", ended_on=date(2025, 6, 30), **on)
    _refused(app, lambda: app.plan_audit(client=HZX, kind="stage1", member=["王芳"], start=date(2026, 3, 5), **on), "004 §4.2 d) 2)")
    rows = app.body_conflicts(HZX, date(2026, 3, 4))
    assert [(r["source"], r["person"], r["clause"]) for r in rows] == [("senior_manager", "钱总", "004 §4.2 d) 2)")]
    # consultancy given by a senior manager bars that person (004 §4.3), not the body
    app.declare_interest(person="钱总", client=HZX, kind="none", **on)
    app.declare_interest(person="钱总", client=HZX, kind="consultancy", detail="2025 年咨询", **on)
    assert app.body_conflicts(HZX, date(2026, 3, 4)) == []
    app.declare_interest(person="钱总", client=HZX, kind="relative", detail="其子任该公司总经理", **on)
    _refused(app, lambda: app.plan_audit(client=HZX, kind="stage1", member=["王芳"], start=date(2026, 3, 5), **on), "004 §4.2 d) 2)")
    # no longer a senior manager: the body is free again (the person's own interest still bars them)
    app.withdraw_roles(person="钱总", role=["senior_manager"], reason="调任", actor=ADMIN, on=date(2026, 3, 5))
    assert app.body_conflicts(HZX, date(2026, 3, 4))[0]["person"] == "钱总"  # still held on the 4th
    assert app.plan_audit(client=HZX, kind="stage1", member=["王芳"], start=date(2026, 3, 6), actor=ADMIN, on=date(2026, 3, 5)) == "A1"


def test_the_conflict_commands_refuse_what_is_wrong(app):
    _staff(app)
    _contracted(app, HZX, "hzx-mr0118")
    _refused(app, lambda: _conflict(app, ZGC), "ledger: reference exists")  # no such client
    _refused(app, lambda: _conflict(app, HZX, kind="gift"), "ledger: vocabulary")
    _refused(app, lambda: _conflict(app, HZX, detail=" "), "004 §4.2 d) 1)")
    _refused(app, lambda: _end(app, HZX, "2026-03-05"), "004 §4.2 d) 1)")  # nothing stands
    _conflict(app, HZX)
    e = _refused(app, lambda: _conflict(app, HZX, on="2026-03-03"), "004 §4.2 d) 1)")  # the same kind still stands
    assert "BC1" in e.message_en
    _conflict(app, HZX, kind="other_interest", detail="d", on="2026-03-03")
    e = _refused(app, lambda: _end(app, HZX, "2026-03-05"), "004 §4.2 d) 1)")  # two stand: name one
    assert "--conflict" in e.message_en
    _refused(app, lambda: _end(app, HZX, "2026-03-05", conflict="BC9"), "004 §4.2 d) 1)")
    _refused(app, lambda: _end(app, HZX, "2026-03-01", conflict="BC1"), "004 §4.2 d) 1)")  # before it was recorded
    _refused(app, lambda: app.execute("body conflict-end", {"client": HZX, "conflict": "BC1", "reason": " ", "on": "2026-03-05"},
                                      actor=ADMIN), "004 §4.2 d) 1)")
    assert _end(app, HZX, "2026-03-05", conflict="bc1") == "BC1"


def test_the_impartiality_view_shows_body_level_conflicts(app, db_url):
    _staff(app)
    _contracted(app, HZX, "hzx-mr0118")
    _conflict(app, HZX, on="2026-03-04")
    app.register_person(name="钱总", number=QIAN, joined_on=date(2015, 1, 1), actor=ADMIN, on=date(2026, 3, 4))
    app.grant_roles(person="钱总", role=["senior_manager"], actor=ADMIN, on=date(2026, 3, 4))
    app.declare_interest(person="钱总", client=HZX, kind="financial", detail="持有该公司股份", actor=ADMIN, on=date(2026, 3, 4))

    def run(*args: str):
        return CliRunner().invoke(root, ["--db", db_url, "--actor", ADMIN, *args], catch_exceptions=False)

    r = run("people", "impartiality", HZX)
    assert r.exit_code == 0 and "本机构不得对该组织提供评价" in r.stdout and "004 §4.2 d) 1)" in r.stdout and "004 §4.2 d) 3)" in r.stdout
    r = run("people", "impartiality", HZX, "--lang", "en")
    assert "The body may not evaluate this client" in r.stdout and "senior manager 钱总" in r.stdout
    r = run("people", "impartiality", HZX, "--as-of", "2026-03-03")
    assert r.exit_code == 0 and "本机构不得" not in r.stdout
    r = run("body", "conflict-end", "--client", HZX, "--reason", "股份已转让", "--on", "2026-03-05", "--lang", "en")
    assert r.exit_code == 0 and "The body's conflict ended" in r.stdout
    r = run("people", "impartiality", HZX, "--as-of", "2026-03-05")  # what was declared and why it ended stays in the view
    assert "004 §4.2 d) 1)" not in r.stdout and "BC1 本机构与该组织存在资产关联" in r.stdout and "已解除：股份已转让" in r.stdout
    r = run("people", "impartiality", HZX, "--json")
    data = json.loads(r.stdout)
    assert [c["clause"] for c in data["body_conflicts"]] == ["004 §4.2 d) 3)"] and data["ended_body_conflicts"][0]["id"] == "BC1"
    r = run("body", "conflict", "--client", HZX, "--kind", "asset", "--detail", " ", "--lang", "en")
    assert r.exit_code == 1 and "004 §4.2 d) 1)" in r.stderr and "Traceback" not in r.stderr
