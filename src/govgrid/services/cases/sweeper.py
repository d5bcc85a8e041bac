"""The supervision sweeper: warns before deadlines, marks overdue, raises 催办 then 督办.

`sweep_once` applies at most one mark and says whether it did; it claims the case with a compare-and-set
on its version, so several workers can run side by side without a broker. Every mark is a history row
(the notification outbox for pushes to WeCom/DingTalk)."""

from __future__ import annotations

import logging
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from govgrid import catalog
from govgrid.db.case_models import Case, CaseTransition
from govgrid.domain.supervision import MARK_LABEL, Clock, Mark, Policy, next_mark
from govgrid.domain.workflow import FINAL, Status
from govgrid.domain.worktime import CalendarUnknown, TimeUnit
from govgrid.services.cases.rules import CaseRules

log = logging.getLogger(__name__)
SWEEPER = "system:sweeper"
OPEN = [s.value for s in Status if s not in FINAL and s is not Status.PARKED]


@lru_cache(maxsize=1)
def shipped_policy() -> Policy:
    doc = catalog.load("supervision.yaml")
    try:
        return Policy(
            warn_before_share=float(doc["warn_before_share"]),
            urge_after_workdays=int(doc["urge_after_workdays"]),
            supervise_after_workdays=int(doc["supervise_after_workdays"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise catalog.CatalogError(
            f"catalog/supervision.yaml 字段缺失或无效：{exc}", field=str(exc)
        ) from None


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
        if mark is not None and _apply(session, row.id, row.version, row.status, mark, now):
            return True
    return False


_EFFECT: dict[Mark, dict[str, Any]] = {
    Mark.WARN: {},
    Mark.OVERDUE: {"is_overdue": True},
    Mark.URGE: {"supervision_level": 1},
    Mark.SUPERVISE: {"supervision_level": 2},
}


def _apply(session: Session, case_id: int, version: int, status: str, mark: Mark, now: datetime) -> bool:
    values = {**_EFFECT[mark], "version": version + 1}
    if mark is Mark.WARN:
        values["warned_at"] = now
    done = session.execute(update(Case).where(Case.id == case_id, Case.version == version).values(**values))
    if done.rowcount != 1:  # type: ignore[attr-defined]  # another worker or a user moved it first
        session.rollback()
        return False
    session.add(
        CaseTransition(
            case_id=case_id,
            at=now,
            actor_id=None,
            actor_name=SWEEPER,
            step=mark.value,
            from_status=status,
            to_status=status,
            note=MARK_LABEL[mark],
            detail={},
        )
    )
    session.commit()
    return True


def sweep(session: Session, *, rules: CaseRules, policy: Policy, now: datetime, limit: int = 10_000) -> int:
    """Apply every mark due now; the number applied."""
    count = 0
    while count < limit and sweep_once(session, rules=rules, policy=policy, now=now):
        count += 1
    return count
