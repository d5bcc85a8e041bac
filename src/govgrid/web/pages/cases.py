"""案件 pages: the queue/inbox (tabs by status), the case page with its steps and timeline, the report form."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from govgrid.domain.errors import DomainError, InvalidInput
from govgrid.domain.follow import shown
from govgrid.domain.history import history_label
from govgrid.domain.permissions import Action, Actor, Reach, reach
from govgrid.domain.roles import Role
from govgrid.domain.sources import person_channel
from govgrid.domain.workflow import (
    CLOSURE_LABEL,
    FINAL,
    STATUS_LABEL,
    STEP_LABEL,
    Loop,
    Status,
    Step,
    allowed_steps,
)
from govgrid.domain.worktime import CHINA, END_OF_DAY
from govgrid.geo.crs import parse_crs
from govgrid.services.cases import intake, queries, steps
from govgrid.services.cases import photos as attachments
from govgrid.services.cases import side_actions as case_actions
from govgrid.services.cases import similar as similar_cases
from govgrid.services.cases.side_actions import IN_HAND
from govgrid.services.people import accounts as people
from govgrid.web.api.cases import parse_near
from govgrid.web.deps import LoggedInDep, NowDep, SessionDep, count_report, limit_reports
from govgrid.web.pages.forms import number as _number
from govgrid.web.pages.forms import parse_choice
from govgrid.web.pages.render import page
from govgrid.web.params import MAX_ID, IdPath
from govgrid.web.uploads import photo_of

router = APIRouter()
TABS = {  # the statuses a role works on first (its queue or inbox); "全部" is always there
    Role.DISPATCHER: [Status.REPORTED, Status.VERIFIED, Status.REGISTERED, Status.FED_BACK],
    Role.DEPARTMENT_OFFICER: [Status.DISPATCHED, Status.SIGNED, Status.HANDLING],
    Role.STREET_OFFICER: [Status.DISPATCHED, Status.SIGNED, Status.HANDLING],
    Role.GRID_WORKER: [Status.FED_BACK, Status.REPORTED],
    Role.SUPERVISOR: [Status.FED_BACK, Status.DISPATCHED, Status.SIGNED],
}


@router.get("/cases", response_class=HTMLResponse)
def case_list(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    status: str = "",
    near: str = "",
    crs: str = "wgs84",
) -> Response:
    chosen = parse_choice(Status, status, "status", STATUS_LABEL)
    tabs = TABS.get(actor.role, []) if actor.role else []
    found = queries.list_cases(session, actor=actor, status=chosen, limit=500, near=parse_near(near, crs))
    return page(
        request,
        "cases.html",
        actor,
        cases=found,
        tabs=tabs,
        chosen=chosen,
        labels=STATUS_LABEL,
        classes=request.app.state.case_rules.classes,
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(case_id: IdPath, request: Request, session: SessionDep, actor: LoggedInDep) -> Response:
    rules = request.app.state.case_rules
    case = queries.get_case(session, actor=actor, case_id=case_id)
    offered = [s for s in allowed_steps(Loop(case.loop), Status(case.status)) if _may(actor, s)]
    try:
        suggested = steps.suggested_unit(rules, case)
    except InvalidInput:
        suggested = None
    units = people.list_units(session, actor=actor) if Step.DISPATCH in offered else []
    case_class = rules.classes.get(case.class_code)
    due_hint = None
    if case_class and Step.DISPATCH in offered:
        due_hint = f"{case_class.time_limit:g} {case_class.time_unit.value}"
    return page(
        request,
        "case.html",
        actor,
        case=case,
        case_class=case_class,
        steps=offered,
        step_labels=STEP_LABEL,
        status_label=STATUS_LABEL[Status(case.status)],
        closure_labels=CLOSURE_LABEL,
        units=units,
        suggested=suggested,
        due_hint=due_hint,
        history=queries.timeline(session, actor=actor, case_id=case_id),
        history_label=history_label,
        side=side_actions(actor, case, case_class),
        similar=_visible_similar(session, actor, case_id),
        may_merge=reach(actor, Action.REGISTER_CASE) is not Reach.NONE,
        photos=attachments.photos_of(session, actor=actor, case_id=case_id),
        follow_code=shown(case.follow_secret),
        may_attach=reach(actor, Action.ATTACH_PHOTO) is not Reach.NONE,
    )


def _visible_similar(session: Any, actor: Actor, case_id: int) -> list[Any]:
    """Linked cases the actor may see (a link never reveals a case outside their scope)."""
    visible = []
    for link, other in similar_cases.similar_to(session, case_id):
        try:
            queries.get_case(session, actor=actor, case_id=other.id)
        except DomainError:
            continue
        visible.append((link, other))
    return visible


def _may(actor: Actor, step: Step) -> bool:
    return reach(actor, steps.STEP_ACTION[step]) is not Reach.NONE


@router.post("/cases/{case_id}/steps")
def take_step(
    case_id: IdPath,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    step: Annotated[Step, Form()],
    note: Annotated[str, Form()] = "",
    unit_code: Annotated[str, Form()] = "",
    version: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
    public_note: Annotated[str, Form()] = "",
) -> Response:
    steps.transition(
        session,
        actor=actor,
        rules=request.app.state.case_rules,
        case_id=case_id,
        step=step,
        now=now,
        note=note,
        unit_code=unit_code or None,
        expected_version=version,
        public_note=public_note,
    )
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.get("/report", response_class=HTMLResponse)
def report_form(request: Request, actor: LoggedInDep) -> Response:
    classes = sorted(request.app.state.case_rules.classes.values(), key=lambda c: c.code)
    # a fresh retry key per form: submitting it twice (a double click, a resend) files one case
    return page(request, "report.html", actor, classes=classes, error=None, client_id=str(uuid.uuid4()))


@router.post("/report")
def report(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    class_code: Annotated[str, Form()],
    title: Annotated[str, Form()],
    description: Annotated[str, Form()] = "",
    lng: Annotated[str, Form()] = "",
    lat: Annotated[str, Form()] = "",
    crs: Annotated[str, Form()] = "gcj02",
    address: Annotated[str, Form()] = "",
    photo: Annotated[UploadFile | None, File()] = None,
    client_id: Annotated[str, Form()] = "",
) -> Response:
    limit_reports(request, session, actor, now)
    checked = photo_of(request, photo)  # the photo is checked before anything is written
    report_data = intake.Report(
        channel=person_channel(actor, None),
        class_code=class_code,
        title=title,
        description=description,
        lng=_number(lng, "lng"),
        lat=_number(lat, "lat"),
        crs=parse_crs(crs),
        address=address,
        external_id=client_id or None,
    )
    case, is_new = intake.report(
        session,
        actor=actor,
        rules=request.app.state.case_rules,
        locator=request.app.state.locator_cache,
        data=report_data,
        now=now,
        photos=[checked] if checked else [],
        media_dir=request.app.state.media_dir,
    )
    if is_new:
        count_report(session, actor, now)
    return RedirectResponse(f"/cases/{case.id}", status_code=303)


def side_actions(actor: Actor, case: Any, case_class: Any) -> dict[str, bool]:
    """Which side-action forms the case page offers this actor (the services check again)."""
    may_handle = reach(actor, Action.HANDLE_CASE) is not Reach.NONE
    may_manage = reach(actor, Action.MANAGE_CASE) is not Reach.NONE
    return {
        "extend": may_handle
        and case.status in IN_HAND
        and bool(case_class and case_class.is_extendable)
        and case.extension_state != "requested",
        "decide": may_manage and case.extension_state == "requested",
        "supervise": may_manage and Status(case.status) not in FINAL and case.supervision_level < 2,
    }


@router.post("/cases/{case_id}/extension")
def request_extension(
    case_id: IdPath,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    until: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
    version: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
) -> Response:
    try:
        day = date.fromisoformat(until)
    except ValueError:
        raise InvalidInput(f"延期日期“{until}”无效（YYYY-MM-DD）", field="until") from None
    case_actions.request_extension(
        session,
        actor=actor,
        rules=request.app.state.case_rules,
        case_id=case_id,
        until=datetime.combine(day, END_OF_DAY, CHINA),
        reason=reason,
        now=now,
        expected_version=version,
    )
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/extension/decision")
def decide_extension(
    case_id: IdPath,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    approve: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
) -> Response:
    case_actions.decide_extension(
        session, actor=actor, case_id=case_id, approve=approve == "1", note=note, now=now
    )
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/supervision")
def supervise(
    case_id: IdPath,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    note: Annotated[str, Form()] = "",
) -> Response:
    case_actions.supervise_by_hand(session, actor=actor, case_id=case_id, note=note, now=now)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/merge")
def merge(
    case_id: IdPath,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    into: Annotated[int, Form(ge=1, le=MAX_ID)],
) -> Response:
    similar_cases.merge_into(
        session, actor=actor, rules=request.app.state.case_rules, case_id=case_id, into_case_id=into, now=now
    )
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/photos")
def upload_photo(
    case_id: IdPath,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    photo: Annotated[UploadFile, File()],
) -> Response:
    checked = photo_of(request, photo)
    if checked is None:
        raise InvalidInput("请选择照片", field="photo")
    attachments.attach_photo(
        session, actor=actor, media_dir=request.app.state.media_dir, case_id=case_id, photo=checked, now=now
    )
    return RedirectResponse(f"/cases/{case_id}", status_code=303)
