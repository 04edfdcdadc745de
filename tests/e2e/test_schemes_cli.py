"""The rulebooks, the what-if preview and the grade explanation at the command line (CliRunner)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import root

USCC = "91330100716105852F"
SITE = [{"name": "总部", "address": "杭州市西湖区"}]
D = date


def cli(*args: str, db: str | None = None):
    base = ["--db", db] if db else []
    return CliRunner().invoke(root, base + list(args), catch_exceptions=False)


@pytest.fixture
def scheme_dir(tmp_path, monkeypatch):
    """A private copy of the shipped scheme files that the ledger and the CLI read instead (the
    catalogue reads SCHEME_DIR once and caches it), so a test can add or alter a version."""
    from ledger.rules.scoring import catalogue

    folder = tmp_path / "schemes"
    folder.mkdir()
    for f in catalogue.SCHEME_DIR.glob("*.toml"):
        shutil.copy(f, folder / f.name)
    monkeypatch.setattr(catalogue, "SCHEME_DIR", folder)
    catalogue._default.cache_clear()
    yield folder
    monkeypatch.undo()
    catalogue._default.cache_clear()


def write_version(folder: Path, source: str, target: str, version: str, effective: str, replace: dict[str, str]) -> None:
    text = (folder / source).read_text(encoding="utf-8")
    old_version = text.split('version = "', 1)[1].split('"', 1)[0]
    old_effective = text.split("effective_from = ", 1)[1].split("\n", 1)[0]
    text = text.replace(f'version = "{old_version}"', f'version = "{version}"', 1)
    text = text.replace(f"effective_from = {old_effective}", f"effective_from = {effective}", 1)
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    (folder / target).write_text(text, encoding="utf-8")
    from ledger.rules.scoring import catalogue

    catalogue._default.cache_clear()


# Grade A of zgc-ru015 is 80 <= % < 90; this edit moves the A/B boundary to 86.
MOVE_A_TO_86 = {"\nupper = 80\n": "\nupper = 86\n", "\nlower = 80\n": "\nlower = 86\n"}


@pytest.fixture
def ledger_db(tmp_path) -> str:
    """A client of zgc-ru015: every item at 84 % (A.1 first entered at 60 % and corrected), A.15
    excluded; items A.1-A.10 scored on 2026-01-21, the rest on 2026-01-23; decided 2026-02-01."""
    from ledger.bootstrap import bootstrap

    db = str(tmp_path / "ledger.sqlite")
    app = bootstrap(db)
    try:
        kw = {"actor": "张伟"}
        app.submit_application(client=USCC, name="杭州某科技有限公司", address="杭州市西湖区", scheme="zgc-ru015", scope="企业质量信用管理",
                               site=SITE, headcount=30, on=D(2026, 1, 5), **kw)
        app.review_application(client=USCC, application="AP1", accept=True, on=D(2026, 1, 6), **kw)
        app.sign_contract(client=USCC, contract_no="HT-1", on=D(2026, 1, 7), **kw)
        app.plan_audit(client=USCC, kind="stage1", member=["王芳"], start=D(2026, 1, 12), on=D(2026, 1, 8), **kw)  # 001: 0 man-days (D63)
        app.complete_audit(client=USCC, audit="A1", conclusion="文件符合", on=D(2026, 1, 12), **kw)
        app.plan_audit(client=USCC, kind="stage2", member=["王芳", "李强"], man_days=Decimal(2), start=D(2026, 1, 20), on=D(2026, 1, 13), **kw)
        for n in range(1, 23):
            if n == 15:
                continue
            value = {"percent": 60 if n == 1 else 84}
            app.enter_score(client=USCC, audit="A2", item=f"A.{n}", value=value, actor="李强", on=D(2026, 1, 21 if n <= 10 else 23))
        app.exclude_item(client=USCC, audit="A2", item="A.15", reason="无出口业务", actor="王芳", on=D(2026, 1, 21))
        app.correct_score(client=USCC, entry="S1", value={"percent": 84}, reason="复核抽样记录后更正", actor="王芳", on=D(2026, 1, 24))
        app.enter_score(client=USCC, audit="A2", item="4.2.1", value={"met": True}, actor="王芳", on=D(2026, 1, 23))
        app.complete_audit(client=USCC, audit="A2", conclusion="推荐认证", on=D(2026, 1, 25), **kw)
        result = app.decide(client=USCC, audit="A2", decider="赵敏", reason="审核报告充分", on=D(2026, 2, 1), **kw)
        assert result["grade"] == "A" and result["percent"] == Decimal("84.00")
    finally:
        app.close()
    return db


# -- schemes list / show ---------------------------------------------------------------------------

def test_schemes_list_shows_every_scheme_with_version_date_issuer_title_total_and_items():
    r = cli("schemes", "list")
    assert r.exit_code == 0, r.stderr
    for needle in ("zdrz-69", "zgc-ru015", "tbsc94", "jx-qci-2023", "hzx-mr0118", "2021-01-21", "中赣国际认证有限公司", "满分 1000", "指标 22"):
        assert needle in r.stdout
    rows = json.loads(cli("schemes", "list", "--json").stdout)
    zgc = next(x for x in rows if x["id"] == "zgc-ru015")
    assert zgc["versions"] == ["A/0"] and zgc["max_total"] == "1000" and zgc["items"] == 22 and zgc["effective_from"] == "2021-01-21"
    assert "Zhonggan" in cli("schemes", "list", "--lang", "en").stdout


def test_schemes_show_gives_the_indicator_tree_rules_conditions_bands_and_notes():
    r = cli("schemes", "show", "zgc-ru015")
    assert r.exit_code == 0, r.stderr
    out = r.stdout
    assert "质量承诺、策划  150 分" in out and "A.1  质量信用管理方针  25 分  [percent-or-deduction]  [可删减]" in out
    assert "4.2.1  前提条件" in out and "C级: 60 ≤ % < 70  [含下限、不含上限]" in out and "AAA级: 95 ≤ % ≤ 100  [含下限、含上限]" in out
    assert "文件规定" in out and "percent-grading" in out and "（列入每次评价）" in out
    en = cli("schemes", "show", "zgc-ru015", "--lang", "en").stdout
    assert "Quality credit policy" in en and "lower-inclusive, upper-exclusive" in en and "[excludable]" in en


def test_schemes_show_uses_the_documents_numbering_and_upper_inclusive_bands_where_the_document_has_them():
    jx = cli("schemes", "show", "jx-qci-2023").stdout
    assert "3.1 (三①)  体系认证证书  4 分  [base-plus-increment]" in jx and "base = 2, increment = 0.5, cap = 4" in jx
    assert "11.1  否决项" in jx and "文件未规定等级" in jx and "（无等级区间：只给出总分）" in jx
    hzx = json.loads(cli("schemes", "show", "hzx-mr0118", "--json").stdout)
    assert hzx["grading"]["source"] == "document"
    assert [b["semantics_zh"] for b in hzx["grading"]["bands"]][:4] == ["不含下限、含上限"] * 4
    tb = json.loads(cli("schemes", "show", "tbsc94", "--json").stdout)
    row1 = tb["grading"]["bands"][0]
    assert row1["code"] is None and row1["requires_min_level"] == 2
    assert {n["id"] for n in tb["notes"]} >= {"table-5.3-ninety", "table-5.3-row1", "table-5.3-maturity-fallback"}
    service = tb["parts"][0]
    assert service["children"][0]["children"][0]["label"] == "1.1" and service["items"] == 19


@pytest.mark.parametrize("args, needles", [
    (["schemes", "show", "nope"], ["unknown-scheme", "zgc-ru015（A/0）", "tbsc94（B/0）"]),
    (["schemes", "show", "zgc-ru015", "--version", "Z/9"], ["unknown-version", "A/0"]),
])
def test_an_unknown_scheme_or_version_exits_1_listing_the_known_ones(args, needles):
    r = cli(*args)
    assert r.exit_code == 1 and r.stdout == ""
    for needle in needles:
        assert needle in r.stderr
    assert "Traceback" not in r.stderr


# -- score preview ---------------------------------------------------------------------------------

def sheet(tmp_path: Path, data, name: str = "sheet.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


ZGC_SHEET = {
    "entries": [{"item": f"A.{n}", "value": {"percent": 90}} for n in range(2, 23) if n not in (12, 15)]
    + [{"item": "A.1", "value": {"samples": 4, "nonconforming": 1}},
       {"item": "人员资质管理", "facet": None, "value": {"conforms": True}},
       {"item": "4.2.1", "value": {"met": True}}],
    "exclusions": {"A.15": "无出口业务"},
    "context": {"application_date": "2026-03-01"},
}


def test_preview_gives_total_grade_and_explanation_without_a_ledger(tmp_path):
    db_dir = tmp_path / "no-such-folder"
    r = cli("score", "preview", "--scheme", "zgc-ru015", sheet(tmp_path, ZGC_SHEET), db=str(db_dir / "ledger.sqlite"))
    assert r.exit_code == 0, r.stderr
    assert not db_dir.exists(), "preview must not open (or create) a ledger"
    out = r.stdout
    assert "试算（不涉及账本）" in out and "抽样 4 个，不符合 1 个" in out and "删减理由: 无出口业务" in out
    assert "总分: 856.25 / 950 (90.13%)" in out and "等级: AA级" in out
    data = json.loads(cli("score", "preview", "--scheme", "zgc-ru015", "--json", sheet(tmp_path, ZGC_SHEET)).stdout)
    assert data["grade"] == "AA" and data["percent"] == "90.13" and data["scheme"]["version"] == "A/0"
    en = cli("score", "preview", "--scheme", "zgc-ru015", "--lang", "en", sheet(tmp_path, ZGC_SHEET)).stdout
    assert "What-if preview" in en and "Grade: Grade AA" in en and "lower-inclusive, upper-exclusive" in en


@pytest.fixture
def mandatory_version(scheme_dir):
    """hzx-mr0118 A/3: as A/2, with item 1.1 flagged mandatory (4.18.1: 0 or full points)."""
    write_version(scheme_dir, "hzx-mr0118@A2.toml", "hzx-mr0118@A3.toml", "A/3", "2025-01-01",
                  {'id = "1.1"\ngroup = "1"\n': 'id = "1.1"\ngroup = "1"\nmandatory = true\n'})


@pytest.mark.parametrize("scheme_id, data, needles", [
    ("zgc-ru015", {"entries": [{"item": "A.1", "value": {"percent": 120}}]}, ["A.1", "out-of-range: 001 附录A 评分 a) 表1, c)", "120"]),
    ("tbsc94", {"entries": [{"item": "A1-1.1", "facet": "R1", "value": {"likert": 5, "alpha": 0.5}}]}, ["A1-1.1", "alpha-outside-band: 002 5.1.1"]),
    ("tbsc94", {"entries": [{"item": "A3-1.1", "value": {"level": 0}}]}, ["A3-1.1", "level-out-of-range: 002 附录3"]),
    ("zgc-ru015", {"entries": [{"item": "质量信用方针", "value": {"percent": 1}}]}, ["质量信用方针", "unknown-item", "A.1 质量信用管理方针"]),
    ("zdrz-69", {"exclusions": {"5.2a": "不适用"}}, ["5.2a", "not-excludable"]),
    ("zgc-ru015", {"entries": [{"item": "A.1", "value": {"percent": 1}}, {"item": "A.1", "value": {"percent": 2}}]}, ["A.1", "duplicate-entry"]),
    ("zgc-ru015", '{"entries": [', ["不是有效的 JSON", "第 1 行", "ledger: preview file format"]),
    ("zgc-ru015", {"entries": [{"item": "A.1", "value": 85}]}, ["entries[0]", "A.1", "ledger: preview file format"]),
    ("nope", {"entries": []}, ["unknown-scheme", "zgc-ru015"]),
])
def test_bad_preview_input_exits_1_naming_the_item_and_the_rule(tmp_path, scheme_id, data, needles):
    r = cli("score", "preview", "--scheme", scheme_id, sheet(tmp_path, data))
    assert r.exit_code == 1, r.output
    assert r.stdout == "" and "Traceback" not in r.stderr
    for needle in needles:
        assert needle in r.stderr, r.stderr


def test_a_mandatory_item_scored_between_0_and_full_is_refused_in_preview(tmp_path, mandatory_version):
    data = {"entries": [{"item": "1.1", "value": {"points": 3}}]}
    r = cli("score", "preview", "--scheme", "hzx-mr0118", "--version", "A/3", sheet(tmp_path, data))
    assert r.exit_code == 1
    assert "1.1" in r.stderr and "mandatory-all-or-nothing: 004 4.18.1" in r.stderr
    ok = cli("score", "preview", "--scheme", "hzx-mr0118", "--version", "A/3", "--json",
             sheet(tmp_path, {"entries": [{"item": "1.1", "value": {"points": 0}}]}))
    assert ok.exit_code == 0 and json.loads(ok.stdout)["scheme"]["version"] == "A/3"


def test_a_missing_score_file_exits_1_not_2(tmp_path):
    r = cli("score", "preview", "--scheme", "zgc-ru015", str(tmp_path / "missing.json"), "--lang", "en")
    assert r.exit_code == 1 and "Cannot read the score file" in r.stderr and "missing.json" in r.stderr


# -- explain ---------------------------------------------------------------------------------------

def test_explain_in_chinese_names_every_score_its_author_corrections_exclusions_band_and_reasons(ledger_db):
    r = cli("explain", USCC, db=ledger_db)
    assert r.exit_code == 0, r.stderr
    out = r.stdout
    assert "认证决定 D1  2026-02-01  通过" in out and "✓ 重算结果与认证决定记录的得分和等级一致。" in out
    assert "按认证决定记录的方案版本 A/0 重算" in out
    assert "A.1 质量信用管理方针  25 分  (按比例或扣分, 001 附录A 评分 a) 表1, c))  → 21" in out
    assert "更正：S1 评分比例 60%（李强，2026-01-21）由 S22 取代（王芳，2026-01-24" in out and "理由：复核抽样记录后更正" in out
    assert "S2，李强，业务日期 2026-01-21（记录于 20" in out
    assert "删减理由: 无出口业务（王芳，业务日期 2026-01-21" in out
    assert "质量承诺、策划: 得 126 / 涉及 150" in out and "总分: 798 / 950 (84%)" in out
    assert "→ A级: 80 ≤ % < 90  [含下限、不含上限]" in out and "等级: A级" in out
    assert "84% 落在 A级 的区间 80 ≤ % < 90（含下限、不含上限）" in out and "4.2.1 满足" in out


def test_explain_in_english_and_as_json(ledger_db):
    en = cli("explain", USCC, "--lang", "en", db=ledger_db).stdout
    assert "Decision D1  2026-02-01  granted" in en and "correction: S1 percentage 60% (李强, 2026-01-21) replaced by S22" in en
    assert "excluded: 无出口业务" in en and "Grade: Grade A" in en and "lower-inclusive, upper-exclusive" in en
    data = json.loads(cli("explain", USCC, "--json", db=ledger_db).stdout)
    assert data["check"]["matches"] is True and data["decision"]["scheme_version"] == "A/0"
    assert data["grade"] == "A" and Decimal(data["total"]) == 798 and Decimal(data["max_total"]) == 950
    a1 = next(i for i in data["items"] if i["id"] == "A.1")
    assert a1["inputs"][0]["entry"]["corrections"][0]["replaced"]["id"] == "S1"
    assert a1["inputs"][0]["entry"]["recorded_at"].endswith("+08:00")


def test_explain_as_of_before_the_decision_shows_the_audits_partial_state(ledger_db):
    data = json.loads(cli("explain", USCC, "--as-of", "2026-01-21", "--json", db=ledger_db).stdout)
    assert data["decision"] is None and data["as_of"] == "2026-01-21" and data["scheme"]["basis"] == "audit"
    assert data["grade"] is None and data["missing_items"][:3] == ["A.11", "A.12", "A.13"]
    a1 = next(i for i in data["items"] if i["id"] == "A.1")
    assert a1["inputs"][0]["entry"]["id"] == "S1" and a1["inputs"][0]["value"] == {"percent": "60"}  # not yet corrected
    text = cli("explain", USCC, "--as-of", "2026-01-21", db=ledger_db).stdout
    assert "尚无认证决定" in text and "未评分也未删减 (11)" in text and "有 11 项既未评分也未删减，等级暂不给出。" in text


def test_explain_as_of_before_the_client_existed_says_no_such_client_then(ledger_db):
    r = cli("explain", USCC, "--as-of", "2025-12-31", db=ledger_db)
    assert r.exit_code == 1 and "no such client then" in r.stderr and "Traceback" not in r.stderr
    r = cli("explain", USCC, "--as-recorded", "2000-01-01T00:00", "--lang", "en", db=ledger_db)
    assert r.exit_code == 1 and "existed" in r.stderr


def test_explain_names_an_audit_and_refuses_one_that_takes_no_scores(ledger_db):
    assert json.loads(cli("explain", USCC, "--audit", "A2", "--json", db=ledger_db).stdout)["decision"]["id"] == "D1"
    r = cli("explain", USCC, "--audit", "A1", db=ledger_db)
    assert r.exit_code == 1 and "004 §5.3" in r.stderr


def test_a_decision_is_recomputed_under_its_recorded_version_after_a_newer_one_exists(scheme_dir, ledger_db, tmp_path):
    write_version(scheme_dir, "zgc-ru015@A0.toml", "zgc-ru015@A1.toml", "A/1", "2026-06-01", MOVE_A_TO_86)
    listed = json.loads(cli("schemes", "list", "--json").stdout)
    assert next(x for x in listed if x["id"] == "zgc-ru015")["versions"] == ["A/0", "A/1"]
    data = json.loads(cli("explain", USCC, "--json", db=ledger_db).stdout)
    assert data["scheme"]["version"] == "A/0" and data["scheme"]["latest_version"] == "A/1"
    assert data["scheme"]["newer_versions"] == ["A/1"] and data["check"]["matches"] is True and data["grade"] == "A"
    text = cli("explain", USCC, db=ledger_db).stdout
    assert "其后已有新版本 A/1，不影响本次计算" in text
    # The same scores under the newer version would grade B: the version matters, and A/0 was used.
    entries = [{"item": i["id"], "value": i["inputs"][0]["value"]} for i in data["items"] if i["status"] == "scored"]
    what_if = {"entries": entries + [{"item": "4.2.1", "value": {"met": True}}], "exclusions": {"A.15": "无出口业务"}}
    newer = json.loads(cli("score", "preview", "--scheme", "zgc-ru015", "--json", sheet(tmp_path, what_if)).stdout)
    assert newer["scheme"]["version"] == "A/1" and newer["grade"] == "B" and newer["total"] == data["total"]


def test_a_scheme_file_edited_in_place_after_a_decision_is_reported_loudly(scheme_dir, ledger_db):
    path = scheme_dir / "zgc-ru015@A0.toml"
    text = path.read_text(encoding="utf-8")
    for old, new in MOVE_A_TO_86.items():
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    from ledger.rules.scoring import catalogue

    catalogue._default.cache_clear()
    r = cli("explain", USCC, db=ledger_db)
    assert r.exit_code == 1
    assert "！！！ 重算结果与认证决定的记录不一致 ！！！" in r.stdout and "grade 记录为 A，重算为 B" in r.stdout
    assert "错误" in r.stderr and "不一致" in r.stderr and "(规则: 001 §13.1, 001 §12)" in r.stderr and "rule:" not in r.stderr
