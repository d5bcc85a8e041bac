"""督导检查 pages: the campaigns with their rankings and 红黑榜, a supervisor's scoring form for one place (made
for a phone: tick the deductions, add a photo and what was seen, ask for rectification), and a scored sheet
with the rectification cases it raised. Everything goes through services.inspection."""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.datastructures import FormData
from starlette.datastructures import UploadFile as Part

from govgrid.domain.areas import scope_prefix
from govgrid.domain.errors import InvalidInput
from govgrid.domain.inspection import score
from govgrid.domain.permissions import Action, Reach, reach
from govgrid.services import inspection
from govgrid.services.geo.geography import district_for
from govgrid.web.deps import LoggedInDep, NowDep, SessionDep
from govgrid.web.pages.render import page
from govgrid.web.params import IdPath
from govgrid.web.uploads import photo_of

router = APIRouter()
MAX_TICKS = 60
SHOWN = 20  # the newest campaigns on the list


def _sheets(request: Request) -> dict:
    return request.app.state.catalogs.inspection_sheets


@router.get("/inspections", response_class=HTMLResponse)
def campaigns_page(request: Request, session: SessionDep, actor: LoggedInDep) -> Response:
    return _list(request, session, actor)


def _list(request: Request, session, actor, status_code: int = 200, **extra: object) -> Response:
    found = inspection.campaigns(session, actor=actor)[:SHOWN]
    boards = {c.id: inspection.ranking(session, actor=actor, campaign=c) for c in found}
    context: dict[str, Any] = {
        "campaigns": found,
        "boards": boards,
        "sheets": _sheets(request),
        "may_inspect": reach(actor, Action.INSPECT) is not Reach.NONE,
        "error": None,
        "form": {},
    }
    return page(request, "inspections.html", actor, status_code=status_code, **(context | extra))


class CampaignForm(BaseModel):
    name: str = Field("", max_length=64)
    sheet_id: str = Field("", max_length=40)


@router.post("/inspections")
def start_campaign(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    form: Annotated[CampaignForm, Form()],
) -> Response:
    try:
        campaign = inspection.create_campaign(
            session,
            actor=actor,
            sheets=_sheets(request),
            name=form.name,
            sheet_id=form.sheet_id,
            area_code=(
                actor.scope_code
                if actor.scope_code and len(scope_prefix(actor.scope_code)) >= 6
                else district_for(session, actor)[0]
            )[:12],
            now=now,
        )
    except InvalidInput as exc:
        session.rollback()
        return _list(request, session, actor, status_code=422, error=exc.message, form=form.model_dump())
    return RedirectResponse(f"/inspections/{campaign.id}", status_code=303)


@router.get("/inspections/{campaign_id}", response_class=HTMLResponse)
def campaign_page(campaign_id: IdPath, request: Request, session: SessionDep, actor: LoggedInDep) -> Response:
    campaign = inspection.get_campaign(session, actor=actor, campaign_id=campaign_id)
    context: dict[str, Any] = {
        "campaign": campaign,
        "sheet": inspection.sheet_of(_sheets(request), campaign),
        "board": inspection.ranking(session, actor=actor, campaign=campaign),
        "records": inspection.records_of(session, actor=actor, campaign=campaign),
        "names": {a.code: a.name for a in inspection.places_of(session, campaign, actor)},
        "may_inspect": reach(actor, Action.INSPECT) is not Reach.NONE,
    }
    return page(request, "inspection_campaign.html", actor, **context)


class PlaceQuery(BaseModel):
    place: str = Field("", max_length=15)


@router.get("/inspections/{campaign_id}/score", response_class=HTMLResponse)
def score_form(
    campaign_id: IdPath,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    query: Annotated[PlaceQuery, Query()],
) -> Response:
    return _form(request, session, actor, campaign_id, query.place)


def _form(request, session, actor, campaign_id, place, status_code=200, **extra):
    import uuid

    campaign = inspection.get_campaign(session, actor=actor, campaign_id=campaign_id)
    places = inspection.places_of(session, campaign, actor)
    context: dict[str, Any] = {
        "campaign": campaign,
        "sheet": inspection.sheet_of(_sheets(request), campaign),
        "places": places,
        "place": place,
        "client_id": str(uuid.uuid4()),
        "error": None,
        "kept": {},
    }
    return page(request, "inspection_form.html", actor, status_code=status_code, **(context | extra))


class ScoreForm(BaseModel):
    place: str = Field("", max_length=15)
    note: str = Field("", max_length=2000)
    client_id: str = Field("", max_length=36)
    ticked: list[Annotated[str, Field(max_length=40)]] = Field(default_factory=list, max_length=MAX_TICKS)
    rectify: list[Annotated[str, Field(max_length=40)]] = Field(default_factory=list, max_length=MAX_TICKS)


async def whole_form(request: Request) -> FormData:
    """The form as parsed for the route's own fields (Starlette keeps it): what was seen and the photo of
    each deduction are named by its code (seen-<code>, photo-<code>), which no fixed field can be."""
    return await request.form()


@router.post("/inspections/{campaign_id}/score")
def record_score(
    campaign_id: IdPath,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    form: Annotated[ScoreForm, Form()],
    everything: Annotated[FormData, Depends(whole_form)],
) -> Response:
    try:
        ticked = _ticked(request, form, everything)
        saved = inspection.record(
            session,
            actor=actor,
            tools=inspection.Tools(
                request.app.state.catalogs.case_rules,
                _sheets(request),
                request.app.state.locator_cache,
                request.app.state.media_dir,
            ),
            campaign_id=campaign_id,
            place_code=form.place,
            ticked=ticked,
            note=form.note,
            client_id=form.client_id,
            now=now,
        )
    except InvalidInput as exc:
        session.rollback()
        kept = form.model_dump()
        return _form(request, session, actor, campaign_id, form.place, 422, error=exc.message, kept=kept)
    return RedirectResponse(f"/inspections/records/{saved.id}", status_code=303)


def _ticked(request: Request, form: ScoreForm, everything: FormData) -> list[inspection.Ticked]:
    """The deductions ticked, each with what was seen and its photo (checked before anything is written)."""
    ticked = []
    for code in form.ticked:
        seen = everything.get(f"seen-{code}")
        photo = everything.get(f"photo-{code}")
        ticked.append(
            inspection.Ticked(
                code,
                note=seen if isinstance(seen, str) else "",
                photo=photo_of(request, cast(UploadFile, photo), field=f"photo-{code}")
                if isinstance(photo, Part)  # the form's parts are Starlette's, not FastAPI's subclass
                else None,
                rectify=code in form.rectify,
            )
        )
    return ticked


@router.get("/inspections/records/{record_id}", response_class=HTMLResponse)
def record_page(record_id: IdPath, request: Request, session: SessionDep, actor: LoggedInDep) -> Response:
    found, campaign, deductions = inspection.get_record(session, actor=actor, record_id=record_id)
    sheet = inspection.sheet_of(_sheets(request), campaign)
    _, lines = score(sheet, [d.deduction_code for d in deductions])
    names = {a.code: a.name for a in inspection.places_of(session, campaign)}
    context: dict[str, Any] = {
        "record": found,
        "campaign": campaign,
        "sheet": sheet,
        "lines": lines,
        "deductions": {d.deduction_code: d for d in deductions},
        "place_name": names.get(found.place_code, found.place_code),
    }
    return page(request, "inspection_record.html", actor, **context)
