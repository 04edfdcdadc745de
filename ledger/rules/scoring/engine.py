"""evaluate(): entries + exclusions + context -> Evaluation. Pure; Decimal only."""

from __future__ import annotations

import json
from collections import OrderedDict, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from .errors import ScoringError
from .model import Band, Condition, Item, Scheme
from .rules import (RULES, bad, fresh, judge_condition, parse_date, plain_entries, quantize, validate_entry, validate_exclusion,
                    validated, value_key)
from .values import Entry, fmt, jsonable

HUNDRED = Decimal(100)
ZERO = Decimal(0)


@dataclass
class Evaluation:
    scheme_id: str
    scheme_version: str
    total: Decimal
    max_total: Decimal
    percent: Decimal | None
    grade: str | None
    grants: bool  # the grade is a pass: certification may be granted on it
    grade_name_zh: str | None
    grade_name_en: str | None
    band: str | None
    complete: bool
    missing_items: list[str]
    excluded: dict[str, str]
    items: list[dict]
    subtotals: dict[str, dict]
    parts: dict[str, dict]
    conditions: list[dict]
    vetoes: list[dict]
    unchecked_conditions: list[str]
    notes: list[dict]

    def to_dict(self) -> dict:
        return jsonable({k: getattr(self, k) for k in self.__dataclass_fields__})

    def record(self) -> dict:
        """What a certification decision records of its evaluation: every number and status it rests
        on, without the wording (item names, paths and the reasons in two languages), which the
        scheme version recorded beside it reproduces (``certledger explain``). About an eighth of
        ``to_dict``'s size: a decision was half of a ledger's bytes (docs/decisions.md D10)."""
        part_keys = ("total", "max", "in_total", "complete", "level", "facets")
        return jsonable({
            "form": "record",
            "scheme_id": self.scheme_id, "scheme_version": self.scheme_version, "total": self.total,
            "max_total": self.max_total, "percent": self.percent, "grade": self.grade, "grants": self.grants,
            "band": self.band, "complete": self.complete, "missing_items": self.missing_items, "excluded": self.excluded,
            "items": [{"id": i["id"], "status": i["status"], "earned": i["earned"]} for i in self.items],
            "subtotals": {g: {"applicable": r["applicable"], "earned": r["earned"]} for g, r in self.subtotals.items()},
            "parts": {p: {k: r[k] for k in part_keys if k in r} for p, r in self.parts.items()},
            "conditions": [{"id": c["id"], "status": c["status"]} for c in self.conditions],
            "vetoes": [v["id"] for v in self.vetoes], "unchecked_conditions": self.unchecked_conditions,
            "notes": [n["id"] for n in self.notes],
        })


def evaluate(scheme: Scheme, entries: list[Entry], exclusions: dict[str, str] | None = None,
             context: dict | None = None) -> Evaluation:
    """The evaluation of an audit's entries, exclusions and context under a scheme version: a new
    ``Evaluation`` at every call."""
    return _evaluate(scheme, (validated(scheme, raw.item, raw.facet, raw.value) for raw in entries), exclusions, context)


KEPT_EVALUATIONS = 1024  # ``evaluate_kept``'s results kept (about 9 KB each with its key), the least recently used dropped
_kept: OrderedDict[tuple[int, str], tuple[Scheme, "KeptEvaluation"]] = OrderedDict()


class KeptEvaluation:
    """What the commands read of an evaluation (a completion's check, a decision's figures and
    record), kept compactly: the record as JSON text, given out as a new dict at every call. A plain
    class (no dataclass to generate at every start of a command)."""

    __slots__ = ("scheme_id", "scheme_version", "total", "max_total", "percent", "grade", "grants", "missing_items",
                 "unchecked_conditions", "recorded")

    def __init__(self, ev: Evaluation) -> None:
        self.scheme_id, self.scheme_version = ev.scheme_id, ev.scheme_version
        self.total, self.max_total, self.percent = ev.total, ev.max_total, ev.percent
        self.grade, self.grants = ev.grade, ev.grants
        self.missing_items: tuple[str, ...] = tuple(ev.missing_items)
        self.unchecked_conditions: tuple[str, ...] = tuple(ev.unchecked_conditions)
        self.recorded = json.dumps(ev.record(), ensure_ascii=False)

    def record(self) -> dict:
        """``Evaluation.record()`` of the evaluation kept (JSON values only: it goes back as it was)."""
        return json.loads(self.recorded)


