"""Business dates are dates in Asia/Shanghai. The only place that reads the clock for them, and the
one way a recorded time is shown (Beijing time)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def today() -> date:
    return datetime.now(SHANGHAI).date()


def event_time(moment: datetime) -> str:
    """A recorded time as shown to people: Beijing time, to the second."""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
