"""Official working time (工作日 / 工作时) on China's calendar, for deadlines and durations.

Where a day's status comes from, first match wins:
  1. a year entered by an operator from the State Council's notice (`govgrid calendar set-year`, kept in
     the database and handed in through `enter_years`);
  2. the city's catalogue (catalog/calendar.yaml: whole years, or corrections to a known one);
  3. the `chinesecalendar` package (2004–2026 at the time of writing);
  4. otherwise the year is **provisional**: the statutory holidays of 国务院令第798号 on their dates
     (元旦 1 day, 春节 4 from 除夕, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3; the lunar ones computed by
     the `holidays` package) and weekends as rest days, with no 调休, until the notice is entered.
     Work never stops for want of a calendar, and every deadline that counts a provisional day says so.
工作时 are hours inside the office day (for example 08:30–12:00 and 13:30–17:30) on workdays."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar
import holidays as holiday_rules

from govgrid.domain.errors import InvalidInput

CHINA = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59)


class TimeUnit(StrEnum):
    EMERGENCY_HOURS = "紧急时"  # wall-clock hours, day and night
    WORK_HOURS = "工作时"
    WORKDAYS = "工作日"
    NATURAL_DAYS = "自然日"


PROVISIONAL_YEARS = range(1990, 2100)  # years the statutory rules can be computed for


class CalendarUnknown(InvalidInput):
    """A year outside every source, even the provisional rules (a typing error such as 2206)."""


class YearSource(StrEnum):
    ENTERED = "entered"  # 录入：an operator entered the State Council's notice
    CATALOGUE = "catalogue"  # 目录：catalog/calendar.yaml (whole year)
    PACKAGE = "package"  # chinesecalendar
    PROVISIONAL = "provisional"  # 暂定：statutory holidays and weekends, no 调休


YEAR_SOURCE_LABEL = {
    YearSource.ENTERED: "已录入国务院办公厅通知",
    YearSource.CATALOGUE: "目录文件",
    YearSource.PACKAGE: "chinesecalendar",
    YearSource.PROVISIONAL: "暂定（未含调休）",
}


@dataclass(frozen=True)
class YearOverride:
    """A year (or corrections to one): statutory holidays and 调休 workdays that fall on weekends."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    is_complete: bool = False  # the whole year is given: do not ask chinesecalendar
    source: str = ""  # the notice it comes from (文号), when entered


@dataclass(frozen=True)
class Deadline:
    """A deadline, and whether it was counted over a provisional year (its 调休 not yet known)."""

    at: datetime
    is_provisional: bool


@lru_cache(maxsize=16384)
def _china_workday(day: date) -> bool:
    """The State Council's calendar (chinesecalendar), cached: the library's own lookup is slow."""
    return bool(chinese_calendar.is_workday(day))


@lru_cache(maxsize=256)
def statutory_holidays(year: int) -> dict[date, str]:
    """The statutory holidays of a year on their own dates (lunar ones computed), without 调休 or 补休."""
    if year not in PROVISIONAL_YEARS:
        raise CalendarUnknown(
            f"{year} 年不在可推算的年份范围内（{PROVISIONAL_YEARS.start}–{PROVISIONAL_YEARS.stop - 1}）",
            field="calendar",
        )
    found = holiday_rules.China(years=year, observed=False, language="zh_CN")
    return {day: name for day, name in sorted(found.items()) if "调休" not in name and "补" not in name}


@lru_cache(maxsize=1)
def _package_last_year() -> int:
    """The last year chinesecalendar knows (it stops where the State Council's notices stop)."""
    year = 2004
    while True:
        try:
            _china_workday(date(year + 1, 12, 31))
        except NotImplementedError:
            return year
        year += 1