def evaluate_kept(scheme: Scheme, entries: list[Entry], exclusions: dict[str, str] | None = None,
                  context: dict | None = None) -> KeptEvaluation:
    """``evaluate``'s figures, statuses and record, kept for identical inputs (docs/decisions.md
    D61): a decision scores the same entries its audit's completion scored. The key names every
    input exactly (the scheme object, each entry's item, facet and value in their order, the
    exclusions, the context), and the rule is pure and the scheme immutable, so what is kept is what
    ``evaluate`` would compute; a refusal is never kept (it is raised each time). For the commands;
    ``explain`` and every caller that needs the wording use ``evaluate``."""
    if not (plain_entries(entries) and value_key(exclusions) is not None and value_key(context) is not None):
        return KeptEvaluation(evaluate(scheme, entries, exclusions, context))
    key = (id(scheme), repr(([(raw.item, raw.facet, raw.value) for raw in entries], exclusions, context)))  # exact: see value_key
    found = _kept.get(key)
    if found is not None and found[0] is scheme:  # the scheme object itself (held here, so its id is not reused)
        _kept.move_to_end(key)
        return found[1]
    kept = KeptEvaluation(_evaluate(scheme, (validated(scheme, raw.item, raw.facet, raw.value, (raw.item, raw.facet, repr(raw.value)))
                                                for raw in entries), exclusions, context))
    _kept[key] = (scheme, kept)
    _kept.move_to_end(key)
    while len(_kept) > KEPT_EVALUATIONS:
        _kept.popitem(last=False)
    return kept


