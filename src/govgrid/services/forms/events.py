"""The one writer of form_event: a task issued, a row saved or added, a return submitted, a sheet
exported — append-only, the form work's history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from govgrid.db.form_models import FormEvent, FormRequest, FormReturn, FormTask
from govgrid.domain.permissions import Actor
from govgrid.services import chains


def record(
    session: Session,
    task: FormTask,
    done: FormReturn | None,
    actor: Actor,
    now: datetime,
    action: str,
    detail: dict[str, Any],
) -> None:
    """One event of a task (and of its return, if any), chained per task."""
    return_id = done.id if done is not None else None
    _add(session, task.district_code, f"t{task.id}", task.id, return_id, None, actor, now, action, detail)


def record_request(
    session: Session, request: FormRequest, actor: Actor, now: datetime, action: str, detail: dict[str, Any]
) -> None:
    """One event of a 报表准入 request: requested, approved, refused — chained per request."""
    _add(session, request.district_code, f"r{request.id}", None, None, request.id, actor, now, action, detail)


def _add(
    session: Session,
    district_code: str,
    chain_key: str,
    task_id: int | None,
    return_id: int | None,
    request_id: int | None,
    actor: Actor,
    now: datetime,
    action: str,
    detail: dict[str, Any],
) -> None:
    row = {
        "district_code": district_code,
        "chain_key": chain_key,
        "task_id": task_id,
        "return_id": return_id,
        "request_id": request_id,
        "at": now,
        "actor_id": actor.user_id,
        "actor_name": actor.name[:64],
        "action": action,
        "detail": detail,
    }
    chains.link(session, FormEvent, [row])
    session.add(FormEvent(**row))
