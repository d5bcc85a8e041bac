"""The ledger's part of the assessment (督办台账): of the tasks the caller may see whose deadline falls in the
period, how many were 销号 (the closure approved) at or before it; and the tasks by warning light now."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.ledger_models import LedgerEvent, LedgerItem
from govgrid.domain.assessment import Period
from govgrid.domain.ledger_states import EventKind
from govgrid.domain.permissions import Action, Actor, Reach, reach
from govgrid.services.ledger.views import LIGHTS, LedgerFilter, shown_ids


def ledger_figures(session: Session, *, actor: Actor, period: Period) -> dict[str, Any] | None:
    """{due, done_on_time, on_time_rate, lights: {green, blue, yellow, red, grey}}; None for a caller
    without the ledger."""
    if reach(actor, Action.READ_LEDGER) is Reach.NONE:
        return None
    tasks, _ = shown_ids(session, actor=actor, wanted=LedgerFilter(tasks_only=True))
    lights = dict.fromkeys(LIGHTS, 0)
    due: dict[int, Any] = {}
    ids = sorted(tasks)
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        for item_id, light, deadline in session.execute(
            select(LedgerItem.id, LedgerItem.light, LedgerItem.deadline_at).where(LedgerItem.id.in_(chunk))
        ):
            lights[light] = lights.get(light, 0) + 1
            if period.holds(deadline):
                due[item_id] = deadline
    done = set()
    due_ids = sorted(due)
    for start in range(0, len(due_ids), 900):
        chunk = due_ids[start : start + 900]
        for item_id, at in session.execute(
            select(LedgerEvent.item_id, LedgerEvent.at).where(
                LedgerEvent.item_id.in_(chunk), LedgerEvent.action == EventKind.CLOSE_APPROVE.value
            )
        ):
            if at <= due[item_id] and at < period.end:
                done.add(item_id)
    return {
        "due": len(due),
        "done_on_time": len(done),
        "on_time_rate": round(len(done) / len(due), 4) if due else None,
        "lights": lights,
    }
