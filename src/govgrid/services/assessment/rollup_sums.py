"""Reading the assessment's rollups (services.assessment.rollups): the counts of a period grouped by a
slice, from the monthly table for whole months and the daily one otherwise, plus the changes still waiting
beyond the cursor (rollups.pending), filtered and grouped the same way."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govgrid.db.rollup_models import VALUES, month_rollup_table, rollup_table
from govgrid.domain.assessment import Period
from govgrid.domain.assessment_rollup import Changes

SLICE_COLUMNS = {"department": "unit_id", "class": "class_code", "channel": "channel"}


def sums(
    session: Session,
    *,
    period: Period,
    digits: int | None,
    column: str | None,
    districts: Iterable[str] | None,
    scope_prefix: str = "",
    waiting: dict[str, Changes] | None = None,
) -> dict[str | None, dict[str, float]]:
    """The counts of a period from the rollups, grouped by an area cut to `digits` or by a column
    (unit_id, class_code, channel); `districts` None for all, `scope_prefix` a caller's area, `waiting`
    each district's changes not yet rolled."""
    whole_months = period.first.day == 1 and (period.last + timedelta(days=1)).day == 1
    r = month_rollup_table if whole_months else rollup_table
    if digits is not None:
        group: Any = func.substr(r.c.area, 1, digits)
    elif column is not None:
        group = r.c[column]
    else:
        group = r.c.district_code
    first, last = period.first, (period.last.replace(day=1) if whole_months else period.last)
    query = (
        select(group.label("code"), *(func.sum(r.c[v]).label(v) for v in VALUES))
        .where(r.c.day >= first, r.c.day <= last, r.c.since < first, r.c.asof <= last)
        .group_by(group)
    )
    if districts is not None:
        query = query.where(r.c.district_code.in_(list(districts)))
    if scope_prefix:
        query = query.where(r.c.scope.startswith(scope_prefix, autoescape=True))
    found: dict[str | None, dict[str, float]] = {}
    for row in session.execute(query):
        _add(found, _code_of(row.code, digits, column), {name: getattr(row, name) for name in VALUES})
    for district, changes in (waiting or {}).items():
        for (day, since, asof, area, scope, unit, class_code, channel), counts in changes.items():
            held = period.first <= day <= period.last and since < period.first and asof <= period.last
            if not held or not scope.startswith(scope_prefix):
                continue
            raw = {"unit_id": unit, "class_code": class_code, "channel": channel}
            code = area[:digits] if digits is not None else (raw[column] if column else district)
            _add(found, _code_of(code, digits, column), counts)
    # a group whose changes cancel out (a case dispatched to a unit, then returned and sent elsewhere) has
    # nothing in the period, as the plain count from the histories has no row for it
    return {code: counts for code, counts in found.items() if any(abs(v) > 1e-9 for v in counts.values())}


def _add(found: dict[str | None, dict[str, float]], code: str | None, counts: dict[str, Any]) -> None:
    into = found.setdefault(code, dict.fromkeys(VALUES, 0.0))
    for name in VALUES:
        into[name] += float(counts.get(name) or 0)


def _code_of(code: Any, digits: int | None, column: str | None) -> str | None:
    if digits is not None:
        return code if len(code or "") >= digits else None
    if column == "unit_id":
        return str(code) if code else None
    return str(code)
