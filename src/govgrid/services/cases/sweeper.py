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
from govgrid.domain.supervision import EFFECT, MARK_LABEL, UNMARKED, Clock, Mark, Policy, next_mark
from govgrid.domain.workflow import FINAL, Status
from govgrid.domain.worktime import CalendarUnknown, TimeUnit
from govgrid.services.cases.history import history_row, record_histories

log = logging.getLogger(__name__)
SWEEPER = "system:sweeper"
SWEEPER_ACTOR = replace(SYSTEM, username=SWEEPER)
OPEN = [s.value for s in Status if s not in FINAL and s not in UNMARKED]  # the cases the ladder reads


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
        facts = clock_of(rules, row)
        try:
            mark = next_mark(facts, now, rules.calendar, policy)
        except CalendarUnknown as exc:  # one case's dates fall in a year not entered: skip it, keep sweeping
            log.warning("案件 %s 无法计算督办时间：%s", row.id, exc.message)
            continue
        if mark is not None and _apply(session, row, mark, now):
            return True
    return False


def clock_of(rules: CaseRules, case: Any) -> Clock:
    """The facts the ladder decides on, from a case (or a row with the same columns)."""
    _, unit = rules.limit_for(
        case.class_code, case.loop, case.urgency, at_dispatch=case.dispatched_at is not None
    )
    return Clock(
        Status(case.status),
        case.dispatched_at,
        case.due_at,
        case.warned_at,
        case.is_overdue,
        case.supervision_level,
        unit in (TimeUnit.WORK_HOURS, TimeUnit.WORKDAYS),
        case.reported_at,
    )


def mark_row(case_id: int, district_code: str, status: str, mark: Mark, at: datetime) -> dict[str, Any]:
    """The history row of a mark: the sweeper's, whether it gives it now or a replay records it."""
    return history_row(
        case_id,
        district_code,
        actor=SWEEPER_ACTOR,
        step=mark.value,
        from_status=status,
        to_status=status,
        at=at,
        note=MARK_LABEL[mark],
    )


def _apply(session: Session, row: Any, mark: Mark, now: datetime) -> bool:
    """The mark, if nobody moved the case meanwhile, with its history row."""
    values = {**EFFECT[mark], "version": row.version + 1}
    if mark is Mark.WARN:
        values["warned_at"] = now
    done = session.execute(
        update(Case).where(Case.id == row.id, Case.version == row.version).values(**values)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]  # another worker or a user moved it first
        session.rollback()
        return False
    record_histories(session, [mark_row(row.id, row.district_code, row.status, mark, now)])
    session.commit()
    return True


def sweep(session: Session, *, rules: CaseRules, policy: Policy, now: datetime, limit: int = 10_000) -> int:
    """Apply every mark due now; the number applied."""
    count = 0
    while count < limit and sweep_once(session, rules=rules, policy=policy, now=now):
        count += 1
    return count
