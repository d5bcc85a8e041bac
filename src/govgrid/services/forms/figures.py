"""The numbers that show 一表通 works, per community and month: forms answered, cells pre-filled against
typed, the minutes the pre-filled cells saved (typing times as data), and returns late — over the
returns the caller may read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.form_models import FormReturn, FormTask
from govgrid.domain.forms import FormCatalog
from govgrid.domain.permissions import Action, Actor, Reach, reach
from govgrid.domain.worktime import CHINA, WorkCalendar
from govgrid.services.forms.admission import with_approved
from govgrid.services.forms.tasks import day_tasks, in_reach, names_of

MAX_MONTHS = 24


@dataclass
class Month:
    community_code: str
    community_name: str
    month: str  # 2026-11
    answered: int = 0
    rows: int = 0
    prefilled: int = 0
    typed: int = 0
    seconds_saved: int = 0
    late: int = 0

    @property
    def minutes_saved(self) -> float:
        return round(self.seconds_saved / 60, 1)

    @property
    def prefilled_share(self) -> float:
        cells = self.prefilled + self.typed
        return self.prefilled / cells if cells else 0.0


def monthly(session: Session, *, actor: Actor, now: datetime, months: int = 6) -> list[Month]:
    """Newest month first, then by community."""
    months = max(1, min(months, MAX_MONTHS))
    since = now - timedelta(days=31 * months)
    query = (
        select(FormReturn, FormTask.community_code)
        .join(
            FormTask,
            (FormTask.district_code == FormReturn.district_code) & (FormTask.id == FormReturn.task_id),
        )
        .where(FormReturn.status == "submitted", FormReturn.submitted_at >= since)
    )
    query = in_reach(query, actor)
    found: dict[tuple[str, str], Month] = {}
    for done, community in session.execute(query):
        assert done.submitted_at is not None
        month = done.submitted_at.astimezone(CHINA).strftime("%Y-%m")
        item = found.setdefault((month, community), Month(community, community, month))
        item.answered += 1
        item.rows += done.rows
        item.prefilled += done.prefilled
        item.typed += done.typed
        item.seconds_saved += done.seconds_saved
        item.late += done.submitted_at > done.deadline
    names = names_of(session, [c for _, c in found])
    for item in found.values():
        item.community_name = names.get(item.community_code, item.community_code)
    return sorted(found.values(), key=lambda m: (-int(m.month.replace("-", "")), m.community_code))


@dataclass(frozen=True)
class Glance:
    """一表通 on a workspace: the day's forms still to submit, and this month's figures over the caller's
    communities (summed)."""

    pending: list[dict[str, object]]
    month: Month


def glance(
    session: Session, *, actor: Actor, catalog: FormCatalog, calendar: WorkCalendar, now: datetime
) -> Glance | None:
    """None for those who read no forms."""
    if reach(actor, Action.READ_FORMS) is Reach.NONE:
        return None
    today = now.astimezone(CHINA).date()
    catalog = with_approved(session, catalog)
    listed = day_tasks(session, actor=actor, catalog=catalog, calendar=calendar, day=today, now=now)
    this_month = today.strftime("%Y-%m")
    total = Month("", "", this_month)
    for item in monthly(session, actor=actor, now=now, months=1):
        if item.month == this_month:
            total.answered += item.answered
            total.rows += item.rows
            total.prefilled += item.prefilled
            total.typed += item.typed
            total.seconds_saved += item.seconds_saved
            total.late += item.late
    return Glance([t for t in listed if not t["submitted"]], total)
