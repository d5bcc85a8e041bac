"""A community's return of a form for one period: the sheet composed from the base register
(domain.form_sheets.compose), a row's values entered — a registry value goes to the register, and so to
every form that asks it, an event or local value stays on the day's row — a person not yet registered
entered into the register and onto the form in one transaction, and 报送 with the cells pre-filled against
typed counted. Every change is a form_event (services.forms.events)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from govgrid.db.form_models import FormReturn, FormRow, FormTask
from govgrid.db.models import OrgUnit
from govgrid.db.register_models import RegisterEntry
from govgrid.domain.errors import Conflict, InvalidInput, NotFound
from govgrid.domain.form_sheets import (
    PREFILLED,
    Kept,
    Registered,
    SheetRow,
    compose,
    counts,
    period_of,
    previous_period,
)
from govgrid.domain.forms import ENTRY_PREFIX, FormCatalog, Template, check_value
from govgrid.domain.permissions import Action, Actor, Reach, authorize, reach
from govgrid.domain.worktime import WorkCalendar
from govgrid.services.forms import events, register
from govgrid.services.forms.tasks import deadline_of, names_of, runs, task_in_reach


@dataclass(frozen=True)
class Sheet:
    """A form of one community for one period, composed from the register."""

    task: FormTask
    template: Template
    period: date
    deadline: datetime
    status: str  # open | submitted
    rows: list[SheetRow]
    community_name: str
    unit_name: str


def sheet(
    session: Session,
    *,
    actor: Actor,
    catalog: FormCatalog,
    calendar: WorkCalendar,
    task_id: int,
    period: date,
    action: Action = Action.READ_FORMS,
) -> Sheet:
    """The form of a task for one period, every cell with its source."""
    task, template = task_in_reach(session, actor, catalog, task_id, action)
    if period_of(template.frequency, period, task.starts_on) != period:
        raise NotFound(f"{template.name}没有 {period.isoformat()} 这一期")
    entries = _entries(session, task.district_code, task.community_code)
    return _composed(session, actor, catalog, calendar, task, template, period, entries)


def day_sheets(
    session: Session,
    *,
    actor: Actor,
    catalog: FormCatalog,
    calendar: WorkCalendar,
    community_code: str,
    day: date,
) -> list[Sheet]:
    """Every form of a community for a day (each task running that day, in its period), the register read
    once for all of them."""
    authorize(actor, Action.READ_FORMS, area_code=community_code)
    found = session.scalars(
        select(FormTask)
        .where(
            FormTask.district_code == community_code[:6],
            FormTask.community_code == community_code,
            FormTask.status == "active",
        )
        .order_by(FormTask.id)
    ).all()
    entries = _entries(session, community_code[:6], community_code)
    out = []
    for task in found:
        template = catalog.templates.get(task.template_code)
        period = period_of(template.frequency, day, task.starts_on) if template else None
        if template is None or period is None or not runs(task, day):
            continue
        out.append(_composed(session, actor, catalog, calendar, task, template, period, entries))
    return out


def _entries(session: Session, district_code: str, community_code: str) -> list[Registered]:
    rows = session.execute(
        select(RegisterEntry.id, RegisterEntry.kind, RegisterEntry.label, RegisterEntry.values)
        .where(RegisterEntry.district_code == district_code, RegisterEntry.community_code == community_code)
        .order_by(RegisterEntry.id)
    )
    return [Registered(i, k, label, values or {}) for i, k, label, values in rows]


def _composed(
    session: Session,
    actor: Actor,
    catalog: FormCatalog,
    calendar: WorkCalendar,
    task: FormTask,
    template: Template,
    period: date,
    entries: list[Registered],
) -> Sheet:
    done = _find_return(session, task.id, period)
    before_period = previous_period(template.frequency, period, task.starts_on)
    earlier = _find_return(session, task.id, before_period) if before_period else None
    rows = compose(
        catalog,
        template,
        day=period,
        entries=entries,
        kept=_kept(session, done),
        before=_kept(session, earlier) if earlier else None,
        filler=actor.name if reach(actor, Action.FILL_FORMS) is not Reach.NONE else "",
    )
    names = names_of(session, [task.community_code])
    unit = session.get(OrgUnit, task.unit_id)
    return Sheet(
        task,
        template,
        period,
        deadline_of(calendar, task, period),
        done.status if done else "open",
        rows,
        names.get(task.community_code, task.community_code),
        unit.name if unit else "",
    )


def save_row(
    session: Session,
    *,
    actor: Actor,
    catalog: FormCatalog,
    calendar: WorkCalendar,
    task_id: int,
    period: date,
    entry_id: int,
    values: dict[str, str],
    now: datetime,
    key: bytes,
) -> None:
    """Enter a row's values: a registry value changes the register (so every form shows it), an event or
    local value is kept on this day's row. Only values given and different count as typed."""
    task, template = task_in_reach(session, actor, catalog, task_id, Action.FILL_FORMS)
    entry = session.get(RegisterEntry, entry_id)
    if entry is None or entry.community_code != task.community_code:
        raise NotFound(f"台账记录 {entry_id} 不在本社区")
    done = _open_return(session, calendar, task, template, period)
    registry = {c: v for c, v in values.items() if c in template.fields and _own(c, entry.kind)}
    changed = {c for c, v in registry.items() if v and (entry.values or {}).get(c) != v}
    if changed:
        register.change_entry(
            session,
            actor=actor,
            catalog=catalog,
            entry_id=entry.id,
            values={c: registry[c] for c in changed},
            expected_version=None,
            now=now,
            key=key,
            commit=False,
        )
    kept = _row_values(catalog, template, values)
    row = _row(session, done, entry, now)
    typed_here = changed | {c for c, v in kept.items() if (row.values or {}).get(c) != v}
    row.values = {**(row.values or {}), **kept}
    row.typed = sorted(set(row.typed or []) | typed_here)
    row.removed = False
    row.updated_at = now
    events.record(
        session, task, done, actor, now, "save_row", {"entry": entry.id, "typed": sorted(typed_here)}
    )
    session.commit()


