"""人员名录 and 单位: the directory everyone in scope reads, and the administrator's work on it — accounts
made, disabled or enabled, passwords reset, login locks lifted (services.people.accounts / throttle), and
units added (services.people.directory). A refused form comes back on the page with what was typed."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from govgrid.domain.errors import Conflict, InvalidInput
from govgrid.domain.paging import Paging
from govgrid.domain.permissions import Action, Actor, Reach, reach
from govgrid.domain.roles import ADMINISTRATORS, ROLE_LABEL, Role
from govgrid.domain.units import UNIT_KIND_LABEL, unit_kind_label
from govgrid.services.geo import geography
from govgrid.services.people import accounts as people
from govgrid.services.people import directory, throttle
from govgrid.web.deps import LoggedInDep, NowDep, SessionDep
from govgrid.web.pages.render import page
from govgrid.web.paging import PageNumberDep
from govgrid.web.params import IdPath

router = APIRouter()
LIST_PAGE = 200  # people a page


class AccountForm(BaseModel):
    username: Annotated[str, Field(max_length=64)] = ""
    display_name: Annotated[str, Field(max_length=64)] = ""
    role: Annotated[str, Field(max_length=24)] = ""
    unit_code: Annotated[str, Field(max_length=32)] = ""
    scope_code: Annotated[str, Field(max_length=15)] = ""
    phone: Annotated[str, Field(max_length=32)] = ""
    password: Annotated[str, Field(max_length=256)] = ""


class UnitForm(BaseModel):
    code: Annotated[str, Field(max_length=32)] = ""
    name: Annotated[str, Field(max_length=64)] = ""
    kind: Annotated[str, Field(max_length=24)] = ""
    area_code: Annotated[str, Field(max_length=15)] = ""


@router.get("/people", response_class=HTMLResponse)
def people_page(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    paging: PageNumberDep,
    role: Role | None = None,
    q: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    return _people(request, session, actor, page_number=paging.page, role=role, text=q)


def _people(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    page_number: int = 1,
    role: Role | None = None,
    text: str = "",
    form: AccountForm | None = None,
    error: str | None = None,
    field: str | None = None,
) -> Response:
    found = people.list_users(
        session, actor=actor, role=role, paging=Paging(page_number, LIST_PAGE), text=text
    )
    units = people.list_units(session, actor=actor) if actor.role is not Role.CITIZEN else []
    return page(
        request,
        "people.html",
        actor,
        status_code=422 if error else 200,
        found=found,
        units={u.id: u.name for u in units},
        unit_list=units,
        text=text,
        scopes=geography.area_names(session, {u.scope_code for u in found.items if u.scope_code}),
        role_labels=ROLE_LABEL,
        selected_role=role,
        may_manage=reach(actor, Action.MANAGE_PEOPLE) is not Reach.NONE,
        console_roles=[role.value for role in ADMINISTRATORS],  # 三员分立: theirs are made at the console
        form=form or AccountForm(),
        error=error,
        field=field,
    )


@router.post("/people")
def create_account(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    form: Annotated[AccountForm, Form()],
) -> Response:
    try:
        chosen = Role(form.role) if form.role in {r.value for r in Role} else None
        if chosen is None:
            raise InvalidInput("请选择角色", field="role")
        people.create_user(
            session,
            actor=actor,
            username=form.username,
            display_name=form.display_name.strip(),
            role=chosen,
            unit_code=form.unit_code or None,
            scope_code=form.scope_code.strip() or None,
            phone=form.phone.strip(),
            password=form.password or None,
            now=now,
        )
    except (InvalidInput, Conflict) as exc:
        session.rollback()
        return _people(request, session, actor, form=form, error=exc.message, field=exc.field)
    return RedirectResponse(f"/people?q={quote(form.username.strip())}", status_code=303)


@router.post("/people/{user_id}/active")
def set_active(
    user_id: IdPath, session: SessionDep, actor: LoggedInDep, now: NowDep, active: Annotated[bool, Form()]
) -> Response:
    user = people.get_user(session, actor=actor, user_id=user_id)
    people.set_active(session, actor=actor, username=user.username, active=active, now=now)
    return RedirectResponse(f"/people?q={quote(user.username)}", status_code=303)


@router.post("/people/{user_id}/password")
def reset_password(
    user_id: IdPath,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    password: Annotated[str, Form(max_length=256)],
) -> Response:
    user = people.get_user(session, actor=actor, user_id=user_id)
    people.set_password(session, actor=actor, username=user.username, password=password, now=now)
    return RedirectResponse(f"/people?q={quote(user.username)}", status_code=303)


@router.post("/people/{user_id}/unlock")
def unlock(user_id: IdPath, session: SessionDep, actor: LoggedInDep, now: NowDep) -> Response:
    user = people.get_user(session, actor=actor, user_id=user_id)
    throttle.unlock(session, actor=actor, username=user.username, now=now, scope_code=user.scope_code)
    return RedirectResponse(f"/people?q={quote(user.username)}", status_code=303)


@router.get("/units", response_class=HTMLResponse)
def units_page(request: Request, session: SessionDep, actor: LoggedInDep) -> Response:
    return _units(request, session, actor)


@router.post("/units")
def create_unit(
    request: Request, session: SessionDep, actor: LoggedInDep, now: NowDep, form: Annotated[UnitForm, Form()]
) -> Response:
    try:
        directory.create_unit(
            session,
            actor=actor,
            code=form.code,
            name=form.name,
            kind=form.kind,
            area_code=form.area_code.strip(),
            now=now,
        )
    except (InvalidInput, Conflict) as exc:
        session.rollback()
        return _units(request, session, actor, form=form, error=exc.message, field=exc.field)
    return RedirectResponse("/units", status_code=303)


def _units(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    form: UnitForm | None = None,
    error: str | None = None,
    field: str | None = None,
) -> Response:
    units = people.list_units(session, actor=actor)
    staff = directory.staff_by_unit(session)
    areas = directory.unit_areas(session)
    return page(
        request,
        "units.html",
        actor,
        status_code=422 if error else 200,
        units=units,
        staff=staff,
        kind_label=unit_kind_label,
        kinds=UNIT_KIND_LABEL,
        areas=areas,
        area_names=dict(areas),
        may_manage=reach(actor, Action.MANAGE_DIRECTORY) is not Reach.NONE,
        form=form or UnitForm(),
        error=error,
        field=field,
    )
