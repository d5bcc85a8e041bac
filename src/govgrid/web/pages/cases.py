"""案件 pages: the queue/inbox (tabs by status), the case page with its steps and timeline, the report form."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from govgrid.domain.areas import is_city_scope
from govgrid.domain.errors import InvalidInput
from govgrid.domain.follow import shown
from govgrid.domain.history import history_label
from govgrid.domain.permissions import Action, Actor, Reach, reach
from govgrid.domain.photos import phase_label
from govgrid.domain.roles import Role
from govgrid.domain.workflow import (
    CLOSURE_LABEL,
    FINAL,
    GRAVE,
    REASON_REQUIRED,
    SATISFACTION,
    STATUS_LABEL,
    STEP_LABEL,
    Loop,
    Status,
    Step,
    allowed_steps,
)
from govgrid.domain.worktime import CHINA, END_OF_DAY
from govgrid.nlp.reply_quality import DIMENSION_LABEL
from govgrid.services.cases import forwarding, queries, reply_review, steps
from govgrid.services.cases import photos as attachments
from govgrid.services.cases import side_actions as case_actions
from govgrid.services.cases import similar as similar_cases
from govgrid.services.geo import geography
from govgrid.services.intelligence.suggestions import preferred_unit
from govgrid.services.people import accounts as people
from govgrid.web.deps import LoggedInDep, NowDep, SessionDep
from govgrid.web.pages.render import page
from govgrid.web.params import MAX_ID, IdPath
from govgrid.web.uploads import photo_of

router = APIRouter()


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    case_id: IdPath, request: Request, session: SessionDep, actor: LoggedInDep, now: NowDep
) -> Response:
    rules = request.app.state.case_rules
    case = queries.get_case(session, actor=actor, case_id=case_id)
    offered = [s for s in allowed_steps(Loop(case.loop), Status(case.status)) if _may(actor, case, s)]
    may_forward = Step.FORWARD in offered and is_city_scope(case.district_code)
    offered = [s for s in offered if s is not Step.FORWARD]  # 转办 has a form of its own: which district
    try:
        suggested = steps.suggested_unit(rules, case)
    except InvalidInput:
        suggested = None
    suggester = request.app.state.suggester
    hints = suggester.hints
    hint = suggester.for_case(case) if Step.DISPATCH in offered else None
    suggested = preferred_unit(hint, suggested)
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
        status_labels=STATUS_LABEL,
        reason_steps=REASON_REQUIRED,
        grave_steps=GRAVE,
        satisfaction=SATISFACTION,
        closure_labels=CLOSURE_LABEL,
        units=units,
        suggested=suggested,
        hint=hint,
        ask_category=Step.DISPATCH in offered and suggester.reads(case),
        categories=hints.categories,
        threshold=hints.threshold,
        due_hint=due_hint,
        history=queries.timeline(session, actor=actor, case_id=case_id),
        history_label=history_label,
        side=case_actions.open_to(actor, rules, case, now),
        similar=similar_cases.visible_similar(session, actor=actor, case_id=case_id),
        may_merge=reach(actor, Action.REGISTER_CASE) is not Reach.NONE,
        photos=attachments.photos_of(session, actor=actor, case_id=case_id),
        follow_code=shown(case.follow_secret),
        may_attach=reach(actor, Action.ATTACH_PHOTO) is not Reach.NONE and Status(case.status) not in FINAL,
        phase_label=phase_label,
        place_names=geography.area_names(session, {case.grid_code} if case.grid_code else set()),
        reply=reply_review.latest_review(session, case.id) if _staff_reads_reply(actor, case) else {},
        dimension_labels=DIMENSION_LABEL,
        forward_to=geography.districts_for(session, actor) if may_forward else [],
        forwarded=forwarding.linked(session, case),
    )


def _may(actor: Actor, case: Any, step: Step) -> bool:
    return reach(actor, steps.step_action(Status(case.status), step)) is not Reach.NONE


def _staff_reads_reply(actor: Actor, case: Any) -> bool:
    """The reply's scores quote the unit's working note: staff read them, a citizen reporter does not."""
    return case.loop == Loop.HOTLINE.value and actor.role not in (None, Role.CITIZEN)


class ForwardForm(BaseModel):
    district: Annotated[str, Field(max_length=6, pattern=r"^(\d{6})?$")] = ""
    note: Annotated[str, Field(max_length=500)] = ""


@router.post("/cases/{case_id}/forward")
def forward_order(
    case_id: IdPath,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    form: Annotated[ForwardForm, Form()],
) -> Response:
    """转办区县 from the city's order's page; back to the order, which now links the district's case."""
    rules = request.app.state.case_rules
    forwarding.forward(
        session, actor=actor, rules=rules, case_id=case_id, district=form.district, now=now, note=form.note
    )
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


class StepForm(BaseModel):
    """One step of the loop as the case page's forms send it (the JSON API's StepIn, as form fields)."""

    step: Step
    note: Annotated[str, Field(max_length=2000)] = ""  # as the JSON API's StepIn
    unit_code: str = ""
    category: Annotated[str, Field(max_length=16)] = ""
    version: Annotated[int | None, Field(ge=1, le=MAX_ID)] = None
    public_note: Annotated[str, Field(max_length=200)] = ""
    contacted: bool | None = None  # 回访's three answers
    resolved: bool | None = None
    satisfaction: str = ""
    confirmed: bool = False  # 作废, 强制结案, 挂账, 剔单 are confirmed on the form
    back: Annotated[str, Field(pattern=r"^(/replies)?$")] = ""  # the queue the form was posted from

    def answers(self) -> dict[str, object] | None:
        if self.step is not Step.CALL_BACK:
            return None
        return {"contacted": self.contacted, "resolved": self.resolved, "satisfaction": self.satisfaction}


@router.post("/cases/{case_id}/steps")
def take_step(
    case_id: IdPath,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    form: Annotated[StepForm, Form()],
) -> Response:
    if form.step in GRAVE and not form.confirmed:  # the page asks twice; the API caller means it
        raise InvalidInput(f"请勾选确认后再{STEP_LABEL[form.step]}", field="confirmed")
    steps.transition(
        session,
        actor=actor,
        rules=request.app.state.case_rules,
        case_id=case_id,
        step=form.step,
        now=now,
        note=form.note,
        unit_code=form.unit_code or None,
        expected_version=form.version,
        public_note=form.public_note,
        answers=form.answers(),
        category=form.category or None,
        suggester=request.app.state.suggester,
    )
    return RedirectResponse(form.back or f"/cases/{case_id}", status_code=303)


class ExtensionForm(BaseModel):
    until: str
    reason: str = ""
    version: Annotated[int | None, Field(ge=1, le=MAX_ID)] = None


@router.post("/cases/{case_id}/extension")
def request_extension(
    case_id: IdPath,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    form: Annotated[ExtensionForm, Form()],
) -> Response:
    try:
        day = date.fromisoformat(form.until)
    except ValueError:
        raise InvalidInput(f"延期日期“{form.until[:20]}”无效（YYYY-MM-DD）", field="until") from None
    case_actions.request_extension(
        session,
        actor=actor,
        rules=request.app.state.case_rules,
        case_id=case_id,
        until=datetime.combine(day, END_OF_DAY, CHINA),
        reason=form.reason,
        now=now,
        expected_version=form.version,
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


@router.post("/cases/{case_id}/instruction")
def instruct(
    case_id: IdPath,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    case_actions.instruct(session, actor=actor, case_id=case_id, note=note, now=now)
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
