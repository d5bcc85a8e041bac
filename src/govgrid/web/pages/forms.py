"""一表通 pages (/forms): the day's form tasks of the caller's community or department, a department's form
to send one down, a community's form for a period pre-filled from the base register (enter only what
changed, add a person, 报送), the department's sheet as its own .xlsx, and the figures per community and
month. All through services.forms."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from govgrid.catalog.bundle import Catalogs
from govgrid.domain.form_sheets import Source
from govgrid.domain.forms import LABEL_FIELD, FieldSpec, FormCatalog, Template, mask, of_register
from govgrid.domain.permissions import Action, Actor, Reach, reach
from govgrid.domain.worktime import CHINA
from govgrid.excel.cells import XLSX
from govgrid.services.forms import admission, figures, returns, sheets, tasks
from govgrid.web.deps import LoggedInDep, NowDep, SessionDep
from govgrid.web.pages.register import MAX_VALUE, whole_form
from govgrid.web.pages.render import page
from govgrid.web.params import IdPath

router = APIRouter()
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


@dataclass(frozen=True)
class At:
    """A task's form for one period, as the path names it: /forms/tasks/{task_id}/{period}."""

    task_id: int
    period: date

    @property
    def path(self) -> str:
        return f"/forms/tasks/{self.task_id}/{self.period.isoformat()}"


def _at(task_id: IdPath, period: Annotated[date, Path(ge=EARLIEST, le=LATEST)]) -> At:
    return At(task_id, period)


AtDep = Annotated[At, Depends(_at)]


def _catalogs(request: Request) -> Catalogs:
    found: Catalogs = request.app.state.catalogs
    return found


def _forms(session: Session, catalogs: Catalogs) -> FormCatalog:
    """The shipped forms and those approved at 报表准入."""
    return admission.with_approved(session, catalogs.forms)


def _may(actor: Actor, action: Action) -> bool:
    return reach(actor, action) is not Reach.NONE


@router.get("/forms", response_class=HTMLResponse)
def forms_today(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    day: Annotated[date | None, Query(ge=EARLIEST, le=LATEST)] = None,
) -> Response:
    catalogs = _catalogs(request)
    today = now.astimezone(CHINA).date() if day is None else day
    listed = tasks.day_tasks(
        session,
        actor=actor,
        catalog=_forms(session, catalogs),
        calendar=catalogs.case_rules.calendar,
        day=today,
        now=now,
    )
    may_issue = _may(actor, Action.ISSUE_FORMS)
    return page(
        request,
        "forms.html",
        actor,
        day=today,
        yesterday=today - timedelta(days=1),
        tomorrow=today + timedelta(days=1),
        listed=listed,
        may_issue=may_issue,
        may_admit=may_issue or _may(actor, Action.APPROVE_FORMS),
        may_export=_may(actor, Action.EXPORT_FORMS),
        templates=[
            t
            for t in _forms(session, catalogs).templates.values()
            if may_issue and tasks.may_issue(session, actor, t)
        ],
        communities=tasks.communities_to_issue(session, actor=actor) if may_issue else [],
        months=figures.monthly(session, actor=actor, now=now),
        client_id=str(uuid.uuid4()),
    )


class IssueForm(BaseModel):
    template: str = Field(max_length=40)
    communities: list[Annotated[str, Field(max_length=12)]] = Field(default_factory=list, max_length=500)
    starts_on: date = Field(ge=EARLIEST, le=LATEST)
    ends_on: date | None = Field(None, ge=EARLIEST, le=LATEST)
    due_workdays: int = Field(1, ge=1, le=20)
    client_id: str = Field("", max_length=36)


@router.post("/forms/tasks")
def forms_issue(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    form: Annotated[IssueForm, Form()],
) -> Response:
    tasks.issue(
        session,
        actor=actor,
        catalog=_forms(session, _catalogs(request)),
        template_code=form.template,
        community_codes=form.communities,
        starts_on=form.starts_on,
        ends_on=form.ends_on,
        due_workdays=form.due_workdays,
        now=now,
        client_id=form.client_id or None,
    )
    return RedirectResponse(f"/forms?day={form.starts_on.isoformat()}", status_code=303)


@router.get("/forms/tasks/{task_id}/{period}", response_class=HTMLResponse)
def forms_sheet(at: AtDep, request: Request, session: SessionDep, actor: LoggedInDep) -> Response:
    catalogs = _catalogs(request)
    catalog = _forms(session, catalogs)
    sheet = returns.sheet(
        session,
        actor=actor,
        catalog=catalog,
        calendar=catalogs.case_rules.calendar,
        task_id=at.task_id,
        period=at.period,
    )
    may_fill = _may(actor, Action.FILL_FORMS) and sheet.status == "open"
    columns = catalog.columns(sheet.template)
    return page(
        request,
        "form_sheet.html",
        actor,
        sheet=sheet,
        columns=columns,
        shown=[[_shown(catalog, c.code, c.value) for c in row.cells] for row in sheet.rows],
        editable=_editable(catalog, sheet.template),
        new_fields=_new_fields(catalog, sheet.template),
        registry_codes=[c for c in sheet.template.fields if of_register(c, sheet.template.rows.kind)],
        may_fill=may_fill,
        may_export=_may(actor, Action.EXPORT_FORMS),
        grids=tasks.grids_of(session, actor=actor, community_code=sheet.task.community_code)
        if may_fill
        else [],
        client_id=str(uuid.uuid4()),
        Source=Source,
    )


