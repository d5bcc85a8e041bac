"""热点 (每月一题) page: the recurring problems in the recent citizens' messages the caller may see, each
with its place, period, messages and heat (the formula shown as the catalogue writes it), and one action
that makes a hotspot a ledger task with its messages attached."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from govgrid.domain.errors import InvalidInput
from govgrid.domain.permissions import Action, Reach, authorize, reach
from govgrid.domain.worktime import CHINA
from govgrid.services.intelligence import hotspots
from govgrid.services.intelligence.suggestions import Suggester
from govgrid.services.people.accounts import list_units
from govgrid.web.deps import LedgerRulesDep, LoggedInDep, NowDep, SessionDep
from govgrid.web.forms import day
from govgrid.web.pages.render import page

router = APIRouter()


@router.get("/hotspots", response_class=HTMLResponse)
def hotspot_page(request: Request, session: SessionDep, actor: LoggedInDep, now: NowDep) -> Response:
    authorize(actor, Action.READ_ASSESSMENT, area_code=actor.scope_code)
    catalogs = request.app.state.catalogs
    found = hotspots.recent(
        session, actor=actor, hints=catalogs.dispatch_hints, rules=catalogs.hotspot_rules, now=now
    )
    suggester = request.app.state.suggester
    may_task = reach(actor, Action.MANAGE_LEDGER) is not Reach.NONE
    return page(
        request,
        "hotspots.html",
        actor,
        found=found,
        rules=catalogs.hotspot_rules,
        days=hotspots.WINDOW_DAYS,
        may_task=may_task,
        units=list_units(session, actor=actor) if may_task else [],
        suggested={f.hotspot.title: _unit(suggester, f.hotspot.title) for f in found},
        due=(now.astimezone(CHINA) + timedelta(days=30)).date(),
    )


def _unit(suggester: Suggester, title: str) -> str | None:
    hint = suggester.for_text(title, "")
    return hint.unit_code if hint else None


class TaskForm(BaseModel):
    """转为每月一题 as the hotspot's form sends it."""

    title: str = Field(max_length=200)
    lead_unit_code: str = Field(max_length=32)
    deadline: str = Field(max_length=10)
    case_ids: str = Field(max_length=hotspots.MAX_MEMBERS * 12)  # the hotspot's cases, comma-separated


@router.post("/hotspots/task")
def make_task(
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    rules: LedgerRulesDep,
    form: Annotated[TaskForm, Form()],
) -> Response:
    """每月一题: the hotspot becomes a ledger task with its messages attached; then the task's page."""
    given = [x.strip() for x in form.case_ids.split(",") if x.strip()]
    if not all(x.isdigit() for x in given):
        raise InvalidInput("case_ids 须为以逗号分隔的案件编号", field="case_ids")
    task = hotspots.make_task(
        session,
        actor=actor,
        rules=rules,
        title=form.title,
        case_ids=[int(x) for x in given],
        lead_unit_code=form.lead_unit_code,
        deadline=day(form.deadline, "deadline"),
        now=now,
    )
    return RedirectResponse(f"/ledger/items/{task.id}", status_code=303)
