"""Kept results of the scoring engine (docs/decisions.md D61): an entry's check kept per scheme and
an audit's evaluation kept for identical inputs give exactly what a computation from scratch gives
(the same numbers, the same explanation, the same refusal), over generated workloads that mix
valid and wrong values, numbers of every type, facets, duplicates, exclusions and contexts."""

import dataclasses
from datetime import date
from decimal import Decimal

from hypothesis import given, settings, strategies as st

from ledger.rules.scoring import Entry, ScoringError, evaluate, evaluate_kept, list_schemes
from ledger.rules.scoring.rules import ENTRY_MEMO_SIZE, entry_key, validate_entry
from tests.unit.test_scoring_properties import OK, fractions, value_at

D = Decimal
SCHEMES = {s.id: s for s in list_schemes()}

NUMBERS = [0, 1, 3, 5, 50, 100, 101, -1, D("1"), D("1.0"), D("1.00"), D("50.5"), D("33.333"), D("0.2"), D("0.85"),
           1.0, 0.5, 50.0, True, False, "3", " 50 ", "x", None]


def values_for(item) -> st.SearchStrategy:
    """Values for an item or condition: mostly shaped as its rule takes them (right or wrong
    numbers of any type), sometimes any other shape."""
    n = st.sampled_from(NUMBERS)
    rule = item.rule
    if rule in ("banded-percent", "percent-or-deduction"):
        shaped = st.one_of(st.fixed_dictionaries({"percent": n}), st.fixed_dictionaries({"conforms": st.sampled_from([True, False, 1])}),
                           st.fixed_dictionaries({"samples": n, "nonconforming": n}))
    elif rule == "likert-alpha":
        shaped = st.fixed_dictionaries({"likert": st.sampled_from([1, 2, 3, 4, 5, 3.0, "2", 6]),
                                        "alpha": st.sampled_from([D("0.1"), D("0.3"), D("0.5"), D("0.50"), D("0.7"), D("0.9"), 1, 0.95])})
    elif rule == "maturity-level":
        shaped = st.fixed_dictionaries({"level": st.sampled_from([1, 2, 3, 4, 5, 2.0, D("3.0"), D("2.5"), "4", 0])})
    elif rule in ("check", "attest"):
        shaped = st.fixed_dictionaries({"met": st.sampled_from([True, False, 1, "yes"])})
    elif rule == "base-plus-increment":
        shaped = st.fixed_dictionaries({"count": n})
    elif rule == "highest-of":
        keys = [o["key"] for o in item.params["options"]] + [o["name_zh"] for o in item.params["options"]] + ["nope"]
        shaped = st.fixed_dictionaries({"awards": st.one_of(st.lists(st.sampled_from(keys), max_size=3),
                                                             st.lists(st.sampled_from(keys), max_size=2).map(tuple))})
    elif rule == "cumulative-capped":
        kinds = [k["key"] for k in item.params["kinds"]] + ["nope"]
        shaped = st.fixed_dictionaries({"counts": st.dictionaries(st.sampled_from(kinds), n, max_size=3)})
    elif rule == "points-range":
        shaped = st.fixed_dictionaries({"points": st.one_of(n, st.sampled_from([item.points, D(item.points) / 2]))})
    elif rule == "threshold":
        shaped = st.fixed_dictionaries({"value": st.sampled_from([0, 500, 900, D("900.0"), 899.5, 10_000, "900"])})
    elif rule == "lookback":
        shaped = st.fixed_dictionaries({"occurrences": st.lists(st.sampled_from(["2019-05-01", "2022-02-28", "2023-12-31",
                                                                                  date(2021, 6, 1), "bad"]), max_size=3)})
    else:
        raise AssertionError(rule)
    other = st.one_of(st.fixed_dictionaries({"percent": n}), st.just({}), st.just({"met": True, "extra": 1}))
    return st.one_of(shaped, shaped, shaped, other)


def valid_value(item, t: Decimal, form: int) -> dict:
    """A value the item's rule takes (``value_at`` of the scoring properties), its numbers written
    in one of several forms: as they are, with a trailing zero, as text, as a float."""
    value = value_at(item, t) if item.kind == "item" else dict(OK[item.rule])
    def written(x):
        if type(x) is not Decimal or form == 0:
            return x
        if form == 1:
            return x.quantize(D("0.001")) if x == x.quantize(D("0.01")) else x
        if form == 2:
            return str(x)
        return float(x) if D(float(x)) == x else x
    return {k: written(v) for k, v in value.items()}


