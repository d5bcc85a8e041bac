"""A case's append-only history: the one writer of its rows, and the compare-and-set every change of a
case goes through (of two concurrent changes one wins, the other gets a Conflict)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case, CaseTransition
from govgrid.domain.errors import Conflict
from govgrid.domain.permissions import Actor


def record_history(
    session: Session,
    case: Case,
    *,
    actor: Actor,
    step: str,
    from_status: str | None,
    now: datetime,
    note: str = "",
    detail: dict[str, Any] | None = None,
    public_note: str = "",
) -> None:
    """The one writer of a case's history row (the caller commits). `public_note` must have been checked."""
    session.add(
        CaseTransition(
            case_id=case.id,
            at=now,
            actor_id=actor.user_id,
            actor_name=actor.username,
            step=step,
            from_status=from_status,
            to_status=case.status,
            note=note,
            public_note=public_note,
            detail=detail or {},
        )
    )


def compare_and_set(session: Session, case: Case, expected_version: int | None, **values: Any) -> None:
    """Write `values` only if the case is still at the version the caller saw; else Conflict (409)."""
    version = case.version if expected_version is None else expected_version
    done = session.execute(
        update(Case).where(Case.id == case.id, Case.version == version).values(version=version + 1, **values)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise Conflict("案件已被他人处理（状态已变化），请刷新后重试", field="version")
    session.refresh(case)
