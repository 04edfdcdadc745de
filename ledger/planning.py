"""Audit planning calculators (004 §16.2 audit man-days, 004 §11 multi-site sampling).

Pure functions: the result is a figure and the reasoning behind it, recorded with the audit plan.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from aggregates.errors import RuleViolation

HALF = Decimal("0.5")
# 004 §16.2: a combined audit may reduce the man-days by up to 30 % (with a quality management
# system audit) or 50 % (with a credit evaluation). The document gives the ceilings; the body
# chooses the reduction within them.
COMBINED_CEILINGS = {"qms": Decimal("0.30"), "credit": Decimal("0.50")}


def initial_man_days(headcount: int, sites: int) -> Decimal:
    """Stage 2 of an initial audit: 1-50 people 2 days, 51-200 3, more than 200 4; +0.5 per
    additional site (004 §16.2 a, b)."""
    if headcount < 1 or sites < 1:
        raise RuleViolation("004 §16.2", "人数和场所数必须至少为 1。", "Headcount and number of sites must be at least 1.")
    base = Decimal(2 if headcount <= 50 else 3 if headcount <= 200 else 4)
    return base + HALF * (sites - 1)


def audit_man_days(kind: str, headcount: int, sites: int, combined: str | None = None,
                   reduction: Decimal | None = None) -> dict[str, Any]:
    """Man-days for an audit of ``kind`` with the 004 §16.2 steps that produced them."""
    steps: list[str] = []
    if kind == "stage1":
        days = HALF
        steps.append("004 §16.2: 一阶段非现场 0.5 人日")
    else:
        initial = initial_man_days(headcount, sites)
        steps.append(f"004 §16.2 a, b: {headcount} 人、{sites} 个场所 → 初审二阶段 {initial} 人日")
        if kind in ("stage2", "transfer"):
            days = initial
        elif kind in ("surveillance", "unscheduled"):
            days = max(Decimal(1), (initial / 3).quantize(HALF, rounding="ROUND_UP"))
            steps.append(f"004 §16.2 c: 监督为初审的 1/3，最低 1 人日 → {days}")
        elif kind == "recertification":
            days = max(Decimal(2), (initial * 2 / 3).quantize(HALF, rounding="ROUND_UP"))
            steps.append(f"004 §16.2 d: 再认证为初审的 2/3，最低 2 人日 → {days}")
        else:
            raise RuleViolation("ledger: vocabulary", f"未知的审核类型“{kind}”。", f"Unknown audit kind '{kind}'.")
    if combined:
        ceiling = COMBINED_CEILINGS.get(combined)
        if ceiling is None:
            raise RuleViolation("004 §16.2", f"结合审核类型应为 qms 或 credit，而非“{combined}”。", f"A combined audit is qms or credit, not '{combined}'.")
        cut = ceiling if reduction is None else reduction
        if not Decimal(0) <= cut <= ceiling:
            raise RuleViolation("004 §16.2", f"结合审核最多减少 {ceiling:%}；给出的是 {cut}。", f"A combined audit saves at most {ceiling:%}; got {cut}.")
        days = (days * (1 - cut)).quantize(HALF, rounding="ROUND_UP")
        steps.append(f"结合审核（{combined}）减少 {cut * 100:.0f}% → {days}")
    return {"man_days": days, "steps": steps}


def sample_size(sites: int) -> int:
    """Sites to visit under multi-site sampling: at least the square root of the number of sites,
    rounded up (004 §11, note 2)."""
    if sites < 1:
        raise RuleViolation("004 §11", "场所数必须至少为 1。", "The number of sites must be at least 1.")
    return math.isqrt(sites - 1) + 1
