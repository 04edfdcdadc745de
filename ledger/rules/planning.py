"""Audit planning calculators (004 §16.2 audit man-days, 004 §10 combined audits, 004 §11 multi-site
sampling) and a plan's default audit method (the procedure's off-site audit kinds).

Pure functions: the result is a figure and the reasoning behind it, recorded with the audit plan.
"""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, Decimal
from typing import Any

from aggregates.errors import RuleViolation

HALF = Decimal("0.5")
OFF_SITE_METHOD = "offsite"  # the audit method vocabulary's off-site audit (document review; no 102号 code)


def _up_to_half_day(days: Decimal) -> Decimal:
    """Audit time is planned in half days; a fraction is rounded up to the next half day (the
    document gives no rounding; rounding up never plans less time than the rule asks)."""
    return (days * 2).to_integral_value(rounding=ROUND_CEILING) / 2
# 004 §10 (与其他管理体系的结合评价): a combined audit may reduce the base man-days (those of 004 §16.2)
# by up to 30 % (with a quality management system audit) or 50 % (with a credit evaluation). The
# document gives the ceilings; the body chooses the reduction within them.
COMBINED_CEILINGS = {"qms": Decimal("0.30"), "credit": Decimal("0.50")}


def audit_method(procedure: Any, kind: str, method: str | None) -> str:
    """The audit method a plan records: the one given (an explicit FS01 for a stage 1 that really was
    on site is kept), else off-site for a kind the client's procedure makes off-site (its
    ``off_site_audits``: stage 1 under 004 §16.2 and 001 §4.4.1), else on-site (FS01)."""
    from aggregates.audit_plans import DEFAULT_METHOD

    if method:
        return method
    return OFF_SITE_METHOD if kind in procedure.off_site_kinds else DEFAULT_METHOD


def initial_man_days(headcount: int, sites: int) -> Decimal:
    """Stage 2 of an initial audit: 1-50 people 2 days, 51-200 3, more than 200 4; +0.5 per
    additional site (004 §16.2 a, b)."""
    if headcount < 1 or sites < 1:
        raise RuleViolation("004 §16.2", "人数和场所数必须至少为 1。", "Headcount and number of sites must be at least 1.")
    base = Decimal(2 if headcount <= 50 else 3 if headcount <= 200 else 4)
    return base + HALF * (sites - 1)


def stage1_step(procedure: Any) -> tuple[Decimal, str]:
    """A stage 1's man-days under the client's procedure (its ``stage1_man_days``; none given: 004
    §16.2's 0.5) and the step recorded for them, naming the procedure's clause (D63)."""
    if procedure is None:
        return HALF, "004 §16.2: 一阶段非现场 0.5 人日"
    days, clause = procedure.stage1_man_days, procedure.stage1_clause
    if not days:
        return days, f"{clause}: 一阶段为文件审核，不占审核人日 → {days} 人日"
    if "stage1" in procedure.off_site_kinds:
        return days, f"{clause}: 一阶段非现场 {days} 人日"  # 004's, as stored before D63
    return days, f"{clause}: 一阶段 {days} 人日"


def audit_man_days(kind: str, headcount: int, sites: int, combined: str | None = None,
                   reduction: Decimal | None = None, procedure: Any = None) -> dict[str, Any]:
    """Man-days for an audit of ``kind`` with the steps that produced them: a stage 1's from the
    client's ``procedure`` (D63), the others from 004 §16.2's table for every procedure (D6)."""
    steps: list[str] = []
    if kind == "stage1":
        days, step = stage1_step(procedure)
        steps.append(step)
    else:
        initial = initial_man_days(headcount, sites)
        steps.append(f"004 §16.2 a, b: {headcount} 人、{sites} 个场所 → 初审二阶段 {initial} 人日")
        if kind in ("stage2", "transfer"):
            days = initial
        elif kind in ("surveillance", "unscheduled"):
            days = max(Decimal(1), _up_to_half_day(initial / 3))
            steps.append(f"004 §16.2 c: 监督为初审的 1/3，最低 1 人日 → {days}")
        elif kind == "recertification":
            days = max(Decimal(2), _up_to_half_day(initial * 2 / 3))
            steps.append(f"004 §16.2 d: 再认证为初审的 2/3，最低 2 人日 → {days}")
        else:
            raise RuleViolation("ledger: vocabulary", f"未知的审核类型“{kind}”。", f"Unknown audit kind '{kind}'.")
    if combined:
        ceiling = COMBINED_CEILINGS.get(combined)
        if ceiling is None:
            raise RuleViolation("004 §10", f"结合审核类型应为 qms 或 credit，而非“{combined}”。", f"A combined audit is qms or credit, not '{combined}'.")
        cut = ceiling if reduction is None else reduction
        if not Decimal(0) <= cut <= ceiling:
            raise RuleViolation("004 §10", f"结合审核最多减少 {ceiling:%}；给出的是 {cut}。", f"A combined audit saves at most {ceiling:%}; got {cut}.")
        days = _up_to_half_day(days * (1 - cut))
        steps.append(f"结合审核（{combined}）减少 {cut * 100:.0f}% → {days}")
    return {"man_days": days, "steps": steps}


