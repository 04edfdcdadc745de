"""The scoring rules: each validates one value shape and computes the points it earns.

A rule lives here and nowhere else. ``validate`` normalises a value (Decimal numbers,
canonical keys) or raises ScoringError naming the item and the document clause;
``earn`` turns a normalised value into (points, reason_zh, reason_en).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from .errors import ScoringError
from .values import Band, Entry, band_from, fmt, to_decimal

HUNDRED = Decimal(100)


# -- helpers -------------------------------------------------------------------------------------

def _clause(scheme, item, rule_name: str | None = None) -> str:
    rule = scheme.rules.get(rule_name or getattr(item, "rule", ""), {})
    return scheme.clause(rule.get("clause") or item.clause)


def bad(scheme, item, code: str, zh: str, en: str, rule_name: str | None = None) -> ScoringError:
    return ScoringError(code, f"指标 {item.id}（{item.name_zh}）：{zh}", f"item {item.id} ({item.name_en}): {en}",
                        item=item.id, clause=_clause(scheme, item, rule_name))


def shape(scheme, item, value, *shapes: tuple[str, ...], rule_name: str | None = None) -> tuple[str, ...]:
    """The one shape (tuple of keys) that ``value`` has, or a wrong-shape error."""
    if isinstance(value, dict):
        for s in shapes:  # the same keys: as many, and each of the shape's present
            if len(value) == len(s) and all(k in value for k in s):
                return s
    wanted = " 或 ".join("{" + ", ".join(s) + "}" for s in shapes)
    wanted_en = " or ".join("{" + ", ".join(s) + "}" for s in shapes)
    raise bad(scheme, item, "wrong-shape", f"取值应为 {wanted}，收到 {value!r}",
              f"value must be {wanted_en}, got {value!r}", rule_name)


# No score, count or answer in the five rulebooks comes near these; they keep arithmetic exact and
# every figure printable.
MAX_NUMBER = Decimal(10) ** 9
MAX_PLACES = 6


def number(scheme, item, value, key: str, rule_name: str | None = None) -> Decimal:
    x = value[key]
    try:
        if isinstance(x, bool) or x is None:
            raise TypeError
        d = to_decimal(x) if isinstance(x, (int, float, Decimal)) else Decimal(str(x).strip())
        if not d.is_finite():
            raise ValueError
    except (TypeError, ValueError, InvalidOperation):
        raise bad(scheme, item, "wrong-shape", f"{key} 应为数字，收到 {str(x)[:40]!r}",
                  f"{key} must be a number, got {str(x)[:40]!r}", rule_name) from None
    if abs(d) > MAX_NUMBER or d.as_tuple().exponent < -MAX_PLACES:  # type: ignore[operator]
        raise bad(scheme, item, "out-of-range", f"{key} 的数值超出合理范围（绝对值至多 {MAX_NUMBER}，小数至多 {MAX_PLACES} 位）",
                  f"{key} is out of any sensible range (at most {MAX_NUMBER} in size and {MAX_PLACES} decimal places)", rule_name)
    return d


def integer(scheme, item, value, key: str, minimum: int = 0, rule_name: str | None = None) -> int:
    d = number(scheme, item, value, key, rule_name)
    if d != d.to_integral_value() or d < minimum:
        raise bad(scheme, item, "out-of-range", f"{key} 应为不小于 {minimum} 的整数，收到 {value[key]!r}",
                  f"{key} must be a whole number >= {minimum}, got {value[key]!r}", rule_name)
    return int(d)


def boolean(scheme, item, value, key: str, rule_name: str | None = None) -> bool:
    x = value[key]
    if not isinstance(x, bool):
        raise bad(scheme, item, "wrong-shape", f"{key} 应为 true/false，收到 {x!r}",
                  f"{key} must be true or false, got {x!r}", rule_name)
    return x


def in_range(scheme, item, x: Decimal, lo: Decimal, hi: Decimal, key: str, rule_name=None) -> None:
    if not lo <= x <= hi:
        raise bad(scheme, item, "out-of-range", f"{key} = {fmt(x)} 超出范围 {fmt(lo)}–{fmt(hi)}",
                  f"{key} = {fmt(x)} is outside {fmt(lo)}-{fmt(hi)}", rule_name)


def quantize(scheme, x: Decimal) -> Decimal:
    return x.quantize(scheme.quantum, rounding=scheme.rounding)


def bands(scheme, rule_name: str, key: str = "bands") -> tuple[Band, ...]:
    memo_key = ("bands", rule_name, key)
    found = scheme.memo.get(memo_key)
    if found is None:
        found = scheme.memo[memo_key] = tuple(band_from(b) for b in scheme.rules.get(rule_name, {}).get(key, ()))
    return found


def band_for(scheme, rule_name: str, x: Decimal, key: str = "bands") -> Band | None:
    return next((b for b in bands(scheme, rule_name, key) if b.contains(x)), None)


def _percent(scheme, item, value, rule_name):
    p = number(scheme, item, value, "percent", rule_name)
    in_range(scheme, item, p, Decimal(0), HUNDRED, "percent", rule_name)
    return {"percent": p}


def _earn_percent(scheme, item, value, rule_name):
    p = value["percent"]
    earned = item.points * p / HUNDRED
    band = band_for(scheme, rule_name, p)
    bz = f"（{band.name_zh}）" if band else ""
    be = f" ({band.name_en})" if band else ""
    return (earned, f"评分比例 {fmt(p)}%{bz} × {fmt(item.points)} 分 = {fmt(earned)} 分",
            f"{fmt(p)} %{be} x {fmt(item.points)} = {fmt(earned)}")


# -- item rules -----------------------------------------------------------------------------------

class Rule:
    name = ""
    summary_zh = ""
    summary_en = ""

    def check(self, scheme, item) -> None:
        """Load-time check of the item's parameters."""

    def validate(self, scheme, item, value) -> dict:
        raise NotImplementedError

    def earn(self, scheme, item, value) -> tuple[Decimal, str, str]:
        raise NotImplementedError


