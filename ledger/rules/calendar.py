"""Chinese statutory working days and deadline arithmetic.

Working days: Monday to Friday, except public holidays and the days off of the State Council's
yearly notice (国务院办公厅关于 XXXX 年部分节假日安排的通知), plus the weekend days that notice makes
working days (调休上班).

Sources, per year, first match wins:

1. ``<extra_dir>/<year>.toml``, a body's own copy of the notice;
2. ``ledger/rules/calendars/<year>.toml``, shipped with certledger;
3. the ``holidays`` package, for the years it knows (up to :func:`last_published_year`);
4. otherwise the statutory holidays alone, no make-up working days: *provisional*.

Periods follow the Civil Code (民法典), articles 201-203: the start day is not counted; a
month/year period ends on the corresponding date, or the month's last day if there is none; a
period whose last day is a statutory holiday or rest day ends on the next working day (this can be
switched off for periods that measure validity). See docs/deadlines.md.

Nothing heavy is imported here: ``holidays`` is imported on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

__all__ = [
    "Calendar",
    "CalendarError",
    "CalendarFile",
    "Deadline",
    "FALLBACK_LAST_PUBLISHED_YEAR",
    "FIRST_PUBLISHED_YEAR",
    "LAST_PUBLISHED_YEAR",
    "PACKAGE_CALENDAR_DIR",
    "last_published_year",
    "load_calendar_file",
]

PACKAGE_CALENDAR_DIR = Path(__file__).with_name("calendars")

# The holidays package checks China against the State Council notices from 2001 on.
FIRST_PUBLISHED_YEAR = 2001
# Used only if the package's data cannot be inspected (see last_published_year()).
# holidays 0.109 (installed November 2026) knows the notices up to 2026.
FALLBACK_LAST_PUBLISHED_YEAR = 2026

_ONE_DAY = timedelta(days=1)
_FILE_KEYS = {"year", "notice", "url", "holidays", "working_days"}


class CalendarError(ValueError):
    """A calendar file or a period request is wrong. str() is the Chinese message."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_zh)
        self.message_zh = message_zh
        self.message_en = message_en

    def __str__(self) -> str:
        return self.message_zh


@dataclass(frozen=True)
class Deadline:
    """The last day of a period, whether it rests on a provisional calendar, and how it was computed."""

    due: date
    provisional: bool
    rule: str  # Chinese, e.g. "30 个工作日"
    rule_en: str = ""  # English, e.g. "30 working days"


@dataclass(frozen=True)
class CalendarFile:
    """One year's arrangement as read from ``<year>.toml`` (dates may reach into December of year-1)."""

    path: Path
    year: int
    notice: str
    url: str
    holidays: frozenset[date]
    working_days: frozenset[date]


@dataclass(frozen=True)
class _Year:
    holidays: frozenset[date]  # days off (may include weekend days: harmless)
    working_days: frozenset[date]  # weekend days that are working days
    provisional: bool
    source: str


@lru_cache(maxsize=1)
def last_published_year() -> int:
    """The last year whose State Council notice the installed ``holidays`` package knows.

    Detected as the last year for which the package lists substituted days (调休), which every
    notice since 2001 has had; falls back to FALLBACK_LAST_PUBLISHED_YEAR if the package's
    internals change. Later years are guessed by the package, so we treat them as provisional.
    Remembered per installed package (ledger/rules/holidays_cache.py): importing it takes longer
    than most commands.
    """
    from ledger.rules.holidays_cache import remembered

    return int(remembered("last published year", _last_published_year))


def _last_published_year() -> int:
    try:
        from holidays.countries.china import ChinaStaticHolidays

        return max(int(year) for year in ChinaStaticHolidays.special_public_holidays)
    except (ImportError, AttributeError, TypeError, ValueError):
        return FALLBACK_LAST_PUBLISHED_YEAR


