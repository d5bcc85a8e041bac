"""A return's storage: found or opened for a period (its deadline on the working calendar; a submitted one
is closed), the row kept for an entry, and what a return keeps for each row."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from govgrid.db.form_models import FormReturn, FormRow, FormTask
from govgrid.db.register_models import RegisterEntry
from govgrid.domain.errors import Conflict, NotFound
from govgrid.domain.form_sheets import Kept, period_of
from govgrid.domain.forms import Template
from govgrid.domain.worktime import WorkCalendar
from govgrid.services.forms.tasks import deadline_of, runs


def find_return(session: Session, task_id: int, period: date) -> FormReturn | None:
    return session.scalar(
        select(FormReturn).where(FormReturn.task_id == task_id, FormReturn.period == period)
    )


def open_return(
    session: Session, calendar: WorkCalendar, task: FormTask, template: Template, period: date
) -> FormReturn:
    if period_of(template.frequency, period, task.starts_on) != period or not runs(task, period):
        raise NotFound(f"{template.name}没有 {period.isoformat()} 这一期")
    done = find_return(session, task.id, period)
    if done is None:
        done = FormReturn(
            district_code=task.district_code,
            task_id=task.id,
            period=period,
            deadline=deadline_of(calendar, task, period),
            status="open",
            rows=0,
            prefilled=0,
            typed=0,
            seconds_saved=0,
            rung="",
        )
        try:
            with session.begin_nested():
                session.add(done)
        except IntegrityError:  # opened at the same moment by another worker of the community
            done = find_return(session, task.id, period)
            assert done is not None
    if done.status == "submitted":
        raise Conflict(f"{template.name}（{period.isoformat()}）已报送，不能再改", field="period")
    return done


def row_for(session: Session, done: FormReturn, entry: RegisterEntry, now: datetime) -> FormRow:
    row = session.scalar(select(FormRow).where(FormRow.return_id == done.id, FormRow.entry_id == entry.id))
    if row is None:
        row = FormRow(
            district_code=done.district_code,
            return_id=done.id,
            entry_id=entry.id,
            values={},
            typed=[],
            removed=False,
            updated_at=now,
        )
        session.add(row)
        session.flush()
    return row


def kept_of(session: Session, done: FormReturn | None) -> dict[int, Kept]:
    if done is None:
        return {}
    rows = session.scalars(select(FormRow).where(FormRow.return_id == done.id))
    return {r.entry_id: Kept(dict(r.values or {}), frozenset(r.typed or ()), r.removed) for r in rows}
