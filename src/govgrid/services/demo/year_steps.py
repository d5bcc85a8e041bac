"""Laying out one demo case's steps in time: each after the one before on the working calendar, none
after the build moment (the case then stays where it is); and cutting the year into chunks to replay."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from govgrid.domain.history import SideAction
from govgrid.domain.permissions import Actor
from govgrid.domain.workflow import Step
from govgrid.domain.worktime import WorkCalendar
from govgrid.services.cases.replay import PastCase, PastSide, PastStep


def chunks(cases: Iterator[PastCase], size: int) -> Iterator[list[PastCase]]:
    chunk: list[PastCase] = []
    for case in cases:
        chunk.append(case)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Steps:
    """The steps of one case, each at a time on the working calendar after the one before; a step whose
    time is after the build moment is not taken (the case stays where it is)."""

    def __init__(self, calendar: WorkCalendar, now: datetime, at: datetime) -> None:
        self.calendar, self.now, self.at, self.stopped = calendar, now, at, False
        self.taken: list[PastStep | PastSide] = []

    def take(self, step: Step, actor: Actor, work_hours: float, **extra: object) -> bool:
        if self.stopped:
            return False
        at = self.calendar.add_work_hours(self.at, work_hours)
        return self.take_at(step, actor, at, **extra)

    def side(
        self, action: SideAction, actor: Actor, at: datetime, note: str, until: datetime | None = None
    ) -> bool:
        """A side action (延期) at `at`, if its time has come."""
        if self.stopped or at >= self.now:
            self.stopped = True
            return False
        at = max(at, self.at + timedelta(seconds=1))
        self.taken.append(PastSide(action, at, actor, note, until))
        self.at = at
        return True

    def take_at(self, step: Step, actor: Actor, at: datetime, **extra: object) -> bool:
        if self.stopped or at >= self.now:
            self.stopped = True
            return False
        at = max(at, self.at + timedelta(seconds=1))
        self.taken.append(PastStep(step=step, at=at, actor=actor, **extra))  # type: ignore[arg-type]
        self.at = at
        return True
