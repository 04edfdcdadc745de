"""The words of an audit plan (issue 18 leftovers, a user trial; D62): the man-days calculation's
steps, stored as Chinese text in the event, read in English with --lang en, for the events stored
before too (a step with no English wording says so instead of mixing silently); the audit method
worded as recorded. Whether an audit kind is off-site is the client's procedure's to say (004 §16.2:
stage 1; 001: none): a plan recorded without --method records it, the history and the CNCA report
read it from the event, and an explicit --method (FS01 for a stage 1 that was on site) is never
overridden. The Chinese of the steps stays what it was, byte for byte. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest


USCC = "91330100716105852F"
CJK = re.compile(r"[\u4e00-\u9fff]")
APPLY = ["application", "submit", "--client", USCC, "--name", "杭州某科技有限公司", "--address", "杭州市西湖区",
         "--scheme", "zgc-ru015", "--scope", "企业质量信用管理", "--site", "总部=杭州市西湖区", "--site", "仓库=杭州市余杭区",
         "--headcount", "120", "--kind", "初次认证", "--on", "2026-03-02"]
HZX = "hzx-mr0118"  # governed by procedure 004 (stage 1 off-site, 004 §16.2); zgc-ru015 by 001 (stage 1 off-site, 001 §4.4.1)
OFF_SITE_ZH, OFF_SITE_EN = "非现场审核（文件评价）", "off-site audit (document review)"


def _contracted(run, scheme: str = "zgc-ru015") -> None:
    assert run(*[scheme if a == "zgc-ru015" else a for a in APPLY]).exit_code == 0
    assert run("application", "review", "--client", USCC, "--application", "AP1", "--accept", "--on", "2026-03-03").exit_code == 0
    assert run("application", "contract", "--client", USCC, "--contract-no", "HT-1", "--on", "2026-03-04").exit_code == 0


def _line(output: str, label: str) -> str:
    """The echo's line of ``label`` (its value), or the history's detail of ``label``."""
    for line in output.splitlines():
        line = line.strip()
        for sep in ("：", ": "):
            if line.startswith(label + sep):
                return line[len(label) + len(sep):]
    found = re.search(re.escape(label) + r"(?:：|: )(.*?)(?:；|; (?=[a-z' ]+: )|$)", output, re.M)
    assert found, f"no {label!r} in:\n{output}"
    return found.group(1)


def test_a_stage_1_plan_under_004_records_an_off_site_audit_and_says_so_in_the_readers_language(app, run):
    _contracted(run, HZX)
    r = run("audit", "plan", "--client", USCC, "--kind", "stage1", "--member", "李强", "--start", "2026-03-10", "--on", "2026-03-05")
    assert r.exit_code == 0, r.output
    assert app.client(USCC).audits["A1"]["method"] == "offsite"  # recorded, from 004.toml's off_site_audits
    assert _line(r.output, "审核方式") == OFF_SITE_ZH
    assert _line(r.output, "计算过程") == "004 §16.2: 一阶段非现场 0.5 人日"  # the Chinese as it was
    r = run("history", USCC, "--type", "AuditPlanned", "--full")
    assert f"审核方式：{OFF_SITE_ZH}" in r.output and "审核方式：现场审核" not in r.output
    assert "人日计算：计算人日 0.5（004 §16.2: 一阶段非现场 0.5 人日）" in r.output
    r = run("--lang", "en", "history", USCC, "--type", "AuditPlanned", "--full")
    assert f"audit method: {OFF_SITE_EN}" in r.output and "on-site" not in r.output
    assert "man-day calculation: computed 0.5 man-days (004 §16.2: stage 1 is off-site, 0.5 man-days)" in r.output
    assert not CJK.search(_line(r.output, "man-day calculation")), r.output
    # the Chinese echo of several steps joins them with ；, as history does (a step holds 、 itself)
    assert run("audit", "complete", "--client", USCC, "--audit", "A1", "--conclusion", "可进入第二阶段", "--on", "2026-03-10",
               actor="李强").exit_code == 0
    r = run("audit", "plan", "--client", USCC, "--kind", "stage2", "--member", "王芳", "--start", "2026-03-20", "--on", "2026-03-12",
            "--combined", "qms", "--reduction", "0.2")
    assert r.exit_code == 0, r.output
    assert _line(r.output, "审核方式") == "现场审核" and app.client(USCC).audits["A2"]["method"] == "FS01"
    assert _line(r.output, "计算过程") == "004 §16.2 a, b: 120 人、2 个场所 → 初审二阶段 3.5 人日；结合审核（qms）减少 20% → 3"


def test_an_explicit_method_is_recorded_and_worded_as_given_and_001_makes_its_stage_1_off_site(app, run):
    """A stage 1 under 004 that really was on site (--method FS01) reads on-site everywhere; a stage 1
    under 001 (zgc-ru015) without --method is its document review, recorded off-site (001 §4.4.1, D67);
    a 001 stage 1 given --method FS01 stays on-site."""
    _contracted(run, HZX)
    r = run("audit", "plan", "--client", USCC, "--kind", "stage1", "--member", "李强", "--start", "2026-03-10", "--on", "2026-03-05",
            "--method", "FS01")
    assert r.exit_code == 0, r.output
    assert app.client(USCC).audits["A1"]["method"] == "FS01" and _line(r.output, "审核方式") == "现场审核"
    assert "审核方式：现场审核" in run("history", USCC, "--type", "AuditPlanned", "--full").output
    assert "audit method: on-site audit" in run("--lang", "en", "history", USCC, "--type", "AuditPlanned", "--full").output
    other = "91330100MA27XK5Q1W"
    assert run(*[other if a == USCC else a for a in APPLY]).exit_code == 0
    assert run("application", "review", "--client", other, "--application", "AP1", "--accept", "--on", "2026-03-03").exit_code == 0
    assert run("application", "contract", "--client", other, "--contract-no", "HT-2", "--on", "2026-03-04").exit_code == 0
    r = run("audit", "plan", "--client", other, "--kind", "stage1", "--member", "王芳", "--start", "2026-03-10", "--on", "2026-03-05")
    assert r.exit_code == 0, r.output
    assert app.client(other).audits["A1"]["method"] == "offsite" and _line(r.output, "审核方式") == OFF_SITE_ZH
    r = run("--lang", "en", "history", other, "--type", "AuditPlanned", "--full")
    assert f"audit method: {OFF_SITE_EN}" in r.output and "001 §4.4.2" in r.output, r.output
    fourth = "91330100MA27XK5Q33"  # under 001, a stage 1 that really was on site, by --method FS01
    assert run(*[fourth if a == USCC else a for a in APPLY]).exit_code == 0
    assert run("application", "review", "--client", fourth, "--application", "AP1", "--accept", "--on", "2026-03-03").exit_code == 0
    assert run("application", "contract", "--client", fourth, "--contract-no", "HT-4", "--on", "2026-03-04").exit_code == 0
    r = run("audit", "plan", "--client", fourth, "--kind", "stage1", "--member", "王芳", "--start", "2026-03-10", "--on", "2026-03-05",
            "--method", "FS01")
    assert r.exit_code == 0, r.output
    assert app.client(fourth).audits["A1"]["method"] == "FS01" and _line(r.output, "审核方式") == "现场审核"
    third = "91330100MA27XK5Q20"  # under 001 too, an off-site document review planned as such, by its word like every method
    assert run(*[third if a == USCC else a for a in APPLY]).exit_code == 0
    assert run("application", "review", "--client", third, "--application", "AP1", "--accept", "--on", "2026-03-03").exit_code == 0
    assert run("application", "contract", "--client", third, "--contract-no", "HT-3", "--on", "2026-03-04").exit_code == 0
    r = run("audit", "plan", "--client", third, "--kind", "stage1", "--member", "王芳", "--start", "2026-03-12", "--on", "2026-03-06",
            "--method", OFF_SITE_ZH)
    assert r.exit_code == 0, r.output
    assert app.client(third).audits["A1"]["method"] == "offsite" and _line(r.output, "审核方式") == OFF_SITE_ZH


def test_the_cnca_report_reads_the_recorded_method_and_leaves_an_off_site_code_empty_with_a_note(run, tmp_path):
    """The regulator's report says what the event says: an off-site stage 1 under 004 has no 102号 code
    (its 审核方式 cell empty and a note naming the audit); an explicit FS01 stage 1 is reported FS01."""
    from python_calamine import CalamineWorkbook

    _contracted(run, HZX)
    assert run("audit", "plan", "--client", USCC, "--kind", "stage1", "--member", "李强", "--start", "2026-03-10",
               "--on", "2026-03-05").exit_code == 0
    other = "91330100MA27XK5Q1W"
    assert run(*[other if a == USCC else (HZX if a == "zgc-ru015" else a) for a in APPLY]).exit_code == 0
    assert run("application", "review", "--client", other, "--application", "AP1", "--accept", "--on", "2026-03-03").exit_code == 0
    assert run("application", "contract", "--client", other, "--contract-no", "HT-2", "--on", "2026-03-04").exit_code == 0
    assert run("audit", "plan", "--client", other, "--kind", "stage1", "--member", "王芳", "--start", "2026-03-10",
               "--on", "2026-03-05", "--method", "FS01").exit_code == 0
    out = tmp_path / "march.xlsx"
    r = run("report", "cnca", "--month", "2026-03", "--out", str(out), "--approval", "CNCA-R-2021-123", "--json")
    assert r.exit_code == 0, r.output
    warnings = json.loads(r.stdout)["warnings"]
    assert [w for w in warnings if "审核方式" in w and "102号" in w] == [w for w in warnings if USCC in w and "A1" in w and "审核方式" in w]
    assert len([w for w in warnings if "审核方式" in w]) == 1 and other not in " ".join(w for w in warnings if "审核方式" in w)
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("审核计划信息表").to_python()
    plans = {p["统一社会信用代码"]: p for p in (dict(zip(rows[0], r)) for r in rows[1:])}
    assert plans[USCC]["审核方式"] == "" and plans[other]["审核方式"] == "FS01"


def test_a_procedure_file_says_which_audit_kinds_are_off_site_and_a_wrong_entry_is_refused(tmp_path):
    """The rule is procedure data: 004.toml and 001.toml make stage 1 off-site, each with its clause; the
    default method of a plan follows it; a misspelt kind is refused naming the file."""
    from aggregates.errors import RuleViolation
    from ledger.rules.planning import audit_method
    from ledger.rules.procedures import parse_procedure, procedure_for

    p004, p001 = procedure_for(HZX), procedure_for("zgc-ru015")
    assert (p004.off_site_kinds, p004.off_site_clause) == (("stage1",), "004 §16.2")
    assert (p001.off_site_kinds, p001.off_site_clause) == (("stage1",), "001 §4.4.1")
    assert procedure_for("zdrz-69").off_site_kinds == ("stage1",)  # a scheme no procedure names follows 001
    for p in (p004, p001):
        assert [audit_method(p, k, None) for k in ("stage1", "stage2", "surveillance", "recertification")] == ["offsite", "FS01", "FS01", "FS01"]
    assert audit_method(p004, "stage1", "FS01") == "FS01" and audit_method(p001, "stage1", "FS01") == "FS01"
    text = p004.path.read_text(encoding="utf-8")
    assert 'off_site_audits = { kinds = ["stage1"], clause = "004 §16.2" }' in text
    bad = tmp_path / "004.toml"
    bad.write_text(text.replace('kinds = ["stage1"]', 'kinds = ["stage one"]'), encoding="utf-8")
    with pytest.raises(RuleViolation) as e:
        parse_procedure(bad)
    assert e.value.rule == "ledger: procedure file" and "off_site_audits.kinds" in e.value.message_en and str(bad) in e.value.message_en


def test_an_english_echo_and_history_say_every_step_in_english_and_the_chinese_stays_as_it_was(run):
    _contracted(run)
    assert run("audit", "plan", "--client", USCC, "--kind", "stage1", "--member", "李强", "--start", "2026-03-10",
               "--on", "2026-03-05", "--method", "FS02").exit_code == 0
    assert run("audit", "complete", "--client", USCC, "--audit", "A1", "--conclusion", "可进入第二阶段", "--on", "2026-03-10",
               actor="李强").exit_code == 0
    r = run("--lang", "en", "audit", "plan", "--client", USCC, "--kind", "stage2", "--member", "王芳", "--start", "2026-03-20",
            "--on", "2026-03-12", "--combined", "qms", "--reduction", "0.2")
    assert r.exit_code == 0, r.output
    assert _line(r.output, "audit method") == "on-site audit"  # stage 2 is on-site, as its event says
    assert _line(r.output, "calculation") == ("004 §16.2 a, b: 120 people, 2 sites → initial audit, stage 2: 3.5 man-days; "
                                              "combined with a quality management system audit (qms): reduced by 20% → 3")
    r = run("--lang", "en", "history", USCC, "--type", "AuditPlanned", "--full")
    assert "audit method: remote audit" in r.output  # a stage 1 planned remote says so, as recorded
    shown = [_line(line, "man-day calculation") for line in r.output.splitlines() if "man-day calculation" in line]
    assert len(shown) == 2 and not any(CJK.search(s) for s in shown), shown
    r = run("history", USCC, "--type", "AuditPlanned", "--full")
    assert "审核方式：远程审核" in r.output
    assert ("人日计算：计算人日 3（004 §16.2 a, b: 120 人、2 个场所 → 初审二阶段 3.5 人日；结合审核（qms）减少 20% → 3）"
            in r.output), r.output
    made = json.loads(run("history", USCC, "--json").stdout)
    steps = [e["fields"]["calculation"]["steps"] for e in made if e["type"] == "AuditPlanned"]
    assert steps[1] == ["004 §16.2 a, b: 120 人、2 个场所 → 初审二阶段 3.5 人日", "结合审核（qms）减少 20% → 3"]


def test_a_stage_1_plan_stored_before_this_change_reads_as_recorded(app, run):
    """An event of version 2 (no method: upcast to FS01, on-site) of a stage 1 under 004, as older
    ledgers hold it: history words the method as the event holds it (an FS01 of the old default cannot
    be told from an explicit one, D62), and its stored Chinese step in English; the event is not touched."""
    from eventsourcing.persistence import StoredEvent

    from aggregates.uscc import client_id_for

    _contracted(run, HZX)
    version = app.client(USCC).version
    v2 = {"timestamp": datetime(2026, 3, 5, 2, 0, tzinfo=timezone.utc), "audit_id": "A1", "kind": "stage1", "application_id": "AP1",
          "team": ["李强"], "leader": "李强", "man_days": Decimal("0.5"), "sites": [], "start_on": date(2026, 3, 10),
          "calculation": {"calculated_man_days": Decimal("0.5"), "steps": ["004 §16.2: 一阶段非现场 0.5 人日"]},
          "actor": "张伟", "occurred_on": date(2026, 3, 5), "class_version": 2}
    state = app.mapper.transcoder.encode(v2)
    app.recorder.insert_events([StoredEvent(originator_id=client_id_for(USCC), originator_version=version + 1,
                                            topic="aggregates.client:Client.AuditPlanned", state=state)])
    r = run("--lang", "en", "history", USCC, "--type", "AuditPlanned", "--full")
    assert "audit method: on-site audit" in r.output and OFF_SITE_EN not in r.output, r.output
    assert "(004 §16.2: stage 1 is off-site, 0.5 man-days)" in r.output
    r = run("history", USCC, "--type", "AuditPlanned", "--full")
    assert "人日计算：计算人日 0.5（004 §16.2: 一阶段非现场 0.5 人日）；审核方式：现场审核" in r.output, r.output
    assert bytes(app.recorder.select_events(client_id_for(USCC))[-1].state) == bytes(state)  # read, never rewritten


def test_a_step_with_no_english_wording_is_said_to_be_untranslated():
    """A stored step whose phrasing the table does not know is shown as recorded, marked, in English;
    the Chinese is the stored text joined as before."""
    from ledger.history_text import described

    calc = {"calculated_man_days": Decimal("2.0"),
            "steps": ["004 §16.2 a, b: 45 人、1 个场所 → 初审二阶段 2.0 人日", "按旧规则另加 0.5 人日"]}
    row = {"type": "AuditPlanned", "fields": {"audit_id": "A2", "kind": "stage2", "calculation": calc, "method": "FS01"},
           "version": 6, "occurred_on": date(2026, 3, 2), "recorded_at": None, "actor": "张伟"}
    en = dict(described([row], "en")[0]["details"])
    assert en["man-day calculation"] == ("computed 2.0 man-days (004 §16.2 a, b: 45 people, 1 site → initial audit, stage 2: 2.0 man-days; "
                                         "[not translated, as recorded] 按旧规则另加 0.5 人日)")
    assert en["audit method"] == "on-site audit"
    zh = dict(described([row], "zh")[0]["details"])
    assert zh["人日计算"] == "计算人日 2.0（004 §16.2 a, b: 45 人、1 个场所 → 初审二阶段 2.0 人日；按旧规则另加 0.5 人日）"
    assert zh["审核方式"] == "现场审核"


@pytest.mark.parametrize("kind", ["stage1", "stage2", "transfer", "surveillance", "unscheduled", "recertification"])
@pytest.mark.parametrize("combined", [None, "qms", "credit"])
def test_every_step_the_calculator_writes_has_english_words(kind, combined):
    """The table of stored phrasings covers every step ``ledger.rules.planning`` writes, under each
    shipped procedure (a stage 1's step is its procedure's, D63): in English no Chinese is left and
    nothing is marked untranslated; in Chinese each step is what was stored."""
    from ledger.plan_words import step_words
    from ledger.rules.planning import audit_man_days
    from ledger.rules.procedures import procedures

    for (headcount, sites), procedure in ((hs, p) for hs in ((1, 1), (45, 1), (120, 2), (260, 5))
                                          for p in (None, *procedures().by_id.values())):
        steps = audit_man_days(kind, headcount, sites, combined, procedure=procedure)["steps"]
        assert steps
        for step in steps:
            assert step_words(step, "zh") == step
            english = step_words(step, "en")
            assert not CJK.search(english) and "not translated" not in english, (step, english)
            figures = iter(re.findall(r"\d+(?:\.\d+)?", english))  # every figure of the step, in its order
            assert all(any(f == g for g in figures) for f in re.findall(r"\d+(?:\.\d+)?", step)), (step, english)


def _off_site_by_procedure(scheme: str, kind: str) -> bool:
    from ledger.rules.procedures import procedure_for

    return kind in procedure_for(scheme).off_site_kinds


def test_the_demo_ledger_reads_in_english_with_the_real_script(tmp_path):
    """``certledger demo`` then ``history --lang en`` through the installed script: no Chinese in any
    man-day calculation; a plan off-site in both languages where its client's procedure says so (a stage 1
    under 004 and under 001), on-site as recorded otherwise (a stage 2)."""
    db = str(tmp_path / "demo.sqlite")
    script = [str(Path(sys.executable).parent / "certledger")]  # the installed script
    done = subprocess.run([*script, "demo", "--db", db], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    clients = json.loads(subprocess.run([*script, "--db", db, "clients", "--json"], capture_output=True, text=True,
                                        timeout=120).stdout)
    seen = {True: 0, False: 0}
    for client in clients:
        uscc = client["uscc"]
        stages = {kind: _off_site_by_procedure(client["scheme_id"], kind) for kind in ("stage1", "stage2")}
        en = subprocess.run([*script, "--db", db, "--lang", "en", "history", uscc, "--type", "AuditPlanned", "--full", "--no-pager"],
                            capture_output=True, text=True, timeout=120).stdout
        zh = subprocess.run([*script, "--db", db, "history", uscc, "--type", "AuditPlanned", "--full", "--no-pager"],
                            capture_output=True, text=True, timeout=120).stdout
        for line in en.splitlines():
            if "man-day calculation" in line:
                assert not CJK.search(_line(line, "man-day calculation")), line
            for kind, off_site in stages.items():
                if f"kind: initial audit, stage {kind[-1]};" in line:
                    seen[off_site] += 1
                    assert f"audit method: {OFF_SITE_EN if off_site else 'on-site audit'}" in line, line
        for kind, words in (("stage1", "类型：初次认证第一阶段；"), ("stage2", "类型：初次认证第二阶段；")):
            for line in (x for x in zh.splitlines() if words in x):
                assert f"审核方式：{OFF_SITE_ZH if stages[kind] else '现场审核'}" in line, line
    assert seen[True] >= 5 and seen[False] >= 2, seen


def test_the_demo_on_each_database_reads_its_plans_in_english(app):
    """The demo played on SQLite and on PostgreSQL: every plan's calculation in English with no
    Chinese left and nothing untranslated; its method as recorded, the recorded method of a plan made
    without --method following the client's procedure (stage 1 off-site under 004 and 001, stage 2 on-site)."""
    from ledger.demo import play
    from ledger.history_text import described

    seen = {True: 0, False: 0}
    for uscc in play(app, date(2026, 12, 6)):
        client = app.client(uscc)
        rows = [r for r in app.history(uscc) if r["type"] == "AuditPlanned"]
        for en, zh in zip(described(rows, "en"), described(rows, "zh")):
            en_details, zh_details = dict(en["details"]), dict(zh["details"])
            calc = en_details.get("man-day calculation", "")
            assert calc and not CJK.search(calc) and "not translated" not in calc, calc
            kind, method = en["fields"]["kind"], en["fields"]["method"]
            if kind in ("stage1", "stage2"):
                off_site = _off_site_by_procedure(client.scheme_id, kind)
                seen[off_site] += 1
                assert method == ("offsite" if off_site else "FS01"), (uscc, method)
            assert (en_details["audit method"] == OFF_SITE_EN) == (zh_details["审核方式"] == OFF_SITE_ZH) == (method == "offsite")
    assert seen[True] >= 5 and seen[False] >= 2, seen
