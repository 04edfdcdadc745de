"""The vocabulary on the command line (issue 9, item 8): choices by their Chinese words, the echo
of what a write created (id, man-days and sites, points), history in words, refusals exit 1 and
write nothing."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from cli.main import root

USCC = "91330100716105852F"
APPLY = ["application", "submit", "--client", USCC, "--name", "杭州某科技有限公司", "--address", "杭州市西湖区",
         "--scheme", "zgc-ru015", "--scope", "企业质量信用管理", "--site", "总部=杭州市西湖区", "--site", "仓库=杭州市余杭区",
         "--headcount", "120", "--kind", "初次认证", "--on", "2026-03-02"]


@pytest.fixture
def run(tmp_path):
    db = str(tmp_path / "cli.sqlite")
    assert CliRunner().invoke(root, ["--db", db, "init"]).exit_code == 0  # a new ledger is made by init (D57)

    def invoke(*args: str, actor: str = "张伟"):
        return CliRunner().invoke(root, ["--db", db, "--actor", actor, *args], catch_exceptions=False)

    return invoke


def _contracted(run) -> None:
    assert run(*APPLY).exit_code == 0
    assert run("application", "review", "--client", USCC, "--application", "AP1", "--accept", "--on", "2026-03-03").exit_code == 0
    assert run("application", "contract", "--client", USCC, "--contract-no", "HT-1", "--on", "2026-03-04").exit_code == 0


def _stage1_done(run) -> None:
    _contracted(run)
    r = run("audit", "plan", "--client", USCC, "--kind", "initial audit, stage 1", "--member", "李强", "--start", "2026-03-10",
            "--on", "2026-03-05", "--json")
    out = json.loads(r.stdout)
    assert out["result"] == "A1" and out["created"]["id"] == "A1" and out["created"]["kind"] == "stage1"
    assert out["created"]["man_days"] == out["created"]["calculated_man_days"] == "0"  # 001's document review (001 §4.4.2, D63)
    assert run("audit", "complete", "--client", USCC, "--audit", "A1", "--conclusion", "可进入第二阶段", "--on", "2026-03-10",
               actor="李强").exit_code == 0


def test_audit_plan_by_chinese_words_echoes_man_days_and_sites(run):
    _stage1_done(run)
    r = run("audit", "plan", "--client", USCC, "--kind", "初次认证第二阶段", "--member", "王芳", "--start", "2026-03-20", "--on", "2026-03-12")
    assert r.exit_code == 0, r.output
    assert "审核已策划" in r.output and "→ A2" in r.output
    assert "审核人日：3.5" in r.output and "计算人日：3.5" in r.output and "场所：总部、仓库" in r.output
    assert "类型：初次认证第二阶段" in r.output and "stage2" not in r.output
    r = run("--lang", "en", "history", USCC)
    assert "audit planned" in r.output and "kind: initial audit, stage 2" in r.output
    assert not re.search(r"AuditPlanned|ApplicationSubmitted|\bTrue\b|\btrue\b|\{\"", r.output)
    r = run("history", USCC)
    assert "审核策划" in r.output and "受理：是" in r.output and "AuditPlanned" not in r.output


def test_score_entry_echoes_its_points(run):
    _stage1_done(run)
    run("audit", "plan", "--client", USCC, "--kind", "初次认证第二阶段", "--member", "王芳", "--start", "2026-03-20", "--on", "2026-03-12")
    r = run("score", "enter", "--client", USCC, "--audit", "A2", "--item", "A.1", "--value", '{"percent": 80}', "--on", "2026-03-21")
    assert r.exit_code == 0, r.output
    assert "评分已录入" in r.output and "→ S1" in r.output and "得分：" in r.output and "评分：评分比例 80%" in r.output
    r = run("--lang", "en", "score", "enter", "--client", USCC, "--audit", "A2", "--item", "A.2", "--value", '{"percent": 50}',
            "--on", "2026-03-21", "--json")
    made = json.loads(r.stdout)["created"]
    assert made["id"] == "S2" and made["item"] == "A.2" and made["points"] and made["item_points"]


def test_a_choice_that_names_nothing_is_refused_naming_the_words_and_writes_nothing(run, tmp_path):
    _contracted(run)
    before = run("history", USCC, "--json")
    r = run("audit", "plan", "--client", USCC, "--kind", "年审", "--member", "王芳", "--start", "2026-03-20", "--on", "2026-03-05")
    assert r.exit_code == 1
    assert "surveillance（监督审核）" in r.output and "stage2（初次认证第二阶段）" in r.output
    assert "Traceback" not in r.output
    r = run("--lang", "en", "nc", "raise", "--client", USCC, "--audit", "A9", "--severity", "serious", "--clause", "x",
            "--description", "y")
    assert r.exit_code == 1 and "major (major nonconformity)" in r.output
    assert len(json.loads(run("history", USCC, "--json").stdout)) == len(json.loads(before.stdout))


def test_decide_echo_has_no_python_literals(run):
    """The decision's computed result in words: 通过认证：是/否, the grade by the scheme's name."""
    from ledger.words import yes_no

    from cli.writes import render_result

    text = render_result("decide", USCC, None, "zh", {"decision": "D1", "granted": True, "score": "90.24", "max_score": "100",
                                                      "percent": "90.24", "grade": "4STAR", "scheme_id": "zdrz-69",
                                                      "scheme_version": "Q/ZDRZ 69-2025"})
    assert "→ D1" in text and f"通过认证：{yes_no(True)}" in text and "等级：四星级质量信用服务" in text
    assert "True" not in text and "4STAR" not in text