@st.composite
def workloads(draw):
    """A scheme and an audit's inputs. Mostly a whole audit scored with values its rules take
    (written in several forms), in any order, some items excluded; else entries for most items and
    conditions, right or wrong (some twice, some with a wrong facet). A context."""
    s = SCHEMES[draw(st.sampled_from(sorted(SCHEMES)))]
    entries = []
    if draw(st.integers(0, 3)):
        excludable = [i.id for i in s.items if i.excludable]
        excluded = set(draw(st.lists(st.sampled_from(excludable), max_size=2, unique=True))) if excludable else set()
        lines = draw(st.sampled_from([["R1"], ["R1", "R2"]]))
        levels = draw(st.sampled_from([fractions, st.sampled_from([D("0.8"), D("0.9"), D("0.95"), D(1)])]))  # any, or a good audit
        for target in s.items + s.conditions:
            if target.id in excluded:
                continue
            part = s.part(target.part) if target.kind == "item" else None
            for facet in (lines if part is not None and part.facet != "none" else [None]):
                entries.append(Entry(target.id, facet, valid_value(target, draw(levels), draw(st.integers(0, 3)))))
        context = draw(st.sampled_from([{}, {"application_date": date(2024, 3, 1)}, {"application_date": date(2020, 1, 15)}]))
        return s, list(draw(st.permutations(entries))), {i: "不适用" for i in sorted(excluded)}, context
    for target in s.items + s.conditions:
        if draw(st.integers(0, 9)) == 0:
            continue  # left unscored
        part = s.part(target.part) if target.kind == "item" else None
        if part is not None and part.facet != "none":
            facets = draw(st.lists(st.sampled_from(["R1", "R2", " R1 ", ""]), min_size=1, max_size=2, unique=True))
        else:
            facets = [draw(st.sampled_from([None, None, None, None, None, "", "R1"]))]
        for facet in facets:
            entries.append(Entry(draw(st.sampled_from([target.id, target.id, getattr(target, "label", None) or target.id])),
                                 facet, draw(values_for(target))))
    if entries and draw(st.booleans()):
        entries.append(draw(st.sampled_from(entries)))  # a duplicate
    entries = draw(st.permutations(entries))
    excludable = [i.id for i in s.items if i.excludable]
    exclusions = {i: "不适用" for i in draw(st.lists(st.sampled_from(excludable), max_size=2, unique=True))} if excludable else {}
    context = draw(st.sampled_from([{}, {"application_date": date(2024, 3, 1)}, {"application_date": "2024-03-01"},
                                    {"application_date": date(2020, 1, 15)}]))
    return s, list(entries), exclusions, context


def outcome(fn, scheme, entries, exclusions, context):
    """What an evaluation gives the commands: the figures, statuses and what a decision records of
    it (with the whole content, numbers and explanation as JSON, from ``evaluate``), or the refusal."""
    try:
        ev = fn(scheme, entries, exclusions, context)
    except ScoringError as e:
        return ("refused", e.to_dict())
    figures = (ev.scheme_id, ev.scheme_version, ev.total, str(ev.total), ev.max_total, str(ev.max_total), ev.percent, str(ev.percent),
               ev.grade, ev.grants, list(ev.missing_items), list(ev.unchecked_conditions), ev.record())
    return ("evaluated", figures) + ((ev.to_dict(),) if fn is evaluate else ())


def from_scratch(scheme):
    """The same scheme as a new object: nothing kept (its memo is empty)."""
    return dataclasses.replace(scheme, memo={})


def respelled(x):
    """The same numbers in other forms: 50 as Decimal("50"), Decimal("50") as Decimal("50.0"), 0.5
    as Decimal("0.5"); text and booleans as they are."""
    if type(x) is dict:
        return {k: respelled(v) for k, v in x.items()}
    if type(x) in (list, tuple):
        return type(x)(respelled(v) for v in x)
    if type(x) is int:
        return D(x)
    if type(x) is float:
        return D(repr(x))
    if type(x) is Decimal:
        return x + D("0.0")
    return x


