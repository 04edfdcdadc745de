"""The client's objection to an audit team's composition (004 §5.2.1; issue 15 item 2) on SQLite and
PostgreSQL: recorded and answered; while open the audit does not proceed (scores, nonconformities,
completion refused naming ``audit objection-answer``, nothing written) and it is due in ``due``;
dismissed, the audit proceeds; upheld, it is cancelled and planned again without the members objected
to; ``history``, ``explain`` and ``show`` word it in Chinese and English."""

from datetime import date

from click.testing import CliRunner

from cli.main import root
from ledger.rules.scoring import load_scheme
from ledger.synthetic import score_sheet
from projections import read
from tests.integration.test_people import HZX, _contracted, _refused, _staff

ADMIN = "张伟"
TODAY = date(2026, 12, 6)


def _object(app, audit, members=(), reason="该成员曾为我司竞争对手提供咨询", on="2026-03-07"):
    return app.execute("audit objection", {"client": HZX, "audit": audit, "member": list(members), "reason": reason, "on": on},
                       actor=ADMIN)


def _answer(app, audit, outcome, reason="经核实", on="2026-03-08"):
    return app.execute("audit objection-answer", {"client": HZX, "audit": audit, outcome: True, "reason": reason, "on": on}, actor=ADMIN)


def _stage1(app):
    _staff(app)
    _contracted(app, HZX, "hzx-mr0118", lines=["51.2"])
    app.plan_audit(client=HZX, kind="stage1", member=["王芳"], start=date(2026, 3, 5), actor=ADMIN, on=date(2026, 3, 4))
    app.complete_audit(client=HZX, audit="A1", conclusion="ok", actor="王芳", on=date(2026, 3, 5))
    app.plan_audit(client=HZX, kind="stage2", member=["王芳", "李强"], expert=["陈工"], start=date(2026, 3, 10), actor=ADMIN,
                   on=date(2026, 3, 6))


def _scores(app, audit):
    return score_sheet(load_scheme("hzx-mr0118"), 0.86, seed=5)


def test_an_open_objection_holds_the_audit_and_a_dismissed_one_lets_it_proceed(app):
    _stage1(app)
    assert _object(app, "A2", members=["李强"]) == "OB1"
    item, facet, value = _scores(app, "A2")[0]
    e = _refused(app, lambda: app.enter_score(client=HZX, audit="A2", item=item, facet=facet, value=value, actor="李强",
                                               on=date(2026, 3, 10)), "004 §5.2.1")
    assert f"audit objection-answer --client {HZX} --audit A2" in e.message_en and "OB1" in e.message_zh
    _refused(app, lambda: app.raise_nonconformity(client=HZX, audit="A2", severity="minor", clause="5.1", description="d", actor="王芳",
                                                   on=date(2026, 3, 10)), "004 §5.2.1")
    _refused(app, lambda: app.complete_audit(client=HZX, audit="A2", conclusion="c", actor="王芳", on=date(2026, 3, 11)), "004 §5.2.1")
    # due: answered before the audit begins (004 §5.2.1 sets no period: the audit's first day)
    rows = [r for r in read.due(app, today=TODAY) if r["kind"] == "team_objection"]
    assert [(r["key"], r["due"], r["clause"]) for r in rows] == [("team_objection:OB1", date(2026, 3, 10), "004 §5.2.1")]
    assert _answer(app, "A2", "dismissed", reason="李强与该竞争对手无业务往来") == "OB1"
    assert [r for r in read.due(app, today=TODAY) if r["kind"] == "team_objection"] == []
    for item, facet, value in _scores(app, "A2"):
        app.enter_score(client=HZX, audit="A2", item=item, facet=facet, value=value, actor="李强", on=date(2026, 3, 10))
    app.complete_audit(client=HZX, audit="A2", conclusion="推荐", actor="王芳", on=date(2026, 3, 11))
    out = app.explain(HZX)
    assert [(o["id"], o["answer"]["outcome"]) for o in out["audit"]["objections"]] == [("OB1", "dismissed")]


