"""领导批示 on a ledger item: a leader's instruction on a campaign, measure or task in their area, recorded
in the item's history (its one writer, services.ledger.events) and audited; the lead unit sees it on the
item and in its workspace. It changes no light, deadline or rung."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.ledger_models import LedgerEvent, LedgerItem
from govgrid.domain.instructions import instruction_text
from govgrid.domain.ledger_states import EventKind
from govgrid.domain.permissions import Action, Actor, Reach, reach
from govgrid.services.ledger.events import record_event
from govgrid.services.ledger.items import item_for
from govgrid.services.ledger.views import LedgerFilter, visible_rows


def instruct(session: Session, *, actor: Actor, item_id: int, note: str, now: datetime) -> LedgerItem:
    item = item_for(session, actor, Action.INSTRUCT, item_id)
    record_event(session, item, EventKind.INSTRUCT, actor=actor, now=now, note=instruction_text(note))
    session.commit()
    return item


def recent(session: Session, *, actor: Actor, limit: int = 5) -> list[tuple[LedgerEvent, LedgerItem]]:
    """The newest 批示 on the items the actor may read (for the workspace of the units that lead them)."""
    if reach(actor, Action.READ_LEDGER) is Reach.NONE:
        return []
    visible = visible_rows(session, actor, LedgerFilter()).visible
    if not visible:
        return []
    query = (
        select(LedgerEvent, LedgerItem)
        .join(LedgerItem, LedgerItem.id == LedgerEvent.item_id)
        .where(LedgerEvent.action == EventKind.INSTRUCT.value)
        .order_by(LedgerEvent.id.desc())
    )
    if len(visible) <= 10_000:  # a unit's or a street's items: ask for exactly those
        exact = session.execute(query.where(LedgerItem.id.in_(visible)).limit(limit))
        return [(event, item) for event, item in exact]
    rows = session.execute(query.limit(2_000)).all()  # a district's whole ledger: filter what was read
    return [(event, item) for event, item in rows if item.id in visible][:limit]
