"""When a case is warned, marked overdue, urged (催办) and supervised (督办): a pure decision.

Beijing's 12345 rule (DOMAIN.md §4): overdue → 催办 the next day; five working days more → 督办
(written criticism). Marks never change a case's status; they are recorded in its history."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from govgrid.domain.workflow import FINAL, Status
from govgrid.domain.worktime import WorkCalendar


class Mark(StrEnum):
    WARN = "warn"  # 预警
    OVERDUE = "overdue"  # 超期
    URGE = "urge"  # 催办
    SUPERVISE = "supervise"  # 督办


MARK_LABEL = {Mark.WARN: "临期预警", Mark.OVERDUE: "超期", Mark.URGE: "催办", Mark.SUPERVISE: "督办"}
EFFECT: dict[Mark, dict[str, Any]] = {  # what a mark changes on the case (besides its history row)
    Mark.WARN: {},
    Mark.OVERDUE: {"is_overdue": True},
    Mark.URGE: {"supervision_level": 1},
    Mark.SUPERVISE: {"supervision_level": 2},
}


@dataclass(frozen=True)
class Policy:
    warn_before_share: float = 0.25
    urge_after_workdays: int = 1
    supervise_after_workdays: int = 5


# no mark while parked (挂账), or while the unit's reply waits for the supervisor (答复待审): the unit has
# answered, and the wait is the supervisor's, not the unit's; nor on a city's order handed to a district
# (已转办): the district's own case carries the clock and its marks
UNMARKED = frozenset({Status.PARKED, Status.REPLY_HELD, Status.FORWARDED})


@dataclass(frozen=True)
class Clock:
    """The facts of a case the sweeper looks at."""

    status: Status
    dispatched_at: datetime | None
    due_at: datetime | None
    warned_at: datetime | None
    is_overdue: bool
    supervision_level: int
    is_working_time: bool = True  # the limit counts 工作时/工作日 (warnings measured in office time)
    reported_at: datetime | None = None  # the window's start until the case is dispatched (12345 派单时限)


def next_mark(case: Clock, now: datetime, calendar: WorkCalendar, policy: Policy) -> Mark | None:
    """The one mark the case should get now, or None. Called repeatedly, it climbs the ladder in order."""
    if case.status in FINAL or case.status in UNMARKED or case.due_at is None:
        return None
    if not case.is_overdue:
        if now > case.due_at:
            return Mark.OVERDUE
        if case.warned_at is None and _left_share(case, now, calendar) <= policy.warn_before_share:
            return Mark.WARN
        return None
    urge_at = calendar.add_workdays(case.due_at, policy.urge_after_workdays)
    if case.supervision_level == 0:
        return Mark.URGE if now >= _start_of(urge_at) else None
    if case.supervision_level == 1:
        supervise_at = calendar.add_workdays(urge_at, policy.supervise_after_workdays)
        return Mark.SUPERVISE if now >= _start_of(supervise_at) else None
    return None


def marks_between(
    case: Clock, start: datetime, end: datetime, calendar: WorkCalendar, policy: Policy
) -> list[tuple[Mark, datetime]]:
    """The 超期, 催办 and 督办 a case earns in [start, end) as a sweeper ticking at each threshold gives
    them — each decided by `next_mark` itself, so a replayed or imported history carries the marks the live
    sweeper would have written. 临期预警 is left out: it depends on when the sweeper happened to look."""
    found: list[tuple[Mark, datetime]] = []
    while (at := _threshold(case, calendar, policy)) is not None and at < end:
        at = max(at, start)
        mark = next_mark(case, at, calendar, policy)
        if mark is None or mark is Mark.WARN:
            break
        found.append((mark, at))
        case = replace(case, **EFFECT[mark])
    return found


def _threshold(case: Clock, calendar: WorkCalendar, policy: Policy) -> datetime | None:
    """The first moment the next rung of the ladder can fall due (see `next_mark`)."""
    if case.due_at is None or case.status in FINAL or case.status in UNMARKED:
        return None
    if not case.is_overdue:
        return case.due_at + timedelta(seconds=1)
    urge_at = calendar.add_workdays(case.due_at, policy.urge_after_workdays)
    if case.supervision_level == 0:
        return _start_of(urge_at)
    if case.supervision_level == 1:
        return _start_of(calendar.add_workdays(urge_at, policy.supervise_after_workdays))
    return None


def _left_share(case: Clock, now: datetime, calendar: WorkCalendar) -> float:
    """The share of the handling window still left — in office time for working-time limits, so a
    warning never falls on a weekend night."""
    assert case.due_at is not None
    start = case.dispatched_at or case.reported_at or case.due_at
    if case.is_working_time:
        total = calendar.work_time_between(start, case.due_at)
        if total.total_seconds() > 0:
            return calendar.work_time_between(now, case.due_at) / total
    total = case.due_at - start
    return (case.due_at - now) / total if total.total_seconds() > 0 else 0.0


def _start_of(end_of_day: datetime) -> datetime:
    """The working day a mark falls on begins at midnight of that day (local)."""
    return end_of_day.replace(hour=0, minute=0, second=0)
