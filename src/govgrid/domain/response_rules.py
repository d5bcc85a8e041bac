"""Response rules for supervised tasks, as data: "三天有回音、七天有阶段性成果" and Shanxi's "13710".

A template is a list of steps, each due a time after the task is assigned (on the working calendar).
A step is met by a progress report of its kind filed before its deadline; any report counts as 回音."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from govgrid.domain.worktime import TimeUnit, WorkCalendar

FIRST_REPLY = "first_reply"  # 回音: any report


@dataclass(frozen=True)
class ResponseStep:
    kind: str  # first_reply | staged_result | plan | resolved …
    label: str
    amount: float
    unit: TimeUnit


@dataclass(frozen=True)
class ResponseTemplate:
    code: str
    name: str
    steps: tuple[ResponseStep, ...]


@dataclass(frozen=True)
class Filed:
    """A progress report as the rule sees it: when, and what kind of result it claims."""

    at: datetime
    kind: str


def deadlines(
    template: ResponseTemplate, assigned_at: datetime, calendar: WorkCalendar
) -> list[tuple[ResponseStep, datetime]]:
    return [(step, calendar.due_at(assigned_at, step.amount, step.unit)) for step in template.steps]


def missed(
    template: ResponseTemplate,
    *,
    assigned_at: datetime,
    reports: Sequence[Filed],
    now: datetime,
    calendar: WorkCalendar,
) -> list[tuple[ResponseStep, datetime]]:
    """The steps whose deadline has passed without a report of their kind before it."""
    ordered = sorted(reports, key=lambda r: r.at)
    return missed_steps(deadlines(template, assigned_at, calendar), reports=ordered, now=now)


def missed_steps(
    dues: Sequence[tuple[ResponseStep, datetime]], *, reports: Sequence[Filed], now: datetime
) -> list[tuple[ResponseStep, datetime]]:
    """missed() over deadlines already worked out; `reports` in time order (a recompute shares the deadlines
    between tasks assigned together)."""
    late = []
    for step, due in dues:
        if now <= due:
            continue
        met = False
        for report in reports:
            if report.at > due:
                break
            if step.kind == FIRST_REPLY or report.kind == step.kind:
                met = True
                break
        if not met:
            late.append((step, due))
    return late
