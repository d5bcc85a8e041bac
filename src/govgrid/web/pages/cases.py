"""案件 pages: the queue/inbox (tabs by status), the case page with its steps and timeline, the report form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from govgrid.domain.errors import InvalidInput
from govgrid.domain.permissions import Actor, Reach, reach
from govgrid.domain.roles import Role
from govgrid.domain.workflow import CLOSURE_LABEL, STATUS_LABEL, STEP_LABEL, Loop, Status, Step, allowed_steps
from govgrid.geo.crs import parse_crs
from govgrid.services import cases, people
from govgrid.services.scenario import history_label
from govgrid.web.deps import LoggedInDep, NowDep, SessionDep, verify_csrf
from govgrid.web.pages.render import page

router = APIRouter()
TABS = {  # the statuses a role works on first (its queue or inbox); "全部" is always there
    Role.DISPATCHER: [Status.REPORTED, Status.VERIFIED, Status.REGISTERED, Status.FED_BACK],
    Role.DEPARTMENT_OFFICER: [Status.DISPATCHED, Status.SIGNED, Status.HANDLING],
    Role.STREET_OFFICER: [Status.DISPATCHED, Status.SIGNED, Status.HANDLING],
    Role.GRID_WORKER: [Status.FED_BACK, Status.REPORTED],
    Role.SUPERVISOR: [Status.FED_BACK, Status.DISPATCHED, Status.SIGNED],
}


@router.get("/cases", response_class=HTMLResponse)
def case_list(request: Request, session: SessionDep, actor: LoggedInDep, status: str = "") -> Response:
    chosen = Status(status) if status else None
    tabs = TABS.get(actor.role, []) if actor.role else []
    found = cases.list_cases(session, actor=actor, status=chosen, limit=500)
    return page(request, "cases.html", actor, cases=found, tabs=tabs, chosen=chosen, labels=STATUS_LABEL,
                classes=request.app.state.case_rules.classes)  # fmt: skip


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(case_id: int, request: Request, session: SessionDep, actor: LoggedInDep) -> Response:
    rules = request.app.state.case_rules
    case = cases.get_case(session, actor=actor, case_id=case_id)
    steps = [s for s in allowed_steps(Loop(case.loop), Status(case.status)) if _may(actor, s)]
    try:
        suggested = cases.suggested_unit(rules, case)
    except InvalidInput:
        suggested = None
    units = people.list_units(session, actor=actor) if Step.DISPATCH in steps else []
    case_class = rules.classes.get(case.class_code)
    due_hint = None
    if case_class and Step.DISPATCH in steps:
        due_hint = f"{case_class.time_limit:g} {case_class.time_unit.value}"
    return page(request, "case.html", actor, case=case, case_class=case_class, steps=steps, step_labels=STEP_LABEL,
                status_label=STATUS_LABEL[Status(case.status)], closure_labels=CLOSURE_LABEL, units=units,
                suggested=suggested, due_hint=due_hint, history=cases.timeline(session, actor=actor, case_id=case_id),
                history_label=history_label)  # fmt: skip


def _may(actor: Actor, step: Step) -> bool:
    return reach(actor, cases.STEP_ACTION[step]) is not Reach.NONE


@router.post("/cases/{case_id}/steps")
def take_step(
    case_id: int, request: Request, session: SessionDep, actor: LoggedInDep, now: NowDep,
    step: Annotated[Step, Form()], csrf_token: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
    unit_code: Annotated[str, Form()] = "", version: Annotated[int | None, Form()] = None,
) -> Response:  # fmt: skip
    verify_csrf(request, csrf_token)
    cases.transition(session, actor=actor, rules=request.app.state.case_rules, case_id=case_id, step=step, now=now,
                     note=note, unit_code=unit_code or None, expected_version=version)  # fmt: skip
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.get("/report", response_class=HTMLResponse)
def report_form(request: Request, actor: LoggedInDep) -> Response:
    classes = sorted(request.app.state.case_rules.classes.values(), key=lambda c: c.code)
    return page(request, "report.html", actor, classes=classes, error=None)


@router.post("/report")
def report(
    request: Request, session: SessionDep, actor: LoggedInDep, now: NowDep,
    class_code: Annotated[str, Form()], title: Annotated[str, Form()], csrf_token: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "", lng: Annotated[str, Form()] = "", lat: Annotated[str, Form()] = "",
    crs: Annotated[str, Form()] = "gcj02", address: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    verify_csrf(request, csrf_token)
    data = cases.Report(channel="citizen" if actor.role is Role.CITIZEN else "patrol", class_code=class_code,
                        title=title, description=description, lng=_number(lng, "lng"), lat=_number(lat, "lat"),
                        crs=parse_crs(crs), address=address)  # fmt: skip
    case, _ = cases.report(session, actor=actor, rules=request.app.state.case_rules,
                           locator=request.app.state.locator_cache, data=data, now=now)  # fmt: skip
    return RedirectResponse(f"/cases/{case.id}", status_code=303)


def _number(text: str, field: str) -> float | None:
    if not text.strip():
        return None
    try:
        return float(text)
    except ValueError:
        raise InvalidInput(f"{field}“{text}”不是数字", field=field) from None