class BandedPercent(Rule):
    """000 6.2.1, 004 brand: {"percent": p}, p in 0..100; points = p % x item points."""
    name = "banded-percent"
    summary_zh = '取值 {"percent": p}，0 ≤ p ≤ 100；得分 = p% × 分值（评分档次只用于说明）。'
    summary_en = 'value {"percent": p}, 0 <= p <= 100; points = p % x item points (the bands only label the explanation).'

    def validate(self, scheme, item, value):
        shape(scheme, item, value, ("percent",))
        return _percent(scheme, item, value, self.name)

    def earn(self, scheme, item, value):
        return _earn_percent(scheme, item, value, self.name)


class PercentOrDeduction(Rule):
    """001 附录A 评分 a) c): {"percent": p} | {"conforms": bool} | {"samples": n, "nonconforming": k}."""
    name = "percent-or-deduction"
    summary_zh = '取值三选一：{"percent": p}（表 1 评分比例，得分 = p% × 分值）；{"conforms": true/false}（定性指标，不符合扣除全部分值）；{"samples": n, "nonconforming": k}（多样本指标，得分 = 分值 × (n−k)/n，截断两位小数）。'
    summary_en = 'one of: {"percent": p} (table 1, points = p % x item points); {"conforms": true/false} (qualitative: a nonconformity loses all points); {"samples": n, "nonconforming": k} (points x (n-k)/n, truncated to 0.01).'

    def validate(self, scheme, item, value):
        s = shape(scheme, item, value, ("percent",), ("conforms",), ("samples", "nonconforming"))
        if s == ("percent",):
            return _percent(scheme, item, value, self.name)
        if s == ("conforms",):
            return {"conforms": boolean(scheme, item, value, "conforms")}
        n = integer(scheme, item, value, "samples", 1)
        k = integer(scheme, item, value, "nonconforming", 0)
        if k > n:
            raise bad(scheme, item, "out-of-range", f"不符合样本数 {k} 大于样本数 {n}",
                      f"nonconforming {k} exceeds samples {n}")
        return {"samples": n, "nonconforming": k}

    def earn(self, scheme, item, value):
        if "percent" in value:
            return _earn_percent(scheme, item, value, self.name)
        if "conforms" in value:
            if value["conforms"]:
                return item.points, f"定性指标符合，得全部 {fmt(item.points)} 分", f"conforms: all {fmt(item.points)}"
            return Decimal(0), "定性指标不符合，扣除全部分值，得 0 分", "does not conform: all points lost, 0"
        n, k = value["samples"], value["nonconforming"]
        earned = quantize(scheme, item.points * (n - k) / n)
        return (earned, f"抽样 {n} 个，不符合 {k} 个，按比例扣分：{fmt(item.points)} × {n - k}/{n} = {fmt(earned)} 分",
                f"{k} of {n} samples nonconforming, proportional deduction: "
                f"{fmt(item.points)} x {n - k}/{n} = {fmt(earned)}")


