"""Text people type, checked the same way everywhere it enters (pages, the API, imports, connectors).

Refused, naming the field: control characters (a NUL byte, for one, which PostgreSQL cannot store and
which no form produces) and the bidirectional overrides that make text read other than it is stored; and,
where a value is required, text made only of spaces or invisible characters (zero-width spaces and
joiners, BOMs, soft hyphens), which would pass a plain emptiness test and show as nothing."""

from __future__ import annotations

import re

from govgrid.domain.errors import InvalidInput

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
INVISIBLE = re.compile("[\\s\u00ad\u034f\u115f\u1160\u180e\u200b-\u200f\u2060-\u2064\u3164\ufeff\uffa0]+")


def check_chars(value: str, field: str) -> str:
    """The value, if it holds no control or direction-override characters."""
    found = FORBIDDEN.search(value)
    if found:
        raise InvalidInput(
            f"{field} 含不可见的控制字符（U+{ord(found.group()):04X}），请删除后重试", field=field
        )
    return value


def is_blank(value: str) -> bool:
    """Empty, or only whitespace and invisible characters."""
    return not INVISIBLE.sub("", value)


def required(value: str, field: str, label: str) -> str:
    """A value that must say something: checked, stripped."""
    check_chars(value, field)
    if is_blank(value):
        raise InvalidInput(f"{label}不能为空", field=field)
    return value.strip()


def check_all(values: object, field: str = "body") -> None:
    """Every string inside a JSON-like value (dicts, lists), naming the path of the first bad one."""
    if isinstance(values, str):
        check_chars(values, field)
    elif isinstance(values, dict):
        for key, value in values.items():
            check_chars(str(key), field)
            check_all(value, f"{field}.{key}" if field != "body" else str(key))
    elif isinstance(values, list | tuple):
        for number, value in enumerate(values):
            check_all(value, f"{field}.{number}")
