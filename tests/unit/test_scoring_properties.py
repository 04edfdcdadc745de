"""Properties: a total never exceeds the maximum; raising one item's score never lowers the grade."""

from decimal import Decimal

from hypothesis import given, settings, strategies as st

from ledger.rules.scoring import Entry, evaluate, list_schemes, load_scheme

D = Decimal
SCHEMES = {s.id: s for s in list_schemes()}
OK = {"attest": {"met": True}, "lookback": {"occurrences": []}, "threshold": {"value": 10_000}}


def value_at(item, t: Decimal) -> dict:
    """A valid value for ``item``, non-decreasing in its points as t goes 0 -> 1."""
    rule = item.rule
    if rule in ("banded-percent", "percent-or-deduction"):
        return {"percent": t * 100}
    if rule == "likert-alpha":
        return {"likert": max(1, int((t * 5).to_integral_value(rounding="ROUND_CEILING"))), "alpha": t}
    if rule == "maturity-level":
        return {"level": 1 + int(t * 4)}
    if rule == "check":
        return {"met": t >= D("0.5")}
    if rule == "base-plus-increment":
        return {"count": int(t * 6)}
    if rule == "highest-of":
        opts = sorted(item.params["options"], key=lambda o: o["points"])
        k = int(t * len(opts))
        return {"awards": [] if k == 0 else [opts[k - 1]["key"]]}
    if rule == "cumulative-capped":
        return {"counts": {item.params["kinds"][-1]["key"]: int(t * 8)}}
    if rule == "points-range":
        return {"points": (item.points * t).quantize(D("0.01"), rounding="ROUND_DOWN")}
    raise AssertionError(rule)


def run(scheme, levels: list[Decimal]):
    entries = []
    for item, t in zip(scheme.items, levels):
        facet = "R1" if scheme.part(item.part).facet == "required" else None
        entries.append(Entry(item.id, facet, value_at(item, t)))
    ctx = {"facts": {c.id: OK[c.rule] for c in scheme.conditions}}
    return evaluate(scheme, entries, {}, ctx)


def rank(scheme, grade):
    codes = [b.code for b in scheme.grading.bands if b.code]
    return -1 if grade is None else codes.index(grade)


fractions = st.integers(min_value=0, max_value=100).map(lambda n: D(n) / 100)


@st.composite
def scheme_and_levels(draw):
    s = SCHEMES[draw(st.sampled_from(sorted(SCHEMES)))]
    return s, draw(st.lists(fractions, min_size=len(s.items), max_size=len(s.items)))


@settings(max_examples=150, deadline=None)
@given(scheme_and_levels())
def test_a_total_never_exceeds_the_maximum(case):
    s, levels = case
    ev = run(s, levels)
    assert D(0) <= ev.total <= ev.max_total == s.max_total
    assert ev.percent is None or ev.percent <= 100
    for p in ev.parts.values():
        assert p["total"] <= p["points"]


@settings(max_examples=150, deadline=None)
@given(scheme_and_levels(), st.data())
def test_raising_one_items_score_never_lowers_the_grade(case, data):
    s, levels = case
    k = data.draw(st.integers(min_value=0, max_value=len(levels) - 1))
    higher = data.draw(fractions.filter(lambda t: t >= levels[k]))
    before = run(s, levels)
    after = run(s, levels[:k] + [higher] + levels[k + 1:])
    assert after.total >= before.total
    assert rank(s, after.grade) >= rank(s, before.grade)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), min_size=1, max_size=4))
def test_a_business_line_mean_never_exceeds_the_item_maximum(scores):
    s = load_scheme("hzx-mr0118")
    entries = [Entry("1.1", f"L{n}", {"points": a}) for n, (a, _) in enumerate(scores)]
    ev = evaluate(s, entries, {})
    assert next(r for r in ev.items if r["id"] == "1.1")["earned"] <= 20
