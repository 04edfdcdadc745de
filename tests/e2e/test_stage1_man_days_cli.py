"""A stage 1's man-days are its procedure's (D63): 0.5 under 004 (004 §16.2 "一阶段为非现场：0.5 个人日"),
0 under 001, whose stage 1 is the document review, done before the on-site audit and outside the
audit man-days (001 §4.4.2). Planned through the command line in both languages; a plan stored
before the change reads as recorded. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest


USCC = "91330100716105852F"
APPLY = ["application", "submit", "--client", USCC, "--name", "杭州某科技有限公司", "--address", "杭州市西湖区",
         "--scope", "企业质量信用管理", "--site", "总部=杭州市西湖区", "--headcount", "40", "--kind", "初次认证", "--on", "2026-03-02"]
STEP_001 = "001 §4.4.2: 一阶段为文件审核，不占审核人日 → 0 人日"
STEP_001_EN = "001 §4.4.2: stage 1 is the document review, outside the audit man-days → 0 man-days"


def _contracted(run, scheme: str) -> None:
    assert run(*APPLY, "--scheme", scheme).exit_code == 0
    assert run("application", "review", "--client", USCC, "--application", "AP1", "--accept", "--on", "2026-03-03").exit_code == 0
    assert run("application", "contract", "--client", USCC, "--contract-no", "HT-1", "--on", "2026-03-04").exit_code == 0


def _plan(run, *extra: str, lang: str = "zh"):
    return run(*(["--lang", "en"] if lang == "en" else []), "audit", "plan", "--client", USCC, "--kind", "stage1",
               "--member", "李强", "--start", "2026-03-10", "--on", "2026-03-05", *extra)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_stage_1_under_001_is_the_document_review_with_no_man_days(app, run, lang):
    _contracted(run, "zgc-ru015")
    r = _plan(run, lang=lang)
    assert r.exit_code == 0, r.output
    audit = app.client(USCC).audits["A1"]
    assert audit["man_days"] == Decimal(0) and audit["calculation"]["calculated_man_days"] == Decimal(0)
    assert audit["calculation"]["steps"] == [STEP_001]  # stored in Chinese whatever the reader's language
    if lang == "en":
        assert STEP_001_EN in r.output and "人日" not in r.output, r.output
    else:
        assert STEP_001 in r.output and "审核人日：0" in r.output, r.output
    zh = run("history", USCC, "--type", "AuditPlanned", "--full").output
    assert f"人日计算：计算人日 0（{STEP_001}）" in zh, zh
    en = run("--lang", "en", "history", USCC, "--type", "AuditPlanned", "--full").output
    assert f"man-day calculation: computed 0 man-days ({STEP_001_EN})" in en, en


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_stage_1_under_004_keeps_its_half_day_and_its_step(app, run, lang):
    _contracted(run, "hzx-mr0118")
    r = _plan(run, lang=lang)
    assert r.exit_code == 0, r.output
    audit = app.client(USCC).audits["A1"]
    assert audit["man_days"] == Decimal("0.5") and audit["calculation"]["steps"] == ["004 §16.2: 一阶段非现场 0.5 人日"]
    assert ("004 §16.2: stage 1 is off-site, 0.5 man-days" if lang == "en" else "004 §16.2: 一阶段非现场 0.5 人日") in r.output, r.output
    en = run("--lang", "en", "history", USCC, "--type", "AuditPlanned", "--full").output
    assert "man-day calculation: computed 0.5 man-days (004 §16.2: stage 1 is off-site, 0.5 man-days)" in en, en


def test_more_man_days_than_001_computes_need_a_reason_and_only_a_stage_1_may_take_none(app, run):
    _contracted(run, "zgc-ru015")
    before = app.event_count()
    r = _plan(run, "--man-days", "0.5")
    assert r.exit_code == 1 and "001 §4.3.1.2" in r.output and "001 §4.4.2" in r.output, r.output
    r = _plan(run, "--man-days", "0.5", lang="en")
    assert r.exit_code == 1 and "computed under 001 §4.4.2" in r.output and "--man-days-reason" in r.output, r.output
    assert app.event_count() == before  # nothing written
    assert _plan(run, "--man-days", "0.5", "--man-days-reason", "文件审核在现场进行").exit_code == 0
    calc = app.client(USCC).audits["A1"]["calculation"]
    assert app.client(USCC).audits["A1"]["man_days"] == Decimal("0.5") and calc["overridden"] and calc["calculated_man_days"] == 0
    assert run("audit", "complete", "--client", USCC, "--audit", "A1", "--conclusion", "可进入第二阶段", "--on", "2026-03-10",
               actor="李强").exit_code == 0
    before = app.event_count()
    r = run("audit", "plan", "--client", USCC, "--kind", "stage2", "--member", "李强", "--start", "2026-03-20", "--on", "2026-03-12",
            "--man-days", "0", "--man-days-reason", "无")
    assert r.exit_code == 1 and "只有一阶段可为 0" in r.output and app.event_count() == before, r.output


def test_a_001_stage_1_stored_with_half_a_day_before_the_change_reads_as_recorded(app, run):
    """Plans stored before D63 keep what they recorded: history and show show 0.5 and the old step
    (in English by its old phrasing); the event is read, never rewritten."""
    from eventsourcing.persistence import StoredEvent

    from aggregates.uscc import client_id_for

    _contracted(run, "zgc-ru015")
    version = app.client(USCC).version
    old = {"timestamp": datetime(2026, 3, 5, 2, 0, tzinfo=timezone.utc), "audit_id": "A1", "kind": "stage1", "application_id": "AP1",
           "team": ["李强"], "leader": "李强", "man_days": Decimal("0.5"), "sites": [], "start_on": date(2026, 3, 10),
           "calculation": {"calculated_man_days": Decimal("0.5"), "steps": ["004 §16.2: 一阶段非现场 0.5 人日"], "sites_in_scope": 1,
                           "sample_size": 1, "overridden": False, "override_reason": ""},
           "method": "FS01", "team_ids": [], "actor": "张伟", "occurred_on": date(2026, 3, 5), "class_version": 3}
    state = app.mapper.transcoder.encode(old)
    app.recorder.insert_events([StoredEvent(originator_id=client_id_for(USCC), originator_version=version + 1,
                                            topic="aggregates.client:Client.AuditPlanned", state=state)])
    assert app.client(USCC).audits["A1"]["man_days"] == Decimal("0.5")
    zh = run("history", USCC, "--type", "AuditPlanned", "--full").output
    assert "人日计算：计算人日 0.5（004 §16.2: 一阶段非现场 0.5 人日）" in zh, zh
    en = run("--lang", "en", "history", USCC, "--type", "AuditPlanned", "--full").output
    assert "computed 0.5 man-days (004 §16.2: stage 1 is off-site, 0.5 man-days)" in en, en
    shown = run("--lang", "en", "show", USCC, "--json")
    assert shown.exit_code == 0 and STEP_001_EN not in shown.output, shown.output
    assert '"man_days": "0.5"' in shown.output and '"calculated_man_days": "0.5"' in shown.output, shown.output
    assert bytes(app.recorder.select_events(client_id_for(USCC))[-1].state) == bytes(state)
