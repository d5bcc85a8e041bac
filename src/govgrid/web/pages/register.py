"""基础台账 (/register): a community's residents, houses and enterprises (一表通's base register) as the
caller may read them — personal values masked, 查看完整信息 asked for and audited — with a form to enter one
and a form to change one, both through services.forms.register."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.datastructures import FormData

from govgrid.domain.forms import FormCatalog
from govgrid.domain.paging import Paging
from govgrid.domain.permissions import Action, Reach, reach
from govgrid.services.forms import register
from govgrid.web.deps import LoggedInDep, NowDep, SessionDep
from govgrid.web.pages.render import page
from govgrid.web.params import MAX_ID, IdPath

router = APIRouter()
KINDS = {"resident": "居民（人）", "house": "房屋（房）", "enterprise": "企业、九小场所（企）"}
MAX_VALUE = 200  # characters of one field as a form sends it (a field's own limit is checked after)


def _catalog(request: Request) -> FormCatalog:
    forms: FormCatalog = request.app.state.catalogs.forms
    return forms


@router.get("/register", response_class=HTMLResponse)
def register_list(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    kind: Annotated[str, Query(pattern="^(resident|house|enterprise)$")] = "resident",
    page_no: Annotated[int, Query(alias="page", ge=1, le=10_000)] = 1,
    group: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    catalog = _catalog(request)
    found = register.list_entries(
        session, actor=actor, catalog=catalog, kind=kind, paging=Paging(page_no, 50), group=group
    )
    return page(
        request,
        "register.html",
        actor,
        kind=kind,
        kinds=KINDS,
        found=found,
        group=group,
        groups=catalog.registry[register.GROUP_FIELD].choices if kind == "resident" else (),
        fields=catalog.fields_of(kind),
        may_edit=reach(actor, Action.EDIT_REGISTER) is not Reach.NONE,
        client_id=str(uuid.uuid4()),  # a double submit enters one resident
    )


@router.get("/register/{entry_id}", response_class=HTMLResponse)
def register_entry(
    entry_id: IdPath,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    unmask: Annotated[bool, Query()] = False,
) -> Response:
    catalog = _catalog(request)
    entry = register.read_entry(
        session, actor=actor, catalog=catalog, entry_id=entry_id, now=now, unmask=unmask
    )
    return page(
        request,
        "register_entry.html",
        actor,
        entry=entry,
        kinds=KINDS,
        fields=catalog.fields_of(entry["kind"]),
        history=register.history(session, actor=actor, catalog=catalog, entry_id=entry_id),
        may_edit=reach(actor, Action.EDIT_REGISTER) is not Reach.NONE,
    )


class EntryForm(BaseModel):
    """An entry as the register's forms send it; its values come by field code (person.phone …)."""

    kind: str = Field("resident", pattern="^(resident|house|enterprise)$")
    grid_code: str = Field("", max_length=15)
    client_id: str = Field("", max_length=36)  # the new-entry form's retry key
    version: Annotated[int | None, Field(ge=1, le=MAX_ID)] = None


async def whole_form(request: Request) -> FormData:
    """The form as parsed (Starlette keeps it): the values are named by their field codes."""
    return await request.form()


def _values(catalog: FormCatalog, kind: str, everything: FormData) -> dict[str, object]:
    """The values the form sends. A personal field is never pre-filled (the page shows it masked), so left
    empty it means unchanged, not cleared."""
    values: dict[str, object] = {}
    for spec in catalog.fields_of(kind):
        if spec.code not in everything:
            continue
        value = str(everything.get(spec.code) or "")[:MAX_VALUE]
        if value.strip() or not spec.is_personal:
            values[spec.code] = value
    return values


@router.post("/register")
def register_add(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    form: Annotated[EntryForm, Form()],
    everything: Annotated[FormData, Depends(whole_form)],
) -> Response:
    catalog = _catalog(request)
    entry = register.add_entry(
        session,
        actor=actor,
        catalog=catalog,
        kind=form.kind,
        grid_code=form.grid_code,
        values=_values(catalog, form.kind, everything),
        now=now,
        key=request.app.state.secret_key.encode(),
        client_id=form.client_id or None,
    )
    return RedirectResponse(f"/register/{entry.id}", status_code=303)


@router.post("/register/{entry_id}")
def register_change(
    entry_id: IdPath,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    form: Annotated[EntryForm, Form()],
    everything: Annotated[FormData, Depends(whole_form)],
) -> Response:
    catalog = _catalog(request)
    current = register.read_entry(session, actor=actor, catalog=catalog, entry_id=entry_id, now=now)
    register.change_entry(
        session,
        actor=actor,
        catalog=catalog,
        entry_id=entry_id,
        values=_values(catalog, current["kind"], everything),
        expected_version=form.version,
        now=now,
        key=request.app.state.secret_key.encode(),
    )
    return RedirectResponse(f"/register/{entry_id}", status_code=303)


class EraseForm(BaseModel):
    reason: str = Field(min_length=1, max_length=200)


@router.post("/register/{entry_id}/erase")
def register_erase(
    entry_id: IdPath,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    form: Annotated[EraseForm, Form()],
) -> Response:
    register.erase_personal(
        session,
        actor=actor,
        catalog=_catalog(request),
        entry_id=entry_id,
        reason=form.reason,
        now=now,
        key=request.app.state.secret_key.encode(),
    )
    return RedirectResponse(f"/register/{entry_id}", status_code=303)