def sample_size(sites: int) -> int:
    """Sites to visit under multi-site sampling: at least the square root of the number of sites,
    rounded up (004 §11, note 2)."""
    if sites < 1:
        raise RuleViolation("004 §11", "场所数必须至少为 1。", "The number of sites must be at least 1.")
    return math.isqrt(sites - 1) + 1


def check_sites_visited(kind: str, sites_in_scope: list[str], visited: list[str]) -> None:
    """Sites an audit visits: each must be in the scope; an initial (stage 2), transfer or
    recertification audit visits every site (004 §11.1; recertification follows the initial
    procedure, 004 §7.1); surveillance may sample, at least the square root of the number of sites,
    rounded up (004 §11, note 2). Stage 1 is off-site."""
    if kind == "stage1":
        return
    unknown = [v for v in visited if v not in sites_in_scope]
    if unknown:
        raise RuleViolation(
            "004 §11",
            f"审核场所 {', '.join(unknown)} 不在认证范围的场所中；范围内的场所：{', '.join(sites_in_scope)}。",
            f"Sites {', '.join(unknown)} are not in the scope; the sites in scope: {', '.join(sites_in_scope)}.",
        )
    if kind in ("stage2", "transfer", "recertification"):
        missing = [s for s in sites_in_scope if s not in visited]
        if missing:
            raise RuleViolation(
                "004 §11.1",
                f"初次认证、转换或再认证审核需覆盖每个场所（抽样只用于监督）；未安排：{', '.join(missing)}。",
                f"An initial, transfer or recertification audit visits every site (sampling is for surveillance only); "
                f"not planned: {', '.join(missing)}.",
            )
        return
    need = sample_size(len(sites_in_scope))
    if len(set(visited)) < need:
        raise RuleViolation(
            "004 §11",
            f"{len(sites_in_scope)} 个场所的抽样至少应覆盖 {need} 个（场所数的平方根，向上取整）；已安排 {len(set(visited))} 个。",
            f"Sampling {len(sites_in_scope)} sites visits at least {need} (the square root, rounded up); planned {len(set(visited))}.",
        )


def plan(kind: str, sites_in_scope: list[str], headcount: int, sites: list[str] | None, man_days: Decimal | None,
         man_days_reason: str, combined: str | None, reduction: Decimal | None,
         procedure: Any = None) -> tuple[list[str], dict[str, Any], Decimal]:
    """An audit's plan: the sites visited (those given, else every site for an initial, transfer or
    recertification audit, none for stage 1, the minimum sample for surveillance), the man-days
    computed (004 §16.2; a stage 1's by the client's ``procedure``, D63) and those planned, which may
    differ only with a recorded reason (001 §4.3.1.2). Returns the sites, the calculation recorded
    with the plan, and the man-days."""
    if sites:
        visited = list(sites)
    elif kind in ("stage2", "transfer", "recertification"):
        visited = list(sites_in_scope)
    elif kind == "stage1":
        visited = []
    else:
        visited = sites_in_scope[: sample_size(len(sites_in_scope))] if sites_in_scope else []
    check_sites_visited(kind, sites_in_scope, visited)
    calculated = audit_man_days(kind, headcount or 1, max(1, len(sites_in_scope)), combined, reduction, procedure)
    planned = man_days if man_days is not None else calculated["man_days"]
    overridden = planned != calculated["man_days"]
    if overridden and not (man_days_reason or "").strip():
        basis = procedure.stage1_clause if kind == "stage1" and procedure is not None else "004 §16.2"
        raise RuleViolation(
            "001 §4.3.1.2",
            f"计划人日 {planned} 与按 {basis} 核算的 {calculated['man_days']} 人日不同；增减人日须说明合理理由并记录（--man-days-reason）。",
            f"Planned man-days {planned} differ from the {calculated['man_days']} computed under {basis}; "
            "a change needs a recorded reason (--man-days-reason).",
        )
    calculation = {
        "calculated_man_days": calculated["man_days"], "steps": calculated["steps"],
        "sites_in_scope": len(sites_in_scope), "sample_size": sample_size(len(sites_in_scope)) if sites_in_scope else 0,
        "overridden": overridden, "override_reason": (man_days_reason or "").strip() if overridden else "",
    }
    return visited, calculation, planned
