"""上报 page: the report form of citizens and grid workers. A bad field comes back on the same form, named and
with everything typed kept (the page's script keeps the photo too: it sends the form itself and shows the
answer in place); nothing is saved unless all is valid. The place is a tap on the map, the phone's
position, or an address the gazetteer knows. The page's script also queues reports made offline and sends
them when the connection returns (static/js/report.js); its client id makes a resend file one case."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.models import Area, User
from govgrid.domain.areas import AreaLevel
from govgrid.domain.case_fields import LABELS
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from govgrid.domain.permissions import Actor
from govgrid.domain.roles import Role
from govgrid.domain.sources import person_channel
from govgrid.geo.crs import parse_crs
from govgrid.services.cases import intake
from govgrid.web.deps import LoggedInDep, NowDep, SessionDep, count_report, limit_reports
from govgrid.web.errors import is_api
from govgrid.web.forms import number as read_number
from govgrid.web.pages.render import page
from govgrid.web.uploads import photo_of

router = APIRouter()


class CaseReportForm(BaseModel):
    """上报 as the report page sends it: every field text (so that a missing one is named by intake, in
    Chinese, on the same form), read into intake's Report, which checks it."""

    class_code: str = ""
    title: str = ""
    description: str = ""
    lng: str = ""
    lat: str = ""
    crs: str = "gcj02"
    address: str = ""
    reporter_phone: str = ""
    client_id: str = ""  # the form's retry key: a second submission files no second case

    def command(self, actor: Actor) -> intake.Report:
        return intake.Report(
            channel=person_channel(actor, None),
            class_code=self.class_code.strip(),
            title=self.title,
            description=self.description,
            lng=read_number(self.lng, "lng"),
            lat=read_number(self.lat, "lat"),
            crs=parse_crs(self.crs),
            address=self.address,
            reporter_phone=self.reporter_phone.strip(),
            reporter_name=actor.display_name if actor.role is Role.CITIZEN else "",
            external_id=self.client_id or None,
            must_place=True,
        )


@router.get("/report", response_class=HTMLResponse)
def report_form(request: Request, session: SessionDep, actor: LoggedInDep) -> Response:
    user = session.get(User, actor.user_id) if actor.user_id else None
    form = CaseReportForm(reporter_phone=user.phone if user else "", client_id=str(uuid.uuid4()))
    return _form_page(request, session, actor, form)


@router.post("/report")
def report(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    form: Annotated[CaseReportForm, Form()],
    photo: Annotated[UploadFile | None, File()] = None,
) -> Response:
    limit_reports(request, session, actor, now)
    try:
        checked = photo_of(request, photo)  # the photo is checked before anything is written
        case, is_new = intake.report(
            session,
            actor=actor,
            rules=request.app.state.case_rules,
            locator=request.app.state.locator_cache,
            data=form.command(actor),
            now=now,
            photos=[checked] if checked else [],
            media_dir=request.app.state.media_dir,
        )
    except (InvalidInput, Conflict, NotFound, Forbidden) as exc:  # Forbidden/NotFound: a place out of reach
        session.rollback()
        if is_api(request):
            raise  # the page's script shows the message beside the field
        return _form_page(request, session, actor, form, error=exc.message, field=exc.field, status=422)
    if is_new:
        count_report(session, actor, now)
    url = f"/cases/{case.id}"
    if is_api(request):
        return JSONResponse({"id": case.id, "code": case.code, "url": url, "is_new": is_new})
    return RedirectResponse(url, status_code=303)


def _form_page(
    request: Request,
    session: Session,
    actor: Actor,
    form: CaseReportForm,
    *,
    error: str | None = None,
    field: str | None = None,
    status: int = 200,
) -> Response:
    rules: CaseRules = request.app.state.case_rules
    return page(
        request,
        "report.html",
        actor,
        status_code=status,
        groups=class_groups(rules),
        form=form,
        error=error,
        error_field=field if field in LABELS or field in ("lng", "lat") else None,
        labels=LABELS,
        bounds=_bounds(session, actor),
        asks_phone=actor.role is Role.CITIZEN,
    )


def class_groups(rules: CaseRules) -> list[tuple[str, list[Any]]]:
    """The catalogue's classes under their major class (大类), in code order: the picker's two levels."""
    groups: dict[str, list[Any]] = {}
    for case_class in sorted(rules.classes.values(), key=lambda c: c.code):
        groups.setdefault(case_class.major_name, []).append(case_class)
    return list(groups.items())


def _bounds(session: Session, actor: Actor) -> list[float] | None:
    """Where the map opens: the reporter's area, else the district ([south, west, north, east])."""
    area = session.get(Area, actor.scope_code) if actor.scope_code else None
    if area is None:
        area = session.scalar(
            select(Area).where(Area.level == AreaLevel.DISTRICT.value).order_by(Area.code).limit(1)
        )
    return [area.min_lat, area.min_lng, area.max_lat, area.max_lng] if area else None
