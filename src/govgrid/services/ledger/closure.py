"""销号: the owning unit applies for closure, a supervisor approves (the item turns grey) or refuses;
a closed item can be reopened. Each step is a ledger event and an audit row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from govgrid.db.ledger_models import LedgerEvent, LedgerItem
from govgrid.domain.errors import InvalidInput
from govgrid.domain.permissions import Action, Actor
from govgrid.services import audit
from govgrid.services.ledger.items import LedgerRules, item_for, recompute


def _record(session: Session, item: LedgerItem, actor: Actor, action: str, note: str, now: datetime) -> None:
    session.add(
        LedgerEvent(item_id=item.id, at=now, actor_name=actor.username, action=action, note=note, detail={})
    )
    audit.record(
        session,
        actor=actor,
        action=f"ledger.{action}",
        entity_type="ledger_item",
        entity_id=str(item.id),
        now=now,
        scope_code=item.area_code,
        detail={"note": note},
    )


def apply_for_closure(
    session: Session, *, actor: Actor, item_id: int, note: str, now: datetime
) -> LedgerItem:
    """The lead unit applies for 销号 with a statement of what was achieved."""
    item = item_for(session, actor, Action.REPORT_PROGRESS, item_id, lead_only=True)
    if item.status != "open":
        raise InvalidInput("只有进行中的事项可以申请销号", field="status")
    if not note.strip():
        raise InvalidInput("申请销号须说明完成情况", field="note")
    item.status = "closing"
    _record(session, item, actor, "close_request", note, now)
    session.commit()
    return item


def decide_closure(
    session: Session,
    *,
    actor: Actor,
    rules: LedgerRules,
    item_id: int,
    approve: bool,
    note: str,
    now: datetime,
) -> LedgerItem:
    """A supervisor approves 销号 (the item turns grey) or sends it back to work."""
    item = item_for(session, actor, Action.MANAGE_LEDGER, item_id)
    if item.status != "closing":
        raise InvalidInput("该事项没有待审核的销号申请", field="status")
    item.status = "closed" if approve else "open"
    _record(session, item, actor, "close_approve" if approve else "close_refuse", note, now)
    session.flush()
    recompute(session, rules=rules, now=now, campaign_id=item.campaign_id, commit=False)
    session.commit()
    return item


def reopen(
    session: Session, *, actor: Actor, rules: LedgerRules, item_id: int, note: str, now: datetime
) -> LedgerItem:
    """A supervisor reopens a closed item (a problem came back), with the reason."""
    item = item_for(session, actor, Action.MANAGE_LEDGER, item_id)
    if item.status != "closed":
        raise InvalidInput("只有已销号的事项可以重新打开", field="status")
    if not note.strip():
        raise InvalidInput("重新打开须说明原因", field="note")
    item.status = "open"
    _record(session, item, actor, "reopen", note, now)
    session.flush()
    recompute(session, rules=rules, now=now, campaign_id=item.campaign_id, commit=False)
    session.commit()
    return item