class LikertAlpha(Rule):
    """002 5.1.1: {"likert": 1..5, "alpha": a}, a inside the answer's band; points x a."""
    name = "likert-alpha"
    summary_zh = '每位测评人一条：{"likert": 1–5, "alpha": α}，α 须落在所选答案的区间内；得分 = 分值 × α；服务得分为各测评人总分的平均（截断两位小数）。'
    summary_en = 'one entry per respondent: {"likert": 1-5, "alpha": a}, a inside the band of the answer; points = item points x a; the service score is the mean of the respondent totals (truncated to 0.01).'

    def validate(self, scheme, item, value):
        shape(scheme, item, value, ("likert", "alpha"))
        answers = bands(scheme, self.name, "answers")
        n = integer(scheme, item, value, "likert", 1)
        if not 1 <= n <= len(answers):
            raise bad(scheme, item, "out-of-range", f"李克特答案应为 1–{len(answers)}，收到 {n}",
                      f"likert answer must be 1-{len(answers)}, got {n}")
        a = number(scheme, item, value, "alpha")
        band = answers[n - 1]
        if not band.contains(a):
            raise bad(scheme, item, "alpha-outside-band",
                      f"体验系数 α = {fmt(a)} 不在答案 {band.name_zh} 的区间 {band.range.text('α')} 内",
                      f"alpha = {fmt(a)} is outside the band of answer {n} ({band.name_en}): {band.range.text('a')}")
        return {"likert": n, "alpha": a}

    def earn(self, scheme, item, value):
        band = bands(scheme, self.name, "answers")[value["likert"] - 1]
        earned = item.points * value["alpha"]
        return (earned, f"{band.name_zh}，α = {fmt(value['alpha'])}：{fmt(item.points)} × α = {fmt(earned)} 分",
                f"answer {value['likert']} ({band.name_en}), alpha = {fmt(value['alpha'])}: "
                f"{fmt(item.points)} x alpha = {fmt(earned)}")


class MaturityLevel(Rule):
    """002 附录3: {"level": 1..5}; points = level x (item points / 5)."""
    name = "maturity-level"
    summary_zh = '取值 {"level": 1–5}；得分 = 等级 × 分值/5（5 分项 × 1，10 分项 × 2）。'
    summary_en = 'value {"level": 1-5}; points = level x item points / 5 (x 1 for 5-point items, x 2 for 10-point items).'

    def check(self, scheme, item):
        if item.points % 5:
            raise ValueError(f"maturity item {item.id} points must be a multiple of 5")

    def validate(self, scheme, item, value):
        shape(scheme, item, value, ("level",))
        n = number(scheme, item, value, "level")
        if n != n.to_integral_value() or not 1 <= n <= 5:
            raise bad(scheme, item, "level-out-of-range", f"成熟度等级应为 1–5 的整数，收到 {value['level']!r}",
                      f"maturity level must be a whole number 1-5, got {value['level']!r}")
        return {"level": int(n)}

    def earn(self, scheme, item, value):
        per = item.points / 5
        earned = per * value["level"]
        return (earned, f"成熟度 {value['level']} 级 × {fmt(per)} = {fmt(earned)} 分",
                f"maturity level {value['level']} x {fmt(per)} = {fmt(earned)}")


class Check(Rule):
    """003 check points: {"met": bool}; all or nothing."""
    name = "check"
    summary_zh = '取值 {"met": true/false}；满足得全部分值，否则 0 分（无部分得分）。'
    summary_en = 'value {"met": true/false}; all points if met, else 0 (no partial scoring).'

    def validate(self, scheme, item, value):
        shape(scheme, item, value, ("met",))
        return {"met": boolean(scheme, item, value, "met")}

    def earn(self, scheme, item, value):
        if value["met"]:
            return item.points, f"满足，得 {fmt(item.points)} 分", f"met: {fmt(item.points)}"
        return Decimal(0), "不满足，得 0 分", "not met: 0"


