"""通报: the daily, weekly and monthly bulletins of the district — the list, a preview, and each as .docx (in
official document style) and PDF. A bulletin is composed on request from the history (services.bulletins),
so it always says what the history says. It is district-wide (every street's rank, the ledger's red items):
it shows to those whose scope is the whole district (read_bulletins); streets and departments get it as
circulated, through the group robots the administrator keeps."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from govgrid.domain.bulletins import KIND_LABEL, Kind, parse_kind, period_of, span
from govgrid.domain.errors import InvalidInput
from govgrid.domain.permissions import Action, Actor, Reach, authorize, reach
from govgrid.domain.pushes import PLATFORM_LABEL
from govgrid.domain.worktime import CHINA
from govgrid.services.bulletins.content import Bulletin, compose
from govgrid.services.bulletins.docx_render import render_docx
from govgrid.services.bulletins.render import render_html, render_pdf
from govgrid.services.geo.geography import district_for, districts_for
from govgrid.services.pushes import destinations
from govgrid.web.deps import LoggedInDep, NowDep, SessionDep
from govgrid.web.pages.render import page
from govgrid.web.params import IdPath

router = APIRouter()
SHOWN = {Kind.DAILY: 14, Kind.WEEKLY: 8, Kind.MONTHLY: 12}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _issues(kind: Kind, today: date) -> list[date]:
    """The issue dates of the latest bulletins of a kind, newest first."""
    if kind is Kind.DAILY:
        return [today - timedelta(days=n) for n in range(SHOWN[kind])]
    if kind is Kind.WEEKLY:
        monday = today - timedelta(days=today.weekday())
        return [monday - timedelta(weeks=n) for n in range(SHOWN[kind])]
    first, found = today.replace(day=1), []
    for _ in range(SHOWN[kind]):
        found.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return found


DistrictQuery = Annotated[str, Query(max_length=6, pattern=r"^\d{0,6}$")]


@router.get("/bulletins", response_class=HTMLResponse)
def bulletins_page(
    request: Request, session: SessionDep, actor: LoggedInDep, now: NowDep, district: DistrictQuery = ""
) -> Response:
    return _page(request, session, actor, now, district=district)


def _may_read(session: Session, actor: Actor, district: str) -> tuple[str, str]:
    """The district whose bulletins are shown (the caller's, or the one of theirs a city's people chose);
    only a caller whose scope covers that whole district reads them."""
    chosen = district_for(session, actor, district)
    authorize(actor, Action.READ_BULLETINS, area_code=chosen[0])
    return chosen


def _page(
    request: Request,
    session: Session,
    actor: Actor,
    now: datetime,
    status_code: int = 200,
    district: str = "",
    **extra: object,
) -> Response:
    code, name = _may_read(session, actor, district)
    today = now.astimezone(CHINA).date()
    lists = {kind: [(day, span(period_of(kind, day))) for day in _issues(kind, today)] for kind in Kind}
    may_push = reach(actor, Action.MANAGE_PUSHES) is not Reach.NONE
    context: dict[str, object] = {
        "lists": lists,
        "labels": KIND_LABEL,
        "pushes": destinations.shown(session, actor=actor, district=code) if may_push else None,
        "district": (code, name),
        "districts": districts_for(session, actor),
        "platforms": PLATFORM_LABEL,
        "departments": destinations.departments(session) if may_push else [],
        "today": today.isoformat(),
        "error": None,
        "form": {},
    }
    return page(request, "bulletins.html", actor, status_code=status_code, **(context | extra))


class DestinationForm(BaseModel):
    name: str = Field("", max_length=64)
    platform: str = Field("", max_length=12)
    url: str = Field("", max_length=1000)
    secret: str = Field("", max_length=128)
    form_unit: str = Field("", max_length=32)  # a department's group: its 一表通 forms too
    district: str = Field("", max_length=6)  # whose group: the city's people choose among their districts


@router.post("/bulletins/pushes")
def add_destination(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    form: Annotated[DestinationForm, Form()],
) -> Response:
    try:
        destinations.add_destination(
            session,
            actor=actor,
            name=form.name,
            platform=form.platform,
            url=form.url,
            secret=form.secret,
            now=now,
            form_unit_code=form.form_unit,
            district=form.district,
        )
    except InvalidInput as exc:
        session.rollback()
        kept = form.model_dump(exclude={"secret"})
        page_of = form.district if form.district.isdigit() else ""
        return _page(
            request, session, actor, now, error=exc.message, form=kept, status_code=422, district=page_of
        )
    return RedirectResponse(_back(form.district), status_code=303)


def _back(district: str) -> str:
    return (
        f"/bulletins?district={district}#pushes"
        if district.isdigit() and len(district) == 6
        else "/bulletins#pushes"
    )


@router.post("/bulletins/pushes/{destination_id}/active")
def set_active(
    destination_id: IdPath,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    active: Annotated[str, Form(max_length=5)] = "",
    district: Annotated[str, Form(max_length=6)] = "",
) -> Response:
    destinations.set_active(
        session, actor=actor, destination_id=destination_id, active=active == "true", now=now
    )
    return RedirectResponse(_back(district), status_code=303)


@router.post("/bulletins/issue")
def issue_now(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    kind: Annotated[str, Form(max_length=8)] = "daily",
    district: Annotated[str, Form(max_length=6)] = "",
) -> Response:
    """Issue today's bulletin of a kind now (once a day); the worker pushes it to the district's robots."""
    authorize(actor, Action.MANAGE_PUSHES, area_code=actor.scope_code)
    rules = request.app.state.case_rules
    day = now.astimezone(CHINA).date()
    destinations.issue(
        session, rules=rules, kind=parse_kind(kind), day=day, now=now, district=district, actor=actor
    )
    return RedirectResponse(_back(district), status_code=303)  # the worker pushes it in its next round


def _bulletin(
    request: Request, session: SessionDep, actor: Actor, now: NowDep, kind: str, issued_on: str, district: str
) -> Bulletin:
    code, _ = _may_read(session, actor, district)
    chosen = parse_kind(kind)
    try:
        day = date.fromisoformat(issued_on[:16])
    except ValueError:
        raise InvalidInput(f"日期“{issued_on[:16]}”无效（YYYY-MM-DD）", field="issued_on") from None
    today = now.astimezone(CHINA).date()
    if not today - timedelta(days=3 * 366) <= day <= today:
        raise InvalidInput("通报日期须在近三年内，且不晚于今天", field="issued_on")
    return compose(session, rules=request.app.state.case_rules, kind=chosen, issued_on=day, district=code)


@router.get("/bulletins/{kind}/{issued_on}", response_class=HTMLResponse)
def bulletin_preview(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    kind: str,
    issued_on: str,
    district: DistrictQuery = "",
) -> Response:
    if issued_on.endswith((".docx", ".pdf")):
        return _download(request, session, actor, now, kind, issued_on, district)
    return HTMLResponse(render_html(_bulletin(request, session, actor, now, kind, issued_on, district)))


def _download(
    request: Request, session: SessionDep, actor: Actor, now: NowDep, kind: str, name: str, district: str
) -> Response:
    stem, _, suffix = name.rpartition(".")
    bulletin = _bulletin(request, session, actor, now, kind, stem, district)
    data, media = (
        (render_docx(bulletin), DOCX) if suffix == "docx" else (render_pdf(bulletin), "application/pdf")
    )
    filename = quote(f"{bulletin.label}-{bulletin.issued_on.isoformat()}.{suffix}")
    return Response(
        data, media_type=media, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"}
    )
