"""待办 and 今日工作: the cases waiting for a person's next step, and what they did today. What waits for
whom is read from the transition table (domain.workflow) and the permission table — the statuses from
which a step the person may take leads on round the loop, on the cases where they may take it — so the
workspace can never disagree with the buttons on a case. Steps beside the loop (作废, 挂账, 退单 …) wait
for nobody."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case, CaseTransition
from govgrid.db.paging import fetch_page
from govgrid.domain.moments import midnight
from govgrid.domain.paging import Paged, Paging
from govgrid.domain.permissions import Actor, Reach, reach
from govgrid.domain.workflow import GRAVE, TRANSITIONS, Step
from govgrid.domain.worktime import CHINA
from govgrid.services.cases.reach import may
from govgrid.services.cases.steps import step_action

BESIDE_THE_LOOP = GRAVE | {Step.RETURN, Step.UNPARK}
# what a day's work is counted as (a person's own history rows since midnight, Beijing time)
TODAY = {"report": "上报", "verify": "核实", "check_pass": "核查", "check_fail": "核查", "photo": "照片"}


def waiting_condition(actor: Actor) -> Any:
    """The SQL condition for the cases waiting for the actor's next step."""
    pairs = sorted(
        {
            (loop.value, status.value, step_action(status, step))
            for (loop, status, step) in TRANSITIONS
            if step not in BESIDE_THE_LOOP and reach(actor, step_action(status, step)) is not Reach.NONE
        }
    )
    if not pairs:
        return false()
    return or_(
        *[
            and_(Case.loop == loop, Case.status == status, may(actor, action))
            for loop, status, action in pairs
        ]
    )


def waiting(session: Session, *, actor: Actor, paging: Paging = Paging(1, 10)) -> Paged[Case]:
    """A page of the cases waiting for the actor, the nearest deadline first (none last)."""
    if actor.is_anonymous:
        return Paged(items=[], total=0, page=1, page_size=paging.page_size)
    query = select(Case).where(waiting_condition(actor)).order_by(Case.due_at.is_(None), Case.due_at, Case.id)
    return fetch_page(session, query, paging)


def done_today(session: Session, *, actor: Actor, now: datetime) -> dict[str, int]:
    """What the person did since midnight (Beijing time): 上报, 核实, 核查, 照片 — each counted once."""
    counts = dict.fromkeys(dict.fromkeys(TODAY.values()), 0)
    if actor.user_id is None:
        return counts
    rows = session.execute(
        select(CaseTransition.step, func.count())
        .where(
            CaseTransition.actor_id == actor.user_id,
            CaseTransition.at >= midnight(now.astimezone(CHINA).date()),
            CaseTransition.step.in_(list(TODAY)),
        )
        .group_by(CaseTransition.step)
    ).all()
    for step, count in rows:
        counts[TODAY[step]] += count
    return counts
