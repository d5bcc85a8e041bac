"""考核 page: the metrics of a period by a slice, ranked on a scheme of catalog/assessment.yaml (a row with
fewer cases than the minimum is listed but not ranked: one fast case must not top the table), each score
with its explanation, the 红黑榜, 环比 and 同比, the ledger's figures; every count a link to the case list
filtered to exactly the cases behind it; and the table as a workbook."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from govgrid.domain.assessment import LABELS, Period, parse_period
from govgrid.domain.ledger import LIGHT_LABEL
from govgrid.domain.permissions import Action, Actor, Reach, reach
from govgrid.domain.worktime import CHINA
from govgrid.services.assessment.export import workbook
from govgrid.services.assessment.metrics import Slice
from govgrid.services.assessment.metrics import metrics as compute
from govgrid.services.assessment.ranking import ranking
from govgrid.services.forms import admission, figures
from govgrid.web.deps import LoggedInDep, NowDep, SessionDep
from govgrid.web.pages.render import page

router = APIRouter()
SLICE_LABEL = {
    Slice.DISTRICT: "区县",
    Slice.STREET: "街道",
    Slice.COMMUNITY: "社区",
    Slice.GRID: "单元网格",
    Slice.DEPARTMENT: "责任单位",
    Slice.CLASS: "问题分类",
    Slice.CHANNEL: "来源渠道",
    Slice.WORKER: "网格员",
}
# the case-list filter a row's code becomes (the worker slice has none: its links are the whole period's)
ROW_FILTER = {
    Slice.DISTRICT: "area",
    Slice.STREET: "area",
    Slice.COMMUNITY: "area",
    Slice.GRID: "area",
    Slice.DEPARTMENT: "unit_id",
    Slice.CLASS: "class_code",
    Slice.CHANNEL: "channel",
}


def last_month(today: date) -> tuple[date, date]:
    first_of_this = today.replace(day=1)
    last = first_of_this - timedelta(days=1)
    return last.replace(day=1), last


class AssessmentQuery(BaseModel):
    """The page's and the export's query: a period (default: last month), a slice and a scheme."""

    model_config = ConfigDict(populate_by_name=True)

    first: str = Field("", alias="from", max_length=10)
    last: str = Field("", alias="to", max_length=10)
    by: Slice = Slice.STREET
    scheme: str = Field("", max_length=32)


@router.get("/assessment", response_class=HTMLResponse)
def assessment_page(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    asked: Annotated[AssessmentQuery, Query()],
) -> Response:
    by, scheme = asked.by, asked.scheme
    rules = request.app.state.case_rules
    period, found, board = _figures(request, session, actor, now, asked, compare=True)
    rows = {r["code"]: r for r in found["rows"]}

    def drill(code: str | None, metric: str, without: str = "", when: Period = period) -> str:
        """The case list of exactly the cases behind a figure of the row `code` (None: the total)."""
        query = [
            ("metric", metric),
            ("period_from", when.first.isoformat()),
            ("period_to", when.last.isoformat()),
        ]
        if without:
            query.append(("without", without))
        if code and by in ROW_FILTER:
            query.append((ROW_FILTER[by], code))
        return "/cases?" + urlencode(query)

    return page(
        request,
        "assessment.html",
        actor,
        found=found,
        board=board,
        rows=rows,
        nowhere=[r for r in found["rows"] if not r["code"]],
        by=by,
        slices=SLICE_LABEL,
        schemes=rules.assessment.schemes,
        sources=rules.assessment.sources,
        terms=rules.assessment.terms,
        light_labels={k.value: v for k, v in LIGHT_LABEL.items()},
        labels=LABELS,
        first=period.first.isoformat(),
        last=period.last.isoformat(),
        periods={
            "this": period,
            "mom": parse_period(found["mom"]["from"], found["mom"]["to"]),
            "yoy": parse_period(found["yoy"]["from"], found["yoy"]["to"]),
        },
        drill=drill,
        form_months=(
            figures.monthly(session, actor=actor, now=now)
            if reach(actor, Action.READ_FORMS) is not Reach.NONE
            else []
        ),
        admission_months=(
            admission.monthly(session, actor=actor)
            if reach(actor, Action.APPROVE_FORMS) is not Reach.NONE
            else []
        ),
        query=urlencode(
            {
                "from": period.first.isoformat(),
                "to": period.last.isoformat(),
                "by": by.value,
                "scheme": scheme,
            }
        ),
    )


@router.get("/assessment/export")
def export_page(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    asked: Annotated[AssessmentQuery, Query()],
) -> Response:
    """The page's table as a workbook: the ranking with scores and their explanation, then the figures."""
    by = asked.by
    period, found, board = _figures(request, session, actor, now, asked, compare=False)
    data = workbook(found, board, SLICE_LABEL[by])
    name = quote(f"考核-{SLICE_LABEL[by]}-{period.first.isoformat()}至{period.last.isoformat()}.xlsx")
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


def _figures(
    request: Request, session: Session, actor: Actor, now: datetime, asked: AssessmentQuery, *, compare: bool
) -> tuple[Period, dict[str, Any], dict[str, Any]]:
    """The period asked for, its metrics (with 环比 and 同比 when `compare`) and the ranking on the scheme."""
    period = _period(now, asked.first, asked.last)
    rules = request.app.state.case_rules
    found = compute(session, actor=actor, rules=rules, period=period, by=asked.by, compare=compare)
    board = ranking(
        session, actor=actor, rules=rules, period=period, by=asked.by, scheme_id=asked.scheme, found=found
    )
    return period, found, board


def _period(now: datetime, first: str, last: str) -> Period:
    if not first or not last:
        start, end = last_month(now.astimezone(CHINA).date())
        first, last = first or start.isoformat(), last or end.isoformat()
    return parse_period(first, last)
