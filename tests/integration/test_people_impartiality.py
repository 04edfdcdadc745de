"""Impartiality (issue 15, item 3) on SQLite and PostgreSQL: declarations of interest per person and
client, kept current ("none" clears them), refusals of a conflicted team member, expert or decider
citing 004 §4.2 d) 4)-5) / §4.3 with nothing written, and the impartiality view for inspectors."""

from datetime import date

from tests.integration.test_people import HZX, ZGC, _audited, _contracted, _refused, _staff


def test_a_declared_interest_bars_the_team_and_the_decision(app):
    _staff(app)
    _contracted(app, HZX, "hzx-mr0118", lines=["51.2"])
    on = dict(actor="张伟", on=date(2026, 3, 3))
    # employment ended 2025-03-31: within a year of an audit on 2026-03-05 (004 §4.2 d) 4))
    app.declare_interest(person="李强", client=HZX, kind="employment", detail="曾任质量部经理", ended_on=date(2025, 3, 31), **on)
    e = _refused(app, lambda: app.plan_audit(client=HZX, kind="stage1", member=["王芳", "李强"], start=date(2026, 3, 5), actor="张伟",
                                             on=date(2026, 3, 4)), "004 §4.2 d) 4)")
    assert "李强" in e.message_en and "people declare --person 李强" in e.message_en and "2025-03-31" in e.message_zh
    # an expert who gave the client consultancy (004 §4.3)
    app.declare_interest(person="陈工", client=HZX, kind="consultancy", detail="2025 年质量信用咨询项目", **on)
    _refused(app, lambda: app.plan_audit(client=HZX, kind="stage1", member=["王芳"], expert=["陈工"], start=date(2026, 3, 5), actor="张伟",
                                         on=date(2026, 3, 4)), "004 §4.3")
    # the declarations kept current: "none" clears them (the employment's year would also have run out by 2026-04-01)
    app.declare_interest(person="李强", client=HZX, kind="none", **on)
    app.declare_interest(person="陈工", client=HZX, kind="none", **on)
    _audited(app, HZX, "hzx-mr0118")
    # a decider with a financial interest (004 §4.2 d) 5))
    app.declare_interest(person="赵敏", client=HZX, kind="financial", detail="持有该公司股份", actor="张伟", on=date(2026, 3, 11))
    e = _refused(app, lambda: app.decide(client=HZX, audit="A2", decider="赵敏", reason="r", actor="张伟", on=date(2026, 3, 12)),
                 "004 §4.2 d) 5)")
    assert "financial" in e.message_en
    # the impartiality view for inspectors, now and as of a date
    rows = {r["name"]: r for r in app.impartiality(HZX)}
    assert [c["kind"] for c in rows["赵敏"]["conflicts"]] == ["financial"] and rows["李强"]["interests"] == []
    assert rows["李强"]["declared_on"] == date(2026, 3, 3) and rows["王芳"]["declared_on"] is None
    before = {r["name"]: r for r in app.impartiality(HZX, as_of=date(2026, 3, 10))}
    assert before["赵敏"]["conflicts"] == [] and before["陈工"]["interests"] == []
    # employment ended more than a year before the act bars nobody
    app.declare_interest(person="王芳", client=HZX, kind="employment", detail="曾任职", ended_on=date(2025, 1, 31),
                         actor="张伟", on=date(2026, 3, 11))
    assert {r["name"]: r for r in app.impartiality(HZX, as_of=date(2026, 3, 11))}["王芳"]["conflicts"] == []


def test_declarations_are_checked(app):
    _staff(app)
    _contracted(app, HZX, "hzx-mr0118")
    on = dict(actor="张伟", on=date(2026, 3, 3))
    _refused(app, lambda: app.declare_interest(person="李强", client=ZGC, kind="none", **on), "ledger: reference exists")  # no such client
    _refused(app, lambda: app.declare_interest(person="李强", client=HZX, kind="relative", detail=" ", **on), "004 §4.2 d) 4)")
    _refused(app, lambda: app.declare_interest(person="李强", client=HZX, kind="employment", detail="d", ended_on=date(2026, 3, 4), **on),
             "ledger: register of people")
    _refused(app, lambda: app.declare_interest(person="李强", client=HZX, kind="gift", detail="d", **on), "ledger: vocabulary")