@settings(max_examples=120, deadline=None)
@given(st.lists(workloads(), min_size=1, max_size=4), st.data())
def test_kept_evaluations_are_the_evaluations_computed_from_scratch(cases, data):
    shared = {s.id: from_scratch(s) for s in SCHEMES.values()}  # one scheme object per id, as a ledger keeps them
    for _ in range(2):  # the second round finds every evaluation kept
        for s, entries, exclusions, context in cases:
            expected = outcome(evaluate, from_scratch(s), entries, exclusions, context)
            assert outcome(evaluate_kept, shared[s.id], entries, exclusions, context) == expected[:2]
            assert outcome(evaluate, shared[s.id], entries, exclusions, context) == expected
    # the same numbers written otherwise: never the kept result of the other form
    for s, entries, exclusions, context in cases:
        again = [Entry(e.item, e.facet, respelled(e.value)) for e in entries]
        expected = outcome(evaluate, from_scratch(s), again, exclusions, context)
        assert outcome(evaluate_kept, shared[s.id], again, exclusions, context) == expected[:2]
        assert outcome(evaluate, shared[s.id], again, exclusions, context) == expected
    # the same inputs but one value of another type or digits (1 against 1.0, True, Decimal("1.00")...)
    s, entries, exclusions, context = data.draw(st.sampled_from(cases))
    if entries:
        k = data.draw(st.integers(0, len(entries) - 1))
        value = {key: data.draw(st.sampled_from(NUMBERS)) for key in entries[k].value} if isinstance(entries[k].value, dict) else {}
        changed = entries[:k] + [Entry(entries[k].item, entries[k].facet, value)] + entries[k + 1:]
        expected = outcome(evaluate, from_scratch(s), changed, exclusions, context)
        assert outcome(evaluate_kept, shared[s.id], changed, exclusions, context) == expected[:2]
        assert outcome(evaluate, shared[s.id], changed, exclusions, context) == expected


def test_numbers_of_equal_value_and_other_type_are_kept_apart():
    keys = {entry_key("1", None, {"percent": x}) for x in (1, 1.0, True, D("1"), D("1.0"), "1")}
    assert len(keys) == 6
    assert entry_key("1", None, {"awards": ["a"]}) != entry_key("1", None, {"awards": ("a",)})
    assert entry_key("1", None, {"percent": object()}) is None  # a value that cannot be named is never kept
    s = from_scratch(SCHEMES["zgc-ru015"])
    item = s.items[0].id
    assert validate_entry(s, item, None, {"percent": D("50.0")}).value == {"percent": D("50.0")}
    assert str(validate_entry(s, item, None, {"percent": D("50.0")}).value["percent"]) == "50.0"
    assert str(validate_entry(s, item, None, {"percent": 50}).value["percent"]) == "50"


def test_a_checked_entry_is_handed_out_as_a_copy():
    s = from_scratch(SCHEMES["jx-qci-2023"])
    item = next(i for i in s.items if i.rule == "cumulative-capped")
    kind = item.params["kinds"][0]["key"]
    first = validate_entry(s, item.id, None, {"counts": {kind: 2}})
    first.value["counts"][kind] = 99  # a caller changing what it was given
    assert validate_entry(s, item.id, None, {"counts": {kind: 2}}).value == {"counts": {kind: 2}}
    raw = {"counts": {kind: 3}}
    validate_entry(s, item.id, None, raw)
    raw["counts"][kind] = 4  # nor is the caller's value kept
    assert validate_entry(s, item.id, None, {"counts": {kind: 3}}).value == {"counts": {kind: 3}}


def test_a_refused_entry_is_refused_every_time_and_the_memo_is_bounded():
    s = from_scratch(SCHEMES["zgc-ru015"])
    item = s.items[0].id
    for _ in range(2):
        try:
            validate_entry(s, item, None, {"percent": 101})
        except ScoringError as e:
            assert e.code == "out-of-range"
        else:
            raise AssertionError("a percentage above 100 was accepted")
    for n in range(ENTRY_MEMO_SIZE + 10):
        validate_entry(s, item, None, {"percent": D(n % 10_000) / 100})
    assert 0 < len(s.memo["entries"]) <= ENTRY_MEMO_SIZE


def test_a_kept_evaluation_changes_with_any_input():
    s = from_scratch(SCHEMES["zgc-ru015"])
    entries = [Entry(i.id, None, {"percent": 80}) for i in s.items] + [Entry(c.id, None, {"met": True}) for c in s.conditions]
    first = evaluate_kept(s, entries, {}, {})
    assert evaluate_kept(s, entries, {}, {}) is first  # kept
    assert first.record() == evaluate(s, entries, {}, {}).record() and first.record() is not first.record()  # a new dict each time
    lower = evaluate_kept(s, entries[:1] + [Entry(entries[1].item, None, {"percent": 10})] + entries[2:], {}, {})
    assert lower.total < first.total
    excluded = next(i.id for i in s.items if i.excludable)
    fewer = evaluate_kept(s, [e for e in entries if e.item != excluded], {excluded: "不适用"}, {})
    assert fewer.max_total < first.max_total and fewer.record()["excluded"] == {excluded: "不适用"}
    assert evaluate_kept(s, entries, {}, {}) is first
    assert evaluate_kept(from_scratch(s), entries, {}, {}) is not first  # another scheme object: not the same key
    assert evaluate_kept(s, entries, {}, {"application_date": date(2024, 3, 1)}) is not first  # nor another context
