"""通报 (bulletins): which period each kind covers as of its issue date, its number in 〔〕, and dates as an
official document writes them (成文日期 in Arabic numerals: 2026年12月1日)."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from govgrid.domain.assessment import Period
from govgrid.domain.errors import InvalidInput


class Kind(StrEnum):
    DAILY = "daily"  # 日通报: the day before the issue date
    WEEKLY = "weekly"  # 周通报: the Monday-to-Sunday week before
    MONTHLY = "monthly"  # 月通报: the calendar month before


KIND_LABEL = {Kind.DAILY: "日通报", Kind.WEEKLY: "周通报", Kind.MONTHLY: "月通报"}
PERIOD_LABEL = {Kind.DAILY: "当日", Kind.WEEKLY: "本周", Kind.MONTHLY: "本月"}


def period_of(kind: Kind, issued_on: date) -> Period:
    if kind is Kind.DAILY:
        day = issued_on - timedelta(days=1)
        return Period(day, day)
    if kind is Kind.WEEKLY:
        monday = issued_on - timedelta(days=issued_on.weekday() + 7)
        return Period(monday, monday + timedelta(days=6))
    last = issued_on.replace(day=1) - timedelta(days=1)
    return Period(last.replace(day=1), last)


def number_of(kind: Kind, issued_on: date) -> int:
    """The bulletin's number in its year: the day of the year, the ISO week, or the month it covers."""
    covered = period_of(kind, issued_on).last
    if kind is Kind.DAILY:
        return covered.timetuple().tm_yday
    if kind is Kind.WEEKLY:
        return covered.isocalendar().week
    return covered.month


def written(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def span(period: Period) -> str:
    if period.first == period.last:
        return written(period.first)
    return f"{written(period.first)}至{period.last.month}月{period.last.day}日"


def parse_kind(text: str) -> Kind:
    try:
        return Kind(text)
    except ValueError:
        raise InvalidInput(f"通报类型“{text[:16]}”无效（daily、weekly、monthly）", field="kind") from None