def __getattr__(name: str) -> int:
    # LAST_PUBLISHED_YEAR is computed on first access, so importing this module stays cheap.
    if name == "LAST_PUBLISHED_YEAR":
        return last_published_year()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Calendar:
    """Working days and deadlines. Construct once: per-year data is cached."""

    def __init__(self, extra_dir: Path | None = None) -> None:
        self._dirs = [Path(extra_dir)] if extra_dir is not None else []
        self._dirs.append(PACKAGE_CALENDAR_DIR)
        self._years: dict[int, _Year] = {}
        self._files: dict[int, CalendarFile | None] = {}

    # -- days ---------------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        d = _as_date(d)
        year = self._year(d.year)
        if d in year.working_days:
            return True
        if d in year.holidays:
            return False
        return d.weekday() < 5

    def is_provisional(self, d: date) -> bool:
        """True if d's year has neither a calendar file nor a notice known to ``holidays``."""
        return self._year(_as_date(d).year).provisional

    def source(self, year: int) -> str:
        """Where the year's working days come from (for audit records and error reports)."""
        return self._year(year).source

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b]; negative (minus those in (b, a]) if b is before a."""
        a, b = _as_date(a), _as_date(b)
        if b < a:
            return -self.working_days_between(b, a)
        count, d = 0, a
        while d < b:
            d += _ONE_DAY
            count += self.is_working_day(d)
        return count

    # -- periods ------------------------------------------------------------------------------

    def add_working_days(self, start: date, n: int) -> Deadline:
        """The n-th working day after start (start not counted); n < 0 counts back before start."""
        start = _as_date(start)
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        d, left = start, abs(n)
        while left:
            d += step
            left -= self.is_working_day(d)
        return Deadline(
            due=d,
            provisional=self._any_provisional(start, d),
            rule=f"{n} 个工作日",
            rule_en=f"{n} working day{_s(n)}",
        )

    def add_days(self, start: date, n: int, extend_to_working_day: bool = True) -> Deadline:
        """n calendar days after start (Civil Code art. 201), then art. 203 if asked."""
        start = _as_date(start)
        _check_length(n, "日", "days")
        return self._finish(start + timedelta(days=n), f"{n} 日", f"{n} day{_s(n)}", extend_to_working_day)

    def add_months(self, start: date, n: int, extend_to_working_day: bool = True) -> Deadline:
        """The corresponding date n months on, or that month's last day (art. 202), then art. 203."""
        _check_length(n, "个月", "months")
        return self._shift(start, n, f"{n} 个月", f"{n} month{_s(n)}", extend_to_working_day)

    def add_years(self, start: date, n: int, extend_to_working_day: bool = True) -> Deadline:
        """As add_months with 12n months: Feb 29 + 1 year is Feb 28."""
        _check_length(n, "年", "years")
        return self._shift(start, 12 * n, f"{n} 年", f"{n} year{_s(n)}", extend_to_working_day)

    def _shift(self, start: date, months: int, zh: str, en: str, extend: bool) -> Deadline:
        end, clamped = _shift_months(_as_date(start), months)
        if clamped:
            zh, en = zh + "（无对应日，取月末日）", en + " (no corresponding day: the month's last day)"
        return self._finish(end, zh, en, extend)

    def _finish(self, end: date, zh: str, en: str, extend: bool) -> Deadline:
        if not extend:
            return Deadline(end, False, zh + "（不顺延）", en + " (not extended)")
        due = end
        while not self.is_working_day(due):
            due += _ONE_DAY
        if due != end:
            zh += f"（末日 {end.isoformat()} 为法定休假日，顺延至 {due.isoformat()}）"
            en += f" (last day {end.isoformat()} is a rest day: extended to {due.isoformat()})"
        return Deadline(due, self._any_provisional(end, due), zh, en)

    def _any_provisional(self, a: date, b: date) -> bool:
        first, last = sorted((a.year, b.year))
        return any(self._year(y).provisional for y in range(first, last + 1))

    # -- per-year data ------------------------------------------------------------------------

    def _year(self, year: int) -> _Year:
        if year not in self._years:
            self._years[year] = self._load_year(year)
        return self._years[year]

    def _load_year(self, year: int) -> _Year:
        own = self._file(year)
        if own is not None:
            holidays = {d for d in own.holidays if d.year == year}
            working = {d for d in own.working_days if d.year == year}
            provisional, source = False, f"{own.path}: {own.notice}"
        else:
            holidays, working = _package_year(year)
            provisional = not FIRST_PUBLISHED_YEAR <= year <= last_published_year()
            source = _package_source(year, provisional)
        # Next year's notice may move days at the end of December (2001, 2005, 2006, 2011 ...).
        following = self._file(year + 1)
        if following is not None:
            spill_off = {d for d in following.holidays if d.year == year}
            spill_on = {d for d in following.working_days if d.year == year}
            holidays = (holidays - spill_on) | spill_off
            working = (working - spill_off) | spill_on
            source += f"; 12 月调整 / December changes: {following.path}"
        return _Year(frozenset(holidays), frozenset(working), provisional, source)

    def _file(self, year: int) -> CalendarFile | None:
        if year not in self._files:
            paths = [d / f"{year}.toml" for d in self._dirs]
            found = next((p for p in paths if p.is_file()), None)
            self._files[year] = load_calendar_file(found) if found else None
        return self._files[year]


