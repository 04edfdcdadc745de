"""Records that explain themselves (issue 9, item 7): every write takes a note and any number of
evidence references, recorded with the act in the same save; a score entry's note shows in
``explain`` (and so in the inspection report, which renders explain's text). SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from aggregates.errors import RuleViolation
from aggregates.uscc import check_character
from cli.main import root
from ledger.explain_text import render_explanation

ADMIN = "张伟"
DAY0 = date(2025, 3, 3)


def uscc(n: int) -> str:
    body = f"9144030019220{n:04d}"
    return body + check_character(body)


def d(n: int) -> date:
    return DAY0 + timedelta(days=n)


def open_stage2(app, code: str, scheme: str = "zgc-ru015", scope: str = "企业质量信用管理：软件开发") -> None:
    """A client accepted, contracted, stage 1 done, stage 2 (A2) planned and open to scores."""
    app.submit_application(client=code, name="测试科技有限公司", address="广东省深圳市南山区科技园1号", scheme=scheme, scope=scope,
                           site=[{"name": "总部", "address": "广东省深圳市南山区科技园1号"}], headcount=40, actor=ADMIN, on=d(0))
    app.review_application(client=code, application="AP1", accept=True, reason="资料齐全", actor=ADMIN, on=d(1))
    app.sign_contract(client=code, contract_no=f"HT-{code[-4:]}", actor=ADMIN, on=d(2))
    app.plan_audit(client=code, kind="stage1", member=["王芳"], start=d(5), actor=ADMIN, on=d(3))
    app.complete_audit(client=code, audit="A1", conclusion="文件评价符合要求", actor="王芳", on=d(5))
    app.plan_audit(client=code, kind="stage2", member=["王芳", "李强"], start=d(10), actor=ADMIN, on=d(6))


def first_item(app, code: str):
    scheme = app.audit_scheme(app.client(code), "A2")
    return next(i for i in scheme.items if i.rule == "percent-or-deduction")


def test_a_score_with_a_note_and_several_evidence_keeps_them_all_in_one_save(app):
    code = uscc(1)
    open_stage2(app, code)
    item = first_item(app, code)
    before = app.event_count()
    entry = app.execute("score enter", {"client": code, "audit": "A2", "item": item.id, "value": {"percent": 75},
                                        "note": "  抽查 8 份记录，2 份不完整，按 75% 计  ", "evidence": ["抽样记录表-07", "现场照片-12", "抽样记录表-07"],
                                        "on": d(11).isoformat()}, actor="李强")
    assert entry == "S1"
    assert app.event_count() == before + 2  # the act and its annotation
    rows = app.history(code)
    act, said = rows[-2], rows[-1]
    assert act["type"] == "ScoreEntered" and said["type"] == "ActAnnotated"
    assert said["fields"] == {"act_version": act["version"], "command": "score enter", "ref": "S1",
                              "note": "抽查 8 份记录，2 份不完整，按 75% 计", "evidence": ["抽样记录表-07", "现场照片-12"]}
    assert said["actor"] == "李强" and said["occurred_on"] == d(11)
    assert act["recorded_at"] == said["recorded_at"] or abs((said["recorded_at"] - act["recorded_at"]).total_seconds()) < 1

    explained = app.explain(code, audit="A2")
    row = next(i for i in explained["items"] if i["id"] == item.id)
    assert row["inputs"][0]["entry"]["note"] == "抽查 8 份记录，2 份不完整，按 75% 计"
    assert row["inputs"][0]["entry"]["evidence"] == ["抽样记录表-07", "现场照片-12"]
    text = render_explanation(explained, "zh")
    assert "备注：抽查 8 份记录，2 份不完整，按 75% 计" in text and "证据：抽样记录表-07；现场照片-12" in text
    assert "note: 抽查 8 份记录" in render_explanation(explained, "en")


def test_a_correction_carries_its_own_note_and_explain_shows_the_standing_one(app):
    code = uscc(2)
    open_stage2(app, code)
    item = first_item(app, code)
    app.execute("score enter", {"client": code, "audit": "A2", "item": item.id, "value": {"percent": 60}, "note": "初评",
                                "on": d(11).isoformat()}, actor="李强")
    new = app.execute("score correct", {"client": code, "entry": "S1", "value": {"percent": 80}, "reason": "补充材料后复核",
                                        "note": "客户补交了培训记录", "evidence": "培训签到表-2025-03", "on": d(12).isoformat()}, actor="李强")
    assert new == "S2"
    entry = next(i for i in app.explain(code, audit="A2")["items"] if i["id"] == item.id)["inputs"][0]["entry"]
    assert entry["id"] == "S2" and entry["note"] == "客户补交了培训记录" and entry["evidence"] == ["培训签到表-2025-03"]
    assert entry["corrections"][0]["replaced"]["note"] == "初评"


def test_application_submit_keeps_every_evidence_reference_and_takes_a_note(app):
    code = uscc(3)
    app.execute("application submit", {"client": code, "name": "测试科技有限公司", "address": "广东省深圳市", "scheme": "zgc-ru015",
                                       "scope": "软件开发", "site": ["总部=广东省深圳市"], "headcount": 10,
                                       "evidence": ["营业执照", "许可证"], "note": "现场递交", "on": d(0).isoformat()}, actor=ADMIN)
    client = app.client(code)
    assert client.applications["AP1"]["evidence"] == "营业执照；许可证"
    rows = app.history(code)
    assert [r["type"] for r in rows] == ["Registered", "ApplicationSubmitted", "ActAnnotated"]
    assert rows[-1]["fields"]["note"] == "现场递交" and rows[-1]["fields"]["evidence"] == [] and rows[-1]["fields"]["ref"] == "AP1"
    # a single reference, as before, stands as it was given
    other = uscc(4)
    app.execute("application submit", {"client": other, "name": "测试二", "address": "深圳", "scheme": "zgc-ru015", "scope": "软件开发",
                                       "site": ["总部=深圳"], "headcount": 10, "evidence": "营业执照、组织机构图", "on": d(0).isoformat()}, actor=ADMIN)
    assert app.client(other).applications["AP1"]["evidence"] == "营业执照、组织机构图"
    assert [r["type"] for r in app.history(other)] == ["Registered", "ApplicationSubmitted"]


@pytest.mark.parametrize("fields, words", [
    ({"evidence": ["照片-01", "  "]}, "cannot be blank"),
    ({"note": "长" * 2001}, "more than 2000"),
    ({"evidence": [f"E{i}" for i in range(51)]}, "at most 50"),
])
def test_a_bad_note_or_reference_is_refused_and_nothing_is_written(app, fields, words):
    code = uscc(5)
    open_stage2(app, code)
    item = first_item(app, code)
    before = app.event_count()
    with pytest.raises(RuleViolation) as e:
        app.execute("score enter", {"client": code, "audit": "A2", "item": item.id, "value": {"percent": 75},
                                    "on": d(11).isoformat(), **fields}, actor="李强")
    assert e.value.rule == "001 §12.2" and words in e.value.message_en
    assert "score enter" in e.value.message_en or "--evidence" in e.value.message_en
    assert e.value.message_zh and e.value.message_zh != e.value.message_en
    assert app.event_count() == before


def test_every_write_command_takes_note_and_repeated_evidence():
    from ledger.commands import COMMANDS

    for c in COMMANDS:
        keys = {p.key: p for p in c.params}
        assert "note" in keys and "evidence" in keys, c.name
        assert keys["evidence"].multiple, c.name


def test_the_act_without_a_note_records_no_annotation(app):
    code = uscc(6)
    open_stage2(app, code)
    assert "ActAnnotated" not in [r["type"] for r in app.history(code)]
    assert getattr(app.client(code), "annotations", {}) == {}


def cli(db_url):
    def invoke(*args: str, actor: str = "张伟"):
        return CliRunner().invoke(root, ["--db", db_url, "--actor", actor, *args], catch_exceptions=False)
    return invoke


def test_cli_note_and_repeated_evidence_then_history_and_explain(app, db_url):
    code = uscc(7)
    open_stage2(app, code)
    item = first_item(app, code)
    run = cli(db_url)
    r = run("score", "enter", "--client", code, "--audit", "A2", "--item", item.id, "--value", '{"percent": 75}',
            "--note", "两份记录不完整", "--evidence", "记录表-07", "--evidence", "照片-12", "--on", d(11).isoformat(), actor="李强")
    assert r.exit_code == 0, r.output
    assert "评分已录入" in r.output
    h = run("history", code, "--json")
    rows = json.loads(h.output)
    assert rows[-1]["type"] == "ActAnnotated" and rows[-1]["fields"]["evidence"] == ["记录表-07", "照片-12"]
    text = run("history", code).output
    assert "两份记录不完整" in text and "照片-12" in text
    ex = run("explain", code, "--audit", "A2")
    assert ex.exit_code == 0, ex.output
    assert "备注：两份记录不完整" in ex.output and "证据：记录表-07；照片-12" in ex.output


def test_cli_refuses_a_blank_evidence_with_exit_1_and_writes_nothing(app, db_url):
    code = uscc(8)
    open_stage2(app, code)
    item = first_item(app, code)
    before = app.event_count()
    r = cli(db_url)("score", "enter", "--client", code, "--audit", "A2", "--item", item.id, "--value", '{"percent": 75}',
                    "--evidence", " ", "--on", d(11).isoformat(), "--lang", "en", actor="李强")
    assert r.exit_code == 1
    assert "001 §12.2" in r.output and "cannot be blank" in r.output and "Traceback" not in r.output
    assert app.event_count() == before


def test_the_demo_continues_with_annotated_scores(app):
    from ledger import clock, demo
    from ledger.demo_annotations import play_annotations

    today = clock.today()
    codes = demo.play(app, today)
    last = app.history(codes[4])[-1]["occurred_on"]
    play_annotations(app, codes, today)
    rows = [r for r in app.history(codes[4]) if r["type"] == "ActAnnotated"]
    assert [r["fields"]["command"] for r in rows] == ["score enter", "score correct"]
    assert all(last <= r["occurred_on"] <= today for r in rows)
    entries = {i["id"]: i for i in app.explain(codes[4], audit="A2")["items"]}
    noted = [inp["entry"] for i in entries.values() for inp in i["inputs"] if inp["entry"] and inp["entry"]["note"]]
    assert {e["note"] for e in noted} == {"现场抽查近两年的记录，依据充分", "复核后维持原评分"}