class RowForm(BaseModel):
    grid_code: str = Field("", max_length=15)
    client_id: str = Field("", max_length=36)


def _values(template: Template, everything: FormData) -> dict[str, str]:
    codes = [*template.fields, *(spec.code for spec in template.local)]
    return {code: str(everything.get(code) or "")[:MAX_VALUE] for code in codes if code in everything}


@router.post("/forms/tasks/{task_id}/{period}/rows/{entry_id}")
def forms_save_row(
    at: AtDep,
    entry_id: IdPath,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    everything: Annotated[FormData, Depends(whole_form)],
) -> Response:
    catalogs = _catalogs(request)
    task, template = tasks.task_in_reach(
        session, actor, _forms(session, catalogs), at.task_id, Action.FILL_FORMS
    )
    returns.save_row(
        session,
        actor=actor,
        catalog=_forms(session, catalogs),
        calendar=catalogs.case_rules.calendar,
        task_id=task.id,
        period=at.period,
        entry_id=entry_id,
        values=_values(template, everything),
        now=now,
        key=request.app.state.secret_key.encode(),
    )
    return RedirectResponse(f"{at.path}#row-{entry_id}", status_code=303)


@router.post("/forms/tasks/{task_id}/{period}/rows")
def forms_add_row(
    at: AtDep,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    form: Annotated[RowForm, Form()],
    everything: Annotated[FormData, Depends(whole_form)],
) -> Response:
    catalogs = _catalogs(request)
    task, template = tasks.task_in_reach(
        session, actor, _forms(session, catalogs), at.task_id, Action.FILL_FORMS
    )
    entry = returns.add_row(
        session,
        actor=actor,
        catalog=_forms(session, catalogs),
        calendar=catalogs.case_rules.calendar,
        task_id=task.id,
        period=at.period,
        grid_code=form.grid_code,
        values=_values(template, everything),
        now=now,
        key=request.app.state.secret_key.encode(),
        client_id=form.client_id or None,
    )
    return RedirectResponse(f"{at.path}#row-{entry.id}", status_code=303)


class IncludeForm(BaseModel):
    label: str = Field(min_length=1, max_length=120)  # a name, or the register's number (#12)


@router.post("/forms/tasks/{task_id}/{period}/include")
def forms_include(
    at: AtDep,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    form: Annotated[IncludeForm, Form()],
) -> Response:
    catalogs = _catalogs(request)
    entry_id = returns.include_row(
        session,
        actor=actor,
        catalog=_forms(session, catalogs),
        calendar=catalogs.case_rules.calendar,
        task_id=at.task_id,
        period=at.period,
        label=form.label,
        now=now,
    )
    return RedirectResponse(f"{at.path}#row-{entry_id}", status_code=303)


@router.post("/forms/tasks/{task_id}/{period}/submit")
def forms_submit(
    at: AtDep, request: Request, session: SessionDep, actor: LoggedInDep, now: NowDep
) -> Response:
    catalogs = _catalogs(request)
    returns.submit(
        session,
        actor=actor,
        catalog=_forms(session, catalogs),
        calendar=catalogs.case_rules.calendar,
        task_id=at.task_id,
        period=at.period,
        now=now,
    )
    return RedirectResponse(at.path, status_code=303)


@router.get("/forms/tasks/{task_id}/{period}/sheet.xlsx")
def forms_export(
    at: AtDep, request: Request, session: SessionDep, actor: LoggedInDep, now: NowDep
) -> Response:
    catalogs = _catalogs(request)
    name, data = sheets.export(
        session,
        actor=actor,
        catalog=_forms(session, catalogs),
        source=catalogs.source,
        calendar=catalogs.case_rules.calendar,
        task_id=at.task_id,
        period=at.period,
        now=now,
    )
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


def _shown(catalog: FormCatalog, code: str, value: str) -> str:
    """A cell as the page shows it: personal values masked (the department's sheet has them whole)."""
    spec = catalog.registry.get(code)
    return mask(spec, value) if spec is not None and spec.is_personal and value else value


def _editable(catalog: FormCatalog, template: Template) -> list[FieldSpec]:
    """The columns a row's form asks: every column but the row's label (a name is changed in the register)."""
    label = LABEL_FIELD[template.rows.kind]
    return [
        spec for spec in catalog.columns(template) if spec.code != label and _fillable(spec.code, template)
    ]


def _new_fields(catalog: FormCatalog, template: Template) -> list[FieldSpec]:
    """A new row's fields: the form's own register's and its event and local fields."""
    return [spec for spec in catalog.columns(template) if _fillable(spec.code, template)]


def _fillable(code: str, template: Template) -> bool:
    return of_register(code, template.rows.kind) or code.startswith("event.") or "." not in code
