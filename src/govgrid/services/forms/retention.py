"""Retention (保存期限) of 一表通's forms: a form may declare how long its rows' entered values — a
follow-up's temperature and symptoms, a remark — are kept; after that the worker erases them (the row
stays, so the counts and the history stay true). Register values are erased by hand
(services.forms.register.erase_personal), where only their digests remain."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.form_models import FormReturn, FormRow, FormTask
from govgrid.domain.forms import FormCatalog
from govgrid.domain.permissions import SYSTEM
from govgrid.domain.worktime import CHINA
from govgrid.services.forms import events

BATCH = 500  # returns erased per call, so one round stays short


def erase_expired(session: Session, *, catalog: FormCatalog, now: datetime) -> int:
    """Erase the entered values of every row whose form's retention has passed; the rows erased."""
    today = now.astimezone(CHINA).date()
    erased = 0
    for template in catalog.templates.values():
        if template.retention_days is None:
            continue
        cutoff = today - timedelta(days=template.retention_days)
        found = session.execute(
            select(FormReturn, FormTask)
            .join(
                FormTask,
                (FormTask.district_code == FormReturn.district_code) & (FormTask.id == FormReturn.task_id),
            )
            .where(
                FormTask.template_code == template.code,
                FormReturn.period < cutoff,
                FormReturn.erased_at.is_(None),
            )
            .order_by(FormReturn.id)
            .limit(BATCH)
        ).all()
        for done, task in found:
            done.erased_at = now
            rows = [
                r for r in session.scalars(select(FormRow).where(FormRow.return_id == done.id)) if r.values
            ]
            if not rows:
                continue
            for row in rows:
                row.values, row.updated_at = {}, now
            detail = {"rows": len(rows), "retention_days": template.retention_days}
            events.record(session, task, done, SYSTEM, now, "erase", detail)
            erased += len(rows)
    session.commit()
    return erased
