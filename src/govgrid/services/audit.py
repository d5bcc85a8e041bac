"""The audit trail: one append-only row per state change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.models import AuditEvent
from govgrid.db.paging import fetch_page
from govgrid.domain.areas import district_of
from govgrid.domain.paging import Paged, Paging
from govgrid.domain.permissions import Action, Actor, scope_filter


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: str,
    now: datetime,
    scope_code: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one audit row to the caller's transaction (the caller commits). It belongs to the district of its
    scope, else of the actor's (a city-wide or unscoped row: 000000)."""
    event = AuditEvent(
        district_code=district_of(scope_code or actor.scope_code),
        at=now,
        actor_id=actor.user_id,
        actor_name=actor.username,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        scope_code=scope_code,
        detail=detail or {},
    )
    session.add(event)
    return event


def list_events(session: Session, *, actor: Actor, paging: Paging = Paging()) -> Paged[AuditEvent]:
    """A page of the audit rows the actor may read: inside their area scope, newest first."""
    narrowing = scope_filter(actor, Action.READ_AUDIT)
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if not narrowing.everything:
        query = query.where(AuditEvent.scope_code.startswith(narrowing.area_prefix or "\x00"))
    return fetch_page(session, query, paging)
