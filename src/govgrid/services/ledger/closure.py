"""销号, the only way an item's status changes: the owning unit applies with what was achieved, a supervisor
approves (the item turns grey) or refuses it back to work, and reopens a closed item when the problem comes
back — the transition table of domain.ledger_states, a compare-and-set on the item's version (of two
concurrent decisions one wins, the other gets a Conflict), exactly one event and its audit row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from govgrid.db.ledger_models import LedgerItem
from govgrid.domain.errors import Conflict, InvalidInput
from govgrid.domain.ledger import LedgerRules
from govgrid.domain.ledger_states import (
    CLOSURE_EVENT,
    NOTE_REQUIRED,
    ClosureStep,
    ItemStatus,
    closure_steps,
    next_item_status,
)
from govgrid.domain.permissions import Action, Actor
from govgrid.domain.text import check_chars, is_blank
from govgrid.services.ledger.events import record_event
from govgrid.services.ledger.items import item_for, may
from govgrid.services.ledger.lights import recompute

# who takes each step: the lead unit applies; supervisors decide and reopen
STEP_ACTION = {
    ClosureStep.APPLY: Action.REPORT_PROGRESS,
    ClosureStep.APPROVE: Action.MANAGE_LEDGER,
    ClosureStep.REFUSE: Action.MANAGE_LEDGER,
    ClosureStep.REOPEN: Action.MANAGE_LEDGER,
}


def take_closure_step(
    session: Session,
    *,
    actor: Actor,
    rules: LedgerRules,
    item_id: int,
    step: ClosureStep,
    note: str,
    now: datetime,
    expected_version: int | None = None,
) -> LedgerItem:
    """Take one 销号 step on an item, if its status allows it and nobody changed the item meanwhile."""
    item = item_for(session, actor, STEP_ACTION[step], item_id, lead_only=step is ClosureStep.APPLY)
    check_chars(note, "note")
    if step in NOTE_REQUIRED and is_blank(note):
        raise InvalidInput(NOTE_REQUIRED[step], field="note")
    before = ItemStatus(item.status)
    after = next_item_status(before, step)
    version = item.version if expected_version is None else expected_version
    done = session.execute(
        update(LedgerItem)
        .where(LedgerItem.id == item.id, LedgerItem.version == version, LedgerItem.status == before.value)
        .values(status=after.value, version=version + 1)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise Conflict("事项已被他人更新（状态已变化），请刷新后重试", field="version")
    session.refresh(item)
    record_event(
        session,
        item,
        CLOSURE_EVENT[step],
        actor=actor,
        now=now,
        note=note.strip(),
        detail={"from": before.value, "to": after.value},
        audit_detail={"note": note.strip()},
    )
    recompute(session, rules=rules, now=now, campaign_id=item.campaign_id, commit=False)
    session.commit()
    return item


def steps_open_to(actor: Actor, item: LedgerItem, *, has_children: bool) -> list[ClosureStep]:
    """The 销号 steps this actor may take on the item now (the page shows a form for each). A parent is
    closed by its supervisor; a unit applies only on its own task."""
    return [
        step
        for step in closure_steps(ItemStatus(item.status))
        if not (step is ClosureStep.APPLY and has_children)
        and may(actor, STEP_ACTION[step], item, lead_only=step is ClosureStep.APPLY)
    ]
