"""The administrator's pages: who walks each 责任网格 (services.people.directory) and the keys inbound
systems push with (services.cases.connector_keys — a new key's secret is shown once, never kept)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case
from govgrid.domain.errors import InvalidInput, NotFound
from govgrid.domain.paging import Paging
from govgrid.domain.permissions import Actor
from govgrid.services.cases import connector_keys, connector_log, queries
from govgrid.services.geo import geography
from govgrid.services.people import directory
from govgrid.web.deps import LoggedInDep, NowDep, SessionDep
from govgrid.web.pages.render import page
from govgrid.web.paging import PageNumberDep
from govgrid.web.params import IdPath

router = APIRouter()
GRID_PAGE = 100


class KeyForm(BaseModel):
    connector_id: Annotated[str, Field(max_length=32)] = ""
    name: Annotated[str, Field(max_length=64)] = ""
    days: Annotated[str, Field(max_length=5)] = ""


@router.get("/responsibility", response_class=HTMLResponse)
def responsibility_page(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    paging: PageNumberDep,
    q: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    return _grids(request, session, actor, page_number=paging.page, text=q)


@router.post("/responsibility/{code}/worker")
def assign_worker(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    code: Annotated[str, Path(max_length=20)],
    username: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    try:
        directory.assign_worker(session, actor=actor, grid_code=code, username=username, now=now)
    except (InvalidInput, NotFound) as exc:
        session.rollback()
        return _grids(request, session, actor, text=code, error=exc.message)
    return RedirectResponse(f"/responsibility?q={code}", status_code=303)


def _grids(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    page_number: int = 1,
    text: str = "",
    error: str | None = None,
) -> Response:
    text = " ".join(text.split())
    found = directory.responsibility_grids(
        session, actor=actor, text=text, paging=Paging(page_number, GRID_PAGE)
    )
    workers = directory.active_grid_workers(session, actor=actor)
    return page(
        request,
        "responsibility.html",
        actor,
        status_code=422 if error else 200,
        found=found,
        text=text,
        workers=workers,
        names=geography.area_names(session, {g.community_code for g, _ in found.items}),
        error=error,
    )


@router.get("/connectors", response_class=HTMLResponse)
def connectors_page(request: Request, session: SessionDep, actor: LoggedInDep, now: NowDep) -> Response:
    return _keys(request, session, actor, now=now)


@router.post("/connectors/messages/{message_id}/replay")
def replay_message(
    message_id: IdPath, request: Request, session: SessionDep, actor: LoggedInDep, now: NowDep
) -> Response:
    """重放: a rejected message through intake again, under the catalogue as it is now."""
    row = connector_log.replay(
        session,
        actor=actor,
        message_id=message_id,
        rules=request.app.state.case_rules,
        locator=request.app.state.locator_cache,
        now=now,
    )
    filed = queries.get_case(session, actor=actor, case_id=row.case_id) if row.case_id is not None else None
    said = f"已重放 #{message_id}：" + (
        "已立案"
        if row.outcome == "taken"
        else "已有案件，未重复建立"
        if row.outcome == "duplicate"
        else f"仍被拒收：{row.reason}"
    )
    return _keys(request, session, actor, now=now, replayed=said, replayed_case=filed)


@router.post("/connectors/keys")
def issue_key(
    request: Request, session: SessionDep, actor: LoggedInDep, now: NowDep, form: Annotated[KeyForm, Form()]
) -> Response:
    try:
        days = int(form.days) if form.days.strip() else None
    except ValueError:
        days = -1  # refused by the service, naming the field
    try:
        key, secret = connector_keys.issue_key(
            session,
            actor=actor,
            connectors=request.app.state.connectors,
            connector_id=form.connector_id,
            name=form.name,
            now=now,
            days=days,
        )
    except (InvalidInput, NotFound) as exc:
        session.rollback()
        return _keys(request, session, actor, now=now, error=exc.message)
    answer = _keys(request, session, actor, now=now, new_key=(key.id, secret))
    answer.headers["Cache-Control"] = "no-store"  # the secret is shown once: never kept by a cache
    return answer


@router.post("/connectors/keys/{key_id}/revoke")
def revoke_key(key_id: IdPath, session: SessionDep, actor: LoggedInDep, now: NowDep) -> Response:
    connector_keys.revoke_key(session, actor=actor, key_id=key_id, now=now)
    return RedirectResponse("/connectors", status_code=303)


def _keys(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    now: datetime,
    error: str | None = None,
    new_key: tuple[int, str] | None = None,
    replayed: str | None = None,
    replayed_case: Case | None = None,
) -> Response:
    rules = request.app.state.case_rules
    return page(
        request,
        "connectors.html",
        actor,
        status_code=422 if error else 200,
        keys=connector_keys.list_keys(session, actor=actor),
        connectors=request.app.state.connectors,
        health=connector_log.health(session, actor=actor, rules=rules, now=now),
        waiting=connector_log.waiting(session),
        error=error,
        new_key=new_key,
        replayed=replayed,
        replayed_case=replayed_case,
    )
