"""The escalation ladder on ledger tasks: the sweeper climbs 提醒 → 催办 → 督办 → 通报 by the light;
supervisors take any rung by hand (约谈, 问责 only by hand). Claimed by compare-and-set on the version."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from govgrid.db.ledger_models import LedgerEvent, LedgerItem
from govgrid.domain.errors import Conflict, InvalidInput
from govgrid.domain.ledger import RUNG_LABEL, LedgerRules, Light, Rung, due_rung, is_higher
from govgrid.domain.ledger_states import EventKind, ItemStatus
from govgrid.domain.permissions import Action, Actor
from govgrid.domain.worktime import CalendarUnknown
from govgrid.services.ledger.events import SYSTEM, Event, record_event, record_events
from govgrid.services.ledger.items import item_for

log = logging.getLogger(__name__)


def _climb(
    session: Session, item: LedgerItem, rung: Rung, actor: Actor | None, note: str, now: datetime
) -> bool:
    """Take the rung if nobody changed the item meanwhile, with its event (a supervisor's, audited; or the
    sweeper's)."""
    done = session.execute(
        update(LedgerItem)
        .where(LedgerItem.id == item.id, LedgerItem.version == item.version)
        .values(rung=rung.value, version=item.version + 1)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]  # another sweeper or a supervisor was first
        session.rollback()
        return False
    text, detail = f"{RUNG_LABEL[rung]}{('：' + note) if note else ''}", {"rung": rung.value}
    if actor is None:
        record_events(
            session, [Event(item.id, item.district_code, EventKind.RUNG, now, SYSTEM, text, detail)]
        )
    else:
        record_event(session, item, EventKind.RUNG, actor=actor, now=now, note=text, detail=detail)
    return True


def escalate_due(session: Session, *, rules: LedgerRules, now: datetime) -> int:
    """Take every rung the tasks' lights warrant (one step per task per call); returns how many were taken.
    The policy is rules.ladder (catalog/supervision.yaml)."""
    candidates = session.scalars(
        select(LedgerItem)
        .where(
            LedgerItem.status != ItemStatus.CLOSED.value,
            LedgerItem.batch_id.is_(None),
            LedgerItem.light.in_([Light.YELLOW.value, Light.RED.value]),
        )
        .order_by(LedgerItem.id)
    ).all()
    parents = set(
        session.scalars(select(LedgerItem.parent_id).where(LedgerItem.parent_id.is_not(None)).distinct())
    )
    red_since: dict[int, datetime] = {}
    ids = [item.id for item in candidates if item.light == Light.RED.value and item.id not in parents]
    for start in range(0, len(ids), 5000):
        events = session.scalars(
            select(LedgerEvent)
            .where(
                LedgerEvent.action == EventKind.LIGHT.value,
                LedgerEvent.item_id.in_(ids[start : start + 5000]),
            )
            .order_by(LedgerEvent.id)
        )
        for event in events:  # the latest turn to red wins
            if event.detail.get("to") == Light.RED.value:
                red_since[event.item_id] = event.at
    taken = 0
    for item in candidates:
        if item.id in parents:
            continue  # parents show their children's light; the ladder applies to the tasks themselves
        since = red_since.get(item.id)
        try:
            red_days = (
                rules.calendar.workdays_between(since, now) if since and item.light == Light.RED.value else 0
            )
        except CalendarUnknown as exc:  # a year not yet in the calendar: skip it, say so, never guess
            log.warning("督办事项 %s 暂不升级：%s", item.id, exc.message)
            continue
        rung = due_rung(Light(item.light), red_days, rules.ladder)
        current = Rung(item.rung) if item.rung else None
        if rung is not None and is_higher(rung, current) and _climb(session, item, rung, None, "", now):
            session.commit()
            taken += 1
    return taken


def take_rung(
    session: Session, *, actor: Actor, item_id: int, rung: Rung, note: str, now: datetime
) -> LedgerItem:
    """A supervisor takes a rung by hand (约谈, 问责, or any earlier one), with a note; never down the ladder."""
    item = item_for(session, actor, Action.MANAGE_LEDGER, item_id)
    current = Rung(item.rung) if item.rung else None
    if current is not None and not is_higher(rung, current):
        raise InvalidInput(f"“{RUNG_LABEL[rung]}”不高于当前的“{RUNG_LABEL[current]}”", field="rung")
    if not note.strip():
        raise InvalidInput("须写明督办要求", field="note")
    if not _climb(session, item, rung, actor, note, now):
        raise Conflict("事项已被他人更新，请刷新后重试", field="version")
    session.commit()
    session.refresh(item)
    return item
