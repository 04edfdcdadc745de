"""Every grade boundary: exactly on the threshold and just below it (just above for upper-inclusive)."""

from datetime import date
from decimal import Decimal

import pytest

from ledger.rules.scoring import Entry, evaluate, load_scheme

D = Decimal
OK = {"attest": {"met": True}, "lookback": {"occurrences": []}}


def facts(s, **over):
    out = {c.id: OK.get(c.rule, {"value": 10_000}) for c in s.conditions}
    out.update(over)
    return {"facts": out, "application_date": date(2026, 3, 1)}


def zdrz(target):
    """All items at 70 % ... then trim 5.2a so that the total is ``target``."""
    s = load_scheme("zdrz-69")
    base = D(target).to_integral_value(rounding="ROUND_CEILING")
    entries = [Entry(i.id, None, {"percent": base}) for i in s.items if i.id != "5.2a"]
    entries.append(Entry("5.2a", None, {"percent": base - (base - D(target)) * 50}))  # 2 points: 1 % = 0.02
    return evaluate(s, entries, {}, facts(s))


@pytest.mark.parametrize("score, grade", [
    ("69.99", None), ("70", "STD"), ("79.99", "STD"), ("80", "3STAR"), ("89.99", "3STAR"),
    ("90", "4STAR"), ("94.99", "4STAR"), ("95", "5STAR"), ("100", "5STAR")])
def test_zdrz_bands_are_lower_inclusive_and_100_is_five_star(score, grade):
    ev = zdrz(score)
    assert ev.total == D(score) and ev.grade == grade


def zgc(percent, exclude=False):
    s = load_scheme("zgc-ru015")
    p = D(percent)
    base = p.to_integral_value(rounding="ROUND_CEILING")
    entries = [Entry(i.id, None, {"percent": base}) for i in s.items if i.id not in ("A.1", "A.21")]
    # A.1 (25 points): 1 % of the item = 0.25 points = 0.025 % of 1000
    entries.append(Entry("A.1", None, {"percent": base - (base - p) * 40}))
    exclusions = {"A.21": "不适用"} if exclude else {}
    if not exclude:
        entries.append(Entry("A.21", None, {"percent": base}))
    return evaluate(s, entries, exclusions, facts(s))


@pytest.mark.parametrize("percent, grade", [
    ("59.99", None), ("60", "C"), ("69.99", "C"), ("70", "B"), ("79.99", "B"), ("80", "A"),
    ("89.99", "A"), ("90", "AA"), ("94.99", "AA"), ("95", "AAA"), ("100", "AAA")])
def test_zgc_bands_are_lower_inclusive_upper_exclusive(percent, grade):
    ev = zgc(percent)
    assert ev.percent == D(percent) and ev.grade == grade


def test_zgc_grades_on_the_percentage_of_applicable_points_after_exclusion():
    ev = zgc("95", exclude=True)
    assert ev.max_total == 975 and ev.grade == "AAA"
    assert zgc("94.99", exclude=True).grade == "AA"


def maturity_levels(s, target):
    """Levels for the 21 requirements that sum to ``target`` (29..145)."""
    items = sorted((i for i in s.items if i.part == "maturity"), key=lambda i: -i.points)
    level = {i.id: 1 for i in items}
    need = target - 29
    for i in items:
        per = int(i.points / 5)
        while level[i.id] < 5 and need >= per:
            level[i.id] += 1
            need -= per
    assert need == 0
    return [Entry(i, None, {"level": n}) for i, n in level.items()]


def tbsc(service, maturity_total, review=True):
    s = load_scheme("tbsc94")
    service = D(service)
    alpha = service.to_integral_value(rounding="ROUND_CEILING") / 100
    items = [i for i in s.items if i.part == "service"]
    entries = []
    for i in items:
        a = alpha if i.id != "A1-1.1" else alpha - (alpha * 100 - service) / 5     # 5 points
        likert = 1 if a <= D("0.2") else int((a * 5).to_integral_value(rounding="ROUND_CEILING"))
        entries.append(Entry(i.id, "R1", {"likert": likert, "alpha": a}))
    entries += maturity_levels(s, maturity_total)
    return evaluate(s, entries, {}, {"review_passed": review})


@pytest.mark.parametrize("total, level", [(29, 1), (44, 1), (45, 2), (69, 2), (70, 3), (94, 3),
                                          (95, 4), (104, 4), (105, 5), (145, 5)])