def _package_year(year: int) -> tuple[set[date], set[date]]:
    from ledger.rules.holidays_cache import year_days

    return year_days(year, _package_year_computed)


def _package_year_computed(year: int) -> tuple[set[date], set[date]]:
    import holidays

    days = holidays.country_holidays("CN", years=year)
    off = {d for d in days if d.year == year}
    on = {d for d in getattr(days, "weekend_workdays", ()) if d.year == year}
    if not FIRST_PUBLISHED_YEAR <= year <= last_published_year():
        on = set()  # never use the package's guesses about make-up working days
    return off, on


def _package_version() -> str:
    import holidays

    return str(getattr(holidays, "__version__", "?"))


def _package_source(year: int, provisional: bool) -> str:
    from ledger.rules.holidays_cache import remembered

    version = remembered("version", _package_version)
    if provisional:
        return (
            f"holidays {version}: {year} 年未公布放假安排，仅按法定节假日推算（临时）"
            f" / no notice known for {year}: statutory holidays only (provisional)"
        )
    return f"holidays {version}"


# -- calendar files -------------------------------------------------------------------------------


def load_calendar_file(path: Path) -> CalendarFile:
    """Read and check ``<year>.toml``; raise CalendarError naming the file and what to fix."""
    from ledger.rules import toml_cache

    path = Path(path)

    def fail(zh: str, en: str) -> CalendarError:
        return CalendarError(f"{path}：{zh}", f"{path}: {en}")

    try:
        data = toml_cache.load(path)  # parsed again only when the file changed (D49)
    except ValueError as e:  # tomllib.TOMLDecodeError, or not UTF-8
        raise fail(
            f"TOML 格式错误（{e}）；日期写作 2025-10-01，不加引号",
            f"invalid TOML ({e}); write dates as 2025-10-01, without quotes",
        ) from e

    if not path.stem.isdigit():
        raise fail("文件名应为年份，如 2027.toml", "the file name must be the year, e.g. 2027.toml")
    year = int(path.stem)
    if unknown := sorted(set(data) - _FILE_KEYS):
        raise fail(
            f"未知的键 {unknown}；允许的键为 {sorted(_FILE_KEYS)}",
            f"unknown keys {unknown}; allowed keys are {sorted(_FILE_KEYS)}",
        )
    if data.get("year") != year:
        raise fail(
            f"year = {data.get('year')!r} 与文件名不符，应为 year = {year}",
            f"year = {data.get('year')!r} does not match the file name; write year = {year}",
        )
    notice = data.get("notice")
    if not isinstance(notice, str) or not notice.strip():
        raise fail(
            "缺少 notice：填写国务院办公厅通知的标题和文号",
            "notice is missing: give the title and number of the State Council notice",
        )
    url = data.get("url", "")
    if not isinstance(url, str):
        raise fail("url 应为字符串", "url must be a string")

    holidays = _read_dates(data.get("holidays", []), "holidays", year, fail)
    working = _read_dates(data.get("working_days", []), "working_days", year, fail)

    if both := sorted(holidays & working):
        listed = ", ".join(d.isoformat() for d in both)
        raise fail(
            f"{listed} 既列为放假日又列为调休上班日，请删去其一",
            f"{listed} listed both as a holiday and as a working day; remove one",
        )
    if weekdays := sorted(d for d in working if d.weekday() < 5):
        listed = ", ".join(d.isoformat() for d in weekdays)
        raise fail(
            f"working_days 只列调休上班的周六、周日；{listed} 本就是工作日",
            f"working_days lists only weekend days that are worked; {listed} is a weekday anyway",
        )
    if missing := [d for d in (date(year, 1, 1), date(year, 5, 1), date(year, 10, 1)) if d not in holidays]:
        listed = ", ".join(d.isoformat() for d in missing)
        raise fail(
            f"holidays 缺少 {listed}：请按通知列出全年所有放假日期",
            f"holidays lacks {listed}: list every day off in the notice, for the whole year",
        )
    return CalendarFile(path, year, notice.strip(), url, frozenset(holidays), frozenset(working))


