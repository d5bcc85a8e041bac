"""Loading catalog/calendar.yaml into a WorkCalendar, with errors naming the file, the year and the field."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from govgrid.catalog import SHIPPED_SOURCE, CatalogError
from govgrid.domain.worktime import WorkCalendar, YearOverride

FILE = "calendar.yaml"


def load_calendar(doc: Any = None) -> WorkCalendar:
    doc = SHIPPED_SOURCE.load(FILE) if doc is None else doc
    hours = tuple(_interval(i, pair) for i, pair in enumerate(doc.get("office_hours") or [], start=1))
    if not hours:
        raise CatalogError(f"catalog/{FILE}：office_hours 不能为空", field="office_hours")
    years = {int(y): _year(int(y), spec or {}) for y, spec in (doc.get("years") or {}).items()}
    return WorkCalendar(office_hours=hours, overrides=years)


def _interval(number: int, pair: Any) -> tuple[time, time]:
    try:
        opens, closes = (time.fromisoformat(str(p)) for p in pair)
    except (TypeError, ValueError):
        raise CatalogError(
            f'catalog/{FILE}：office_hours 第 {number} 段应为 ["08:30", "12:00"]，实为 {pair!r}',
            field="office_hours",
        ) from None
    if opens >= closes:
        raise CatalogError(f"catalog/{FILE}：office_hours 第 {number} 段开始不早于结束", field="office_hours")
    return opens, closes


def _year(year: int, spec: dict[str, Any]) -> YearOverride:
    def days(key: str) -> frozenset[date]:
        found = set()
        for value in spec.get(key) or []:
            day = value if isinstance(value, date) else _parse(year, key, value)
            if day.year != year:
                raise CatalogError(f"catalog/{FILE}：{year} 年的 {key} 中有别年的日期 {day}", field=key)
            found.add(day)
        return frozenset(found)

    return YearOverride(
        holidays=days("holidays"), workdays=days("workdays"), is_complete=bool(spec.get("complete"))
    )


def _parse(year: int, key: str, value: Any) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise CatalogError(
            f"catalog/{FILE}：{year} 年 {key} 中的“{value}”不是日期（YYYY-MM-DD）", field=key
        ) from None