def add_row(
    session: Session,
    *,
    actor: Actor,
    catalog: FormCatalog,
    calendar: WorkCalendar,
    task_id: int,
    period: date,
    grid_code: str,
    values: dict[str, str],
    now: datetime,
    key: bytes,
    client_id: str | None = None,
    synthetic: bool = False,
) -> RegisterEntry:
    """A person (or house, firm) not yet registered: entered into the register and onto this form, all in
    one transaction; every value given was typed."""
    task, template = task_in_reach(session, actor, catalog, task_id, Action.FILL_FORMS)
    if not grid_code.startswith(task.community_code):
        raise InvalidInput("所选网格不在本社区", field="grid_code")
    done = _open_return(session, calendar, task, template, period)
    kind = template.rows.kind
    registry = {c: v for c, v in values.items() if _own(c, kind) and v}
    kept = _row_values(catalog, template, values)
    entry = register.add_entry(
        session,
        actor=actor,
        catalog=catalog,
        kind=kind,
        grid_code=grid_code,
        values=dict(registry),
        now=now,
        key=key,
        client_id=client_id,
        synthetic=synthetic,
        commit=False,
    )
    row = _row(session, done, entry, now)
    row.values = {**(row.values or {}), **kept}
    row.typed = sorted(set(row.typed or []) | set(registry) | set(kept))
    events.record(session, task, done, actor, now, "add_row", {"entry": entry.id, "typed": row.typed})
    session.commit()
    return entry


def submit(
    session: Session,
    *,
    actor: Actor,
    catalog: FormCatalog,
    calendar: WorkCalendar,
    task_id: int,
    period: date,
    now: datetime,
) -> FormReturn:
    """报送: the return is closed, with its rows and its cells pre-filled against typed counted."""
    task, template = task_in_reach(session, actor, catalog, task_id, Action.FILL_FORMS)
    done = _open_return(session, calendar, task, template, period)
    composed = sheet(
        session, actor=actor, catalog=catalog, calendar=calendar, task_id=task.id, period=period,
        action=Action.FILL_FORMS,
    )  # fmt: skip
    tally = counts(composed.rows)
    types = {spec.code: spec.type.value for spec in catalog.columns(template)}
    seconds = sum(
        catalog.typing_seconds.get(types[cell.code], 0.0)
        for row in composed.rows
        for cell in row.cells
        if cell.source in PREFILLED and cell.value
    )
    done.status, done.submitted_at, done.submitted_by = "submitted", now, actor.user_id
    done.rows, done.prefilled, done.typed = len(composed.rows), tally.prefilled, tally.typed
    done.seconds_saved = round(seconds)
    detail = {
        "rows": done.rows,
        "prefilled": tally.prefilled,
        "typed": tally.typed,
        "late": now > done.deadline,
    }
    events.record(session, task, done, actor, now, "submit", detail)
    session.commit()
    return done


def _find_return(session: Session, task_id: int, period: date) -> FormReturn | None:
    return session.scalar(
        select(FormReturn).where(FormReturn.task_id == task_id, FormReturn.period == period)
    )


def _open_return(
    session: Session, calendar: WorkCalendar, task: FormTask, template: Template, period: date
) -> FormReturn:
    if period_of(template.frequency, period, task.starts_on) != period or not runs(task, period):
        raise NotFound(f"{template.name}没有 {period.isoformat()} 这一期")
    done = _find_return(session, task.id, period)
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
        )
        try:
            with session.begin_nested():
                session.add(done)
        except IntegrityError:  # opened at the same moment by another worker of the community
            done = _find_return(session, task.id, period)
            assert done is not None
    if done.status == "submitted":
        raise Conflict(f"{template.name}（{period.isoformat()}）已报送，不能再改", field="period")
    return done


def _row(session: Session, done: FormReturn, entry: RegisterEntry, now: datetime) -> FormRow:
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


def _kept(session: Session, done: FormReturn | None) -> dict[int, Kept]:
    if done is None:
        return {}
    rows = session.scalars(select(FormRow).where(FormRow.return_id == done.id))
    return {r.entry_id: Kept(dict(r.values or {}), frozenset(r.typed or ()), r.removed) for r in rows}


def _own(code: str, kind: str) -> bool:
    return code.startswith(ENTRY_PREFIX[kind] + ".")


def _row_values(catalog: FormCatalog, template: Template, values: dict[str, str]) -> dict[str, str]:
    """The event and local values given for a row, each checked by its field (a bad one is named)."""
    specs = [catalog.registry[c] for c in template.fields if c.startswith("event.")] + list(template.local)
    out: dict[str, str] = {}
    for spec in specs:
        raw = values.get(spec.code, "")
        if not str(raw).strip():
            continue
        value = check_value(spec, raw)
        if value is not None:
            out[spec.code] = (
                value.isoformat()
                if isinstance(value, date)
                else (f"{value:g}" if isinstance(value, float) else str(value))
            )
    return out
