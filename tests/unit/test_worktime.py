"""Deadlines on China's official working calendar."""

from datetime import date, datetime, time, timedelta

import pytest

from govgrid.catalog import CatalogError
from govgrid.catalog.calendars import load_calendar
from govgrid.domain.worktime import CHINA, CalendarUnknown, TimeUnit

calendar = load_calendar()


def at(y, m, d, hh=9, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=CHINA)


def test_three_workdays_from_the_eve_of_national_day_end_on_the_adjusted_saturday():
    due = calendar.due_at(at(2026, 9, 30, 10), 3, TimeUnit.WORKDAYS)
    assert due.date() == date(2026, 10, 10) and due.weekday() == 5 and due.time() == time(23, 59, 59)


def test_the_day_the_clock_starts_is_not_counted_as_a_workday():
    assert calendar.due_at(at(2026, 11, 16), 1, TimeUnit.WORKDAYS).date() == date(2026, 11, 17)


def test_four_work_hours_skip_the_lunch_break():
    assert calendar.due_at(at(2026, 11, 18, 10, 0), 4, TimeUnit.WORK_HOURS) == at(2026, 11, 18, 15, 30)


def test_work_hours_started_on_friday_afternoon_continue_on_monday_morning():
    due = calendar.due_at(at(2026, 11, 20, 16, 30), 4, TimeUnit.WORK_HOURS)
    assert due == at(2026, 11, 23, 11, 30)


def test_work_hours_started_at_night_begin_when_the_office_opens():
    assert calendar.due_at(at(2026, 11, 18, 22, 0), 2, TimeUnit.WORK_HOURS) == at(2026, 11, 19, 10, 30)


def test_emergency_hours_run_day_and_night():
    assert calendar.due_at(at(2026, 10, 1, 23, 0), 2, TimeUnit.EMERGENCY_HOURS) == at(2026, 10, 2, 1, 0)


def test_natural_days_count_holidays_too():
    assert calendar.due_at(at(2026, 9, 30), 3, TimeUnit.NATURAL_DAYS).date() == date(2026, 10, 3)


def test_working_time_between_two_moments_counts_office_hours_only():
    assert calendar.work_time_between(at(2026, 11, 20, 16, 30), at(2026, 11, 23, 9, 30)) == timedelta(hours=2)


def test_a_year_not_yet_announced_is_counted_on_the_statutory_holidays_and_marked_provisional():
    deadline = calendar.due(at(2026, 12, 30), 5, TimeUnit.WORKDAYS)
    # 12-31, then 2027-01-01 (元旦) is off, 01-02/03 a weekend: 01-04 … 01-07
    assert deadline.at.date() == date(2027, 1, 7) and deadline.is_provisional
    assert not calendar.due(at(2026, 11, 2), 5, TimeUnit.WORKDAYS).is_provisional


def test_a_provisional_year_has_the_thirteen_statutory_days_off_and_no_tiaoxiu():
    from govgrid.domain.worktime import statutory_holidays

    days = statutory_holidays(2027)
    assert len(days) == 13 and days[date(2027, 2, 5)] == "农历除夕" and days[date(2027, 9, 15)] == "中秋节"
    assert not calendar.is_workday(date(2027, 2, 8)) and calendar.is_workday(date(2027, 2, 9))  # no 补休
    assert not calendar.is_workday(date(2027, 2, 14))  # a Sunday stays a rest day: no 调休 is guessed
    assert calendar.is_provisional(2027) and not calendar.is_provisional(2026)


def test_clock_hours_and_natural_days_are_never_provisional():
    assert not calendar.due(at(2026, 12, 30), 48, TimeUnit.EMERGENCY_HOURS).is_provisional
    assert not calendar.due(at(2026, 12, 30), 10, TimeUnit.NATURAL_DAYS).is_provisional


def test_a_year_outside_every_rule_is_a_clear_error_naming_the_year():
    with pytest.raises(CalendarUnknown) as caught:
        calendar.is_workday(date(2206, 1, 1))
    assert "2206" in caught.value.message


def test_a_year_entered_from_the_notice_replaces_the_provisional_rules():
    from govgrid.catalog.calendars import load_calendar as fresh
    from govgrid.domain.worktime import YearOverride

    entered = fresh()
    entered.enter_years(
        {
            2027: YearOverride(
                frozenset({date(2027, 1, 1), date(2027, 2, 9)}),
                frozenset({date(2027, 2, 14)}),
                is_complete=True,
            )
        }
    )
    assert not entered.is_workday(date(2027, 2, 9)) and entered.is_workday(date(2027, 2, 14))
    assert not entered.due(at(2026, 12, 30), 5, TimeUnit.WORKDAYS).is_provisional
    assert entered.last_official_day() == date(2027, 12, 31) and calendar.last_official_day() == date(
        2026, 12, 31
    )


def test_a_city_can_enter_a_later_year_itself():
    city = load_calendar(
        {
            "office_hours": [["09:00", "17:00"]],
            "years": {2027: {"complete": True, "holidays": ["2027-01-01"], "workdays": []}},
        }
    )
    assert not city.is_workday(date(2027, 1, 1))
    assert city.due_at(at(2026, 12, 31), 1, TimeUnit.WORKDAYS).date() == date(2027, 1, 4)


def test_a_malformed_calendar_names_the_field_and_value():
    with pytest.raises(CatalogError, match="不是日期"):
        load_calendar({"office_hours": [["08:30", "12:00"]], "years": {2027: {"holidays": ["2027-13-01"]}}})
    with pytest.raises(CatalogError, match="office_hours"):
        load_calendar({"office_hours": [["12:00", "08:30"]]})


def test_a_deadline_needs_a_time_zone_and_a_positive_limit():
    with pytest.raises(Exception, match="时区"):
        calendar.due_at(datetime(2026, 11, 18, 9), 1, TimeUnit.WORKDAYS)
    with pytest.raises(Exception, match="正数"):
        calendar.due_at(at(2026, 11, 18), 0, TimeUnit.WORKDAYS)
