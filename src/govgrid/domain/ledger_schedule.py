"""倒排工期 and investment for key projects (项目为王): a backward schedule from the deadline, and planned
against completed investment by month. Pure rules on the working calendar."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from govgrid.domain.errors import InvalidInput
from govgrid.domain.worktime import CHINA, WorkCalendar

MILESTONE_KINDS = {"step": "节点", "start": "开工", "finish": "竣工"}
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Phase:
    """One stage of a project and how many working days it takes."""

    label: str
    workdays: int
    kind: str = "step"


def backward_schedule(
    deadline: datetime, phases: Sequence[Phase], calendar: WorkCalendar
) -> list[tuple[Phase, datetime]]:
    """倒排工期: the last phase ends on the deadline, each earlier one ends the working day before the next
    begins. Returns (phase, due) in order; refuses a phase of no working days or an unknown kind."""
    if not phases:
        raise InvalidInput("倒排工期至少需要一个阶段", field="phases")
    dues: list[tuple[Phase, datetime]] = []
    end = deadline.astimezone(CHINA).date()
    for number, phase in enumerate(reversed(phases), start=1):
        if phase.workdays < 1:
            raise InvalidInput(
                f"阶段“{phase.label}”的工期须至少 1 个工作日", field=f"phases[{len(phases) - number}]"
            )
        if phase.kind not in MILESTONE_KINDS:
            raise InvalidInput(f"节点类型“{phase.kind}”不存在", field=f"phases[{len(phases) - number}]")
        while not calendar.is_workday(end):
            end -= timedelta(days=1)
        dues.append((phase, datetime.combine(end, time(17, 30), CHINA)))
        end = _back_workdays(end, phase.workdays, calendar)
    return list(reversed(dues))


def _back_workdays(day: date, days: int, calendar: WorkCalendar) -> date:
    """The working day `days` working days before `day`."""
    while days > 0:
        day -= timedelta(days=1)
        if calendar.is_workday(day):
            days -= 1
    return day


def check_milestone(
    label: str, kind: str, due_at: datetime, deadline_at: datetime | None
) -> list[tuple[str, str]]:
    """What a 时间节点 breaks, as (field, message): a name of at most 200 characters, a known kind, a due
    date within the calendar's years and not after the item's deadline."""
    from govgrid.domain.moments import in_range
    from govgrid.domain.text import is_blank

    found = []
    if is_blank(label or ""):
        found.append(("label", "“节点名称”不能为空"))
    elif len(label.strip()) > 200:
        found.append(("label", "节点名称超过 200 个字符"))
    if kind not in MILESTONE_KINDS:
        found.append(("kind", f"节点类型须为 {'、'.join(MILESTONE_KINDS.values())} 之一"))
    if due_at.tzinfo is None or not in_range(due_at):
        found.append(("due_at", "节点日期须带时区，且在 2000–2099 年之间"))
    elif deadline_at is not None and due_at > deadline_at:
        found.append(("due_at", "节点日期晚于完成时限"))
    return found


def check_month(text: str) -> str:
    """A month as YYYY-MM, or InvalidInput naming it."""
    value = str(text).strip()
    if not MONTH.match(value):
        raise InvalidInput(f"月份“{value}”须写作 YYYY-MM", field="month")
    return value


@dataclass(frozen=True)
class InvestmentMonth:
    month: str
    planned: float
    completed: float


def investment_to_date(months: Sequence[InvestmentMonth], until: str) -> tuple[float, float]:
    """Cumulative (planned, completed) investment up to and including the month `until` (万元)."""
    planned = sum(m.planned for m in months if m.month <= until)
    completed = sum(m.completed for m in months if m.month <= until)
    return planned, completed
