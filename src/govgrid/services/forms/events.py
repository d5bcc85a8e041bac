"""The one writer of form_event: a task issued, a row saved or added, a return submitted, a sheet
exported — append-only, the form work's history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from govgrid.db.form_models import FormEvent, FormRequest, FormReturn, FormTask
from govgrid.domain.permissions import Actor


def record(
    session: Session,
    task: FormTask,
    done: FormReturn | None,
    actor: Actor,
    now: datetime,
    action: str,
    detail: dict[str, Any],
) -> None:
    """One event of a task (and of its return, if any)."""
    session.add(
        FormEvent(
            district_code=task.district_code,
            task_id=task.id,
            return_id=done.id if done is not None else None,
            at=now,
            actor_id=actor.user_id,
            actor_name=actor.name[:64],
            action=action,
            detail=detail,
        )
    )


def record_request(
    session: Session, request: FormRequest, actor: Actor, now: datetime, action: str, detail: dict[str, Any]
) -> None:
    """One event of a 报表准入 request: requested, approved, refused."""
    session.add(
        FormEvent(
            district_code=request.district_code,
            request_id=request.id,
            at=now,
            actor_id=actor.user_id,
            actor_name=actor.name[:64],
            action=action,
            detail=detail,
        )
    )