class BasePlusIncrement(Rule):
    """003 三①: {"count": n}; 0 if none, else base + increment x (n - 1), at most cap."""
    name = "base-plus-increment"
    summary_zh = '取值 {"count": n}；n = 0 得 0 分，否则 基础分 + 增量 × (n−1)，封顶。'
    summary_en = 'value {"count": n}; 0 if n = 0, else base + increment x (n-1), capped.'

    def check(self, scheme, item):
        if to_decimal(item.params["cap"]) != item.points:
            raise ValueError(f"item {item.id}: cap must equal points")

    def validate(self, scheme, item, value):
        shape(scheme, item, value, ("count",))
        return {"count": integer(scheme, item, value, "count", 0)}

    def earn(self, scheme, item, value):
        n = value["count"]
        base, inc, cap = (to_decimal(item.params[k]) for k in ("base", "increment", "cap"))
        if n == 0:
            return Decimal(0), "无有效证书，得 0 分", "no valid certificate: 0"
        raw = base + inc * (n - 1)
        earned = min(raw, cap)
        capped_zh = f"，封顶 {fmt(cap)} 分" if raw > cap else ""
        capped_en = f", capped at {fmt(cap)}" if raw > cap else ""
        return (earned, f"{n} 个：基础分 {fmt(base)} + {fmt(inc)} × {n - 1} = {fmt(raw)}{capped_zh}，得 {fmt(earned)} 分",
                f"{n}: base {fmt(base)} + {fmt(inc)} x {n - 1} = {fmt(raw)}{capped_en}; {fmt(earned)}")


def _lookup(scheme, item, table: list[dict], ref, what_zh: str, what_en: str) -> dict:
    for opt in table:
        if ref == opt["key"] or ref == opt["name_zh"] or ref in opt.get("aliases", ()):
            return opt
    known = "、".join(f"{o['key']}（{o['name_zh']}）" for o in table)
    raise bad(scheme, item, "unknown-kind", f"未知的{what_zh}“{ref}”，可选：{known}",
              f"unknown {what_en} {ref!r}; known: {', '.join(o['key'] for o in table)}")


class HighestOf(Rule):
    """003 取单项最高分: {"awards": [key or Chinese name, ...]}; the highest counts, none = 0."""
    name = "highest-of"
    summary_zh = '取值 {"awards": [级别, ...]}；取单项最高分，无则 0 分。'
    summary_en = 'value {"awards": [level, ...]}; the single highest counts, none = 0.'

    def check(self, scheme, item):
        if max(to_decimal(o["points"]) for o in item.params["options"]) != item.points:
            raise ValueError(f"item {item.id}: highest option must equal points")

    def validate(self, scheme, item, value):
        shape(scheme, item, value, ("awards",))
        awards = value["awards"]
        if not isinstance(awards, (list, tuple)):
            raise bad(scheme, item, "wrong-shape", "awards 应为列表", "awards must be a list")
        keys = [_lookup(scheme, item, item.params["options"], a, "级别", "level")["key"] for a in awards]
        return {"awards": sorted(set(keys), key=[o["key"] for o in item.params["options"]].index)}

    def earn(self, scheme, item, value):
        opts = {o["key"]: o for o in item.params["options"]}
        if not value["awards"]:
            return Decimal(0), "未获得，得 0 分", "none held: 0"
        best = max((opts[k] for k in value["awards"]), key=lambda o: to_decimal(o["points"]))
        listed = "、".join(opts[k]["name_zh"] for k in value["awards"])
        earned = to_decimal(best["points"])
        return (earned, f"{listed}；取单项最高分：{best['name_zh']} {fmt(earned)} 分",
                f"{', '.join(value['awards'])}; highest counts: {best['key']} {fmt(earned)}")