@dataclass
class WorkCalendar:
    office_hours: tuple[tuple[time, time], ...] = ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))
    overrides: dict[int, YearOverride] = field(default_factory=dict)  # the catalogue
    entered: dict[int, YearOverride] = field(default_factory=dict)  # entered by operators (the database)

    def enter_years(self, years: dict[int, YearOverride]) -> None:
        """Replace the operator-entered years (one assignment, so readers never see half a change)."""
        self.entered = dict(years)

    def source_of(self, year: int) -> YearSource:
        if year in self.entered:
            return YearSource.ENTERED
        override = self.overrides.get(year)
        if override is not None and override.is_complete:
            return YearSource.CATALOGUE
        if 2004 <= year <= _package_last_year():
            return YearSource.PACKAGE
        if year not in PROVISIONAL_YEARS:
            statutory_holidays(year)  # raises CalendarUnknown naming the year
        return YearSource.PROVISIONAL

    def is_provisional(self, year: int) -> bool:
        return self.source_of(year) is YearSource.PROVISIONAL

    def last_official_day(self) -> date:
        """The last day whose holidays and 调休 are officially known, with no provisional year before it."""
        year = _package_last_year()
        while self.source_of(year + 1) is not YearSource.PROVISIONAL:
            year += 1
        return date(year, 12, 31)

    def is_workday(self, day: date) -> bool:
        entered = self.entered.get(day.year)
        if entered is not None:
            return day in entered.workdays or (day not in entered.holidays and day.weekday() < 5)
        override = self.overrides.get(day.year)
        if override is not None:
            if day in override.workdays:
                return True
            if day in override.holidays:
                return False
            if override.is_complete:
                return day.weekday() < 5
        try:
            return _china_workday(day)
        except NotImplementedError:
            return day.weekday() < 5 and day not in statutory_holidays(day.year)

    def knows(self, moment: datetime, days_after: int = 45) -> bool:
        """Whether every day from this moment to `days_after` days later can be counted (response windows);
        provisional years count, so this is False only for years outside every rule."""
        first = _local(moment).date()
        try:
            self.is_workday(first)
            self.is_workday(first + timedelta(days=days_after))
        except CalendarUnknown:
            return False
        return True

    def spans_provisional(self, start: datetime, end: datetime) -> bool:
        """Whether counting working time from `start` to `end` passes through a provisional year."""
        first, last = _local(start).year, _local(end).year
        return any(self.is_provisional(year) for year in range(first, last + 1))

    def due(self, start: datetime, amount: float, unit: TimeUnit) -> Deadline:
        """`due_at`, with whether the count went through a provisional year (clock hours and natural days
        never depend on the holidays)."""
        at = self.due_at(start, amount, unit)
        counts_workdays = unit in (TimeUnit.WORKDAYS, TimeUnit.WORK_HOURS)
        return Deadline(at, counts_workdays and self.spans_provisional(start, at))

    def next_workday(self, day: date) -> date:
        day += timedelta(days=1)
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def add_workdays(self, start: datetime, days: int) -> datetime:
        """The end of the n-th workday after the day the clock starts (that day itself does not count)."""
        day = _local(start).date()
        for _ in range(days):
            day = self.next_workday(day)
        return datetime.combine(day, END_OF_DAY, CHINA)

    def add_work_hours(self, start: datetime, hours: float) -> datetime:
        """The moment `hours` of office time have passed, counting only office hours on workdays."""
        remaining = timedelta(hours=hours)
        moment = _local(start)
        while True:
            for opens, closes in self._intervals(moment.date()):
                begin = max(moment, opens)
                if begin >= closes:
                    continue
                if begin + remaining <= closes:
                    return begin + remaining
                remaining -= closes - begin
            moment = datetime.combine(self.next_workday(moment.date()), time(0), CHINA)

    def work_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Office time elapsed between two moments (for average handling time in working hours)."""
        total, day, end = timedelta(0), _local(start).date(), _local(end)
        while day <= end.date():
            for opens, closes in self._intervals(day):
                begin, finish = max(opens, _local(start)), min(closes, end)
                total += max(timedelta(0), finish - begin)
            day += timedelta(days=1)
        return total

    def workdays_between(self, start: datetime, end: datetime) -> int:
        """Workdays after the day of `start`, up to and including the day of `end`."""
        day, last, count = _local(start).date(), _local(end).date(), 0
        while day < last:
            day += timedelta(days=1)
            count += self.is_workday(day)
        return count

    def due_at(self, start: datetime, amount: float, unit: TimeUnit) -> datetime:
        """The deadline for a time limit given as an amount and a unit (处置时限)."""
        if amount <= 0:
            raise InvalidInput(f"时限必须为正数：{amount}{unit.value}", field="time_limit")
        if unit is TimeUnit.EMERGENCY_HOURS:
            return _local(start) + timedelta(hours=amount)
        if unit is TimeUnit.WORK_HOURS:
            return self.add_work_hours(start, amount)
        if unit is TimeUnit.WORKDAYS:
            return self.add_workdays(start, int(amount))
        return datetime.combine(_local(start).date() + timedelta(days=int(amount)), END_OF_DAY, CHINA)

    def _intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        if not self.is_workday(day):
            return []
        return [
            (datetime.combine(day, a, CHINA), datetime.combine(day, b, CHINA)) for a, b in self.office_hours
        ]


def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise InvalidInput(f"时间必须带时区：{moment.isoformat()}", field="time")
    return moment.astimezone(CHINA)
