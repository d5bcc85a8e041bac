"""A community's return of a form for one period: the sheet composed from the base register
(domain.form_sheets.compose), a row's values entered — a registry value goes to the register, and so to
every form that asks it, an event or local value stays on the day's row — a person not yet registered
entered into the register and onto the form in one transaction, and 报送 with the cells pre-filled against
typed counted. Every change is a form_event (services.forms.events)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.form_models import FormReturn, FormTask
from govgrid.db.models import OrgUnit
from govgrid.db.register_models import RegisterEntry
from govgrid.domain.errors import InvalidInput, NotFound
from govgrid.domain.form_sheets import (
    PREFILLED,
    Registered,
    SheetRow,
    compose,
    counts,
    period_of,
    previous_period,
)
from govgrid.domain.forms import FormCatalog, Template, check_value, of_register
from govgrid.domain.permissions import Action, Actor, Reach, authorize, reach
from govgrid.domain.worktime import WorkCalendar
from govgrid.services.forms import events, register
from govgrid.services.forms.return_rows import find_return, kept_of, open_return, row_for
from govgrid.services.forms.tasks import deadline_of, names_of, runs, task_in_reach

MAX_NUMBER = 10  # "#" and at most nine digits: a register number, never an overflowing integer


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
    if period_of(template.frequency, period, task.starts_on) != period or not runs(task, period):
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
    done = find_return(session, task.id, period)
    before_period = previous_period(template.frequency, period, task.starts_on)
    earlier = find_return(session, task.id, before_period) if before_period else None
    rows = compose(
        catalog,
        template,
        day=period,
        entries=entries,
        kept=kept_of(session, done),
        before=kept_of(session, earlier) if earlier else None,
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
    kept = _row_values(catalog, template, values)  # checked before anything is written
    done = open_return(session, calendar, task, template, period)
    registry = {c: v for c, v in values.items() if c in template.fields and of_register(c, entry.kind)}
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
    row = row_for(session, done, entry, now)
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
    done = open_return(session, calendar, task, template, period)
    kind = template.rows.kind
    registry = {c: v for c, v in values.items() if of_register(c, kind) and v}
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
    row = row_for(session, done, entry, now)
    row.values = {**(row.values or {}), **kept}
    row.typed = sorted(set(row.typed or []) | set(registry) | set(kept))
    events.record(session, task, done, actor, now, "add_row", {"entry": entry.id, "typed": row.typed})
    session.commit()
    return entry


def include_row(
    session: Session,
    *,
    actor: Actor,
    catalog: FormCatalog,
    calendar: WorkCalendar,
    task_id: int,
    period: date,
    label: str,
    now: datetime,
) -> int:
    """Put a registered person (house, firm) of the community on this form by name; the entry's id. Two of
    the same name are told apart by the register's number (#12)."""
    task, template = task_in_reach(session, actor, catalog, task_id, Action.FILL_FORMS)
    done = open_return(session, calendar, task, template, period)
    wanted = label.strip()
    query = select(RegisterEntry).where(
        RegisterEntry.district_code == task.district_code,
        RegisterEntry.community_code == task.community_code,
        RegisterEntry.kind == template.rows.kind,
    )
    if wanted.startswith("#") and wanted[1:].isdigit() and len(wanted) <= MAX_NUMBER:
        query = query.where(RegisterEntry.id == int(wanted[1:]))
    else:
        query = query.where(RegisterEntry.label == wanted[:120])
    found = session.scalars(query.limit(6)).all()
    if not found:
        raise NotFound(f"本社区基础台账中没有“{wanted[:40]}”，请先登记或用“新增一行”")
    if len(found) > 1:
        numbers = "、".join(f"#{e.id}" for e in found[:5])
        raise InvalidInput(
            f"本社区有 {len(found)} 条“{wanted[:40]}”（{numbers}），请填写台账编号", field="label"
        )
    row = row_for(session, done, found[0], now)
    row.removed, row.updated_at = False, now
    events.record(session, task, done, actor, now, "save_row", {"entry": found[0].id, "typed": []})
    session.commit()
    return found[0].id


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
    done = open_return(session, calendar, task, template, period)
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
    _keep_as_sent(session, done, template, composed.rows, now)
    detail = {
        "rows": done.rows,
        "prefilled": tally.prefilled,
        "typed": tally.typed,
        "late": now > done.deadline,
        "period": period.isoformat(),
        "form": template.name,
    }
    events.record(session, task, done, actor, now, "submit", detail)
    session.commit()
    return done


def _keep_as_sent(
    session: Session, done: FormReturn, template: Template, rows: list[SheetRow], now: datetime
) -> None:
    """Every row as submitted stays on the return: those carried or picked become its own rows (so the
    next period carries them in turn), with what was filled in — the day, who filled it, carried local
    values — kept as sent, so the department's sheet shows them as the community submitted them."""
    own = {spec.code for spec in template.local} | {c for c in template.fields if c.startswith("event.")}
    entries = {
        e.id: e
        for e in session.scalars(
            select(RegisterEntry).where(RegisterEntry.id.in_([r.entry_id for r in rows]))
        )
    }
    for sheet_row in rows:
        entry = entries.get(sheet_row.entry_id)
        if entry is None:
            continue
        row = row_for(session, done, entry, now)
        filled = {c.code: c.value for c in sheet_row.cells if c.code in own and c.value}
        if filled != (row.values or {}):
            row.values = {**(row.values or {}), **filled}
            row.updated_at = now


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