class CumulativeCapped(Rule):
    """003 得分可累计: {"counts": {kind: n}}; sum of points x n, at most cap."""
    name = "cumulative-capped"
    summary_zh = '取值 {"counts": {类别: 数量}}；Σ 类别分值 × 数量，封顶。'
    summary_en = 'value {"counts": {kind: n}}; sum of kind points x n, capped.'

    def check(self, scheme, item):
        if to_decimal(item.params["cap"]) != item.points:
            raise ValueError(f"item {item.id}: cap must equal points")

    def validate(self, scheme, item, value):
        shape(scheme, item, value, ("counts",))
        counts = value["counts"]
        if not isinstance(counts, dict):
            raise bad(scheme, item, "wrong-shape", "counts 应为 {类别: 数量}", "counts must be {kind: number}")
        out: dict[str, int] = {}
        for ref, n in counts.items():
            key = _lookup(scheme, item, item.params["kinds"], ref, "类别", "kind")["key"]
            if key in out:
                raise bad(scheme, item, "wrong-shape", f"类别 {key} 重复", f"kind {key} given twice")
            out[key] = integer(scheme, item, counts, ref, 0)
        order = [k["key"] for k in item.params["kinds"]]
        return {"counts": {k: out[k] for k in sorted(out, key=order.index) if out[k]}}

    def earn(self, scheme, item, value):
        kinds = {k["key"]: k for k in item.params["kinds"]}
        cap = to_decimal(item.params["cap"])
        parts = [(kinds[k], n, to_decimal(kinds[k]["points"]) * n) for k, n in value["counts"].items()]
        raw = sum((p for *_, p in parts), Decimal(0))
        earned = min(raw, cap)
        zh = " + ".join(f"{k['name_zh']} {n} × {fmt(to_decimal(k['points']))}" for k, n, _ in parts) or "无"
        en = " + ".join(f"{k['key']} {n} x {fmt(to_decimal(k['points']))}" for k, n, _ in parts) or "none"
        cz = f"，封顶 {fmt(cap)} 分" if raw > cap else ""
        ce = f", capped at {fmt(cap)}" if raw > cap else ""
        return earned, f"{zh} = {fmt(raw)}{cz}，得 {fmt(earned)} 分", f"{en} = {fmt(raw)}{ce}; {fmt(earned)}"


class PointsRange(Rule):
    """004 4.18.1: {"points": x}, 0..max; a mandatory item only 0 or max."""
    name = "points-range"
    summary_zh = '取值 {"points": x}，0 ≤ x ≤ 分值；必须满足项只能得 0 或满分。'
    summary_en = 'value {"points": x}, 0 <= x <= item points; a mandatory item scores 0 or full points only.'

    def validate(self, scheme, item, value):
        shape(scheme, item, value, ("points",))
        x = number(scheme, item, value, "points")
        in_range(scheme, item, x, Decimal(0), item.points, "points")
        if item.mandatory and x not in (0, item.points):
            raise bad(scheme, item, "mandatory-all-or-nothing",
                      f"必须满足的指标项只能得 0 或 {fmt(item.points)} 分，收到 {fmt(x)}",
                      f"a mandatory item scores 0 or {fmt(item.points)} only, got {fmt(x)}")
        return {"points": x}

    def earn(self, scheme, item, value):
        x = value["points"]
        if item.mandatory:
            return x, f"必须满足项：{'满足' if x else '不满足'}，得 {fmt(x)} 分", f"mandatory: {fmt(x)}"
        return x, f"评分 {fmt(x)} / {fmt(item.points)} 分", f"scored {fmt(x)} of {fmt(item.points)}"


RULES: dict[str, Rule] = {r.name: r for r in (
    BandedPercent(), PercentOrDeduction(), LikertAlpha(), MaturityLevel(), Check(),
    BasePlusIncrement(), HighestOf(), CumulativeCapped(), PointsRange())}


# -- condition rules (prerequisites, requirements, vetoes) -----------------------------------------

def parse_date(x) -> date:
    if isinstance(x, date):
        return x
    return date.fromisoformat(str(x).strip())


def years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:            # 29 February
        return d.replace(year=d.year - years, day=28)


def validate_condition(scheme, cond, value) -> dict:
    if cond.rule == "attest":
        shape(scheme, cond, value, ("met",))
        return {"met": boolean(scheme, cond, value, "met")}
    if cond.rule == "threshold":
        shape(scheme, cond, value, ("value",))
        return {"value": number(scheme, cond, value, "value")}
    shape(scheme, cond, value, ("occurrences",))
    occ = value["occurrences"]
    if not isinstance(occ, (list, tuple)):
        raise bad(scheme, cond, "wrong-shape", "occurrences 应为日期列表", "occurrences must be a list of dates")
    try:
        return {"occurrences": sorted({parse_date(x).isoformat() for x in occ})}
    except (ValueError, TypeError):
        raise bad(scheme, cond, "wrong-shape", f"occurrences 中有无效日期：{occ!r}（应为 YYYY-MM-DD）",
                  f"occurrences has an invalid date: {occ!r} (YYYY-MM-DD)") from None


