"""Reading typed form fields the same way on every page (errors name the field and the value)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from govgrid.domain.errors import InvalidInput
from govgrid.domain.moments import day_end, day_start, read_date_text
from govgrid.domain.quantity import check_amount

E = TypeVar("E", bound=StrEnum)
MAX_ID = 2**31 - 1


def number(text: str, field: str) -> float | None:
    """A number typed in a form; empty means none. NaN, infinities and absurd magnitudes are refused."""
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput(f"“{text[:40]}”不是数值", field=field) from None
    return check_amount(value, field, allow_negative=True)


def identifier(text: str, field: str) -> int | None:
    """An id in a form or a page's query: ASCII digits that fit an id; empty means none."""
    text = text.strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_ID:
        raise InvalidInput(f"“{text[:20]}”不是有效的编号", field=field)
    return int(text)


def parse_choice(kind: type[E], text: str, field: str, labels: dict[E, str]) -> E | None:
    """One of an enum's values chosen in a page filter; empty means none; anything else is a 422 that lists
    the choices in Chinese."""
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        choices = "、".join(labels.get(member, member.value) for member in kind)
        raise InvalidInput(f"{field}“{text[:20]}”无效，可选：{choices}", field=field) from None


def day(text: str, field: str, *, end: bool = True) -> datetime:
    """A date typed in a form (2026-06-30) as the end (or the start) of that day in Beijing time."""
    moment = read_date_text(text, field)
    return day_end(moment) if end else day_start(moment)
