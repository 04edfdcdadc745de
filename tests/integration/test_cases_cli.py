"""The complaint and appeal commands of issue 9 on the command line (CliRunner): what is recorded,
what is refused (exit 1, the clause and a command that would be accepted, nothing written); and the
demo's continuation (ledger/demo_cases.py) on both databases."""

import json
from datetime import date

from click.testing import CliRunner

from cli.main import root
from ledger.demo import play
from ledger.demo_cases import play_cases
from ledger.rules.deadlines import client_deadlines

TODAY = date(2026, 11, 20)


def test_the_demo_continues_with_complaints_and_an_upheld_appeal(app):
    codes = play(app, today=TODAY)
    play_cases(app, codes, TODAY)
    hz, sz, nc, _bj, _su, wh = (app.client(c) for c in codes)
    assert [x["id"] for x in hz.audits["A3"]["causes"]] == ["C1"] and hz.audits["A3"]["status"] == "completed"
    c1 = sz.complaints["C1"]
    assert c1["status"] == "resolved" and c1["admission"]["deciders"] == ["孙丽"] and c1["client_informed"] is not None
    assert nc.decisions["D1"]["superseded_by"] == "D2" and nc.certificate["decision_id"] == "D2"
    assert nc.certificate["grade"] == nc.decisions["D2"]["grade"] and nc.appeals["AL1"]["effect"] == "D2"
    assert wh.appeals["AL1"]["status"] == "accepted"
    kinds = {r["kind"] for c in (hz, sz, nc) for r in client_deadlines(c, app.calendar)}
    assert not {"unscheduled_surveillance", "complaint_result", "complaint_acceptance", "complaint_client"} & kinds


def _cli(db, *args):
    return CliRunner().invoke(root, ["--db", db, "--actor", "张伟", *args], catch_exceptions=False)


def _events(db, uscc):
    return len(json.loads(_cli(db, "history", uscc, "--json").stdout))


def test_complaint_and_appeal_commands_on_the_command_line(tmp_path, monkeypatch):
    from ledger import clock
    from ledger.bootstrap import bootstrap

    monkeypatch.setattr(clock, "today", lambda: TODAY)
    db = str(tmp_path / "cases.sqlite")
    app = bootstrap(db)
    codes = play(app, today=TODAY)
    app.close()
    sz, nc = codes[1], codes[2]

    # complaint admit: 刘洋 audited A2, which the complaint concerns: refused, nothing written
    n = _events(db, sz)
    r = _cli(db, "--lang", "en", "complaint", "admit", "--client", sz, "--complaint", "C1", "--accept", "--decider", "刘洋",
             "--concerns", "A2", "--on", "2026-10-27")
    assert r.exit_code == 1 and "004 §14.2.3.4" in r.output and "--decider" in r.output and "Traceback" not in r.output
    assert _events(db, sz) == n
    r = _cli(db, "complaint", "admit", "--client", sz, "--complaint", "C1", "--accept", "--decider", "孙丽", "--concerns", "A2",
             "--about-client", "--on", "2026-10-27")
    assert r.exit_code == 0 and "投诉受理决定已记录" in r.output and _events(db, sz) == n + 1
    r = _cli(db, "--lang", "en", "complaint", "inform-client", "--client", sz, "--complaint", "C1", "--how", "书面函告",
             "--on", "2026-10-28")
    assert r.exit_code == 0 and "Client informed" in r.output

    # audit link-cause: A2 is not an unscheduled surveillance
    r = _cli(db, "--lang", "en", "audit", "link-cause", "--client", sz, "--audit", "A2", "--complaint", "C1", "--on", "2026-10-28")
    assert r.exit_code == 1 and "004 §6.9" in r.output and "audit plan --kind unscheduled" in r.output

    # appeal extend under 001: no such period, names appeal decide
    r = _cli(db, "--lang", "en", "appeal", "extend", "--client", codes[5], "--appeal", "AL1", "--until", "2026-12-31",
             "--approved-by", "钱总", "--reason", "r", "--on", "2026-11-01")
    assert r.exit_code == 1 and ("appeal decide" in r.output or "accepted appeal" in r.output)

    # appeal redecide: Nanchang has no appeal; then one upheld and given effect
    r = _cli(db, "--lang", "en", "appeal", "redecide", "--client", nc, "--appeal", "AL1", "--decider", "钱七", "--reason", "r")
    assert r.exit_code == 1 and "AL1" in r.output
    for args in (("appeal", "lodge", "--client", nc, "--against", "D1", "--grounds", "理由不充分", "--on", "2026-11-01"),
                 ("appeal", "admit", "--client", nc, "--appeal", "AL1", "--accept", "--decider", "孙丽", "--on", "2026-11-02"),
                 ("appeal", "decide", "--client", nc, "--appeal", "AL1", "--outcome", "upheld", "--result", "成立",
                  "--decider", "孙丽", "--on", "2026-11-03")):
        assert _cli(db, *args).exit_code == 0
    r = _cli(db, "--lang", "en", "appeal", "redecide", "--client", nc, "--appeal", "AL1", "--decider", "赵敏", "--reason", "r",
             "--on", "2026-11-04")
    assert r.exit_code == 1 and "004 §14.1.3 (6)" in r.output
    r = _cli(db, "appeal", "redecide", "--client", nc, "--appeal", "AL1", "--decider", "钱七", "--reason", "重新决定", "--on", "2026-11-04")
    assert r.exit_code == 0 and "D2" in r.output
    shown = _cli(db, "--lang", "en", "show", nc).output
    assert "appeal AL1 was upheld" in shown and "supersedes" in shown and "D1" in shown
    explained = _cli(db, "--lang", "en", "explain", nc).output
    assert "appeal AL1 was upheld" in explained and "D1" in explained
    zh = _cli(db, "show", nc).output
    assert "申诉 AL1 裁定成立" in zh