def judge_condition(scheme, cond, value, application_date: date | None) -> tuple[bool, str, str]:
    """(met, reason_zh, reason_en); for a veto, met means 'not triggered'."""
    if cond.rule == "attest":
        return (value["met"], "已确认满足" if value["met"] else "不满足",
                "confirmed" if value["met"] else "not met")
    if cond.rule == "threshold":
        v, m = value["value"], cond.minimum
        unit_zh, unit_en = cond.unit_zh or "", cond.unit_en or ""
        ok = v >= m
        return (ok, f"{fmt(v)} {unit_zh} {'≥' if ok else '<'} {fmt(m)} {unit_zh}",
                f"{fmt(v)} {unit_en} {'>=' if ok else '<'} {fmt(m)} {unit_en}")
    dates = [date.fromisoformat(x) for x in value["occurrences"]]
    if not dates:
        return True, "无记录", "none recorded"
    if application_date is None:
        raise bad(scheme, cond, "application-date-required",
                  "有发生日期的追溯条件需要申请日期（context.application_date）",
                  "a look-back condition with dates needs the application date (context application_date)")
    start = years_before(application_date, cond.years)
    inside = [d for d in dates if start <= d <= application_date]
    window = f"{start.isoformat()}–{application_date.isoformat()}"
    if inside:
        listed = "、".join(d.isoformat() for d in inside)
        return False, f"{listed} 在追溯期 {window} 内", f"{', '.join(d.isoformat() for d in inside)} within {window}"
    return True, f"记录均不在追溯期 {window} 内", f"no record within {window}"


CONDITION_RULES = ("attest", "lookback", "threshold")


CONDITION_SUMMARIES = {
    "attest": ('取值 {"met": true/false}；确认满足即满足。', 'value {"met": true/false}; met when confirmed.'),
    "threshold": ('取值 {"value": x}；x ≥ 最低值即满足。', 'value {"value": x}; met when x >= the minimum.'),
    "lookback": ('取值 {"occurrences": ["YYYY-MM-DD", ...]}；申请日期前 N 年内（含两端）有任何记录即触发。',
                 'value {"occurrences": ["YYYY-MM-DD", ...]}; triggered by any date within N years before the '
                 'application date (both ends inclusive).'),
}


def describe_rule(scheme, rule_name: str) -> dict:
    """A rule as data for people: its clause in the scheme, what it takes and computes, its bands."""
    rule = RULES[rule_name]
    conf = scheme.rules.get(rule_name, {})
    return {"rule": rule_name, "clause": scheme.clause(conf.get("clause")) if conf.get("clause") else None,
            "summary_zh": rule.summary_zh, "summary_en": rule.summary_en,
            "bands": [b.to_dict("p") for b in bands(scheme, rule_name)],
            "answers": [b.to_dict("α") for b in bands(scheme, rule_name, "answers")]}


def describe_condition_rule(cond) -> dict:
    zh, en = CONDITION_SUMMARIES[cond.rule]
    return {"summary_zh": zh, "summary_en": en}


# -- entries and exclusions -----------------------------------------------------------------------

def validate_entry(scheme, item_ref: str, facet: str | None, value: dict) -> Entry:
    """An entry checked and normalised (a new ``Entry`` and value at every call: the caller may keep
    or change it); a refused entry raises ``ScoringError``."""
    item_id, facet, clean, _target, _earned = validated(scheme, item_ref, facet, value)
    return Entry(item_id, facet, fresh(clean))


def _validate(scheme, item_ref: str, facet: str | None, value: dict) -> list:
    target = scheme.resolve_item(item_ref)
    facet = facet.strip() if isinstance(facet, str) else facet
    if facet == "":
        facet = None
    if target.kind != "item":  # a prerequisite, requirement or veto
        if facet is not None:
            raise bad(scheme, target, "facet-not-allowed", "条件项不分 facet", "a condition takes no facet")
        return [target.id, None, validate_condition(scheme, target, value), target, None]
    part = scheme.part(target.part)
    if part.facet == "none" and facet is not None:
        raise bad(scheme, target, "facet-not-allowed", f"本部分不分测评对象/业务范围，收到 facet “{facet}”",
                  f"this part takes no facet, got {facet!r}")
    if part.facet == "required" and facet is None:
        raise bad(scheme, target, "facet-required",
                  f"须注明{part.facet_name_zh or 'facet'}（facet）", f"a facet ({part.facet_name_en}) is required")
    return [target.id, facet, RULES[target.rule].validate(scheme, target, value), target, None]


