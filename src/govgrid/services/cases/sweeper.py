"""The supervision sweeper: warns before deadlines, marks overdue, raises 催办 then 督办.

`sweep_once` applies at most one mark and says whether it did; it claims the case with a compare-and-set
on its version, so several workers can run side by side without a broker. Every mark is a history row
(the notification outbox for pushes to WeCom/DingTalk)."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.permissions import SYSTEM
from govgrid.domain.supervision import MARK_LABEL, Clock, Mark, Policy, next_mark
from govgrid.domain.workflow import FINAL, Status
from govgrid.domain.worktime import CalendarUnknown, TimeUnit
from govgrid.services.cases.history import history_row, record_histories

log = logging.getLogger(__name__)
SWEEPER = "system:sweeper"
SWEEPER_ACTOR = replace(SYSTEM, username=SWEEPER)
OPEN = [s.value for s in Status if s not in FINAL and s is not Status.PARKED]


def sweep_once(session: Session, *, rules: CaseRules, policy: Policy, now: datetime) -> bool:
    """Apply the next due mark to one case. False when nothing is due."""
    rows = session.execute(
        select(
            Case.id,
            Case.version,
            Case.status,
            Case.dispatched_at,
            Case.due_at,
            Case.warned_at,
            Case.is_overdue,
            Case.supervision_level,
            Case.class_code,
            Case.reported_at,
            Case.loop,
            Case.urgency,
            Case.district_code,
        )
        .where(Case.status.in_(OPEN), Case.due_at.is_not(None))
        .order_by(Case.due_at)
    ).all()
    for row in rows:
        _, unit = rules.limit_for(
            row.class_code, row.loop, row.urgency, at_dispatch=row.dispatched_at is not None
        )
        facts = Clock(
            Status(row.status),
            row.dispatched_at,
            row.due_at,
            row.warned_at,
            row.is_overdue,
            row.supervision_level,
            unit in (TimeUnit.WORK_HOURS, TimeUnit.WORKDAYS),
            row.reported_at,
        )
        try:
            mark = next_mark(facts, now, rules.calendar, policy)
        except CalendarUnknown as exc:  # one case's dates fall in a year not entered: skip it, keep sweeping
            log.warning("案件 %s 无法计算督办时间：%s", row.id, exc.message)
            continue
        if mark is not None and _apply(session, row, mark, now):
            return True
    return False


_EFFECT: dict[Mark, dict[str, Any]] = {
    Mark.WARN: {},
    Mark.OVERDUE: {"is_overdue": True},
    Mark.URGE: {"supervision_level": 1},
    Mark.SUPERVISE: {"supervision_level": 2},
}


def _apply(session: Session, row: Any, mark: Mark, now: datetime) -> bool:
    """The mark, if nobody moved the case meanwhile, with its history row."""
    values = {**_EFFECT[mark], "version": row.version + 1}
    if mark is Mark.WARN:
        values["warned_at"] = now
    done = session.execute(
        update(Case).where(Case.id == row.id, Case.version == row.version).values(**values)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]  # another worker or a user moved it first
        session.rollback()
        return False
    record_histories(
        session,
        [
            history_row(
                row.id,
                row.district_code,
                actor=SWEEPER_ACTOR,
                step=mark.value,
                from_status=row.status,
                to_status=row.status,
                at=now,
                note=MARK_LABEL[mark],
            )
        ],
    )
    session.commit()
    return True


def sweep(session: Session, *, rules: CaseRules, policy: Policy, now: datetime, limit: int = 10_000) -> int:
    """Apply every mark due now; the number applied."""
    count = 0
    while count < limit and sweep_once(session, rules=rules, policy=policy, now=now):
        count += 1
    return count
