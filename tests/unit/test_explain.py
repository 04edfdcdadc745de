"""The grade explanation and the what-if preview, on a Client built with the aggregate alone: no
database. Every figure is recomputed by the scoring engine from the recorded entries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from aggregates.client import Client
from aggregates.errors import NotFound, RuleViolation
from ledger.synthetic import score_sheet
from ledger.explain import explain, preview
from ledger.rules.evaluation import audit_inputs
from ledger.rules.scoring import evaluate, load_scheme, scheme_in_force

D = date
USCC = "91330100716105852F"
SITE = [{"name": "总部", "address": "杭州市余杭区文一西路969号"}]


def scheme_of(client: Client, audit_id: str):
    return scheme_in_force(client.scheme_id, client.audits[audit_id]["start_on"])


def history(client: Client) -> list[dict]:
    """What CertLedger.history gives for these events: type, recorded time, fields."""
    return [{"type": type(e).__name__, "recorded_at": e.timestamp, "fields": dict(vars(e))} for e in client.pending_events]


def audited(scheme_id: str = "zgc-ru015") -> tuple[Client, str]:
    c = Client.register(uscc=USCC, name="杭州某科技有限公司", address="杭州市余杭区文一西路969号", actor="张伟", occurred_on=D(2026, 1, 5))
    c.submit_application(scheme_id=scheme_id, scope="企业质量信用管理", sites=SITE, headcount=120, kind="initial", actor="张伟", occurred_on=D(2026, 1, 5))
    c.review_application(application_id="AP1", accepted=True, reason="", actor="张伟", occurred_on=D(2026, 1, 6))
    c.sign_contract(contract_no="HT-1", actor="张伟", occurred_on=D(2026, 1, 7))
    a1 = c.plan_audit(kind="stage1", team=["王芳"], leader="", man_days=Decimal("0.5"), sites=[], start_on=D(2026, 1, 12), actor="张伟", occurred_on=D(2026, 1, 8))
    c.complete_audit(audit_id=a1, conclusion="文件符合", actor="王芳", occurred_on=D(2026, 1, 12))
    a2 = c.plan_audit(kind="stage2", team=["王芳", "李强"], leader="王芳", man_days=Decimal(3), sites=["总部"], start_on=D(2026, 1, 20), actor="张伟", occurred_on=D(2026, 1, 13))
    return c, a2


def scored_zgc() -> tuple[Client, str]:
    """Every item scored except A.15 (excluded); A.1 entered at 60 % and corrected to 80 %."""
    c, a2 = audited()
    for item, facet, value in score_sheet(load_scheme("zgc-ru015"), 0.86, seed=1):
        if item == "A.15":
            continue
        if item == "A.1":
            value = {"percent": Decimal(60)}
        c.enter_score(audit_id=a2, item=item, facet=facet, value=value, actor="李强", occurred_on=D(2026, 1, 21))
    c.exclude_item(audit_id=a2, item="A.15", reason="无出口业务", actor="王芳", occurred_on=D(2026, 1, 21))
    c.correct_score(entry_id="S1", value={"percent": Decimal(80)}, reason="复核抽样记录后更正", actor="王芳", occurred_on=D(2026, 1, 22))
    c.complete_audit(audit_id=a2, conclusion="推荐认证", actor="王芳", occurred_on=D(2026, 1, 22))
    return c, a2


def decide(c: Client, audit_id: str, *, score_offset: Decimal = Decimal(0)) -> str:
    """The decision CertLedger.decide would record (optionally with a tampered score)."""
    scheme = scheme_of(c, audit_id)
    ev = evaluate(scheme, *audit_inputs(c, audit_id))
    return c.decide(audit_id=audit_id, decider="赵敏", scheme_id=scheme.id, scheme_version=scheme.version,
                    score=ev.total + score_offset, max_score=ev.max_total, percent=ev.percent, grade=ev.grade,
                    granted=ev.grade is not None, reason="审核报告充分", evaluation=ev.to_dict(), actor="张伟",
                    occurred_on=D(2026, 2, 1))


def item(data: dict, item_id: str) -> dict:
    return next(i for i in data["items"] if i["id"] == item_id)


def test_a_decision_is_recomputed_under_its_recorded_version_and_matches():
    c, a2 = scored_zgc()
    decide(c, a2)
    data = explain(c, history=history(c))
    assert data["decision"]["id"] == "D1" and data["audit"]["id"] == a2
    assert data["scheme"]["version"] == "A/0" and data["scheme"]["basis"] == "decision"
    assert data["check"]["matches"] is True and data["check"]["differences"] == []
    assert data["total"] == data["decision"]["score"] and data["grade"] == data["decision"]["grade"]


def test_each_score_names_who_entered_it_when_and_what_a_correction_replaced():
    c, a2 = scored_zgc()
    decide(c, a2)
    data = explain(c, history=history(c))
    a1 = item(data, "A.1")
    entry = a1["inputs"][0]["entry"]
    assert entry["id"] != "S1" and entry["actor"] == "王芳" and entry["on"] == "2026-01-22" and entry["recorded_at"]
    [corr] = entry["corrections"]
    assert corr["replaced"]["id"] == "S1" and corr["replaced"]["value"] == {"percent": "60"}
    assert corr["replaced"]["actor"] == "李强" and corr["reason"] == "复核抽样记录后更正"
    assert a1["earned"] == "20" and "80%" in a1["reason_zh"] and a1["rule_clause"] == "001 附录A 评分 a) 表1, c)"
    a2_row = item(data, "A.2")
    assert a2_row["inputs"][0]["entry"]["actor"] == "李强" and a2_row["inputs"][0]["entry"]["corrections"] == []


def test_an_exclusion_carries_its_reason_and_who_recorded_it_and_lowers_the_applicable_points():
    c, a2 = scored_zgc()
    decide(c, a2)
    data = explain(c, history=history(c))
    a15 = item(data, "A.15")
    assert a15["status"] == "excluded" and a15["earned"] == "0"
    assert a15["exclusion"]["reason"] == "无出口业务" and a15["exclusion"]["actor"] == "王芳" and a15["exclusion"]["recorded_at"]
    assert data["max_total"] == "950"
    assert any("1 项删减" in w["zh"] for w in data["why"])


def test_subtotals_add_up_to_the_total_and_the_band_states_its_boundary_semantics():
    c, a2 = scored_zgc()
    decide(c, a2)
    data = explain(c)
    assert sum(Decimal(g["earned"]) for g in data["groups"]) == Decimal(data["total"])
    assert sum(Decimal(i["earned"]) for i in data["items"]) == Decimal(data["total"])
    [given] = [b for b in data["grading"]["bands"] if b["given"]]
    assert given["code"] == data["grade"] and given["semantics_zh"] == "含下限、不含上限"
    grade_line = next(w for w in data["why"] if w["kind"] == "grade")
    assert "含下限、不含上限" in grade_line["zh"] and "lower-inclusive, upper-exclusive" in grade_line["en"]
    assert {"note:percent-grading", "note:prerequisite"} <= {w["kind"] for w in data["why"]}


def test_without_history_the_recorded_moments_are_left_empty():
    c, a2 = scored_zgc()
    decide(c, a2)
    assert item(explain(c), "A.2")["inputs"][0]["entry"]["recorded_at"] is None


def test_a_recorded_score_the_recomputation_does_not_give_is_reported_as_a_mismatch():
    c, a2 = scored_zgc()
    decide(c, a2, score_offset=Decimal(1))
    check = explain(c)["check"]
    assert check["matches"] is False
    [diff] = check["differences"]
    assert diff["field"] == "score" and Decimal(diff["recorded"]) == Decimal(diff["recomputed"]) + 1
    assert "不一致" in check["zh"] and "NOT match" in check["en"]


def test_without_a_decision_the_latest_scored_audit_is_explained_as_it_stands():
    c, a2 = audited()
    c.enter_score(audit_id=a2, item="A.1", facet=None, value={"percent": Decimal(90)}, actor="李强", occurred_on=D(2026, 1, 21))
    data = explain(c, scheme_of=scheme_of)
    assert data["decision"] is None and data["check"] is None and data["scheme"]["basis"] == "audit"
    assert data["grade"] is None and data["total"] == "22.5" and len(data["missing_items"]) == 21
    assert item(data, "A.2")["status"] == "missing"
    assert any(w["kind"] == "note:incomplete" for w in data["why"])
    assert [c["status"] for c in data["conditions"]] == ["unchecked"]


def test_an_undecided_audit_needs_the_scheme_it_is_scored_under():
    c, a2 = audited()
    c.enter_score(audit_id=a2, item="A.1", facet=None, value={"percent": Decimal(90)}, actor="李强", occurred_on=D(2026, 1, 21))
    with pytest.raises(ValueError):
        explain(c)


def test_a_client_with_nothing_scored_has_nothing_to_explain():
    c, _ = audited()
    with pytest.raises(RuleViolation) as e:
        explain(c, scheme_of=scheme_of)
    assert e.value.rule == "ledger: nothing to explain"


def test_an_unknown_audit_or_a_stage_1_audit_is_refused_with_the_rule():
    c, a2 = scored_zgc()
    with pytest.raises(NotFound) as e:
        explain(c, audit="A9", scheme_of=scheme_of)
    assert "A1, A2" in e.value.message_zh
    with pytest.raises(RuleViolation) as e:
        explain(c, audit="A1", scheme_of=scheme_of)
    assert e.value.rule == "004 §5.3"


def test_a_veto_within_the_look_back_window_withholds_the_grade_and_is_explained():
    c, a2 = audited("jx-qci-2023")
    for ref, facet, value in score_sheet(load_scheme("jx-qci-2023"), 1.0, seed=3):
        if ref == "11.1":
            value = {"occurrences": ["2025-06-30"]}
        c.enter_score(audit_id=a2, item=ref, facet=facet, value=value, actor="李强", occurred_on=D(2026, 1, 21))
    data = explain(c, scheme_of=scheme_of)
    assert data["grade"] is None and [v["id"] for v in data["vetoes"]] == ["11.1"]
    veto = next(w for w in data["why"] if w["kind"] == "veto")
    assert "2025-06-30" in veto["zh"] and "2024-01-05–2026-01-05" in veto["zh"] and veto["clause"] == "003 十一 ①"
    assert data["context"]["application_date"] == "2026-01-05"


def test_a_surveillance_audit_takes_the_application_date_of_the_latest_application_before_the_decision():
    c, a2 = scored_zgc()
    d = decide(c, a2)
    c.issue_certificate(decision_id=d, number="CL-1", valid_from=D(2026, 2, 3), valid_until=D(2029, 2, 2), standard="ZGC/RU-015",
                        actor="张伟", occurred_on=D(2026, 2, 3))
    a3 = c.plan_audit(kind="surveillance", team=["陈静"], leader="", man_days=Decimal(1), sites=[], start_on=D(2026, 12, 1),
                      actor="张伟", occurred_on=D(2026, 11, 1))
    c.submit_application(scheme_id="zgc-ru015", scope="企业质量信用管理", sites=SITE, headcount=120, kind="recertification",
                         actor="张伟", occurred_on=D(2027, 1, 5))
    assert c.audits[a3]["application_id"] is None
    assert audit_inputs(c, a3, on=D(2026, 12, 20))[2] == {"application_date": D(2026, 1, 5)}
    assert audit_inputs(c, a3)[2] == {"application_date": D(2027, 1, 5)}


# -- preview ---------------------------------------------------------------------------------------

def full_tbsc94(service_alpha: str, level: int) -> dict:
    s = load_scheme("tbsc94")
    entries = []
    for i in s.items:
        if i.rule == "likert-alpha":
            a = Decimal(service_alpha)
            likert = min(5, int((a * 5).to_integral_value(rounding="ROUND_CEILING")) or 1)
            entries.append({"item": i.id, "facet": "R1", "value": {"likert": likert, "alpha": service_alpha}})
        else:
            entries.append({"item": i.id, "value": {"level": level}})
    return {"entries": entries, "context": {"review_passed": True}}


def test_preview_of_92_with_maturity_level_three_gives_aaa_and_names_the_interpretation():
    data = preview(load_scheme("tbsc94"), full_tbsc94("0.92", 3))
    assert data["kind"] == "preview" and Decimal(data["total"]) == 92 and data["grade"] == "AAA"
    kinds = {w["kind"] for w in data["why"]}
    assert {"note:fallback", "note:table-5.3-maturity-fallback", "note:table-5.3-ninety"} <= kinds
    maturity = next(p for p in data["parts"] if p["id"] == "maturity")
    assert maturity["level"] == 3
    bands = {b["code"]: b for b in data["grading"]["bands"]}
    assert bands["AAA"]["given"] and bands["AAAA"]["contains_value"] and not bands["AAAA"]["given"]


def test_preview_names_items_by_id_or_chinese_name_and_takes_exclusions_and_context():
    sheet = {"entries": [{"item": "A.1", "value": {"percent": 85}}, {"item": "人员资质管理", "facet": None, "value": {"conforms": True}},
                         {"item": "4.2.1", "value": {"met": True}}],
             "exclusions": {"A.15": "无出口业务"}, "context": {"application_date": "2026-03-01"}}
    data = preview(load_scheme("zgc-ru015"), sheet)
    assert item(data, "A.1")["earned"] == "21.25" and item(data, "A.12")["earned"] == "50"
    assert item(data, "A.15")["exclusion"] == {"reason": "无出口业务"} and data["max_total"] == "950"
    assert data["total"] == "71.25" and data["grade"] is None and len(data["missing_items"]) == 19


@pytest.mark.parametrize("scheme_id, sheet, rule, needle", [
    ("zgc-ru015", {"entries": [{"item": "A.1", "value": {"percent": 101}}]}, "out-of-range", "A.1"),
    ("tbsc94", {"entries": [{"item": "A1-1.1", "facet": "R1", "value": {"likert": 5, "alpha": "0.5"}}]}, "alpha-outside-band", "A1-1.1"),
    ("tbsc94", {"entries": [{"item": "A3-1.1", "value": {"level": 6}}]}, "level-out-of-range", "A3-1.1"),
    ("zgc-ru015", {"entries": [{"item": "没有这一项", "value": {"percent": 1}}]}, "unknown-item", "没有这一项"),
    ("zdrz-69", {"exclusions": {"5.2a": "不适用"}}, "not-excludable", "5.2a"),
    ("zgc-ru015", {"entries": [{"item": "A.1", "value": {"percent": 1}}, {"item": "质量信用管理方针", "value": {"percent": 2}}]}, "duplicate-entry", "A.1"),
    ("zgc-ru015", {"entries": [{"item": "A.1"}]}, "ledger: preview file format", "entries[0]"),
    ("zgc-ru015", {"entires": []}, "ledger: preview file format", "entires"),
    ("zgc-ru015", {"context": {"application_date": "2026-02-30"}}, "ledger: preview file format", "application_date"),
])
def test_bad_preview_input_is_refused_naming_the_item_and_the_rule(scheme_id, sheet, rule, needle):
    with pytest.raises(RuleViolation) as e:
        preview(load_scheme(scheme_id), sheet)
    assert e.value.rule.startswith(rule) and needle in e.value.message_zh and needle in e.value.message_en