# -- entries checked once per scheme (docs/decisions.md D61) ---------------------------------------
# Every evaluation of an audit (at its completion, at its decision) checks each of its entries again.
# The check is a pure function of the scheme (immutable) and of the entry's item reference, facet and
# value, so its result is kept in the scheme's memo under a key naming those inputs exactly; a
# refused entry is never kept (it raises each time).

_PLAIN, _TEXT = frozenset({str, int, bool, float, Decimal, type(None), date}), frozenset({str})
ENTRY_MEMO_SIZE = 20_000  # checked entries kept per scheme object; the memo starts again when full


def _plain(x) -> bool:
    kind = type(x)
    if kind in _PLAIN:
        return True
    if kind is dict:
        if not _TEXT.issuperset(map(type, x)):
            return False
        return _PLAIN.issuperset(map(type, x.values())) or all(type(v) in _PLAIN or _plain(v) for v in x.values())
    if kind is list or kind is tuple:
        return _PLAIN.issuperset(map(type, x)) or all(type(v) in _PLAIN or _plain(v) for v in x)
    return False


def plain_entries(entries) -> bool:
    """Whether every entry's item reference, facet and value can be named exactly (``value_key``)."""
    for e in entries:
        if type(e.item) is not str or (e.facet is not None and type(e.facet) is not str) or not _plain(e.value):
            return False
    return True


def value_key(x) -> str | None:
    """Text naming a value exactly: its ``repr`` when it holds only dicts with text keys, lists, tuples,
    text, numbers, booleans, None and dates (not times), whose ``repr`` gives each type and digit (1,
    1.0, True and Decimal("1.0") all differ, as a list and a tuple do); else None (never kept)."""
    return repr(x) if _plain(x) else None


def entry_key(item_ref, facet, value) -> tuple[str, str | None, str] | None:
    """The key of an entry's inputs in the memo, or None when they cannot be named exactly."""
    if type(item_ref) is not str or (facet is not None and type(facet) is not str):
        return None
    vk = value_key(value)
    return None if vk is None else (item_ref, facet, vk)


def validated(scheme, item_ref: str, facet: str | None, value: dict, key: tuple | None | bool = False) -> list:
    """``[item id, facet, normalised value, target, earned]`` for an entry's inputs: the check of
    ``validate_entry``, kept per scheme. The normalised value is shared: read it, never change it
    (``validate_entry`` hands out copies). ``earned`` is the engine's: the rule's ``earn`` of the
    value, filled on first use. ``key``: ``entry_key`` of the inputs when the caller has it."""
    if key is False:
        key = entry_key(item_ref, facet, value)
    if key is None:
        return _validate(scheme, item_ref, facet, value)
    memo = scheme.memo.get("entries")
    if memo is None:
        memo = scheme.memo["entries"] = {}
    found = memo.get(key)
    if found is None:
        found = _validate(scheme, item_ref, facet, value)
        found[2] = fresh(found[2])  # nothing of the caller's value is kept
        if len(memo) >= ENTRY_MEMO_SIZE:
            memo.clear()
        memo[key] = found
    return found


def fresh(x):
    """A copy of a normalised value's containers (its leaves are immutable)."""
    kind = type(x)
    if kind is dict:
        if _PLAIN.issuperset(map(type, x.values())):
            return x.copy()
        return {k: v if type(v) in _PLAIN else fresh(v) for k, v in x.items()}
    if kind is list:
        return [v if type(v) in _PLAIN else fresh(v) for v in x]
    return x


def validate_exclusion(scheme, item_ref: str, reason: str) -> str:
    target = scheme.resolve_item(item_ref)
    if not target.excludable:
        raise ScoringError(
            "not-excludable", f"指标 {target.id}（{target.name_zh}）不可删减：方案 {scheme.id} {scheme.version} 不允许删减该项",
            f"item {target.id} ({target.name_en}) may not be excluded under {scheme.id} {scheme.version}",
            item=target.id, clause=scheme.clause(scheme.rules.get(getattr(target, "rule", ""), {}).get("clause")))
    if not isinstance(reason, str) or not reason.strip():
        raise ScoringError("reason-required", f"删减指标 {target.id}（{target.name_zh}）须说明不适用的理由",
                           f"excluding item {target.id} needs a reason why it does not apply",
                           item=target.id, clause=scheme.clause("附录A 评分 b)"))
    return target.id
