"""The deadline calendar: Chinese statutory working days and Civil Code periods (no database)."""

import subprocess
import sys
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.rules import calendar as calendar_module
from ledger.rules.calendar import Calendar, CalendarError, Deadline, last_published_year

CAL = Calendar()


def days(first: date, last: date):
    d = first
    while d <= last:
        yield d
        d += timedelta(days=1)


# -- working days around published holidays ----------------------------------------------------


def test_national_day_2025_is_off_from_october_1_to_8():
    assert not any(CAL.is_working_day(d) for d in days(date(2025, 10, 1), date(2025, 10, 8)))
    assert CAL.is_working_day(date(2025, 10, 9))


def test_make_up_sunday_and_saturday_around_national_day_2025_are_working_days():
    assert CAL.is_working_day(date(2025, 9, 28))  # Sunday
    assert CAL.is_working_day(date(2025, 10, 11))  # Saturday
    assert not CAL.is_working_day(date(2025, 10, 12))  # ordinary Sunday


def test_working_days_skip_national_day_2025():
    assert CAL.add_working_days(date(2025, 9, 26), 1).due == date(2025, 9, 28)
    assert CAL.add_working_days(date(2025, 9, 30), 1).due == date(2025, 10, 9)
    assert CAL.add_working_days(date(2025, 9, 30), 3).due == date(2025, 10, 11)
    assert CAL.working_days_between(date(2025, 9, 30), date(2025, 10, 11)) == 3


def test_regulator_report_thirty_working_days_after_issue_before_national_day_2025():
    deadline = CAL.add_working_days(date(2025, 9, 15), 30)
    # Sep 16-30: 12 working days (incl. Sunday 28); Oct 9-31: 18 (incl. Saturday 11).
    assert deadline == Deadline(date(2025, 10, 31), False, "30 个工作日", "30 working days")


def test_five_days_ending_in_national_day_2025_are_extended_to_the_next_working_day():
    deadline = CAL.add_days(date(2025, 9, 29), 5)
    assert deadline.due == date(2025, 10, 9)
    assert "2025-10-04" in deadline.rule and "顺延" in deadline.rule
    assert "extended to 2025-10-09" in deadline.rule_en


def test_a_period_ending_on_a_make_up_working_day_is_not_extended():
    assert CAL.add_days(date(2025, 10, 1), 10).due == date(2025, 10, 11)  # Saturday, worked


def test_spring_festival_2026_is_off_from_february_15_to_23_with_two_make_up_saturdays():
    assert not any(CAL.is_working_day(d) for d in days(date(2026, 2, 15), date(2026, 2, 23)))
    assert CAL.is_working_day(date(2026, 2, 14)) and CAL.is_working_day(date(2026, 2, 28))
    assert CAL.add_working_days(date(2026, 2, 13), 1).due == date(2026, 2, 14)
    assert CAL.add_working_days(date(2026, 2, 14), 1).due == date(2026, 2, 24)


def test_new_year_2026_is_off_january_1_to_3_and_sunday_january_4_is_worked():
    assert not any(CAL.is_working_day(d) for d in days(date(2026, 1, 1), date(2026, 1, 3)))
    assert CAL.is_working_day(date(2026, 1, 4))
    assert CAL.add_working_days(date(2025, 12, 31), 1).due == date(2026, 1, 4)
    assert CAL.working_days_between(date(2025, 12, 30), date(2026, 1, 5)) == 3  # 31, 4, 5


def test_working_days_between_an_earlier_end_is_negative():
    assert CAL.working_days_between(date(2025, 10, 11), date(2025, 9, 30)) == -3
    assert CAL.working_days_between(date(2025, 10, 3), date(2025, 10, 3)) == 0


def test_negative_working_days_count_back_for_a_notice_period():
    # A meeting on Friday 2025-10-17 with 5 working days' notice: Mon 13 .. Fri 17 count, and
    # the working day before them is the make-up Saturday 2025-10-11.
    assert CAL.add_working_days(date(2025, 10, 17), -5).due == date(2025, 10, 11)
    assert CAL.add_working_days(date(2025, 10, 13), -4).due == date(2025, 9, 30)  # skips the holiday


