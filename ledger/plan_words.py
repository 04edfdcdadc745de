"""The words of an audit plan that are not a vocabulary's: the steps of its man-days calculation.

The steps are stored in the ``AuditPlanned`` event as the Chinese text the planning calculator wrote
(``ledger.rules.planning.audit_man_days``), with their figures inside the text and no structured
form beside them. English is given by ``STEP_PHRASINGS``: each phrasing ever stored, as a pattern
with its figures named, and its English. A phrasing is never removed from the table (ledgers keep
the events that hold it); if the calculator's wording changes, the new phrasing is added beside the
old. A step no phrasing matches is shown as recorded and marked as such in English, never mixed in
silently. Chinese is always the stored text itself. The English says what the stored step says, its
clause included: a step is worded, never corrected.

A plan's audit method is worded as recorded, by its vocabulary (FS01 on-site, FS02 remote, FS03
combined, offsite: an off-site document review). Whether an audit kind is off-site is the client's
procedure's to say (``off_site_audits`` in its procedure file: 004 §16.2 "一阶段为非现场"; 001 says it of
no kind), and it decides the method a plan records when none is given
(``ledger.rules.planning.audit_method``); the words never override a recorded method (D62).
"""

from __future__ import annotations

import re
from typing import Any, Callable

# what a combined audit is combined with (004 §10, 与其他管理体系的结合评价), by the code the step records
COMBINED_AUDITS: dict[str, tuple[str, str]] = {
    "qms": ("质量管理体系审核", "quality management system audit"),
    "credit": ("信用评价", "credit evaluation"),
}


def _count(n: str, one: str, many: str) -> str:
    return f"{n} {one if n == '1' else many}"


def _combined(code: str) -> str:
    pair = COMBINED_AUDITS.get(code)
    return f"combined with a {pair[1]} ({code})" if pair else f"combined audit ({code})"


# Each stored phrasing (the calculator's template, its figures in braces) and its English.
STEP_PHRASINGS: list[tuple[str, Callable[[dict[str, str]], str]]] = [
    ("004 §16.2: 一阶段非现场 0.5 人日",
     lambda f: "004 §16.2: stage 1 is off-site, 0.5 man-days"),
    # D63: a stage 1's man-days are its procedure's (stage1_man_days), the step naming its clause
    ("{clause}: 一阶段为文件审核，不占审核人日 → {days} 人日",
     lambda f: f"{f['clause']}: stage 1 is the document review, outside the audit man-days → {_count(f['days'], 'man-day', 'man-days')}"),
    ("{clause}: 一阶段非现场 {days} 人日",
     lambda f: f"{f['clause']}: stage 1 is off-site, {_count(f['days'], 'man-day', 'man-days')}"),
    ("{clause}: 一阶段 {days} 人日",
     lambda f: f"{f['clause']}: stage 1, {_count(f['days'], 'man-day', 'man-days')}"),
    ("004 §16.2 a, b: {headcount} 人、{sites} 个场所 → 初审二阶段 {initial} 人日",
     lambda f: f"004 §16.2 a, b: {_count(f['headcount'], 'person', 'people')}, {_count(f['sites'], 'site', 'sites')}"
               f" → initial audit, stage 2: {_count(f['initial'], 'man-day', 'man-days')}"),
    ("004 §16.2 c: 监督为初审的 1/3，最低 1 人日 → {days}",
     lambda f: f"004 §16.2 c: surveillance is 1/3 of the initial audit, at least 1 man-day → {f['days']}"),
    ("004 §16.2 d: 再认证为初审的 2/3，最低 2 人日 → {days}",
     lambda f: f"004 §16.2 d: recertification is 2/3 of the initial audit, at least 2 man-days → {f['days']}"),
    ("结合审核（{combined}）减少 {cut}% → {days}",
     lambda f: f"{_combined(f['combined'])}: reduced by {f['cut']}% → {f['days']}"),
]
UNTRANSLATED = "[not translated, as recorded] {}"

_PATTERNS: list[tuple[re.Pattern[str], Callable[[dict[str, str]], str]]] = []


def _patterns() -> list[tuple[re.Pattern[str], Callable[[dict[str, str]], str]]]:
    """The phrasings as regular expressions (a figure in braces matches any text), compiled once."""
    if not _PATTERNS:
        for template, english in STEP_PHRASINGS:
            parts = re.split(r"\{(\w+)\}", template)
            body = "".join(f"(?P<{p}>.+?)" if i % 2 else re.escape(p) for i, p in enumerate(parts))
            _PATTERNS.append((re.compile(body), english))
    return _PATTERNS


def step_words(step: Any, lang: str = "zh") -> str:
    """One stored step in ``lang``: in Chinese the stored text; in English by the phrasing it matches,
    else as recorded and marked (a step with no Chinese in it is shown as it is)."""
    text = str(step)
    if lang != "en":
        return text
    for pattern, english in _patterns():
        found = pattern.fullmatch(text)
        if found:
            return english(found.groupdict())
    return UNTRANSLATED.format(text) if re.search(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", text) else text


def steps_words(steps: Any, lang: str = "zh", sep: str | None = None) -> str:
    """The stored steps joined in ``lang`` (``sep`` as given, else ；or ; )."""
    joiner = sep if sep is not None else ("; " if lang == "en" else "；")
    return joiner.join(step_words(s, lang) for s in steps or [])
