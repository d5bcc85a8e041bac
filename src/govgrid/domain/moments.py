"""Moments people and systems give: time-zone aware and within the years a district works in. A deadline of
9999-12-31 or 0001-01-01 is a typing error or an attack — and it would overflow when shown in Beijing
time — so it is refused by name wherever a moment enters."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from govgrid.domain.errors import InvalidInput
from govgrid.domain.worktime import CHINA, END_OF_DAY

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
RANGE_TEXT = "2000–2099 年"
START_OF_DAY = time(9, 0)
DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+(\d{1,2}):(\d{2})(?::\d{2})?)?$"
)
MONTH_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")


def check_moment(value: datetime, field: str) -> datetime:
    """The moment, if it carries a time zone and falls between 2000 and 2099."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{field} 须带时区（如 2026-12-01T17:30:00+08:00）", field=field)
    if not EARLIEST <= value < LATEST:
        raise InvalidInput(f"{field} 须在 {RANGE_TEXT}之间：{value.isoformat()[:25]}", field=field)
    return value


def in_range(value: datetime) -> bool:
    try:
        check_moment(value, "time")
    except InvalidInput:
        return False
    return True


def read_date_text(text: str, field: str = "date") -> datetime:
    """A date as people write it — 2026-06-30, 2026/6/30, 2026.6.30 or 2026年6月30日, with a time if
    they give one — in Beijing time; a date alone is midnight (day_start / day_end make it a working
    moment)."""
    match = DATE_TEXT.match(text.strip())
    if match is None:
        raise InvalidInput(f"“{text.strip()}”不是日期，请写成 2026-06-30 这样的年月日", field=field)
    year, month, day, hour, minute = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), tzinfo=CHINA)
    except ValueError as exc:
        raise InvalidInput(f"“{text.strip()}”不是有效日期", field=field) from exc
    if not 2000 <= moment.year <= 2099:
        raise InvalidInput(f"“{text.strip()}”不在 {RANGE_TEXT}之间", field=field)
    return moment


def read_month_text(text: str, field: str = "month") -> str:
    """A month as people write it (2026-03, 2026年3月), as YYYY-MM."""
    match = MONTH_TEXT.match(text.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise InvalidInput(f"“{text.strip()}”不是月份，请写成 2026-03", field=field)
    return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"


def day_start(moment: datetime) -> datetime:
    """A date given without a time: the start of that working day (交办日期, 填报日期)."""
    local = moment.astimezone(CHINA)
    if local.time() == time(0, 0):
        return datetime.combine(local.date(), START_OF_DAY, CHINA)
    return local


def day_end(moment: datetime) -> datetime:
    """A date given without a time: the end of that day (完成时限, 计划日期)."""
    local = moment.astimezone(CHINA)
    if local.time() == time(0, 0):
        return datetime.combine(local.date(), END_OF_DAY, CHINA)
    return local


def midnight(day: date, *, days_after: int = 0) -> datetime:
    """Beijing midnight at the start of `day` (plus `days_after` days): the bounds of a range of days in a
    filter, `>= midnight(first)` and `< midnight(last, days_after=1)`."""
    return datetime.combine(day + timedelta(days=days_after), time.min, CHINA)