# -- months and years ---------------------------------------------------------------------------


def test_january_31_plus_one_month_is_the_last_day_of_february():
    assert CAL.add_months(date(2025, 1, 31), 1).due == date(2025, 2, 28)
    assert CAL.add_months(date(2024, 1, 31), 1).due == date(2024, 2, 29)
    assert "月末" in CAL.add_months(date(2025, 1, 31), 1).rule


def test_month_end_falling_on_a_weekend_is_extended_unless_asked_not_to():
    # 2025-03-31 + 2 months = 2025-05-31, Dragon Boat Festival, off until Monday June 2.
    assert CAL.add_months(date(2025, 3, 31), 2).due == date(2025, 6, 3)
    assert CAL.add_months(date(2025, 3, 31), 2, extend_to_working_day=False).due == date(2025, 5, 31)


def test_twelve_months_cross_years_and_keep_the_day():
    assert CAL.add_months(date(2025, 3, 15), 12).due == date(2026, 3, 16)  # 15th is a Sunday
    assert CAL.add_months(date(2025, 3, 15), 12, extend_to_working_day=False).due == date(2026, 3, 15)
    assert CAL.add_months(date(2025, 11, 30), 3, extend_to_working_day=False).due == date(2026, 2, 28)


def test_leap_day_plus_one_year_is_february_28():
    assert CAL.add_years(date(2024, 2, 29), 1).due == date(2025, 2, 28)
    assert CAL.add_years(date(2024, 2, 29), 4, extend_to_working_day=False).due == date(2028, 2, 29)


def test_certificate_validity_is_not_extended_over_national_day():
    validity = CAL.add_years(date(2022, 10, 1), 3, extend_to_working_day=False)
    assert validity.due == date(2025, 10, 1)
    assert "不顺延" in validity.rule and "not extended" in validity.rule_en
    assert CAL.add_years(date(2022, 10, 1), 3).due == date(2025, 10, 9)


def test_negative_calendar_periods_are_refused_in_both_languages():
    with pytest.raises(CalendarError) as info:
        CAL.add_days(date(2025, 1, 1), -1)
    assert "负数" in str(info.value) and "negative" in info.value.message_en


def test_datetimes_are_refused():
    from datetime import datetime

    with pytest.raises(TypeError):
        CAL.is_working_day(datetime(2025, 1, 1, 12))


# -- the last published year and provisional results ---------------------------------------------


def test_last_published_year_matches_what_the_package_really_knows():
    import holidays

    known = holidays.country_holidays("CN", years=range(2001, last_published_year() + 5))
    assert last_published_year() == max(d.year for d in known.weekend_workdays)
    assert calendar_module.LAST_PUBLISHED_YEAR == last_published_year()
    assert last_published_year() >= 2026


def test_the_first_unpublished_year_is_provisional_and_has_no_make_up_days():
    year = last_published_year() + 1
    assert CAL.is_provisional(date(year, 6, 1))
    assert not CAL.is_provisional(date(year - 1, 6, 1))
    weekend = [d for d in days(date(year, 1, 1), date(year, 12, 31)) if d.weekday() >= 5]
    assert not any(CAL.is_working_day(d) for d in weekend)
    assert not CAL.is_working_day(date(year, 10, 1)) and not CAL.is_working_day(date(year, 1, 1))
    assert "provisional" in CAL.source(year)


def test_a_deadline_reaching_into_an_unpublished_year_is_provisional():
    year = last_published_year()
    assert CAL.add_working_days(date(year, 12, 1), 40).provisional
    assert not CAL.add_working_days(date(year, 6, 1), 5).provisional
    assert CAL.add_years(date(year, 6, 1), 3).provisional
    # A validity end does not consult the calendar, so it is never provisional.
    assert not CAL.add_years(date(year, 6, 1), 3, extend_to_working_day=False).provisional


# -- calendar files supplied by a body -----------------------------------------------------------