def test_an_upheld_objection_means_planning_again_without_the_members(app):
    _stage1(app)
    _object(app, "A2", members=["李强"])
    _answer(app, "A2", "upheld", reason="李强曾在该竞争对手任职")
    item, facet, value = _scores(app, "A2")[0]
    e = _refused(app, lambda: app.enter_score(client=HZX, audit="A2", item=item, facet=facet, value=value, actor="李强",
                                               on=date(2026, 3, 10)), "004 §5.2.1")
    assert f"audit cancel --client {HZX} --audit A2" in e.message_en and "without 李强" in e.message_en
    _refused(app, lambda: app.complete_audit(client=HZX, audit="A2", conclusion="c", actor="王芳", on=date(2026, 3, 11)), "004 §5.2.1")
    app.execute("audit cancel", {"client": HZX, "audit": "A2", "reason": "异议成立，重新组建审核组", "on": "2026-03-08"}, actor=ADMIN)
    # planned again: not with 李强 (as member, leader or expert), and the cancelled audit does not count as the application's stage 2
    e = _refused(app, lambda: app.plan_audit(client=HZX, kind="stage2", member=["王芳", "李强"], start=date(2026, 3, 12), actor=ADMIN,
                                             on=date(2026, 3, 9)), "004 §5.2.1")
    assert "李强" in e.message_zh and "OB1" in e.message_en
    assert app.plan_audit(client=HZX, kind="stage2", member=["王芳"], expert=["陈工"], start=date(2026, 3, 12), actor=ADMIN,
                          on=date(2026, 3, 9)) == "A3"
    for item, facet, value in _scores(app, "A3"):
        app.enter_score(client=HZX, audit="A3", item=item, facet=facet, value=value, actor="王芳", on=date(2026, 3, 12))
    app.complete_audit(client=HZX, audit="A3", conclusion="推荐", actor="王芳", on=date(2026, 3, 13))
    app.decide(client=HZX, audit="A3", decider="赵敏", reason="r", actor=ADMIN, on=date(2026, 3, 14))
    # explain tells the decision's audit was planned again after the objection; history words both events
    out = app.explain(HZX)
    assert [(o["id"], o["audit_id"], o["members"], o["answer"]["upheld"]) for o in out["audit"]["objections"]] == [("OB1", "A2", ["李强"], True)]
    from ledger.explain_text import render_explanation

    zh, en = render_explanation(out, "zh"), render_explanation(out, "en")
    assert "审核组异议 OB1" in zh and "认定成立" in zh and "Objection OB1 to the team of A2" in en and "upheld" in en
    from ledger.history_text import render_history

    rows = app.history(HZX)
    zh, en = render_history(rows, "zh"), render_history(rows, "en")
    assert "申请人对审核组组成提出异议" in zh and "异议针对的成员：李强" in zh and "异议成立" in zh
    assert "applicant objected to the audit team" in en and "members objected to: 李强" in en and "objection upheld" in en


def test_the_objection_commands_refuse_what_is_wrong(app):
    _stage1(app)
    _refused(app, lambda: _object(app, "A2", members=["孙丽"]), "004 §5.2.1")  # not on the team
    _refused(app, lambda: _object(app, "A1"), "004 §5.2.1")  # completed
    _refused(app, lambda: _object(app, "A9"), "ledger: reference exists")
    _refused(app, lambda: _object(app, "A2", reason=" "), "004 §5.2.1")
    _refused(app, lambda: _object(app, "A2", on="2026-03-05"), "ledger: business dates in order")  # before the plan
    _refused(app, lambda: _answer(app, "A2", "upheld"), "004 §5.2.1")  # nothing to answer
    assert _object(app, "A2", members=["陈工"]) == "OB1"  # a technical expert may be objected to
    _refused(app, lambda: _object(app, "A2"), "004 §5.2.1")  # one open at a time
    _refused(app, lambda: app.execute("audit objection-answer", {"client": HZX, "audit": "A2", "reason": "r", "on": "2026-03-08"},
                                      actor=ADMIN), "004 §5.2.1")  # neither --upheld nor --dismissed
    _refused(app, lambda: app.execute("audit objection-answer", {"client": HZX, "audit": "A2", "upheld": True, "dismissed": True,
                                                                 "reason": "r", "on": "2026-03-08"}, actor=ADMIN), "004 §5.2.1")
    _refused(app, lambda: _answer(app, "A2", "dismissed", reason=""), "004 §5.2.1")
    _refused(app, lambda: _answer(app, "A2", "dismissed", on="2026-03-06"), "ledger: business dates in order")  # before the objection
    _answer(app, "A2", "dismissed")
    assert _object(app, "A2", on="2026-03-09") == "OB2"  # a new objection after the answer


def test_the_objection_on_the_command_line(app, db_url):
    _stage1(app)

    def run(*args: str):
        return CliRunner().invoke(root, ["--db", db_url, "--actor", ADMIN, *args], catch_exceptions=False)

    r = run("audit", "objection", "--client", HZX, "--audit", "A2", "--member", "李强", "--reason", "回避", "--on", "2026-03-07", "--lang", "en")
    assert r.exit_code == 0 and "Objection to the audit team recorded" in r.stdout
    r = run("show", HZX)
    assert r.exit_code == 0 and "审核组异议 OB1" in r.stdout and "尚未答复" in r.stdout
    r = run("due", "--lang", "en")
    assert r.exit_code == 0 and "OB1" in r.stdout
    r = run("audit", "complete", "--client", HZX, "--audit", "A2", "--conclusion", "c", "--on", "2026-03-11", "--actor", "王芳", "--lang", "en")
    assert r.exit_code == 1 and "004 §5.2.1" in r.stderr and "audit objection-answer" in r.stderr and "Traceback" not in r.stderr
    r = run("audit", "objection-answer", "--client", HZX, "--audit", "A2", "--dismissed", "--reason", "无利害关系", "--on", "2026-03-08")
    assert r.exit_code == 0 and "对异议的答复已记录" in r.stdout
    r = run("show", HZX, "--lang", "en")
    assert "dismissed on 2026-03-08" in r.stdout
