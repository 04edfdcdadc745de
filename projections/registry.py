"""Every read model, by name, in the order they are listed and rebuilt (projections/catalogue.py)."""

from __future__ import annotations

from typing import Iterable

from aggregates.errors import RuleViolation
from projections.base import Projection
from projections.catalogue import NAMES


def all_projections() -> list[Projection]:
    """Every read model, in the catalogue's order."""
    from projections.clients import Clients, Grades
    from projections.deadlines import OpenDeadlines
    from projections.nonconformities import OpenNonconformities
    from projections.register import Register
    from projections.summaries import Summaries
    from projections.trail import AuditTrail

    found = {p.name: p for p in (Clients(), Grades(), Register(), OpenNonconformities(), OpenDeadlines(), Summaries(), AuditTrail())}
    return [found[name] for name in NAMES]


def select_projections(names: Iterable[str] | None = None) -> list[Projection]:
    """The projections named (all when ``names`` is empty); an unknown name lists the known ones."""
    everything = all_projections()
    wanted = list(names or [])
    if not wanted:
        return everything
    by_name = {p.name: p for p in everything}
    unknown = [n for n in wanted if n not in by_name]
    if unknown:
        known_zh = "、".join(f"{p.name}（{p.help_zh}）" for p in everything)
        known_en = "; ".join(f"{p.name} ({p.help_en})" for p in everything)
        raise RuleViolation(
            "ledger: known read models",
            f"没有名为 {', '.join(unknown)} 的读模型；可选：{known_zh}。",
            f"No read model named {', '.join(unknown)}; the read models are: {known_en}.",
        )
    return [by_name[n] for n in dict.fromkeys(wanted)]
