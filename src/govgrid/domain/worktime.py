"""Official working time (工作日 / 工作时) on China's calendar, for deadlines and durations.

Workdays come from the city's override table first (catalog/calendar.yaml: years the city has entered
itself, or corrections), then from the `chinesecalendar` package (2004–2026 at the time of writing).
A day in a year neither knows is an error that says which year to enter — never a silent guess.
工作时 are hours inside the office day (for example 08:30–12:00 and 13:30–17:30) on workdays."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

from govgrid.domain.errors import InvalidInput

CHINA = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59)


class TimeUnit(StrEnum):
    EMERGENCY_HOURS = "紧急时"  # wall-clock hours, day and night
    WORK_HOURS = "工作时"
    WORKDAYS = "工作日"
    NATURAL_DAYS = "自然日"


class CalendarUnknown(InvalidInput):
    """The official calendar of a year has not been entered."""


@dataclass(frozen=True)
class YearOverride:
    """A year (or corrections to one): statutory holidays and 调休 workdays that fall on weekends."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    is_complete: bool = False  # the city entered the whole year: do not ask chinesecalendar


@lru_cache(maxsize=16384)
def _china_workday(day: date) -> bool:
    """The State Council's calendar (chinesecalendar), cached: the library's own lookup is slow."""
    return bool(chinese_calendar.is_workday(day))


@dataclass(frozen=True)
class WorkCalendar:
    office_hours: tuple[tuple[time, time], ...] = ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))
    overrides: dict[int, YearOverride] = field(default_factory=dict)

    def is_workday(self, day: date) -> bool:
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
            raise CalendarUnknown(
                f"{day.year} 年的法定节假日和调休安排尚未录入，无法按工作日计算期限："
                f"请在 catalog/calendar.yaml 中补充 {day.year} 年", field="calendar") from None  # fmt: skip

    def knows(self, moment: datetime, days_after: int = 45) -> bool:
        """Whether the holidays are known from this moment to `days_after` days later (response windows)."""
        first = _local(moment).date()
        try:
            self.is_workday(first)
            self.is_workday(first + timedelta(days=days_after))
        except CalendarUnknown:
            return False
        return True

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
