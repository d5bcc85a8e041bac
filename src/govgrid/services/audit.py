"""The audit trail: one append-only row per state change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from govgrid.db.models import AuditEvent
from govgrid.db.paging import fetch_page
from govgrid.domain.areas import district_of
from govgrid.domain.errors import InvalidInput
from govgrid.domain.moments import midnight
from govgrid.domain.paging import Paged, Paging
from govgrid.domain.permissions import Action, Actor, scope_filter
from govgrid.services import chains


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
    row = {
        "district_code": district_of(scope_code or actor.scope_code),
        "at": now,
        "actor_id": actor.user_id,
        "actor_name": actor.name[:64],
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "scope_code": scope_code,
        "detail": detail or {},
    }
    chains.link(session, AuditEvent, [row])  # chained per audited object
    event = AuditEvent(**row)
    session.add(event)
    return event


@dataclass(frozen=True)
class AuditFilter:
    """Who (a name or account, in part), what (an action or its kind: case, ledger, user …), which object
    (its kind and, optionally, its number), and a range of Beijing days."""

    who: str = ""
    action: str = ""
    entity_type: str = ""
    entity_id: str = ""
    day_from: date | None = None
    day_to: date | None = None

    def __post_init__(self) -> None:
        for name in ("who", "action", "entity_type", "entity_id"):
            object.__setattr__(self, name, " ".join(str(getattr(self, name)).split())[:64])
        if self.day_from and self.day_to and self.day_from > self.day_to:
            raise InvalidInput("开始日期晚于结束日期", field="day_from")


def list_events(
    session: Session, *, actor: Actor, paging: Paging = Paging(), wanted: AuditFilter = AuditFilter()
) -> Paged[AuditEvent]:
    """A page of the audit rows the actor may read: inside their area scope, newest first."""
    narrowing = scope_filter(actor, Action.READ_AUDIT)
    query = select(AuditEvent).where(*_matching(wanted)).order_by(AuditEvent.id.desc())
    if not narrowing.everything:
        query = query.where(AuditEvent.scope_code.startswith(narrowing.area_prefix or "\x00"))
    return fetch_page(session, query, paging)


def _matching(wanted: AuditFilter) -> list[Any]:
    found: list[Any] = []
    if wanted.who:
        found.append(AuditEvent.actor_name.icontains(wanted.who, autoescape=True))
    if wanted.action:
        found.append(
            or_(
                AuditEvent.action == wanted.action,
                AuditEvent.action.startswith(f"{wanted.action}.", autoescape=True),
            )
        )
    if wanted.entity_type:
        found.append(AuditEvent.entity_type == wanted.entity_type)
    if wanted.entity_id:
        found.append(AuditEvent.entity_id == wanted.entity_id)
    if wanted.day_from:
        found.append(AuditEvent.at >= midnight(wanted.day_from))
    if wanted.day_to:
        found.append(AuditEvent.at < midnight(wanted.day_to, days_after=1))
    return found