def _evaluate(scheme: Scheme, checked: Iterator[list], exclusions: dict[str, str] | None, context: dict | None) -> Evaluation:
    """``checked``: each entry's ``rules.validated`` record, in the entries' order, each checked as the
    loop reaches it (so the first wrong entry is the one refused, as before any other's check)."""
    context = context or {}
    app_date = context.get("application_date")
    app_date = parse_date(app_date) if app_date else None
    excluded = {validate_exclusion(scheme, ref, reason): reason.strip() for ref, reason in (exclusions or {}).items()}

    by_item: dict[str, list[Entry]] = defaultdict(list)
    cond_values: dict[str, dict] = {}
    seen: set[tuple[str, str | None]] = set()
    records: dict[int, list] = {}  # id of an entry below -> its record (the points it earns, once per record)
    for record in checked:
        item_id, facet, value, target, _earned = record
        if (item_id, facet) in seen:
            raise _duplicate(scheme, target, facet)
        seen.add((item_id, facet))
        if item_id in excluded:
            raise bad(scheme, target, "excluded-item-scored", "该项已删减，不能同时评分", "the item is excluded and scored")
        e = Entry(item_id, facet, fresh(value))
        if isinstance(target, Condition):
            cond_values[item_id] = e.value
        else:
            by_item[item_id].append(e)
            records[id(e)] = record

    def earn(item: Item, e: Entry) -> tuple[Decimal, str, str]:
        """The rule's points and reasons for an entry's value (``Rule.earn``), computed once per record."""
        record = records.get(id(e))
        if record is None:
            return RULES[item.rule].earn(scheme, item, e.value)
        if record[4] is None:
            record[4] = RULES[item.rule].earn(scheme, item, record[2])
        return record[4]
    facts = dict(context.get("facts") or {})
    for c in scheme.conditions:
        if c.context_key and context.get(c.context_key) is not None:
            facts[c.id] = {"met": context[c.context_key]}
    for ref, value in facts.items():
        e = validate_entry(scheme, ref, None, value)
        if e.item in cond_values:
            raise _duplicate(scheme, scheme.resolve_item(e.item), None)
        cond_values[e.item] = e.value

    notes: list[dict] = [n.to_dict() for n in scheme.notes if n.in_evaluation]
    missing: list[str] = []
    items_out: list[dict] = []
    parts_out: dict[str, dict] = {}
    subtotals: dict[str, dict] = {}
    for part in scheme.parts:
        p_items = _part_items(scheme, part.id)
        if part.aggregate == "mean-of-facet-totals":
            res = _mean_of_facet_totals(scheme, part, p_items, by_item, excluded, earn)
        else:
            res = _sum_of_item_means(scheme, part, p_items, by_item, excluded, earn)
        missing += res["missing"]
        items_out += res["items"]
        subtotals.update(res["groups"])
        info = {"id": part.id, "name_zh": part.name_zh, "name_en": part.name_en, "total": res["total"],
                "max": res["applicable"], "points": part.points, "in_total": part.in_total,
                "complete": not res["missing"]}
        if "facets" in res:
            info["facets"] = res["facets"]
        if part.levels:
            lvl = part.level_of(res["total"]) if not res["missing"] else None
            info["level"] = lvl.level if lvl else None
            info["level_name_zh"] = lvl.name_zh if lvl else None
            info["level_name_en"] = lvl.name_en if lvl else None
            info["level_band"] = lvl.describe() if lvl else None
        parts_out[part.id] = info

    total = sum((p["total"] for p in parts_out.values() if p["in_total"]), ZERO)
    max_total = sum((p["max"] for p in parts_out.values() if p["in_total"]), ZERO)
    percent = quantize(scheme, total * HUNDRED / max_total) if max_total else None

    cond_out, vetoes, unchecked = [], [], []
    for c in scheme.conditions:
        row = {"id": c.id, "kind": c.kind, "name_zh": c.name_zh, "name_en": c.name_en, "clause": c.clause}
        if c.id not in cond_values:
            row.update(status="unchecked", reason_zh="未记录", reason_en="not recorded")
            unchecked.append(c.id)
        else:
            ok, zh, en = judge_condition(scheme, c, cond_values[c.id], app_date)
            row.update(status="met" if ok else ("vetoed" if c.kind == "veto" else "failed"),
                       value=cond_values[c.id], reason_zh=zh, reason_en=en)
            if not ok:
                vetoes.append(row)
        cond_out.append(row)

    grade_band, band_text = None, None
    if missing:
        notes.append(_note("incomplete", f"有 {len(missing)} 项既未评分也未删减，等级暂不给出。",
                           f"{len(missing)} item(s) neither scored nor excluded: no grade yet."))
    elif vetoes:
        notes.append(_note("vetoed", "存在否决项或未满足的前提条件，不评级（无论得分）。",
                           "a veto or an unmet prerequisite: no grade, whatever the score."))
    elif unchecked:
        notes.append(_note("unchecked", f"条件项 {', '.join(unchecked)} 未记录，等级暂不给出。",
                           f"condition(s) {', '.join(unchecked)} not recorded: no grade yet."))
    elif percent is None:
        notes.append(_note("nothing-applicable", "全部指标均已删减，无法评价。", "every item is excluded: nothing to grade."))
    elif not scheme.grading.bands:
        notes.append(_note("no-bands", "本方案（文件）未规定等级区间，只给出总分。",
                           "the scheme (document) defines no grade bands: total only."))
    else:
        measure = _measure(scheme, total, percent, parts_out)
        grade_band, found, fallback = _grade(scheme, measure, parts_out)
        symbol = "%" if scheme.grading.measure == "percent" else "X"
        if grade_band is not None:
            band_text = grade_band.describe(symbol)
        if fallback:
            notes.append(_note("fallback", f"得分所在区间 {found.name_zh} 的成熟度要求未满足，按较低一行判定。",
                               f"the maturity minimum of the band {found.name_en} is not met; the next lower row applies."))
        elif found is None:
            notes.append(_note("below-bands", f"判级数值 {fmt(measure)} 不在任何等级区间内，不评级。",
                               f"the graded value {fmt(measure)} is in no band: no grade."))
        elif grade_band is None:
            notes.append(_note("requirement-unmet", f"区间 {found.name_zh} 的成熟度要求未满足，且无可满足的较低一行，不评级。",
                               f"the maturity minimum of {found.name_en} is not met and no lower row is: no grade."))
    code = grade_band.code if grade_band else None
    if grade_band is not None and not grade_band.grants:
        notes.append(_note("no-pass", f"等级 {grade_band.name_zh} 不是通过等级（{grade_band.clause or '文件'}）：不能据此授予认证。",
                           f"grade {grade_band.name_en} is not a pass ({grade_band.clause or 'the document'}): it grants no certification."))
    return Evaluation(
        scheme_id=scheme.id, scheme_version=scheme.version, total=total, max_total=max_total,
        percent=percent, grade=code, grants=bool(grade_band.grants) if code else False,
        grade_name_zh=grade_band.name_zh if code else None,
        grade_name_en=grade_band.name_en if code else None, band=band_text,
        complete=not missing and not unchecked, missing_items=missing, excluded=excluded,
        items=items_out, subtotals=subtotals, parts=parts_out, conditions=cond_out, vetoes=vetoes,
        unchecked_conditions=unchecked, notes=notes)


# -- parts ---------------------------------------------------------------------------------------

