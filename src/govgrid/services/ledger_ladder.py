"""The escalation ladder on ledger tasks: the sweeper climbs 提醒 → 催办 → 督办 → 通报 by the light;
supervisors take any rung by hand (约谈, 问责 only by hand). Claimed by compare-and-set on the version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from govgrid.db.ledger_models import LedgerEvent, LedgerItem
from govgrid.domain.errors import InvalidInput, NotFound
from govgrid.domain.ledger import RUNG_LABEL, LadderPolicy, Light, Rung, due_rung, is_higher
from govgrid.domain.permissions import Action, Actor, authorize
from govgrid.services import audit
from govgrid.services.ledgers import LedgerRules

SWEEPER = "system:ledger"


def _red_since(session: Session, item_id: int) -> datetime | None:
    """When the task's light last turned red (from its recorded light changes)."""
    changes = session.scalars(select(LedgerEvent).where(LedgerEvent.item_id == item_id, LedgerEvent.action == "light")
                              .order_by(LedgerEvent.id.desc()).limit(20))  # fmt: skip
    return next((e.at for e in changes if e.detail.get("to") == Light.RED.value), None)


def _climb(session: Session, item: LedgerItem, rung: Rung, actor_name: str, note: str, now: datetime) -> bool:
    done = session.execute(update(LedgerItem).where(LedgerItem.id == item.id, LedgerItem.version == item.version)
                           .values(rung=rung.value, version=item.version + 1))  # fmt: skip
    if done.rowcount != 1:  # type: ignore[attr-defined]  # another sweeper or a supervisor was first
        session.rollback()
        return False
    session.add(LedgerEvent(item_id=item.id, at=now, actor_name=actor_name, action="rung",
                            note=f"{RUNG_LABEL[rung]}{('：' + note) if note else ''}", detail={"rung": rung.value}))  # fmt: skip
    return True


def escalate_once(
    session: Session, *, rules: LedgerRules, now: datetime, policy: LadderPolicy = LadderPolicy()
) -> bool:
    """Take the next rung one task's light warrants; False when none is due."""
    candidates = session.scalars(select(LedgerItem).where(LedgerItem.status != "closed",
                                                          LedgerItem.light.in_([Light.YELLOW.value, Light.RED.value]))
                                 .order_by(LedgerItem.id)).all()  # fmt: skip
    for item in candidates:
        if session.scalar(select(LedgerItem.id).where(LedgerItem.parent_id == item.id).limit(1)) is not None:
            continue  # parents show their children's light; the ladder applies to the tasks themselves
        since = _red_since(session, item.id)
        red_days = (
            rules.calendar.workdays_between(since, now) if since and item.light == Light.RED.value else 0
        )
        rung = due_rung(Light(item.light), red_days, policy)
        current = Rung(item.rung) if item.rung else None
        if rung is not None and is_higher(rung, current) and _climb(session, item, rung, SWEEPER, "", now):
            session.commit()
            return True
    return False


def take_rung(
    session: Session, *, actor: Actor, item_id: int, rung: Rung, note: str, now: datetime
) -> LedgerItem:
    """A supervisor takes a rung by hand (约谈, 问责, or any earlier one), with a note; never down the ladder."""
    item = session.get(LedgerItem, item_id)
    if item is None:
        raise NotFound(f"督办事项 {item_id} 不存在")
    authorize(actor, Action.MANAGE_LEDGER, area_code=item.area_code)
    current = Rung(item.rung) if item.rung else None
    if current is not None and not is_higher(rung, current):
        raise InvalidInput(f"“{RUNG_LABEL[rung]}”不高于当前的“{RUNG_LABEL[current]}”", field="rung")
    if not note.strip():
        raise InvalidInput("须写明督办要求", field="note")
    if not _climb(session, item, rung, actor.username, note, now):
        raise InvalidInput("事项已被他人更新，请刷新后重试", field="version")
    audit.record(session, actor=actor, action="ledger.rung", entity_type="ledger_item", entity_id=str(item.id),
                 now=now, scope_code=item.area_code, detail={"rung": rung.value})  # fmt: skip
    session.commit()
    session.refresh(item)
    return item
