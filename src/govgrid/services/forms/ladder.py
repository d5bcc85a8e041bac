"""The ladder on 一表通's forms, climbed by the worker: a form not yet submitted is 提醒'd some office hours
before its deadline, 催办'd once it is past and 通报'd to the street and the department a workday later
(catalog/form_templates.yaml `ladder`), each rung once, claimed by compare-and-set, each a form_event. The
worker's round also erases what a form's retention says has been kept long enough."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from govgrid.db.form_models import FormReturn, FormTask
from govgrid.domain.errors import Conflict
from govgrid.domain.form_sheets import period_of
from govgrid.domain.forms import FormCatalog
from govgrid.domain.permissions import SYSTEM
from govgrid.domain.worktime import CHINA, WorkCalendar
from govgrid.services.forms import events, retention
from govgrid.services.forms.admission import with_approved
from govgrid.services.forms.return_rows import open_return
from govgrid.services.forms.tasks import deadline_of, runs

log = logging.getLogger(__name__)
RUNGS = ("", "remind", "urge", "report")
LOOKBACK_DAYS = 7  # periods this far back still climb (a weekly form's last week, a daily form's week)


def due_rung(catalog: FormCatalog, calendar: WorkCalendar, deadline: datetime, now: datetime) -> str:
    """The rung a form not yet submitted has reached at `now`."""
    if now > calendar.add_workdays(deadline, catalog.report_after_workdays):
        return "report"
    if now > deadline:
        return "urge"
    if calendar.work_time_between(now, deadline) <= timedelta(hours=catalog.remind_work_hours):
        return "remind"
    return ""


def climb(session: Session, *, catalog: FormCatalog, calendar: WorkCalendar, now: datetime) -> int:
    """Every running task's periods of the last week not yet submitted, each one rung up where due; the
    rungs taken."""
    today = now.astimezone(CHINA).date()
    taken = 0
    running = session.scalars(select(FormTask).where(FormTask.status == "active").order_by(FormTask.id)).all()
    days = [today - timedelta(days=back) for back in range(LOOKBACK_DAYS)]
    due: dict[int, list[date]] = {}
    for task in running:
        template = catalog.templates.get(task.template_code)
        if template is not None:
            periods = {period_of(template.frequency, day, task.starts_on) for day in days}
            due[task.id] = sorted(p for p in periods if p is not None and runs(task, p))
    wanted_periods = {p for periods in due.values() for p in periods}
    kept = {
        (r.task_id, r.period): r
        for r in session.scalars(
            select(FormReturn).where(FormReturn.task_id.in_(list(due)), FormReturn.period.in_(wanted_periods))
        )
    }  # exactly the returns of the periods climbed, read once (a one-off form's period may be old)
    for task in running:
        template = catalog.templates.get(task.template_code)
        if template is None:
            continue
        for period in due.get(task.id, []):
            done = kept.get((task.id, period))
            if done is not None and done.status == "submitted":
                continue
            wanted = due_rung(catalog, calendar, deadline_of(calendar, task, period), now)
            if not wanted or (done is not None and RUNGS.index(done.rung) >= RUNGS.index(wanted)):
                continue
            if done is None:
                try:
                    done = open_return(session, calendar, task, template, period)
                    session.flush()
                except Conflict:  # submitted meanwhile
                    session.rollback()
                    continue
            claimed = session.execute(
                update(FormReturn)
                .where(FormReturn.id == done.id, FormReturn.rung == done.rung, FormReturn.status == "open")
                .values(rung=wanted)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]  # submitted or climbed meanwhile
                session.rollback()
                continue
            events.record(session, task, done, SYSTEM, now, wanted, {"period": period.isoformat()})
            session.commit()
            taken += 1
    return taken


def forms_round(session: Session, *, catalog: FormCatalog, calendar: WorkCalendar, now: datetime) -> int:
    """The worker's 一表通 round: the ladder, then retention, over the shipped forms and those approved."""
    catalog = with_approved(session, catalog)
    taken = climb(session, catalog=catalog, calendar=calendar, now=now)
    erased = retention.erase_expired(session, catalog=catalog, now=now)
    if taken or erased:
        log.info("一表通：催报 %s 次，按保存期限抹除 %s 行", taken, erased)
    return taken