def _item_row(item: Item, status: str, earned, inputs, zh: str, en: str, excluded_reason=None) -> dict:
    return {"id": item.id, "label": item.label, "name_zh": item.name_zh, "name_en": item.name_en,
            "group": item.group, "path_zh": list(item.path_zh), "part": item.part, "points": item.points,
            "rule": item.rule, "status": status, "earned": earned, "inputs": inputs,
            "reason_zh": zh, "reason_en": en, "exclusion_reason": excluded_reason}


def _part_items(scheme, part_id: str) -> tuple[Item, ...]:
    """The items of a part, in the scheme's order (kept in the scheme's memo: the scheme is immutable)."""
    key = ("part items", part_id)
    found = scheme.memo.get(key)
    if found is None:
        found = scheme.memo[key] = tuple(i for i in scheme.items if i.part == part_id)
    return found


def _group_items(scheme, group_id: str) -> tuple[Item, ...]:
    """The items under a group, at any depth, in the scheme's order (kept as ``_part_items``)."""
    key = ("group items", group_id)
    found = scheme.memo.get(key)
    if found is None:
        found = scheme.memo[key] = tuple(i for i in scheme.items if group_id in i.path)
    return found


def _group_rows(scheme, part, earned_of, excluded) -> dict:
    rows = {}
    for g in scheme.groups:
        if g.part != part.id:
            continue
        members = _group_items(scheme, g.id)
        rows[g.id] = {"name_zh": g.name_zh, "name_en": g.name_en, "points": g.points,
                      "applicable": sum((i.points for i in members if i.id not in excluded), ZERO),
                      "earned": earned_of(members)}
    return rows


def _sum_of_item_means(scheme, part, items, by_item, excluded, earn) -> dict:
    """Each item's score is its entry's points, or the mean over facets (004 4.18.2); the part sums them.
    The business lines are those any item of the part is scored for; an item scored per line is
    scored for every line (a line left out would silently change the mean); an item scored once,
    without a line, concerns the organisation as a whole."""
    rows, missing, earned = [], [], {}
    lines = sorted({e.facet for i in items for e in by_item.get(i.id, []) if e.facet is not None})
    for item in items:
        if item.id in excluded:
            rows.append(_item_row(item, "excluded", ZERO, [], f"删减：{excluded[item.id]}",
                                  f"excluded: {excluded[item.id]}", excluded[item.id]))
            continue
        entries = by_item.get(item.id, [])
        if not entries:
            missing.append(item.id)
            rows.append(_item_row(item, "missing", ZERO, [], "未评分", "not scored"))
            continue
        if len(entries) > 1 and any(e.facet is None for e in entries):  # the part's clause (4.18.2), not the rule's
            raise ScoringError("mixed-facets", f"指标 {item.id}（{item.name_zh}）：同一指标不得混用有/无业务范围（facet）的评分；"
                               "请更正其中的记录，使每条都注明业务范围（score correct --facet）",
                               f"item {item.id} ({item.name_en}): one item may not mix entries with and without a facet "
                               "(business line); correct them so that each names its line (score correct --facet)",
                               item=item.id, clause=scheme.clause(part.clause))
        scored_lines = {e.facet for e in entries}
        absent = [f for f in lines if entries[0].facet is not None and f not in scored_lines]
        if absent:
            missing += [f"{item.id}@{f}" for f in absent]
            rows.append(_item_row(item, "partial", ZERO, [], f"业务范围 {'、'.join(absent)} 未评分",
                                  f"business line(s) {', '.join(absent)} not scored"))
            continue
        inputs = []
        for e in sorted(entries, key=lambda e: e.facet or ""):
            pts, zh, en = earn(item, e)
            inputs.append({"facet": e.facet, "value": e.value, "earned": pts, "reason_zh": zh, "reason_en": en})
        if len(inputs) == 1:
            value, zh, en = inputs[0]["earned"], inputs[0]["reason_zh"], inputs[0]["reason_en"]
        else:
            s = sum((i["earned"] for i in inputs), ZERO)
            value = quantize(scheme, s / len(inputs))
            zh = f"{len(inputs)} 个业务范围分别计分，取平均值：{fmt(s)} / {len(inputs)} = {fmt(value)} 分"
            en = f"scored per business line ({len(inputs)}), mean: {fmt(s)} / {len(inputs)} = {fmt(value)}"
        earned[item.id] = value
        rows.append(_item_row(item, "scored", value, inputs, zh, en))
    return {"items": rows, "missing": missing, "total": sum(earned.values(), ZERO),
            "applicable": sum((i.points for i in items if i.id not in excluded), ZERO),
            "groups": _group_rows(scheme, part, lambda ms: sum((earned.get(i.id, ZERO) for i in ms), ZERO), excluded)}