def test_tbsc_maturity_levels_lower_inclusive_and_145_is_level_five(total, level):
    ev = tbsc("85", total)
    assert ev.parts["maturity"]["total"] == total and ev.parts["maturity"]["level"] == level


@pytest.mark.parametrize("service, maturity, grade, band_row", [
    ("59.99", 145, None, None), ("60", 45, None, "第1行"), ("79.99", 145, None, "第1行"),
    ("60", 44, None, None),
    ("80", 70, "AAA", "AAA"), ("80", 69, None, "第1行"), ("89.99", 145, "AAA", "AAA"),
    ("90", 95, "AAAA", "AAAA"), ("90", 94, "AAA", "AAA"), ("94.99", 95, "AAAA", "AAAA"),
    ("95", 95, "AAAAA", "AAAAA"), ("95", 94, "AAA", "AAA"), ("100", 145, "AAAAA", "AAAAA")])
def test_tbsc_table_5_3_rows(service, maturity, grade, band_row):
    ev = tbsc(service, maturity)
    assert ev.total == D(service) and ev.grade == grade
    assert (ev.band is None) == (band_row is None) and (band_row is None or band_row in ev.band)


def test_tbsc_no_grade_without_passing_the_conformity_review():
    assert tbsc("99", 145, review=False).grade is None
    assert [v["id"] for v in tbsc("99", 145, review=False).vetoes] == ["5.3-review"]


def hzx(total):
    s = load_scheme("hzx-mr0118")
    brand = min(D(total), D(1000))
    rest = D(total) - brand                       # what the integrity items must carry
    entries = [Entry("B", None, {"percent": brand / 10})]
    for i in (i for i in s.items if i.part == "integrity"):
        x = min(rest, i.points)
        rest -= x
        entries.append(Entry(i.id, None, {"points": x}))
    return evaluate(s, entries, {}, facts(s))


@pytest.mark.parametrize("total, grade", [
    ("0", None), ("0.01", "C"), ("300", "C"), ("300.01", "B"), ("600", "B"), ("600.01", "AAA"),
    ("900", "AAA"), ("900.01", "AAAA"), ("1200", "AAAA"), ("1200.01", "AAAAA"), ("1000", "AAAA")])
def test_hzx_bands_are_upper_inclusive(total, grade):
    ev = hzx(total)
    assert ev.total == D(total) and ev.grade == grade


def test_hzx_1500_is_five_star():
    s = load_scheme("hzx-mr0118")
    entries = [Entry(i.id, None, {"points": i.points} if i.part == "integrity" else {"percent": 100})
               for i in s.items]
    ev = evaluate(s, entries, {}, facts(s))
    assert ev.total == 1500 and ev.grade == "AAAAA" and ev.percent == 100


@pytest.mark.parametrize("value, grade", [(900, "AAAAA"), (D("899.99"), None)])
def test_hzx_prerequisite_internal_score_of_900_inclusive(value, grade):
    s = load_scheme("hzx-mr0118")
    entries = [Entry(i.id, None, {"points": i.points} if i.part == "integrity" else {"percent": 100})
               for i in s.items]
    ev = evaluate(s, entries, {}, facts(s, **{"5.1.1-4": {"value": value}}))
    assert ev.grade == grade


def test_look_back_windows_are_inclusive_at_both_ends():
    s = load_scheme("zdrz-69")
    entries = [Entry(i.id, None, {"percent": 100}) for i in s.items]
    ctx = facts(s, **{"4b": {"occurrences": ["2023-03-01"]}})                 # exactly three years
    assert [v["id"] for v in evaluate(s, entries, {}, ctx).vetoes] == ["4b"]
    ctx = facts(s, **{"4b": {"occurrences": ["2023-02-28"]}})
    assert evaluate(s, entries, {}, ctx).grade == "5STAR"


def test_a_grade_is_withheld_until_every_item_and_condition_is_recorded():
    s = load_scheme("zdrz-69")
    entries = [Entry(i.id, None, {"percent": 100}) for i in s.items]
    ev = evaluate(s, entries[:-1], {}, facts(s))
    assert ev.grade is None and ev.missing_items == ["5.2g"] and not ev.complete
    ev = evaluate(s, entries, {})
    assert ev.grade is None and ev.unchecked_conditions == ["4a", "4b", "4c"]
