"""Reading typed form fields the same way on every page (errors name the field and the value)."""

from __future__ import annotations

from govgrid.domain.errors import InvalidInput


def number(text: str, field: str) -> float | None:
    """A number typed in a form; empty means none."""
    if not text.strip():
        return None
    try:
        return float(text)
    except ValueError:
        raise InvalidInput(f"“{text}”不是数值", field=field) from None