def _mean_of_facet_totals(scheme, part, items, by_item, excluded, earn) -> dict:
    """002 5.1.2: each respondent's (facet's) total, then the mean over respondents."""
    facets = sorted({e.facet for i in items for e in by_item.get(i.id, [])})
    cell: dict[tuple[str, str], tuple] = {}
    for item in items:
        for e in by_item.get(item.id, []):
            cell[(item.id, e.facet)] = (e, *earn(item, e))
    n = len(facets)

    def mean(members) -> Decimal:
        if not n:
            return ZERO
        s = sum((cell[(i.id, f)][1] for i in members for f in facets if (i.id, f) in cell), ZERO)
        return quantize(scheme, s / n)

    rows, missing = [], []
    for item in items:
        if item.id in excluded:
            rows.append(_item_row(item, "excluded", ZERO, [], f"删减：{excluded[item.id]}",
                                  f"excluded: {excluded[item.id]}", excluded[item.id]))
            continue
        absent = [f for f in facets if (item.id, f) not in cell]
        if not facets:
            missing.append(item.id)
        else:
            missing += [f"{item.id}@{f}" for f in absent]
        inputs = [{"facet": f, "value": cell[(item.id, f)][0].value, "earned": cell[(item.id, f)][1],
                   "reason_zh": cell[(item.id, f)][2], "reason_en": cell[(item.id, f)][3]}
                  for f in facets if (item.id, f) in cell]
        m = mean([item])
        status = "missing" if not inputs else ("partial" if absent else "scored")
        rows.append(_item_row(item, status, m, inputs,
                              f"{n} 位测评人/次的平均：{fmt(m)} 分" if n else "未评分",
                              f"mean over {n} respondent(s): {fmt(m)}" if n else "not scored"))
    return {"items": rows, "missing": missing, "total": mean(items), "facets": facets,
            "applicable": sum((i.points for i in items if i.id not in excluded), ZERO),
            "groups": _group_rows(scheme, part, mean, excluded)}


# -- grade ---------------------------------------------------------------------------------------

def graded_value(scheme: Scheme, evaluation: Evaluation) -> Decimal | None:
    """The figure the grade bands are applied to: the total, the percentage or a part's total
    (``[grading] measure``); None when there is nothing to grade."""
    if scheme.grading.measure == "percent" and evaluation.percent is None:
        return None
    return _measure(scheme, evaluation.total, evaluation.percent, evaluation.parts)


def band_containing(scheme: Scheme, value: Decimal | None) -> Band | None:
    """The grade band whose range contains a value, whatever its other requirements."""
    if value is None:
        return None
    return next((b for b in scheme.grading.bands if b.contains(value)), None)


def _measure(scheme, total, percent, parts) -> Decimal:
    m = scheme.grading.measure
    if m == "percent":
        return percent
    if m.startswith("part:"):
        return parts[m[5:]]["total"]
    return total


def _requirements_met(band: Band, parts) -> bool:
    if not band.requires_part:
        return True
    level = parts[band.requires_part].get("level")
    return level is not None and level >= band.requires_min_level


def _grade(scheme, value: Decimal, parts) -> tuple[Band | None, Band | None, bool]:
    """(band given, band containing the value, whether a lower band was taken)."""
    bands = scheme.grading.bands
    idx = next((k for k, b in enumerate(bands) if b.contains(value)), None)
    if idx is None:
        return None, None, False
    if _requirements_met(bands[idx], parts):
        return bands[idx], bands[idx], False
    if scheme.grading.when_requirement_unmet == "next-lower-band":
        for k in range(idx - 1, -1, -1):
            if _requirements_met(bands[k], parts):
                return bands[k], bands[idx], True
    return None, bands[idx], False


def _note(note_id: str, zh: str, en: str) -> dict:
    return {"id": note_id, "clause": None, "zh": zh, "en": en}


def _duplicate(scheme, target, facet) -> ScoringError:
    f_zh = f"（facet “{facet}”）" if facet else ""
    f_en = f" (facet {facet!r})" if facet else ""
    return ScoringError("duplicate-entry",
                        f"指标 {target.id}（{target.name_zh}）{f_zh}重复评分；更正须作为更正记录，不能再评一次",
                        f"item {target.id} ({target.name_en}){f_en} is scored twice; a change must be a correction",
                        item=target.id, clause=scheme.clause(None))
