"""The checks of the body's own acts (aggregates/body.py): a report to the regulator submitted for
a period (市监认证函〔2021〕102号: each month's data by the 10th of the next month)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from aggregates.errors import RuleViolation
from aggregates.policy.common import require_choice, require_text

MONTHLY = "市监认证函〔2021〕102号"  # the rule of the monthly report, named in refusals
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> date:
    """A month written YYYY-MM, as its first day; anything else refused, naming the form."""
    m = _MONTH.match(str(text or "").strip())
    if m is None or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1900:
        raise RuleViolation(MONTHLY, f"月份“{text}”无效：应写作 YYYY-MM，例如 2026-05。",
                            f"Invalid month '{text}': write it as YYYY-MM, e.g. 2026-05.")
    return date(int(m.group(1)), int(m.group(2)), 1)


def month_after(first: date) -> date:
    """The first day of the month after the month that starts on ``first``."""
    return date(first.year + (first.month == 12), first.month % 12 + 1, 1)


def check_submission(body: Any, *, kind: str, period: str, reference: str, correction: str, occurred_on: date,
                     kinds: dict[str, tuple[str, str]]) -> tuple[str, str, str]:
    """A report submitted for a month that has ended, with the regulator's reference; a second
    submission of the same month is a correction and says why. Returns the period, reference and
    correction, cleaned."""
    require_choice(kind, kinds, "报告类型", "report kind")
    first = parse_month(period)
    period = first.strftime("%Y-%m")
    if occurred_on < month_after(first):
        raise RuleViolation(MONTHLY, f"{period} 的数据在该月结束后才能报送（报送日期 {occurred_on}）；请在 {month_after(first)} 及以后记录报送。",
                            f"The data of {period} can be submitted only after the month ends (submitted {occurred_on}); "
                            f"record the submission on {month_after(first)} or later.")
    reference = require_text(reference, "报送编号或回执号（--reference）", "The submission's reference (--reference)", MONTHLY)
    correction = (correction or "").strip()
    earlier = [s for s in body.submissions if s["kind"] == kind and s["period"] == period]
    if earlier and not correction:
        last = earlier[-1]
        raise RuleViolation(MONTHLY, f"{period} 的报告已于 {last['on']} 报送（{last['reference']}）；再次报送是更正，请用 --correction 说明更正的内容。",
                            f"The report of {period} was submitted on {last['on']} ({last['reference']}); a second submission is a "
                            "correction: say what it corrects with --correction.")
    if correction and not earlier:
        raise RuleViolation(MONTHLY, f"{period} 的报告尚未报送，无可更正；请去掉 --correction。",
                            f"The report of {period} has not been submitted, so there is nothing to correct; leave out --correction.")
    return period, reference, correction
