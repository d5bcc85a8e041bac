"""Moments people and systems give: time-zone aware and within the years a district works in. A deadline of
9999-12-31 or 0001-01-01 is a typing error or an attack — and it would overflow when shown in Beijing
time — so it is refused by name wherever a moment enters."""

from __future__ import annotations

from datetime import UTC, datetime

from govgrid.domain.errors import InvalidInput

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
RANGE_TEXT = "2000–2099 年"


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
