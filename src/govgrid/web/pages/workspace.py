"""工作台, 指挥地图, 人员名录, 操作日志."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from govgrid.domain.audit_labels import ENTITY_LABEL, action_label, entity_label
from govgrid.domain.history import history_label
from govgrid.domain.ledger import LIGHT_LABEL
from govgrid.domain.levels import landing
from govgrid.domain.paging import Paging
from govgrid.domain.permissions import Action, Reach, authorize, reach
from govgrid.domain.roles import Role
from govgrid.domain.sources import channel_labels
from govgrid.domain.workflow import STATUS_LABEL
from govgrid.domain.worktime import CHINA
from govgrid.geo.crs import Crs, from_stored, parse_crs
from govgrid.services import audit, work_calendar
from govgrid.services.cases import queries, reminders, todo
from govgrid.services.forms import figures
from govgrid.services.geo import geography
from govgrid.services.ledger import boards as ledger_boards
from govgrid.services.ledger import instructions as ledger_instructions
from govgrid.web.deps import LoggedInDep, NowDep, SessionDep
from govgrid.web.filters import AuditFilterDep
from govgrid.web.navigation import menu_for
from govgrid.web.pages.render import page
from govgrid.web.paging import PageNumberDep

router = APIRouter()
LIST_PAGE = 200  # people or audit rows a page


@router.get("/", response_class=HTMLResponse)
def workspace(request: Request, session: SessionDep, actor: LoggedInDep, now: NowDep) -> Response:
    scope = geography.scope_area(session, actor.scope_code)
    summary = (
        None
        if actor.role in (Role.CITIZEN, Role.GRID_WORKER)
        else geography.scope_summary(session, actor=actor)
    )
    with_cases = (
        reach(actor, Action.READ_CASES) is not Reach.NONE
    )  # not the security administrator, the auditor
    waiting = todo.waiting(session, actor=actor) if actor.role is not Role.CITIZEN and with_cases else None
    today = todo.done_today(session, actor=actor, now=now) if actor.role is Role.GRID_WORKER else None
    mine = geography.grids_of_worker(session, actor=actor) if actor.role is Role.GRID_WORKER else []
    own = (
        queries.list_cases(session, actor=actor, paging=Paging(1, 20)) if actor.role is Role.CITIZEN else None
    )
    notes = reminders.reminders(session, actor=actor, paging=Paging(1, 20)).items if with_cases else []
    ledger = (
        ledger_boards.attention(session, actor=actor)
        if reach(actor, Action.READ_LEDGER) is not Reach.NONE
        else None
    )
    calendar_note = (
        work_calendar.calendar_warning(request.app.state.case_rules.calendar, now.astimezone(CHINA).date())
        if actor.role is Role.ADMIN
        else None
    )
    menu = {item.href for item in menu_for(request.app.state.navigation, actor)}
    catalogs = request.app.state.catalogs
    forms_glance = figures.glance(
        session, actor=actor, catalog=catalogs.forms, calendar=catalogs.case_rules.calendar, now=now
    )
    return page(
        request,
        "workspace.html",
        actor,
        level=landing(actor.role, menu, now.astimezone(CHINA).date().isoformat()),
        scope=scope,
        summary=summary,
        my_grids=mine,
        reminders=notes,
        history_label=history_label,
        ledger=ledger,
        instructions=ledger_instructions.recent(session, actor=actor) if ledger is not None else [],
        calendar_note=calendar_note,
        forms=forms_glance,
        own=own,
        waiting=waiting,
        today=today,
        names=geography.area_names(session, {c.scope_code for c in (waiting.items if waiting else [])}),
        status_labels={k.value: v for k, v in STATUS_LABEL.items()},
        light_labels={k.value: v for k, v in LIGHT_LABEL.items()},
    )


@router.get("/map", response_class=HTMLResponse)
def grid_map(request: Request, session: SessionDep, actor: LoggedInDep) -> Response:
    authorize(actor, Action.READ_GEOGRAPHY, area_code=actor.scope_code)
    scope = geography.scope_area(session, actor.scope_code)
    rules = request.app.state.case_rules
    majors = sorted({(c.major_code, c.major_name) for c in rules.classes.values()})
    may_cases = reach(actor, Action.READ_CASES) is not Reach.NONE
    return page(
        request,
        "map.html",
        actor,
        scope=scope,
        bounds=_bounds(scope, parse_crs(request.app.state.settings.tile_crs)) if scope else None,
        may_cases=may_cases,
        majors=majors,
        statuses={k.value: v for k, v in STATUS_LABEL.items()},
        channels=channel_labels(rules),
    )


def _bounds(scope: geography.ScopeArea, crs: Crs) -> list[float]:
    """The caller's area as [south, west, north, east] in the tiles' system, for the map to fit."""
    west, south = from_stored(scope.min_lng, scope.min_lat, crs)
    east, north = from_stored(scope.max_lng, scope.max_lat, crs)
    return [south, west, north, east]


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request, session: SessionDep, actor: LoggedInDep, paging: PageNumberDep, wanted: AuditFilterDep
) -> Response:
    found = audit.list_events(session, actor=actor, paging=Paging(paging.page, LIST_PAGE), wanted=wanted)
    return page(
        request,
        "audit.html",
        actor,
        found=found,
        wanted=wanted,
        action_label=action_label,
        entity_label=entity_label,
        entity_labels=ENTITY_LABEL,
        names=geography.area_names(session, {e.scope_code for e in found.items if e.scope_code}),
    )
