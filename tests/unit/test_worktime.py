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


def test_a_year_without_calendar_data_is_a_clear_error_naming_the_year():
    with pytest.raises(CalendarUnknown) as caught:
        calendar.due_at(at(2026, 12, 30), 5, TimeUnit.WORKDAYS)
    assert "2027 年" in caught.value.message and "catalog/calendar.yaml" in caught.value.message


def test_a_city_can_enter_a_later_year_itself():
    city = load_calendar({"office_hours": [["09:00", "17:00"]],
                          "years": {2027: {"complete": True, "holidays": ["2027-01-01"], "workdays": []}}})  # fmt: skip
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
