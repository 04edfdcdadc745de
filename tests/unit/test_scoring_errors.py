"""Bad input raises ScoringError naming the item and the rule, in Chinese and English."""

from datetime import date

import pytest

from ledger.rules.scoring import Entry, ScoringError, evaluate, load_scheme


def raises(code, item, fn, *args):
    with pytest.raises(ScoringError) as e:
        fn(*args)
    err = e.value
    assert err.code == code and err.rule.startswith(code)
    assert err.item == item
    assert err.message_zh and err.message_en and str(err) == err.message_zh
    if item:
        assert item in err.message_zh and item in err.message_en
    return err


@pytest.mark.parametrize("scheme_id, ref, value, code, item", [
    ("zdrz-69", "5.1.1a", {"percent": 101}, "out-of-range", "5.1.1a"),
    ("zdrz-69", "5.1.1a", {"percent": -1}, "out-of-range", "5.1.1a"),
    ("zdrz-69", "5.1.1a", {"percent": "abc"}, "wrong-shape", "5.1.1a"),
    ("zdrz-69", "5.1.1a", {"percent": True}, "wrong-shape", "5.1.1a"),
    ("zdrz-69", "5.1.1a", {"points": 3}, "wrong-shape", "5.1.1a"),
    ("zdrz-69", "5.1.1a", [85], "wrong-shape", "5.1.1a"),
    ("zgc-ru015", "A.5", {"samples": 3, "nonconforming": 4}, "out-of-range", "A.5"),
    ("zgc-ru015", "A.5", {"samples": 0, "nonconforming": 0}, "out-of-range", "A.5"),
    ("zgc-ru015", "A.5", {"conforms": "yes"}, "wrong-shape", "A.5"),
    ("zgc-ru015", "A.5", {"percent": 50, "conforms": True}, "wrong-shape", "A.5"),
    ("tbsc94", "A3-4.1", {"level": 6}, "level-out-of-range", "A3-4.1"),
    ("tbsc94", "A3-4.1", {"level": 0}, "level-out-of-range", "A3-4.1"),
    ("tbsc94", "A3-4.1", {"level": 2.5}, "level-out-of-range", "A3-4.1"),
    ("jx-qci-2023", "7.2", {"awards": ["世界级"]}, "unknown-kind", "7.2"),
    ("jx-qci-2023", "3.1", {"count": -1}, "out-of-range", "3.1"),
    ("jx-qci-2023", "7.3", {"counts": {"invention": 1.5}}, "out-of-range", "7.3"),
    ("jx-qci-2023", "11.1", {"occurrences": ["not a date"]}, "wrong-shape", "11.1"),
    ("hzx-mr0118", "1.1", {"points": 21}, "out-of-range", "1.1"),
    ("hzx-mr0118", "5.1.1-4", {"met": True}, "wrong-shape", "5.1.1-4"),
])
def test_a_bad_value_names_the_item_and_the_rule(scheme_id, ref, value, code, item):
    s = load_scheme(scheme_id)
    raises(code, item, s.validate_entry, ref, None, value)


@pytest.mark.parametrize("likert, alpha", [(3, "0.4"), (3, "0.61"), (1, "0.21"), (5, "0.8"), (5, "1.01"), (2, "-0")])
def test_tbsc_alpha_outside_its_answer_band(likert, alpha):
    s = load_scheme("tbsc94")
    err = raises("alpha-outside-band", "A1-1.1", s.validate_entry, "A1-1.1", "R1", {"likert": likert, "alpha": alpha})
    assert "5.1.1" in err.rule


def test_tbsc_likert_outside_one_to_five_and_a_missing_respondent():
    s = load_scheme("tbsc94")
    raises("out-of-range", "A1-1.1", s.validate_entry, "A1-1.1", "R1", {"likert": 6, "alpha": "0.9"})
    raises("facet-required", "A1-1.1", s.validate_entry, "A1-1.1", None, {"likert": 5, "alpha": "0.9"})
    raises("facet-not-allowed", "A3-1.1", s.validate_entry, "A3-1.1", "R1", {"level": 3})