def _read_dates(items, key: str, year: int, fail) -> set[date]:
    """Dates or inclusive [first, last] ranges, in `year` or in December of year-1."""
    if not isinstance(items, list):
        raise fail(f"{key} 应为日期列表", f"{key} must be a list of dates")
    out: set[date] = set()
    for i, item in enumerate(items, 1):
        where_zh, where_en = f"{key} 第 {i} 项 {item!r}", f"{key} item {i} ({item!r})"
        if isinstance(item, list) and key == "holidays":
            if len(item) != 2:
                raise fail(f"{where_zh}：区间应为 [首日, 末日]", f"{where_en}: a range is [first, last]")
            first, last = (_to_date(x, where_zh, where_en, fail) for x in item)
            if last < first:
                raise fail(f"{where_zh}：末日早于首日", f"{where_en}: the last day is before the first")
            days = [first + timedelta(days=k) for k in range((last - first).days + 1)]
        else:
            days = [_to_date(item, where_zh, where_en, fail)]
        for d in days:
            if d.year != year and not (d.year == year - 1 and d.month == 12):
                raise fail(
                    f"{where_zh}：{d.isoformat()} 不在 {year} 年（仅允许 {year - 1} 年 12 月的调整日）",
                    f"{where_en}: {d.isoformat()} is not in {year} (only December {year - 1} may appear)",
                )
        out.update(days)
    return out


def _to_date(value, where_zh: str, where_en: str, fail) -> date:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise fail(
                f"{where_zh}：不是有效日期，应写作 2025-10-01", f"{where_en}: not a valid date; write 2025-10-01"
            ) from None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise fail(f"{where_zh}：应为日期，如 2025-10-01", f"{where_en}: must be a date such as 2025-10-01")
    return value


# -- helpers --------------------------------------------------------------------------------------


def _as_date(d: date) -> date:
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"expected datetime.date, got {type(d).__name__}")
    return d


def _check_length(n: int, unit_zh: str, unit_en: str) -> None:
    if n < 0:
        raise CalendarError(f"期间不能为负数：{n} {unit_zh}", f"a period cannot be negative: {n} {unit_en}")


def _shift_months(start: date, n: int) -> tuple[date, bool]:
    """The corresponding date n months on, or the month's last day; and whether it was clamped."""
    index = start.year * 12 + start.month - 1 + n
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + month // 12, month % 12 + 1, 1) - _ONE_DAY).day
    return date(year, month, min(start.day, last)), start.day > last


def _s(n: int) -> str:
    return "" if abs(n) == 1 else "s"
