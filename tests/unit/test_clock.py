"""Business dates at UTC+8 (ledger.clock, D50): ``today`` reads the date at a fixed UTC+8 instead of
loading the Asia/Shanghai zone, which is the same date as long as the time zone database keeps
Shanghai at UTC+8 without daylight saving (so since 1991). Held against the installed database,
so that a change there fails here."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from ledger import clock


def test_the_fixed_offset_gives_the_zones_date_at_every_hour_from_1992_to_2100():
    zone = ZoneInfo("Asia/Shanghai")
    instant = datetime(1992, 1, 1, tzinfo=timezone.utc)
    while instant.year < 2100:
        assert instant.astimezone(clock._BEIJING_NOW).date() == instant.astimezone(zone).date(), instant
        instant += timedelta(hours=7, minutes=30)  # every hour of the day, in turn, over the years


def test_the_zone_and_the_recorded_time_are_as_they_were():
    assert clock.SHANGHAI is ZoneInfo("Asia/Shanghai")
    assert clock.event_time(datetime(2026, 3, 1, 16, 30, 5, tzinfo=timezone.utc)) == "2026-03-02 00:30:05"
    assert clock.today() in {datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=d) for d in (-1, 0)}