def test_the_rule_names_the_document_clause():
    err = raises("out-of-range", "A.5", load_scheme("zgc-ru015").validate_entry, "A.5", None, {"percent": 120})
    assert err.rule == "out-of-range: 001 附录A 评分 a) 表1, c)"


def test_unknown_item_lists_close_matches():
    s = load_scheme("zdrz-69")
    err = raises("unknown-item", None, s.resolve_item, "质量诚信管理方")
    assert "5.1.1a" in err.message_zh and "5.1.1a" in err.message_en
    raises("unknown-item", None, s.validate_entry, "9.9", None, {"percent": 1})


def test_an_ambiguous_name_asks_for_the_id():
    err = raises("ambiguous-item", None, load_scheme("hzx-mr0118").resolve_item, "总体要求")
    assert "6.1" in err.message_zh and "8.1" in err.message_zh


def test_excluding_an_item_that_may_not_be_excluded_or_without_reason():
    raises("not-excludable", "5.2a", load_scheme("zdrz-69").validate_exclusion, "5.2a", "不适用")
    raises("not-excludable", "1.1", load_scheme("hzx-mr0118").validate_exclusion, "1.1", "不适用")
    s = load_scheme("zgc-ru015")
    raises("reason-required", "A.15", s.validate_exclusion, "A.15", "  ")
    assert s.validate_exclusion("出口产品质量不良记录", "无出口") == "A.15"


def test_a_mandatory_item_scores_zero_or_max(tmp_path):
    from ledger.rules.scoring import SCHEME_DIR
    text = (SCHEME_DIR / "hzx-mr0118@A2.toml").read_text(encoding="utf-8")
    text = text.replace('version = "A/2"', 'version = "A/3"').replace(
        'id = "1.1"\ngroup = "1"\n', 'id = "1.1"\ngroup = "1"\nmandatory = true\n', 1)
    (tmp_path / "hzx.toml").write_text(text, encoding="utf-8")
    s = load_scheme("hzx-mr0118", directory=tmp_path)
    raises("mandatory-all-or-nothing", "1.1", s.validate_entry, "1.1", None, {"points": 10})
    assert s.validate_entry("1.1", None, {"points": 20}).value == {"points": 20}
    assert s.validate_entry("1.1", None, {"points": 0}).value == {"points": 0}


def test_evaluate_refuses_duplicates_and_scoring_an_excluded_item():
    s = load_scheme("zgc-ru015")
    e = Entry("A.1", None, {"percent": 50})
    raises("duplicate-entry", "A.1", evaluate, s, [e, Entry("质量信用管理方针", None, {"conforms": True})], {})
    raises("excluded-item-scored", "A.1", evaluate, s, [e], {"A.1": "不适用"})
    t = load_scheme("tbsc94")
    ok = [Entry("A1-1.1", "R1", {"likert": 5, "alpha": 1}), Entry("A1-1.1", "R2", {"likert": 5, "alpha": 1})]
    evaluate(t, ok, {})                                                  # two respondents are fine
    raises("duplicate-entry", "A1-1.1", evaluate, t, ok + [Entry("A1-1.1", "R2", {"likert": 4, "alpha": "0.7"})], {})
    raises("duplicate-entry", "5.3-review", evaluate, t, [Entry("5.3-review", None, {"met": True})], {},
           {"review_passed": True})


def test_evaluate_refuses_mixed_facets_and_a_look_back_without_application_date():
    h = load_scheme("hzx-mr0118")
    raises("mixed-facets", "1.1", evaluate, h,
           [Entry("1.1", None, {"points": 5}), Entry("1.1", "零售", {"points": 5})], {})
    j = load_scheme("jx-qci-2023")
    raises("application-date-required", "11.1", evaluate, j, [Entry("11.1", None, {"occurrences": ["2022-01-01"]})], {})
    ev = evaluate(j, [Entry("11.1", None, {"occurrences": ["2022-01-01"]})], {}, {"application_date": "2023-06-01"})
    assert ev.vetoes[0]["id"] == "11.1" and ev.vetoes[0]["status"] == "vetoed"
    assert evaluate(j, [], {}, {"application_date": date(2023, 6, 1)}).missing_items[:2] == ["1.1", "1.2"]
