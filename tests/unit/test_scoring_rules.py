"""A worked example for every scoring rule, checked by hand against the documents."""

from datetime import date
from decimal import Decimal

from ledger.rules.scoring import Entry, evaluate, load_scheme

D = Decimal


def earned(scheme, ref, value, facet=None):
    e = scheme.validate_entry(ref, facet, value)
    row = next(r for r in evaluate(scheme, [e], {}).items if r["id"] == e.item)
    return row["earned"], row["reason_zh"]


def test_zdrz_banded_percent_is_percentage_times_points_and_names_the_band():
    s = load_scheme("zdrz-69")
    pts, why = earned(s, "5.1.1a", {"percent": "85"})       # 6 points x 85 %
    assert pts == D("5.1") and "80%-100%" in why
    assert earned(s, "质量安全事故记录", {"percent": 20})[0] == D("1.2")
    assert "0%-20%" in earned(s, "5.2a", {"percent": 20})[1]   # a boundary goes to the lower band


def test_zgc_percent_conforms_and_samples():
    s = load_scheme("zgc-ru015")
    assert earned(s, "A.3", {"percent": 70})[0] == 35
    assert earned(s, "A.1", {"conforms": True})[0] == 25
    assert earned(s, "A.1", {"conforms": False})[0] == 0
    pts, why = earned(s, "A.12", {"samples": 8, "nonconforming": 2})   # 50 x 6/8
    assert pts == D("37.5") and "6/8" in why
    assert earned(s, "A.12", {"samples": 3, "nonconforming": 1})[0] == D("33.33")   # truncated


def test_zgc_exclusion_divides_by_the_applicable_total():
    s = load_scheme("zgc-ru015")
    entries = [Entry(i.id, None, {"percent": 90}) for i in s.items if i.id != "A.15"]
    ev = evaluate(s, entries, {"出口产品质量不良记录": "无出口业务"}, {"facts": {"4.2.1": {"met": True}}})
    assert ev.max_total == 950 and ev.total == 855 and ev.percent == 90 and ev.grade == "AA"
    assert ev.excluded == {"A.15": "无出口业务"} and ev.missing_items == []


def test_tbsc94_service_score_is_the_mean_of_respondent_totals():
    s = load_scheme("tbsc94")
    service = [i for i in s.items if i.part == "service"]
    entries = [Entry(i.id, "R1", {"likert": 5, "alpha": "0.9"}) for i in service]
    entries += [Entry(i.id, "R2", {"likert": 4, "alpha": "0.7"}) for i in service]
    entries += [Entry(i.id, None, {"level": 3}) for i in s.items if i.part == "maturity"]
    ev = evaluate(s, entries, {}, {"review_passed": True})
    assert ev.total == 80 and ev.parts["service"]["facets"] == ["R1", "R2"]   # (90 + 70) / 2
    assert ev.parts["maturity"]["total"] == 87 and ev.parts["maturity"]["level"] == 3
    assert ev.grade == "AAA"
    row = next(r for r in ev.items if r["id"] == "A1-1.2")                  # 7 points
    assert [x["earned"] for x in row["inputs"]] == [D("6.3"), D("4.9")] and row["earned"] == D("5.6")


def test_tbsc94_maturity_level_times_one_or_two():
    s = load_scheme("tbsc94")
    assert earned(s, "A3-1.1", {"level": 4})[0] == 4
    assert earned(s, "A3-4.1", {"level": 4})[0] == 8
    assert earned(s, "资源", {"level": 1})[0] == 2


def test_tbsc94_maturity_fallback_takes_the_row_whose_minimum_is_met():
    s = load_scheme("tbsc94")
    entries = [Entry(i.id, "R1", {"likert": 5, "alpha": "0.92"}) for i in s.items if i.part == "service"]
    entries += [Entry(i.id, None, {"level": 3}) for i in s.items if i.part == "maturity"]
    ev = evaluate(s, entries, {}, {"review_passed": True})
    assert ev.total == 92 and ev.grade == "AAA" and any(n["id"] == "fallback" for n in ev.notes)