# A year no notice will cover for a long time, whatever the installed package knows.
FUTURE = 2099


def first_saturday_after(d: date) -> date:
    d += timedelta(days=1)
    while d.weekday() != 5:
        d += timedelta(days=1)
    return d


def notice_file(year: int, extra_holidays: str = "") -> str:
    saturdays = [first_saturday_after(date(year, 2, 12)), first_saturday_after(date(year, 10, 7))]
    return (
        f"year = {year}\n"
        f'notice = "国务院办公厅关于{year}年部分节假日安排的通知（测试用）"\n'
        f"holidays = [{extra_holidays}{year}-01-01, [{year}-02-05, {year}-02-12], {year}-05-01,"
        f" [{year}-10-01, {year}-10-07]]\n"
        f"working_days = [{', '.join(d.isoformat() for d in saturdays)}]\n"
    )


def write(tmp_path, year, text):
    path = tmp_path / f"{year}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_body_file_makes_an_unpublished_year_known(tmp_path):
    write(tmp_path, FUTURE, notice_file(FUTURE))
    cal = Calendar(extra_dir=tmp_path)
    assert CAL.is_provisional(date(FUTURE, 3, 1))
    assert not cal.is_provisional(date(FUTURE, 3, 1))
    assert not any(cal.is_working_day(d) for d in days(date(FUTURE, 2, 5), date(FUTURE, 2, 12)))
    assert cal.is_working_day(first_saturday_after(date(FUTURE, 2, 12)))
    assert not CAL.is_working_day(first_saturday_after(date(FUTURE, 2, 12)))
    assert not cal.add_working_days(date(FUTURE, 3, 1), 5).provisional
    assert str(tmp_path) in cal.source(FUTURE)


def test_a_body_file_overrides_the_package_for_a_published_year(tmp_path):
    write(
        tmp_path,
        2025,
        'year = 2025\nnotice = "test"\n'
        "holidays = [2025-01-01, 2025-05-01, [2025-10-01, 2025-10-03]]\n"
        "working_days = [2025-10-12]\n",
    )
    cal = Calendar(extra_dir=tmp_path)
    assert cal.is_working_day(date(2025, 10, 8))  # the package says off
    assert cal.is_working_day(date(2025, 10, 12))  # a Sunday the file makes a working day
    assert not cal.is_working_day(date(2025, 9, 28))  # the package's make-up Sunday is gone
    assert CAL.is_working_day(date(2025, 9, 28))  # other Calendar instances are unaffected


def test_next_years_file_can_move_days_at_the_end_of_december(tmp_path):
    write(tmp_path, FUTURE, notice_file(FUTURE, extra_holidays=f"{FUTURE - 1}-12-31, "))
    cal = Calendar(extra_dir=tmp_path)
    assert date(FUTURE - 1, 12, 31).weekday() < 5
    assert not cal.is_working_day(date(FUTURE - 1, 12, 31))
    assert CAL.is_working_day(date(FUTURE - 1, 12, 31))
    assert cal.is_provisional(date(FUTURE - 1, 12, 31))  # the rest of that year is still unknown


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        ("year = 2027\nholidays = [2027-01-01]\n", "notice", "notice"),
        ('year = 2028\nnotice = "x"\nholidays = []\n', "year = 2027", "year = 2027"),
        ('year = 2027\nnotice = "x"\nholidays = ["2027-02-30"]\n', "不是有效日期", "not a valid date"),
        ('year = 2027\nnotice = "x"\nholidays = [2027-02-30]\n', "TOML", "TOML"),
        ('year = 2027\nnotice = "x"\nholidays = [2026-06-01]\n', "不在 2027 年", "not in 2027"),
        (
            'year = 2027\nnotice = "x"\nholidays = [2027-01-01, 2027-05-01, 2027-10-01, 2027-02-06]\n'
            "working_days = [2027-02-06]\n",
            "既列为放假日又列为调休上班日",
            "both as a holiday and as a working day",
        ),
        (
            'year = 2027\nnotice = "x"\nholidays = [2027-01-01, 2027-05-01, 2027-10-01]\n'
            "working_days = [2027-02-08]\n",
            "周六、周日",
            "weekday",
        ),
        ('year = 2027\nnotice = "x"\nholidays = [2027-01-01]\n', "2027-05-01", "2027-05-01"),
        ('year = 2027\nnotice = "x"\nworkdays = []\n', "未知的键", "unknown keys"),
        ('year = 2027\nnotice = "x"\nholidays = [[2027-10-07, 2027-10-01]]\n', "末日早于首日", "before the first"),
    ],
)
def test_a_bad_calendar_file_is_refused_naming_the_file_and_the_fix(tmp_path, text, zh, en):
    path = write(tmp_path, 2027, text)
    with pytest.raises(CalendarError) as info:
        Calendar(extra_dir=tmp_path).is_working_day(date(2027, 3, 1))
    error = info.value
    assert isinstance(error, ValueError)
    assert str(error) == error.message_zh
    assert str(path) in error.message_zh and zh in error.message_zh
    assert str(path) in error.message_en and en in error.message_en


