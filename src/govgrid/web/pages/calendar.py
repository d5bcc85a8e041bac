"""工作日历: where each year stands (official or provisional), "when is this due?", and — for
administrators — entering a year's holidays and 调休 from the State Council's notice."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from govgrid.domain.calendar_notice import NoticeRejected
from govgrid.domain.errors import InvalidInput
from govgrid.domain.permissions import Action, Reach, reach, scope_filter
from govgrid.domain.worktime import CHINA, YEAR_SOURCE_LABEL, TimeUnit
from govgrid.services import work_calendar
from govgrid.services.cases import steps
from govgrid.web.deps import LoggedInDep, NowDep, SessionDep
from govgrid.web.pages.render import page

router = APIRouter()


def _page(request: Request, actor, now, *, status_code: int = 200, **extra) -> Response:
    calendar = request.app.state.case_rules.calendar
    today = now.astimezone(CHINA).date()
    years = []
    for year in range(today.year - 1, today.year + 3):
        found = work_calendar.year_status(calendar, year)
        years.append((found, YEAR_SOURCE_LABEL[found.source]))
    context = {
        "years": years,
        "last_official": calendar.last_official_day(),
        "units": [u.value for u in TimeUnit],
        "warning": work_calendar.calendar_warning(calendar, today),
        "due": None,
        "problems": [],
        "may_manage": reach(actor, Action.MANAGE_CALENDAR) is not Reach.NONE,
        "form": {},
        **extra,
    }
    return page(request, "calendar.html", actor, status_code=status_code, **context)


@router.get("/calendar", response_class=HTMLResponse)
def calendar_page(
    request: Request, actor: LoggedInDep, now: NowDep, start: str = "", amount: str = "", unit: str = "工作日"
) -> Response:
    scope_filter(actor, Action.READ_UNITS)  # staff only
    due = None
    if start:
        if unit not in {u.value for u in TimeUnit}:
            raise InvalidInput(f"时限单位“{unit[:20]}”无效", field="unit")
        value = work_calendar.parse_limit(amount, unit)
        due = request.app.state.case_rules.calendar.due(
            work_calendar.parse_moment(start), value, TimeUnit(unit)
        )
    return _page(request, actor, now, due=due, query={"start": start, "amount": amount, "unit": unit})


class YearForm(BaseModel):
    """A year's official arrangement as typed: dates or ranges, one per line (or separated by commas)."""

    year: str
    holidays: str = ""
    workdays: str = ""
    source: str = ""


@router.post("/calendar/years")
def enter_year(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    typed: Annotated[YearForm, Form()],
) -> Response:
    """Enter a year from the form; a refused notice shows the form again with what was typed."""
    work_calendar.require_manager(session, actor)
    rules = request.app.state.case_rules
    form = typed.model_dump()
    year, holidays, workdays, source = typed.year, typed.holidays, typed.workdays, typed.source
    if not year.strip().isascii() or not year.strip().isdigit() or len(year.strip()) != 4:
        raise InvalidInput(f"年份“{year[:10]}”无效", field="year")
    lines = {
        key: [p for p in text.replace("，", ",").replace(",", "\n").splitlines() if p.strip()]
        for key, text in (("holidays", holidays), ("workdays", workdays))
    }
    try:
        notice = work_calendar.parse_notice_fields(int(year), lines["holidays"], lines["workdays"], source)
        work_calendar.set_year(
            session,
            actor=actor,
            calendar=rules.calendar,
            notice=notice,
            now=now,
            reschedule=lambda s, _y: steps.reschedule_provisional(s, actor=actor, rules=rules, now=now),
        )
    except NoticeRejected as exc:
        return _page(request, actor, now, status_code=422, problems=exc.problems, form=form)
    return RedirectResponse(f"/calendar?entered={int(year)}", status_code=303)
