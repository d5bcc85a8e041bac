"""提醒: what the sweeper and the center did to the cases a person handles or oversees — read from the
case history (the outbox), newest first."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case, CaseTransition
from govgrid.db.paging import fetch_page
from govgrid.domain.history import SideAction
from govgrid.domain.paging import Paged, Paging
from govgrid.domain.permissions import Actor
from govgrid.domain.supervision import Mark
from govgrid.services.cases.queries import Entry, as_seen, visible_cases

REMINDED = [m.value for m in Mark] + [s.value for s in SideAction] + ["dispatch", "check_fail", "return"]


def reminders(session: Session, *, actor: Actor, paging: Paging = Paging()) -> Paged[tuple[Entry, Case]]:
    """A page of the recent marks, decisions and hand-overs on the cases the actor may see (their area or
    their unit), newest first, each as this reader may see it (a citizen reads no working note)."""
    query = (
        select(CaseTransition, Case)
        .join(Case, Case.id == CaseTransition.case_id)
        .where(CaseTransition.step.in_(REMINDED), visible_cases(actor))
        .order_by(CaseTransition.id.desc())
    )
    found = fetch_page(session, query, paging, scalars=False)
    return replace(found, items=[(as_seen(row, actor), case) for row, case in found.items])