# -- cross-check against chinesecalendar ---------------------------------------------------------

# Days on which chinesecalendar and the State Council notice disagree; ours follows the notice.
KNOWN_CHINESECALENDAR_ERRORS = {
    # 国办发明电〔2005〕35号 (2006 arrangement): "12月31日（星期六）上班"; chinesecalendar 1.11 says rest.
    date(2005, 12, 31): True,
}


def test_every_day_of_2020_to_2026_agrees_with_chinesecalendar():
    chinese_calendar = pytest.importorskip("chinese_calendar")
    disagreements = [
        d
        for d in days(date(2020, 1, 1), date(2026, 12, 31))
        if CAL.is_working_day(d) != chinese_calendar.is_workday(d)
    ]
    assert disagreements == []


def test_2004_to_2019_disagree_with_chinesecalendar_only_where_it_contradicts_the_notice():
    chinese_calendar = pytest.importorskip("chinese_calendar")
    disagreements = {
        d: CAL.is_working_day(d)
        for d in days(date(2004, 1, 1), date(2019, 12, 31))
        if CAL.is_working_day(d) != chinese_calendar.is_workday(d)
    }
    assert disagreements == KNOWN_CHINESECALENDAR_ERRORS


# -- properties -----------------------------------------------------------------------------------

dates = st.dates(min_value=date(2015, 1, 1), max_value=date(2028, 12, 31))


@given(dates, st.integers(min_value=1, max_value=80))
def test_adding_working_days_lands_on_a_working_day_exactly_n_working_days_later(start, n):
    due = CAL.add_working_days(start, n).due
    assert due > start
    assert CAL.is_working_day(due)
    assert CAL.working_days_between(start, due) == n


@given(dates, st.integers(min_value=1, max_value=80))
def test_counting_working_days_back_is_the_inverse(start, n):
    due = CAL.add_working_days(start, -n).due
    assert due < start and CAL.is_working_day(due)
    assert CAL.working_days_between(due, start) == n - 1 + CAL.is_working_day(start)


@given(dates, st.integers(min_value=0, max_value=400))
def test_calendar_day_periods_end_on_the_first_working_day_on_or_after_the_last_day(start, n):
    end = start + timedelta(days=n)
    due = CAL.add_days(start, n).due
    assert CAL.is_working_day(due)
    assert end <= due and not any(CAL.is_working_day(d) for d in days(end, due - timedelta(days=1)))


@given(dates, st.integers(min_value=0, max_value=60))
def test_month_periods_keep_the_day_or_take_the_month_end(start, n):
    end = CAL.add_months(start, n, extend_to_working_day=False).due
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == n
    assert end.day == start.day or (end.day < start.day and (end + timedelta(days=1)).day == 1)


# -- start-up cost ----------------------------------------------------------------------------------


def test_importing_the_calendar_does_not_import_holidays():
    code = "import sys, ledger.rules.calendar; assert not {'holidays', 'tomllib'} & set(sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)
