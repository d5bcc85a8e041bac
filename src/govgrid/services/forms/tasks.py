"""一表通's form tasks: a department sends its own form down to communities (one task per community);
the day's tasks of a community or a department with their deadlines on the working calendar; a task as
the caller may act on it. A community's answer is services.forms.returns; every change is a form_event
(services.forms.events)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from govgrid.db.form_models import FormEvent, FormReturn, FormTask
from govgrid.db.models import Area, OrgUnit, UnitGrid
from govgrid.domain import sources
from govgrid.domain.areas import is_within, scope_prefix
from govgrid.domain.errors import Forbidden, InvalidInput, NotFound
from govgrid.domain.form_sheets import period_of
from govgrid.domain.forms import FormCatalog, Template
from govgrid.domain.permissions import Action, Actor, Reach, authorize, reach, scope_filter
from govgrid.domain.worktime import CHINA, WorkCalendar
from govgrid.services.forms import events

RUNG_LABEL = {"remind": "已提醒", "urge": "已催办", "report": "已通报"}  # the ladder (services.forms.ladder)
Q = TypeVar("Q", bound=Select)  # a select of any columns
MAX_COMMUNITIES = 500
SETTLE = timedelta(
    seconds=30
)  # a submission this young is pushed next round (see submitted_forms)  # one issue of a form reaches at most this many communities
MAX_DUE_WORKDAYS = 20
COMMUNITY_LENGTH = 12


def issue(
    session: Session,
    *,
    actor: Actor,
    catalog: FormCatalog,
    template_code: str,
    community_codes: list[str],
    starts_on: date,
    ends_on: date | None,
    due_workdays: int,
    now: datetime,
    client_id: str | None = None,
) -> list[FormTask]:
    """A department sends a form down: one task per community. A retry with the same `client_id` returns
    the tasks the first issue made."""
    authorize(actor, Action.ISSUE_FORMS, unit_id=actor.unit_id)
    if actor.unit_id is None:
        raise InvalidInput("下发表单须以部门身份（本账号未关联单位）", field="unit")
    template = catalog.templates.get(template_code)
    if template is None:
        raise InvalidInput(f"表单“{template_code[:40]}”不存在", field="template")
    if not may_issue(session, actor, template):
        raise Forbidden(f"{template.name}是{template.department}的报表，须由该部门下发")
    codes = sorted(set(community_codes))
    if not codes or len(codes) > MAX_COMMUNITIES:
        raise InvalidInput(f"须选择 1–{MAX_COMMUNITIES} 个社区", field="communities")
    if ends_on is not None and ends_on < starts_on:
        raise InvalidInput("结束日期不能早于开始日期", field="ends_on")
    if not 1 <= due_workdays <= MAX_DUE_WORKDAYS:
        raise InvalidInput(f"报送时限须为 1–{MAX_DUE_WORKDAYS} 个工作日", field="due_workdays")
    known = set(session.scalars(select(Area.code).where(Area.code.in_(codes), Area.level == "community")))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InvalidInput(f"社区 {unknown[0][:12]} 不存在", field="communities")
    outside = [c for c in codes if actor.scope_code and not is_within(c, actor.scope_code)]
    if outside:
        raise InvalidInput(f"社区 {outside[0]} 不在本部门的辖区内", field="communities")
    retry = sources.client_id(client_id)
    if retry is not None:
        earlier = session.scalars(
            select(FormTask).where(FormTask.issued_by == actor.user_id, FormTask.client_id == retry)
        ).all()
        if earlier:
            return list(earlier)
    tasks = []
    for code in codes:
        task = FormTask(
            district_code=code[:6],
            template_code=template.code,
            community_code=code,
            unit_id=actor.unit_id,
            starts_on=starts_on,
            ends_on=ends_on,
            due_workdays=due_workdays,
            status="active",
            issued_by=actor.user_id,
            issued_at=now,
            client_id=retry,
        )
        session.add(task)
        session.flush()
        events.record(session, task, None, actor, now, "issue", {"template": template.code})
        tasks.append(task)
    session.commit()
    return tasks


def may_issue(session: Session, actor: Actor, template: Template) -> bool:
    """Whether the caller's department may send this form down: its own forms only — a shipped form names
    its department (区卫生健康局 is 历下区卫生健康局's), an approved one is its requester's; admins any."""
    if reach(actor, Action.ISSUE_FORMS) is Reach.ALL:
        return True
    unit = session.get(OrgUnit, actor.unit_id) if actor.unit_id is not None else None
    if unit is None:
        return False
    own = template.department.strip()
    return bool(own) and (own == unit.name or own.removeprefix("区") in unit.name)


def deadline_of(calendar: WorkCalendar, task: FormTask, period: date) -> datetime:
    """The end of the task's n-th workday from the period's first day (1: that day, if a workday)."""
    eve = datetime.combine(period - timedelta(days=1), time(12), CHINA)
    return calendar.add_workdays(eve, task.due_workdays)


def day_tasks(
    session: Session, *, actor: Actor, catalog: FormCatalog, calendar: WorkCalendar, day: date, now: datetime
) -> list[dict[str, Any]]:
    """The tasks of the caller's area or department with a period on the day: its form, community, period,
    deadline, whether it was submitted and whether it is late."""
    query = select(FormTask).where(FormTask.status == "active", FormTask.starts_on <= day)
    query = in_reach(query, actor)
    tasks = [t for t in session.scalars(query.order_by(FormTask.community_code, FormTask.id)) if runs(t, day)]
    names = names_of(session, [t.community_code for t in tasks])
    units = dict(
        session.execute(
            select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_({t.unit_id for t in tasks}))
        ).all()
    )
    periods = {
        t.id: period_of(catalog.templates[t.template_code].frequency, day, t.starts_on)
        for t in tasks
        if t.template_code in catalog.templates
    }
    returns = {
        (r.task_id, r.period): r
        for r in session.scalars(
            select(FormReturn).where(
                FormReturn.task_id.in_(list(periods)),
                FormReturn.period.in_({p for p in periods.values() if p is not None}),
            )
        )
    }  # only the day's periods
    out = []
    for task in tasks:
        template = catalog.templates.get(task.template_code)
        period = period_of(template.frequency, day, task.starts_on) if template else None
        if template is None or period is None:
            continue
        deadline = deadline_of(calendar, task, period)
        done = returns.get((task.id, period))
        at = done.submitted_at if done is not None and done.status == "submitted" else None
        out.append(
            {
                "task": task,
                "template": template,
                "period": period,
                "deadline": deadline,
                "community_name": names.get(task.community_code, task.community_code),
                "unit_name": units.get(task.unit_id, template.department),
                "submitted": at is not None,
                "submitted_at": at,
                "late": (at if at is not None else now) > deadline,
                "rung": RUNG_LABEL.get(done.rung, "") if done is not None and at is None else "",
            }
        )
    return out


def in_reach(query: Q, actor: Actor) -> Q:
    """A query over form tasks narrowed to those the caller may read: a department's own, an area's."""
    narrowing = scope_filter(actor, Action.READ_FORMS)
    if narrowing.unit_id is not None:
        return query.where(FormTask.unit_id == narrowing.unit_id)
    if not narrowing.everything:
        return query.where(FormTask.community_code.startswith(narrowing.area_prefix or "-", autoescape=True))
    return query


def task_in_reach(
    session: Session, actor: Actor, catalog: FormCatalog, task_id: int, action: Action
) -> tuple[FormTask, Template]:
    """A task and its template, if the caller may do `action` on it: a department on its own tasks, a
    community on its own."""
    return _task(session, actor, catalog, task_id, action)


def runs(task: FormTask, day: date) -> bool:
    return task.starts_on <= day and (task.ends_on is None or day <= task.ends_on)


def _task(
    session: Session, actor: Actor, catalog: FormCatalog, task_id: int, action: Action
) -> tuple[FormTask, Template]:
    task = session.get(FormTask, task_id)
    if task is None or task.template_code not in catalog.templates:
        raise NotFound(f"表单任务 {task_id} 不存在")
    if reach(actor, action) is Reach.UNIT:
        authorize(actor, action, unit_id=task.unit_id)
    else:
        authorize(actor, action, area_code=task.community_code)
    return task, catalog.templates[task.template_code]


def names_of(session: Session, codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    return {
        code: name
        for code, name in session.execute(select(Area.code, Area.name).where(Area.code.in_(set(codes))))
    }


def communities_to_issue(session: Session, *, actor: Actor) -> list[tuple[str, str]]:
    """The communities a department may send a form to: those of its district, by code."""
    authorize(actor, Action.ISSUE_FORMS, unit_id=actor.unit_id)
    query = select(Area.code, Area.name).where(Area.level == "community")
    if actor.scope_code:
        query = query.where(Area.code.startswith(scope_prefix(actor.scope_code), autoescape=True))
    return [(code, name) for code, name in session.execute(query.order_by(Area.code))]


def grids_of(session: Session, *, actor: Actor, community_code: str) -> list[str]:
    """The unit grids of a community the caller fills forms for (a new person is entered on one)."""
    authorize(actor, Action.FILL_FORMS, area_code=community_code)
    return list(
        session.scalars(
            select(UnitGrid.code).where(UnitGrid.community_code == community_code).order_by(UnitGrid.code)
        )
    )


def submitted_forms(
    session: Session, unit_id: int, after: int, limit: int, now: datetime | None = None
) -> list[tuple[int, str, str, str]]:
    """The forms of a department's tasks submitted since form_event `after`, oldest first, as news for its
    group: (event id, title, text, the sheet's path — which asks the reader to log in). Events of the last
    half minute wait for the next round, so one whose id was drawn earlier but committed later (two
    submissions at once on PostgreSQL) is not passed over by the cursor."""
    found = session.execute(
        select(FormEvent, FormTask)
        .join(
            FormTask, (FormTask.district_code == FormEvent.district_code) & (FormTask.id == FormEvent.task_id)
        )
        .where(
            FormEvent.action == "submit",
            FormEvent.id > after,
            FormTask.unit_id == unit_id,
            FormEvent.at <= (now - SETTLE if now is not None else datetime.max.replace(tzinfo=CHINA)),
        )
        .order_by(FormEvent.id)
        .limit(limit)
    ).all()
    names = names_of(session, [task.community_code for _, task in found])
    out = []
    for event, task in found:
        period = str((event.detail or {}).get("period", ""))
        community = names.get(task.community_code, task.community_code)
        rows = (event.detail or {}).get("rows", 0)
        form = str((event.detail or {}).get("form", task.template_code))
        title = f"【一表通】{community}已报送{form}"
        out.append(
            (
                event.id,
                title,
                f"{period} {rows} 行，{event.actor_name}报送",
                f"/forms/tasks/{task.id}/{period}/sheet.xlsx",
            )
        )
    return out
