"""The State Council's yearly notice of holidays and 调休 (国务院办公厅关于××年部分节假日安排的通知), as an
operator enters it: read the days as written (single dates or ranges) and check them against the
statutory rules before a year is made official. Every problem names the date and what is wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from govgrid.domain.errors import InvalidInput
from govgrid.domain.worktime import PROVISIONAL_YEARS, YearOverride, statutory_holidays

RANGE = re.compile(r"^\s*(\d{4}-\d{1,2}-\d{1,2})\s*(?:\.\.|~|～|至|到|—|–)\s*(\d{4}-\d{1,2}-\d{1,2})\s*$")
MAX_HOLIDAYS = 45  # 13 statutory days plus the weekends and 调休 around them, with room to spare
MAX_WORKDAYS = 15
MAX_SOURCE = 120


class NoticeRejected(InvalidInput):
    """The arrangement was not entered: every problem, by date."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("节假日安排未录入：" + "；".join(problems), field="calendar")
        self.problems = problems


@dataclass(frozen=True)
class Notice:
    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str = ""

    def as_override(self) -> YearOverride:
        return YearOverride(self.holidays, self.workdays, is_complete=True, source=self.source)


def read_days(values: object, key: str, problems: list[str]) -> set[date]:
    """Dates written as YYYY-MM-DD, or ranges "2027-10-01..2027-10-07" (also ~, 至)."""
    if values is None:
        return set()
    if not isinstance(values, list):
        problems.append(f"{key} 须为日期列表")
        return set()
    found: set[date] = set()
    for value in values:
        if isinstance(value, date):
            found.add(value)
            continue
        text = str(value).strip()
        matched = RANGE.match(text)
        try:
            if matched:
                first, last = (date.fromisoformat(_pad(part)) for part in matched.groups())
                if last < first or (last - first).days > 31:
                    problems.append(f"{key} 中的区间“{text}”无效（终止日早于起始日，或超过 31 天）")
                    continue
                found.update(first + timedelta(days=n) for n in range((last - first).days + 1))
            else:
                found.add(date.fromisoformat(_pad(text)))
        except ValueError:
            problems.append(f"{key} 中的“{text[:40]}”不是日期（YYYY-MM-DD，区间写作 2027-10-01..2027-10-07）")
    return found


def _pad(text: str) -> str:
    year, month, day = text.split("-")
    return f"{year}-{int(month):02d}-{int(day):02d}"


def check_notice(year: object, holidays: set[date], workdays: set[date], source: str) -> Notice:
    """A year's arrangement, checked: every day in that year, 调休 workdays on weekends, no day both off
    and worked, and every statutory holiday given as a day off. NoticeRejected lists every problem."""
    problems: list[str] = []
    if not isinstance(year, int) or isinstance(year, bool) or year not in PROVISIONAL_YEARS:
        raise NoticeRejected([f"年份“{year}”无效（{PROVISIONAL_YEARS.start}–{PROVISIONAL_YEARS.stop - 1}）"])
    for day in sorted(d for d in holidays | workdays if d.year != year):
        problems.append(f"{day.isoformat()} 不在 {year} 年内")
    for day in sorted(holidays & workdays):
        problems.append(f"{day.isoformat()} 既列为放假又列为上班")
    for day in sorted(workdays):
        if day.weekday() < 5:
            problems.append(
                f"{day.isoformat()}（星期{'一二三四五'[day.weekday()]}）本就是工作日，调休上班只会在周末"
            )
    for day, name in statutory_holidays(year).items():
        if day not in holidays:
            problems.append(f"{day.isoformat()} 是法定节假日（{name}），通知中须列为放假")
    if len(holidays) > MAX_HOLIDAYS:
        problems.append(f"放假日共 {len(holidays)} 天，多于 {MAX_HOLIDAYS} 天，请核对")
    if len(workdays) > MAX_WORKDAYS:
        problems.append(f"调休上班日共 {len(workdays)} 天，多于 {MAX_WORKDAYS} 天，请核对")
    if len(source) > MAX_SOURCE:
        problems.append(f"文号过长（{len(source)} 字，上限 {MAX_SOURCE}）")
    if problems:
        raise NoticeRejected(problems)
    return Notice(year, frozenset(holidays), frozenset(workdays), source.strip())
