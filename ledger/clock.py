"""Business dates are dates in Asia/Shanghai. The only place that reads the clock for them, and the
one way a recorded time is shown (Beijing time)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

# Asia/Shanghai has kept UTC+8 without daylight saving since 1991, so today's date there is the
# date at UTC+8: read so, ``today`` (which show calls) does not import zoneinfo and read the time
# zone database (D50). ``SHANGHAI``, the zone itself, is loaded when first asked for.
_BEIJING_NOW = timezone(timedelta(hours=8), "Asia/Shanghai")


def _shanghai() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")  # the same object at every call (zoneinfo keeps it by key)


def __getattr__(name: str) -> Any:
    if name == "SHANGHAI":
        return _shanghai()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def today() -> date:
    return datetime.now(_BEIJING_NOW).date()


def event_time(moment: datetime) -> str:
    """A recorded time as shown to people: Beijing time, to the second."""
    return moment.astimezone(_shanghai()).strftime("%Y-%m-%d %H:%M:%S")