def test_jx_qci_computed_items():
    s = load_scheme("jx-qci-2023")
    assert earned(s, "3.1", {"count": 0})[0] == 0
    assert earned(s, "3.1", {"count": 1})[0] == 2
    assert earned(s, "3.1", {"count": 3})[0] == 3
    assert earned(s, "三①", {"count": 7})[0] == 4                                  # capped
    assert earned(s, "7.2", {"awards": ["省级", "市级"]})[0] == 3                    # highest
    assert earned(s, "7.2", {"awards": []})[0] == 0
    assert earned(s, "5.1", {"awards": ["provincial"]})[0] == 2
    assert earned(s, "7.5", {"awards": ["市级专精特新“小巨人”企业"]})[0] == 1
    assert earned(s, "5.2", {"counts": {"参与国家标准": 1, "lead_local": 1}})[0] == D("2.5")
    assert earned(s, "5.2", {"counts": {"join_local": 1}})[0] == D("0.5")
    assert earned(s, "7.3", {"counts": {"发明专利": 1, "utility_model": 1}})[0] == D("1.5")
    assert earned(s, "7.3", {"counts": {"invention": 3}})[0] == 2                   # capped
    assert earned(s, "1.1", {"met": True})[0] == D("2.5")
    assert earned(s, "1.1", {"met": False})[0] == 0


def _all_met_003(s):
    out = []
    for i in s.items:
        v = {"check": {"met": True}, "base-plus-increment": {"count": 5},
             "highest-of": {"awards": [i.params.get("options", [{}])[0].get("key")]},
             "cumulative-capped": {"counts": {i.params.get("kinds", [{}])[0].get("key"): 5}}}[i.rule]
        out.append(Entry(i.id, None, v))
    return out


def test_jx_qci_veto_within_two_years_disqualifies_whatever_the_score():
    s = load_scheme("jx-qci-2023")
    entries = _all_met_003(s) + [Entry("11.1", None, {"occurrences": ["2021-06-01"]}),
                                 Entry("11.2", None, {"occurrences": []})]
    ev = evaluate(s, entries, {}, {"application_date": date(2023, 6, 1)})
    assert ev.total == 100 and [v["id"] for v in ev.vetoes] == ["11.1"] and ev.grade is None
    later = evaluate(s, entries, {}, {"application_date": date(2023, 6, 2)})  # one day outside the window
    assert later.vetoes == [] and later.grade is None and any(n["id"] == "no-bands" for n in later.notes)


def test_hzx_mean_over_business_lines_and_brand_percentage():
    s = load_scheme("hzx-mr0118")
    entries = [Entry("1.1", "零售", {"points": 20}), Entry("1.1", "批发", {"points": 15}),
               Entry("1.1", "物流", {"points": 15})]
    ev = evaluate(s, entries, {})
    assert next(r for r in ev.items if r["id"] == "1.1")["earned"] == D("16.66")   # 50/3 truncated
    assert earned(s, "B", {"percent": "72.5"})[0] == 725


def full_hzx_evaluation():
    """hzx-mr0118 with every integrity item at 80 %, the brand at 80 % and every condition met."""
    s = load_scheme("hzx-mr0118")
    entries = [Entry(i.id, None, {"points": i.points * D("0.8")}) for i in s.items if i.part == "integrity"]
    entries.append(Entry("B", None, {"percent": 80}))
    facts = {c.id: ({"met": True} if c.rule == "attest" else {"value": 950} if c.id.endswith("4")
                    else {"value": 6} if c.rule == "threshold" else {"occurrences": []}) for c in s.conditions}
    return evaluate(s, entries, {}, {"facts": facts})


def test_hzx_full_evaluation_adds_integrity_and_brand():
    ev = full_hzx_evaluation()
    assert ev.total == 1200 and ev.grade == "AAAA" and ev.complete
    assert ev.subtotals["4"]["earned"] == 80


def test_a_decision_records_every_number_of_its_evaluation_without_the_wording():
    import json

    ev = full_hzx_evaluation()
    full, record = ev.to_dict(), ev.record()
    assert record["form"] == "record"
    for key in ("scheme_id", "scheme_version", "total", "max_total", "percent", "grade", "grants", "band", "complete",
                "missing_items", "excluded", "unchecked_conditions"):
        assert record[key] == full[key], key
    assert [(i["id"], i["status"], i["earned"]) for i in record["items"]] == \
        [(i["id"], i["status"], i["earned"]) for i in full["items"]]
    assert record["subtotals"]["4"] == {k: full["subtotals"]["4"][k] for k in ("applicable", "earned")}
    assert {p: r["total"] for p, r in record["parts"].items()} == {p: r["total"] for p, r in full["parts"].items()}
    assert [c["status"] for c in record["conditions"]] == [c["status"] for c in full["conditions"]]
    text = json.dumps(record, ensure_ascii=False)
    assert "reason_zh" not in text and "name_zh" not in text
    assert len(text) * 5 < len(json.dumps(full, ensure_ascii=False))
