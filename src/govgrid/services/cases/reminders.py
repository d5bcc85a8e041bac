"""提醒: what the sweeper and the center did to the cases a person handles or oversees — read from the
case history (the outbox), newest first."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case, CaseTransition
from govgrid.domain.history import SideAction
from govgrid.domain.permissions import Actor
from govgrid.domain.supervision import Mark
from govgrid.services.cases.queries import Entry, as_seen, visible_cases

REMINDED = [m.value for m in Mark] + [s.value for s in SideAction] + ["dispatch", "check_fail", "return"]


def reminders(session: Session, *, actor: Actor, limit: int = 50) -> list[tuple[Entry, Case]]:
    """Recent marks, decisions and hand-overs on the cases the actor may see (their area or their unit),
    each as this reader may see it (a citizen reads no working note)."""
    rows = session.execute(
        select(CaseTransition, Case)
        .join(Case, Case.id == CaseTransition.case_id)
        .where(CaseTransition.step.in_(REMINDED), visible_cases(actor))
        .order_by(CaseTransition.id.desc())
        .limit(min(max(limit, 1), 500))
    ).all()
    return [(as_seen(row[0], actor), row[1]) for row in rows]
